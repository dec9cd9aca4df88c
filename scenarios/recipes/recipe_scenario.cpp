#include "scenarios/recipes/recipe_scenario.h"

#include "core/assert.h"

#include <memory>
#include <utility>

namespace zsim::scenarios::recipes {

Scenario recipe_scenario(RecipeScenarioSpec spec) {
  ZSIM_ASSERT_MSG(spec.setup != nullptr, "a recipe scenario needs a setup");
  Scenario s;
  s.name = spec.name;
  s.summary = spec.summary;
  s.plan_options = plan_options(spec.shape, spec.faults);
  s.has_roles = true;  // the ensemble resolves @leader, @follower, @observer
  s.safety_phase = spec.safety_phase;
  s.liveness_budget = spec.liveness_budget;
  // fsync takes milliseconds on a real disk: a crash can catch a txn that
  // is logged but not yet durable.
  s.sim_options.disk.sync_latency_min = millis(1);
  s.sim_options.disk.sync_latency_max = millis(10);
  s.servers = ServerKind::kEnsemble;  // planted bugs (zsim sweep --bug) apply
  s.build = [shape = spec.shape, setup = spec.setup](sim::Simulator& sim,
                                                     const RunParams& params) -> std::unique_ptr<Workload> {
    auto cluster = std::make_unique<Cluster>(sim, shape, params.bug);
    setup(*cluster);
    cluster->start();
    return cluster;
  };
  return s;
}

}  // namespace zsim::scenarios::recipes
