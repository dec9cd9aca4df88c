// The workload scenarios of scenarios/ensemble/ (ephemerals, watches,
// queue, multi) run ZAB ensembles under their generated fault plans with
// clients that touch what users touch, and judge every client's record
// against the committed history: a few seeds of each pass, a seed gives the
// same fingerprint every time (and another seed another one), and each run
// really exercises what it claims (the checks' trace lines count what was
// judged). That the checks can fail is shown on broken records in
// replay_test.cpp, watch_judge_test.cpp and workload_checks_test.cpp.
#include "scenarios/scenario.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace zsim::scenarios {
namespace {

// Runs one seed, keeping the check lines of its trace.
RunResult run(const std::string& name, std::uint64_t seed, std::vector<std::string>* checks = nullptr) {
  const Scenario* s = find_scenario(name);
  EXPECT_NE(s, nullptr) << name;
  RunOptions options;
  options.seed = seed;
  if (checks != nullptr) {
    options.trace_sink = [checks](std::string_view line, std::uint64_t) {
      if (line.find("ev=check.") != std::string_view::npos) checks->emplace_back(line);
    };
  }
  return run_scenario(*s, options);
}

// The value of `key=` in the first check line of `kind`, or -1.
long long field(const std::vector<std::string>& lines, const std::string& kind, const std::string& key) {
  for (const std::string& line : lines) {
    if (line.find("ev=" + kind + " ") == std::string::npos) continue;
    const std::size_t at = line.find(" " + key + "=");
    if (at == std::string::npos) return -1;
    return std::stoll(line.substr(at + key.size() + 2));
  }
  return -1;
}

void expect_seeds_pass(const std::string& name, std::uint64_t first, std::uint64_t last) {
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    std::vector<std::string> checks;
    const RunResult r = run(name, seed, &checks);
    EXPECT_EQ(r.verdict, sim::Verdict::kOk) << name << " seed " << seed << ": " << r.message;
    // The replay judged a real history, with nothing left unjudged.
    EXPECT_GT(field(checks, "check.replay", "txns"), 50) << name << " seed " << seed;
    EXPECT_GT(field(checks, "check.replay", "reads"), 50) << name << " seed " << seed;
    EXPECT_EQ(field(checks, "check.replay", "unjudged"), 0) << name << " seed " << seed;
  }
}

TEST(WorkloadScenarios, EphemeralsLiveExactlyAsLongAsTheirSessions) {
  expect_seeds_pass("ephemerals", 1, 5);
  std::vector<std::string> checks;
  ASSERT_EQ(run("ephemerals", 1, &checks).verdict, sim::Verdict::kOk);
  EXPECT_GT(field(checks, "check.ephemerals", "created"), 50);
  EXPECT_GT(field(checks, "check.ephemerals", "sessions_closed"), 2);  // quiet and dead clients' sessions expired
}

TEST(WorkloadScenarios, WatchesKeepZooKeepersPromise) {
  expect_seeds_pass("watches", 1, 5);
  std::vector<std::string> checks;
  ASSERT_EQ(run("watches", 1, &checks).verdict, sim::Verdict::kOk);
  EXPECT_GT(field(checks, "check.watches", "events"), 50);
}

TEST(WorkloadScenarios, QueueNamesAreNeverReusedAndEachItemIsConsumedOnce) {
  expect_seeds_pass("queue", 1, 5);
  std::vector<std::string> checks;
  ASSERT_EQ(run("queue", 1, &checks).verdict, sim::Verdict::kOk);
  EXPECT_GT(field(checks, "check.queue", "consumed"), 50);
}

TEST(WorkloadScenarios, MultisAreAllOrNothing) {
  expect_seeds_pass("multi", 1, 5);
  std::vector<std::string> checks;
  ASSERT_EQ(run("multi", 1, &checks).verdict, sim::Verdict::kOk);
  EXPECT_GT(field(checks, "check.multi", "multis"), 50);
  EXPECT_GT(field(checks, "check.multi", "failed"), 10);  // the doomed ones, and races lost
}

TEST(WorkloadScenarios, SameSeedSameFingerprint) {
  for (const char* name : {"ephemerals", "watches", "queue", "multi"}) {
    const RunResult a = run(name, 7);
    const RunResult b = run(name, 7);
    EXPECT_EQ(a.fingerprint, b.fingerprint) << name;
    EXPECT_EQ(a.events, b.events) << name;
    EXPECT_EQ(a.verdict, b.verdict) << name;
    EXPECT_NE(a.fingerprint, run(name, 8).fingerprint) << name;
  }
}

}  // namespace
}  // namespace zsim::scenarios
