// DataTree: the replicated znode state, pure (no I/O, no clock, no threads).
//
// Holds every znode by path, the ephemeral-owner index (session -> paths),
// the container and TTL indices used to pick reaping candidates, the session
// table (session -> timeout; createSession/closeSession are txns, so the
// sessions are replicated state and live in snapshots), and the zxid of the
// last applied txn.
//
// Reads (find/get_data/get_children/...) are what the server answers client
// reads from. Mutations are *not* request validation: they are called by
// txn application (core/txn/apply.h) with txns that prepare() already
// validated, so their preconditions are invariants and are asserted. The only
// entry point for untrusted data is restore_node(), used by snapshot reading,
// which returns errors instead.
//
// Determinism: every container here is ordered; iteration order is path
// order (byte-wise), so parents come before their children.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/tree/znode.h"

namespace zsim::core {

struct NodeData {
  std::string data;
  Stat stat;
};

struct ChildList {
  std::vector<std::string> children;  // names, sorted
  Stat stat;                          // the parent's (getChildren2)
};

// What a create txn needs to make a node (the path is separate).
struct NewNode {
  std::string data;
  NodeKind kind = NodeKind::Persistent;
  int64_t ephemeral_owner = 0;  // REQUIRES: != 0 iff kind == Ephemeral
  int64_t ttl_ms = 0;           // REQUIRES: > 0 iff kind == Ttl
  AclList acl = open_acl();     // REQUIRES: not empty (prepare fixed it up)
};

// The ACL a node has unless someone chose another: world:anyone:r for
// /zookeeper/config (ZooDefs.Ids.READ_ACL_UNSAFE, as a real 3.8 server shows
// it), the open ACL for everything else.
const AclList& initial_acl(std::string_view path);

class DataTree {
 public:
  using NodeMap = std::map<std::string, Znode, std::less<>>;

  // A fresh tree: "/", "/zookeeper", "/zookeeper/quota", "/zookeeper/config",
  // all with zero zxids and times (as a fresh ZooKeeper shows them).
  DataTree();

  // A tree with no nodes at all, not even the root; only for filling with
  // restore_node() when reading a snapshot.
  static DataTree blank();

  // ---- reads
  const Znode* find(std::string_view path) const;
  std::optional<Stat> stat(std::string_view path) const;
  Result<NodeData> get_data(std::string_view path) const;      // NoNode
  Result<ChildList> get_children(std::string_view path) const;  // NoNode
  int64_t last_zxid() const { return last_zxid_; }
  size_t node_count() const { return nodes_.size(); }
  const NodeMap& nodes() const { return nodes_; }
  // The session's ephemeral paths, sorted; empty for unknown sessions.
  const std::set<std::string, std::less<>>& ephemerals(int64_t session_id) const;
  const std::map<int64_t, std::set<std::string, std::less<>>>& ephemerals_by_session() const {
    return ephemerals_;
  }
  // Live sessions -> negotiated timeout (ms).
  const std::map<int64_t, int32_t>& sessions() const { return sessions_; }

  // Paths to reap at `now_ms`, sorted (ZooKeeper's ContainerManager):
  // containers that are empty and have had a child (child_creations != 0),
  // and TTL nodes that are childless with now_ms - mtime > ttl_ms. The
  // server turns each into a deleteContainer request, which fails with
  // NotEmpty if a child raced in.
  std::vector<std::string> reap_candidates(int64_t now_ms) const;

  // ---- mutations, for txn application (preconditions assert)

  // Creates `path` with zxid/time stamps; the parent's child_creations
  // becomes `parent_creations` and its pzxid `zxid`.
  // REQUIRES: path absent; parent present and not ephemeral;
  //           parent_creations == parent's child_creations + 1 (wrapping).
  void create_node(const std::string& path, NewNode node, int64_t zxid, int64_t time_ms,
                   int32_t parent_creations);
  // REQUIRES: path present, not protected, childless.
  void delete_node(std::string_view path, int64_t zxid);
  // REQUIRES: path present; new_version == version + 1 (wrapping).
  void set_data(std::string_view path, std::string data, int32_t new_version, int64_t zxid,
                int64_t time_ms);
  // Replaces the node's ACL (setACL); mzxid and mtime stay.
  // REQUIRES: path present; acl not empty; new_aversion == aversion + 1.
  void set_acl(std::string_view path, AclList acl, int32_t new_aversion);
  void add_session(int64_t session_id, int32_t timeout_ms);
  void remove_session(int64_t session_id);
  // Records that the txn with this zxid has been applied.
  // REQUIRES: zxid > last_zxid().
  void advance_zxid(int64_t zxid);

  // ---- snapshot restore (untrusted input: errors, not asserts)

  // Inserts a complete node (its `children` must be empty; they are rebuilt).
  // DataInconsistency if the path is invalid or present, the parent absent or
  // ephemeral, or the node's fields break the Znode invariants.
  Status restore_node(const std::string& path, Znode node);
  Status restore_session(int64_t session_id, int32_t timeout_ms);
  void restore_last_zxid(int64_t zxid) { last_zxid_ = zxid; }

  // Full O(n) consistency check of nodes and indices; for tests.
  void check_invariants() const;

  friend bool operator==(const DataTree&, const DataTree&) = default;

 private:
  struct BlankTag {};
  explicit DataTree(BlankTag) {}

  Znode& node_at(std::string_view path);
  void index_node(const std::string& path, const Znode& node);
  void unindex_node(std::string_view path, const Znode& node);

  NodeMap nodes_;
  std::map<int64_t, std::set<std::string, std::less<>>> ephemerals_;
  std::set<std::string, std::less<>> containers_;
  std::set<std::string, std::less<>> ttls_;
  std::map<int64_t, int32_t> sessions_;
  int64_t last_zxid_ = 0;
};

}  // namespace zsim::core
