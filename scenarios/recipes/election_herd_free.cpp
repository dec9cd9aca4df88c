// election-herd-free: 5 servers, 5 candidates in a line of sequential
// ephemerals under /election, each watching only its predecessor
// (Curator's LeaderLatch with the fixes of CURATOR-644/645 and -696),
// under every fault. Ids are fresh per candidacy (protected names). Judged
// as election-master.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_election_herd_free(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerdFree;
  o.candidate.path = "/election";
  out.push_back(recipe_scenario({
      .name = "election-herd-free",
      .summary = "5 servers, 5 candidates in a sequential line, each watching its predecessor (LeaderLatch)",
      .shape = {.voters = 5, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
