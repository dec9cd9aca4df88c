// Election: ZooKeeper's FastLeaderElection as a pure state machine.
//
// Inputs are calls: start() (begin a new election instance, e.g. at boot or
// when the leader is lost), on_notification() (a vote from another server)
// and tick() (time passed). Each call returns an ElectionStep: the
// notifications to send, in order, and — exactly once per instance — the
// decision. No I/O, no clock: time arrives as `now_ms` values from the
// host's clock, and next_deadline_ms() says when to call tick() next (the
// caller keeps one timer and re-arms it after every call). Nothing here is
// persisted: the round (logical clock) lives in memory, as in ZooKeeper.
//
// The rules (FastLeaderElection.lookForLeader and its receiver thread):
//  - start(): round += 1, propose myself (an observer proposes nobody), send
//    my vote to every other voter. My own vote counts directly (ZooKeeper
//    sends it to itself through the connection manager).
//  - A LOOKING vote with a higher round: adopt the round, forget the votes
//    of the old round, propose the better of that vote and my own initial
//    vote, send to all. A lower round: answer the sender with my vote (if I
//    am a voter) and otherwise ignore it. The same round: adopt the vote if it is better than
//    my proposal (and send to all); record it.
//  - When a quorum of voters (recorded votes of this round, mine included)
//    agree with my proposal, wait finalize_wait_ms for a better vote; a
//    better vote in the meantime cancels the wait. When the wait expires
//    with the quorum intact, decide my proposal: LEADING if it names me,
//    FOLLOWING otherwise (OBSERVING for an observer).
//  - FOLLOWING/LEADING votes are the "join an established leader" path: in
//    my round they are recorded with the LOOKING votes; in any round they go
//    into the out-of-election set. Either set lets me decide for leader L
//    once a quorum supports L (votes_agree) and L itself has said LEADING
//    (or L is me and the vote is of my current round) — the check that
//    keeps servers from electing a leader that has crashed.
//  - OBSERVING votes are ignored; a vote from an observer (a non-voter) is
//    answered at once by a voter with its current vote, never counted, and
//    ignored by another observer. Votes naming
//    a non-voter as leader are ignored.
//  - After deciding, a voter answers every LOOKING vote with its final vote
//    (state FOLLOWING/LEADING), which is what lets late servers join.
//  - Observers never answer anything (voters ignore what observers say, and
//    would answer the answer): they only send their own vote, on start(),
//    on resend and on a new connection to a voter.
//  - With no notification for the notification interval, resend my vote to
//    all voters and double the interval, capped (exponential backoff).
//
// What this does NOT guarantee (nor does ZooKeeper's): with lost or slow
// messages two servers can decide different leaders in the same round (one
// decides on votes that a better vote then overtakes at another server).
// ZAB's discovery phase resolves it: a leader without a quorum of followers
// within init_limit_ticks, or a follower whose leader does not lead, starts
// a new election. What it does guarantee: a decided leader's vote is its own
// (peer_epoch, zxid) and is at least as good as the initial vote of a
// quorum of voters — so the leader's history is the most up to date among
// that quorum. With reliable delivery and finalize_wait_ms longer than the
// message delay, every server decides the best vote among the participants.
//
// Invariants (asserted): now_ms never goes back; my proposal is always a
// voter's vote or my initial one; in one round my proposal only improves.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <optional>
#include <string_view>
#include <vector>

#include "core/zab/options.h"
#include "core/zab/quorum.h"
#include "core/zab/vote.h"

namespace zsim::core::zab {

// One election message. On receipt `from` must be the authenticated peer at
// the other end of the connection, not a field trusted from the payload.
struct Notification {
  ServerId from = kNoServer;
  ServerId to = kNoServer;
  Vote vote;

  friend bool operator==(const Notification&, const Notification&) = default;
};

// Why a received notification was dropped (an error value: these come from
// the network and never crash the server).
enum class Ignored : uint8_t {
  None,            // processed
  NotStarted,      // start() was never called
  NotForMe,        // `to` is not my sid
  Malformed,       // !is_well_formed(vote)
  UnknownSender,   // `from` is not in the ensemble
  LeaderNotVoter,  // the vote proposes a server that cannot lead
  ObserverToObserver,  // observers do not exchange votes
};
std::string_view ignored_name(Ignored ignored);

struct ElectionStep {
  // To send, in this order. Each goes to `to`; the caller may drop any of
  // them (a broken connection): the protocol resends on its timers.
  std::vector<Notification> send;
  // Set by the one call that ends the election instance: the final vote
  // (leader, its zxid and peer epoch, the deciding round, and my new state).
  std::optional<Vote> decided;
  Ignored ignored = Ignored::None;
};

inline constexpr int64_t kNoDeadline = std::numeric_limits<int64_t>::max();

class Election {
 public:
  // REQUIRES: config.is_member(me); options_valid(options).
  Election(ServerId me, QuorumVerifier config, ZabOptions options);

