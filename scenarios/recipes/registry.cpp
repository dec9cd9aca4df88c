#include "scenarios/registry.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios {

void register_recipes(std::vector<Scenario>& out) {
  recipes::register_election_master(out);
  recipes::register_election_herd(out);
  recipes::register_election_herd_naive(out);
  recipes::register_election_herd_free(out);
  recipes::register_reelection(out);
  recipes::register_election_unfenced_pause(out);
  // Locks and barriers.
  recipes::register_lock(out);
  recipes::register_lock_unprotected_naive(out);
  recipes::register_double_barrier(out);
  recipes::register_double_barrier_naive(out);
  recipes::register_barrier(out);
}

}  // namespace zsim::scenarios
