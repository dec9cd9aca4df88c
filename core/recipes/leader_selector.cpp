#include "core/recipes/leader_selector.h"

#include "core/assert.h"

namespace zsim::core::recipes {

LeaderSelector::LeaderSelector(LeaderSelectorHooks hooks, Duration idle_timeout)
    : hooks_(std::move(hooks)), idle_timeout_(idle_timeout) {
  ZSIM_ASSERT(hooks_.session && hooks_.candidacy && hooks_.lead);
  ZSIM_ASSERT(idle_timeout_.count() > 0);
}

void LeaderSelector::run() {
  while (!stopping()) {
    std::unique_ptr<Election> e = hooks_.candidacy(hooks_.session());
    ZSIM_ASSERT(e != nullptr);
    ++stats_.candidacies;
    while (!stopping()) {
      const Leadership l = e->campaign(idle_timeout_);
      if (l == Leadership::kLost) {
        ++stats_.lost;
        break;  // a new session, a new candidacy
      }
      if (l == Leadership::kLeader && e->leading()) {
        ++stats_.leaderships;
        hooks_.lead(*e);
      }
    }
    if (stopping()) e->resign();
  }
}

}  // namespace zsim::core::recipes
