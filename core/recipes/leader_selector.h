// LeaderSelector: re-election. Campaigns with any Election, leads while
// leading, and campaigns again -- in a new session once the old one is
// lost -- until told to stop (Curator's LeaderSelector with autoRequeue).
//
// The loop:
//   zk = session()                 the live handle (a new session's once the
//                                  previous one expired or was closed)
//   e  = candidacy(zk)             a new Election in that session
//   campaign: kLeader  -> lead(e)  act while e.leading(); return when it
//                                  turns false (SUSPENDED: a disconnect or any
//                                  event; or LOST)
//             kWaiting -> again    (checking stop() between rounds)
//             kLost    -> drop e, take a new session, start over
// When the leader's session dies, its node goes with it; the next candidate
// in line is woken by its watch and leads as soon as it has confirmed that
// its node heads the line in its own session. The bound on that hand-over is
// the session timeout of the dead leader plus one round of reads; the
// re-election scenario judges it.
//
// ConnectionLoss: handled inside campaign() (leadership unconfirmed until
//   the reconnect and a fresh read).
// Session expiry: the Election says kLost; the selector starts a new
//   candidacy in a new session (at the back of the line).
// Invariant: lead() runs only for a confirmed leadership, with e.leading()
//   true when it starts; never for two Elections of one selector at once.
//
// Blocking: run() on a fiber. Uses only core::Client (the hooks give it the
// handles).
#pragma once

#include "core/recipes/election.h"

#include <cstdint>
#include <functional>
#include <memory>

namespace zsim::core::recipes {

struct LeaderSelectorHooks {
  // The live handle: the current session's, or a new session's once the
  // current one ended. The selector destroys its Election before asking for
  // a new session, so the hook may replace the old handle.
  std::function<Client&()> session;
  // A new candidacy on `zk`.
  std::function<std::unique_ptr<Election>(Client&)> candidacy;
  // Leads: act while e.leading(), and return once it turned false.
  std::function<void(Election& e)> lead;
  // True to stop campaigning (checked between rounds). May be empty.
  std::function<bool()> stop;
};

struct LeaderSelectorStats {
  uint64_t candidacies = 0;   // Elections started (one per session)
  uint64_t leaderships = 0;   // times lead() was called
  uint64_t lost = 0;          // sessions lost (kLost)
};

class LeaderSelector {
 public:
  // `idle_timeout`: how long one campaign() waits without an event before
  // checking stop().
  explicit LeaderSelector(LeaderSelectorHooks hooks, Duration idle_timeout = seconds(1));

  // Campaigns and leads until stop(). On the way out, resigns (deletes its
  // node) if its session is still connected.
  void run();

  const LeaderSelectorStats& stats() const { return stats_; }

 private:
  bool stopping() const { return hooks_.stop && hooks_.stop(); }

  LeaderSelectorHooks hooks_;
  Duration idle_timeout_;
  LeaderSelectorStats stats_;
};

}  // namespace zsim::core::recipes
