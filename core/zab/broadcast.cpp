#include "core/zab/broadcast.h"

#include <utility>

namespace zsim::core::zab {

std::string_view ack_outcome_name(AckOutcome outcome) {
  switch (outcome) {
    case AckOutcome::Counted: return "counted";
    case AckOutcome::Duplicate: return "duplicate";
    case AckOutcome::NotVoter: return "not_voter";
    case AckOutcome::NotOutstanding: return "not_outstanding";
  }
  return "unknown";
}

ProposalTracker::ProposalTracker(ServerId leader, QuorumVerifier config, Zxid last_committed)
    : leader_(leader), config_(std::move(config)), last_committed_(last_committed), last_proposed_(last_committed) {
  ZSIM_ASSERT(config_.is_voter(leader_));
  ZSIM_ASSERT(is_valid_zxid(last_committed_));
}

void ProposalTracker::propose(Zxid zxid) {
  ZSIM_ASSERT(is_valid_zxid(zxid));
  ZSIM_ASSERT_MSG(zxid > last_proposed_, "proposals must be in zxid order");
  ZSIM_ASSERT(acks_.size() < outstanding_max);
  acks_.emplace(zxid, std::set<ServerId>{});
  last_proposed_ = zxid;
}

AckResult ProposalTracker::on_ack(ServerId from, Zxid zxid) {
  AckResult result;
  if (!config_.is_voter(from)) {
    result.outcome = AckOutcome::NotVoter;
    return result;
  }
  auto it = acks_.find(zxid);
  if (it == acks_.end()) {
    result.outcome = AckOutcome::NotOutstanding;
    return result;
  }
  if (!it->second.insert(from).second) {
    result.outcome = AckOutcome::Duplicate;
    return result;
  }
  result.outcome = AckOutcome::Counted;
  commit_ready(result);
  return result;
}

void ProposalTracker::commit_ready(AckResult& result) {
  // Commit from the front only: a later proposal with a quorum waits for
  // every earlier one.
  while (!acks_.empty()) {
    auto first = acks_.begin();
    if (!config_.is_quorum(first->second)) break;
    if (!first->second.contains(leader_)) break;  // the leader's own log must hold it
    ZSIM_ASSERT(first->first > last_committed_);
    last_committed_ = first->first;
    result.committed.push_back(first->first);
    acks_.erase(first);
  }
}

std::vector<Zxid> ProposalTracker::outstanding_zxids() const {
  std::vector<Zxid> zxids;
  zxids.reserve(acks_.size());
  for (const auto& [zxid, acks] : acks_) zxids.push_back(zxid);
  return zxids;
}

std::set<ServerId> ProposalTracker::acks_for(Zxid zxid) const {
  auto it = acks_.find(zxid);
  return it == acks_.end() ? std::set<ServerId>{} : it->second;
}

QuorumLiveness::QuorumLiveness(ServerId leader, QuorumVerifier config, int64_t sync_limit_ticks)
    : leader_(leader), config_(std::move(config)), sync_limit_ticks_(sync_limit_ticks) {
  ZSIM_ASSERT(config_.is_voter(leader_));
  ZSIM_ASSERT(sync_limit_ticks_ > 0);
}

bool QuorumLiveness::heard(ServerId from, int64_t now_tick) {
  ZSIM_ASSERT_MSG(now_tick >= now_tick_, "ticks went backwards");
  now_tick_ = now_tick;
  if (from == leader_ || !config_.is_voter(from)) return false;
  last_heard_tick_[from] = now_tick;
  return true;
}

void QuorumLiveness::forget(ServerId from) { last_heard_tick_.erase(from); }

std::set<ServerId> QuorumLiveness::recent(int64_t now_tick) const {
  std::set<ServerId> heard{leader_};
  for (const auto& [sid, tick] : last_heard_tick_) {
    if (now_tick - tick <= sync_limit_ticks_) heard.insert(sid);
  }
  return heard;
}

}  // namespace zsim::core::zab
