// zsim run / sweep / plan / list: running scenarios.
//
// Wall-clock time appears here only to report how long a run took; it never
// reaches a simulation.
#include "core/fault_sites.h"
#include "core/server/planted_bugs.h"
#include "scenarios/scenario.h"
#include "tools/commands.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace zsim::tools {
namespace {

using scenarios::RunResult;
using scenarios::Scenario;

// Bad input: the message, then exit status 2.
struct BadInput {
  std::string message;
};

const Scenario& scenario_or_throw(const std::string& name) {
  const Scenario* s = scenarios::find_scenario(name);
  if (s == nullptr) {
    std::string known;
    for (const Scenario& x : scenarios::all_scenarios()) known += (known.empty() ? "" : ", ") + x.name;
    throw BadInput{fmt::format("unknown scenario '{}' (known: {})", name, known)};
  }
  return *s;
}

sim::FaultPlan read_plan_or_throw(const std::string& path, const Scenario& s) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadInput{fmt::format("cannot read plan file '{}'", path)};
  std::stringstream buf;
  buf << in.rdbuf();
  auto parsed = sim::parse_plan(buf.str());
  if (auto* err = std::get_if<sim::PlanParseError>(&parsed)) {
    throw BadInput{fmt::format("plan file '{}': {}", path, err->to_string())};
  }
  sim::FaultPlan plan = std::get<sim::FaultPlan>(std::move(parsed));
  if (std::string problem = scenarios::validate_for(s, plan); !problem.empty()) {
    throw BadInput{fmt::format("plan file '{}': {}", path, problem)};
  }
  return plan;
}

std::string hex(std::uint64_t v) { return fmt::format("{:016x}", v); }

// --bug NAME: a planted bug of the catalog that the scenario's servers can
// carry, or bad input naming the choices.
core::PlantedBug bug_or_throw(const std::string& name, const Scenario& s) {
  if (name.empty()) return core::PlantedBug::kNone;
  const std::optional<core::PlantedBug> bug = core::find_planted_bug(name);
  if (!bug) {
    std::string known;
    for (const core::PlantedBugInfo& b : core::kPlantedBugs) known += (known.empty() ? "" : ", ") + std::string(b.name);
    throw BadInput{fmt::format("unknown planted bug '{}' (`zsim bugs` lists them: {})", name, known)};
  }
  if (std::string why = scenarios::bug_error_for(s, *bug); !why.empty()) throw BadInput{why};
  return *bug;
}

nlohmann::ordered_json to_json(const RunResult& r, std::int64_t wall_ms) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  if (const core::PlantedBugInfo* bug = core::planted_bug_info(r.bug); bug != nullptr) j["bug"] = bug->name;
  j["verdict"] = sim::to_string(r.verdict);
  if (!r.message.empty()) j["message"] = r.message;
  j["fingerprint"] = hex(r.fingerprint);
  j["sim_time_ns"] = r.sim_time_ns;
  j["events"] = r.events;
  j["trace_events"] = r.trace_events;
  j["messages_sent"] = r.messages_sent;
  j["messages_dropped"] = r.messages_dropped;
  j["wall_ms"] = wall_ms;
  return j;
}

std::int64_t ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

// --- run ---------------------------------------------------------------------

struct RunArgs {
  std::string scenario;
  std::uint64_t seed = 1;
  std::string plan_file;
  std::string bug;
  bool trace = false;
  std::string trace_format = "text";
  bool json = false;
  bool check_determinism = false;
};

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

int do_run(const RunArgs& args) {
  const Scenario& s = scenario_or_throw(args.scenario);
  scenarios::RunOptions options;
  options.seed = args.seed;
  options.params.bug = bug_or_throw(args.bug, s);
  if (!args.plan_file.empty()) options.plan = read_plan_or_throw(args.plan_file, s);
  if (args.check_determinism) return check_determinism(s, options);
  if (args.trace) {
    options.trace_format = args.trace_format == "json" ? sim::TraceFormat::kJson : sim::TraceFormat::kText;
    options.trace_sink = [](std::string_view line, std::uint64_t) { fmt::print("{}\n", line); };
  }
  const auto start = std::chrono::steady_clock::now();
  const RunResult r = scenarios::run_scenario(s, options);
  const std::int64_t wall_ms = ms_since(start);
  const bool ok = r.verdict == sim::Verdict::kOk;
  if (args.json) {
    fmt::print("{}\n", to_json(r, wall_ms).dump());
  } else {
    fmt::print("scenario {} seed {}: {}{}\n", r.scenario, r.seed, sim::to_string(r.verdict),
               ok ? "" : ": " + r.message);
    fmt::print("  fingerprint {}  sim time {}s  events {}  messages {} sent, {} dropped  wall {} ms\n",
               hex(r.fingerprint), format_time(time_from_ns(r.sim_time_ns)), r.events, r.messages_sent,
               r.messages_dropped, wall_ms);
    if (!ok) fmt::print("  reproduce: {}\n", scenarios::reproduce_command(r, args.plan_file));
  }
  return ok ? 0 : 1;
}

