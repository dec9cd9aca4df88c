// zsim run / sweep / plan / list: running scenarios.
//
// Runs happen in child processes (tools/isolation.h) so that a seed that
// asserts, segfaults, throws out of the event loop or loops forever gets
// the verdict `crash` instead of taking zsim down with it; `run --no-fork`
// keeps the run in this process, for debuggers.
//
// Wall-clock time appears here only to report how long a run took and for
// the watchdog; it never reaches a simulation.
#include "core/fault_sites.h"
#include "core/io/quote.h"
#include "core/server/planted_bugs.h"
#include "scenarios/scenario.h"
#include "tools/arguments.h"
#include "tools/commands.h"
#include "tools/diagram/diagram_html.h"
#include "tools/diagram/run_observer.h"
#include "tools/diagram/shiviz.h"
#include "tools/isolation.h"
#include "tools/junit.h"
#include "tools/regression_file.h"
#include "tools/run_input.h"
#include "tools/sweep_report.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace zsim::tools {
namespace {

using scenarios::RunResult;
using scenarios::Scenario;


std::string hex(std::uint64_t v) { return fmt::format("{:016x}", v); }

std::int64_t ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}


// --- run ---------------------------------------------------------------------

struct RunArgs {
  std::string scenario;
  std::string seed;
  std::string plan_file;
  bool trace = false;
  std::string trace_format = "text";
  bool json = false;
  bool check_determinism = false;
  bool no_fork = false;
  std::string seed_timeout{kSeedTimeoutDefault};
  std::string bug;
  std::string save_regression;
  std::string diagram;
};

// Writes `text` to `path` or throws BadInput.
void write_file(const std::string& path, const std::string& text, std::string_view what) {
  std::ofstream file(path, std::ios::trunc | std::ios::binary);
  file << text;
  file.close();
  if (!file) throw BadInput{fmt::format("cannot write the {} {}", what, quote_input(path))};
}

// Before the run, not after: a path that cannot be written is bad input.
void probe_writable(const std::string& path, std::string_view what) {
  if (path.empty()) return;
  std::ofstream probe(path, std::ios::app);
  if (!probe) throw BadInput{fmt::format("cannot write the {} {}", what, quote_input(path))};
}

// --save-regression FILE: the run's plan with what it gave, as a regression
// file (tools/regression_file.h) that `tools/run-regression.sh` replays.
void save_regression(const std::string& path, const Scenario& s, const scenarios::RunOptions& options,
                     const RunResult& r) {
  const sim::FaultPlan plan = options.plan ? *options.plan : scenarios::plan_for_seed(s, options.seed);
  RunResult described = r;
  described.scenario = s.name;
  described.seed = options.seed;
  described.bug = options.params.bug;
  const std::string text =
      regression_text(described, plan,
                      {fmt::format("zsim run --save-regression: the plan {} ran under", options.plan ? "it was given" : "the seed generated"),
                       fmt::format("replay: {}", scenarios::reproduce_command(described, path))});
  std::ofstream file(path, std::ios::trunc);
  file << text;
  file.close();
  if (!file) throw BadInput{fmt::format("cannot write the regression file {}", quote_input(path))};
  // On stderr: with --json, the result object stays the last line of stdout.
  fmt::print(stderr, "saved as a regression file: {} (expect: {})\n", path, expectation(described));
}

// One traced run, remembering each event's hash (and its line, up to a cap)
// to find where two runs part ways.
struct RecordedRun {
  RunResult result;
  std::vector<std::uint64_t> hashes;
  std::vector<std::string> lines;
};

RecordedRun record_run(const Scenario& s, scenarios::RunOptions options) {
  constexpr std::size_t kMaxLines = 2'000'000;
  RecordedRun rec;
  options.trace_sink = [&rec](std::string_view line, std::uint64_t h) {
    rec.hashes.push_back(h);
    if (rec.lines.size() < kMaxLines) rec.lines.emplace_back(line);
  };
  rec.result = scenarios::run_scenario(s, options);
  return rec;
}

