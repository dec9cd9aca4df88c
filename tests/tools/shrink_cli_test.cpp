// `zsim shrink` through the real binary: a failing seed's plan shrinks to a
// few events that still fail the same way when replayed with the command
// it prints; the written file says what it reproduces; a passing seed, a
// bad plan or an unwritable --out is one line of bad input and leaves no
// file behind.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

using zsim::testing::run_command;

const std::string kZsim = ZSIM_BINARY;

zsim::testing::CommandResult zsim(const std::string& args) { return run_command(kZsim + " " + args); }

// The number of fault events (non-comment, non-empty lines) in a plan file.
int events_in(const std::string& text) {
  int n = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    if (!line.empty() && line[0] != '#') ++n;
    if (end == std::string::npos) break;
    at = end + 1;
  }
  return n;
}

TEST(ShrinkCli, AFailingSeedShrinksToAFewEventsThatFailTheSameWay) {
  // The lesson's naive ledger: seed 1 fails (a retried deposit applied
  // twice) under 22 generated faults; message loss alone is enough.
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string out = dir + "/min.plan";
  const auto r = zsim("shrink --scenario reliable-network-naive --seed 1 --jobs 1 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("shrink reliable-network-naive seed 1: invariant with 22 fault events"), std::string::npos)
      << r.err;
  const std::string text = zsim::testing::slurp(out);
  EXPECT_EQ(text.rfind("# zsim regression: scenario reliable-network-naive, seed 1\n# expect: invariant\n", 0), 0u)
      << text;
  const int events = events_in(text);
  EXPECT_GE(events, 1);
  EXPECT_LE(events, 3) << text;
  EXPECT_NE(r.out.find(std::to_string(events) + " fault events (from 22)"), std::string::npos) << r.out;
  const std::string replay = "zsim run --scenario reliable-network-naive --seed 1 --plan " + out;
  EXPECT_NE(r.out.find("replay: " + replay + "\n"), std::string::npos) << r.out;

  // The printed command replays it: the same kind of failure.
  const auto again = zsim("run --scenario reliable-network-naive --seed 1 --plan " + out);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("seed 1: invariant: "), std::string::npos) << again.out;
  // And the fixed program passes under the same faults.
  EXPECT_EQ(zsim("run --scenario reliable-network-fixed --seed 1 --plan " + out).exit_code, 0);
}

TEST(ShrinkCli, APlantedBugKeepsItsInvariantWhileItShrinks) {
  // ZOOKEEPER-1282 on register-handover seed 1: caught by primary-order.
  // A short budget keeps the test cheap; the plan still must shrink and
  // still fail primary-order (not merely fail).
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string out = dir + "/1282.plan";
  const auto r = zsim("shrink --scenario register-handover --seed 1 --bug zk-1282-epoch-at-uptodate --jobs 1 "
                      "--max-runs 12 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string text = zsim::testing::slurp(out);
  EXPECT_NE(text.find("# expect: invariant primary-order\n"), std::string::npos) << text;
  EXPECT_NE(text.find("; stopped at --max-runs"), std::string::npos) << text;
  EXPECT_LT(events_in(text), 21) << text;
  const auto again =
      zsim("run --scenario register-handover --seed 1 --bug zk-1282-epoch-at-uptodate --plan " + out);
  EXPECT_NE(again.out.find("seed 1: invariant: primary-order: "), std::string::npos) << again.out;
}

TEST(ShrinkCli, BadInputIsOneLineAndLeavesNoFile) {
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string out = dir + "/never.plan";
  const auto passes = zsim("shrink --scenario reliable-network-fixed --seed 1 --out " + out);
  EXPECT_EQ(passes.exit_code, 2);
  EXPECT_EQ(passes.err,
            "zsim: scenario reliable-network-fixed seed 1 passes under its plan: nothing to shrink (shrink a "
            "failing seed: `zsim sweep` lists them)\n");
  EXPECT_FALSE(std::filesystem::exists(out));

  const auto unknown = zsim("shrink --scenario no-such --seed 1 --out " + out);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_EQ(unknown.err.rfind("zsim: unknown scenario 'no-such' (known: ", 0), 0u) << unknown.err;

  const auto runs = zsim("shrink --scenario reliable-network-naive --seed 1 --max-runs 0 --out " + out);
  EXPECT_EQ(runs.err, "zsim: --max-runs must be at least 1\n");

  const auto nowhere = zsim("shrink --scenario reliable-network-naive --seed 1 --out " + dir + "/no/such/dir/x.plan");
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_EQ(nowhere.err, "zsim: cannot write the shrunk plan to '" + dir + "/no/such/dir/x.plan'\n");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(ShrinkCli, ARunSavesItsPlanAsARegressionFileThatReplaysAsRecorded) {
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string failing = dir + "/naive.plan";
  const auto r = zsim("run --scenario reliable-network-naive --seed 1 --save-regression " + failing);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("saved as a regression file: " + failing + " (expect: invariant)"), std::string::npos) << r.err;
  const std::string text = zsim::testing::slurp(failing);
  EXPECT_EQ(text.rfind("# zsim regression: scenario reliable-network-naive, seed 1\n# expect: invariant\n", 0), 0u)
      << text;
  const std::string runner = std::string(ZSIM_SOURCE_DIR) + "/tools/run-regression.sh " + kZsim + " ";
  EXPECT_EQ(run_command(runner + failing).exit_code, 0);

  // A passing run records `ok`; the runner holds it to that, and says so
  // when the file's expectation is not what the run gives.
  const std::string passing = dir + "/fixed.plan";
  EXPECT_EQ(zsim("run --scenario reliable-network-fixed --seed 1 --json --save-regression " + passing).exit_code, 0);
  EXPECT_NE(zsim::testing::slurp(passing).find("# expect: ok\n"), std::string::npos);
  EXPECT_EQ(run_command(runner + passing).exit_code, 0);
  std::string wrong = zsim::testing::slurp(passing);
  wrong.replace(wrong.find("# expect: ok"), 12, "# expect: invariant");
  std::ofstream(dir + "/wrong.plan") << wrong;
  const auto caught = run_command(runner + dir + "/wrong.plan");
  EXPECT_EQ(caught.exit_code, 1);
  EXPECT_NE(caught.err.find("expected invariant, got ok"), std::string::npos) << caught.err;

  const auto nowhere = zsim("run --scenario reliable-network-fixed --seed 1 --save-regression " + dir + "/no/dir/x.plan");
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_EQ(nowhere.err, "zsim: cannot write the regression file '" + dir + "/no/dir/x.plan'\n");
}

TEST(ShrinkCli, HelpSaysWhatItKeepsAndWhatItWrites) {
  const auto r = zsim("shrink --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* needle : {"same verdict kind", "--out", "--max-runs", "--time-limit", "replays it"}) {
    EXPECT_NE(r.out.find(needle), std::string::npos) << needle << "\n" << r.out;
  }
}

}  // namespace
