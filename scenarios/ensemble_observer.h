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

  // REQUIRES: `monitor` outlives this observer.
  EnsembleObserver(checkers::EnsembleMonitor& monitor, std::string server, ViolationFn on_violation = nullptr,
                   CloseFn on_close = nullptr)
      : monitor_(monitor), server_(std::move(server)), on_violation_(std::move(on_violation)),
        on_close_(std::move(on_close)) {}

  const std::string& server() const { return server_; }

  void on_established(std::int64_t epoch, std::int64_t history_zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_established(server_, epoch, history_zxid);
    after_report(was_ok);
  }

  void on_commit(const core::Txn& txn, std::int64_t prev_zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_commit(server_, txn.header.zxid, prev_zxid, txn_digest(txn));
    if (std::holds_alternative<core::CloseSessionTxn>(txn.body)) {
      monitor_.on_session_closed(server_, txn.header.session_id, txn.header.zxid);
      if (on_close_) on_close_(txn.header.session_id);
    }
    after_report(was_ok);
  }

  void on_snapshot(std::int64_t zxid) override {
    const bool was_ok = monitor_.ok();
    monitor_.on_snapshot(server_, zxid);
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

 private:
  void after_report(bool was_ok) {
    if (was_ok && !monitor_.ok() && on_violation_) on_violation_(*monitor_.violation());
  }

  checkers::EnsembleMonitor& monitor_;
  std::string server_;
  ViolationFn on_violation_;
  CloseFn on_close_;
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
  for (const auto& [session, paths] : tree.ephemerals_by_session()) {
    if (!paths.empty()) s.ephemeral_owners.push_back(session);
  }
  return s;
}

}  // namespace zsim::scenarios
