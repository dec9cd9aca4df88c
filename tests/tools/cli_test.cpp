// What a user of `zsim run / sweep / plan / list` relies on, tested through
// the real binary: exit statuses (0 ok, 1 a check failed, 2 bad input), one
// clear line for every kind of bad input, the --json result object, fault
// plans that print, save and replay to the same fingerprint, sweeps whose
// printed reproduce commands reproduce, and shards that split a sweep.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <set>
#include <string>

namespace {

using zsim::testing::run_command;

const std::string kZsim = ZSIM_BINARY;

zsim::testing::CommandResult zsim(const std::string& args) { return run_command(kZsim + " " + args); }

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = zsim::testing::make_temp_dir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// The one line a bad input gets: on stderr, naming the problem.
void expect_bad_input(const zsim::testing::CommandResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << "stderr: " << r.err;
  EXPECT_EQ(r.out, "");
}

nlohmann::json last_json_line(const zsim::testing::CommandResult& r) {
  const auto lines = r.out_lines();
  if (lines.empty()) return {};
  return nlohmann::json::parse(lines.back());
}

TEST(Cli, ListNamesTheLessonScenarios) {
  const auto r = zsim("list");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("reliable-network-naive"), std::string::npos);
  EXPECT_NE(r.out.find("reliable-network-fixed"), std::string::npos);
}

TEST(Cli, HelpExitsZeroAndNoSubcommandIsBadInput) {
  EXPECT_EQ(zsim("--help").exit_code, 0);
  EXPECT_EQ(zsim("run --help").exit_code, 0);
  EXPECT_EQ(zsim("").exit_code, 2);
  EXPECT_EQ(zsim("frobnicate").exit_code, 2);
}

// The exact one line (after "zsim: ") that a bad input gets, and exit 2.
void expect_message(const zsim::testing::CommandResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err, "zsim: " + line + "\n");
  EXPECT_EQ(r.out, "");
}

TEST(Cli, SeedsAreDecimalIntegersBelowTwoToThe64) {
  const std::string rule = "(want a decimal integer from 0 to 18446744073709551615)";
  for (const std::string bad : {"-1", "18446744073709551616", "''", "+1", "0x10", "1e3", "' 1'", "99999999999999999999999"}) {
    std::string shown = bad;
    if (shown.front() == '\'') shown = shown.substr(1, shown.size() - 2);
    expect_message(zsim("run --scenario reliable-network-fixed --seed " + bad), "bad seed '" + shown + "' " + rule);
    expect_message(zsim("plan --scenario reliable-network-fixed --seed " + bad), "bad seed '" + shown + "' " + rule);
  }
  expect_message(zsim("sweep --scenario reliable-network-fixed --seeds 1..18446744073709551616"),
                 "malformed seed range '1..18446744073709551616' (want A..B with A and B a decimal integer from 0 to "
                 "18446744073709551615, e.g. 1..200)");
  expect_message(zsim("sweep --scenario reliable-network-fixed --seeds -5..3"),
                 "malformed seed range '-5..3' (want A..B with A and B a decimal integer from 0 to "
                 "18446744073709551615, e.g. 1..200)");
  expect_message(zsim("sweep --scenario reliable-network-fixed --seeds 0..18446744073709551615"),
                 "seed range '0..18446744073709551615' has 2^64 seeds, one more than a sweep counts");
  // The largest seed is a seed like any other.
  const auto top = zsim("plan --scenario reliable-network-fixed --seed 18446744073709551615");
  EXPECT_EQ(top.exit_code, 0) << top.err;
  EXPECT_EQ(top.out.rfind("# fault plan of scenario reliable-network-fixed, seed 18446744073709551615", 0), 0u);
}

TEST(Cli, AnUnknownSubcommandIsNamedWithTheValidOnes) {
  const auto r = zsim("bogus-subcommand --seed 1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "zsim: unknown subcommand 'bogus-subcommand' (valid: run, sweep, plan, bugs, list, check, shell, shrink, herd, lesson, merge)\n"
            "Run with --help for more information.\n");
  const auto escaped = zsim("$(printf 'x\\033[2J')");
  EXPECT_EQ(escaped.err.rfind("zsim: unknown subcommand 'x\\x1b[2J' (valid: ", 0), 0u) << escaped.err;
}

