// election-herd: 3 servers, 3 candidates in a line of sequential
// ephemerals under /election, everyone watching the whole line (the herd
// effect), with the CURATOR-696 ownership check, under every fault. Ids are
// the host names, stable across restarts: a restarted candidate finds the
// node of its previous incarnation in the line and -- because it checks the
// owner -- does not take it for its own. Judged as election-master.
//
// The pair election-herd / election-herd-naive share their shape and faults
// (herd_shape, herd_faults): few candidates, sessions of 2-4 s and client
// crashes and pauses of up to 6 s, so that a candidate that heads the line
// often crashes and comes back while its old session still lives -- the
// moment the ownership check exists for -- and pauses still outlast the
// sessions.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

ClusterShape herd_shape() {
  return ClusterShape{.voters = 3, .clients = 3, .session_timeout_min = seconds(2), .session_timeout_max = seconds(4)};
}

FaultModel herd_faults() {
  FaultModel m = FaultModel::everything();
  m.down_max = seconds(6);
  return m;
}

void register_election_herd(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerd;
  o.candidate.path = "/election";
  o.candidate.stable_ids = true;
  out.push_back(recipe_scenario({
      .name = "election-herd",
      .summary = "3 servers, 3 candidates in a sequential line, all watching it; ownership checked (CURATOR-696)",
      .shape = herd_shape(),
      .faults = herd_faults(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
