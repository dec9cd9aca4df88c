#include "core/recipes/double_barrier.h"

#include "core/assert.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

namespace zsim::core::recipes {

const char* to_string(BarrierWait w) {
  switch (w) {
    case BarrierWait::kPassed: return "passed";
    case BarrierWait::kTimedOut: return "timed out";
    case BarrierWait::kLost: return "lost";
  }
  return "?";
}

namespace {
constexpr const char* kReady = "ready";
constexpr std::string_view kPrefix = "p-";
}  // namespace

DoubleBarrier::DoubleBarrier(Client& zk, DoubleBarrierOptions options)
    : zk_(zk), options_(std::move(options)), mine_(child_path(options_.path, std::string(kPrefix) + options_.name)) {
  ZSIM_ASSERT_MSG(!options_.name.empty() && options_.name.find('/') == std::string::npos,
                  "a participant name is non-empty, without '/'");
  ZSIM_ASSERT(options_.count >= 1 && options_.rounds_max > 0);
}

int DoubleBarrier::participants(const std::vector<std::string>& children) {
  int n = 0;
  for (const std::string& c : children) n += std::string_view(c).substr(0, kPrefix.size()) == kPrefix ? 1 : 0;
  return n;
}

template <typename Round>
BarrierWait DoubleBarrier::run(Duration timeout, bool recheck, Round&& round) {
  for (int n = 0; n < options_.rounds_max; ++n) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) return BarrierWait::kLost;
    if (zk_.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk_, timeout);
      if (c == Code::SessionExpired) return BarrierWait::kLost;
      if (c != Code::Ok) return BarrierWait::kTimedOut;
    }
    const uint64_t seen = zk_.event_count();
    switch (round()) {
      case Step::kPassed: return BarrierWait::kPassed;
      case Step::kLost: return BarrierWait::kLost;
      case Step::kAgain: break;
      case Step::kWait:
        if (!zk_.wait_event(seen, timeout)) return BarrierWait::kTimedOut;
        // The planted bug (Curator #1290): any wake-up counts as "N arrived".
        if (!recheck) return BarrierWait::kPassed;
        break;
    }
  }
  return BarrierWait::kTimedOut;
}

namespace {
// What an error of a read or write means: the session is gone, or read again.
constexpr auto kLostOr = [](Code c) { return c == Code::SessionExpired; };
}  // namespace

BarrierWait DoubleBarrier::enter(Duration timeout) {
  return run(timeout, options_.recheck, [this] { return joined_ ? enter_round() : join(); });
}

BarrierWait DoubleBarrier::leave(Duration timeout) {
  return run(timeout, true, [this] { return leave_round(); });
}

DoubleBarrier::Step DoubleBarrier::join() {
  auto created = zk_.create(mine_, "", CreateMode::Ephemeral);
  if (created.ok()) {
    joined_ = true;
    return Step::kAgain;
  }
  if (created.code() == Code::NoNode) return kLostOr(ensure_path(zk_, options_.path)) ? Step::kLost : Step::kAgain;
  if (created.code() != Code::NodeExists) return kLostOr(created.code()) ? Step::kLost : Step::kAgain;
  // There already: mine (a create whose reply was lost), or an earlier
  // session's that has not expired yet -- wait for it to go.
  auto node = zk_.exists(mine_, /*watch=*/true);
  if (!node.ok()) return kLostOr(node.code()) ? Step::kLost : Step::kAgain;
  if (!node.value()) return Step::kAgain;
  if (node.value()->ephemeral_owner == zk_.session_id()) {
    joined_ = true;
    return Step::kAgain;
  }
  return Step::kWait;
}

DoubleBarrier::Step DoubleBarrier::enter_round() {
  auto ready = zk_.exists(child_path(options_.path, kReady), /*watch=*/true);
  if (!ready.ok()) return kLostOr(ready.code()) ? Step::kLost : Step::kAgain;
  if (ready.value()) return Step::kPassed;
  auto children = zk_.get_children(options_.path, /*watch=*/true);
  if (!children.ok()) return kLostOr(children.code()) ? Step::kLost : Step::kAgain;
  if (participants(children.value()) < options_.count) return Step::kWait;
  const Code c = zk_.create(child_path(options_.path, kReady), "").code();
  if (c == Code::Ok || c == Code::NodeExists) return Step::kPassed;
  return kLostOr(c) ? Step::kLost : Step::kAgain;  // ConnectionLoss: read again (ready may be there)
}

DoubleBarrier::Step DoubleBarrier::leave_round() {
  if (!deleted_) {
    const Code c = zk_.remove(mine_).code();
    if (c != Code::Ok && c != Code::NoNode) return kLostOr(c) ? Step::kLost : Step::kAgain;
    deleted_ = true;
  }
  auto children = zk_.get_children(options_.path, /*watch=*/true);
  if (children.code() == Code::NoNode) return Step::kPassed;
  if (!children.ok()) return kLostOr(children.code()) ? Step::kLost : Step::kAgain;
  return participants(children.value()) == 0 ? Step::kPassed : Step::kWait;
}

}  // namespace zsim::core::recipes
