#include "scenarios/recipes/lease_resource.h"

#include "core/assert.h"
#include "scenarios/recipes/client_ctx.h"

#include <fmt/format.h>

#include <algorithm>

namespace zsim::scenarios::recipes {

namespace {
constexpr std::size_t kActionsMax = 1'000'000;  // a body acting in a tight loop is a bug
}  // namespace

LeaseResource::LeaseResource(std::string name, int leases, Fencing fencing)
    : name_(std::move(name)), leases_(leases), fencing_(fencing) {
  ZSIM_ASSERT(leases_ >= 1);
}

bool LeaseResource::act(ClientCtx& me, int64_t token, std::vector<int64_t> others) {
  ZSIM_ASSERT_MSG(actions_.size() < kActionsMax, "a resource took a million actions: a body acts in a tight loop");
  ZSIM_ASSERT(std::is_sorted(others.begin(), others.end()));
  LeaseAction a;
  a.seq = actions_.size();
  a.at = me.global_now();
  a.actor = me.name();
  a.incarnation = me.incarnation();
  a.session = me.session_id();
  a.token = token;
  a.others = std::move(others);
  a.refused_by = fencing_ == Fencing::kTokens ? refuser(token) : 0;
  a.accepted = a.refused_by == 0;
  me.env().trace.event("resource.act", {{"resource", name_},
                                        {"token", io::Hex{static_cast<uint64_t>(token)}},
                                        {"accepted", a.accepted}});
  if (a.accepted) {
    accepted_.emplace(a.token, a.others);  // one lease, one view: the first is kept
    judge(a);
  }
  actions_.push_back(std::move(a));
  return actions_.back().accepted;
}

// The oldest accepted lease newer than `token` that does not name it, or 0.
int64_t LeaseResource::refuser(int64_t token) const {
  for (auto it = accepted_.upper_bound(token); it != accepted_.end(); ++it) {
    if (!std::binary_search(it->second.begin(), it->second.end(), token)) return it->first;
  }
  return 0;
}

int LeaseResource::at_once(uint64_t point) const {
  int n = 0;
  for (const Span& s : spans_) n += (s.first <= point && point <= s.last) ? 1 : 0;
  return n;
}

void LeaseResource::judge(const LeaseAction& a) {
  const Holder h{a.actor, a.incarnation, a.token};
  // The moments this action newly covers: from just after the holder's last
  // accepted action up to this one; the count can only peak where a span
  // begins, or at the first of them.
  uint64_t from = a.seq;
  if (auto it = span_of_.find(h); it != span_of_.end()) {
    from = spans_[it->second].last + 1;
    spans_[it->second].last = a.seq;
  } else {
    span_of_.emplace(h, spans_.size());
    spans_.push_back(Span{h, a.seq, a.seq});
  }
  std::vector<uint64_t> points{from};
  for (const Span& s : spans_) {
    if (s.first > from && s.first <= a.seq) points.push_back(s.first);
  }
  for (uint64_t p : points) {
    const int n = at_once(p);
    most_at_once_ = std::max(most_at_once_, n);
    if (n <= leases_ || !violation_.empty()) continue;
    std::string who;
    for (const Span& s : spans_) {
      if (s.first > p || p > s.last) continue;
      who += fmt::format("{}{} (incarnation {}, lease 0x{:x}, acted at {} and at {})", who.empty() ? "" : "; ",
                         std::get<0>(s.holder), std::get<1>(s.holder), std::get<2>(s.holder),
                         format_time(actions_.size() > s.first ? actions_[s.first].at : a.at),
                         format_time(s.last == a.seq ? a.at : actions_[s.last].at));
    }
    violation_ = fmt::format("{} holders act on {} at once, with {} leases: {}", n, name_, leases_, who);
  }
}

}  // namespace zsim::scenarios::recipes
