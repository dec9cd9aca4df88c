#include "tools/run_input.h"

#include "core/io/quote.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

namespace zsim::tools {

const scenarios::Scenario& scenario_or_throw(const std::string& name) {
  const scenarios::Scenario* s = scenarios::find_scenario(name);
  if (s == nullptr) {
    std::string known;
    for (const scenarios::Scenario& x : scenarios::all_scenarios()) {
      if (!x.hidden) known += (known.empty() ? "" : ", ") + x.name;
    }
    throw BadInput{fmt::format("unknown scenario {} (known: {})", quote_input(name), known)};
  }
  return *s;
}

core::PlantedBug bug_or_throw(const std::string& name, const scenarios::Scenario& s) {
  if (name.empty()) return core::PlantedBug::kNone;
  const std::optional<core::PlantedBug> bug = core::find_planted_bug(name);
  if (!bug) {
    std::string known;
    for (const core::PlantedBugInfo& b : core::kPlantedBugs) known += (known.empty() ? "" : ", ") + std::string(b.name);
    throw BadInput{fmt::format("unknown planted bug {} (`zsim bugs` lists them: {})", quote_input(name), known)};
  }
  if (std::string why = scenarios::bug_error_for(s, *bug); !why.empty()) throw BadInput{why};
  return *bug;
}

std::string read_file_or_throw(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw BadInput{fmt::format("cannot read {} {}: it is a directory", what, quote_input(path))};
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  if (in) buf << in.rdbuf();
  if (!in || in.bad()) throw BadInput{fmt::format("cannot read {} {}", what, quote_input(path))};
  return buf.str();
}

sim::FaultPlan read_plan_or_throw(const std::string& path, const scenarios::Scenario& s) {
  const std::string text = read_file_or_throw(path, "plan file");
  std::vector<int> lines;
  auto parsed = sim::parse_plan(text, &lines);
  if (auto* err = std::get_if<sim::PlanParseError>(&parsed)) {
    throw BadInput{fmt::format("plan file {}: {}", quote_input(path), err->to_string())};
  }
  sim::FaultPlan plan = std::get<sim::FaultPlan>(std::move(parsed));
  if (std::string problem = scenarios::validate_for(s, plan); !problem.empty()) {
    throw BadInput{fmt::format("plan file {}: {}", quote_input(path), problem)};
  }
  // Faults belong to the safety phase: the liveness phase heals everything
  // and must see no new fault, so a later event is a mistake, not a no-op.
  for (std::size_t i = 0; i < plan.events.size(); ++i) {
    if (plan.events[i].at > s.safety_phase) {
      throw BadInput{fmt::format("plan file {}: line {}: {} is after the end of the safety phase ({}) of "
                                 "scenario {}; faults happen only in the safety phase",
                                 quote_input(path), lines[i], sim::print_event(plan.events[i]),
                                 format_duration(s.safety_phase), s.name)};
    }
  }
  return plan;
}

std::chrono::milliseconds seed_timeout_or_throw(const std::string& text) {
  if (text == "0") return std::chrono::milliseconds{0};
  const Duration d = value_or_throw(parse_positive_duration(text, "--seed-timeout"));
  return std::max(std::chrono::milliseconds{1}, std::chrono::duration_cast<std::chrono::milliseconds>(d));
}

std::size_t jobs_for(int asked, std::uint64_t seeds) {
  if (asked < 0) throw BadInput{"--jobs must be at least 1 (0: one per core)"};
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::size_t jobs = asked > 0 ? static_cast<std::size_t>(asked) : cores;
  if (jobs > std::size_t{kJobsPerCoreMax} * cores) {
    const std::size_t capped = std::size_t{kJobsPerCoreMax} * cores;
    fmt::print(stderr, "zsim: --jobs {} is more than {} per core ({} cores); using {}\n", asked, kJobsPerCoreMax,
               cores, capped);
    jobs = capped;
  }
  return static_cast<std::size_t>(std::clamp<std::uint64_t>(seeds, 1, jobs));
}

}  // namespace zsim::tools