int check_determinism(const Scenario& s, const scenarios::RunOptions& options) {
  const RecordedRun a = record_run(s, options);
  const RecordedRun b = record_run(s, options);
  const std::size_t n = std::min(a.hashes.size(), b.hashes.size());
  std::size_t first_diff = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (a.hashes[i] != b.hashes[i]) {
      first_diff = i;
      break;
    }
  }
  if (first_diff == n && a.hashes.size() == b.hashes.size() && a.result.fingerprint == b.result.fingerprint) {
    fmt::print("deterministic: two runs of {} seed {} gave fingerprint {} over {} trace events\n", s.name,
               options.seed, hex(a.result.fingerprint), a.hashes.size());
    return 0;
  }
  fmt::print("NOT deterministic: {} seed {}: fingerprints {} and {}\n", s.name, options.seed,
             hex(a.result.fingerprint), hex(b.result.fingerprint));
  auto line = [](const RecordedRun& r, std::size_t i) -> std::string {
    if (i >= r.hashes.size()) return "(run ended)";
    return i < r.lines.size() ? r.lines[i] : "(line not kept)";
  };
  fmt::print("first difference at trace event {}:\n  run 1: {}\n  run 2: {}\n", first_diff + 1,
             line(a, first_diff), line(b, first_diff));
  return 1;
}

// On `out`: stdout, or stderr when stdout carries a ShiViz log.
void print_run_result(const RunResult& r, std::int64_t wall_ms, bool json, bool died, const std::string& plan_file,
                      std::FILE* out = stdout) {
  const bool ok = r.verdict == sim::Verdict::kOk;
  if (json) {
    fmt::print(out, "{}\n", json_line(to_json(r, wall_ms, died)));
    return;
  }
  fmt::print(out, "scenario {} seed {}: {}{}\n", r.scenario, r.seed, sim::to_string(r.verdict),
             ok ? "" : ": " + indent_rest(r.message));
  if (died) {
    fmt::print(out, "  no fingerprint: the run's process died  wall {} ms\n", wall_ms);
  } else {
    fmt::print(out, "  fingerprint {}  sim time {}s  events {}  messages {} sent, {} dropped  wall {} ms\n",
               hex(r.fingerprint), format_time(time_from_ns(r.sim_time_ns)), r.events, r.messages_sent,
               r.messages_dropped, wall_ms);
  }
  if (!ok) fmt::print(out, "  reproduce: {}\n", scenarios::reproduce_command(r, plan_file));
}

// What --diagram and --trace-format shiviz watch of a run (observe_run):
// one observer feeds both.
struct RunWatch {
  std::optional<diagram::DiagramCollector> collector;
  std::optional<diagram::ShivizLog> shiviz;

  bool wanted() const { return collector || shiviz; }
  void on_event(const diagram::DiagramEvent& e) {
    if (collector) collector->on_event(e);
    if (shiviz) std::fputs(shiviz->on_event(e).c_str(), stdout);
  }
};

void write_diagram(const std::string& path, diagram::DiagramCollector& collector) {
  const diagram::DiagramModel model = collector.finish();
  write_file(path, diagram::render_html(model), "diagram");
  // On stderr: with --json, the result object stays the last line of stdout.
  fmt::print(stderr, "diagram: {} ({} lifelines, {} messages, {} operations, {} partitions; opens on {}s..{}s)\n",
             path, model.hosts.size(), model.messages.size(), model.ops.size(), model.bands.size(),
             format_time(time_from_ns(model.focus_start_ns)), format_time(time_from_ns(model.focus_end_ns)));
}

