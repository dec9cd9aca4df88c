// RapidCheck generators over fault plans and cluster specs
// (zsim/testing.h). The plans come from zsim's own generator, seeded by
// RapidCheck; the shrinks are the steps of `zsim shrink` (sim/plan_shrink.h),
// so RapidCheck's search and ours walk the same space.
#include "scenarios/recipes/shape.h"
#include "scenarios/scenario.h"
#include "sim/plan_shrink.h"
#include "sim/rng.h"
#include "zsim/testing.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace zsim::testing {

namespace {

struct PlanSpace {
  sim::PlanOptions options;
  std::vector<std::string> hosts;
  std::vector<std::string> sites;
  int max_down = 0;
};

bool valid(const PlanSpace& space, const sim::FaultPlan& plan) {
  return sim::validate_plan(plan, space.hosts, space.sites).empty() &&
         sim::check_fault_budget(plan, space.options.servers, space.max_down, space.options.duration).empty();
}

// Every plan one step simpler than `plan`, in the order RapidCheck tries
// them: removals (the largest chunks first), then simplifications.
std::vector<sim::FaultPlan> shrinks(const PlanSpace& space, const sim::FaultPlan& plan) {
  std::vector<sim::FaultPlan> out;
  const std::size_t n = plan.events.size();
  for (std::size_t chunk = n / 2; chunk >= 1; chunk /= 2) {
    for (sim::FaultPlan& p : sim::removal_steps(plan, chunk)) {
      if (valid(space, p)) out.push_back(std::move(p));
    }
    if (chunk == 1) break;
  }
  if (n == 1) out.push_back(sim::FaultPlan{});
  for (sim::FaultPlan& p : sim::simplification_steps(plan)) {
    if (valid(space, p)) out.push_back(std::move(p));
  }
  out.erase(std::remove(out.begin(), out.end(), plan), out.end());
  return out;
}

rc::Shrinkable<sim::FaultPlan> shrinkable_plan(std::shared_ptr<const PlanSpace> space, sim::FaultPlan plan) {
  return rc::shrinkable::shrinkRecur(std::move(plan), [space](const sim::FaultPlan& p) {
    return rc::seq::fromContainer(shrinks(*space, p));
  });
}

}  // namespace

sim::PlanOptions plan_options(int servers, int clients, const FaultModel& faults, Duration safety_phase) {
  scenarios::recipes::ClusterShape shape;
  shape.voters = servers;
  shape.clients = clients;
  sim::PlanOptions o = scenarios::recipes::plan_options(shape, faults);
  o.duration = safety_phase;
  return o;
}

rc::Gen<sim::FaultPlan> gen_fault_plan(sim::PlanOptions options) {
  auto space = std::make_shared<PlanSpace>();
  space->hosts = options.servers;
  space->hosts.insert(space->hosts.end(), options.clients.begin(), options.clients.end());
  space->sites = scenarios::crash_site_names();
  space->max_down = options.max_servers_down >= 0 ? options.max_servers_down
                                                  : static_cast<int>((options.servers.size() + 1) / 2) - 1;
  space->options = std::move(options);
  return rc::Gen<sim::FaultPlan>([space](const rc::Random& random, int size) {
    rc::Random r = random;
    const std::uint64_t seed = r.next();
    sim::PlanOptions o = space->options;
    if (o.swarm) o = sim::draw_swarm(sim::Rng(seed).fork("swarm"), o, nullptr);
    // RapidCheck's size (0..100) scales how stormy the plan is: the first
    // cases are calm, later ones come at the generator's full rate.
    const int scale = std::clamp(size, 10, 100);
    o.fault_gap_mean = o.fault_gap_mean * 100 / scale;
    sim::FaultPlan plan = sim::generate_plan(sim::Rng(seed).fork("faults"), o);
    return shrinkable_plan(space, std::move(plan));
  });
}

rc::Gen<ClusterSpec> gen_cluster_spec(GenOptions options) {
  if (options.servers.empty()) throw std::invalid_argument("GenOptions::servers lists no ensemble size");
  if (options.clients_min < 1 || options.clients_max < options.clients_min) {
    throw std::invalid_argument("GenOptions: clients_min must be at least 1 and at most clients_max");
  }
  return rc::gen::exec([options] {
    ClusterSpec spec;
    // Shrinks towards the first size listed (the smaller ensemble).
    spec.servers = *rc::gen::elementOf(options.servers);
    spec.clients = *rc::gen::inRange(options.clients_min, options.clients_max + 1);
    // A new seed is a new run, not a simpler one: it does not shrink.
    spec.seed = *rc::gen::noShrink(rc::gen::inRange<std::uint64_t>(1, std::uint64_t{1} << 53));
    spec.safety_phase = options.safety_phase;
    spec.liveness_budget = options.liveness_budget;
    spec.plan = *gen_fault_plan(plan_options(spec.servers, spec.clients, options.faults, options.safety_phase));
    return spec;
  });
}

Cluster gen_cluster(GenOptions options) {
  if (const char* replay = std::getenv("ZSIM_REPLAY"); replay != nullptr && *replay != '\0') {
    return Cluster(read_regression(replay));
  }
  return Cluster(*gen_cluster_spec(std::move(options)));
}

}  // namespace zsim::testing
