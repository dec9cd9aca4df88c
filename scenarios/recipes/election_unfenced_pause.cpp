// election-unfenced-pause-naive (must fail): the herd-free election is correct,
// but the leader acts on a resource without a fencing token. A leader
// paused between deciding to act and acting (a GC pause) for longer than
// its session wakes still believing it leads -- its handle has not noticed
// yet -- and acts beside the new leader: two leaders act, the classic
// failure that fencing prevents. Caught by the resource's
// one-holder-at-a-time judgement.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_election_unfenced_pause(std::vector<Scenario>& out) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerdFree;
  o.candidate.path = "/election";
  o.candidate.pass_token = false;
  o.fencing = Fencing::kNone;
  out.push_back(recipe_scenario({
      .name = "election-unfenced-pause-naive",
      .summary = "deliberately broken: a leader acts without a fencing token; a long pause makes two leaders act",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::clients_only(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
}

}  // namespace zsim::scenarios::recipes
