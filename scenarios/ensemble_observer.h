// EnsembleObserver: connects one simulated server to the ensemble's
// invariant monitor (checkers/ensemble_monitor.h).
//
// A server reports through core::ReplicaObserver; this adapter names the
// server and turns each report into the monitor's terms: a committed txn
// becomes (zxid, prev_zxid, digest of its encoding), and a committed
// closeSession is also reported as the close of its session. The adapter
// owns nothing but the name; the monitor outlives it (the scenario keeps the
// monitor alive for as long as any server process can report).
//
// With the server's tree (set_tree), it also reports the sessions owning
// ephemerals in the tree whenever that set can have grown or a close was
// applied -- after a commit that creates an ephemeral or closes a session,
// and after a snapshot replaced the tree -- so the monitor judges "no
// ephemeral outlives its session's close" on every server at every zxid
// where it could first break, not only at the end. It reads the tree only
// when the tree is exactly at the reported zxid (a report of a txn applied
// earlier, e.g. after a sync, is checked at the next report that is).
//
// With a CommitLog, every committed txn is also recorded there, for checks
// that replay the committed history (scenarios/commit_log.h). With a probe,
// each committed txn is shown to the probe together with the server's tree
// right after it (when the tree is exactly there): per-server evidence for
// a scenario's invariants at every zxid.
//
// After every report, if the monitor holds a violation it did not hold
// before the call, `on_violation` runs (the scenario fails the run there and
// then, at the first broken invariant). It must not call back into the
// server (ReplicaObserver's contract); failing the simulator is fine.
//
// final_state_of() is the end-of-run report of a server: the digest of its
// tree is the hash of its snapshot bytes, which are a pure function of the
// tree (core/tree/snapshot.h: nodes in path order, the session table, times
// taken from the txns), so replicas at the same zxid have the same digest.
#pragma once

#include "checkers/ensemble_monitor.h"
#include "core/server/server.h"
#include "core/tree/snapshot.h"
#include "core/txn/txn.h"
#include "scenarios/commit_log.h"
#include "sim/rng.h"

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace zsim::scenarios {

class EnsembleObserver final : public core::ReplicaObserver {
 public:
  using ViolationFn = std::function<void(const checkers::EnsembleViolation&)>;
  // A committed closeSession of `session` was applied here (every server
  // reports it; the first report is when the ensemble decided it).
  using CloseFn = std::function<void(std::int64_t session)>;
  // Judges a server's tree right after it applied a committed txn (the
  // probe fails the run itself). Must not change anything.
  using Probe = std::function<void(const std::string& server, const core::DataTree& tree, const core::Txn& txn)>;

  // REQUIRES: `monitor` (and `commits`, if any) outlive this observer.
  EnsembleObserver(checkers::EnsembleMonitor& monitor, std::string server, ViolationFn on_violation = nullptr,
                   CloseFn on_close = nullptr, CommitLog* commits = nullptr)
      : monitor_(monitor),
        server_(std::move(server)),
        on_violation_(std::move(on_violation)),
        on_close_(std::move(on_close)),
        commits_(commits) {}

  const std::string& server() const { return server_; }

  // The reporting server's tree, read (never changed) during reports.
  // REQUIRES: it outlives this observer, or is reset to null first.
  void set_tree(const core::DataTree* tree) { tree_ = tree; }
  // REQUIRES: `probe` outlives this observer (it may be empty).
  void set_probe(const Probe* probe) { probe_ = probe; }

  void on_established(std::int64_t epoch, std::int64_t history_zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_established(server_, epoch, history_zxid);
    after_report(was_ok);
  }

  void on_commit(const core::Txn& txn, std::int64_t prev_zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_commit(server_, txn.header.zxid, prev_zxid, txn_digest(txn));
    if (commits_ != nullptr) commits_->on_commit(txn, prev_zxid);
    const bool closes = std::holds_alternative<core::CloseSessionTxn>(txn.body);
    if (closes) {
      monitor_.on_session_closed(server_, txn.header.session_id, txn.header.zxid);
      if (on_close_) on_close_(txn.header.session_id);
    }
    if (closes || creates_ephemeral(txn)) owners_unchecked_ = true;
    report_owners(txn.header.zxid);
    after_report(was_ok);
    if (probe_ != nullptr && *probe_ && tree_ != nullptr && tree_->last_zxid() == txn.header.zxid) {
      (*probe_)(server_, *tree_, txn);
    }
  }

  void on_snapshot(std::int64_t zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_snapshot(server_, zxid);
    owners_unchecked_ = true;
    report_owners(zxid);
    after_report(was_ok);
  }

  void on_leader_snapshot(std::int64_t zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_leader_snapshot(server_, zxid);
    after_report(was_ok);
  }

  // What the monitor compares commits by: the same txn gives the same
  // digest on every server.
  static std::uint64_t txn_digest(const core::Txn& txn) { return sim::hash_bytes(core::encode_txn(txn)); }

  // The sessions owning ephemerals in `tree`, ascending.
  static std::vector<std::int64_t> ephemeral_owners(const core::DataTree& tree) {
    std::vector<std::int64_t> owners;
    for (const auto& [session, paths] : tree.ephemerals_by_session()) {
      if (!paths.empty()) owners.push_back(session);
    }
    return owners;
  }

 private:
  static bool creates_ephemeral(const core::Txn& txn) {
    const auto ephemeral = [](const core::CreateTxn& c) { return c.ephemeral_owner != 0; };
    if (const auto* c = std::get_if<core::CreateTxn>(&txn.body)) return ephemeral(*c);
    if (const auto* m = std::get_if<core::MultiTxn>(&txn.body)) {
      for (const core::TxnOp& op : m->ops) {
        if (const auto* c = std::get_if<core::CreateTxn>(&op); c != nullptr && ephemeral(*c)) return true;
      }
    }
    return false;
  }

  // Reports the tree's ephemeral owners once the tree is at `zxid` (it may
  // be ahead: a report of a txn applied earlier, while syncing).
  void report_owners(std::int64_t zxid) {
    if (!owners_unchecked_ || tree_ == nullptr || tree_->last_zxid() != zxid) return;
    owners_unchecked_ = false;
    monitor_.on_ephemeral_owners(server_, zxid, ephemeral_owners(*tree_));
  }

  void after_report(bool was_ok) {
    if (was_ok && !monitor_.ok() && on_violation_) on_violation_(*monitor_.violation());
  }

  checkers::EnsembleMonitor& monitor_;
  std::string server_;
  ViolationFn on_violation_;
  CloseFn on_close_;
  CommitLog* commits_ = nullptr;
  const core::DataTree* tree_ = nullptr;
  const Probe* probe_ = nullptr;
  bool owners_unchecked_ = false;  // the owner set may have changed since last reported
};

// A server's state at the end of a run, as the monitor's on_final_state
// takes it.
struct FinalState {
  std::int64_t last_zxid = 0;
  std::uint64_t tree_digest = 0;
  std::vector<std::int64_t> ephemeral_owners;  // sessions holding ephemerals, ascending
};

inline FinalState final_state_of(const core::Server& server) {
  const core::DataTree& tree = server.tree();
  FinalState s;
  s.last_zxid = server.last_applied_zxid();
  s.tree_digest = sim::hash_bytes(core::write_snapshot(tree));
  s.ephemeral_owners = EnsembleObserver::ephemeral_owners(tree);
  return s;
}

}  // namespace zsim::scenarios
