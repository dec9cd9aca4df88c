// The checks that judge a distributed queue from what really happened: the
// sink's processing records (item_sink.h), the producers' acknowledged
// offers, the znodes the ensemble committed (commit_log.h) and the settled
// ensemble's tree -- never what a consumer believes.
//
//   processed-at-most-once  (at-most-once consumers) no item id is processed
//                           twice;
//   processed-only-offered  every processed item was offered, and its item
//                           node was committed (no phantom, no made-up item);
//   none-lost               (at-least-once consumers, liveness) after the
//                           heal the queue drains, and every acknowledged
//                           item -- indeed every item the ensemble committed
//                           -- is processed at least once (exactly once after
//                           dedup by id);
//   queue-drained           (at-most-once consumers, liveness) after the heal
//                           the queue drains: every item is taken;
//   fifo-per-producer       each producer's items (one producer = one client
//                           incarnation, offering one item at a time) are
//                           taken in the order they were offered: the
//                           commits that take them (the delete of an
//                           at-most-once take, the first lock of an
//                           at-least-once claim) come in offer order;
//                           items one multi took (a batched delete) share
//                           its zxid and count as taken together. Items
//                           whose take the commit log did not see (a delete
//                           hidden in a snapshot) are not judged.
// Item ids are "<client>.<incarnation>.<seq>" (the producer and its count).
//
// The master/worker work queue (core/recipes/work_queue.h), judged from the
// settled tree, the commit log and the workers' execution records (the
// sink):
//   one-status-per-task     (liveness) after the heal nothing is left in
//                           /tasks or any /assign/<worker>, and every
//                           acknowledged -- indeed every committed -- task
//                           has exactly one node in /status: none lost when
//                           its worker died, none reported twice;
//   status-from-execution   every status names a worker that executed the
//                           task (an execution record of that worker
//                           incarnation exists).
#pragma once

#include "scenarios/recipes/check.h"
#include "scenarios/recipes/item_sink.h"

#include <memory>
#include <optional>
#include <string>

namespace zsim::scenarios::recipes {

enum class Consumption : uint8_t {
  kAtMostOnce,   // take = delete, then process
  kAtLeastOnce,  // claim (lock), process, complete (delete)
};

struct QueueLayout {
  std::string path = "/queue";  // items are its children "q-<id>-NNNNNNNNNN"
  Consumption consumption = Consumption::kAtMostOnce;
};

// "c1.2.17" -> {"c1.2", 17}; nullopt if not such an id.
std::optional<std::pair<std::string, uint64_t>> producer_and_seq(const std::string& id);

std::unique_ptr<Check> processed_at_most_once(std::shared_ptr<const ItemSink> sink);
std::unique_ptr<Check> processed_only_offered(std::shared_ptr<const ItemSink> sink,
                                              std::shared_ptr<const OfferLog> offers, QueueLayout layout);
std::unique_ptr<Check> none_lost(std::shared_ptr<const ItemSink> sink, std::shared_ptr<const OfferLog> offers,
                                 QueueLayout layout);
std::unique_ptr<Check> queue_drained(QueueLayout layout);
std::unique_ptr<Check> fifo_per_producer(QueueLayout layout);

// Where the work queue keeps its tasks (as core::recipes::WorkQueueOptions).
struct WorkQueueLayout {
  std::string tasks = "/tasks";
  std::string workers = "/workers";
  std::string assign = "/assign";
  std::string status = "/status";
};

std::unique_ptr<Check> one_status_per_task(std::shared_ptr<const OfferLog> submitted, WorkQueueLayout layout);
std::unique_ptr<Check> status_from_execution(std::shared_ptr<const ItemSink> executions, WorkQueueLayout layout);

}  // namespace zsim::scenarios::recipes
