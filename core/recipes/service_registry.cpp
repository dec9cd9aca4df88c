#include "core/recipes/service_registry.h"

#include "core/assert.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

namespace zsim::core::recipes {

ServiceInstance::ServiceInstance(Client& zk, ServiceInstanceOptions options)
    : zk_(zk), options_(std::move(options)) {
  ZSIM_ASSERT_MSG(!options_.name.empty() && options_.name.find('/') == std::string::npos,
                  "an instance name is one path segment");
  ZSIM_ASSERT(options_.rounds_max > 0);
  node_ = child_path(options_.path, options_.name);
}

Code ServiceInstance::register_once() {
  Code last = Code::ConnectionLoss;
  for (int n = 0; n < options_.rounds_max; ++n) {
    if (zk_.state() == ClientState::kExpired || zk_.state() == ClientState::kClosed) return Code::SessionExpired;
    const std::optional<Code> r = round();
    if (!r) continue;  // something moved: look again
    last = *r;
    if (last == Code::Ok || last == Code::SessionExpired) return last;
    if (last == Code::ConnectionLoss && zk_.state() != ClientState::kConnected) return last;
  }
  return last;
}

// One look at the node and one step towards "registered, by this session,
// with this address". Ok when it is; nullopt to look again at once;
// another code for a failure.
std::optional<Code> ServiceInstance::round() {
  auto got = zk_.get_data(node_, /*watch=*/true);
  if (got.code() == Code::NoNode) {
    // Absent. Once created, go round: the getData then watches it.
    auto created = zk_.create(node_, options_.address, CreateMode::Ephemeral);
    if (created.ok()) return std::nullopt;
    if (created.code() == Code::NoNode) {
      const Code c = ensure_path(zk_, options_.path);
      if (c == Code::Ok) return std::nullopt;  // create again
      return c;
    }
    // NodeExists: someone's (maybe ours, whose reply was lost): look again.
    if (created.code() == Code::NodeExists) return std::nullopt;
    return created.code();
  }
  if (!got.ok()) return got.code();
  const Stat& stat = got.value().stat;
  if (stat.ephemeral_owner != zk_.session_id()) {
    // An earlier session's node, not expired yet: replace it.
    const Code c = zk_.remove(node_, stat.version).code();
    if (c == Code::Ok || c == Code::NoNode || c == Code::BadVersion) return std::nullopt;
    return c;
  }
  if (got.value().data == options_.address) return Code::Ok;
  const Code c = zk_.set_data(node_, options_.address, stat.version).code();
  if (c == Code::Ok || c == Code::BadVersion) return std::nullopt;  // read (and watch) again
  return c;
}

Code ServiceInstance::reconnect(Duration wait) { return await_reconnect(zk_, wait); }

void ServiceInstance::unregister() {
  if (zk_.state() != ClientState::kConnected) return;
  auto mine = zk_.exists(node_);
  if (mine.ok() && mine.value() && mine.value()->ephemeral_owner == zk_.session_id()) {
    (void)zk_.remove(node_, mine.value()->version);
  }
}

ServiceDiscovery::ServiceDiscovery(Client& zk, std::string path) : zk_(zk), path_(std::move(path)) {}

Code ServiceDiscovery::refresh() {
  auto children = zk_.get_children(path_, /*watch=*/true);
  if (children.code() == Code::NoNode) {
    // No registry yet: watch for its creation.
    auto parent = zk_.exists(path_, /*watch=*/true);
    if (!parent.ok()) return parent.code();
    if (parent.value()) return Code::NodeExists;  // created meanwhile: refresh again
    view_.clear();
    ++refreshes_;
    return Code::Ok;
  }
  if (!children.ok()) return children.code();
  ServiceView fresh;
  for (const std::string& name : children.value()) {
    auto data = zk_.get_data(child_path(path_, name), /*watch=*/true);
    if (data.code() == Code::NoNode) continue;  // gone since the list: the list's watch fired
    if (!data.ok()) return data.code();
    fresh.emplace(name, std::move(data.value().data));
  }
  view_ = std::move(fresh);
  ++refreshes_;
  return Code::Ok;
}

Code ServiceDiscovery::reconnect(Duration wait) { return await_reconnect(zk_, wait); }

}  // namespace zsim::core::recipes
