// CommitLog: every committed txn of an ensemble run, as the servers reported
// it, for checks that judge clients against what was really committed.
//
// Each server reports the txns it applies once they are known to be
// committed (core::ReplicaObserver::on_commit, through EnsembleObserver).
// The first report of a zxid is kept; the invariant monitor
// (checkers/ensemble_monitor.h) already fails the run if a later report of
// the same zxid differs (another txn, or built on another state), so the
// first one stands for all of them.
//
// The committed zxids form one chain: each txn was applied on top of the
// one before it (`prev_zxid`), the first on 0. A stretch can be unknown:
// txns that reached a new leader inside a snapshot from a leader that never
// established were applied one by one nowhere the monitor could see
// (EnsembleMonitor::on_leader_snapshot). chain() therefore gives the
// committed txns from the start up to the first such gap; whatever comes
// after a gap cannot be replayed, and the checks built on it say so rather
// than guess.
//
// Requests are found by (session id, cxid): a write's txn carries the xid
// its client sent (core::OpOutcome::xid). A request committed twice (two
// txns with the same session and cxid) is recorded, for the checks to
// report. Server-made txns (expiry closes, container reaping: cxid 0) and
// createSession txns (whose cxid is the asking server's token, not a client
// xid) are not indexed.
//
// Memory: one copy of each committed txn (a few hundred bytes for the
// scenarios' small data). Single-threaded, like the simulation.
#pragma once

#include "core/txn/txn.h"

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace zsim::scenarios {

class CommitLog {
 public:
  struct Entry {
    std::int64_t prev_zxid = 0;
    core::Txn txn;
  };
  // Two committed txns of one request.
  struct Duplicate {
    std::int64_t session = 0;
    std::int32_t cxid = 0;
    std::int64_t first_zxid = 0;
    std::int64_t second_zxid = 0;
  };

  // A server applied `txn`, committed, on top of `prev_zxid`.
  void on_commit(const core::Txn& txn, std::int64_t prev_zxid);

  // Every distinct committed txn reported, by zxid.
  const std::map<std::int64_t, Entry>& entries() const { return entries_; }

  // The committed txns in order from the first, as far as each links to the
  // one before (stops before the first unknown stretch).
  std::vector<const Entry*> chain() const;

  // The zxid of the committed txn of request (session, cxid), if any.
  std::optional<std::int64_t> zxid_of(std::int64_t session, std::int32_t cxid) const;

  const std::vector<Duplicate>& duplicates() const { return duplicates_; }

 private:
  std::map<std::int64_t, Entry> entries_;
  std::map<std::pair<std::int64_t, std::int32_t>, std::int64_t> by_request_;
  std::vector<Duplicate> duplicates_;
};

}  // namespace zsim::scenarios
