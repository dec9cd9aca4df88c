// The herd measurement (scenarios/recipes/herd_measure.h, `zsim herd`)
// shows the shape the issue expects: a leader change in the herd election
// notifies every other candidate (N-1), in the herd-free one only the
// successor (1), and costs the network several times more bytes; once the
// hosts' network interfaces are finite, the herd's leader change also takes
// several times longer, while with unlimited bandwidth it does not; and the
// same options give the same numbers.
#include "scenarios/recipes/herd_measure.h"

#include <gtest/gtest.h>

namespace zsim::scenarios::recipes {
namespace {

HerdMeasureOptions two_changes() {
  HerdMeasureOptions o;
  o.changes = 2;
  return o;
}

TEST(HerdMeasure, TheHerdWakesEveryoneAndTheHerdFreeLineOnlyTheSuccessor) {
  const int n = 10;
  const HerdMeasurement herd = measure_herd(HerdRecipe::kHerd, n, two_changes());
  const HerdMeasurement free = measure_herd(HerdRecipe::kHerdFree, n, two_changes());
  ASSERT_TRUE(herd.error.empty()) << herd.error;
  ASSERT_TRUE(free.error.empty()) << free.error;
  EXPECT_EQ(herd.changes, 2);
  // Every remaining candidate (N-1) hears the change, about once each.
  EXPECT_EQ(herd.woken_per_change, static_cast<double>(n - 1));
  EXPECT_GE(herd.notifications_per_change, n - 1);
  EXPECT_LE(herd.notifications_per_change, 1.5 * (n - 1));
  // Only the successor hears it.
  EXPECT_EQ(free.woken_per_change, 1.0);
  EXPECT_LE(free.notifications_per_change, 2);
  EXPECT_GT(herd.bytes_per_change, 3 * free.bytes_per_change)
      << "herd " << herd.bytes_per_change << " B, herd-free " << free.bytes_per_change << " B";
  EXPECT_GT(free.bytes_per_change, 0);
}

TEST(HerdMeasure, WithFiniteInterfacesTheHerdsHandoverWaitsBehindTheHerd) {
  const int n = 50;
  const HerdMeasurement herd = measure_herd(HerdRecipe::kHerd, n, two_changes());
  const HerdMeasurement free = measure_herd(HerdRecipe::kHerdFree, n, two_changes());
  HerdMeasureOptions slow = two_changes();
  slow.egress_bytes_per_ms = 100;
  const HerdMeasurement slow_herd = measure_herd(HerdRecipe::kHerd, n, slow);
  const HerdMeasurement slow_free = measure_herd(HerdRecipe::kHerdFree, n, slow);
  for (const HerdMeasurement* m : {&herd, &free, &slow_herd, &slow_free}) ASSERT_TRUE(m->error.empty()) << m->error;
  // Unlimited: latency decides, and both hand over in about the same time.
  EXPECT_GT(herd.handover_ms, 0);
  EXPECT_LT(herd.handover_ms, 2 * free.handover_ms) << herd.handover_ms << " vs " << free.handover_ms;
  // Finite: the next leader's answer queues behind 49 notifications and
  // listings on its server's interface.
  EXPECT_GT(slow_herd.handover_ms, 3 * slow_free.handover_ms)
      << slow_herd.handover_ms << " vs " << slow_free.handover_ms;
  EXPECT_GT(slow_herd.handover_ms, 3 * herd.handover_ms);
}

TEST(HerdMeasure, SameOptionsSameNumbers) {
  HerdMeasureOptions o;
  o.changes = 1;
  const HerdMeasurement a = measure_herd(HerdRecipe::kHerd, 5, o);
  const HerdMeasurement b = measure_herd(HerdRecipe::kHerd, 5, o);
  ASSERT_TRUE(a.error.empty()) << a.error;
  EXPECT_EQ(a.bytes_per_change, b.bytes_per_change);
  EXPECT_EQ(a.notifications_per_change, b.notifications_per_change);
  EXPECT_EQ(a.handover_ms, b.handover_ms);
}

}  // namespace
}  // namespace zsim::scenarios::recipes
