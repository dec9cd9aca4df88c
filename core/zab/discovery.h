// Discovery and the synchronization quorum of ZAB, leader side, as a pure
// class fed the followers' messages; plus the follower's check of the
// leader's proposed epoch.
//
// Leader, after the election decided LEADING (ZooKeeper's Leader.lead):
//  1. Collect FOLLOWERINFO(acceptedEpoch) from followers. Once a quorum of
//     voters, the leader included, has reported, the new epoch is
//     max(every acceptedEpoch reported so far, the leader's) + 1, fixed from
//     then on (later followers learn the same epoch). The caller persists
//     the new epoch as the leader's acceptedEpoch *before* sending
//     LEADERINFO(new epoch) to every follower that reported.
//  2. Collect ACKEPOCH(currentEpoch, lastZxid). A follower whose
//     (currentEpoch, lastZxid) is more recent than the leader's own refuses
//     the whole attempt: the leader cannot serve the history that follower
//     may have committed, so it gives up and the server starts a new
//     election (ZooKeeper throws and re-elects). An ACKEPOCH with
//     currentEpoch = -1 (the follower had already accepted this epoch) is
//     valid but does not count. A quorum of counted ACKEPOCHs (leader
//     included) ends discovery: the leader persists currentEpoch = new
//     epoch, then synchronizes each follower that acked (decide_sync in
//     core/zab/sync.h) and sends it NEWLEADER. Once discovery is complete a
//     late follower that is ahead is not a reason to give up any more (a
//     quorum already guarantees the leader holds every committed txn): its
//     sync TRUNCates it, as in ZooKeeper.
//     A FOLLOWERINFO that comes after the epoch is fixed and reports an
//     acceptedEpoch later than it is LaterEpoch: that server will refuse
//     LEADERINFO (it promised a later epoch: a leadership of its own that
//     never got a quorum) and can never join this epoch. ZooKeeper leaves
//     it out until the leader changes, which after the faults healed may be
//     never; here the caller adopts that acceptedEpoch and re-elects, so the
//     next epoch is later still and every server can join it.
//  3. Collect the ACKs of NEWLEADER. Once a quorum (leader included) acked,
//     the leader is established: it starts serving and sends UPTODATE.
// All of it must happen within init_limit_ticks (the caller's timer); on
// timeout, or on refused(), the server goes back to the election.
//
// Messages from servers that are not voters (observers) are answered (an
// observer is synchronized like a follower) but never count toward a
// quorum. Duplicates are ignored. Everything received is untrusted: bad
// values are reported as outcomes, never asserted.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>

#include "core/zab/quorum.h"
#include "core/zab/zxid.h"

namespace zsim::core::zab {

enum class DiscoveryPhase : uint8_t {
  CollectingInfo,       // waiting for a quorum of FOLLOWERINFO
  CollectingEpochAcks,  // new epoch fixed; waiting for a quorum of ACKEPOCH
  Synchronizing,        // waiting for a quorum of NEWLEADER acks
  Established,          // serving: broadcast phase
  Refused,              // a follower is ahead of the leader: re-elect
};
std::string_view discovery_phase_name(DiscoveryPhase phase);

enum class DiscoveryOutcome : uint8_t {
  Counted,    // recorded (and counted toward a quorum if from a voter)
  Duplicate,  // this server already sent this message
  Malformed,  // an epoch or zxid out of range
  Unknown,    // the sender is not in the ensemble
  WrongPhase, // e.g. an ACKEPOCH before the epoch is known to the sender
  Refused,    // this ACKEPOCH shows a follower ahead of the leader
  LaterEpoch, // this FOLLOWERINFO's acceptedEpoch is later than the fixed epoch
};
std::string_view discovery_outcome_name(DiscoveryOutcome outcome);

// A server's durable state as ACKEPOCH carries it, ordered as ZooKeeper's
// StateSummary: currentEpoch first, then lastZxid.
struct StateSummary {
  Epoch current_epoch = 0;
  Zxid last_zxid = 0;
  bool more_recent_than(const StateSummary& other) const {
    return current_epoch > other.current_epoch ||
           (current_epoch == other.current_epoch && last_zxid > other.last_zxid);
  }
};

struct DiscoveryStep {
  DiscoveryOutcome outcome = DiscoveryOutcome::Counted;
  // Set by the call that fixed the new epoch: persist it as acceptedEpoch,
  // then send LEADERINFO(epoch) to every server that sent FOLLOWERINFO.
  // (Servers that report after this get LEADERINFO(new_epoch()) directly.)
  std::optional<Epoch> new_epoch_fixed;
  // Set by the call that completed the ACKEPOCH quorum: persist
  // currentEpoch = new epoch, then sync + NEWLEADER to every acked follower.
  bool discovery_complete = false;
  // Set by the call that completed the NEWLEADER quorum: start serving,
  // send UPTODATE.
  bool established = false;
};

class Discovery {
 public:
  // The leader's durable state at the start of discovery. The leader's own
  // FOLLOWERINFO, ACKEPOCH and NEWLEADER ack count from the start.
  // REQUIRES: config.is_voter(leader); valid epochs and zxid.
  Discovery(ServerId leader, QuorumVerifier config, Epoch accepted_epoch, StateSummary leader_state);

