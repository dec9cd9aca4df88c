// The planted-bug catalog stays caught: for every bug with a safety symptom,
// one named seed of one scenario fails with the named check when the bug is
// planted, and the same seed passes on the sound server.
//
// tools/bug-report.sh measures the kill rates over ranges of seeds, but
// only when someone runs it. This test is the tripwire between two reports:
// a change that blunts a check (a weaker invariant, a monitor that misses a
// fork) or a fault mix that no longer reaches a bug's state fails here, in
// CI, naming the bug. A deliberate change that moves the seeds (a new draw
// in the plan generator; the golden fingerprints fail too) needs new seeds
// here: `zsim sweep --scenario S --seeds 1..200 --bug B` lists them.
#include "core/server/planted_bugs.h"
#include "scenarios/scenario.h"

#include <gtest/gtest.h>

#include <string>

namespace zsim::scenarios {
namespace {

struct Caught {
  core::PlantedBug bug;
  const char* scenario;
  std::uint64_t seed;
  const char* check;  // how the message starts: the invariant's name
};

// The first seed of docs/bug-catalog.md's table (or one close to it).
constexpr Caught kCaught[] = {
    {core::PlantedBug::kDiffWithoutTrunc, "register", 1, "primary-order"},
    {core::PlantedBug::kTruncOffByOne, "register", 1, "committed-prefix"},
    {core::PlantedBug::kNewLeaderAckBeforeSync, "queue", 13, "lost-commit"},
    {core::PlantedBug::kEpochAtUpToDate, "register-handover", 1, "primary-order"},
    {core::PlantedBug::kLastZxidBeforeSync, "register", 13, "lost-commit"},
    {core::PlantedBug::kAckBeforeSync, "register-reboots", 27, "lost-commit"},
    {core::PlantedBug::kLeaderNeverStepsDown, "sessions", 5, "session-liveness"},
    {core::PlantedBug::kCommitBeforeQuorum, "kv", 1, "lost-commit"},
};

RunResult run_with(const Caught& c, core::PlantedBug bug) {
  const Scenario* s = find_scenario(c.scenario);
  EXPECT_NE(s, nullptr) << c.scenario;
  if (s == nullptr) return {};
  EXPECT_EQ(bug_error_for(*s, bug), "");
  RunOptions options;
  options.seed = c.seed;
  options.params.bug = bug;
  return run_scenario(*s, options);
}

TEST(PlantedBugs, EveryBugWithASafetySymptomIsCaughtByItsCheckOnItsSeed) {
  for (const Caught& c : kCaught) {
    const std::string name(core::planted_bug_info(c.bug)->name);
    const RunResult planted = run_with(c, c.bug);
    EXPECT_EQ(planted.verdict, sim::Verdict::kInvariant)
        << name << " on " << c.scenario << " seed " << c.seed << ": " << planted.message;
    EXPECT_EQ(planted.message.rfind(std::string(c.check) + ":", 0), 0u)
        << name << " on " << c.scenario << " seed " << c.seed << " should fail " << c.check << ", got: "
        << planted.message;
    const RunResult sound = run_with(c, core::PlantedBug::kNone);
    EXPECT_EQ(sound.verdict, sim::Verdict::kOk)
        << c.scenario << " seed " << c.seed << " fails without a planted bug: " << sound.message;
  }
}

TEST(PlantedBugs, TheTableNamesEveryBugOfTheCatalogButTheLivenessOne) {
  for (const core::PlantedBugInfo& info : core::kPlantedBugs) {
    bool listed = info.bug == core::PlantedBug::kVoteWithoutEpoch;  // liveness only: docs/bug-catalog.md
    for (const Caught& c : kCaught) listed = listed || c.bug == info.bug;
    EXPECT_TRUE(listed) << info.name << " has no seed in kCaught: find one with tools/bug-report.sh";
  }
}

}  // namespace
}  // namespace zsim::scenarios
