#include "core/zab/sync.h"

#include <iterator>

#include <fmt/format.h>

namespace zsim::core::zab {

std::string_view sync_kind_name(SyncKind kind) {
  switch (kind) {
    case SyncKind::Diff: return "DIFF";
    case SyncKind::Trunc: return "TRUNC";
    case SyncKind::Snap: return "SNAP";
  }
  return "UNKNOWN";
}

LeaderLogWindow summarize(Zxid cache_base, Zxid committed, std::span<const Zxid> zxids) {
  ZSIM_ASSERT(is_valid_zxid(cache_base));
  ZSIM_ASSERT(cache_base <= committed);
  LeaderLogWindow window{.committed_zxid = committed, .cache_base_zxid = cache_base, .epoch_last_zxid = {}};
  Zxid prev = cache_base;
  for (Zxid zxid : zxids) {
    ZSIM_ASSERT_MSG(zxid > prev, "zxids must increase");
    ZSIM_ASSERT(zxid <= committed);
    ZSIM_ASSERT_MSG(counter_of(zxid) > 0, "a txn zxid has a counter >= 1");
    // Within an epoch the leader proposed consecutive counters.
    if (epoch_of(zxid) == epoch_of(prev) && prev != cache_base) ZSIM_ASSERT(zxid == prev + 1);
    window.epoch_last_zxid[epoch_of(zxid)] = zxid;
    prev = zxid;
  }
  ZSIM_ASSERT_MSG(prev == committed, "the window must reach committed_zxid");
  ZSIM_ASSERT(window_valid(window));
  return window;
}

bool window_valid(const LeaderLogWindow& w) {
  if (!is_valid_zxid(w.cache_base_zxid) || !is_valid_zxid(w.committed_zxid)) return false;
  if (w.cache_base_zxid > w.committed_zxid) return false;
  if (w.epoch_last_zxid.empty()) return w.cache_base_zxid == w.committed_zxid;
  if (w.epoch_last_zxid.rbegin()->second != w.committed_zxid) return false;
  for (const auto& [epoch, last] : w.epoch_last_zxid) {
    if (last <= w.cache_base_zxid || !is_valid_zxid(last)) return false;
    if (epoch_of(last) != epoch || counter_of(last) == 0) return false;
  }
  return true;
}

namespace {

// T: the largest point of H in [cache_base, z]. REQUIRES: z >= cache_base.
Zxid last_common_point(const LeaderLogWindow& w, Zxid z) {
  const Epoch e = epoch_of(z);
  auto it = w.epoch_last_zxid.find(e);
  if (it != w.epoch_last_zxid.end()) {
    // H holds epoch e from its first counter (or from cache_base) to `last`.
    return it->second >= z ? z : it->second;
  }
  auto earlier = w.epoch_last_zxid.lower_bound(e);  // first epoch >= e (not e)
  if (earlier == w.epoch_last_zxid.begin()) return w.cache_base_zxid;
  return std::prev(earlier)->second;
}

}  // namespace

SyncPlan decide_sync(const LeaderLogWindow& w, Zxid z) {
  ZSIM_ASSERT(window_valid(w));
  SyncPlan plan{.kind = SyncKind::Snap, .truncate_to = 0, .send_after = 0, .committed_zxid = w.committed_zxid};
  if (z == w.committed_zxid) {
    plan.kind = SyncKind::Diff;  // already in sync: an empty DIFF
    plan.send_after = z;
    return plan;
  }
  // Not a txn zxid (negative, epoch out of range, or a bare epoch boundary):
  // nothing safe to infer, replace the follower's state.
  const bool txn_zxid = z == 0 || (is_valid_zxid(z) && counter_of(z) > 0);
  if (!txn_zxid || z < w.cache_base_zxid) return plan;
  const Zxid t = last_common_point(w, z);
  ZSIM_ASSERT(t >= w.cache_base_zxid);
  ZSIM_ASSERT(t <= z);
  ZSIM_ASSERT(t <= w.committed_zxid);
  plan.send_after = t;
  if (t == z) {
    plan.kind = SyncKind::Diff;
  } else {
    plan.kind = SyncKind::Trunc;
    plan.truncate_to = t;
  }
  return plan;
}

std::string to_string(const SyncPlan& p) {
  switch (p.kind) {
    case SyncKind::Diff: return fmt::format("DIFF after={:#x} to={:#x}", p.send_after, p.committed_zxid);
    case SyncKind::Trunc:
      return fmt::format("TRUNC to={:#x} then DIFF after={:#x} to={:#x}", p.truncate_to, p.send_after,
                         p.committed_zxid);
    case SyncKind::Snap: return fmt::format("SNAP at={:#x}", p.committed_zxid);
  }
  return "UNKNOWN";
}

}  // namespace zsim::core::zab