// The body of `zsim run` once its input is checked; runs in the child.
int run_body(const Scenario& s, const scenarios::RunOptions& base, const RunArgs& args) {
  scenarios::RunOptions options = base;
  if (args.check_determinism) return check_determinism(s, options);
  // --trace-format json or shiviz asks for a trace: --trace is implied.
  const bool trace = args.trace || args.trace_format != "text";
  const bool shiviz = trace && args.trace_format == "shiviz";
  auto watch = std::make_shared<RunWatch>();
  if (!args.diagram.empty()) watch->collector.emplace();
  if (shiviz) {
    watch->shiviz.emplace();
    std::fputs(diagram::ShivizLog::header().c_str(), stdout);
  } else if (trace) {
    options.trace_format = args.trace_format == "json" ? sim::TraceFormat::kJson : sim::TraceFormat::kText;
    options.trace_sink = [](std::string_view line, std::uint64_t) { fmt::print("{}\n", line); };
  }
  if (watch->wanted()) {
    options.observe = [watch](sim::Simulator& sim) {
      diagram::observe_run(sim, [watch](const diagram::DiagramEvent& e) { watch->on_event(e); });
    };
  }
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = scenarios::run_scenario(s, options);
  std::fflush(stdout);
  if (watch->collector) write_diagram(args.diagram, *watch->collector);
  print_run_result(r, ms_since(start), args.json, false, args.plan_file, shiviz ? stderr : stdout);
  if (!args.save_regression.empty()) save_regression(args.save_regression, s, options, r);
  return r.verdict == sim::Verdict::kOk ? 0 : 1;
}

int do_run(const RunArgs& args) {
  const Scenario& s = scenario_or_throw(args.scenario);
  scenarios::RunOptions options;
  options.seed = value_or_throw(parse_seed(args.seed));
  options.params.bug = bug_or_throw(args.bug, s);
  const auto timeout = seed_timeout_or_throw(args.seed_timeout);
  if (!args.plan_file.empty()) options.plan = read_plan_or_throw(args.plan_file, s);
  probe_writable(args.save_regression, "regression file");
  probe_writable(args.diagram, "diagram");
  if (args.check_determinism && !args.diagram.empty()) {
    throw BadInput{"--check-determinism runs the seed twice and prints where they differ; it takes no --diagram"};
  }
  if (args.no_fork) return run_body(s, options, args);
  const auto start = std::chrono::steady_clock::now();
  const ChildExit child = run_in_child([&] { return run_body(s, options, args); }, timeout);
  if (!child.died) return child.exit_code;
  RunResult r;
  r.scenario = s.name;
  r.seed = options.seed;
  r.verdict = sim::Verdict::kCrash;
  r.message = child.message;
  r.plan_given = options.plan.has_value();
  r.bug = options.params.bug;
  print_run_result(r, ms_since(start), args.json, true, args.plan_file);
  if (!args.save_regression.empty()) save_regression(args.save_regression, s, options, r);
  return 1;
}

// --- sweep -------------------------------------------------------------------

struct SweepArgs {
  std::string scenario;
  std::string seeds;
  int jobs = 0;
  std::string shard;
  bool json = false;
  std::string seed_timeout{kSeedTimeoutDefault};
  std::string bug;
  std::string junit;
};

class Progress {
 public:
  Progress(std::uint64_t total, std::string label)
      : total_(total), label_(std::move(label)), tty_(isatty(fileno(stderr)) != 0),
        start_(std::chrono::steady_clock::now()) {}

  void tick(bool failed) {
    ++done_;
    failed_ += failed ? 1 : 0;
    const std::int64_t ms = ms_since(start_);
    // A terminal gets a live line; a log gets a line every 10%.
    const bool due = tty_ ? ms - last_ms_ >= 200 || done_ == total_
                          : done_ * 10 / total_ != (done_ - 1) * 10 / total_;
    if (!due) return;
    last_ms_ = ms;
    shown_ = tty_ && done_ != total_;
    fmt::print(stderr, "{}sweep {}: {}/{} seeds, {} failed, {:.1f} s{}", tty_ ? "\r" : "", label_, done_, total_,
               failed_, static_cast<double>(ms) / 1000.0, tty_ ? "" : "\n");
    if (tty_ && done_ == total_) fmt::print(stderr, "\n");
    std::fflush(stderr);
  }

