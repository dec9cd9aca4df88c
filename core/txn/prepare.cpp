#include "core/txn/prepare.h"

#include <set>

#include <fmt/format.h>

#include "core/limits.h"
#include "core/tree/path.h"

namespace zsim::core {

void PendingChanges::forget_applied(int64_t zxid) {
  std::erase_if(records_, [zxid](const auto& item) { return item.second.zxid <= zxid; });
}

void PendingChanges::put(std::string path, Entry entry) {
  records_.insert_or_assign(std::move(path), std::move(entry));
}

namespace {

NodeRecord record_of(const Znode& node) {
  NodeRecord r;
  r.version = node.version;
  r.child_creations = node.child_creations;
  r.child_count = static_cast<int32_t>(node.children.size());
  r.kind = node.kind;
  r.ephemeral_owner = node.ephemeral_owner;
  r.aversion = node.aversion;
  r.acl = node.acl;
  return r;
}

// The tree as the txn being prepared sees it: its own changes so far
// (scratch), over the pending txns' changes, over the applied tree. Only
// commit() makes the scratch visible to later requests, so a failing
// request (or multi) leaves no trace.
class Overlay {
 public:
  Overlay(const DataTree& tree, const PendingChanges& pending) : tree_(tree), pending_(pending) {}

  std::optional<NodeRecord> get(std::string_view path) const {
    if (auto it = scratch_.find(path); it != scratch_.end()) {
      return it->second;
    }
    if (auto it = pending_.records().find(path); it != pending_.records().end()) {
      return it->second.node;
    }
    if (const Znode* node = tree_.find(path)) {
      return record_of(*node);
    }
    return std::nullopt;
  }

  void put(std::string_view path, std::optional<NodeRecord> node) {
    scratch_.insert_or_assign(std::string(path), node);
  }

  // The session's ephemerals as the overlay shows them, sorted.
  std::set<std::string> ephemerals(int64_t session_id) const {
    const auto& applied = tree_.ephemerals(session_id);
    std::set<std::string> out(applied.begin(), applied.end());
    for (const auto& [path, entry] : pending_.records()) {
      if (!entry.node) {
        out.erase(path);
      } else if (entry.node->kind == NodeKind::Ephemeral &&
                 entry.node->ephemeral_owner == session_id) {
        out.insert(path);
      }
    }
    return out;
  }

  void commit(PendingChanges& pending, int64_t zxid) {
    for (auto& [path, node] : scratch_) {
      pending.put(path, PendingChanges::Entry{zxid, node});
    }
    scratch_.clear();
  }

