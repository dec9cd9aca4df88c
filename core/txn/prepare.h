// prepare(): request -> txn, ZooKeeper's PrepRequestProcessor, pure.
//
// The server pipelines writes: it prepares request N+1 while N is still being
// appended and synced, so prepare must see the effects of txns that are
// prepared but not yet applied (ZooKeeper's outstandingChanges). PendingChanges
// is that overlay: per path, the node record as the last prepared txn leaves
// it. Lookups read the overlay first, then the tree.
//
// Protocol for the caller (the server):
//   Txn t = prepare(tree, pending, request, ctx);   // zxids strictly increasing
//   ... append t to the log, sync ...
//   ApplyResult r = apply(tree, t);                 // same order as prepared
//   pending.forget_applied(t.header.zxid);
// Every request yields a txn with ctx.zxid, failed ones included (an ErrorTxn,
// or a MultiTxn of ErrorTxns): a failed write still uses its zxid. A failed
// request leaves `pending` unchanged.
//
// Check order (as ZooKeeper; the first failing check decides the code):
//   create:  data size -> mode/ttl -> session -> path -> ACL (InvalidACL) ->
//            parent NoNode -> CREATE on the parent (NoAuth) -> sequential
//            suffix -> NodeExists -> NoChildrenForEphemerals
//   delete:  session -> protected path (BadArguments) -> path -> parent NoNode
//            -> DELETE on the parent (NoAuth) -> NoNode -> BadVersion -> NotEmpty
//   setData: data size -> session -> path -> NoNode -> WRITE (NoAuth) -> BadVersion
//   check:   session -> path -> NoNode -> READ (NoAuth) -> BadVersion
//   setACL:  session -> path -> ACL (InvalidACL) -> NoNode -> ADMIN (NoAuth)
//            -> BadVersion (against aversion)
// (verified against a real ZooKeeper 3.8: e.g. deleting a missing child of a
// node without DELETE is NoAuth, not NoNode; an invalid ACL under a missing
// parent is InvalidACL.) Server-made requests (closeSession, the reaper's
// deleteContainer) need no permission.
//   multi:   too many ops (BadArguments, as a whole) -> each op in order
//            against the effects of the ops before it.
// Data size is first because on a real server an oversized packet never
// reaches this stage (the connection drops); the server maps it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.h"
#include "core/tree/data_tree.h"
#include "core/txn/request.h"
#include "core/txn/txn.h"

namespace zsim::core {

// What prepare knows about a node: ZooKeeper's ChangeRecord.
struct NodeRecord {
  int32_t version = 0;
  int32_t child_creations = 0;
  int32_t child_count = 0;
  NodeKind kind = NodeKind::Persistent;
  int64_t ephemeral_owner = 0;
  int32_t aversion = 0;
  AclList acl = open_acl();
  friend bool operator==(const NodeRecord&, const NodeRecord&) = default;
};

class PendingChanges {
 public:
  // Drops what txns up to `zxid` changed: the tree now shows it.
  void forget_applied(int64_t zxid);

  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }

  // Internal to prepare: an entry is the node as of the prepared txn with
  // that zxid (nullopt: deleted by it).
  struct Entry {
    int64_t zxid = 0;
    std::optional<NodeRecord> node;
  };
  using Map = std::map<std::string, Entry, std::less<>>;
  const Map& records() const { return records_; }
  void put(std::string path, Entry entry);

 private:
  Map records_;
};

struct PrepareContext {
  int64_t session_id = 0;
  int32_t cxid = 0;
  int64_t zxid = 0;      // REQUIRES: greater than every zxid prepared before
  int64_t time_ms = 0;   // the leader's clock, stamped into the txn
  // The session tracker's verdict on the requesting session: Ok, or
  // SessionExpired / SessionMoved, reported at ZooKeeper's "session" step.
  Code session_check = Code::Ok;
  // The identities the requesting connection added (addauth), sorted; what
  // ACL checks and `auth` ACL entries use.
  AuthIds auth{};
};

Txn prepare(const DataTree& tree, PendingChanges& pending, const Request& request,
            const PrepareContext& ctx);

}  // namespace zsim::core
