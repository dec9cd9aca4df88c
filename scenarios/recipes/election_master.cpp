// election-master: 3 servers, 5 candidates electing a master by one
// ephemeral node (/master), under every fault (servers and clients crash
// and pause, partitions, loss, clock and disk faults). The master acts on a
// fenced resource with the czxid of /master as its token. Judged: one holder
// at a time and no stale token accepted (the resource), every action through
// the actor's own /master (leadership-ownership), no action through a
// disconnected handle, and one master acting alone after the heal.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_election_master(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kEphemeralMaster;
  o.candidate.path = "/master";
  out.push_back(recipe_scenario({
      .name = "election-master",
      .summary = "3 servers, 5 candidates race for an ephemeral /master and act on a fenced resource",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
