// The ensemble scenarios judge ZAB servers, the client library and the
// ensemble invariant monitor together: a few seeds of each scenario pass
// under their generated fault plans, the same seed gives the same
// fingerprint, a deliberately broken ensemble (leaders that commit before a
// quorum acknowledged) is caught within a handful of seeds -- so the
// harness can fail, and does when it should -- and a hand-written plan that
// cuts the leader off mid-run still passes, with a new leader elected by the
// majority while the old one is isolated; and a server that cannot recover
// from its disk is started again by its supervisor.
#include "scenarios/scenario.h"
#include "tests/scenarios/run_seeds.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace zsim::scenarios {
namespace {

using test::expect_seeds_pass;
using test::run;

TEST(EnsembleScenarios, RegisterKeepsZooKeeperGuaranteesUnderFaults) { expect_seeds_pass("register", 1, 6); }

TEST(EnsembleScenarios, KeysKeepZooKeeperGuaranteesWithAnObserver) { expect_seeds_pass("kv", 1, 4); }

TEST(EnsembleScenarios, SequentialNamesAreUniqueKeptAndInCommitOrder) { expect_seeds_pass("sequential", 1, 6); }

TEST(EnsembleScenarios, EphemeralsLiveExactlyAsLongAsTheirSessions) { expect_seeds_pass("sessions", 1, 10); }

TEST(EnsembleScenarios, TheHandoverLosesNothingWhenTheEpochIsWrittenInTime) {
  expect_seeds_pass("register-handover", 1, 6);
}

TEST(EnsembleScenarios, HandoverPlansStrikeOnlyAtTheHandover) {
  // Every power loss is at one of the two handover steps, and every
  // partition isolates the leader: what makes 1282 reachable (seed 1).
  const Scenario* s = find_scenario("register-handover");
  ASSERT_NE(s, nullptr);
  int power = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    for (const sim::FaultEvent& e : plan_for_seed(*s, seed).events) {
      if (e.kind == sim::FaultKind::kPowerLoss) ADD_FAILURE() << "seed " << seed << ": " << sim::print_event(e);
      if (e.kind == sim::FaultKind::kPowerLossAt) {
        ++power;
        EXPECT_TRUE(e.site == "zab.leader.established" || e.site == "zab.learner.newleader-acked") << e.site;
        EXPECT_GT(e.stagger.count(), 0) << sim::print_event(e);
      }
      if (e.kind == sim::FaultKind::kPartition) {
        EXPECT_EQ(e.shape, sim::PartitionShape::kIsolate) << sim::print_event(e);
        EXPECT_EQ(e.groups[0], std::vector<std::string>{"@leader"}) << sim::print_event(e);
      }
    }
  }
  EXPECT_GE(power, 10) << "too few power losses at the handover in seeds 1..20";
}

TEST(EnsembleScenarios, SameSeedSameFingerprint) {
  for (const char* name : {"register", "sessions"}) {
    const RunResult a = run(name, 7);
    const RunResult b = run(name, 7);
    EXPECT_EQ(a.fingerprint, b.fingerprint) << name;
    EXPECT_EQ(a.events, b.events) << name;
    EXPECT_EQ(a.verdict, b.verdict) << name;
    EXPECT_NE(a.fingerprint, run(name, 8).fingerprint) << name;
  }
}

// A sweep of 200 seeds caught it on 62 (seed 1 the first); five seeds keep
// the test short and still leave room.
TEST(EnsembleScenarios, LeadersThatCommitBeforeAQuorumAreCaught) {
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 5 && caught == 0; ++seed) {
    const RunResult r = run("register-unsafe-commit", seed);
    if (r.verdict == sim::Verdict::kInvariant || r.verdict == sim::Verdict::kLinearizability) ++caught;
  }
  EXPECT_GT(caught, 0) << "no seed in 1..5 caught the leaders that commit without a quorum";
}

// The hosts that became established leaders in a run, with when.
struct Established {
  double t = 0;
  std::string host;
};

