// A FIFO distributed queue of PERSISTENT_SEQUENTIAL nodes (ZooKeeper's
// queue recipe, Curator's DistributedQueue), with an offer that never
// duplicates and two kinds of consumer.
//
// Znodes (the parents must exist: ensure_path):
//   <path>/q-<id>-NNNNNNNNNN   one item, PERSISTENT_SEQUENTIAL, data = payload;
//                              the sequence orders the queue, <id> names the
//                              item (unique per offer, no '/')
//   <ids>/<id>                 PERSISTENT marker, created in the same multi
//                              as the item: "this id was offered"
//   <path>/q-...-N/lock        EPHEMERAL, data = the consumer: an at-least-once
//                              consumer's claim on the item
//   <receipts>/<item name>     PERSISTENT, data = the consumer: which
//                              at-most-once consumer took the item
//
// Offer (create_once.h): multi(create <ids>/<id>, create <path>/q-<id>-). On ConnectionLoss
//   the same multi is sent again after the reconnect: if the first one
//   committed, the marker exists and the whole multi fails with NodeExists,
//   which means "already offered" -- exactly one item per id whatever was
//   lost. (Looking for the id among the children, as a protected create
//   does, is not enough for a queue: a consumer may already have taken the
//   item when the producer looks.) On session expiry the caller may offer
//   the same id again through a new session: same answer.
// Take (at most once): list the children (watching the parent: every
//   consumer wakes on every change, Curator's herd), and from the head:
//   multi(delete item, create receipt). The consumer whose multi commits
//   owns the item; NoNode means another took it, try the next. On
//   ConnectionLoss, after the reconnect, the receipt says whether the take
//   committed (and for whom); if not, list again from the head (never skip
//   an item whose take is unknown: that would break FIFO). The item is
//   gone from the queue before it is processed: a consumer that dies
//   before processing loses it (that is what at most once means).
// Claim / complete (at least once): from the head, create item/lock
//   EPHEMERAL; NodeExists: another consumer holds it (or this session
//   does, a create whose reply was lost: the lock's ephemeralOwner says),
//   try the next; NoNode: the item was completed, try the next. Process,
//   then complete: multi(delete lock, delete item). A consumer whose
//   session dies before completing leaves the item (its lock goes with the
//   session) for another: the item may be processed twice, never lost.
//   complete() from a live session deletes only its own lock: its
//   ephemeral can go only with its session, which the server checks first.
// Session expiry: every call returns SessionExpired; claims of the dead
//   session are void (their locks are gone).
// Invariant: one item node (and one marker) per offered id; items are taken
//   (deleted, or first claimed) in sequence order among those whose take
//   is not in doubt, so per producer in offer order.
//
// Blocking: call from a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <optional>
#include <string>

namespace zsim::core::recipes {

struct QueueOptions {
  std::string path = "/queue";           // the items
  std::string ids = "/queue-ids";        // the offered-id markers
  std::string receipts = "/queue-taken"; // at-most-once takes
  // Who consumes (lock and receipt data), unique per consumer instance.
  std::string consumer;
  // Requests lost to ConnectionLoss before a call gives up with it.
  int attempts_max = 20;
  // How long each retry waits for the handle to be connected again.
  Duration reconnect_wait = seconds(10);
  // take()/claim(): listings per call, at most (each after a wake-up).
  int rounds_max = 64;
};

struct QueueItem {
  std::string path;  // <path>/q-<id>-NNNNNNNNNN
  std::string id;    // as offered
  std::string data;
};

// The item name "q-<id>-NNNNNNNNNN" -> <id>; nullopt for a foreign name.
std::optional<std::string> item_id_of(std::string_view name);

// Creates the queue's parents (path, ids, receipts). Ok or the failure.
Code ensure_queue(Client& zk, const QueueOptions& options);

// Offers one item. Ok: the item with this id is in the queue (or was, and
// has been taken) -- exactly once, even if an earlier call with the same
// id was lost. ConnectionLoss (gave up) / SessionExpired: unknown; offer
// the same id again (through a new session if it expired).
// REQUIRES: `id` contains no '/'.
Status offer(Client& zk, const QueueOptions& options, const std::string& id, const std::string& data);

// At most once: takes the head item; when there is none, waits up to `wait`
// for a change and lists again. nullopt: nothing changed for `wait` (or
// rounds_max listings found nothing). Errors: SessionExpired, ConnectionLoss.
Result<std::optional<QueueItem>> take(Client& zk, const QueueOptions& options, Duration wait);

// At least once: claims the head item not claimed by another consumer,
// waiting up to `wait`. nullopt: none to claim. Errors: as take().
Result<std::optional<QueueItem>> claim(Client& zk, const QueueOptions& options, Duration wait);

// At least once: the claimed item is done -- deletes its lock and the item.
// Ok (also when a lost attempt did it); NoNode: the claim was void (the
// lock or the item is gone: another consumer has it, or had it); errors:
// SessionExpired, ConnectionLoss.
Status complete(Client& zk, const QueueOptions& options, const QueueItem& item);

}  // namespace zsim::core::recipes
