// Running registered scenarios by name in tests, as `zsim run` does: one
// seed, or a range of seeds that must all pass. Shared by the scenario tests.
#pragma once

#include "scenarios/scenario.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace zsim::scenarios::test {

// Runs seed `seed` of the scenario `name` with its generated fault plan.
inline RunResult run(const std::string& name, std::uint64_t seed) {
  const Scenario* s = find_scenario(name);
  EXPECT_NE(s, nullptr) << name;
  if (s == nullptr) {
    RunResult missing;  // never ok: a test of a missing scenario fails
    missing.verdict = sim::Verdict::kCrash;
    missing.message = "no scenario named " + name;
    return missing;
  }
  RunOptions options;
  options.seed = seed;
  return run_scenario(*s, options);
}

// Every seed in [first, last] of `name` passes.
inline void expect_seeds_pass(const std::string& name, std::uint64_t first, std::uint64_t last) {
  for (std::uint64_t seed = first; seed <= last; ++seed) {
    const RunResult r = run(name, seed);
    EXPECT_EQ(r.verdict, sim::Verdict::kOk) << name << " seed " << seed << ": " << r.message;
  }
}

}  // namespace zsim::scenarios::test