std::vector<Established> established_leaders(const std::vector<std::string>& lines) {
  std::vector<Established> out;
  for (const std::string& line : lines) {
    if (line.find("ev=zab.established") == std::string::npos) continue;
    const std::size_t host = line.find("host=");
    const std::size_t end = line.find(' ', host);
    out.push_back(Established{std::stod(line.substr(2, line.find(' ') - 2)), line.substr(host + 5, end - host - 5)});
  }
  return out;
}

RunResult run_with_plan(const sim::FaultPlan& plan, std::vector<std::string>* lines) {
  const Scenario& s = *find_scenario("register");
  RunOptions o;
  o.seed = 11;
  o.plan = plan;
  EXPECT_EQ(validate_for(s, plan), "");
  o.trace_sink = [lines](std::string_view line, std::uint64_t) { lines->emplace_back(line); };
  return run_scenario(s, o);
}

TEST(EnsembleScenarios, IsolatingTheLeaderLosesNothing) {
  // Which server leads when nothing goes wrong (the same seed, no faults).
  std::vector<std::string> calm;
  const RunResult quiet = run_with_plan(sim::FaultPlan{}, &calm);
  ASSERT_EQ(quiet.verdict, sim::Verdict::kOk) << quiet.message;
  const std::vector<Established> first = established_leaders(calm);
  ASSERT_FALSE(first.empty());
  const std::string leader = first.front().host;

  // Cut it off from everyone -- servers and clients -- for 6 s mid-run.
  auto parsed = sim::parse_plan("at 3s partition isolate " + leader + "\nat 9s heal\n");
  ASSERT_TRUE(std::holds_alternative<sim::FaultPlan>(parsed));
  std::vector<std::string> lines;
  const RunResult r = run_with_plan(std::get<sim::FaultPlan>(parsed), &lines);
  EXPECT_EQ(r.verdict, sim::Verdict::kOk) << r.message;

  // The plan did what it says: until 3 s the same leader, and while it was
  // cut off the majority established another one.
  bool replaced = false;
  for (const Established& e : established_leaders(lines)) {
    if (e.t < 3.0) {
      EXPECT_EQ(e.host, leader);
    }
    if (e.t > 3.0 && e.t < 9.0 && e.host != leader) replaced = true;
  }
  EXPECT_TRUE(replaced) << "no other server became leader while " << leader << " was isolated";
}

TEST(EnsembleScenarios, AServerThatCannotRecoverIsStartedAgainThenLeftToAnOperator) {
  // kv seed 713579: s4's disk lied and corrupted reads; restarted at the
  // heal (its disk still faulty, by design) it could not recover --
  // ZooKeeper would exit. The supervisor starts it again once the heal made
  // its disk sound; it fails again (its snapshot really is gone: a lying
  // sync), so it waits for an operator, and the other five must settle
  // without it. Before, the run failed liveness waiting for s4.
  const Scenario& s = *find_scenario("kv");
  RunOptions o;
  o.seed = 713579;
  std::vector<std::string> lines;
  o.trace_sink = [&lines](std::string_view line, std::uint64_t) { lines.emplace_back(line); };
  const RunResult r = run_scenario(s, o);
  EXPECT_EQ(r.verdict, sim::Verdict::kOk) << r.message;
  bool failed = false;
  bool restarted = false;
  bool wrecked = false;
  for (const std::string& line : lines) {
    failed = failed || (line.find("host=s4 ev=zk.recovery_failed") != std::string::npos);
    restarted = restarted || (failed && line.find("ev=sim.supervisor_restart server=s4") != std::string::npos);
    wrecked = wrecked || (restarted && line.find("ev=sim.server_wrecked server=s4") != std::string::npos);
  }
  EXPECT_TRUE(failed) << "the seed no longer makes s4's recovery fail: pick another";
  EXPECT_TRUE(restarted);
  EXPECT_TRUE(wrecked);
}

}  // namespace
}  // namespace zsim::scenarios