  // Begins a new election instance with my persisted state: the zxid of my
  // last logged txn (0 if none) and my currentEpoch. May be called in any
  // state (a leader or follower that lost its quorum calls it again).
  // REQUIRES: is_valid_zxid(last_zxid); is_valid_epoch(current_epoch).
  ElectionStep start(Zxid last_zxid, Epoch current_epoch, int64_t now_ms);

  // A notification received from the network (see Ignored for the drops).
  ElectionStep on_notification(const Notification& n, int64_t now_ms);

  // A connection to `peer` was (re)established: my current vote for it.
  // ZooKeeper's connection manager resends the last notification on every
  // new connection; without it a server that comes up after the others
  // sent their votes would not learn them until their resend timers fire,
  // and a quorum of late servers could decide without the best vote.
  // Nothing if not started, if `peer` is me or not in the ensemble, or if
  // both of us are observers.
  ElectionStep on_connected(ServerId peer) const;

  // Time passed: decides when the finalize wait is over, resends my vote
  // when the notification interval elapsed. Calling it early is harmless.
  ElectionStep tick(int64_t now_ms);

  // Once settled (leading, following or observing), the vote I answer
  // LOOKING peers with becomes (leader, zxid, epoch): the established
  // leader and the epoch it leads. A decision can rest on stale votes (a
  // paused server decides on messages held while it slept), and a leader
  // re-elected by a quorum that went on without me leads a later epoch than
  // my decision named; peers count settled votes as agreeing only when
  // leader and epoch match, so every member of an established quorum must
  // answer with the same pair, or a LOOKING server never joins it.
  // REQUIRES: !looking(); config().is_voter(leader); valid zxid and epoch;
  // leader == me() iff I am leading.
  void settle(ServerId leader, Zxid zxid, Epoch epoch);
  // When tick() next has something to do; kNoDeadline when not looking.
  int64_t next_deadline_ms() const;

  ServerId me() const { return me_; }
  bool started() const { return started_; }
  bool looking() const { return started_ && state_ == PeerState::Looking; }
  PeerState state() const { return state_; }
  int64_t round() const { return round_; }
  // My proposal while looking; my final vote once decided.
  const Vote& current_vote() const { return vote_; }
  // The notification interval the next resend will wait (for tests/traces).
  int64_t notification_interval_ms() const { return interval_ms_; }
  const QuorumVerifier& config() const { return config_; }

 private:
  // better_proposal(), or the planted bug's order without the epoch.
  bool better(const Vote& a, const Vote& b) const;
  void advance_time(int64_t now_ms);
  void propose(const Vote& proposal);
  void send_all(ElectionStep& step) const;
  void reply(ServerId to, ElectionStep& step) const;
  void on_looking_vote(const Notification& n, int64_t now_ms, ElectionStep& step);
  void on_settled_vote(const Notification& n, ElectionStep& step);
  void check_quorum_for_proposal(int64_t now_ms);
  bool supported_by_quorum(const std::map<ServerId, Vote>& votes, const Vote& vote) const;
  bool leader_confirmed(const std::map<ServerId, Vote>& votes, ServerId leader, int64_t round) const;
  void decide(const Vote& vote, ElectionStep& step);

  ServerId me_;
  QuorumVerifier config_;
  ZabOptions options_;

  bool started_ = false;
  PeerState state_ = PeerState::Looking;
  int64_t round_ = 0;
  Vote initial_;  // my own vote of this instance (leader = me, or nobody)
  Vote vote_;     // my proposal, then my final vote
  // Votes of my current round (LOOKING ones, and settled ones of this round).
  std::map<ServerId, Vote> received_;
  // Observers that sent me a LOOKING vote since my start(): send_all()
  // includes them.
  std::set<ServerId> asking_observers_;
  // Votes of FOLLOWING/LEADING servers, any round.
  std::map<ServerId, Vote> out_of_election_;

  int64_t now_ms_ = std::numeric_limits<int64_t>::min();
  int64_t interval_ms_ = 0;
  int64_t resend_deadline_ms_ = kNoDeadline;
  int64_t finalize_deadline_ms_ = kNoDeadline;
};

}  // namespace zsim::core::zab
