// The lock and barrier scenarios end to end, as `zsim run` runs them: each
// correct one passes its first seeds under the generated faults; each naive
// one fails on a named seed, with the reason the check prints; a seed
// reproduces its fingerprint.
#include "scenarios/scenario.h"
#include "tests/scenarios/run_seeds.h"

#include <gtest/gtest.h>

#include <string>

namespace zsim::scenarios {
namespace {

using test::expect_seeds_pass;
using test::run;

TEST(LockScenarios, TheLockIsExclusiveAndLive) { expect_seeds_pass("lock", 1, 3); }

TEST(LockScenarios, TheDoubleBarrierHoldsItsParticipants) { expect_seeds_pass("double-barrier", 1, 3); }

TEST(LockScenarios, TheBarrierHoldsItsWaiters) { expect_seeds_pass("barrier", 1, 3); }

TEST(LockScenarios, TheLockWithoutProtectedNamesIsCaught) {
  const RunResult r = run("lock-unprotected-naive", 2);
  EXPECT_EQ(r.verdict, sim::Verdict::kLiveness) << r.message;
  EXPECT_NE(r.message.find("an orphan"), std::string::npos) << r.message;
}

TEST(LockScenarios, TheDoubleBarrierWithoutTheReCheckIsCaught) {
  const RunResult r = run("double-barrier-naive", 1);
  EXPECT_EQ(r.verdict, sim::Verdict::kInvariant) << r.message;
  EXPECT_NE(r.message.find("enters-after-n-arrived"), std::string::npos) << r.message;
}

TEST(LockScenarios, SameSeedSameFingerprint) {
  for (const char* name : {"lock", "double-barrier"}) {
    const RunResult a = run(name, 5);
    const RunResult b = run(name, 5);
    EXPECT_EQ(a.fingerprint, b.fingerprint) << name;
    EXPECT_NE(a.fingerprint, run(name, 6).fingerprint) << name;
  }
}

}  // namespace
}  // namespace zsim::scenarios
