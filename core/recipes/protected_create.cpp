#include "core/recipes/protected_create.h"

#include "core/recipes/sequence.h"

namespace zsim::core::recipes {

std::string protected_prefix(std::string_view id) {
  std::string out = "_c_";
  out += id;
  out += '-';
  return out;
}

bool carries_id(std::string_view name, std::string_view id) {
  // "_c_" + id + "-": the dash after the id keeps "ab" from matching "abc".
  return name.size() > id.size() + 4 && name.substr(0, 3) == "_c_" && name.substr(3, id.size()) == id &&
         name[3 + id.size()] == '-';
}

Code await_reconnect(Client& zk, Duration wait) {
  if (zk.wait_connected(wait)) return Code::Ok;
  return zk.state() == ClientState::kConnecting ? Code::ConnectionLoss : Code::SessionExpired;
}

Code ensure_path(Client& zk, const std::string& path) {
  for (std::size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = slash == std::string::npos ? path : path.substr(0, slash);
    const Code c = zk.create(prefix, "").code();
    if (c != Code::Ok && c != Code::NodeExists) return c;
    if (slash == std::string::npos) return Code::Ok;
  }
}

Result<std::optional<ProtectedNode>> find_protected(Client& zk, const std::string& parent, std::string_view id,
                                                    CreateMode mode, bool check_owner) {
  auto children = zk.get_children(parent);
  if (!children.ok()) return children.status();
  const bool ephemeral = is_ephemeral(mode);
  for (const std::string& name : sorted_by_sequence(std::move(children).value())) {
    if (!carries_id(name, id)) continue;
    const std::string path = child_path(parent, name);
    auto node = zk.get_data(path);
    if (node.code() == Code::NoNode) continue;  // gone since the listing
    if (!node.ok()) return node.status();
    const Stat& stat = node.value().stat;
    if (ephemeral && check_owner && stat.ephemeral_owner != zk.session_id()) continue;
    return std::optional<ProtectedNode>{ProtectedNode{path, stat}};
  }
  return std::optional<ProtectedNode>{};
}

Result<ProtectedNode> protected_create(Client& zk, const std::string& parent, std::string_view base,
                                       std::string_view id, const std::string& data, CreateMode mode,
                                       const ProtectedCreateOptions& options) {
  const std::string path = child_path(parent, protected_prefix(id) + std::string(base));
  bool maybe_created = false;  // an earlier attempt was lost: look first
  for (int attempt = 0; attempt < options.attempts_max; ++attempt) {
    if (maybe_created) {
      if (const Code c = await_reconnect(zk, options.reconnect_wait); c != Code::Ok) return Status(c, path);
      auto found = find_protected(zk, parent, id, mode, options.check_owner);
      if (found.code() == Code::ConnectionLoss) continue;
      if (!found.ok()) return found.status();
      if (found.value().has_value()) return std::move(*found.value());
    }
    auto created = zk.create2(path, data, mode);
    if (created.ok()) return ProtectedNode{created.value().path, created.value().stat};
    if (created.code() != Code::ConnectionLoss) return created.status();
    maybe_created = true;
  }
  return Status(Code::ConnectionLoss, path + ": gave up after repeated ConnectionLoss");
}

}  // namespace zsim::core::recipes