// --- sweep -------------------------------------------------------------------

struct SweepArgs {
  std::string scenario;
  std::string seeds;
  int jobs = 0;
  std::string shard;
  std::string bug;
  bool json = false;
};

std::pair<std::uint64_t, std::uint64_t> parse_seed_range(const std::string& text) {
  auto number = [&](std::string_view s) {
    std::uint64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) {
      throw BadInput{fmt::format("malformed seed range '{}' (want A..B, e.g. 1..200)", text)};
    }
    return v;
  };
  const auto dots = text.find("..");
  if (dots == std::string::npos) {
    const std::uint64_t v = number(text);
    return {v, v};
  }
  const std::uint64_t a = number(std::string_view(text).substr(0, dots));
  const std::uint64_t b = number(std::string_view(text).substr(dots + 2));
  if (a > b) throw BadInput{fmt::format("malformed seed range '{}': {} is after {}", text, a, b)};
  if (b - a >= 100'000'000) throw BadInput{fmt::format("seed range '{}' is too large (at most 10^8 seeds)", text)};
  return {a, b};
}

std::pair<std::uint64_t, std::uint64_t> parse_shard(const std::string& text) {
  if (text.empty()) return {1, 1};
  const auto slash = text.find('/');
  std::uint64_t i = 0, n = 0;
  bool ok = slash != std::string::npos;
  if (ok) {
    auto r1 = std::from_chars(text.data(), text.data() + slash, i);
    auto r2 = std::from_chars(text.data() + slash + 1, text.data() + text.size(), n);
    ok = r1.ec == std::errc{} && r1.ptr == text.data() + slash && r2.ec == std::errc{} &&
         r2.ptr == text.data() + text.size() && n >= 1 && i >= 1 && i <= n;
  }
  if (!ok) throw BadInput{fmt::format("malformed shard '{}' (want I/N with 1 <= I <= N, e.g. 2/4)", text)};
  return {i, n};
}

class Progress {
 public:
  Progress(std::size_t total, std::string label)
      : total_(total), label_(std::move(label)), tty_(isatty(fileno(stderr)) != 0),
        start_(std::chrono::steady_clock::now()) {}

