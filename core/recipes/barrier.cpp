#include "core/recipes/barrier.h"

#include "core/recipes/protected_create.h"

namespace zsim::core::recipes {

namespace {
constexpr int kRoundsMax = 256;
}  // namespace

Barrier::Barrier(Client& zk, std::string path) : zk_(zk), path_(std::move(path)) {}

Code Barrier::raise(int attempts_max) {
  for (int attempt = 0; attempt < attempts_max; ++attempt) {
    const Code c = ensure_path(zk_, path_);
    if (c != Code::ConnectionLoss) return c;
    if (const Code r = await_reconnect(zk_, seconds(10)); r == Code::SessionExpired) return r;
  }
  return Code::ConnectionLoss;
}

Code Barrier::lower(int attempts_max) {
  for (int attempt = 0; attempt < attempts_max; ++attempt) {
    const Code c = zk_.remove(path_).code();
    if (c == Code::Ok || c == Code::NoNode) return Code::Ok;
    if (c != Code::ConnectionLoss) return c;
    if (const Code r = await_reconnect(zk_, seconds(10)); r == Code::SessionExpired) return r;
  }
  return Code::ConnectionLoss;
}

BarrierWait Barrier::wait(Duration timeout) {
  for (int round = 0; round < kRoundsMax; ++round) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) return BarrierWait::kLost;
    if (zk_.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk_, timeout);
      if (c == Code::SessionExpired) return BarrierWait::kLost;
      if (c != Code::Ok) return BarrierWait::kTimedOut;
    }
    const uint64_t seen = zk_.event_count();
    auto node = zk_.exists(path_, /*watch=*/true);
    if (node.code() == Code::SessionExpired) return BarrierWait::kLost;
    if (node.ok() && !node.value()) return BarrierWait::kPassed;
    if (node.ok() && !zk_.wait_event(seen, timeout)) return BarrierWait::kTimedOut;
  }
  return BarrierWait::kTimedOut;  // a limit on everything: call again
}

}  // namespace zsim::core::recipes
