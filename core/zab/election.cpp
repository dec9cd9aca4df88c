#include "core/zab/election.h"

#include <algorithm>
#include <set>
#include <utility>

namespace zsim::core::zab {

std::string_view ignored_name(Ignored ignored) {
  switch (ignored) {
    case Ignored::None: return "none";
    case Ignored::NotStarted: return "not_started";
    case Ignored::NotForMe: return "not_for_me";
    case Ignored::Malformed: return "malformed";
    case Ignored::UnknownSender: return "unknown_sender";
    case Ignored::LeaderNotVoter: return "leader_not_voter";
    case Ignored::ObserverToObserver: return "observer_to_observer";
  }
  return "unknown";
}

bool options_valid(const ZabOptions& o) {
  return o.tick_ms >= 2 && o.init_limit_ticks > 0 && o.sync_limit_ticks > 0 && o.finalize_wait_ms > 0 &&
         o.notification_interval_ms_min > 0 &&
         o.notification_interval_ms_min <= o.notification_interval_ms_max;
}

bool Election::better(const Vote& a, const Vote& b) const {
  if (!options_.planted_vote_without_epoch) return better_proposal(a, b);
  if (a.zxid != b.zxid) return a.zxid > b.zxid;
  return a.leader > b.leader;
}

Election::Election(ServerId me, QuorumVerifier config, ZabOptions options)
    : me_(me), config_(std::move(config)), options_(options) {
  ZSIM_ASSERT(config_.is_member(me_));
  ZSIM_ASSERT(options_valid(options_));
}

void Election::advance_time(int64_t now_ms) {
  ZSIM_ASSERT_MSG(now_ms >= now_ms_, "election time went backwards");
  now_ms_ = now_ms;
}

ElectionStep Election::start(Zxid last_zxid, Epoch current_epoch, int64_t now_ms) {
  ZSIM_ASSERT(is_valid_zxid(last_zxid));
  ZSIM_ASSERT(is_valid_epoch(current_epoch));
  advance_time(now_ms);
  started_ = true;
  state_ = PeerState::Looking;
  round_ += 1;
  received_.clear();
  out_of_election_.clear();
  asking_observers_.clear();
  const bool voter = config_.is_voter(me_);
  // An observer never proposes itself: its initial vote loses to any voter's.
  initial_ = Vote{.leader = voter ? me_ : kNoServer,
                  .zxid = voter ? last_zxid : 0,
                  .peer_epoch = voter ? current_epoch : 0,
                  .round = round_,
                  .state = PeerState::Looking};
  propose(initial_);
  interval_ms_ = options_.notification_interval_ms_min;
  resend_deadline_ms_ = now_ms + interval_ms_;
  finalize_deadline_ms_ = kNoDeadline;
  ElectionStep step;
  send_all(step);
  check_quorum_for_proposal(now_ms);  // a single-voter ensemble agrees at once
  return step;
}

void Election::propose(const Vote& proposal) {
  vote_ = Vote{.leader = proposal.leader,
               .zxid = proposal.zxid,
               .peer_epoch = proposal.peer_epoch,
               .round = round_,
               .state = PeerState::Looking};
  ZSIM_ASSERT(vote_.leader == kNoServer || config_.is_voter(vote_.leader));
  ZSIM_ASSERT(!better(initial_, vote_));
  // A new proposal needs its own quorum and its own finalize wait.
  finalize_deadline_ms_ = kNoDeadline;
  if (config_.is_voter(me_)) received_[me_] = vote_;
}

void Election::send_all(ElectionStep& step) const {
  for (ServerId sid : config_.voters()) {
    if (sid != me_) step.send.push_back(Notification{.from = me_, .to = sid, .vote = vote_});
  }
  // Observers that asked during this election hear my changes too: they
  // learn votes only from voters, and one that last heard a proposal I have
  // since given up would decide on it.
  for (ServerId sid : asking_observers_) step.send.push_back(Notification{.from = me_, .to = sid, .vote = vote_});
}

void Election::reply(ServerId to, ElectionStep& step) const {
  ZSIM_ASSERT(to != me_);
  step.send.push_back(Notification{.from = me_, .to = to, .vote = vote_});
}

ElectionStep Election::on_connected(ServerId peer) const {
  ElectionStep step;
  if (!started_ || peer == me_ || !config_.is_member(peer)) return step;
  if (config_.is_voter(me_) || config_.is_voter(peer)) reply(peer, step);
  return step;
}

ElectionStep Election::on_notification(const Notification& n, int64_t now_ms) {
  advance_time(now_ms);
  ElectionStep step;
  if (!started_) step.ignored = Ignored::NotStarted;
  else if (n.to != me_) step.ignored = Ignored::NotForMe;
  else if (!is_well_formed(n.vote)) step.ignored = Ignored::Malformed;
  else if (n.from == me_ || !config_.is_member(n.from)) step.ignored = Ignored::UnknownSender;
  if (step.ignored != Ignored::None) return step;

  if (!config_.is_voter(n.from)) {
    // An observer asking: a voter tells it what it thinks, never counts it.
    // Observers do not talk to each other (they would answer each other
    // forever).
    if (config_.is_voter(me_)) {
      reply(n.from, step);
      if (n.vote.state == PeerState::Looking) asking_observers_.insert(n.from);
    } else {
      step.ignored = Ignored::ObserverToObserver;
    }
    return step;
  }
  if (!config_.is_voter(n.vote.leader)) {
    step.ignored = Ignored::LeaderNotVoter;
    return step;
  }
  if (state_ != PeerState::Looking) {
    // Tell a LOOKING voter whom I follow. An observer's answer would be
    // useless (voters never count it) and the voter would answer it back.
    if (n.vote.state == PeerState::Looking && config_.is_voter(me_)) reply(n.from, step);
    return step;
  }
  // ZooKeeper's poll() restarts its notification timeout on every message.
  resend_deadline_ms_ = now_ms + interval_ms_;
  switch (n.vote.state) {
    case PeerState::Looking: on_looking_vote(n, now_ms, step); break;
    case PeerState::Following:
    case PeerState::Leading: on_settled_vote(n, step); break;
    case PeerState::Observing: break;
  }
  return step;
}

void Election::on_looking_vote(const Notification& n, int64_t now_ms, ElectionStep& step) {
  if (n.vote.round > round_) {
    round_ = n.vote.round;
    received_.clear();
    initial_.round = round_;
    propose(better(n.vote, initial_) ? n.vote : initial_);
    send_all(step);
  } else if (n.vote.round < round_) {
    // The sender lags: bring it to my round. An observer does not: its vote
    // never counts, and the voter would answer it at once — a ping-pong.
    if (config_.is_voter(me_)) reply(n.from, step);
    return;
  } else if (better(n.vote, vote_)) {
    propose(n.vote);
    send_all(step);
  } else if (better(vote_, n.vote) && config_.is_voter(me_)) {
    // The sender proposes worse than I do in my round: tell it. ZooKeeper
    // does not, relying on its connection manager, which resends the last
    // vote whenever a connection comes up; over datagrams there is no such
    // moment, and a server cut off while the better vote went round would
    // keep proposing its own while its messages kept postponing everyone
    // else's resend (each message restarts the notification timeout).
    reply(n.from, step);
  }
  received_[n.from] = n.vote;
  check_quorum_for_proposal(now_ms);
}

void Election::check_quorum_for_proposal(int64_t now_ms) {
  if (!supported_by_quorum(received_, vote_)) {
    finalize_deadline_ms_ = kNoDeadline;
  } else if (finalize_deadline_ms_ == kNoDeadline) {
    finalize_deadline_ms_ = now_ms + options_.finalize_wait_ms;
  }
}

void Election::on_settled_vote(const Notification& n, ElectionStep& step) {
  if (n.vote.round == round_) {
    received_[n.from] = n.vote;
    if (supported_by_quorum(received_, n.vote) && leader_confirmed(received_, n.vote.leader, n.vote.round)) {
      decide(n.vote, step);
      return;
    }
    // A settled vote may have broken the quorum my finalize wait relies on.
    if (!supported_by_quorum(received_, vote_)) finalize_deadline_ms_ = kNoDeadline;
  }
  out_of_election_[n.from] = n.vote;
  if (supported_by_quorum(out_of_election_, n.vote) &&
      leader_confirmed(out_of_election_, n.vote.leader, n.vote.round)) {
    round_ = n.vote.round;
    decide(n.vote, step);
  }
}

bool Election::supported_by_quorum(const std::map<ServerId, Vote>& votes, const Vote& vote) const {
  std::set<ServerId> support;
  for (const auto& [sid, v] : votes) {
    if (votes_agree(v, vote)) support.insert(sid);
  }
  return config_.is_quorum(support);
}

bool Election::leader_confirmed(const std::map<ServerId, Vote>& votes, ServerId leader, int64_t round) const {
  if (leader == me_) return round == round_;
  auto it = votes.find(leader);
  return it != votes.end() && it->second.state == PeerState::Leading;
}

void Election::settle(ServerId leader, Zxid zxid, Epoch epoch) {
  ZSIM_ASSERT(started_);
  ZSIM_ASSERT(state_ != PeerState::Looking);
  ZSIM_ASSERT(config_.is_voter(leader));
  ZSIM_ASSERT(is_valid_zxid(zxid));
  ZSIM_ASSERT(is_valid_epoch(epoch));
  ZSIM_ASSERT((leader == me_) == (state_ == PeerState::Leading));
  vote_.leader = leader;
  vote_.zxid = zxid;
  vote_.peer_epoch = epoch;
}

void Election::decide(const Vote& vote, ElectionStep& step) {
  ZSIM_ASSERT(state_ == PeerState::Looking);
  ZSIM_ASSERT(config_.is_voter(vote.leader));
  if (vote.leader == me_) {
    ZSIM_ASSERT_MSG(config_.is_voter(me_), "an observer cannot lead");
    state_ = PeerState::Leading;
  } else {
    state_ = config_.is_voter(me_) ? PeerState::Following : PeerState::Observing;
  }
  vote_ = Vote{.leader = vote.leader,
               .zxid = vote.zxid,
               .peer_epoch = vote.peer_epoch,
               .round = round_,
               .state = state_};
  resend_deadline_ms_ = kNoDeadline;
  finalize_deadline_ms_ = kNoDeadline;
  step.decided = vote_;
}

ElectionStep Election::tick(int64_t now_ms) {
  advance_time(now_ms);
  ElectionStep step;
  if (!looking()) return step;
  if (now_ms >= finalize_deadline_ms_) {
    // Every change to the votes re-checks the quorum, so it still holds.
    ZSIM_ASSERT(supported_by_quorum(received_, vote_));
    decide(vote_, step);
    return step;
  }
  if (now_ms >= resend_deadline_ms_) {
    send_all(step);
    interval_ms_ = std::min(interval_ms_ * 2, options_.notification_interval_ms_max);
    resend_deadline_ms_ = now_ms + interval_ms_;
  }
  return step;
}

int64_t Election::next_deadline_ms() const {
  if (!looking()) return kNoDeadline;
  return std::min(resend_deadline_ms_, finalize_deadline_ms_);
}

}  // namespace zsim::core::zab
