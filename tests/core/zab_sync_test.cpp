// Proves the sync decision (core/zab/sync.h):
//  - the decision table: in sync, behind within the cache window, behind
//    the window, empty logs on either side, ahead in the current epoch,
//    ahead in an old epoch the leader has txns of, ahead in an epoch the
//    leader has none of (cross-epoch TRUNC), bare epoch boundaries and
//    garbage zxids;
//  - against a brute force over explicit histories shaped as ZAB allows
//    (per-epoch consecutive counters; a follower holds a prefix of the
//    leader's history plus perhaps txns of an epoch the leader never
//    committed): the plan is the brute-force one, and applying it to the
//    follower's log yields exactly the leader's history (property).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <vector>

#include "core/zab/sync.h"

namespace zsim::core::zab {
namespace {

Zxid z(Epoch e, int64_t c) { return make_zxid(e, c); }

// Leader history: epoch 1 counters 1..5, epoch 3 counters 1..4, epoch 4 1..2.
std::vector<Zxid> leader_history() {
  std::vector<Zxid> h;
  for (int c = 1; c <= 5; ++c) h.push_back(z(1, c));
  for (int c = 1; c <= 4; ++c) h.push_back(z(3, c));
  for (int c = 1; c <= 2; ++c) h.push_back(z(4, c));
  return h;
}

// The window served from cache_base on.
LeaderLogWindow window_from(Zxid cache_base) {
  std::vector<Zxid> h = leader_history();
  std::vector<Zxid> served;
  for (Zxid x : h) {
    if (x > cache_base) served.push_back(x);
  }
  return summarize(cache_base, h.back(), served);
}

SyncPlan diff(Zxid after) { return {SyncKind::Diff, 0, after, z(4, 2)}; }
SyncPlan trunc(Zxid to) { return {SyncKind::Trunc, to, to, z(4, 2)}; }
SyncPlan snap() { return {SyncKind::Snap, 0, 0, z(4, 2)}; }

TEST(ZabSync, DecisionTable) {
  const LeaderLogWindow full = window_from(0);
  const LeaderLogWindow cached = window_from(z(1, 3));  // cache starts after (1,3)
  struct Case {
    const char* what;
    const LeaderLogWindow& window;
    Zxid follower;
    SyncPlan expect;
  };
  const Case cases[] = {
      {"in sync", full, z(4, 2), diff(z(4, 2))},
      {"in sync, window empty of older txns", cached, z(4, 2), diff(z(4, 2))},
      {"behind in the current epoch", full, z(4, 1), diff(z(4, 1))},
      {"behind by epochs, within the window", full, z(1, 2), diff(z(1, 2))},
      {"empty follower, log reaches the start", full, 0, diff(0)},
      {"empty follower, cache does not", cached, 0, snap()},
      {"behind the window", cached, z(1, 2), snap()},
      {"exactly at the window base", cached, z(1, 3), diff(z(1, 3))},
      {"at an epoch's last txn", cached, z(1, 5), diff(z(1, 5))},
      {"ahead in the current epoch (uncommitted proposals)", full, z(4, 7), trunc(z(4, 2))},
      {"ahead in an old epoch the leader has", full, z(3, 9), trunc(z(3, 4))},
      {"ahead in an old epoch, window starts in it", cached, z(1, 8), trunc(z(1, 5))},
      {"ahead in an epoch the leader has no txns of", full, z(2, 3), trunc(z(1, 5))},
      {"ahead in a newer epoch than the leader's txns", full, z(5, 1), trunc(z(4, 2))},
      {"a bare epoch boundary is no txn", full, z(3, 0), snap()},
      {"negative zxid", full, -7, snap()},
      {"far-future zxid (discovery refuses it first)", full, (int64_t{1} << 62) | 1, trunc(z(4, 2))},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(decide_sync(c.window, c.follower), c.expect)
        << c.what << ": got " << to_string(decide_sync(c.window, c.follower));
  }
}

TEST(ZabSync, EmptyLeaderLog) {
  const LeaderLogWindow empty = summarize(0, 0, {});
  EXPECT_EQ(decide_sync(empty, 0), (SyncPlan{SyncKind::Diff, 0, 0, 0}));
  // The follower has txns of an epoch that never committed anything.
  EXPECT_EQ(decide_sync(empty, z(1, 3)), (SyncPlan{SyncKind::Trunc, 0, 0, 0}));
  // A leader recovered from a snapshot at (2,7) with no log after it.
  const LeaderLogWindow from_snapshot = summarize(z(2, 7), z(2, 7), {});
  EXPECT_EQ(decide_sync(from_snapshot, z(2, 7)).kind, SyncKind::Diff);
  EXPECT_EQ(decide_sync(from_snapshot, z(2, 9)), (SyncPlan{SyncKind::Trunc, z(2, 7), z(2, 7), z(2, 7)}));
  EXPECT_EQ(decide_sync(from_snapshot, z(2, 3)).kind, SyncKind::Snap);
}

TEST(ZabSync, WindowValidity) {
  LeaderLogWindow w = window_from(0);
  EXPECT_TRUE(window_valid(w));
  w.epoch_last_zxid[4] = z(4, 9);  // beyond committed
  EXPECT_FALSE(window_valid(w));
  w = window_from(0);
  w.epoch_last_zxid[2] = z(3, 1);  // wrong epoch
  EXPECT_FALSE(window_valid(w));
  EXPECT_EQ(to_string(trunc(z(3, 4))), "TRUNC to=0x300000004 then DIFF after=0x300000004 to=0x400000002");
}

// A ZAB-shaped pair of histories: the leader's H (epochs >= 1, consecutive
// counters per epoch), the follower's F = a prefix of H ending at p, then
// maybe txns of an epoch d that H holds nothing of after p.
struct Histories {
  std::vector<Zxid> leader;
  std::vector<Zxid> follower;
  Zxid p = 0;
  bool diverged = false;
};

Histories gen_histories() {
  Histories h;
  Epoch epoch = 0;
  const int epochs = *rc::gen::inRange(0, 5);
  for (int i = 0; i < epochs; ++i) {
    epoch += *rc::gen::inRange<int64_t>(1, 3);  // gaps: epochs without txns
    const int count = *rc::gen::inRange(1, 5);
    for (int c = 1; c <= count; ++c) h.leader.push_back(z(epoch, c));
  }
  const size_t cut = *rc::gen::inRange<size_t>(0, h.leader.size() + 1);  // F = H[0, cut)
  h.follower.assign(h.leader.begin(), h.leader.begin() + static_cast<ptrdiff_t>(cut));
  h.p = cut == 0 ? 0 : h.leader[cut - 1];
  const Epoch p_epoch = h.p == 0 ? 0 : epoch_of(h.p);
  const Epoch next_epoch = cut < h.leader.size() ? epoch_of(h.leader[cut]) : p_epoch + 3;
  // Divergent epoch d: p's own epoch if H moves to a later epoch after p
  // (p is its epoch's last txn in H), or one strictly between.
  std::vector<Epoch> choices;
  for (Epoch d = std::max<Epoch>(p_epoch, 1); d < next_epoch; ++d) choices.push_back(d);
  if (!choices.empty() && *rc::gen::arbitrary<bool>()) {
    const Epoch d = *rc::gen::elementOf(choices);
    const int64_t from = (d == p_epoch) ? counter_of(h.p) + 1 : 1;
    const int extra = *rc::gen::inRange(1, 4);
    for (int i = 0; i < extra; ++i) h.follower.push_back(z(d, from + i));
    h.diverged = true;
  }
  return h;
}

// The plan matches the brute force, and applying it turns F into H.
RC_GTEST_PROP(ZabSync, PlanMatchesBruteForceAndReproducesTheLeadersHistory, ()) {
  const Histories h = gen_histories();
  const Zxid committed = h.leader.empty() ? 0 : h.leader.back();
  // The cache starts at some point of H (0: the whole log).
  const size_t base_index = *rc::gen::inRange<size_t>(0, h.leader.size() + 1);
  const Zxid cache_base = base_index == 0 ? 0 : h.leader[base_index - 1];
  std::vector<Zxid> served(h.leader.begin() + static_cast<ptrdiff_t>(base_index), h.leader.end());
  const LeaderLogWindow window = summarize(cache_base, committed, served);
  const Zxid f_last = h.follower.empty() ? 0 : h.follower.back();
  const SyncPlan plan = decide_sync(window, f_last);
  RC_TAG(sync_kind_name(plan.kind));

  // Brute force: the last common point is p; it must be servable.
  SyncPlan expect{SyncKind::Snap, 0, 0, committed};
  if (f_last == committed && !h.diverged) {
    expect = {SyncKind::Diff, 0, f_last, committed};
  } else if (h.p >= cache_base) {
    expect = h.diverged ? SyncPlan{SyncKind::Trunc, h.p, h.p, committed} : SyncPlan{SyncKind::Diff, 0, h.p, committed};
  }
  RC_ASSERT(plan == expect);

  // Apply it.
  std::vector<Zxid> result;
  if (plan.kind == SyncKind::Snap) {
    result = h.leader;
  } else {
    const Zxid keep_to = plan.kind == SyncKind::Trunc ? plan.truncate_to : f_last;
    for (Zxid x : h.follower) {
      if (x <= keep_to) result.push_back(x);
    }
    for (Zxid x : h.leader) {
      if (x > plan.send_after) result.push_back(x);
    }
  }
  RC_ASSERT(result == h.leader);
}

}  // namespace
}  // namespace zsim::core::zab