 private:
  const DataTree& tree_;
  const PendingChanges& pending_;
  std::map<std::string, std::optional<NodeRecord>, std::less<>> scratch_;
};

Status error(Code code, std::string message) { return Status(code, std::move(message)); }

Status check_path(std::string_view path, bool sequential) {
  if (path.size() > limits::kPathBytesMax) {
    return error(Code::BadArguments,
                 fmt::format("path of {} bytes exceeds {}", path.size(), limits::kPathBytesMax));
  }
  return validate_path(path, sequential);
}

Status check_data(std::string_view path, std::string_view data) {
  if (data.size() > limits::kDataBytesMax) {
    return error(Code::BadArguments, fmt::format("{}: data of {} bytes exceeds {}", path,
                                                 data.size(), limits::kDataBytesMax));
  }
  return Status();
}

Status check_session(const PrepareContext& ctx) {
  if (ctx.session_check != Code::Ok) {
    return error(ctx.session_check, fmt::format("session {:#x}", ctx.session_id));
  }
  return Status();
}

// ZooKeeper's checkAndIncVersion: -1 matches any version.
Status check_version(std::string_view path, int32_t expected, int32_t actual) {
  if (expected != kAnyVersion && expected != actual) {
    return error(Code::BadVersion, std::string(path));
  }
  return Status();
}

// ZooKeeper's checkACL for one node: NoAuth unless `acl` grants `perm`.
Status check_perm(std::string_view path, const AclList& acl, int32_t perm,
                  const PrepareContext& ctx) {
  if (!acl_allows(acl, perm, ctx.auth)) {
    return error(Code::NoAuth, std::string(path));
  }
  return Status();
}

Status check_mode(const CreateRequest& req) {
  const std::optional<CreateMode> mode = create_mode_from_int(req.mode);
  if (!mode) {
    return error(Code::BadArguments, fmt::format("{}: unknown create mode {}", req.path, req.mode));
  }
  if (is_ttl(*mode)) {
    if (req.ttl_ms <= 0 || req.ttl_ms > kMaxTtlMs) {
      return error(Code::BadArguments, fmt::format("{}: ttl {} out of range", req.path, req.ttl_ms));
    }
  } else if (req.ttl_ms >= 0) {
    return error(Code::BadArguments,
                 fmt::format("{}: ttl {} given for a mode without ttl", req.path, req.ttl_ms));
  }
  return Status();
}

// The parent of the path being created. ZooKeeper cuts at the last '/', so
// "/" and the sequential prefix "/a/" have parents "/" and "/a".
std::string_view create_parent(std::string_view path) {
  return path == kRootPath ? kRootPath : parent_path(path);
}

#define ZSIM_RETURN_IF_ERROR(expr)   \
  do {                               \
    Status zsim_status_ = (expr);    \
    if (!zsim_status_.ok()) {        \
      return zsim_status_;           \
    }                                \
  } while (false)

Result<CreateTxn> prepare_create(Overlay& ov, const CreateRequest& req, const PrepareContext& ctx) {
  ZSIM_RETURN_IF_ERROR(check_data(req.path, req.data));
  ZSIM_RETURN_IF_ERROR(check_mode(req));
  const auto mode = *create_mode_from_int(req.mode);
  ZSIM_RETURN_IF_ERROR(check_session(ctx));
  ZSIM_RETURN_IF_ERROR(check_path(req.path, is_sequential(mode)));
  if (is_ephemeral(mode) && ctx.session_id == 0) {
    return error(Code::BadArguments, fmt::format("{}: ephemeral without a session", req.path));
  }
  Result<AclList> acl = fix_acl(req.acl, ctx.auth);
  if (!acl.ok()) {
    return error(Code::InvalidAcl, req.path);
  }
  const std::string_view parent = create_parent(req.path);
  std::optional<NodeRecord> parent_rec = ov.get(parent);
  if (!parent_rec) {
    return error(Code::NoNode, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_perm(req.path, parent_rec->acl, perms::kCreate, ctx));
  std::string path = req.path;
  if (is_sequential(mode)) {
    // The parent's count of child creations, as Java's %010d (a negative
    // count after wrap-around prints as "-000000001").
    path += fmt::format("{:010d}", parent_rec->child_creations);
    ZSIM_RETURN_IF_ERROR(check_path(path, false));
  }
  if (ov.get(path)) {
    return error(Code::NodeExists, path);
  }
  if (parent_rec->kind == NodeKind::Ephemeral) {
    return error(Code::NoChildrenForEphemerals, path);
  }
  CreateTxn txn;
  txn.path = path;
  txn.data = req.data;
  txn.kind = node_kind_of(mode);
  txn.ephemeral_owner = txn.kind == NodeKind::Ephemeral ? ctx.session_id : 0;
  txn.ttl_ms = txn.kind == NodeKind::Ttl ? req.ttl_ms : 0;
  txn.parent_creations = wrapping_add(parent_rec->child_creations, 1);
  txn.acl = std::move(acl).value();

  parent_rec->child_creations = txn.parent_creations;
  parent_rec->child_count += 1;
  ov.put(parent, parent_rec);
  NodeRecord node;
  node.kind = txn.kind;
  node.ephemeral_owner = txn.ephemeral_owner;
  node.acl = txn.acl;
  ov.put(path, node);
  return txn;
}

Result<DeleteTxn> prepare_delete(Overlay& ov, const DeleteRequest& req, const PrepareContext& ctx) {
  ZSIM_RETURN_IF_ERROR(check_session(ctx));
  if (is_protected_path(req.path)) {
    return error(Code::BadArguments, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_path(req.path, false));
  const std::string_view parent = parent_path(req.path);
  std::optional<NodeRecord> parent_rec = ov.get(parent);
  if (!parent_rec) {
    return error(Code::NoNode, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_perm(req.path, parent_rec->acl, perms::kDelete, ctx));
  std::optional<NodeRecord> node = ov.get(req.path);
  if (!node) {
    return error(Code::NoNode, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_version(req.path, req.version, node->version));
  if (node->child_count > 0) {
    return error(Code::NotEmpty, req.path);
  }
  ZSIM_ASSERT(parent_rec->child_count > 0);
  parent_rec->child_count -= 1;
  ov.put(parent, parent_rec);
  ov.put(req.path, std::nullopt);
  return DeleteTxn{req.path};
}

Result<SetDataTxn> prepare_set_data(Overlay& ov, const SetDataRequest& req,
                                    const PrepareContext& ctx) {
  ZSIM_RETURN_IF_ERROR(check_data(req.path, req.data));
  ZSIM_RETURN_IF_ERROR(check_session(ctx));
  ZSIM_RETURN_IF_ERROR(check_path(req.path, false));
  std::optional<NodeRecord> node = ov.get(req.path);
  if (!node) {
    return error(Code::NoNode, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_perm(req.path, node->acl, perms::kWrite, ctx));
  ZSIM_RETURN_IF_ERROR(check_version(req.path, req.version, node->version));
  node->version = wrapping_add(node->version, 1);
  ov.put(req.path, node);
  return SetDataTxn{req.path, req.data, node->version};
}

Result<CheckTxn> prepare_check(Overlay& ov, const CheckRequest& req, const PrepareContext& ctx) {
  ZSIM_RETURN_IF_ERROR(check_session(ctx));
  ZSIM_RETURN_IF_ERROR(check_path(req.path, false));
  std::optional<NodeRecord> node = ov.get(req.path);
  if (!node) {
    return error(Code::NoNode, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_perm(req.path, node->acl, perms::kRead, ctx));
  ZSIM_RETURN_IF_ERROR(check_version(req.path, req.version, node->version));
  return CheckTxn{req.path, req.version};
}

Result<SetAclTxn> prepare_set_acl(Overlay& ov, const SetAclRequest& req, const PrepareContext& ctx) {
  ZSIM_RETURN_IF_ERROR(check_session(ctx));
  ZSIM_RETURN_IF_ERROR(check_path(req.path, false));
  Result<AclList> acl = fix_acl(req.acl, ctx.auth);
  if (!acl.ok()) {
    return error(Code::InvalidAcl, req.path);
  }
  std::optional<NodeRecord> node = ov.get(req.path);
  if (!node) {
    return error(Code::NoNode, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_perm(req.path, node->acl, perms::kAdmin, ctx));
  ZSIM_RETURN_IF_ERROR(check_version(req.path, req.version, node->aversion));
  node->aversion = wrapping_add(node->aversion, 1);
  node->acl = acl.value();
  ov.put(req.path, node);
  return SetAclTxn{req.path, std::move(acl).value(), node->aversion};
}

Result<DeleteTxn> prepare_delete_container(Overlay& ov, const DeleteContainerRequest& req,
                                           const PrepareContext& ctx) {
  ZSIM_RETURN_IF_ERROR(check_session(ctx));
  if (is_protected_path(req.path)) {
    return error(Code::BadArguments, req.path);
  }
  ZSIM_RETURN_IF_ERROR(check_path(req.path, false));
  std::optional<NodeRecord> node = ov.get(req.path);
  if (!node) {
    return error(Code::NoNode, req.path);
  }
  if (node->kind != NodeKind::Container && node->kind != NodeKind::Ttl) {
    return error(Code::BadArguments, fmt::format("{}: neither container nor ttl", req.path));
  }
  if (node->child_count > 0) {
    return error(Code::NotEmpty, req.path);
  }
  std::optional<NodeRecord> parent_rec = ov.get(parent_path(req.path));
  ZSIM_ASSERT(parent_rec.has_value());
  ZSIM_ASSERT(parent_rec->child_count > 0);
  parent_rec->child_count -= 1;
  ov.put(parent_path(req.path), parent_rec);
  ov.put(req.path, std::nullopt);
  return DeleteTxn{req.path};
}

// One op of a multi: its txn op in *out, or why it fails. (An out
// parameter rather than Result<TxnOp>: GCC 12 warns falsely about
// optional<variant<...>> moves.)
Status prepare_op(Overlay& ov, const MultiOp& op, const PrepareContext& ctx, TxnOp* out) {
  const auto store = [out](auto result) -> Status {
    if (!result.ok()) {
      return result.status();
    }
    *out = std::move(result).value();
    return Status();
  };
  return std::visit(
      [&](const auto& req) -> Status {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, CreateRequest>) {
          return store(prepare_create(ov, req, ctx));
        } else if constexpr (std::is_same_v<T, DeleteRequest>) {
          return store(prepare_delete(ov, req, ctx));
        } else if constexpr (std::is_same_v<T, SetDataRequest>) {
          return store(prepare_set_data(ov, req, ctx));
        } else {
          return store(prepare_check(ov, req, ctx));
        }
      },
      op);
}

TxnBody prepare_multi(Overlay& ov, const MultiRequest& req, const PrepareContext& ctx) {
  if (req.ops.size() > limits::kMultiOpsMax) {
    return ErrorTxn{Code::BadArguments};
  }
  MultiTxn txn;
  for (size_t i = 0; i < req.ops.size(); ++i) {
    TxnOp op;
    const Status status = prepare_op(ov, req.ops[i], ctx, &op);
    if (status.ok()) {
      txn.ops.push_back(std::move(op));
      continue;
    }
    // All or nothing: Ok before the failing op, its code, then
    // RuntimeInconsistency; the overlay's scratch is dropped by the caller.
    MultiTxn failed;
    failed.ops.resize(req.ops.size(), TxnOp(std::in_place_type<ErrorTxn>));
    for (size_t j = i; j < req.ops.size(); ++j) {
      std::get<ErrorTxn>(failed.ops[j]).code = j == i ? status.code() : Code::RuntimeInconsistency;
    }
    return failed;
  }
  return txn;
}

CloseSessionTxn prepare_close_session(Overlay& ov, const PrepareContext& ctx) {
  CloseSessionTxn txn;
  for (const std::string& path : ov.ephemerals(ctx.session_id)) {
    std::optional<NodeRecord> parent_rec = ov.get(parent_path(path));
    ZSIM_ASSERT(parent_rec.has_value());
    ZSIM_ASSERT(parent_rec->child_count > 0);
    parent_rec->child_count -= 1;
    ov.put(parent_path(path), parent_rec);
    ov.put(path, std::nullopt);
    txn.paths.push_back(path);
  }
  return txn;
}

template <typename T>
TxnBody body_or_error(Result<T> result) {
  if (!result.ok()) {
    return ErrorTxn{result.code()};
  }
  return std::move(result).value();
}

TxnBody prepare_body(Overlay& ov, const Request& request, const PrepareContext& ctx) {
  return std::visit(
      [&](const auto& req) -> TxnBody {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, CreateRequest>) {
          return body_or_error(prepare_create(ov, req, ctx));
        } else if constexpr (std::is_same_v<T, DeleteRequest>) {
          return body_or_error(prepare_delete(ov, req, ctx));
        } else if constexpr (std::is_same_v<T, SetDataRequest>) {
          return body_or_error(prepare_set_data(ov, req, ctx));
        } else if constexpr (std::is_same_v<T, CheckRequest>) {
          return body_or_error(prepare_check(ov, req, ctx));
        } else if constexpr (std::is_same_v<T, MultiRequest>) {
          return prepare_multi(ov, req, ctx);
        } else if constexpr (std::is_same_v<T, CreateSessionRequest>) {
          return CreateSessionTxn{req.timeout_ms};
        } else if constexpr (std::is_same_v<T, CloseSessionRequest>) {
          return prepare_close_session(ov, ctx);
        } else if constexpr (std::is_same_v<T, SetAclRequest>) {
          return body_or_error(prepare_set_acl(ov, req, ctx));
        } else {
          static_assert(std::is_same_v<T, DeleteContainerRequest>);
          return body_or_error(prepare_delete_container(ov, req, ctx));
        }
      },
      request);
}

}  // namespace

Txn prepare(const DataTree& tree, PendingChanges& pending, const Request& request,
            const PrepareContext& ctx) {
  ZSIM_ASSERT(ctx.zxid > tree.last_zxid());
  Overlay ov(tree, pending);
  Txn txn;
  txn.header = TxnHeader{ctx.session_id, ctx.cxid, ctx.zxid, ctx.time_ms};
  txn.body = prepare_body(ov, request, ctx);
  if (!is_failed(txn)) {
    ov.commit(pending, ctx.zxid);
  }
  return txn;
}

}  // namespace zsim::core
