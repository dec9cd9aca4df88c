// election-herd-naive (must fail): election-herd without the ownership
// check. A candidate that crashes and restarts (a new process, a new
// session) finds "its" node -- the one carrying its name, made by its
// previous incarnation, whose session has not expired yet -- trusts the
// list, and leads through it when it heads the line. When the old session
// expires the node goes and the next candidate leads too: two leaders
// (CURATOR-696, CURATOR-498). Caught by leadership-ownership at the
// restarted candidate's first action.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_election_herd_naive(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerd;
  o.candidate.path = "/election";
  o.candidate.stable_ids = true;
  o.candidate.check_owner = false;
  out.push_back(recipe_scenario({
      .name = "election-herd-naive",
      .summary = "deliberately broken: the herd election trusts its list without the ownership check (caught)",
      .shape = herd_shape(),
      .faults = herd_faults(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
