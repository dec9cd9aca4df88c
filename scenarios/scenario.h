// Scenarios: a workload, the faults it runs under, and the checks that judge
// it, registered by name so `zsim run` / `zsim sweep` can find them.
//
// Every run has the same shape (TigerBeetle's VOPR, FoundationDB's
// simulation):
//   1. build the world from the seed (hosts, processes, workload);
//   2. safety phase: the workload runs under a fault plan (generated from
//      the seed, or given), while invariants are watched;
//   3. liveness phase: heal everything; the workload must finish within a
//      budget of simulated time;
//   4. the scenario's checkers judge what happened.
// The result is a verdict, a message, and a fingerprint that the same seed
// (and plan) reproduces exactly.
#pragma once

#include "core/server/planted_bugs.h"
#include "sim/fault_plan.h"
#include "sim/simulator.h"
#include "sim/trace.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::scenarios {

// What a scenario builds into a simulator: the workload's view of the run.
class Workload {
 public:
  virtual ~Workload() = default;
  // True once every client has done all it set out to do (liveness).
  virtual bool finished() const = 0;
  // The liveness phase begins (faults healed): stop starting new work and
  // finish what is in hand.
  virtual void on_liveness(sim::Simulator& sim) { (void)sim; }
  // Judges the run; calls sim.fail() with the right verdict on a violation.
  virtual void check(sim::Simulator& sim) = 0;
  // The run did not recover within the liveness budget: judges what can be
  // judged without the workload's last steps (a broken safety property is a
  // worse finding than a stall, and often its cause). Calls sim.fail() on a
  // violation; the run's verdict is liveness otherwise.
  virtual void check_unfinished(sim::Simulator& sim) { (void)sim; }
  // What is still pending, for a liveness failure's message.
  virtual std::string pending() const = 0;
};

// What a run asks of the world a scenario builds, beyond the seed.
struct RunParams {
  // A planted bug of the catalog (core/server/planted_bugs.h) for every
  // server the scenario runs; kNone in a real test.
  core::PlantedBug bug = core::PlantedBug::kNone;
};

// Which ZooKeeper servers a scenario runs (so which planted bugs apply).
enum class ServerKind : std::uint8_t { kNone, kStandalone, kEnsemble };

struct Scenario {
  std::string name;
  std::string summary;  // one line, for `zsim list`
  // Not listed by `zsim list` (but runs by name): the test-only scenarios
  // that go wrong on purpose (scenarios/selftest.cpp).
  bool hidden = false;
  // The fault model: which hosts and fault kinds a generated plan uses.
  sim::PlanOptions plan_options;
  Duration safety_phase = seconds(10);
  Duration liveness_budget = seconds(30);
  // Network/disk defaults for this scenario (the seed is filled in).
  sim::SimOptions sim_options;
  // Adds hosts and starts processes; returns the workload to judge.
  std::function<std::unique_ptr<Workload>(sim::Simulator&, const RunParams&)> build;
  ServerKind servers = ServerKind::kNone;
  // Whether plans may name roles (@leader, ...): the world sets a role
  // resolver on the simulator.
  bool has_roles = false;
};

// All registered scenarios, sorted by name.
const std::vector<Scenario>& all_scenarios();
const Scenario* find_scenario(std::string_view name);

struct RunOptions {
  std::uint64_t seed = 1;
  // The plan to run; if absent, one is generated from the seed.
  std::optional<sim::FaultPlan> plan;
  // Where trace lines go (none if empty).
  sim::Trace::Sink trace_sink;
  sim::TraceFormat trace_format = sim::TraceFormat::kText;
  // Called once the simulator exists, before anything runs: sets a trace
  // observer (and the network's labeler) to watch the run without changing
  // it (zsim run --diagram, --trace-format shiviz).
  std::function<void(sim::Simulator&)> observe;
  // Limits on the whole run (a runaway run is a failed run, not a hang).
  std::uint64_t max_events = 50'000'000;
  // REQUIRES: bug_error_for(s, params.bug) is "".
  RunParams params;
};

struct RunResult {
  std::string scenario;
  std::uint64_t seed = 0;
  sim::Verdict verdict = sim::Verdict::kOk;
  std::string message;
  std::uint64_t fingerprint = 0;
  std::int64_t sim_time_ns = 0;
  std::uint64_t events = 0;
  std::uint64_t trace_events = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_dropped = 0;
  bool plan_given = false;
  core::PlantedBug bug = core::PlantedBug::kNone;
};

// The plan a seed generates for a scenario (what `zsim plan` prints); with
// swarm testing on, `swarm` (if given) receives the seed's draw.
sim::FaultPlan plan_for_seed(const Scenario& s, std::uint64_t seed, sim::SwarmDraw* swarm = nullptr);

// The crash sites plans may name (core/fault_sites.h).
std::vector<std::string> crash_site_names();

// At most this many servers down at once in the scenario's generated plans.
int max_servers_down(const Scenario& s);

// Checks a plan against the scenario's hosts: "" if fine, else the problem.
std::string validate_for(const Scenario& s, const sim::FaultPlan& plan);

// "" if the planted bug can be planted in the scenario's servers, else why
// not (kNone always can).
std::string bug_error_for(const Scenario& s, core::PlantedBug bug);

// Runs one seed. REQUIRES: options.plan, if given, passed validate_for().
RunResult run_scenario(const Scenario& s, const RunOptions& options);

// The command line that reproduces a run.
std::string reproduce_command(const RunResult& r, std::string_view plan_file = "");

}  // namespace zsim::scenarios
