// zsim shrink: the smallest fault plan that still fails a seed the same way.
//
// A failing seed comes with the plan its seed generated (or the one given
// with --plan); this runs the seed again under smaller and simpler plans
// (sim/plan_shrink.h: delta debugging over events, then simpler events)
// and keeps the first that fails with the same verdict kind -- and for an
// invariant, the same invariant -- so the shrunk plan shows the same bug,
// not another one that fewer faults happen to expose. The workload keeps
// the seed: only the faults change.
//
// Candidates run like sweep seeds, in --jobs worker processes
// (tools/isolation.h): a candidate that crashes a server is a verdict
// `crash`, not the end of zsim. Wall-clock time appears here only for the
// --time-limit and the progress lines; it never reaches a simulation.
#include "core/io/quote.h"
#include "scenarios/scenario.h"
#include "sim/plan_shrink.h"
#include "tools/commands.h"
#include "tools/isolation.h"
#include "tools/regression_file.h"
#include "tools/run_input.h"

#include <fmt/core.h>

#include <chrono>
#include <fstream>
#include <memory>

namespace zsim::tools {
namespace {

using scenarios::RunResult;
using scenarios::Scenario;

struct ShrinkArgs {
  std::string scenario;
  std::string seed;
  std::string plan_file;
  std::string bug;
  std::string out;
  int jobs = 0;
  std::size_t max_runs = 2000;
  std::string time_limit = "10m";
  std::string seed_timeout{kSeedTimeoutDefault};
};


// What a candidate must reproduce.
struct Target {
  sim::Verdict verdict = sim::Verdict::kOk;
  std::string invariant;  // for kInvariant

  bool matches(const RunResult& r) const {
    if (r.verdict != verdict) return false;
    return verdict != sim::Verdict::kInvariant || invariant_name(r.message) == invariant;
  }
  std::string to_string() const {
    if (verdict != sim::Verdict::kInvariant || invariant.empty()) return sim::to_string(verdict);
    return fmt::format("invariant {}", invariant);
  }
};

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Runs the scenario's seed under each plan, in worker processes.
class PlanRunner {
 public:
  PlanRunner(const Scenario& s, std::uint64_t seed, core::PlantedBug bug, std::size_t jobs,
             std::chrono::milliseconds seed_timeout)
      : s_(s), seed_(seed), bug_(bug) {
    isolation_.jobs = jobs;
    isolation_.seed_timeout = seed_timeout;
    isolation_.scenario = s.name;
    isolation_.bug = bug;
  }

  std::vector<RunResult> run(const std::vector<sim::FaultPlan>& plans) {
    std::vector<RunResult> results(plans.size());
    IsolationOptions isolation = isolation_;
    isolation.jobs = std::min(isolation.jobs, std::max<std::size_t>(1, plans.size()));
    // The index of a plan stands in for the seed: every candidate runs the
    // same seed, under its own plan.
    run_seeds_isolated(
        plans.size(), [](std::uint64_t i) { return i; },
        [this, &plans](std::uint64_t i) {
          scenarios::RunOptions options;
          options.seed = seed_;
          options.params.bug = bug_;
          options.plan = plans[i];
          return scenarios::run_scenario(s_, options);
        },
        isolation, [](const SeedOutcome&) {},
        [&results](const SeedOutcome& o) { results[o.index] = o.result; });
    return results;
  }

