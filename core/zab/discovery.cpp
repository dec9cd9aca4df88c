#include "core/zab/discovery.h"

#include <algorithm>
#include <utility>

namespace zsim::core::zab {

std::string_view discovery_phase_name(DiscoveryPhase phase) {
  switch (phase) {
    case DiscoveryPhase::CollectingInfo: return "collecting_info";
    case DiscoveryPhase::CollectingEpochAcks: return "collecting_epoch_acks";
    case DiscoveryPhase::Synchronizing: return "synchronizing";
    case DiscoveryPhase::Established: return "established";
    case DiscoveryPhase::Refused: return "refused";
  }
  return "unknown";
}

std::string_view discovery_outcome_name(DiscoveryOutcome outcome) {
  switch (outcome) {
    case DiscoveryOutcome::Counted: return "counted";
    case DiscoveryOutcome::Duplicate: return "duplicate";
    case DiscoveryOutcome::Malformed: return "malformed";
    case DiscoveryOutcome::Unknown: return "unknown";
    case DiscoveryOutcome::WrongPhase: return "wrong_phase";
    case DiscoveryOutcome::Refused: return "refused";
    case DiscoveryOutcome::LaterEpoch: return "later_epoch";
  }
  return "unknown";
}

Discovery::Discovery(ServerId leader, QuorumVerifier config, Epoch accepted_epoch, StateSummary leader_state)
    : leader_(leader), config_(std::move(config)), leader_state_(leader_state) {
  ZSIM_ASSERT(config_.is_voter(leader_));
  ZSIM_ASSERT(is_valid_epoch(accepted_epoch));
  ZSIM_ASSERT(accepted_epoch < kEpochMax);
  ZSIM_ASSERT(is_valid_epoch(leader_state_.current_epoch));
  ZSIM_ASSERT(is_valid_zxid(leader_state_.last_zxid));
  // acceptedEpoch >= currentEpoch always: a server accepts an epoch before
  // it makes it current.
  ZSIM_ASSERT(accepted_epoch >= leader_state_.current_epoch);
  infos_[leader_] = accepted_epoch;
  acked_epoch_any_.insert(leader_);
  epoch_acks_.insert(leader_);
  newleader_acks_.insert(leader_);
}

DiscoveryStep Discovery::begin() {
  ZSIM_ASSERT_MSG(!begun_, "begin() once");
  begun_ = true;
  DiscoveryStep step;
  advance(step);
  return step;
}

DiscoveryOutcome Discovery::check_sender(ServerId from) const {
  if (from == leader_ || !config_.is_member(from)) return DiscoveryOutcome::Unknown;
  if (phase_ == DiscoveryPhase::Refused) return DiscoveryOutcome::WrongPhase;
  return DiscoveryOutcome::Counted;
}

DiscoveryStep Discovery::on_follower_info(ServerId from, Epoch accepted_epoch) {
  ZSIM_ASSERT(begun_);
  DiscoveryStep step;
  step.outcome = check_sender(from);
  if (step.outcome != DiscoveryOutcome::Counted) return step;
  // kEpochMax itself is refused: max + 1 must still be an epoch.
  if (!is_valid_epoch(accepted_epoch) || accepted_epoch >= kEpochMax) {
    step.outcome = DiscoveryOutcome::Malformed;
    return step;
  }
  // Too late to count toward the epoch, and it will refuse the one fixed
  // (also from a server that reported before: it may have restarted since).
  if (new_epoch_.has_value() && accepted_epoch > *new_epoch_) {
    step.outcome = DiscoveryOutcome::LaterEpoch;
    return step;
  }
  if (!infos_.emplace(from, accepted_epoch).second) {
    step.outcome = DiscoveryOutcome::Duplicate;
    return step;
  }
  advance(step);
  return step;
}

DiscoveryStep Discovery::on_ack_epoch(ServerId from, Epoch current_epoch, Zxid last_zxid) {
  ZSIM_ASSERT(begun_);
  DiscoveryStep step;
  step.outcome = check_sender(from);
  if (step.outcome != DiscoveryOutcome::Counted) return step;
  if ((current_epoch != -1 && !is_valid_epoch(current_epoch)) || !is_valid_zxid(last_zxid)) {
    step.outcome = DiscoveryOutcome::Malformed;
    return step;
  }
  if (!new_epoch_.has_value() || !infos_.contains(from)) {
    step.outcome = DiscoveryOutcome::WrongPhase;
    return step;
  }
  if (acked_epoch_any_.contains(from)) {
    step.outcome = DiscoveryOutcome::Duplicate;
    return step;
  }
  const bool counted = current_epoch != -1;
  if (counted && phase_ == DiscoveryPhase::CollectingEpochAcks &&
      StateSummary{current_epoch, last_zxid}.more_recent_than(leader_state_)) {
    phase_ = DiscoveryPhase::Refused;
    refused_by_ = from;
    step.outcome = DiscoveryOutcome::Refused;
    return step;
  }
  acked_epoch_any_.insert(from);
  if (counted && config_.is_voter(from)) epoch_acks_.insert(from);
  advance(step);
  return step;
}

DiscoveryStep Discovery::on_newleader_ack(ServerId from) {
  ZSIM_ASSERT(begun_);
  DiscoveryStep step;
  step.outcome = check_sender(from);
  if (step.outcome != DiscoveryOutcome::Counted) return step;
  const bool synced_phase = phase_ == DiscoveryPhase::Synchronizing || phase_ == DiscoveryPhase::Established;
  if (!synced_phase || !acked_epoch_any_.contains(from)) {
    step.outcome = DiscoveryOutcome::WrongPhase;
    return step;
  }
  if (!config_.is_voter(from)) return step;  // an observer: synced, never counted
  if (!newleader_acks_.insert(from).second) {
    step.outcome = DiscoveryOutcome::Duplicate;
    return step;
  }
  advance(step);
  return step;
}

void Discovery::advance(DiscoveryStep& step) {
  if (phase_ == DiscoveryPhase::CollectingInfo) {
    std::set<ServerId> reported;
    Epoch max_accepted = 0;
    for (const auto& [sid, epoch] : infos_) {
      reported.insert(sid);
      max_accepted = std::max(max_accepted, epoch);
    }
    if (!config_.is_quorum(reported)) return;
    ZSIM_ASSERT(max_accepted < kEpochMax);
    new_epoch_ = max_accepted + 1;
    step.new_epoch_fixed = new_epoch_;
    phase_ = DiscoveryPhase::CollectingEpochAcks;
  }
  if (phase_ == DiscoveryPhase::CollectingEpochAcks) {
    if (!config_.is_quorum(epoch_acks_)) return;
    step.discovery_complete = true;
    phase_ = DiscoveryPhase::Synchronizing;
  }
  if (phase_ == DiscoveryPhase::Synchronizing) {
    if (!config_.is_quorum(newleader_acks_)) return;
    step.established = true;
    phase_ = DiscoveryPhase::Established;
  }
}

LeaderInfoAction on_leader_info(Epoch my_accepted_epoch, Epoch new_epoch) {
  ZSIM_ASSERT(is_valid_epoch(my_accepted_epoch));
  if (!is_valid_epoch(new_epoch) || new_epoch < my_accepted_epoch) return LeaderInfoAction::Reject;
  if (new_epoch == my_accepted_epoch) return LeaderInfoAction::AlreadyAccepted;
  return LeaderInfoAction::Accept;
}

}  // namespace zsim::core::zab
