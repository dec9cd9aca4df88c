// Znodes: create modes, the client-visible Stat, and the stored node.
//
// The stored node keeps what ZooKeeper persists (StatPersisted), not the
// client Stat: in particular ZooKeeper stores in "cversion" the count of child
// *creations* (which also names sequential children) and derives the visible
// cversion as 2 * creations - numChildren ("for every create there is a
// delete except for the children still present", DataNode.copyStat). For an
// ordinary node that equals creations + deletions; for the root and
// /zookeeper, whose initial children were never "created", it is lower, as on
// a real server (verified: a fresh root with /a and /c created shows
// cversion 1).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/tree/acl.h"

namespace zsim::core {

// ZooKeeper's CreateMode flag values.
enum class CreateMode : int32_t {
  Persistent = 0,
  Ephemeral = 1,
  PersistentSequential = 2,
  EphemeralSequential = 3,
  Container = 4,
  PersistentWithTtl = 5,
  PersistentSequentialWithTtl = 6,
};

std::optional<CreateMode> create_mode_from_int(int32_t flag);
bool is_sequential(CreateMode mode);
bool is_ephemeral(CreateMode mode);
bool is_ttl(CreateMode mode);

// ZooKeeper's upper bound on a TTL (EphemeralType.TTL.maxValue): 2^40 - 1 ms.
inline constexpr int64_t kMaxTtlMs = (int64_t{1} << 40) - 1;

// What a node is, once created (sequential is only about its name).
enum class NodeKind : uint8_t {
  Persistent = 0,
  Ephemeral = 1,  // owned by a session, deleted with it; no children
  Container = 2,  // reaped when empty after having had a child
  Ttl = 3,        // reaped when childless and unmodified for ttl_ms
};

NodeKind node_kind_of(CreateMode mode);

// The client-visible Stat, field for field ZooKeeper's (same order as jute).
struct Stat {
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t ctime_ms = 0;
  int64_t mtime_ms = 0;
  int32_t version = 0;
  int32_t cversion = 0;
  int32_t aversion = 0;
  int64_t ephemeral_owner = 0;  // session id for ephemerals, else 0
  int32_t data_length = 0;
  int32_t num_children = 0;
  int64_t pzxid = 0;

  friend bool operator==(const Stat&, const Stat&) = default;
};

// A stored znode. Invariants (checked by DataTree):
//   kind == Ephemeral  <=> ephemeral_owner != 0, and then children is empty;
//   kind == Ttl        <=> ttl_ms > 0;
//   child_creations only grows (wrapping as a Java int does).
struct Znode {
  std::string data;
  int64_t czxid = 0;
  int64_t mzxid = 0;
  int64_t pzxid = 0;  // zxid of the last child create/delete (create: own zxid)
  int64_t ctime_ms = 0;
  int64_t mtime_ms = 0;
  int32_t version = 0;
  int32_t aversion = 0;
  int32_t child_creations = 0;  // ZooKeeper's stored cversion
  NodeKind kind = NodeKind::Persistent;
  int64_t ephemeral_owner = 0;
  int64_t ttl_ms = 0;
  AclList acl = open_acl();  // this node's own list (never inherited)
  std::set<std::string, std::less<>> children;  // names, sorted

  Stat stat() const;

  friend bool operator==(const Znode&, const Znode&) = default;
};

// Java int arithmetic: wraps instead of overflowing (versions and counters
// are 32-bit signed in ZooKeeper and wrap there too).
inline int32_t wrapping_add(int32_t a, int32_t b) {
  return static_cast<int32_t>(static_cast<uint32_t>(a) + static_cast<uint32_t>(b));
}

// ZooKeeper's visible cversion: 2 * creations - numChildren, in int32.
int32_t visible_cversion(int32_t child_creations, size_t num_children);

}  // namespace zsim::core