  // Before other output on a terminal: clear the live line.
  void clear_line() {
    if (!shown_) return;
    fmt::print(stderr, "\r\x1b[K");
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  std::uint64_t total_;
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t done_ = 0;
  std::uint64_t failed_ = 0;
  std::int64_t last_ms_ = -1'000'000;
  bool shown_ = false;
};


int do_sweep(const SweepArgs& args) {
  const Scenario& s = scenario_or_throw(args.scenario);
  const ShardSeeds seeds{value_or_throw(parse_seed_range(args.seeds)), value_or_throw(parse_shard(args.shard))};
  const core::PlantedBug bug = bug_or_throw(args.bug, s);
  IsolationOptions isolation;
  isolation.seed_timeout = seed_timeout_or_throw(args.seed_timeout);
  const std::uint64_t count = seeds.count();
  isolation.jobs = jobs_for(args.jobs, count);
  isolation.scenario = s.name;
  isolation.bug = bug;
  // Before any seed runs: a JUnit path that cannot be written is bad input.
  std::optional<JunitFile> junit;
  if (!args.junit.empty()) junit.emplace(args.junit);

  SweepTally tally;
  tally.scenario = s.name;
  if (const core::PlantedBugInfo* info = core::planted_bug_info(bug); info != nullptr) tally.bug = info->name;
  tally.range = seeds.range;
  tally.shard = seeds.shard;
  Progress progress(count, s.name);
  const auto start = std::chrono::steady_clock::now();
  run_seeds_isolated(
      count, [&](std::uint64_t k) { return seeds.at(k); },
      [&s, bug](std::uint64_t seed) {
        scenarios::RunOptions options;
        options.seed = seed;
        options.params.bug = bug;
        return scenarios::run_scenario(s, options);
      },
      isolation, [&](const SeedOutcome& o) { progress.tick(o.result.verdict != sim::Verdict::kOk); },
      [&](const SeedOutcome& o) {
        const RunResult& r = o.result;
        tally.add(r);
        if (junit) junit->add(r, o.died);
        if (args.json) {
          fmt::print("{}\n", json_line(to_json(r, o.wall_ms, o.died)));
        } else if (r.verdict != sim::Verdict::kOk) {
          progress.clear_line();
          fmt::print("{}", failure_text(r));
        }
        std::fflush(stdout);
      });
  tally.wall_ms = ms_since(start);
  if (junit) junit->finish(tally.scenario, tally.bug, tally.range, tally.shard);

  if (args.json) {
    nlohmann::ordered_json summary = summary_json(tally);
    summary["wall_ms"] = tally.wall_ms;
    summary["jobs"] = isolation.jobs;
    fmt::print("{}\n", summary.dump());
    return tally.exit_status();
  }
  fmt::print("{}; {:.1f} s wall, {} jobs\n", summary_head(tally), static_cast<double>(tally.wall_ms) / 1000.0,
             isolation.jobs);
  return tally.exit_status();
}

// --- plan, list ----------------------------------------------------------------

int do_plan(const std::string& scenario, const std::string& seed_text) {
  const Scenario& s = scenario_or_throw(scenario);
  const std::uint64_t seed = value_or_throw(parse_seed(seed_text));
  sim::SwarmDraw swarm;
  const sim::FaultPlan plan = scenarios::plan_for_seed(s, seed, &swarm);
  fmt::print("# fault plan of scenario {}, seed {} (safety phase {}; times from the start)\n", s.name, seed,
             format_duration(s.safety_phase));
  if (s.plan_options.swarm) fmt::print("# swarm: {}\n", swarm.to_string());
  fmt::print("{}", sim::print_plan(plan));
  return 0;
}

int do_sites() {
  std::size_t width = 0;
  for (const core::FaultSite& site : core::kFaultSites) width = std::max(width, site.name.size());
  fmt::print("# crash points: `at T crash-at HOST SITE [for D] [within W]` crashes HOST when it reaches SITE\n");
  for (const core::FaultSite& site : core::kFaultSites) fmt::print("{:<{}}  {}\n", site.name, width, site.when);
  return 0;
}

int do_bugs() {
  std::size_t width = 0;
  for (const core::PlantedBugInfo& b : core::kPlantedBugs) width = std::max(width, b.name.size());
  for (const core::PlantedBugInfo& b : core::kPlantedBugs) {
    fmt::print("{:<{}}  {:<15} {}\n", b.name, width, b.jira.empty() ? "-" : b.jira, b.cause);
  }
  return 0;
}

int do_list(bool ensemble_only) {
  std::size_t width = 0;
  for (const Scenario& s : scenarios::all_scenarios()) width = std::max(width, s.name.size());
  for (const Scenario& s : scenarios::all_scenarios()) {
    if (s.hidden || (ensemble_only && s.servers != scenarios::ServerKind::kEnsemble)) continue;
    fmt::print("{:<{}}  {}\n", s.name, width, s.summary);
  }
  return 0;
}



}  // namespace

