// Each recipe scenario file registers its scenario through one function
// here; register_recipes() (registry.cpp) calls them all. Internal to
// scenarios/recipes/.
#pragma once

#include "scenarios/recipes/shape.h"
#include "scenarios/scenario.h"

#include <vector>

namespace zsim::scenarios::recipes {

// The shape and faults election-herd and election-herd-naive share.
ClusterShape herd_shape();
FaultModel herd_faults();

void register_election_master(std::vector<Scenario>& out);
void register_election_herd(std::vector<Scenario>& out);
void register_election_herd_naive(std::vector<Scenario>& out);
void register_election_herd_free(std::vector<Scenario>& out);
void register_election_herd_free_naive(std::vector<Scenario>& out);
void register_reelection(std::vector<Scenario>& out);
void register_election_unfenced_pause(std::vector<Scenario>& out);
void register_service_registry(std::vector<Scenario>& out);
void register_server_replacement(std::vector<Scenario>& out);  // lesson 5's second pair
void register_config(std::vector<Scenario>& out);
void register_auto_healer(std::vector<Scenario>& out);

// Queues (queue.cpp: queue-at-most-once, queue-at-least-once; work_queue.cpp).
void register_queues(std::vector<Scenario>& out);
void register_work_queue(std::vector<Scenario>& out);
// Counter and consensus (counter.cpp, consensus.cpp).
void register_counter(std::vector<Scenario>& out);
void register_consensus(std::vector<Scenario>& out);
// Locks and barriers.
void register_lock(std::vector<Scenario>& out);
void register_lock_unprotected_naive(std::vector<Scenario>& out);
void register_double_barrier(std::vector<Scenario>& out);
void register_double_barrier_naive(std::vector<Scenario>& out);
void register_barrier(std::vector<Scenario>& out);
// Read/write lock and semaphore (rwlock.cpp, semaphore.cpp).
void register_rwlock(std::vector<Scenario>& out);
void register_semaphore(std::vector<Scenario>& out);  // semaphore, semaphore-naive
// The course's own pairs (paused_leader.cpp: lesson 2).
void register_paused_leader(std::vector<Scenario>& out);
// Lesson 4 (insecure_network.cpp): insecure-network-naive, insecure-network-acl.
void register_insecure_network(std::vector<Scenario>& out);
void register_one_administrator(std::vector<Scenario>& out);  // lesson 6
void register_transport_cost(std::vector<Scenario>& out);     // lesson 7
void register_homogeneous(std::vector<Scenario>& out);        // lesson 8

}  // namespace zsim::scenarios::recipes
