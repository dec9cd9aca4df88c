// The input checks `zsim run`, `sweep` and `shrink` share: scenario, seed
// timeout, planted bug, plan file and --jobs, each turned into a value or a
// BadInput that the command prints as one line with exit status 2.
#pragma once

#include "core/server/planted_bugs.h"
#include "scenarios/scenario.h"
#include "tools/arguments.h"

#include <fmt/core.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <variant>

namespace zsim::tools {

// The default wall-clock limit of one seed (--seed-timeout). Seeds take
// milliseconds to seconds (tens of seconds in the sanitizer build); five
// minutes only ever stops a loop.
inline constexpr std::string_view kSeedTimeoutDefault = "5m";
// --jobs above this many per core only adds processes that wait.
inline constexpr unsigned kJobsPerCoreMax = 4;

inline constexpr const char* kSeedTimeoutHelp =
    "Wall-clock limit of one seed (default 5m; 0: none): a seed still running then is stopped "
    "and gets the verdict crash, with where it was (a loop inside one event)";

// Bad input: the message, then exit status 2.
struct BadInput {
  std::string message;
};

template <typename T>
T value_or_throw(Parsed<T> parsed) {
  if (auto* why = std::get_if<std::string>(&parsed)) throw BadInput{*why};
  return std::get<T>(std::move(parsed));
}

// A registered scenario, or bad input naming the known ones.
const scenarios::Scenario& scenario_or_throw(const std::string& name);

// --bug NAME: a planted bug of the catalog that the scenario's servers can
// carry ("" is none), or bad input naming the choices.
core::PlantedBug bug_or_throw(const std::string& name, const scenarios::Scenario& s);

std::string read_file_or_throw(const std::string& path, std::string_view what);

// A plan file that parses, names only the scenario's hosts and acts only
// in its safety phase.
sim::FaultPlan read_plan_or_throw(const std::string& path, const scenarios::Scenario& s);

// --seed-timeout: "0" (none) or a positive duration.
std::chrono::milliseconds seed_timeout_or_throw(const std::string& text);

// --jobs: 0 is one per core; capped at kJobsPerCoreMax per core and at the
// number of seeds.
std::size_t jobs_for(int asked, std::uint64_t seeds);

// Runs a command body, turning BadInput into the one-line message + exit 2.
template <typename F>
void guarded(int* exit_code, F&& body) {
  try {
    *exit_code = body();
  } catch (const BadInput& e) {
    fmt::print(stderr, "zsim: {}\n", e.message);
    *exit_code = 2;
  }
}

}  // namespace zsim::tools