void add_run_commands(CLI::App& app, int* exit_code) {
  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Run one seed of a scenario and judge it");
  run->footer(
      "Exit status: 0 the run passed, 1 a check failed (or the run crashed), 2 bad input.\n"
      "The same scenario, seed (and plan) always give the same fingerprint. The run happens\n"
      "in a child process: an assertion, a segfault, an exception out of the event loop or a\n"
      "sanitizer report is the verdict `crash`, with the assertion text and where the\n"
      "simulation was (seed, time, host). --no-fork runs in this process (for debuggers).\n"
      "--diagram FILE draws the run as a space-time diagram (hosts, messages, faults, operations,\n"
      "the verdict); --trace-format shiviz prints the trace with vector clocks for ShiViz.\n"
      "Neither changes the run: the fingerprint is the same with or without them.");
  run->add_option("--scenario", run_args->scenario, "Scenario name (see `zsim list`)")->required();
  run->add_option("--seed", run_args->seed, "Seed of every random choice in the run: 0..18446744073709551615")
      ->required();
  run->add_option("--plan", run_args->plan_file,
                  "Fault plan file to run instead of the one the seed generates (see `zsim plan`)");
  run->add_flag("--trace", run_args->trace, "Print one line per event to stdout");
  run->add_option("--trace-format", run_args->trace_format,
                  "Trace format (implies --trace): text (default), json (one object a line), or shiviz (the "
                  "ShiViz visualiser's log: each event then its host's vector clock; the result goes to stderr)")
      ->check(CLI::IsMember({"text", "json", "shiviz"}));
  run->add_option("--diagram", run_args->diagram,
                  "Write a space-time diagram of the run to this HTML file (self-contained; open it in a browser; "
                  "see docs/diagram.md)");
  run->add_flag("--json", run_args->json, "Print the result as one JSON object on the last line");
  run->add_flag("--check-determinism", run_args->check_determinism,
                "Run twice and report the first trace event where the runs differ");
  run->add_flag("--no-fork", run_args->no_fork,
                "Run in this process, not in a child (for a debugger; a crash then ends zsim)");
  run->add_option("--seed-timeout", run_args->seed_timeout, kSeedTimeoutHelp);
  run->add_option("--bug", run_args->bug,
                  "Plant a bug of the catalog in every server (`zsim bugs` lists them; for proving the checks)");
  run->add_option("--save-regression", run_args->save_regression,
                  "Write the run's plan and its verdict as a regression file (tests/regressions/; see "
                  "docs/shrinking.md)");
  run->callback([run_args, exit_code] { guarded(exit_code, [&] { return do_run(*run_args); }); });

  auto sweep_args = std::make_shared<SweepArgs>();
  CLI::App* sweep = app.add_subcommand("sweep", "Run a range of seeds of a scenario; report failures");
  sweep->footer(
      "Prints a progress line while it runs (on stderr), each failing seed as it is known\n"
      "(in seed order) with the `zsim run` command that reproduces it, and a summary.\n"
      "Seeds run in --jobs worker processes: a seed that asserts, segfaults, throws out of\n"
      "the event loop, trips a sanitizer or outlives --seed-timeout gets the verdict crash\n"
      "and the sweep goes on. Exit status: 0 all passed, 1 some seed failed, 2 bad input.\n"
      "Larger than one machine: run each --shard I/N with --json, then `zsim merge` the outputs;\n"
      "--junit writes a JUnit XML report for CI (docs/scale-out.md).");
  sweep->add_option("--scenario", sweep_args->scenario, "Scenario name (see `zsim list`)")->required();
  sweep->add_option("--seeds", sweep_args->seeds, "Seeds A..B (inclusive), e.g. 1..200")->required();
  sweep->add_option("--jobs", sweep_args->jobs,
                    "Worker processes (default: one per core; at most 4 per core)");
  sweep->add_option("--shard", sweep_args->shard,
                    "Run only shard I of N (I/N, 1 <= I <= N): seeds A+I-1, A+I-1+N, ... for CI matrices "
                    "and job arrays");
  sweep->add_flag("--json", sweep_args->json,
                  "One JSON object per seed, then a summary object (the input of `zsim merge`)");
  sweep->add_option("--junit", sweep_args->junit,
                    "Also write a JUnit XML report to FILE: one test case per seed, a failing seed's message and "
                    "reproduce command in it (docs/scale-out.md)")
      ->type_name("FILE");
  sweep->add_option("--seed-timeout", sweep_args->seed_timeout, kSeedTimeoutHelp);
  sweep->add_option("--bug", sweep_args->bug,
                    "Plant a bug of the catalog in every server (`zsim bugs` lists them): the sweep should fail");
  sweep->callback([sweep_args, exit_code] { guarded(exit_code, [&] { return do_sweep(*sweep_args); }); });

  auto plan_scenario = std::make_shared<std::string>();
  auto plan_seed = std::make_shared<std::string>();
  auto plan_sites = std::make_shared<bool>(false);
  CLI::App* plan = app.add_subcommand("plan", "Print the fault plan a seed generates for a scenario");
  plan->footer(
      "Save it to a file, edit it, and replay it with `zsim run --plan FILE`. The text form is in\n"
      "docs/fault-plans.md; `--sites` lists the crash points `crash-at` can name.");
  auto* scenario_opt = plan->add_option("--scenario", *plan_scenario, "Scenario name");
  auto* seed_opt = plan->add_option("--seed", *plan_seed, "Seed");
  plan->add_flag("--sites", *plan_sites, "List the crash points (protocol steps) a plan can crash a server at");
  plan->callback([=] {
    guarded(exit_code, [&] {
      if (*plan_sites) return do_sites();
      if (scenario_opt->count() == 0 || seed_opt->count() == 0) {
        throw BadInput{"plan needs --scenario and --seed (or --sites)"};
      }
      return do_plan(*plan_scenario, *plan_seed);
    });
  });

  CLI::App* bugs = app.add_subcommand("bugs", "List the planted-bug catalog: real ZooKeeper bugs the checks must catch");
  bugs->footer(
      "Plant one with `zsim run|sweep --scenario S --bug NAME`; tools/bug-report.sh sweeps each one\n"
      "and docs/bug-catalog.md records which checks catch it.");
  bugs->callback([exit_code] { guarded(exit_code, [] { return do_bugs(); }); });

  auto list_ensemble = std::make_shared<bool>(false);
  CLI::App* list = app.add_subcommand("list", "List the scenarios, one line each");
  list->add_flag("--ensemble", *list_ensemble, "Only the scenarios that run a ZAB ensemble (every planted bug applies)");
  list->callback([exit_code, list_ensemble] { guarded(exit_code, [&] { return do_list(*list_ensemble); }); });
}

}  // namespace zsim::tools
