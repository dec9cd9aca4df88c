// The checks of EnsembleMonitor; the invariants and why they suffice are in
// the header.
#include "checkers/ensemble_monitor.h"

#include <fmt/format.h>

#include <utility>

#include "checkers/check_assert.h"

namespace zsim::checkers {
namespace {

// Zxids, digests and session ids in hex, as ZooKeeper prints them. Session
// ids carry the server id in their top byte and may be negative as int64:
// print the bits, not a sign.
std::string hex(std::int64_t v) {
  return fmt::format("{:#x}", static_cast<std::uint64_t>(v));
}
std::string hex(std::uint64_t v) { return fmt::format("{:#x}", v); }

}  // namespace

void EnsembleMonitor::on_start(const std::string& server) {
  const ServerIndex s = index_of(server);
  Incarnation& inc = incarnations_[s];
  const std::uint32_t next = inc.number + 1;
  CHECKERS_ASSERT(next > inc.number);
  inc = Incarnation{};
  inc.number = next;
}

void EnsembleMonitor::on_established(const std::string& server,
                                     std::int64_t epoch,
                                     std::optional<std::int64_t> history_zxid) {
  const ServerIndex s = index_of(server);
  ++leaders_established_;
  if (history_zxid) established_history_.emplace(epoch, *history_zxid);
  const auto [it, inserted] = leaders_.emplace(epoch, s);
  if (!inserted) {
    fail("one-leader-per-epoch", server,
         fmt::format("{} established epoch {}, already established by {}",
                     server, epoch, name_of(it->second)));
  }
}

void EnsembleMonitor::on_commit(const std::string& server, std::int64_t zxid,
                                std::int64_t prev_zxid, std::uint64_t digest) {
  const ServerIndex s = index_of(server);
  ++commits_seen_;
  if (commit_breaks_incarnation(server, zxid, prev_zxid)) return;
  if (commit_breaks_primary_order(server, zxid)) return;
  if (auto known = chain_.find(zxid); known != chain_.end() && known->second.snapshot_only) {
    // First sight of a txn known so far only as a leader's snapshot point.
    // A gap below it stays open only if the txn it is built on is unknown.
    const bool gap = known->second.gap_below && prev_zxid != 0 && !chain_.contains(prev_zxid);
    known->second = Committed{prev_zxid, digest, s, false, gap};
  } else if (known != chain_.end()) {
    if (commit_conflicts(server, zxid, prev_zxid, digest)) return;
  } else {
    if (commit_breaks_chain(server, zxid, prev_zxid)) return;
    chain_.emplace(zxid, Committed{prev_zxid, digest, s});
  }
  Incarnation& inc = incarnations_[s];
  inc.last_zxid = zxid;
  inc.last_was_snapshot = false;
}

bool EnsembleMonitor::commit_breaks_incarnation(const std::string& server,
                                                std::int64_t zxid,
                                                std::int64_t prev_zxid) {
  if (zxid <= prev_zxid) {
    fail("zxid-monotonic", server,
         fmt::format("{} committed {} on top of {}: a txn's zxid must be "
                     "above the state it is applied to",
                     server, hex(zxid), hex(prev_zxid)));
    return true;
  }
  const ServerIndex s = index_of(server);
  const Incarnation& inc = incarnations_[s];
  if (inc.last_zxid && zxid <= *inc.last_zxid) {
    fail("zxid-monotonic", server,
         fmt::format("{} committed {} after {} {} in the same incarnation "
                     "(#{})",
                     server, hex(zxid),
                     inc.last_was_snapshot ? "a snapshot at" : "committing",
                     hex(*inc.last_zxid), inc.number));
    return true;
  }
  return false;
}

// Any established epoch above zxid's own must have had it in its initial
// history. Histories only grow from one established epoch to the next, so
// the first established epoch above it is the one to ask.
bool EnsembleMonitor::commit_breaks_primary_order(const std::string& server,
                                                  std::int64_t zxid) {
  const std::int64_t epoch = zxid >> 32;
  const auto it = established_history_.upper_bound(epoch);
  if (it == established_history_.end() || zxid <= it->second) return false;
  fail("primary-order", server,
       fmt::format("{} committed {} of epoch {}, but epoch {} was established "
                   "(by {}) with a history ending at {}: a txn its leader "
                   "left out came back",
                   server, hex(zxid), epoch, it->first,
                   name_of(leaders_.at(it->first)), hex(it->second)));
  return true;
}

// `zxid` was committed before: this commit must be the same txn on the same
// history.
bool EnsembleMonitor::commit_conflicts(const std::string& server,
                                       std::int64_t zxid,
                                       std::int64_t prev_zxid,
                                       std::uint64_t digest) {
  const Committed& c = chain_.at(zxid);
  if (c.digest != digest) {
    fail("committed-prefix", server,
         fmt::format("{} committed {} with digest {}, but {} committed it "
                     "with digest {}",
                     server, hex(zxid), hex(digest), name_of(c.first_server),
                     hex(c.digest)));
    return true;
  }
  if (c.prev_zxid != prev_zxid) {
    fail("committed-prefix", server,
         fmt::format("{} committed {} on top of {}, but {} committed it on "
                     "top of {}",
                     server, hex(zxid), hex(prev_zxid),
                     name_of(c.first_server), hex(c.prev_zxid)));
    return true;
  }
  return false;
}

// `zxid` is new: it must extend the committed chain right after `prev_zxid`.
bool EnsembleMonitor::commit_breaks_chain(const std::string& server,
                                          std::int64_t zxid,
                                          std::int64_t prev_zxid) {
  CHECKERS_ASSERT(zxid > prev_zxid);
  if (prev_zxid != 0 && !chain_.contains(prev_zxid)) {
    fail("committed-prefix", server,
         fmt::format("{} committed {} on top of {}, which was never committed",
                     server, hex(zxid), hex(prev_zxid)));
    return true;
  }
  // The chain links consecutive keys, so prev's successor (if any) is the
  // first committed zxid above it.
  const auto next = chain_.upper_bound(prev_zxid);
  if (next == chain_.end()) return false;
  CHECKERS_ASSERT(next->first != zxid);  // zxid is not committed yet
  // Below a snapshot point the committed txns are unknown: a commit there,
  // on the entry before the gap or on a commit that already filled part of
  // it, fills in one more.
  if (next->second.gap_below && zxid < next->first) return false;
  if (next->first < zxid) {
    fail("lost-commit", server,
         fmt::format("{} committed {} on top of {}, skipping committed {} "
                     "(first committed by {})",
                     server, hex(zxid), hex(prev_zxid), hex(next->first),
                     name_of(next->second.first_server)));
  } else {
    fail("committed-prefix", server,
         fmt::format("{} committed {} on top of {}, but {} is followed by "
                     "committed {} (first committed by {}): a fork",
                     server, hex(zxid), hex(prev_zxid), hex(prev_zxid),
                     hex(next->first), name_of(next->second.first_server)));
  }
  return true;
}

void EnsembleMonitor::on_snapshot(const std::string& server,
                                  std::int64_t zxid) {
  const ServerIndex s = index_of(server);
  Incarnation& inc = incarnations_[s];
  if (inc.last_zxid && zxid < *inc.last_zxid) {
    fail("zxid-monotonic", server,
         fmt::format("{} took a snapshot at {} after {} {} in the same "
                     "incarnation (#{})",
                     server, hex(zxid),
                     inc.last_was_snapshot ? "a snapshot at" : "committing",
                     hex(*inc.last_zxid), inc.number));
    return;
  }
  if (zxid != 0 && !chain_.contains(zxid)) {
    fail("committed-prefix", server,
         fmt::format("{} took a snapshot at {}, which was never committed "
                     "(greatest committed: {})",
                     server, hex(zxid), hex(last_committed_zxid())));
    return;
  }
  inc.last_zxid = zxid;
  inc.last_was_snapshot = true;
}

void EnsembleMonitor::on_leader_snapshot(const std::string& server, std::int64_t zxid) {
  const ServerIndex s = index_of(server);
  if (zxid != 0 && !chain_.contains(zxid)) {
    const std::int64_t greatest = last_committed_zxid();
    if (zxid < greatest) {
      fail("lost-commit", server,
           fmt::format("{} established a history from a snapshot at {}, which was never committed, "
                       "below committed {}",
                       server, hex(zxid), hex(greatest)));
      return;
    }
    chain_.emplace(zxid, Committed{greatest, 0, s, true, true});
  }
  Incarnation& inc = incarnations_[s];
  if (!inc.last_zxid || *inc.last_zxid < zxid) {
    inc.last_zxid = zxid;
    inc.last_was_snapshot = true;
  }
}

void EnsembleMonitor::on_session_closed(const std::string& server,
                                        std::int64_t session,
                                        std::int64_t zxid) {
  const ServerIndex s = index_of(server);
  const auto [it, inserted] = closed_sessions_.emplace(session, Seen{zxid, 0, s});
  if (!inserted && it->second.zxid != zxid) {
    fail("ephemeral-expiry", server,
         fmt::format("{} closed session {} at {}, but {} closed it at {}",
                     server, hex(session), hex(zxid),
                     name_of(it->second.server), hex(it->second.zxid)));
  }
}

void EnsembleMonitor::on_final_state(
    const std::string& server, std::int64_t last_zxid,
    std::uint64_t tree_digest, const std::vector<std::int64_t>& ephemeral_owners) {
  const ServerIndex s = index_of(server);
  const auto [it, inserted] =
      final_states_.emplace(last_zxid, Seen{last_zxid, tree_digest, s});
  if (!inserted && it->second.digest != tree_digest) {
    fail("replica-divergence", server,
         fmt::format("{} ended at {} with tree digest {}, but {} ended there "
                     "with tree digest {}",
                     server, hex(last_zxid), hex(tree_digest),
                     name_of(it->second.server), hex(it->second.digest)));
  }
  // Above the greatest commit a server may hold applied proposals nobody
  // reported committed; at or below it, its state must be a committed one.
  if (last_zxid > 0 && last_zxid <= last_committed_zxid() &&
      !chain_.contains(last_zxid) && !in_gap(last_zxid)) {
    fail("replica-divergence", server,
         fmt::format("{} ended at {}, which was never committed (commits "
                     "reached {})",
                     server, hex(last_zxid), hex(last_committed_zxid())));
  }
  check_ephemerals(server, last_zxid, ephemeral_owners, "ended");
}

void EnsembleMonitor::on_ephemeral_owners(
    const std::string& server, std::int64_t zxid,
    const std::vector<std::int64_t>& owners) {
  check_ephemerals(server, zxid, owners, "was");
}

// A state at or above a session's close has applied the close, which deletes
// the session's ephemerals; a state below it may still hold them.
void EnsembleMonitor::check_ephemerals(
    const std::string& server, std::int64_t zxid,
    const std::vector<std::int64_t>& owners, const char* when) {
  for (const std::int64_t session : owners) {
    const auto it = closed_sessions_.find(session);
    if (it == closed_sessions_.end() || it->second.zxid > zxid) continue;
    fail("ephemeral-expiry", server,
         fmt::format("{} {} at {} holding an ephemeral of session {}, "
                     "closed at {} (first reported by {})",
                     server, when, hex(zxid), hex(session), hex(it->second.zxid),
                     name_of(it->second.server)));
    return;
  }
}

bool EnsembleMonitor::in_gap(std::int64_t zxid) const {
  const auto next = chain_.upper_bound(zxid);
  return next != chain_.end() && next->second.gap_below;
}

std::int64_t EnsembleMonitor::last_committed_zxid() const {
  return chain_.empty() ? 0 : chain_.rbegin()->first;
}

EnsembleMonitor::ServerIndex EnsembleMonitor::index_of(
    const std::string& server) {
  const auto it = server_index_.find(server);
  if (it != server_index_.end()) return it->second;
  const auto i = static_cast<ServerIndex>(server_names_.size());
  CHECKERS_ASSERT(server_names_.size() == i);  // fewer than 2^32 servers
  server_index_.emplace(server, i);
  server_names_.push_back(server);
  incarnations_.emplace_back();
  CHECKERS_ASSERT(incarnations_.size() == server_names_.size());
  return i;
}

const std::string& EnsembleMonitor::name_of(ServerIndex i) const {
  CHECKERS_ASSERT(i < server_names_.size());
  return server_names_[i];
}

void EnsembleMonitor::fail(const char* invariant, const std::string& server,
                           std::string message) {
  if (violation_) return;  // the first violation is the one to debug
  violation_ = EnsembleViolation{invariant, server, std::move(message)};
}

}  // namespace zsim::checkers
