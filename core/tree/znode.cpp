#include "core/tree/znode.h"

#include "core/assert.h"

namespace zsim::core {

std::optional<CreateMode> create_mode_from_int(int32_t flag) {
  if (flag < 0 || flag > 6) {
    return std::nullopt;
  }
  return static_cast<CreateMode>(flag);
}

bool is_sequential(CreateMode mode) {
  return mode == CreateMode::PersistentSequential ||
         mode == CreateMode::EphemeralSequential ||
         mode == CreateMode::PersistentSequentialWithTtl;
}

bool is_ephemeral(CreateMode mode) {
  return mode == CreateMode::Ephemeral || mode == CreateMode::EphemeralSequential;
}

bool is_ttl(CreateMode mode) {
  return mode == CreateMode::PersistentWithTtl ||
         mode == CreateMode::PersistentSequentialWithTtl;
}

NodeKind node_kind_of(CreateMode mode) {
  if (is_ephemeral(mode)) {
    return NodeKind::Ephemeral;
  }
  if (is_ttl(mode)) {
    return NodeKind::Ttl;
  }
  if (mode == CreateMode::Container) {
    return NodeKind::Container;
  }
  return NodeKind::Persistent;
}

int32_t visible_cversion(int32_t child_creations, size_t num_children) {
  const uint32_t twice = static_cast<uint32_t>(child_creations) * 2u;
  return static_cast<int32_t>(twice - static_cast<uint32_t>(num_children));
}

Stat Znode::stat() const {
  ZSIM_ASSERT(data.size() <= static_cast<size_t>(INT32_MAX));
  Stat s;
  s.czxid = czxid;
  s.mzxid = mzxid;
  s.ctime_ms = ctime_ms;
  s.mtime_ms = mtime_ms;
  s.version = version;
  s.cversion = visible_cversion(child_creations, children.size());
  s.aversion = aversion;
  s.ephemeral_owner = kind == NodeKind::Ephemeral ? ephemeral_owner : 0;
  s.data_length = static_cast<int32_t>(data.size());
  s.num_children = static_cast<int32_t>(children.size());
  s.pzxid = pzxid;
  return s;
}

}  // namespace zsim::core
