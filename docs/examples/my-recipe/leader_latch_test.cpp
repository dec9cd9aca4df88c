// The leader latch's property, written as any recipe author would: under
// every fault plan RapidCheck draws, at most one leader acts on the database
// at a time, no stale token is ever accepted, and once the faults heal a
// leader acts again. The broken latch (leader_latch.h) must fail the same
// property, and RapidCheck must shrink its fault plan to a few events.
#include "leader_latch.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <filesystem>

using zsim::testing::ClientCtx;
using zsim::testing::Cluster;
using zsim::testing::FencedResource;
using zsim::testing::View;

namespace {

// Every client campaigns and, while it leads, writes to the database.
// `Latch` is LeaderLatch (writes with its fencing token) or BrokenLatch
// (writes without one, to a database that cannot check).
template <class Latch>
void one_leader_at_a_time() {
  constexpr bool kFenced = std::is_same_v<Latch, my_recipe::LeaderLatch>;
  Cluster c = zsim::testing::gen_cluster();
  FencedResource& db = c.fenced_resource("/db", kFenced ? zsim::testing::Fencing::kTokens
                                                        : zsim::testing::Fencing::kNone);
  c.clients([&db](ClientCtx& me) {
    Latch latch("/latch");
    for (;;) {
      if (latch.try_lead(me.zk())) {
        if constexpr (kFenced) {
          db.act(me, latch.token());
        } else {
          db.act(me);
        }
      }
      me.sleep(zsim::millis(100));
    }
  });
  c.eventually("a leader acts after the faults heal", [&db](const View& v) {
    return v.healed_at() && db.current_tenure() && db.current_tenure()->last > *v.healed_at();
  });
  c.run();
  // The run stops at the first violation, with the verdict and the message
  // of whatever judged it (here: the resource); say it in the failure.
  if (!c.ok()) RC_FAIL(c.verdict() + ": " + c.message());
  RC_ASSERT(db.no_stale_token_accepted());
  RC_ASSERT(db.one_holder_at_a_time());
}

}  // namespace

RC_GTEST_PROP(LeaderLatch, OneLeaderActsAtATime, ()) { one_leader_at_a_time<my_recipe::LeaderLatch>(); }

// The broken latch must fail the property: RapidCheck finds a failing case,
// shrinks it, and the Cluster of the smallest one writes the regression file.
TEST(BrokenLatch, FailsThePropertyWithASmallFaultPlan) {
  const std::filesystem::path dir = std::filesystem::current_path() / "broken-latch-regressions";
  std::filesystem::remove_all(dir);
  ::setenv("ZSIM_REGRESSION_DIR", dir.c_str(), 1);
  rc::detail::TestParams params;
  params.seed = 1;
  const auto result = rc::detail::checkTestable(&one_leader_at_a_time<my_recipe::BrokenLatch>,
                                                rc::detail::TestMetadata{}, params);
  ::unsetenv("ZSIM_REGRESSION_DIR");
  rc::detail::FailureResult failure;
  ASSERT_TRUE(result.match(failure)) << "the broken latch passed every case";
  rc::detail::printResultMessage(result, std::cout);  // the counterexample, as a user sees it

  const auto file = dir / "BrokenLatch.FailsThePropertyWithASmallFaultPlan.plan";
  const zsim::testing::ClusterSpec spec = zsim::testing::read_regression(file.string());
  EXPECT_GE(spec.plan.events.size(), 1u);
  EXPECT_LE(spec.plan.events.size(), 5u);
}
