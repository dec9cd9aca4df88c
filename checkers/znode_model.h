// ZnodeModel: the ZooKeeper data tree as a sequential model.
//
// Operations (input maps use string keys; see docs/history-format.md):
//   create      {path, data?, mode?}  → the created path, or an error name
//   delete      {path, version?}      → anything, or an error name
//   setData     {path, data, version?}→ anything (an int or {version}: the
//                                        new version), or an error name
//   getData     {path}                → data, or {data, version}, or NoNode
//   exists      {path}                → true/false, or a stat map {version}
//   getChildren {path}                → child names (any order), or NoNode
//   multi       [{op: create, ...}, ...] → a vector of results, or the
//                                        error name of the op that failed
// Modes: persistent, ephemeral, persistent_sequential, ephemeral_sequential
// (or 0–3). version -1 or absent means "any". Error names: NoNode,
// NodeExists, BadVersion, NotEmpty, NoChildrenForEphemerals. Checks follow
// ZooKeeper's order (create: parent NoNode → NodeExists →
// NoChildrenForEphemerals; delete: NoNode → BadVersion → NotEmpty). A
// sequential name is the parent's count of child creations, %010d.
//
// A completed op that reported an error changed nothing, so it preserves
// the state, as do the reads; the checker places those greedily.
//
// Partitioning (P-compositionality) by path is sound only where no op ties
// paths together. create and delete touch the path and its parent (the
// parent must exist, its child set and sequence counter change);
// getChildren, getData, exists and setData touch only their path; multi
// touches all of its paths. The root's child set is a resource only if some
// op reads it or creates a sequential child of the root — otherwise
// top-level subtrees are independent. Unions of these resources are the
// partitions (see linearizability.cpp).
//
// --init: nil (only "/") or a map {"/a" data, "/a/b" data, ...} whose
// parents are present. Session close (ephemeral cleanup) is not modeled.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "checkers/history.h"
#include "checkers/models.h"
#include "checkers/value.h"

namespace zsim::checkers {

enum class ZnodeError : std::uint8_t {
  none, no_node, node_exists, bad_version, not_empty, no_children_for_ephemerals
};

class ZnodeModel {
 public:
  struct Node {
    std::int32_t data = 0;  // ValueTable id
    std::int32_t version = 0;
    std::int32_t child_creations = 0;  // the sequential-name counter
    std::int64_t ephemeral_owner = 0;  // 0: not ephemeral
    bool operator==(const Node&) const = default;
  };
  using Tree = std::map<std::string, Node>;
  struct State {
    std::shared_ptr<const Tree> tree;
    std::uint64_t hash = 0;  // XOR of node hashes, kept incrementally
    bool operator==(const State& o) const {
      return hash == o.hash && (tree == o.tree || *tree == *o.tree);
    }
  };
  enum class Kind : std::uint8_t {
    create, remove, set_data, check, get_data, exists, get_children, multi
  };
  struct Op {
    Kind kind = Kind::get_data;
    std::string path;
    std::int32_t data = 0;
    std::int32_t version = -1;       // expected version; -1: any
    bool ephemeral = false, sequential = false;
    std::int64_t owner = 0;
    bool unknown = false;            // info: outcome not known
    ZnodeError expect = ZnodeError::none;
    // What the completion reported, when it said (else unchecked):
    std::optional<std::string> created;        // create: the name
    std::optional<std::int32_t> seen_data;     // getData
    std::optional<std::int32_t> seen_version;  // getData/exists/setData
    std::optional<bool> seen_exists;           // exists
    std::optional<std::vector<std::string>> seen_children;  // sorted
    std::vector<Op> sub;                       // multi
  };

  static std::optional<ZnodeModel> make(const Value& init, std::string* error);

  State init() const { return init_; }
  std::optional<Op> encode(const Operation& op, std::string* error);
  bool step(const State& s, const Op& op, State* next) const;
  bool preserves_state(const Op& op) const;
  bool is_read(const Op& op) const;
  std::uint64_t hash(const State& s) const { return s.hash; }
  std::string describe(const State& s) const;
  std::size_t state_bytes(const State& s) const { return 64 + s.tree->size() * 96; }
  void resources(const Operation& op, std::vector<std::string>* out) const;

 private:
  ZnodeModel() = default;
  std::optional<Op> encode_one(const Value& input, const std::string& f,
                               std::int64_t owner, std::string* error);
  bool decode_outcome(const Value& output, Op* op, std::string* error);
  // Applies one op to a mutable tree; returns the error it meets.
  // *created gets a create's actual name; *mismatch is set when a multi's
  // create got a different name than its completion reported.
  ZnodeError apply(Tree* tree, std::uint64_t* hash, const Op& op,
                   std::string* created, bool* mismatch) const;
  bool reads_match(const Tree& tree, const Op& op) const;

  ValueTable values_;
  State init_;
  bool root_children_matter_ = false;
};

// "/a/b" → "/a"; "/a" → "/".
std::string parent_path(const std::string& path);
// Empty when valid, else why not.
std::string check_path(const std::string& path);

}  // namespace zsim::checkers
