// recipe_scenario(): a registered Scenario from a few parameters -- the
// cluster's shape, the fault model, the phases, and a setup function that
// adds the resources, the client bodies and the checks. A new recipe
// scenario is one call:
//
//   out.push_back(recipe_scenario({
//       .name = "my-lock",
//       .summary = "5 clients take a lock and write a fenced file",
//       .shape = {.voters = 3, .clients = 5},
//       .faults = FaultModel::everything(),
//       .setup = [](Cluster& c) {
//         FencedResource& file = c.fenced_resource("/file");
//         c.clients([&file](ClientCtx& me) { ... file.act(me, token) ... });
//       }}));
//
// Every run: the ensemble and the clients start, the safety phase runs
// under the seed's fault plan (plan_options(shape, faults)), everything is
// healed, and the run must reach its liveness goal (ensemble settled, every
// check settled) within the budget; then the checks judge it.
#pragma once

#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/shape.h"
#include "scenarios/scenario.h"

#include <functional>
#include <string>

namespace zsim::scenarios::recipes {

struct RecipeScenarioSpec {
  std::string name;
  std::string summary;  // one line, for `zsim list`
  ClusterShape shape;
  FaultModel faults;
  Duration safety_phase = seconds(20);
  // An election (a second or two), every restarted server rejoining, the
  // sessions the faults left behind expiring (up to 4 s each), and the
  // recipe's own goal.
  Duration liveness_budget = seconds(30);
  std::function<void(Cluster&)> setup;
};

Scenario recipe_scenario(RecipeScenarioSpec spec);

}  // namespace zsim::scenarios::recipes
