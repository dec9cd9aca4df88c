// A seed that goes wrong fails alone (issue 9, item 1), through the real
// binary: `zsim sweep` over the hidden test scenario selftest-crash
// (scenarios/selftest.cpp), whose seeds ending in 1 fail a ZSIM_ASSERT, in
// 2 segfault, in 3 throw out of the event loop, seed 4 loops forever inside
// one event and seeds ending in 5 throw inside a fiber. Each must get the
// verdict `crash` with the right text, the simulation's seed, time and host,
// and its reproduce command, while every other seed still runs and passes;
// the summary counts them and the exit status is 1. The same holds for
// `zsim run`, for --json (one line per seed, then the summary), and in the
// sanitizer build (where a sanitizer report is one more way to die). Also:
// results stream (a 10^8-seed sweep prints its first seeds at once), --jobs
// is capped, and --check-determinism reports two runs that differ.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <string>

namespace {

using zsim::testing::run_command;

const std::string kZsim = ZSIM_BINARY;

zsim::testing::CommandResult zsim(const std::string& args) { return run_command(kZsim + " " + args); }

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

// The sweep's text output, split into one block per failing seed (the
// "seed N: ..." line with its indented message and reproduce line).
std::map<int, std::string> failures_by_seed(const std::string& out) {
  std::map<int, std::string> blocks;
  int current = -1;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("seed ", 0) == 0) current = std::stoi(line.substr(5));
    if (current >= 0 && (line.rfind("seed ", 0) == 0 || line.rfind("  ", 0) == 0)) blocks[current] += line + "\n";
  }
  return blocks;
}

TEST(CrashIsolation, SweepSurvivesAssertSegfaultThrowAndLoop) {
  const auto r = zsim("sweep --scenario selftest-crash --seeds 1..12 --jobs 2 --seed-timeout 2s");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto f = failures_by_seed(r.out);
  ASSERT_EQ(f.size(), 7u) << r.out;  // 1 2 3 4 5 11 12
  for (int seed : {1, 2, 3, 4, 5, 11, 12}) {
    ASSERT_TRUE(f.count(seed)) << seed << "\n" << r.out;
    EXPECT_TRUE(has(f.at(seed), "seed " + std::to_string(seed) + ": crash: ")) << f.at(seed);
    EXPECT_TRUE(has(f.at(seed), "reproduce: zsim run --scenario selftest-crash --seed " + std::to_string(seed)))
        << f.at(seed);
  }
  for (int seed : {1, 11}) {
    EXPECT_TRUE(has(f.at(seed), "died of SIGABRT")) << f.at(seed);
    EXPECT_TRUE(has(f.at(seed), "assertion failed: seed % 10 != 1")) << f.at(seed);
    EXPECT_TRUE(has(f.at(seed), "selftest-crash: seeds ending in 1 fail this on purpose")) << f.at(seed);
    EXPECT_TRUE(has(f.at(seed), "in seed=" + std::to_string(seed) + " t=1.000000000 host=s1")) << f.at(seed);
  }
  for (int seed : {2, 12}) {
    EXPECT_TRUE(has(f.at(seed), "zsim: fatal signal SIGSEGV")) << f.at(seed);
    EXPECT_TRUE(has(f.at(seed), "in seed=" + std::to_string(seed) + " t=1.000000000 host=s1")) << f.at(seed);
  }
  EXPECT_TRUE(has(f.at(3), "zsim: uncaught exception 'selftest-crash: seeds ending in 3 throw out of a timer' "
                           "in seed=3 t=1.000000000 host=s1"))
      << f.at(3);
  EXPECT_TRUE(has(f.at(4), "stopped by the watchdog after 2000 ms of wall-clock time (--seed-timeout)")) << f.at(4);
  EXPECT_TRUE(has(f.at(4), "zsim: watchdog: no verdict after 2000 ms")) << f.at(4);
  EXPECT_TRUE(has(f.at(4), "in seed=4 t=1.000000000 host=s1")) << f.at(4);
  // A fiber's exception is caught inside the run: a crash verdict, no death.
  EXPECT_TRUE(has(f.at(5), "on host s1: ")) << f.at(5);
  EXPECT_TRUE(has(f.at(5), "a fiber threw")) << f.at(5);
  EXPECT_FALSE(has(f.at(5), "died")) << f.at(5);
  EXPECT_TRUE(has(r.out, "selftest-crash: 12 seeds (1..12), 5 ok, 7 failed (7 crash); ")) << r.out;
}

