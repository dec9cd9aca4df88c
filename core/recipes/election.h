// Election: what every leader-election recipe offers (ephemeral_master.h,
// herd_election.h, herd_free_election.h), so that code that leads -- and
// the scenarios that judge it -- can take any of them.
//
// One Election object is one candidacy in one session (one core::Client
// handle). Its life, in Curator's words:
//   campaign()  -> kLeader    confirmed leader: leading() is true and the
//                             fencing token() names this leadership;
//   a disconnect (SUSPENDED) or any other event on the handle makes
//               leading() false at once: stop acting, call campaign() again,
//               which re-reads the ensemble and confirms leadership again
//               (Curator's RECONNECTED: re-check, never assume);
//   campaign()  -> kLost      the session expired or was closed (LOST): the
//                             candidacy is over; a new session must start a
//                             new Election (see leader_selector.h).
//
// The fencing token is the czxid of the node this leadership stands on: a
// later leadership always stands on a later-created node, so tokens grow with
// each leadership. Pass it to whatever the leader acts on; a resource that
// refuses tokens older than the newest it saw is safe even when two
// candidates believe they lead at once (a paused leader that wakes).
//
// leading() is a belief, as any client's is: a leader paused after checking
// it still acts on it. That is what the token is for.
//
// Blocking: campaign() and resign() run on a fiber; leading() and token()
// do not block. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <cstdint>
#include <string>

namespace zsim::core::recipes {

enum class Leadership : uint8_t {
  kLeader,   // confirmed leader (leading() is true)
  kWaiting,  // not (yet) leader when the timeout passed: call again
  kLost,     // the session is gone: this candidacy is over
};
const char* to_string(Leadership l);

class Election {
 public:
  explicit Election(Client& zk) : zk_(zk) {}
  virtual ~Election() = default;
  Election(const Election&) = delete;
  Election& operator=(const Election&) = delete;

  // Campaigns until confirmed leader, the session is lost, or `timeout`
  // (host time) passes. Call again after kWaiting, and whenever leading()
  // turned false, to confirm leadership again.
  virtual Leadership campaign(Duration timeout) = 0;

  // Gives the candidacy up: deletes its node if it still owns it (best
  // effort; on failure the node goes with the session).
  virtual void resign() = 0;

  // True while confirmed leader and nothing has happened on the handle since
  // the confirmation: still connected, no watch fired, no state change.
  bool leading() const {
    return confirmed_ && zk_.state() == ClientState::kConnected && zk_.event_count() == confirmed_at_events_;
  }

  // The fencing token of the latest confirmed leadership: the czxid of its
  // node. 0 before the first confirmation.
  int64_t token() const { return token_; }

  // The path of the node this candidacy stands on ("" before it has one).
  const std::string& node() const { return node_; }

  Client& client() { return zk_; }

 protected:
  // Leadership confirmed by reads made after the handle had heard
  // `events_before_reads` events: any later event unconfirms it.
  void confirm(int64_t czxid, uint64_t events_before_reads) {
    confirmed_ = true;
    token_ = czxid;
    confirmed_at_events_ = events_before_reads;
  }
  void unconfirm() { confirmed_ = false; }
  bool lost() const { return zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed; }

  Client& zk_;
  std::string node_;

 private:
  bool confirmed_ = false;
  int64_t token_ = 0;
  uint64_t confirmed_at_events_ = 0;
};

}  // namespace zsim::core::recipes
