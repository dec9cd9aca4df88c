// The leader's side of ZAB broadcast, without I/O:
//  - ProposalTracker: outstanding proposals in zxid order, ACKs per
//    proposal, and which zxids to COMMIT (followers) / INFORM (observers)
//    next — strictly in zxid order, each once a quorum of voters
//    acknowledged it *and* the leader's own ack is among them (the leader
//    applies and later syncs followers from its own log, so it must hold
//    every txn it commits).
//  - QuorumLiveness: "do I still hear a quorum?" — the leader steps down
//    when fewer than a quorum of voters, itself included, were heard from
//    within sync_limit_ticks.
//
// Order of I/O the caller follows for one write (persist before send):
//   propose(z); append z to the leader's own log and send PROPOSAL(z) to
//   every synced follower (both may proceed at once); when the leader's own
//   log sync covers z: on_ack(leader, z); on each follower ACK(z): on_ack();
//   for every zxid returned, in order: apply it to the tree, send COMMIT(z)
//   to followers and INFORM(z, txn) to observers, then reply to the client.
// A follower ACKs z only after z is synced to its own log.
//
// Acks are counted per proposal, as ZooKeeper does (an ACK for z does not
// imply acks for earlier zxids). Duplicate acks, acks from observers or
// unknown servers, and acks for zxids that are not outstanding (already
// committed, never proposed) change nothing and say why (AckResult::outcome):
// they come from the network.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string_view>
#include <vector>

#include "core/zab/quorum.h"
#include "core/zab/zxid.h"

namespace zsim::core::zab {

enum class AckOutcome : uint8_t {
  Counted,       // a new ack from a voter
  Duplicate,     // this voter already acked this zxid
  NotVoter,      // from an observer or a server not in the ensemble
  NotOutstanding // the zxid is committed already, or was never proposed
};
std::string_view ack_outcome_name(AckOutcome outcome);

struct AckResult {
  AckOutcome outcome = AckOutcome::Counted;
  // Zxids that became committed by this ack, increasing; COMMIT/INFORM
  // each of them in this order.
  std::vector<Zxid> committed;
};

class ProposalTracker {
 public:
  // `last_committed`: the last zxid committed before this leader's first
  // proposal (its history after synchronization).
  // REQUIRES: config.is_voter(leader); is_valid_zxid(last_committed).
  ProposalTracker(ServerId leader, QuorumVerifier config, Zxid last_committed);

  // A new proposal, with no acks yet.
  // REQUIRES: zxid > last_proposed_zxid(); is_valid_zxid(zxid); at most
  // outstanding_max proposals outstanding (the caller throttles first).
  void propose(Zxid zxid);

  AckResult on_ack(ServerId from, Zxid zxid);

  Zxid last_committed_zxid() const { return last_committed_; }
  Zxid last_proposed_zxid() const { return last_proposed_; }
  size_t outstanding() const { return acks_.size(); }
  // The outstanding proposals in zxid order (forwarded to a follower that
  // finishes synchronization while they are in flight).
  std::vector<Zxid> outstanding_zxids() const;
  // The voters that acked `zxid` (empty if it is not outstanding).
  std::set<ServerId> acks_for(Zxid zxid) const;

  // A bound on outstanding proposals: beyond it the caller must stop
  // accepting writes until commits catch up (ZooKeeper throttles too).
  static constexpr size_t outstanding_max = 1 << 16;

 private:
  void commit_ready(AckResult& result);

  ServerId leader_;
  QuorumVerifier config_;
  Zxid last_committed_;
  Zxid last_proposed_;
  std::map<Zxid, std::set<ServerId>> acks_;  // outstanding, in zxid order
};

// Last-heard times of followers, in ticks of ZabOptions::tick_ms (ZooKeeper
// counts half ticks; any monotone tick count works). The caller reports
// every packet from a *synced* follower (ACK, ping reply, request) with
// heard(), and forget()s a follower whose connection closed.
class QuorumLiveness {
 public:
  // REQUIRES: config.is_voter(leader); sync_limit_ticks > 0.
  QuorumLiveness(ServerId leader, QuorumVerifier config, int64_t sync_limit_ticks);

  // Ignored (returns false) for non-voters: observers never keep a leader.
  bool heard(ServerId from, int64_t now_tick);
  void forget(ServerId from);

  // The voters heard within sync_limit_ticks before now_tick, the leader
  // included (a leader always hears itself).
  std::set<ServerId> recent(int64_t now_tick) const;
  // False: step down (stop serving, start an election).
  bool has_quorum(int64_t now_tick) const { return config_.is_quorum(recent(now_tick)); }

 private:
  ServerId leader_;
  QuorumVerifier config_;
  int64_t sync_limit_ticks_;
  int64_t now_tick_ = 0;
  std::map<ServerId, int64_t> last_heard_tick_;
};

}  // namespace zsim::core::zab
