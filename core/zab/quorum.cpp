#include "core/zab/quorum.h"

#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace zsim::core::zab {

Result<QuorumVerifier> QuorumVerifier::make(std::set<ServerId> voters, std::set<ServerId> observers) {
  if (voters.empty()) return Result<QuorumVerifier>(Code::BadArguments, "no voting members");
  for (ServerId sid : voters) {
    if (sid < 0) return Result<QuorumVerifier>(Code::BadArguments, fmt::format("negative server id {}", sid));
  }
  for (ServerId sid : observers) {
    if (sid < 0) return Result<QuorumVerifier>(Code::BadArguments, fmt::format("negative server id {}", sid));
    if (voters.contains(sid)) {
      return Result<QuorumVerifier>(Code::BadArguments, fmt::format("server {} is a voter and an observer", sid));
    }
  }
  return QuorumVerifier(std::move(voters), std::move(observers));
}

QuorumVerifier::QuorumVerifier(std::set<ServerId> voters, std::set<ServerId> observers)
    : voters_(std::move(voters)), observers_(std::move(observers)) {
  ZSIM_ASSERT(!voters_.empty());
  ZSIM_ASSERT(*voters_.begin() >= 0);
  ZSIM_ASSERT(observers_.empty() || *observers_.begin() >= 0);
  for (ServerId sid : observers_) ZSIM_ASSERT_MSG(!voters_.contains(sid), "a server is a voter and an observer");
}

size_t QuorumVerifier::count_voters(const std::set<ServerId>& servers) const {
  size_t n = 0;
  for (ServerId sid : servers) n += voters_.contains(sid) ? 1 : 0;
  return n;
}

bool QuorumVerifier::is_quorum(const std::set<ServerId>& servers) const {
  return count_voters(servers) >= quorum_size();
}

std::string QuorumVerifier::to_string() const {
  return fmt::format("voters={} observers={}", fmt::join(voters_, ","), fmt::join(observers_, ","));
}

}  // namespace zsim::core::zab
