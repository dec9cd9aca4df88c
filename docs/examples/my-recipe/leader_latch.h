// LeaderLatch: the smallest leader election there is, written the way a
// recipe author would write it against zsim's client -- one EPHEMERAL
// znode; whoever created it leads until its session ends.
//
// try_lead() creates the latch node. Created: I lead. NodeExists: I lead
// only if the node is mine (an earlier create of mine whose reply was lost
// on the way back; ephemeralOwner is my session). Anything else: not now.
// The leader's fencing token is the czxid of the latch node: it grows with
// every new leader, so whatever the leader acts on can refuse an older one.
//
// BrokenLatch is the same latch with the mistake this example's property
// exists to catch: once it has led, it believes it still leads, and it acts
// without a token -- so a leader paused past its session timeout (a long GC
// pause) wakes up and acts beside the next leader.
#pragma once

#include <zsim/testing.h>

#include <cstdint>
#include <string>

namespace my_recipe {

class LeaderLatch {
 public:
  explicit LeaderLatch(std::string path) : path_(std::move(path)) {}
  // Whether the session of `zk` holds the latch now (a round trip or two).
  // Takes the handle each time: after an expiry the test harness hands the
  // client a new session (ClientCtx::zk()).
  bool try_lead(zsim::core::Client& zk);
  // The fencing token of the latest try_lead() that succeeded.
  std::int64_t token() const { return token_; }

 private:
  std::string path_;
  std::int64_t token_ = 0;
};

class BrokenLatch {
 public:
  explicit BrokenLatch(std::string path) : latch_(std::move(path)) {}
  // BUG: once true, true forever (never re-checks the node or the session).
  bool try_lead(zsim::core::Client& zk) { return led_ || (led_ = latch_.try_lead(zk)); }

 private:
  LeaderLatch latch_;
  bool led_ = false;
};

}  // namespace my_recipe
