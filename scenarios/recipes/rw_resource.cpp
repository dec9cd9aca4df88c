#include "scenarios/recipes/rw_resource.h"

#include "core/assert.h"
#include "scenarios/recipes/client_ctx.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

namespace {
constexpr std::size_t kActionsMax = 1'000'000;  // a body acting in a tight loop is a bug

std::string holder_text(const std::string& actor, uint32_t inc, int64_t token, Access access) {
  return fmt::format("{} (incarnation {}, {} token 0x{:x})", actor, inc, to_string(access), token);
}
}  // namespace

const char* to_string(Access a) { return a == Access::kRead ? "read" : "write"; }

bool RwResource::act(ClientCtx& me, Access access, int64_t token) {
  ZSIM_ASSERT_MSG(actions_.size() < kActionsMax, "a resource took a million actions: a body acts in a tight loop");
  RwAction a{me.global_now(), me.name(), me.incarnation(), me.session_id(), token, access, false};
  const std::optional<int64_t>& floor = access == Access::kWrite ? newest_any_ : newest_write_;
  a.accepted = !floor || token >= *floor;
  me.env().trace.event("resource.act", {{"resource", name_},
                                        {"token", io::Hex{static_cast<uint64_t>(token)}},
                                        {"write", access == Access::kWrite},
                                        {"accepted", a.accepted}});
  if (a.accepted) judge(a);
  actions_.push_back(a);
  return a.accepted;
}

void RwResource::judge(const RwAction& a) {
  if (a.access == Access::kWrite && newest_any_ && a.token < *newest_any_ && violation_.empty()) {
    violation_ = fmt::format("{} accepted a stale write: {} at {} after token 0x{:x} was accepted", name_,
                             holder_text(a.actor, a.incarnation, a.token, a.access), format_time(a.at), *newest_any_);
  }
  if (a.access == Access::kRead && newest_write_ && a.token < *newest_write_ && violation_.empty()) {
    violation_ = fmt::format("{} accepted a stale read: {} at {} after write token 0x{:x} was accepted", name_,
                             holder_text(a.actor, a.incarnation, a.token, a.access), format_time(a.at),
                             *newest_write_);
  }
  if (a.access == Access::kWrite) newest_write_ = std::max(newest_write_.value_or(a.token), a.token);
  newest_any_ = std::max(newest_any_.value_or(a.token), a.token);

  const Holder h{a.actor, a.incarnation, a.token, a.access};
  if (ended_.count(h) != 0 && violation_.empty()) {
    violation_ = fmt::format("a writer beside another holder on {}: {} acted again at {} after it had been "
                             "overtaken (a write after its actions, or its write followed by a read)",
                             name_, holder_text(a.actor, a.incarnation, a.token, a.access), format_time(a.at));
  }
  if (a.access == Access::kWrite) {
    for (const Holder& other : active_) {
      if (other != h) ended_.insert(other);
    }
    active_ = {h};
    return;
  }
  for (auto it = active_.begin(); it != active_.end();) {
    if (std::get<3>(*it) == Access::kWrite && *it != h) {
      ended_.insert(*it);
      it = active_.erase(it);
    } else {
      ++it;
    }
  }
  active_.insert(h);
}

}  // namespace zsim::scenarios::recipes