TEST(Cli, VersionIsPrinted) {
  const auto r = zsim("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "zsim 0.1.0\n");
}

// Each line of a plan that used to be misread (run anyway, or run as
// something else), and the exact message it gets now.
TEST(Cli, PlanFileMisreadsAreNamed) {
  const std::string run = "run --scenario single-register --seed 1 --plan ";
  expect_message(zsim(run + "/tmp"), "cannot read plan file '/tmp': it is a directory");
  const std::pair<std::string, std::string> cases[] = {
      // 2^63-1 ns overflowed: the host resumed at once and the run passed.
      {"at 1s pause s1 9223372036854775807ns\n",
       "line 1, column 16: pause length '9223372036854775807ns' is beyond the maximum of 86400s (one simulated day)"},
      {"at 86401s crash s1\n", "line 1, column 4: time '86401s' is beyond the maximum of 86400s (one simulated day)"},
      // A +-2^63 ns clock jump livelocked the run until its event budget.
      {"at 1s clock-jump c1 -9223372036854775808ns\n",
       "line 1, column 21: clock jump '-9223372036854775808ns' is beyond the maximum of 86400s (one simulated day)"},
      {"at 1s clock-jump c1 +86401s\n",
       "line 1, column 21: clock jump '+86401s' is beyond the maximum of 86400s (one simulated day)"},
      // Numbers that overflowed were read as 0.
      {"at 1s clock-drift s1 +99999999999999999999ppm\n",
       "line 1, column 22: bad drift '+99999999999999999999ppm' (want e.g. +500ppm or -20ppm)"},
      {"at 1s loss 99999999999999999999/1\n", "line 1, column 12: bad ratio '99999999999999999999/1' (want N/D, e.g. 1/10)"},
      {"at 1s clock-drift s1 +100001ppm\n",
       "event 1 (at 1s clock-drift s1 +100001ppm): drift must be within +-100000ppm"},
      // Invisible bytes made "unknown host 's1'" for "s1\0".
      {std::string("at 1s crash s1\0\n", 16),
       "line 1, column 15: unexpected byte '\\x00' (a plan is printable ASCII; # starts a comment)"},
      {"\xef\xbb\xbf" "at 1s crash s1\n",
       "line 1, column 1: unexpected byte '\\xef' (a plan is printable ASCII; # starts a comment)"},
      {"at 1s crash \x1b[2Js1\n",
       "line 1, column 13: unexpected byte '\\x1b' (a plan is printable ASCII; # starts a comment)"},
      {"at 1s crash " + std::string(100000, 'a') + "\n",
       "line 1, column 13: a word of 100000 bytes (at most 64): 'aaaaaaaaaaaaaaaaaaaa'... (100000 bytes)"},
      // Events after the safety phase (20s) happened during the liveness
      // phase, or never: refused, naming the line.
      {"# c\nat 1s crash s1\n\nat 31s restart s1\n",
       "line 4: at 31s restart s1 is after the end of the safety phase (20s) of scenario single-register; faults "
       "happen only in the safety phase"},
  };
  int n = 0;
  for (const auto& [text, message] : cases) {
    const std::string path = write_file("case" + std::to_string(n++) + ".plan", text);
    expect_message(zsim(run + path), "plan file '" + path + "': " + message);
  }
}

// The largest clock jump a plan may hold, on a client and a server, does not
// stall the run (a jump of 2^63 ns used to livelock it).
TEST(Cli, ADayLongClockJumpRunsToAVerdict) {
  for (const char* jump : {"+86400s", "-86400s"}) {
    const std::string plan = write_file("jump.plan", std::string("at 1s clock-jump c1 ") + jump +
                                                         "\nat 2s clock-jump s1 " + jump + "\n");
    const auto r = zsim("run --scenario single-register --seed 1 --json --plan " + plan);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(last_json_line(r)["verdict"], "ok") << jump;
  }
}

TEST(Cli, BadInputGetsOneLineAndExitTwo) {
  expect_bad_input(zsim("run --scenario nope --seed 1"), "unknown scenario 'nope'");
  expect_bad_input(zsim("sweep --scenario reliable-network-fixed --seeds 9..3"), "malformed seed range '9..3'");
  expect_bad_input(zsim("sweep --scenario reliable-network-fixed --seeds 1..x"), "malformed seed range");
  expect_bad_input(zsim("sweep --scenario reliable-network-fixed --seeds 1..4 --shard 5/4"), "malformed shard");
  expect_bad_input(zsim("run --scenario reliable-network-fixed --seed 1 --plan /nonexistent/plan.txt"),
                   "cannot read plan file");
  expect_bad_input(zsim("run --scenario reliable-network-fixed --seed notanumber"), "seed");
  expect_bad_input(zsim("plan --scenario nope --seed 1"), "unknown scenario");
}

TEST(Cli, MalformedPlanFileNamesLineAndColumn) {
  const std::string plan = write_file("bad.plan", "at 1s heal\nat 2s crash\n");
  const auto r = zsim("run --scenario reliable-network-fixed --seed 1 --plan " + plan);
  expect_bad_input(r, "line 2, column 12: expected a host name");
}

TEST(Cli, PlanNamingAnUnknownHostIsBadInput) {
  const std::string plan = write_file("host.plan", "at 1s partition isolate s9\n");
  expect_bad_input(zsim("run --scenario reliable-network-fixed --seed 1 --plan " + plan), "unknown host 's9'");
}

TEST(Cli, RunJsonHasTheDocumentedFields) {
  const auto r = zsim("run --scenario reliable-network-fixed --seed 3 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = last_json_line(r);
  for (const char* key : {"scenario", "seed", "verdict", "fingerprint", "sim_time_ns", "events", "messages_sent",
                          "messages_dropped", "wall_ms"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["scenario"], "reliable-network-fixed");
  EXPECT_EQ(j["seed"], 3);
  EXPECT_EQ(j["verdict"], "ok");
  EXPECT_EQ(j["fingerprint"].get<std::string>().size(), 16u);
  EXPECT_GT(j["messages_sent"].get<int>(), 0);
}

TEST(Cli, FailingRunExitsOneAndPrintsItsReproduceCommand) {
  // Seed 1 of the naive ledger double-applies a deposit (see the sweep).
  const auto r = zsim("run --scenario reliable-network-naive --seed 1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("invariant"), std::string::npos);
  EXPECT_NE(r.out.find("reproduce: zsim run --scenario reliable-network-naive --seed 1"), std::string::npos);
}

TEST(Cli, SavedPlanReplaysToTheSameFingerprint) {
  const auto plan = zsim("plan --scenario reliable-network-naive --seed 11");
  ASSERT_EQ(plan.exit_code, 0);
  ASSERT_NE(plan.out.find("at "), std::string::npos) << "seed 11 should generate some faults";
  const std::string path = write_file("seed11.plan", plan.out);
  const auto a = last_json_line(zsim("run --scenario reliable-network-naive --seed 11 --json"));
  const auto b = last_json_line(zsim("run --scenario reliable-network-naive --seed 11 --json --plan " + path));
  EXPECT_EQ(a["fingerprint"], b["fingerprint"]);
  // And an empty plan is a different run.
  const std::string empty = write_file("empty.plan", "# no faults\n");
  const auto c = last_json_line(zsim("run --scenario reliable-network-naive --seed 11 --json --plan " + empty));
  EXPECT_NE(a["fingerprint"], c["fingerprint"]);
}

TEST(Cli, SweepReportsFailuresWhoseReproduceCommandsReproduce) {
  const auto r = zsim("sweep --scenario reliable-network-naive --seeds 1..30 --jobs 2");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("failed"), std::string::npos);
  const auto json = zsim("sweep --scenario reliable-network-naive --seeds 1..30 --jobs 2 --json");
  std::map<int, std::string> fingerprint;
  int failed = 0;
  for (const auto& line : json.out_lines()) {
    const auto j = nlohmann::json::parse(line);
    if (j.contains("summary")) continue;
    fingerprint[j["seed"].get<int>()] = j["fingerprint"];
    failed += j["verdict"] != "ok" ? 1 : 0;
  }
  EXPECT_EQ(fingerprint.size(), 30u);
  EXPECT_GT(failed, 0);
  // Every printed reproduce command gives that seed's fingerprint again.
  int checked = 0;
  for (const auto& line : r.out_lines()) {
    const auto at = line.find("reproduce: zsim ");
    if (at == std::string::npos || checked >= 5) continue;
    const std::string args = line.substr(at + std::string("reproduce: zsim ").size());
    const auto again = last_json_line(zsim(args + " --json"));
    EXPECT_EQ(again["fingerprint"], fingerprint[again["seed"].get<int>()]) << args;
    ++checked;
  }
  EXPECT_EQ(checked, 5);
}

TEST(Cli, FixedLedgerSweepPasses) {
  const auto r = zsim("sweep --scenario reliable-network-fixed --seeds 1..30 --jobs 2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("30 ok, 0 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("sweep reliable-network-fixed: 30/30 seeds"), std::string::npos) << r.err;
}

TEST(Cli, ShardsSplitASweepWithoutOverlap) {
  std::set<int> seen;
  std::size_t total = 0;
  for (int i = 1; i <= 3; ++i) {
    const auto r = zsim("sweep --scenario reliable-network-fixed --seeds 1..10 --json --shard " +
                        std::to_string(i) + "/3");
    for (const auto& line : r.out_lines()) {
      const auto j = nlohmann::json::parse(line);
      if (j.contains("summary")) continue;
      seen.insert(j["seed"].get<int>());
      ++total;
    }
  }
  EXPECT_EQ(total, 10u);
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), 10);
}

TEST(Cli, TraceLinesAreStructured) {
  const auto text = zsim("run --scenario reliable-network-fixed --seed 2 --trace");
  ASSERT_EQ(text.exit_code, 0);
  const auto lines = text.out_lines();
  ASSERT_GT(lines.size(), 10u);
  EXPECT_EQ(lines.front().rfind("t=0.000000000 host=sim ev=run.start", 0), 0u) << lines.front();
  const auto json = zsim("run --scenario reliable-network-fixed --seed 2 --trace --trace-format json");
  const auto jlines = json.out_lines();
  ASSERT_EQ(jlines.size(), lines.size());
  const auto first = nlohmann::json::parse(jlines.front());
  EXPECT_EQ(first["ev"], "run.start");
  EXPECT_EQ(first["host"], "sim");
}

TEST(Cli, CheckDeterminismRunsTwiceAndAgrees) {
  const auto r = zsim("run --scenario reliable-network-naive --seed 4 --check-determinism");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("deterministic: two runs"), std::string::npos) << r.out;
}

}  // namespace
