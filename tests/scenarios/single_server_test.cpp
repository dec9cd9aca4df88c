// The single-server scenarios judge the real server and client library:
// sweeps of seeds pass against the correct server, the same seed gives the
// same fingerprint, and a deliberately broken server (acknowledging writes
// before they are durable) is caught by the linearizability check within a
// small sweep -- so the harness can fail, and does when it should.
#include "scenarios/scenario.h"
#include "tests/scenarios/run_seeds.h"

#include <gtest/gtest.h>

namespace zsim::scenarios {
namespace {

using test::run;

TEST(SingleServerScenarios, RegisterIsLinearizableUnderFaults) {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const RunResult r = run("single-register", seed);
    EXPECT_EQ(r.verdict, sim::Verdict::kOk) << "seed " << seed << ": " << r.message;
  }
}

TEST(SingleServerScenarios, SessionsKeepTheirEphemeralsExactlyWhileTheyLive) {
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const RunResult r = run("single-sessions", seed);
    EXPECT_EQ(r.verdict, sim::Verdict::kOk) << "seed " << seed << ": " << r.message;
  }
}

TEST(SingleServerScenarios, SameSeedSameFingerprint) {
  EXPECT_EQ(run("single-register", 7).fingerprint, run("single-register", 7).fingerprint);
  EXPECT_EQ(run("single-sessions", 7).fingerprint, run("single-sessions", 7).fingerprint);
  EXPECT_NE(run("single-register", 7).fingerprint, run("single-register", 8).fingerprint);
}

TEST(SingleServerScenarios, AServerThatAcksBeforeFsyncIsCaught) {
  int caught = 0;
  for (std::uint64_t seed = 1; seed <= 60 && caught == 0; ++seed) {
    const RunResult r = run("single-register-unsafe-ack", seed);
    if (r.verdict == sim::Verdict::kLinearizability) ++caught;
  }
  EXPECT_GT(caught, 0) << "no seed in 1..60 caught the lost acknowledged writes";
}

}  // namespace
}  // namespace zsim::scenarios
