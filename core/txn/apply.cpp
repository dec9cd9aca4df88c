#include "core/txn/apply.h"

#include "core/tree/path.h"

namespace zsim::core {
namespace {

struct Applier {
  DataTree& tree;
  const TxnHeader& header;
  ApplyResult& result;

  void event(EventType type, std::string_view path) {
    result.events.push_back(WatchEvent{type, std::string(path)});
  }

  OpResult operator()(const CreateTxn& t) {
    tree.create_node(t.path, NewNode{t.data, t.kind, t.ephemeral_owner, t.ttl_ms, t.acl}, header.zxid,
                     header.time_ms, t.parent_creations);
    event(EventType::NodeCreated, t.path);
    event(EventType::NodeChildrenChanged, parent_path(t.path));
    return OpResult{Code::Ok, t.path, tree.stat(t.path)};
  }

  OpResult operator()(const DeleteTxn& t) {
    delete_one(t.path);
    return OpResult{};
  }

  OpResult operator()(const SetDataTxn& t) {
    tree.set_data(t.path, t.data, t.version, header.zxid, header.time_ms);
    event(EventType::NodeDataChanged, t.path);
    return OpResult{Code::Ok, {}, tree.stat(t.path)};
  }

  // setACL fires no watch (as in ZooKeeper).
  OpResult operator()(const SetAclTxn& t) {
    tree.set_acl(t.path, t.acl, t.version);
    return OpResult{Code::Ok, {}, tree.stat(t.path)};
  }

  OpResult operator()(const CheckTxn& t) {
    // Decided at prepare time; re-checked here as an invariant.
    const Znode* node = tree.find(t.path);
    ZSIM_ASSERT(node != nullptr);
    ZSIM_ASSERT(t.version == -1 || t.version == node->version);
    return OpResult{};
  }

  OpResult operator()(const ErrorTxn& t) { return OpResult{t.code, {}, std::nullopt}; }

  void delete_one(std::string_view path) {
    tree.delete_node(path, header.zxid);
    // NodeDeleted reaches p's data and child watches (WatchManager sorts
    // that out); NodeChildrenChanged the parent's child watches.
    event(EventType::NodeDeleted, path);
    event(EventType::NodeChildrenChanged, parent_path(path));
  }

  void body(const MultiTxn& t) {
    for (const TxnOp& op : t.ops) {
      result.ops.push_back(std::visit(*this, op));
    }
  }

  void body(const CreateSessionTxn& t) { tree.add_session(header.session_id, t.timeout_ms); }

  void body(const CloseSessionTxn& t) {
    for (const std::string& path : t.paths) {
      const Znode* node = tree.find(path);
      ZSIM_ASSERT(node != nullptr);
      ZSIM_ASSERT(node->kind == NodeKind::Ephemeral);
      ZSIM_ASSERT(node->ephemeral_owner == header.session_id);
      delete_one(path);
    }
    tree.remove_session(header.session_id);
  }

  template <typename Op>
  void body(const Op& op) {
    result.ops.push_back((*this)(op));
  }
};

}  // namespace

ApplyResult apply(DataTree& tree, const Txn& txn) {
  tree.advance_zxid(txn.header.zxid);
  ApplyResult result;
  Applier applier{tree, txn.header, result};
  std::visit([&](const auto& body) { applier.body(body); }, txn.body);
  for (const OpResult& op : result.ops) {
    if (op.code != Code::Ok) {
      result.code = op.code;
      break;
    }
  }
  return result;
}

}  // namespace zsim::core
