// Golden fingerprints: one fixed seed of every listed scenario must give the
// fingerprint written here, in every build type and checkout.
//
// Other tests prove that a seed reproduces its own fingerprint within one
// build; none would notice that a change made every seed run differently (a
// new draw from a random stream, a reordered event, a changed default), so
// that the seeds in bug reports and docs no longer reproduce what they
// described. This one does. When such a change is deliberate, update the
// table from the failure message (it prints the line to paste) and give the
// reason in the commit message.
#include "scenarios/scenario.h"

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <string>

namespace zsim::scenarios {
namespace {

struct Golden {
  const char* scenario;
  std::uint64_t seed;
  const char* fingerprint;
  const char* verdict;
};

// Seed 7 of each scenario in `zsim list` (zsim run --scenario S --seed 7 --json).
constexpr Golden kGolden[] = {
    {"consensus", 7, "efcd418456a44a18", "ok"},
    {"consensus-naive", 7, "0e30c90c1d30fe5e", "invariant"},
    {"counter", 7, "2056eadb40d76ad6", "ok"},
    {"counter-naive", 7, "a3a133b2b5210209", "invariant"},
    {"election-herd", 7, "70e1215072a38047", "ok"},
    {"election-herd-free", 7, "7e27090c7e44f8b1", "ok"},
    {"election-herd-free-naive", 7, "50d4530d260c863c", "invariant"},
    {"election-herd-naive", 7, "6c4c21d5b91177c3", "ok"},
    {"election-master", 7, "eb76479cba32ca7d", "ok"},
    {"election-unfenced-pause-naive", 7, "1f4f6486c64cd635", "ok"},
    {"ephemerals", 7, "6f8858bf36382935", "ok"},
    {"kv", 7, "1272bdd83b07ec12", "ok"},
    {"multi", 7, "baab8fe47b086f99", "ok"},
    {"queue", 7, "9c80c0ab76517734", "ok"},
    {"queue-at-least-once", 7, "4c7b538a18e57801", "ok"},
    {"queue-at-least-once-naive", 7, "3490bf2c455d4ec1", "invariant"},
    {"queue-at-most-once", 7, "eefdeeca53b58da6", "ok"},
    {"queue-at-most-once-naive", 7, "92f2b2d39345bf45", "invariant"},
    {"reelection", 7, "47b9db4212195d19", "ok"},
    {"reelection-unwatched-naive", 7, "c3c7d51474e995d6", "liveness"},
    {"register", 7, "4bb466082dcdeb26", "ok"},
    {"register-handover", 7, "071491c503955c9f", "ok"},
    {"register-reboots", 7, "def0dff6d461f89d", "ok"},
    {"register-unsafe-commit", 7, "3c7cf427afff804a", "invariant"},
    {"reliable-network-fixed", 7, "1adf69dcb4d9e402", "ok"},
    {"reliable-network-naive", 7, "af2892512aa294a6", "invariant"},
    {"sequential", 7, "95c7f8a96b865165", "ok"},
    {"sessions", 7, "51fe7f02a9e734d1", "ok"},
    {"single-register", 7, "c8ab726c4199d32e", "ok"},
    {"single-register-unsafe-ack", 7, "a17bd1d5617f3e0b", "ok"},
    {"single-sessions", 7, "59efe9c69908ad3d", "ok"},
    {"watches", 7, "434b42d1214b004f", "ok"},
    {"registry", 7, "fafd8496ff1adb8d", "ok"},
    {"registry-read-once-naive", 7, "8c6a3b750c417220", "liveness"},
    {"registry-persistent-naive", 7, "b1c847a4c9b1114a", "ok"},
    {"server-replacement", 7, "ab8dd112a32864cc", "ok"},
    {"server-replacement-naive", 7, "78f2b6fe2ddaffbc", "liveness"},
    {"paused-leader-naive", 7, "69d7da658e135ceb", "ok"},
    {"paused-leader-fenced", 7, "bc835e26aef68df0", "ok"},
    {"insecure-network-naive", 7, "7310e897dc6423fd", "invariant"},
    {"insecure-network-acl", 7, "9c6de6ec9e0a4612", "ok"},
    {"one-administrator-naive", 7, "69c9e205ea2566ce", "ok"},
    {"one-administrator", 7, "97597ca1ead38054", "ok"},
    {"transport-cost-is-zero-naive", 7, "9d131a9030caf970", "invariant"},
    {"transport-cost-is-zero", 7, "7e285a68773afa5a", "ok"},
    {"network-is-homogeneous-naive", 7, "a4217863ce2e953c", "liveness"},
    {"network-is-homogeneous", 7, "3932fd205cf3e212", "ok"},
    {"config", 7, "31c4c0e9adc6c39d", "ok"},
    {"config-unversioned-naive", 7, "6ecc78b7a69e6fe8", "invariant"},
    {"auto-healer", 7, "f3684d11e8480a9e", "ok"},
    {"auto-healer-storm", 7, "37fa286d0624a50d", "ok"},
    {"auto-healer-read-once-naive", 7, "e13f71d7b98e456f", "liveness"},
    {"work-queue", 7, "edf4e6d91d8e1d6c", "ok"},
    {"work-queue-no-recovery-naive", 7, "64973a3e2b8862e4", "ok"},
    // Locks and barriers.
    {"barrier", 7, "e278bcae22e240c5", "ok"},
    {"double-barrier", 7, "7884668fe6971a25", "ok"},
    {"double-barrier-naive", 7, "30b1591a5f5d3dba", "invariant"},
    {"lock", 7, "ba614cbebc3f5c31", "ok"},
    {"lock-unprotected-naive", 7, "ad0d66562b828164", "liveness"},
    // Read/write lock and semaphore.
    {"rwlock", 7, "0ee708c232a95fe5", "ok"},
    {"rwlock-naive", 7, "75112edc367c4386", "invariant"},
    {"semaphore", 7, "1a535dd761238e86", "ok"},
    {"semaphore-naive", 7, "f4d102540dd652ce", "ok"},
};

TEST(GoldenFingerprints, EveryListedScenarioHasOne) {
  for (const Scenario& s : all_scenarios()) {
    if (s.hidden) continue;
    bool found = false;
    for (const Golden& g : kGolden) found = found || s.name == g.scenario;
    EXPECT_TRUE(found) << "scenario " << s.name << " has no golden fingerprint: add "
                       << "zsim run --scenario " << s.name << " --seed 7 --json's fingerprint to kGolden";
  }
}

TEST(GoldenFingerprints, FixedSeedsGiveTheirRecordedFingerprints) {
  for (const Golden& g : kGolden) {
    const Scenario* s = find_scenario(g.scenario);
    ASSERT_NE(s, nullptr) << g.scenario;
    RunOptions options;
    options.seed = g.seed;
    const RunResult r = run_scenario(*s, options);
    const std::string got = fmt::format("{:016x}", r.fingerprint);
    EXPECT_EQ(got, g.fingerprint) << "the fingerprint of " << g.scenario << " seed " << g.seed
                                  << " changed. If that is deliberate, replace its line with\n"
                                  << fmt::format("    {{\"{}\", {}, \"{}\", \"{}\"}},", g.scenario, g.seed, got,
                                                 sim::to_string(r.verdict))
                                  << "\nand say why in the commit message.";
    EXPECT_EQ(sim::to_string(r.verdict), std::string(g.verdict)) << g.scenario << ": " << r.message;
  }
}

}  // namespace
}  // namespace zsim::scenarios