  void tick(bool failed) {
    std::lock_guard<std::mutex> lock(mu_);
    ++done_;
    failed_ += failed ? 1 : 0;
    const std::int64_t ms = ms_since(start_);
    // A terminal gets a live line; a log gets a line every 10%.
    const bool due = tty_ ? ms - last_ms_ >= 200 || done_ == total_
                          : done_ * 10 / total_ != (done_ - 1) * 10 / total_;
    if (!due) return;
    last_ms_ = ms;
    fmt::print(stderr, "{}sweep {}: {}/{} seeds, {} failed, {:.1f} s{}", tty_ ? "\r" : "", label_, done_, total_,
               failed_, static_cast<double>(ms) / 1000.0, tty_ ? "" : "\n");
    if (tty_ && done_ == total_) fmt::print(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  std::mutex mu_;
  std::size_t total_;
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::size_t done_ = 0;
  std::size_t failed_ = 0;
  std::int64_t last_ms_ = -1'000'000;
};

int do_sweep(const SweepArgs& args) {
  const Scenario& s = scenario_or_throw(args.scenario);
  const auto [first, last] = parse_seed_range(args.seeds);
  const auto [shard_i, shard_n] = parse_shard(args.shard);
  const core::PlantedBug bug = bug_or_throw(args.bug, s);
  if (args.jobs < 0) throw BadInput{"--jobs must be at least 1"};
  std::vector<std::uint64_t> seeds;
  for (std::uint64_t seed = first;; ++seed) {
    if ((seed - first) % shard_n == shard_i - 1) seeds.push_back(seed);
    if (seed == last) break;
  }
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t jobs = std::min<std::size_t>(args.jobs > 0 ? static_cast<std::size_t>(args.jobs) : hw,
                                                 std::max<std::size_t>(1, seeds.size()));
  std::vector<RunResult> results(seeds.size());
  std::vector<std::int64_t> wall(seeds.size());
  std::atomic<std::size_t> next{0};
  Progress progress(seeds.size(), s.name);
  const auto start = std::chrono::steady_clock::now();
  auto worker = [&] {
    // Each simulation is single-threaded and shares nothing with others.
    for (std::size_t i = next++; i < seeds.size(); i = next++) {
      scenarios::RunOptions options;
      options.seed = seeds[i];
      options.params.bug = bug;
      const auto t0 = std::chrono::steady_clock::now();
      results[i] = scenarios::run_scenario(s, options);
      wall[i] = ms_since(t0);
      progress.tick(results[i].verdict != sim::Verdict::kOk);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  const std::int64_t wall_ms = ms_since(start);

  std::map<std::string, std::size_t> by_verdict;
  std::size_t failed = 0;
  for (const RunResult& r : results) {
    if (r.verdict != sim::Verdict::kOk) {
      ++failed;
      ++by_verdict[sim::to_string(r.verdict)];
    }
  }
  if (args.json) {
    for (std::size_t i = 0; i < results.size(); ++i) fmt::print("{}\n", to_json(results[i], wall[i]).dump());
    nlohmann::ordered_json summary;
    summary["summary"] = true;
    summary["scenario"] = s.name;
    summary["seeds"] = results.size();
    summary["failed"] = failed;
    summary["by_verdict"] = by_verdict;
    summary["wall_ms"] = wall_ms;
    fmt::print("{}\n", summary.dump());
    return failed == 0 ? 0 : 1;
  }
  for (const RunResult& r : results) {
    if (r.verdict == sim::Verdict::kOk) continue;
    fmt::print("seed {}: {}: {}\n  reproduce: {}\n", r.seed, sim::to_string(r.verdict), r.message,
               scenarios::reproduce_command(r));
  }
  std::string verdicts;
  for (const auto& [v, n] : by_verdict) verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ", n, v);
  fmt::print("{}: {} seeds ({}..{}{}), {} ok, {} failed{}; {:.1f} s wall, {} jobs\n", s.name, results.size(), first,
             last, shard_n > 1 ? fmt::format(", shard {}/{}", shard_i, shard_n) : "", results.size() - failed, failed,
             verdicts.empty() ? "" : " (" + verdicts + ")", static_cast<double>(wall_ms) / 1000.0, jobs);
  return failed == 0 ? 0 : 1;
}

// --- plan, list ----------------------------------------------------------------

int do_plan(const std::string& scenario, std::uint64_t seed) {
  const Scenario& s = scenario_or_throw(scenario);
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
    if (ensemble_only && s.servers != scenarios::ServerKind::kEnsemble) continue;
    fmt::print("{:<{}}  {}\n", s.name, width, s.summary);
  }
  return 0;
}

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

}  // namespace

void add_run_commands(CLI::App& app, int* exit_code) {
  auto run_args = std::make_shared<RunArgs>();
  CLI::App* run = app.add_subcommand("run", "Run one seed of a scenario and judge it");
  run->footer(
      "Exit status: 0 the run passed, 1 a check failed, 2 bad input.\n"
      "The same scenario, seed (and plan) always give the same fingerprint.");
  run->add_option("--scenario", run_args->scenario, "Scenario name (see `zsim list`)")->required();
  run->add_option("--seed", run_args->seed, "Seed of every random choice in the run")->required();
  run->add_option("--plan", run_args->plan_file,
                  "Fault plan file to run instead of the one the seed generates (see `zsim plan`)");
  run->add_option("--bug", run_args->bug,
                  "Plant a bug of the catalog in every server (`zsim bugs` lists them; for proving the checks)");
  run->add_flag("--trace", run_args->trace, "Print one line per event to stdout");
  run->add_option("--trace-format", run_args->trace_format, "Trace line format")
      ->check(CLI::IsMember({"text", "json"}));
  run->add_flag("--json", run_args->json, "Print the result as one JSON object on the last line");
  run->add_flag("--check-determinism", run_args->check_determinism,
                "Run twice and report the first trace event where the runs differ");
  run->callback([run_args, exit_code] { guarded(exit_code, [&] { return do_run(*run_args); }); });

  auto sweep_args = std::make_shared<SweepArgs>();
  CLI::App* sweep = app.add_subcommand("sweep", "Run a range of seeds of a scenario; report failures");
  sweep->footer(
      "Prints a progress line while it runs, a summary at the end, and for each failing seed\n"
      "the `zsim run` command that reproduces it. Exit status: 0 all passed, 1 some seed\n"
      "failed, 2 bad input.");
  sweep->add_option("--scenario", sweep_args->scenario, "Scenario name (see `zsim list`)")->required();
  sweep->add_option("--seeds", sweep_args->seeds, "Seeds A..B (inclusive), e.g. 1..200")->required();
  sweep->add_option("--jobs", sweep_args->jobs, "Parallel runs (default: one per core)");
  sweep->add_option("--shard", sweep_args->shard,
                    "Run only shard I of N (I/N, 1 <= I <= N): seeds A+I-1, A+I-1+N, ... for CI matrices "
                    "and job arrays");
  sweep->add_option("--bug", sweep_args->bug,
                    "Plant a bug of the catalog in every server (`zsim bugs` lists them): the sweep should fail");
  sweep->add_flag("--json", sweep_args->json, "One JSON object per seed, then a summary object");
  sweep->callback([sweep_args, exit_code] { guarded(exit_code, [&] { return do_sweep(*sweep_args); }); });

  auto plan_scenario = std::make_shared<std::string>();
  auto plan_seed = std::make_shared<std::uint64_t>(1);
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
