#include "scenarios/scenario.h"

#include "core/assert.h"
#include "core/fault_sites.h"
#include "scenarios/registry.h"

#include <fmt/format.h>

#include <algorithm>

namespace zsim::scenarios {

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> scenarios = [] {
    std::vector<Scenario> all;
    register_reliable_network(all);
    register_single_server(all);
    register_ensemble_registers(all);
    register_ensemble_sequential(all);
    register_ensemble_sessions(all);
    register_ensemble_ephemerals(all);
    register_ensemble_queue(all);
    register_ensemble_multi(all);
    register_ensemble_watches(all);
    register_selftest(all);
    register_recipes(all);
    std::sort(all.begin(), all.end(), [](const Scenario& a, const Scenario& b) { return a.name < b.name; });
    return all;
  }();
  return scenarios;
}

const Scenario* find_scenario(std::string_view name) {
  for (const Scenario& s : all_scenarios()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

sim::FaultPlan plan_for_seed(const Scenario& s, std::uint64_t seed, sim::SwarmDraw* swarm) {
  sim::PlanOptions options = s.plan_options;
  options.duration = s.safety_phase;
  // The same forks the run uses, so `zsim plan` prints exactly what runs.
  if (options.swarm) options = sim::draw_swarm(sim::Rng(seed).fork("swarm"), options, swarm);
  return sim::generate_plan(sim::Rng(seed).fork("faults"), options);
}

std::vector<std::string> crash_site_names() {
  std::vector<std::string> names;
  for (const core::FaultSite& site : core::kFaultSites) names.emplace_back(site.name);
  return names;
}

int max_servers_down(const Scenario& s) {
  const sim::PlanOptions& o = s.plan_options;
  return o.max_servers_down >= 0 ? o.max_servers_down : static_cast<int>((o.servers.size() + 1) / 2) - 1;
}

std::string validate_for(const Scenario& s, const sim::FaultPlan& plan) {
  std::vector<std::string> hosts = s.plan_options.servers;
  hosts.insert(hosts.end(), s.plan_options.clients.begin(), s.plan_options.clients.end());
  if (std::string problem = sim::validate_plan(plan, hosts, crash_site_names()); !problem.empty()) return problem;
  for (const sim::FaultEvent& e : plan.events) {
    if (sim::is_role_target(e.host) && !s.has_roles) {
      return fmt::format("{}: this scenario has no roles to target", sim::print_event(e));
    }
  }
  if (std::string breach = sim::check_fault_budget(plan, s.plan_options.servers, max_servers_down(s), s.safety_phase);
      !breach.empty()) {
    return "beyond the fault budget: " + breach;
  }
  return "";
}

RunResult run_scenario(const Scenario& s, const RunOptions& options) {
  sim::SimOptions sim_options = s.sim_options;
  sim_options.seed = options.seed;
  sim::Simulator simulator(sim_options);
  if (options.trace_sink) simulator.trace().set_sink(options.trace_sink, options.trace_format);
  if (options.observe) options.observe(simulator);

  const sim::FaultPlan plan = options.plan ? *options.plan : plan_for_seed(s, options.seed);
  simulator.trace_event("run.start", {{"scenario", s.name},
                                      {"seed", options.seed},
                                      {"faults", std::uint64_t{plan.events.size()}},
                                      {"buggify", simulator.buggify_enabled()}});
  ZSIM_ASSERT_MSG(bug_error_for(s, options.params.bug).empty(), "planted bug does not apply (bug_error_for first)");
  std::unique_ptr<Workload> workload = s.build(simulator, options.params);
  ZSIM_ASSERT(workload != nullptr);
  ZSIM_ASSERT_MSG(validate_for(s, plan).empty(), "plan does not fit the scenario (validate_for first)");
  simulator.schedule_plan(plan);

  // Safety phase: the workload under faults.
  const sim::StopReason safety = simulator.run_for(s.safety_phase, options.max_events);
  if (safety == sim::StopReason::kEventBudget) {
    simulator.fail(sim::Verdict::kCrash, fmt::format("event budget of {} ran out in the safety phase",
                                                     options.max_events));
  }
  // Liveness phase: heal, then everything must finish within the budget.
  if (!simulator.failure()) {
    simulator.trace_event("run.liveness", {});
    simulator.heal_all();
    workload->on_liveness(simulator);
    const bool done = simulator.run_until_true([&] { return workload->finished(); }, s.liveness_budget,
                                               options.max_events);
    if (!simulator.failure() && !done) {
      const std::string pending = workload->pending();
      simulator.trace_event("run.unfinished", {});
      workload->check_unfinished(simulator);
      if (!simulator.failure()) {
        simulator.fail(sim::Verdict::kLiveness,
                       fmt::format("not finished {} after healing: {}", format_duration(s.liveness_budget), pending));
      }
    }
  }
  if (!simulator.failure()) workload->check(simulator);
  simulator.trace_event("run.end", {{"verdict", sim::to_string(simulator.failure() ? simulator.failure()->verdict
                                                                                 : sim::Verdict::kOk)}});

  RunResult r;
  r.scenario = s.name;
  r.seed = options.seed;
  if (const auto& f = simulator.failure()) {
    r.verdict = f->verdict;
    r.message = f->message;
  }
  r.fingerprint = simulator.fingerprint();
  r.sim_time_ns = to_ns(simulator.now());
  r.events = simulator.loop().events_run();
  r.trace_events = simulator.trace().events();
  r.messages_sent = simulator.network().stats().messages_sent;
  r.messages_dropped = simulator.network().stats().messages_dropped;
  r.plan_given = options.plan.has_value();
  r.bug = options.params.bug;
  return r;
}

std::string bug_error_for(const Scenario& s, core::PlantedBug bug) {
  if (bug == core::PlantedBug::kNone) return "";
  const core::PlantedBugInfo* info = core::planted_bug_info(bug);
  ZSIM_ASSERT(info != nullptr);
  if (s.servers == ServerKind::kEnsemble) return "";
  if (s.servers == ServerKind::kStandalone && info->scope == core::BugScope::kStandaloneAndEnsemble) return "";
  return fmt::format("planted bug '{}' needs {}; scenario {} runs {}", info->name,
                     info->scope == core::BugScope::kEnsemble ? "a ZAB ensemble" : "a ZooKeeper server", s.name,
                     s.servers == ServerKind::kNone ? "no ZooKeeper server" : "a standalone server");
}

std::string reproduce_command(const RunResult& r, std::string_view plan_file) {
  std::string cmd = fmt::format("zsim run --scenario {} --seed {}", r.scenario, r.seed);
  if (const core::PlantedBugInfo* info = core::planted_bug_info(r.bug); info != nullptr) {
    cmd += fmt::format(" --bug {}", info->name);
  }
  if (!plan_file.empty()) cmd += fmt::format(" --plan {}", plan_file);
  return cmd;
}

}  // namespace zsim::scenarios
