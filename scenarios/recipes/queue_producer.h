// The producer side shared by the queue scenarios (queue.cpp,
// transport_cost.cpp), over core/recipes/distributed_queue.h: each client
// incarnation offers items one at a time, id "<client>.<incarnation>.<seq>",
// offering the same id again until it is acknowledged (through a new
// session if the old one expired: the same id never makes a second item),
// and records each call and acknowledgement in the OfferLog the checks
// read (item_sink.h).
#pragma once

#include "core/recipes/distributed_queue.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/item_sink.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace zsim::scenarios::recipes {

// A scenario client's queue options: consumer "<client>.<incarnation>",
// 2 s to wait for a reconnect before a retry.
core::recipes::QueueOptions queue_options_for(ClientCtx& me, std::string path);

// Creates the queue's parents, whatever it takes (a new session after an
// expiry).
void ensure_queue_exists(ClientCtx& me, const core::recipes::QueueOptions& o);

struct ProducerPlan {
  std::string path = "/queue";
  // Items per incarnation, at most (a bound on the run); it also stops once
  // the liveness phase begins.
  uint64_t items_max = 200;
  // The item's data, from its id and its sequence number.
  std::function<std::string(ClientCtx& me, const std::string& id, uint64_t seq)> data;
  // How long to wait after each acknowledged item.
  std::function<Duration(ClientCtx& me)> pause;
};

ClientBody queue_producer(std::shared_ptr<OfferLog> offers, ProducerPlan plan);

}  // namespace zsim::scenarios::recipes