TEST(CrashIsolation, JsonIsOneLinePerSeedThenTheSummary) {
  const auto r = zsim("sweep --scenario selftest-crash --seeds 1..8 --jobs 3 --seed-timeout 2s --json");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto lines = r.out_lines();
  ASSERT_EQ(lines.size(), 9u) << r.out;
  for (int i = 0; i < 8; ++i) {
    const auto j = nlohmann::json::parse(lines[static_cast<std::size_t>(i)]);
    EXPECT_EQ(j["seed"], i + 1);  // in seed order, whatever finished first
    EXPECT_EQ(j["scenario"], "selftest-crash");
    const bool crashes = i + 1 <= 5;
    EXPECT_EQ(j["verdict"], crashes ? "crash" : "ok") << j.dump();
    // A process that died left no fingerprint; the fiber's crash did.
    const bool died = i + 1 <= 4;
    EXPECT_EQ(j["fingerprint"].is_null(), died) << j.dump();
    EXPECT_TRUE(j.contains("wall_ms"));
  }
  const auto summary = nlohmann::json::parse(lines.back());
  EXPECT_EQ(summary["summary"], true);
  EXPECT_EQ(summary["seeds"], 8);
  EXPECT_EQ(summary["failed"], 5);
  EXPECT_EQ(summary["by_verdict"]["crash"], 5);
}

TEST(CrashIsolation, RunReportsACrashAsItsVerdict) {
  const auto r = zsim("run --scenario selftest-crash --seed 2");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "scenario selftest-crash seed 2: crash: ")) << r.out;
  EXPECT_TRUE(has(r.out, "zsim: fatal signal SIGSEGV")) << r.out;
  EXPECT_TRUE(has(r.out, "in seed=2 t=1.000000000 host=s1")) << r.out;
  EXPECT_TRUE(has(r.out, "reproduce: zsim run --scenario selftest-crash --seed 2")) << r.out;
  // What the child wrote on stderr reaches the user's stderr too.
  EXPECT_TRUE(has(r.err, "zsim: fatal signal SIGSEGV")) << r.err;

  const auto j = zsim("run --scenario selftest-crash --seed 11 --json");
  EXPECT_EQ(j.exit_code, 1);
  const auto result = nlohmann::json::parse(j.out_lines().back());
  EXPECT_EQ(result["verdict"], "crash");
  EXPECT_TRUE(has(result["message"].get<std::string>(), "assertion failed: seed % 10 != 1"));
  EXPECT_TRUE(result["fingerprint"].is_null());

  const auto loop = zsim("run --scenario selftest-crash --seed 4 --seed-timeout 1s");
  EXPECT_EQ(loop.exit_code, 1);
  EXPECT_TRUE(has(loop.out, "stopped by the watchdog after 1000 ms")) << loop.out;
}

TEST(CrashIsolation, NoForkRunsInProcess) {
  const auto ok = zsim("run --scenario selftest-crash --seed 6 --no-fork");
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  // Without the child, the assertion ends zsim itself (what a debugger wants).
  const auto dies = zsim("run --scenario selftest-crash --seed 1 --no-fork");
  EXPECT_NE(dies.exit_code, 0);
  EXPECT_NE(dies.exit_code, 1);
  EXPECT_TRUE(has(dies.err, "assertion failed: seed % 10 != 1")) << dies.err;
}

TEST(CrashIsolation, ResultsStreamFromAHugeRange) {
  // Ten million seeds: the first 50 lines come at once, nothing is
  // allocated per seed up front (before: bad_alloc, or silence until the end).
  const auto r = run_command("timeout 60 " + kZsim +
                             " sweep --scenario selftest-nondeterministic --seeds 1..99999999 --jobs 2 --json"
                             " | head -n 50");
  const auto lines = r.out_lines();
  ASSERT_EQ(lines.size(), 50u) << r.err;
  EXPECT_EQ(nlohmann::json::parse(lines.front())["seed"], 1);
  EXPECT_EQ(nlohmann::json::parse(lines.back())["seed"], 50);
}

TEST(CrashIsolation, JobsAreCappedWithAMessage) {
  const auto r = zsim("sweep --scenario selftest-crash --seeds 6..9 --jobs 100000");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "zsim: --jobs 100000 is more than 4 per core")) << r.err;
  EXPECT_TRUE(has(r.out, "4 seeds (6..9), 4 ok, 0 failed")) << r.out;
}

TEST(CrashIsolation, CheckDeterminismReportsRunsThatDiffer) {
  const auto r = zsim("run --scenario selftest-nondeterministic --seed 1 --check-determinism");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "NOT deterministic: selftest-nondeterministic seed 1: fingerprints ")) << r.out;
  EXPECT_TRUE(has(r.out, "first difference at trace event ")) << r.out;
  EXPECT_TRUE(has(r.out, "run 1: t=1.000000000 host=s1 ev=selftest.run runs_before=0")) << r.out;
  EXPECT_TRUE(has(r.out, "run 2: t=1.000000000 host=s1 ev=selftest.run runs_before=1")) << r.out;
}

TEST(CrashIsolation, HiddenScenariosAreNotListed) {
  const auto r = zsim("list");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(has(r.out, "selftest")) << r.out;
  EXPECT_TRUE(has(r.out, "register")) << r.out;
}

}  // namespace