 private:
  const Scenario& s_;
  std::uint64_t seed_;
  core::PlantedBug bug_;
  IsolationOptions isolation_;
};

std::string default_out(const Scenario& s, std::uint64_t seed) {
  return fmt::format("shrunk-{}-seed-{}.plan", s.name, seed);
}

int do_shrink(const ShrinkArgs& args) {
  const Scenario& s = scenario_or_throw(args.scenario);
  const std::uint64_t seed = value_or_throw(parse_seed(args.seed));
  const core::PlantedBug bug = bug_or_throw(args.bug, s);
  const Duration limit = value_or_throw(parse_positive_duration(args.time_limit, "--time-limit"));
  if (args.max_runs == 0) throw BadInput{"--max-runs must be at least 1"};
  const sim::FaultPlan original =
      args.plan_file.empty() ? scenarios::plan_for_seed(s, seed) : read_plan_or_throw(args.plan_file, s);
  const std::string out = args.out.empty() ? default_out(s, seed) : args.out;

  PlanRunner runner(s, seed, bug, jobs_for(args.jobs, args.max_runs), seed_timeout_or_throw(args.seed_timeout));
  const auto start = std::chrono::steady_clock::now();
  const RunResult first = runner.run({original}).front();
  if (first.verdict == sim::Verdict::kOk) {
    throw BadInput{fmt::format("scenario {} seed {} passes under {}: nothing to shrink (shrink a failing seed: "
                               "`zsim sweep` lists them)",
                               s.name, seed, args.plan_file.empty() ? "its plan" : "that plan")};
  }
  {
    // Fail now, not after minutes of shrinking, if the result cannot be kept.
    std::ofstream probe(out, std::ios::app);
    if (!probe) throw BadInput{fmt::format("cannot write the shrunk plan to {}", quote_input(out))};
  }
  Target target{first.verdict, first.verdict == sim::Verdict::kInvariant ? invariant_name(first.message) : ""};
  fmt::print(stderr, "shrink {} seed {}: {} with {} fault events; shrinking (at most {} runs, {})\n", s.name, seed,
             target.to_string(), original.events.size(), args.max_runs, format_duration(limit));

  sim::ShrinkCallbacks cb;
  cb.still_fails = [&](const std::vector<sim::FaultPlan>& plans) {
    std::vector<bool> fails;
    for (const RunResult& r : runner.run(plans)) fails.push_back(target.matches(r));
    return fails;
  };
  cb.valid = [&s](const sim::FaultPlan& p) { return scenarios::validate_for(s, p).empty(); };
  cb.on_step = [&](const sim::ShrinkProgress& p) {
    fmt::print(stderr, "shrink: {} events after {} runs, {:.1f} s ({})\n", p.events, p.runs, seconds_since(start),
               p.step);
  };
  const double limit_s = std::chrono::duration<double>(limit).count();
  cb.should_stop = [&] { return seconds_since(start) > limit_s; };
  sim::ShrinkOptions options;
  options.max_runs = args.max_runs;
  options.batch = jobs_for(args.jobs, args.max_runs);
  const sim::ShrinkResult r = sim::shrink_plan(original, cb, options);
  const double took = seconds_since(start);

  // The shrunk plan's own message, for the file (one more run).
  const RunResult last = runner.run({r.plan}).front();
  RunResult described = last;  // a worker's result: name what it ran
  described.scenario = s.name;
  described.seed = seed;
  described.bug = bug;
  const std::string replay = scenarios::reproduce_command(described, out);
  const std::string text = regression_text(
      described, r.plan,
      {fmt::format("zsim shrink: from {} fault events to {} in {} runs ({:.1f} s){}", original.events.size(),
                   r.plan.events.size(), r.runs, took,
                   r.budget_spent ? "; stopped at --max-runs" : r.stopped ? "; stopped at --time-limit" : ""),
       fmt::format("replay: {}", replay)});
  std::ofstream file(out, std::ios::trunc);
  file << text;
  file.close();
  if (!file) throw BadInput{fmt::format("cannot write the shrunk plan to {}", quote_input(out))};

  fmt::print("{}", text);
  fmt::print("{} fault events (from {}), {} runs, {:.1f} s; written to {}\n", r.plan.events.size(),
             original.events.size(), r.runs, took, out);
  if (r.budget_spent || r.stopped) {
    fmt::print("stopped at the {} before a minimum: raise it to shrink further\n",
               r.budget_spent ? "--max-runs budget" : "--time-limit");
  }
  fmt::print("replay: {}\n", replay);
  if (!target.matches(last)) {
    // Cannot happen for a deterministic run: every kept plan failed so.
    fmt::print(stderr, "zsim: the shrunk plan no longer fails as {} (got {}): a run that is not deterministic?\n",
               target.to_string(), sim::to_string(last.verdict));
    return 3;
  }
  return 0;
}

}  // namespace

void add_shrink_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ShrinkArgs>();
  CLI::App* cmd = app.add_subcommand("shrink", "Shrink a failing seed's fault plan to the fewest, simplest faults");
  cmd->footer(
      "Runs the seed under smaller plans (fewer events, then fewer hosts in a partition, shorter\n"
      "pauses and downtimes, lower rates, earlier times) and keeps each one that fails with the\n"
      "same verdict kind (for an invariant, the same invariant). The workload keeps the seed;\n"
      "only the faults change. Prints a line per step on stderr, then the shrunk plan, its size\n"
      "and the command that replays it, and writes the plan (with what it reproduces, in comment\n"
      "lines) to --out. Exit status: 0 shrunk, 2 bad input (or the seed passes), 3 the shrunk\n"
      "plan did not fail again (a run that is not deterministic).");
  cmd->add_option("--scenario", args->scenario, "Scenario name (see `zsim list`)")->required();
  cmd->add_option("--seed", args->seed, "The failing seed")->required();
  cmd->add_option("--plan", args->plan_file, "Shrink this plan file instead of the one the seed generates");
  cmd->add_option("--bug", args->bug, "The planted bug the seed failed with (`zsim bugs`)");
  cmd->add_option("--out", args->out, "Where to write the shrunk plan (default: shrunk-SCENARIO-seed-N.plan)");
  cmd->add_option("--jobs", args->jobs, "Candidate plans run at once in worker processes (default: one per core)");
  cmd->add_option("--max-runs", args->max_runs, "At most this many candidate runs (default 2000)");
  cmd->add_option("--time-limit", args->time_limit,
                  "Stop after this long (wall clock; default 10m) with the smallest plan found so far");
  cmd->add_option("--seed-timeout", args->seed_timeout, kSeedTimeoutHelp);
  cmd->callback([args, exit_code] { guarded(exit_code, [&] { return do_shrink(*args); }); });
}

}  // namespace zsim::tools
