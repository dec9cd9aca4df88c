// The read/write lock and semaphore scenarios end to end, as `zsim run`
// runs them: rwlock and semaphore pass their first seeds under the generated
// faults (client pauses longer than the sessions included); each naive one
// fails on a named seed with the reason its check prints; a seed reproduces
// its fingerprint.
#include "scenarios/scenario.h"
#include "tests/scenarios/run_seeds.h"

#include <gtest/gtest.h>

#include <string>

namespace zsim::scenarios {
namespace {

using test::expect_seeds_pass;
using test::run;

TEST(RwLockAndSemaphoreScenarios, TheReadWriteLockKeepsWritersAloneAndIsLive) { expect_seeds_pass("rwlock", 1, 3); }

TEST(RwLockAndSemaphoreScenarios, TheSemaphoreKeepsToItsLeasesAndIsLive) { expect_seeds_pass("semaphore", 1, 3); }

// rwlock seed 31 stalled in the prototype: a release that gave up left a
// read node no later lock object could find, and writers waited behind it
// for as long as its session lived. semaphore seed 122 stalled the same way
// (a leftover lease counted by the lock's holder while its owner waited for
// the lock).
TEST(RwLockAndSemaphoreScenarios, TheSeedsThatStalledPass) {
  const RunResult rw = run("rwlock", 31);
  EXPECT_EQ(rw.verdict, sim::Verdict::kOk) << rw.message;
  const RunResult sem = run("semaphore", 122);
  EXPECT_EQ(sem.verdict, sim::Verdict::kOk) << sem.message;
}

TEST(RwLockAndSemaphoreScenarios, AReaderThatWaitsOnNothingIsCaught) {
  const RunResult r = run("rwlock-naive", 1);
  EXPECT_EQ(r.verdict, sim::Verdict::kInvariant) << r.message;
  EXPECT_NE(r.message.find("fence-refuses-only-lost-locks"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("was still live"), std::string::npos) << r.message;
}

TEST(RwLockAndSemaphoreScenarios, AnUnfencedSemaphoreLetsAPausedHolderActBesideTwoOthers) {
  const RunResult r = run("semaphore-naive", 2);
  EXPECT_EQ(r.verdict, sim::Verdict::kInvariant) << r.message;
  EXPECT_NE(r.message.find("3 holders act on /pool at once, with 2 leases"), std::string::npos) << r.message;
}

TEST(RwLockAndSemaphoreScenarios, SameSeedSameFingerprint) {
  for (const char* name : {"rwlock", "semaphore"}) {
    const RunResult a = run(name, 5);
    const RunResult b = run(name, 5);
    EXPECT_EQ(a.fingerprint, b.fingerprint) << name;
    EXPECT_NE(a.fingerprint, run(name, 6).fingerprint) << name;
  }
}

}  // namespace
}  // namespace zsim::scenarios
