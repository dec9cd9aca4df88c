#include "core/recipes/auto_healer.h"

#include "core/assert.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

#include <algorithm>
#include <set>

namespace zsim::core::recipes {

AutoHealer::AutoHealer(AutoHealerOptions options, AutoHealerHooks hooks)
    : options_(std::move(options)), hooks_(std::move(hooks)) {
  ZSIM_ASSERT(options_.workers >= 1);
  ZSIM_ASSERT(hooks_.launch != nullptr && hooks_.new_id != nullptr && hooks_.now != nullptr);
}

void AutoHealer::tend(Election& e) {
  Client& zk = e.client();
  while (e.leading()) {
    const uint64_t seen = zk.event_count();
    auto children = zk.get_children(options_.path, /*watch=*/true);
    if (children.code() == Code::NoNode) {
      if (ensure_path(zk, options_.path) != Code::Ok) return;
      continue;
    }
    if (!children.ok()) return;  // ConnectionLoss / expiry: leadership in doubt
    // Re-check after the read: the list is worth acting on only if this
    // process still leads (nothing happened on the handle before the read).
    if (!e.leading()) return;
    const std::set<std::string> live(children.value().begin(), children.value().end());
    const Time now = hooks_.now();
    for (auto it = in_flight_.begin(); it != in_flight_.end();) {
      const bool arrived = live.count(it->first) != 0;
      const bool given_up = now - it->second > options_.launch_grace;
      it = arrived || given_up ? in_flight_.erase(it) : std::next(it);
    }
    const auto expected = static_cast<int>(live.size() + in_flight_.size());
    for (int i = expected; i < options_.workers; ++i) {
      const std::string id = hooks_.new_id();
      if (!hooks_.launch(id)) break;  // no host can take it now: try again at the next poll
      in_flight_[id] = now;
      ++launched_;
    }
    (void)zk.wait_event(seen, options_.poll);
  }
}

Code register_worker(Client& zk, const std::string& path, const std::string& id, const std::string& data,
                     Duration reconnect_wait) {
  const std::string node = child_path(path, id);
  for (int round = 0; round < 32; ++round) {
    if (zk.state() == ClientState::kExpired || zk.state() == ClientState::kClosed) return Code::SessionExpired;
    if (zk.state() != ClientState::kConnected) {
      const Code c = await_reconnect(zk, reconnect_wait);
      if (c != Code::Ok) return c;
    }
    auto created = zk.create(node, data, CreateMode::Ephemeral);
    if (created.ok()) return Code::Ok;
    if (created.code() == Code::NoNode) {
      (void)ensure_path(zk, path);
      continue;
    }
    if (created.code() == Code::NodeExists) {
      auto there = zk.exists(node);
      if (!there.ok()) continue;
      if (!there.value()) continue;  // gone since: create again
      return there.value()->ephemeral_owner == zk.session_id() ? Code::Ok : Code::NodeExists;
    }
    if (created.code() == Code::SessionExpired) return Code::SessionExpired;
    // ConnectionLoss: look again after the reconnect.
  }
  return Code::ConnectionLoss;
}

}  // namespace zsim::core::recipes
