#include "scenarios/registry.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios {

void register_recipes(std::vector<Scenario>& out) {
  recipes::register_election_master(out);
  recipes::register_election_herd(out);
  recipes::register_election_herd_naive(out);
  recipes::register_election_herd_free(out);
  recipes::register_election_herd_free_naive(out);
  recipes::register_reelection(out);
  recipes::register_election_unfenced_pause(out);
  recipes::register_service_registry(out);
  recipes::register_server_replacement(out);
  recipes::register_config(out);
  recipes::register_auto_healer(out);
  recipes::register_queues(out);
  recipes::register_work_queue(out);
  recipes::register_counter(out);
  recipes::register_consensus(out);
  // Locks and barriers.
  recipes::register_lock(out);
  recipes::register_lock_unprotected_naive(out);
  recipes::register_double_barrier(out);
  recipes::register_double_barrier_naive(out);
  recipes::register_barrier(out);
  // Read/write lock and semaphore.
  recipes::register_rwlock(out);
  recipes::register_semaphore(out);
  // The course's own pairs.
  recipes::register_paused_leader(out);
  recipes::register_insecure_network(out);
  recipes::register_one_administrator(out);
  recipes::register_transport_cost(out);
  recipes::register_homogeneous(out);
}

}  // namespace zsim::scenarios
