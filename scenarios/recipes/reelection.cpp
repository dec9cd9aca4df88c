// reelection: 3 healthy servers and 5 candidates (the herd-free election,
// run by a LeaderSelector) whose hosts crash and pause for up to 4 s --
// longer than their 1-2 s sessions -- and drift, one at a time. Whenever
// the leader's session dies, the next in line must lead within the bound:
// every node that heads the line is led through, or gone, within the
// longest session timeout plus 3 s. A disconnected (SUSPENDED) or expired
// (LOST) leader must not act; its actions after a pause are refused by the
// token. Judged as election-master, plus reelection-bound.
#include "scenarios/recipes/candidate.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

void register_reelection(std::vector<Scenario>& out) {
  const ClusterShape shape{.voters = 3, .clients = 5};
  ElectionScenarioOptions o;
  o.candidate.recipe = ElectionRecipe::kHerdFree;
  o.candidate.path = "/election";
  // A head whose owner is up leads within a round trip and one `work`; one
  // whose owner is paused resumes, or its session expires, within the
  // session timeout (expiry is checked every 100 ms tick); clock jumps of
  // up to 1 s on the clients' hosts stretch their timers.
  o.reelection_bound = shape.session_timeout_max + seconds(3);
  out.push_back(recipe_scenario({
      .name = "reelection",
      .summary = "3 healthy servers; candidates crash and pause past their sessions; the next leads within a bound",
      .shape = shape,
      .faults = FaultModel::clients_only(),
      .setup = [o](Cluster& c) { election_setup(c, o); },
  }));
  // The course example's naive candidate (zsim lesson re-election): the
  // same election, but a candidate reads its predecessor without a watch.
  // When the leader dies nobody is told: the next in line looks again only
  // after its 60 s idle timeout. Caught by reelection-bound.
  ElectionScenarioOptions naive = o;
  naive.candidate.watch_predecessor = false;
  out.push_back(recipe_scenario({
      .name = "reelection-unwatched-naive",
      .summary = "deliberately broken: candidates do not watch their predecessor; the leader dies and nobody "
                 "takes over",
      .shape = shape,
      .faults = FaultModel::clients_only(),
      .setup = [naive](Cluster& c) { election_setup(c, naive); },
  }));
}

}  // namespace zsim::scenarios::recipes
