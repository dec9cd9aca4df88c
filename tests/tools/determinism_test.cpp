// Determinism across processes: proves that the same seed gives the same
// fingerprint when the built `zsim` binary runs it in two separate processes
// (fresh address space, fresh allocator, so nothing process-specific such
// as pointer values or allocation order can leak into a run), and that a
// different seed gives a different fingerprint. It runs
// `zsim run --scenario reliable-network-naive --seed N --json` and reads the
// JSON object on the last line of its output.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

nlohmann::json run_zsim(std::uint64_t seed) {
  const std::string cmd = std::string(ZSIM_BINARY) + " run --scenario reliable-network-naive --seed " +
                          std::to_string(seed) + " --json";
  const zsim::testing::CommandResult r = zsim::testing::run_command(cmd);
  const auto lines = r.out_lines();
  EXPECT_FALSE(lines.empty()) << cmd << "\nstderr: " << r.err;
  if (lines.empty()) return {};
  // Exit status: 0 for ok, non-zero for a failing verdict; both are fine here.
  EXPECT_TRUE(nlohmann::json::accept(lines.back())) << lines.back();
  return nlohmann::json::parse(lines.back(), nullptr, /*allow_exceptions=*/false);
}

TEST(Determinism, SameSeedSameFingerprintInTwoProcesses) {
  for (std::uint64_t seed : {1U, 7U, 42U}) {
    const nlohmann::json a = run_zsim(seed);
    const nlohmann::json b = run_zsim(seed);
    ASSERT_TRUE(a.contains("fingerprint")) << a.dump();
    ASSERT_TRUE(b.contains("fingerprint")) << b.dump();
    EXPECT_EQ(a["fingerprint"], b["fingerprint"]) << "seed " << seed;
    EXPECT_EQ(a["fingerprint"].get<std::string>().size(), 16U);
    EXPECT_EQ(a["events"], b["events"]);
    EXPECT_EQ(a["sim_time_ns"], b["sim_time_ns"]);
    EXPECT_EQ(a["verdict"], b["verdict"]);
    EXPECT_EQ(a["seed"], seed);
  }
}

TEST(Determinism, DifferentSeedsDifferentFingerprints) {
  const nlohmann::json a = run_zsim(1);
  const nlohmann::json b = run_zsim(2);
  ASSERT_TRUE(a.contains("fingerprint") && b.contains("fingerprint"));
  EXPECT_NE(a["fingerprint"], b["fingerprint"]);
}

}  // namespace
