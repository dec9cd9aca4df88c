// The lesson scenarios of "the network is reliable": proves that the naive
// ledger is caught by its own checker (an `invariant` verdict) on some seeds
// of 1..50 and never fails any other way, that the fixed ledger passes every
// seed of 1..50, and that re-running a failing seed reproduces it exactly
// (same verdict, message and fingerprint), with a plan given explicitly too.
#include "scenarios/scenario.h"
#include "tests/scenarios/run_seeds.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zsim::scenarios {
namespace {

using test::run;

TEST(ReliableNetwork, BothScenariosAreRegistered) {
  ASSERT_NE(find_scenario("reliable-network-naive"), nullptr);
  ASSERT_NE(find_scenario("reliable-network-fixed"), nullptr);
  EXPECT_FALSE(find_scenario("reliable-network-naive")->summary.empty());
}

TEST(ReliableNetwork, NaiveFailsSomeSeedsWithAnInvariantVerdict) {
  std::vector<std::uint64_t> failing;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const RunResult r = run("reliable-network-naive", seed);
    EXPECT_TRUE(r.verdict == sim::Verdict::kOk || r.verdict == sim::Verdict::kInvariant)
        << "seed " << seed << ": " << sim::to_string(r.verdict) << " " << r.message;
    if (r.verdict == sim::Verdict::kInvariant) {
      failing.push_back(seed);
      EXPECT_FALSE(r.message.empty());
    }
  }
  EXPECT_GE(failing.size(), 5U) << "the lesson must show the failure often";
}

TEST(ReliableNetwork, FixedPassesEverySeed) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    const RunResult r = run("reliable-network-fixed", seed);
    EXPECT_EQ(r.verdict, sim::Verdict::kOk) << "seed " << seed << ": " << r.message;
    EXPECT_GT(r.messages_sent, 0U);
  }
}

TEST(ReliableNetwork, AReproducedSeedGivesTheSameRun) {
  std::uint64_t failing_seed = 0;
  for (std::uint64_t seed = 1; seed <= 50 && failing_seed == 0; ++seed) {
    if (run("reliable-network-naive", seed).verdict != sim::Verdict::kOk) failing_seed = seed;
  }
  ASSERT_NE(failing_seed, 0U);
  const RunResult a = run("reliable-network-naive", failing_seed);
  const RunResult b = run("reliable-network-naive", failing_seed);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.message, b.message);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(reproduce_command(a), "zsim run --scenario reliable-network-naive --seed " + std::to_string(failing_seed));

  // The same run with the seed's plan given explicitly (as `--plan` would,
  // after a print/parse round trip) is the same run too.
  const Scenario& s = *find_scenario("reliable-network-naive");
  auto parsed = sim::parse_plan(sim::print_plan(plan_for_seed(s, failing_seed)));
  ASSERT_TRUE(std::holds_alternative<sim::FaultPlan>(parsed));
  RunOptions o;
  o.seed = failing_seed;
  o.plan = std::get<sim::FaultPlan>(parsed);
  ASSERT_EQ(validate_for(s, *o.plan), "");
  const RunResult c = run_scenario(s, o);
  EXPECT_EQ(c.fingerprint, a.fingerprint);
  EXPECT_EQ(c.verdict, a.verdict);
}

TEST(ReliableNetwork, TraceSinkDoesNotChangeTheFingerprint) {
  const Scenario& s = *find_scenario("reliable-network-fixed");
  RunOptions o;
  o.seed = 3;
  const RunResult quiet = run_scenario(s, o);
  std::uint64_t lines = 0;
  o.trace_sink = [&lines](std::string_view, std::uint64_t) { ++lines; };
  o.trace_format = sim::TraceFormat::kJson;
  const RunResult traced = run_scenario(s, o);
  EXPECT_EQ(quiet.fingerprint, traced.fingerprint);
  EXPECT_EQ(lines, traced.trace_events);
}

}  // namespace
}  // namespace zsim::scenarios
