#include "core/tree/data_tree.h"

#include <fmt/format.h>

#include "core/tree/path.h"

namespace zsim::core {
namespace {

const std::set<std::string, std::less<>> kNoPaths;

// Heterogeneous erase is C++23; find + erase works with a string_view key.
bool erase_one(std::set<std::string, std::less<>>& set, std::string_view key) {
  auto it = set.find(key);
  if (it == set.end()) {
    return false;
  }
  set.erase(it);
  return true;
}

}  // namespace

const AclList& initial_acl(std::string_view path) {
  static const AclList kReadOnly{Acl{perms::kRead, AclId{"world", "anyone"}}};
  return path == kConfigPath ? kReadOnly : open_acl();
}

DataTree::DataTree() {
  nodes_.emplace(std::string(kRootPath), Znode{});
  nodes_.emplace(std::string(kZookeeperPath), Znode{});
  nodes_.emplace(std::string(kQuotaPath), Znode{});
  Znode config;
  config.aversion = -1;  // as a real 3.8 server shows /zookeeper/config
  config.acl = initial_acl(kConfigPath);
  nodes_.emplace(std::string(kConfigPath), config);
  node_at(kRootPath).children.insert("zookeeper");
  node_at(kZookeeperPath).children.insert("quota");
  node_at(kZookeeperPath).children.insert("config");
}

DataTree DataTree::blank() { return DataTree(BlankTag{}); }

// ------------------------------------------------------------------ reads

const Znode* DataTree::find(std::string_view path) const {
  auto it = nodes_.find(path);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::optional<Stat> DataTree::stat(std::string_view path) const {
  const Znode* node = find(path);
  if (node == nullptr) {
    return std::nullopt;
  }
  return node->stat();
}

Result<NodeData> DataTree::get_data(std::string_view path) const {
  const Znode* node = find(path);
  if (node == nullptr) {
    return Status(Code::NoNode, std::string(path));
  }
  return NodeData{node->data, node->stat()};
}

Result<ChildList> DataTree::get_children(std::string_view path) const {
  const Znode* node = find(path);
  if (node == nullptr) {
    return Status(Code::NoNode, std::string(path));
  }
  ChildList out;
  out.children.assign(node->children.begin(), node->children.end());
  out.stat = node->stat();
  return out;
}

const std::set<std::string, std::less<>>& DataTree::ephemerals(int64_t session_id) const {
  auto it = ephemerals_.find(session_id);
  return it == ephemerals_.end() ? kNoPaths : it->second;
}

std::vector<std::string> DataTree::reap_candidates(int64_t now_ms) const {
  std::set<std::string, std::less<>> out;
  for (const std::string& path : containers_) {
    const Znode& node = nodes_.find(path)->second;
    if (node.children.empty() && node.child_creations != 0) {
      out.insert(path);
    }
  }
  for (const std::string& path : ttls_) {
    const Znode& node = nodes_.find(path)->second;
    // Subtraction in unsigned space: times are caller-provided and need
    // not be ordered (a lagging clock), and must not overflow.
    const auto age = static_cast<int64_t>(static_cast<uint64_t>(now_ms) -
                                          static_cast<uint64_t>(node.mtime_ms));
    if (node.children.empty() && age > node.ttl_ms) {
      out.insert(path);
    }
  }
  return {out.begin(), out.end()};
}

// -------------------------------------------------------------- mutations

Znode& DataTree::node_at(std::string_view path) {
  auto it = nodes_.find(path);
  ZSIM_ASSERT(it != nodes_.end());
  return it->second;
}

void DataTree::index_node(const std::string& path, const Znode& node) {
  switch (node.kind) {
    case NodeKind::Ephemeral:
      ephemerals_[node.ephemeral_owner].insert(path);
      break;
    case NodeKind::Container:
      containers_.insert(path);
      break;
    case NodeKind::Ttl:
      ttls_.insert(path);
      break;
    case NodeKind::Persistent:
      break;
  }
}

void DataTree::unindex_node(std::string_view path, const Znode& node) {
  switch (node.kind) {
    case NodeKind::Ephemeral: {
      auto it = ephemerals_.find(node.ephemeral_owner);
      ZSIM_ASSERT(it != ephemerals_.end());
      const bool erased = erase_one(it->second, path);
      ZSIM_ASSERT(erased);
      if (it->second.empty()) {
        ephemerals_.erase(it);
      }
      break;
    }
    case NodeKind::Container: {
      const bool erased = erase_one(containers_, path);
      ZSIM_ASSERT(erased);
      break;
    }
    case NodeKind::Ttl: {
      const bool erased = erase_one(ttls_, path);
      ZSIM_ASSERT(erased);
      break;
    }
    case NodeKind::Persistent:
      break;
  }
}

void DataTree::create_node(const std::string& path, NewNode spec, int64_t zxid, int64_t time_ms,
                           int32_t parent_creations) {
  ZSIM_ASSERT(find(path) == nullptr);
  ZSIM_ASSERT((spec.kind == NodeKind::Ephemeral) == (spec.ephemeral_owner != 0));
  ZSIM_ASSERT((spec.kind == NodeKind::Ttl) == (spec.ttl_ms > 0));
  Znode& parent = node_at(parent_path(path));
  ZSIM_ASSERT(parent.kind != NodeKind::Ephemeral);
  ZSIM_ASSERT(parent_creations == wrapping_add(parent.child_creations, 1));
  parent.child_creations = parent_creations;
  parent.pzxid = zxid;
  parent.children.emplace(base_name(path));

  Znode node;
  node.data = std::move(spec.data);
  node.czxid = node.mzxid = node.pzxid = zxid;
  node.ctime_ms = node.mtime_ms = time_ms;
  node.kind = spec.kind;
  node.ephemeral_owner = spec.ephemeral_owner;
  node.ttl_ms = spec.ttl_ms;
  ZSIM_ASSERT(!spec.acl.empty());
  node.acl = std::move(spec.acl);
  index_node(path, node);
  nodes_.emplace(path, std::move(node));
}

void DataTree::delete_node(std::string_view path, int64_t zxid) {
  ZSIM_ASSERT(!is_protected_path(path));
  auto it = nodes_.find(path);
  ZSIM_ASSERT(it != nodes_.end());
  ZSIM_ASSERT(it->second.children.empty());
  Znode& parent = node_at(parent_path(path));
  const bool unlinked = erase_one(parent.children, base_name(path));
  ZSIM_ASSERT(unlinked);
  // ZooKeeper stores creations, not changes, so a delete moves only pzxid;
  // the visible cversion still grows because numChildren shrank.
  parent.pzxid = zxid;
  unindex_node(path, it->second);
  nodes_.erase(it);
}

void DataTree::set_data(std::string_view path, std::string data, int32_t new_version,
                        int64_t zxid, int64_t time_ms) {
  Znode& node = node_at(path);
  ZSIM_ASSERT(new_version == wrapping_add(node.version, 1));
  node.data = std::move(data);
  node.version = new_version;
  node.mzxid = zxid;
  node.mtime_ms = time_ms;
}

void DataTree::set_acl(std::string_view path, AclList acl, int32_t new_aversion) {
  Znode& node = node_at(path);
  ZSIM_ASSERT(new_aversion == wrapping_add(node.aversion, 1));
  ZSIM_ASSERT(!acl.empty());
  // ZooKeeper's setACL changes neither mzxid nor mtime: only aversion.
  node.acl = std::move(acl);
  node.aversion = new_aversion;
}

void DataTree::add_session(int64_t session_id, int32_t timeout_ms) {
  ZSIM_ASSERT(session_id != 0);
  sessions_[session_id] = timeout_ms;
}

void DataTree::remove_session(int64_t session_id) {
  ZSIM_ASSERT(ephemerals(session_id).empty());
  sessions_.erase(session_id);
}

void DataTree::advance_zxid(int64_t zxid) {
  ZSIM_ASSERT(zxid > last_zxid_);
  last_zxid_ = zxid;
}

// ---------------------------------------------------------------- restore

Status DataTree::restore_node(const std::string& path, Znode node) {
  const auto bad = [&](std::string_view why) {
    return Status(Code::DataInconsistency, fmt::format("snapshot node {}: {}", path, why));
  };
  if (!validate_path(path).ok()) {
    return bad("invalid path");
  }
  if (find(path) != nullptr) {
    return bad("duplicate");
  }
  if (!node.children.empty()) {
    return bad("children must not be listed");
  }
  if (node.acl.empty()) {
    return bad("empty ACL");
  }
  if ((node.kind == NodeKind::Ephemeral) != (node.ephemeral_owner != 0)) {
    return bad("ephemeral owner does not match kind");
  }
  if ((node.kind == NodeKind::Ttl) != (node.ttl_ms > 0)) {
    return bad("ttl does not match kind");
  }
  if (path == kRootPath) {
    if (node.kind != NodeKind::Persistent) {
      return bad("root must be persistent");
    }
  } else {
    auto parent = nodes_.find(parent_path(path));
    if (parent == nodes_.end()) {
      return bad("parent missing");
    }
    if (parent->second.kind == NodeKind::Ephemeral) {
      return bad("parent is ephemeral");
    }
    parent->second.children.emplace(base_name(path));
  }
  index_node(path, node);
  nodes_.emplace(path, std::move(node));
  return Status();
}

Status DataTree::restore_session(int64_t session_id, int32_t timeout_ms) {
  if (session_id == 0 || sessions_.count(session_id) != 0) {
    return Status(Code::DataInconsistency,
                  fmt::format("snapshot session {:#x}: zero or duplicate", session_id));
  }
  sessions_[session_id] = timeout_ms;
  return Status();
}

void DataTree::check_invariants() const {
  ZSIM_ASSERT(find(kRootPath) != nullptr);
  size_t ephemeral_count = 0;
  for (const auto& [path, node] : nodes_) {
    ZSIM_ASSERT(validate_path(path).ok());
    ZSIM_ASSERT((node.kind == NodeKind::Ephemeral) == (node.ephemeral_owner != 0));
    ZSIM_ASSERT((node.kind == NodeKind::Ttl) == (node.ttl_ms > 0));
    if (node.kind == NodeKind::Ephemeral) {
      ZSIM_ASSERT(node.children.empty());
      ZSIM_ASSERT(ephemerals(node.ephemeral_owner).count(path) == 1);
      ++ephemeral_count;
    }
    ZSIM_ASSERT((containers_.count(path) == 1) == (node.kind == NodeKind::Container));
    ZSIM_ASSERT((ttls_.count(path) == 1) == (node.kind == NodeKind::Ttl));
    for (const std::string& name : node.children) {
      ZSIM_ASSERT(find(child_path(path, name)) != nullptr);
    }
    if (path != kRootPath) {
      const Znode* parent = find(parent_path(path));
      ZSIM_ASSERT(parent != nullptr);
      ZSIM_ASSERT(parent->children.count(base_name(path)) == 1);
    }
  }
  size_t indexed = 0;
  for (const auto& [session, paths] : ephemerals_) {
    ZSIM_ASSERT(!paths.empty());
    indexed += paths.size();
  }
  ZSIM_ASSERT(indexed == ephemeral_count);
}

}  // namespace zsim::core
