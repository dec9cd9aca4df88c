// paused-leader-naive / paused-leader-fenced: lesson 2 of the course
// ("latency is zero", tools/lessons.cpp). The election-unfenced-pause pair
// aimed at the one fault the lesson is about: three candidates, and the
// only faults are client pauses (no crashes), long enough (up to 6 s) to
// outlast the 1-2 s sessions and the next leader's election. Any pause of
// the leader then makes it wake, still believing, after the next leader
// acted: the naive leader (no token, a database that cannot check) acts
// beside it; the fenced one is refused.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

namespace {

Scenario paused_leader(bool fenced) {
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerdFree;
  o.candidate.path = "/election";
  o.candidate.pass_token = fenced;
  o.fencing = fenced ? Fencing::kTokens : Fencing::kNone;
  FaultModel faults = FaultModel::clients_only();
  faults.down_max = seconds(6);
  Scenario s = recipe_scenario({
      .name = fenced ? "paused-leader-fenced" : "paused-leader-naive",
      .summary = fenced ? "lesson 2, fixed: leaders paused past their sessions wake up; their token is refused"
                        : "deliberately broken (lesson 2): leaders paused past their sessions wake up and act "
                          "without a token",
      .shape = {.voters = 3, .clients = 3},
      .faults = faults,
      .setup = [o](Cluster& c) { election_setup(c, o); },
  });
  s.plan_options.client_crashes = false;  // pauses only: the lesson's one fault
  return s;
}

}  // namespace

void register_paused_leader(std::vector<Scenario>& out) {
  out.push_back(paused_leader(false));
  out.push_back(paused_leader(true));
}

}  // namespace zsim::scenarios::recipes
