// apply(): txn -> tree changes, per-op results and watch events
// (ZooKeeper's DataTree.processTxn + FinalRequestProcessor), pure.
//
// Txns come from prepare() (or from the log/leader, which got them from
// prepare()), applied in zxid order, each exactly once. Their preconditions
// (the node to create is absent, the node to delete is present and empty, ...)
// were decided by prepare against the same sequence of txns, so a violation
// is a broken invariant and asserts rather than returning an error.
//
// Results: one OpResult for a single-op txn, one per op for a multi (a failed
// multi: Ok before the failing op, its code, RuntimeInconsistency after), none
// for createSession/closeSession. `code` is the first non-Ok op code.
// Events are the watch triggers in the order the changes happened; feed them
// to WatchManager::trigger(). Failed txns change nothing, trigger nothing, but
// still advance the tree's last zxid.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/tree/data_tree.h"
#include "core/tree/watches.h"
#include "core/txn/txn.h"

namespace zsim::core {

struct OpResult {
  Code code = Code::Ok;
  std::string path;          // create: the created path (sequential suffix)
  std::optional<Stat> stat;  // create, setData: the node's Stat after the op
  friend bool operator==(const OpResult&, const OpResult&) = default;
};

struct ApplyResult {
  Code code = Code::Ok;
  std::vector<OpResult> ops;
  std::vector<WatchEvent> events;
};

// REQUIRES: txn.header.zxid > tree.last_zxid(); the txn was prepared against
// exactly the txns applied before it.
ApplyResult apply(DataTree& tree, const Txn& txn);

}  // namespace zsim::core
