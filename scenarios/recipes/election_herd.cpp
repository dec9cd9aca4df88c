// election-herd: 3 servers, 5 candidates in a line of sequential
// ephemerals under /election, everyone watching the whole line (the herd
// effect), with the CURATOR-696 ownership check, under every fault. Ids are
// the host names, stable across restarts: a restarted candidate finds the
// node of its previous incarnation in the line and -- because it checks the
// owner -- does not take it for its own. Judged as election-master.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_election_herd(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerd;
  o.candidate.path = "/election";
  o.candidate.stable_ids = true;
  out.push_back(recipe_scenario({
      .name = "election-herd",
      .summary = "3 servers, 5 candidates in a sequential line, all watching it; ownership checked (CURATOR-696)",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