  // Call once after construction: in a one-voter ensemble the leader alone
  // is a quorum, and this step carries all three completions.
  DiscoveryStep begin();

  // FOLLOWERINFO: the follower's acceptedEpoch.
  DiscoveryStep on_follower_info(ServerId from, Epoch accepted_epoch);
  // ACKEPOCH: the follower's currentEpoch (-1: already accepted) and last zxid.
  // REQUIRES nothing; WrongPhase before the epoch is fixed or without a
  // FOLLOWERINFO from `from`.
  DiscoveryStep on_ack_epoch(ServerId from, Epoch current_epoch, Zxid last_zxid);
  // The ACK of NEWLEADER; WrongPhase before discovery completed or without an
  // ACKEPOCH from `from`.
  DiscoveryStep on_newleader_ack(ServerId from);

  DiscoveryPhase phase() const { return phase_; }
  bool refused() const { return phase_ == DiscoveryPhase::Refused; }
  // The new epoch once fixed (phase >= CollectingEpochAcks).
  std::optional<Epoch> new_epoch() const { return new_epoch_; }
  // Who sent what (the leader is always in all three).
  const std::map<ServerId, Epoch>& infos() const { return infos_; }
  const std::set<ServerId>& epoch_acks() const { return epoch_acks_; }
  const std::set<ServerId>& newleader_acks() const { return newleader_acks_; }
  // The ACKEPOCH that refused, if any.
  std::optional<ServerId> refused_by() const { return refused_by_; }

 private:
  DiscoveryOutcome check_sender(ServerId from) const;
  void advance(DiscoveryStep& step);

  ServerId leader_;
  QuorumVerifier config_;
  StateSummary leader_state_;
  DiscoveryPhase phase_ = DiscoveryPhase::CollectingInfo;
  std::optional<Epoch> new_epoch_;
  std::map<ServerId, Epoch> infos_;       // FOLLOWERINFO acceptedEpochs
  std::set<ServerId> acked_epoch_any_;    // every ACKEPOCH received
  std::set<ServerId> epoch_acks_;         // counted ACKEPOCHs (voters)
  std::set<ServerId> newleader_acks_;     // NEWLEADER acks (voters)
  std::optional<ServerId> refused_by_;
  bool begun_ = false;
};

// Follower side of LEADERINFO(new_epoch), given my persisted acceptedEpoch.
enum class LeaderInfoAction : uint8_t {
  Accept,          // persist acceptedEpoch = new_epoch, then ACKEPOCH(currentEpoch, lastZxid)
  AlreadyAccepted, // new_epoch == acceptedEpoch: ACKEPOCH(-1, lastZxid), persist nothing
  Reject,          // new_epoch < acceptedEpoch (or malformed): leave, re-elect
};
LeaderInfoAction on_leader_info(Epoch my_accepted_epoch, Epoch new_epoch);

}  // namespace zsim::core::zab
