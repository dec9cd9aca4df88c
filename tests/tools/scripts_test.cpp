// The helper scripts and the ensemble scenarios, through the real binary:
//  - tools/main-job.sh (the README's first command) succeeds when the naive
//    ledger fails and the fixed one holds, says "unexpected" and exits 1
//    when the naive one passes too, and exits 2 without a build;
//  - tools/check-determinism.sh passes two identical binaries and fails,
//    naming the scenario, when the second binary's fingerprints differ;
//  - `zsim sweep` over every ensemble scenario: each seed's verdict and
//    fingerprint are those `zsim run` gives for it, and the broken
//    register-unsafe-commit is caught within a few seeds.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using zsim::testing::run_command;

const std::string kZsim = ZSIM_BINARY;
const std::string kSource = ZSIM_SOURCE_DIR;
// build/<preset>: the directory tools/main-job.sh takes.
const std::string kBuild = fs::path(kZsim).parent_path().parent_path().string();

bool has(const std::string& text, const std::string& needle) { return text.find(needle) != std::string::npos; }

TEST(Scripts, MainJobPassesWhenTheNaiveLedgerFailsAndTheFixedOneHolds) {
  const auto r = run_command(kSource + "/tools/main-job.sh " + kBuild + " 1..10");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(has(r.out, "== reliable-network-naive")) << r.out;
  EXPECT_TRUE(has(r.out, "reproduce: zsim run --scenario reliable-network-naive --seed ")) << r.out;
  EXPECT_TRUE(has(r.out, "reliable-network-fixed: 10 seeds (1..10), 10 ok, 0 failed")) << r.out;
  EXPECT_TRUE(has(r.out, "main-job: as expected: the naive protocol failed, the fixed one held.")) << r.out;
}

TEST(Scripts, MainJobSaysSoWhenTheLessonDoesNotShow) {
  // Seed 34 happens to be one the naive ledger survives.
  const auto r = run_command(kSource + "/tools/main-job.sh " + kBuild + " 34..34");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(has(r.err, "main-job: unexpected: naive exit 0 (want 1), fixed exit 0 (want 0)")) << r.err;
  const auto missing = run_command(kSource + "/tools/main-job.sh /nonexistent");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_TRUE(has(missing.err, "main-job: /nonexistent/tools/zsim not found")) << missing.err;
}

TEST(Scripts, CheckDeterminismComparesTwoBuildsSeedBySeed) {
#ifdef ZSIM_ASAN
  // Under the sanitizers this test of the script costs three minutes (every
  // scenario, four sweeps each), and proves nothing the release build's run
  // does not: .ci/run's determinism stage runs the script itself on the
  // sanitizer build's zsim.
  GTEST_SKIP() << "the script is tested in the release build; .ci/run runs it on this build";
#endif
  // One seed of every listed scenario (the sanitizer build runs this too:
  // the stage of .ci/run that compares two builds does the real work).
  const auto same = run_command(kSource + "/tools/check-determinism.sh " + kZsim + " " + kZsim + " 1..1");
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_TRUE(has(same.out, "check-determinism: register: 1 seeds, same fingerprints")) << same.out;
  EXPECT_TRUE(has(same.out, "check-determinism: single-sessions: 1 seeds, same fingerprints")) << same.out;
  EXPECT_FALSE(has(same.out, "selftest")) << "hidden scenarios are not compared";

  // A second "build" whose sessions fingerprints differ.
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string other = dir + "/zsim";
  std::ofstream(other) << "#!/bin/sh\n"
                       << "if [ \"$3\" = sessions ]; then\n"
                       << "  " << kZsim << " \"$@\" | sed 's/\"fingerprint\":\"./\"fingerprint\":\"x/'\n"
                       << "else\n"
                       << "  exec " << kZsim << " \"$@\"\n"
                       << "fi\n";
  fs::permissions(other, fs::perms::owner_all);
  const auto differ = run_command(kSource + "/tools/check-determinism.sh " + kZsim + " " + other + " 1..1");
  EXPECT_EQ(differ.exit_code, 1) << differ.out << differ.err;
  EXPECT_TRUE(has(differ.err, "check-determinism: sessions: fingerprints differ between the two builds:"))
      << differ.err;
  EXPECT_TRUE(has(differ.out, "check-determinism: register: 1 seeds, same fingerprints")) << differ.out;
  fs::remove_all(dir);
}

nlohmann::json run_json(const std::string& args) {
  const auto r = run_command(kZsim + " " + args);
  const auto lines = r.out_lines();
  return lines.empty() ? nlohmann::json{} : nlohmann::json::parse(lines.back());
}

TEST(EnsembleSweeps, EverySeedMatchesItsOwnRun) {
  for (const char* scenario : {"register", "kv", "sequential", "sessions"}) {
    const auto r = run_command(kZsim + " sweep --scenario " + scenario + " --seeds 11..12 --jobs 2 --json");
    EXPECT_EQ(r.exit_code, 0) << scenario << ": " << r.out << r.err;
    const auto lines = r.out_lines();
    ASSERT_EQ(lines.size(), 3u) << r.out;
    for (int i = 0; i < 2; ++i) {
      const auto swept = nlohmann::json::parse(lines[static_cast<std::size_t>(i)]);
      const auto alone = run_json(std::string("run --scenario ") + scenario + " --seed " + std::to_string(11 + i) +
                                  " --json");
      EXPECT_EQ(swept["verdict"], "ok") << swept.dump();
      EXPECT_EQ(swept["fingerprint"], alone["fingerprint"]) << scenario << " seed " << 11 + i;
      EXPECT_EQ(swept["events"], alone["events"]);
    }
    EXPECT_EQ(nlohmann::json::parse(lines.back())["failed"], 0);
  }
}

TEST(EnsembleSweeps, TheBrokenLeaderIsCaught) {
  const auto r = run_command(kZsim + " sweep --scenario register-unsafe-commit --seeds 1..12 --jobs 2");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_TRUE(has(r.out, "register-unsafe-commit: 12 seeds (1..12), 8 ok, 4 failed (4 invariant)")) << r.out;
  EXPECT_TRUE(has(r.out, "reproduce: zsim run --scenario register-unsafe-commit --seed ")) << r.out;
}

}  // namespace
