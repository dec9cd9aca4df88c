// Sync decision: how a new (or reconnecting) follower catches up with the
// leader — DIFF, TRUNC or SNAP. A pure function of the leader's committed
// log window and the follower's last zxid (ZooKeeper's
// LearnerHandler.syncFollower, rewritten around one rule).
//
// The rule. Let H be the leader's committed history. Take T, the largest
// point of H at or below the follower's last zxid z:
//   - T == z: the follower's history is a prefix of H → DIFF: send the txns
//     of H after z (none if z is the leader's last committed zxid);
//   - T <  z: the follower has txns after T that H does not (proposed by an
//     old leader and never committed) → TRUNC to T, then send H after T;
//   - T cannot be found because z is older than the window the leader can
//     serve from its txn cache (or z is not a txn zxid) → SNAP.
// ZAB makes this sound: within one epoch the leader proposed consecutive
// counters, so every history holds a prefix of each epoch's proposals, and
// the elected leader holds every committed txn; below epoch(z) the follower's
// history equals H (it was synchronized to it when it joined epoch(z)). So
// knowing, for each epoch of the window, the last zxid H has in it, is
// enough: z (epoch e) is on H iff H has epoch e up to at least z, and
// otherwise T is H's last zxid of epoch e, or of the latest earlier epoch.
//
// Deliberate difference from ZooKeeper: ZooKeeper answers a follower ahead
// in an epoch the leader has no txns of with SNAP (its learners could not
// truncate across epochs); here it is a TRUNC to the leader's last zxid
// before that epoch, since TxnLog::truncate_after handles any zxid it still
// has. A follower whose truncate_after fails (the target is older than its
// newest durable snapshot) must not ACK: it closes the connection and asks
// again with its true lastZxid and LearnerInfo::want_snapshot set, which
// gets a SNAP (it refuses any other plan).
//
// Outstanding (uncommitted) proposals are not part of the decision: the
// caller syncs up to `committed_zxid`, then forwards its outstanding
// PROPOSALs (and their COMMITs as they come), like ZooKeeper's
// startForwarding. A follower that already logged some of them gets TRUNC
// to committed_zxid and receives them again.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include "core/zab/zxid.h"

namespace zsim::core::zab {

// What the leader can serve, built from its TxnLog with summarize().
struct LeaderLogWindow {
  // The leader's last committed zxid: what the follower will end up with.
  Zxid committed_zxid = 0;
  // txns_after(x) answers for every x in [cache_base_zxid, committed_zxid]
  // (TxnLog::cache_base_zxid()); cache_base_zxid is itself a point of H
  // (the txn before the first cached one, or the snapshot the cache starts
  // from; 0 when the log goes back to the beginning).
  Zxid cache_base_zxid = 0;
  // For every epoch with txns in (cache_base_zxid, committed_zxid]: the last
  // zxid H holds in that epoch.
  std::map<Epoch, Zxid> epoch_last_zxid;
};

// Builds the window from the zxids the leader can serve, in increasing
// order: those of txns_after(cache_base) that are <= committed.
// REQUIRES: cache_base <= committed; zxids strictly increasing, all in
// (cache_base, committed], the last one == committed unless empty (then
// committed == cache_base); counters consecutive within each epoch.
LeaderLogWindow summarize(Zxid cache_base, Zxid committed, std::span<const Zxid> zxids);

// True if the window is internally consistent (summarize() always is).
bool window_valid(const LeaderLogWindow& window);

enum class SyncKind : uint8_t { Diff, Trunc, Snap };
std::string_view sync_kind_name(SyncKind kind);

struct SyncPlan {
  SyncKind kind = SyncKind::Snap;
  // Trunc: the zxid the follower truncates its log to (TxnLog::truncate_after).
  Zxid truncate_to = 0;
  // Diff and Trunc: send the txns with zxid in (send_after, committed_zxid].
  // Snap: the snapshot the leader sends is its tree at committed_zxid.
  Zxid send_after = 0;
  Zxid committed_zxid = 0;

  friend bool operator==(const SyncPlan&, const SyncPlan&) = default;
};

// The plan for a follower whose last logged zxid is `follower_last_zxid`
// (from its FOLLOWERINFO / ACKEPOCH: untrusted; anything that is not a
// valid txn zxid, or 0, gets SNAP unless the window reaches back to it).
// REQUIRES: window_valid(window).
SyncPlan decide_sync(const LeaderLogWindow& window, Zxid follower_last_zxid);

// "DIFF after=0x100000003 to=0x100000007" etc.
std::string to_string(const SyncPlan& plan);

}  // namespace zsim::core::zab
