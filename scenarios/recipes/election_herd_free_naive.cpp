// election-herd-free-naive (must fail; the course's leader-election
// example, algorithm 2): election-herd-free with the classic mistake of the
// herd-free recipe. A candidate watches only its predecessor -- right --
// but when that node goes it concludes "I am the head now" and leads
// without listing the line again. The predecessor may have died (a crash,
// a pause past its session) while the leader ahead of it lives: two
// leaders. Caught by leads-from-the-head: the naive candidate's token names
// a node that had never headed the line.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_election_herd_free_naive(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerdFree;
  o.candidate.path = "/election";
  o.candidate.relist = false;
  out.push_back(recipe_scenario({
      .name = "election-herd-free-naive",
      .summary = "deliberately broken: a herd-free candidate leads when its predecessor goes, without listing the "
                 "line again (caught)",
      .shape = {.voters = 5, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
