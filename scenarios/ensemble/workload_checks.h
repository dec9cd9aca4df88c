// The scenario-specific checks of the ensemble workloads `ephemerals`,
// `queue` and `multi`, as pure functions and small classes over the
// committed history (CommittedReplay's hooks feed them one txn at a time,
// with the tree before or after it) and the clients' records, so that each
// can be shown a broken record in a test. The scenarios wire them up; the
// `watches` check is WatchJudge (watch_judge.h).
//
// Internal to scenarios/. Single-threaded.
#pragma once

#include "core/tree/data_tree.h"
#include "core/txn/request.h"
#include "core/txn/txn.h"
#include "scenarios/ensemble/client_log.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zsim::scenarios::ensemble {

// ---- ephemerals

// "" unless `txn` deletes an ephemeral (alone or in a multi) that belongs to
// another session than the txn's (judged on the tree just before it). In a
// workload where only owners delete their nodes, an ephemeral must leave
// the tree by its own session's delete or by its session's close, never
// while the session lives by any other hand.
std::string ephemeral_removed_by_other(const core::DataTree& before, const core::Txn& txn);

// ---- queue

// The sequence number a sequential name ends with (its last 10 digits).
std::optional<std::int64_t> sequence_of(const std::string& name);

// Judges the committed creates and deletes of children of `dir`, in commit
// order: a name is never created twice (even after its node was deleted),
// and sequence numbers grow with the zxid.
class SequenceOrder {
 public:
  explicit SequenceOrder(std::string dir) : dir_(std::move(dir) + "/") {}
  // "" or the violation. REQUIRES: txns in zxid order.
  std::string on_txn(const core::Txn& txn);
  // Every child created / deleted so far, by name, with its zxid.
  const std::map<std::string, std::int64_t>& created() const { return created_; }
  const std::map<std::string, std::int64_t>& deleted() const { return deleted_; }

 private:
  std::string dir_;
  std::map<std::string, std::int64_t> created_;
  std::map<std::string, std::int64_t> deleted_;
  std::int64_t last_seq_ = -1;
  std::string last_path_;
};

// An acknowledged create of a sequential child: the name it got, and when
// it was called and returned.
struct AckedName {
  std::string name;
  Time call{};
  Time ret{};
};

// Writes are linearizable, and sequence numbers follow commit order: a
// create acknowledged before another was called got the lower number. ""
// or the first pair that breaks it.
std::string acknowledged_before_called(const std::vector<AckedName>& acked);

// ---- multi

// A node as the multi model sees it while it walks a multi's ops.
struct ModelNode {
  bool exists = false;
  std::string data;
  std::int32_t version = 0;
  std::int32_t children = 0;
  bool ephemeral = false;
};

// What a multi should do to the tree it is applied to.
struct MultiVerdict {
  std::size_t failed_at = 0;  // == the number of ops: all succeed
  core::Code code = core::Code::Ok;
  std::map<std::string, ModelNode> touched;  // every path an op touches, after the ops
};

// ZooKeeper's rules for a multi (docs/data-tree.md, "Check order"), decided
// without core/txn: the ops are validated in order, each against the tree
// as the ops before it left it; the first that fails fails the whole multi.
// Plain creates only (no sequential, TTL or container modes).
MultiVerdict model_multi(const core::DataTree& tree, const core::MultiRequest& request);

// Judges each committed multi of a recorded client against model_multi:
// before the txn, that the servers decided what the model decides (success,
// or failure at the same op with the same code, Ok before it and
// RuntimeInconsistency after); after it, that every touched path holds
// what the model says (success) or what it held before (failure). A multi
// refused for its session (SessionExpired or SessionMoved at op 0) is not a
// matter of the tree: it must change nothing.
class MultiJudge {
 public:
  // CommittedReplay's hooks.
  std::string before(const core::DataTree& tree, const core::Txn& txn, const ClientOp* request);
  std::string after(const core::DataTree& tree, const core::Txn& txn, const ClientOp* request);

  std::uint64_t multis() const { return multis_; }
  std::uint64_t failed() const { return failed_; }

 private:
  std::optional<MultiVerdict> verdict_;  // of the txn being replayed
  std::map<std::string, std::optional<core::Stat>> before_;
  std::uint64_t multis_ = 0;
  std::uint64_t failed_ = 0;
};

// The `multi` workload's invariants, which its multis are built to keep:
// the children of `accounts` hold numbers that sum to 0, and `baton` has
// exactly one child (each only once its directory exists). A state that
// breaks one holds part of a multi.
std::string multi_invariants(const core::DataTree& tree, const std::string& accounts, const std::string& baton);

}  // namespace zsim::scenarios::ensemble
