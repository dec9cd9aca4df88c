// Barrier: one node holds everyone back until it is removed (ZooKeeper's
// recipes page, "Barriers"; Curator's DistributedBarrier).
//
// Algorithm: a coordinator raise()s the barrier (creates `path`) and later
// lower()s it (deletes `path`). A waiter's wait(): exists(`path`, watch);
// gone -> passed; else wait for an event and read again -- a wake-up may be
// a disconnect or a watch on a node that was made again, so it always
// re-reads.
// Znodes: `path` PERSISTENT (its parents made if missing). The barrier must be
//   raised before anyone waits on it: a waiter cannot tell a barrier not yet
//   raised from one already lowered (the scenario raises the next barrier
//   before it lowers the current one, for that reason).
// ConnectionLoss: raise() and lower() retry after the reconnect (a lost
//   create reply shows as NodeExists, a lost delete reply as NoNode: both
//   fine); wait() reads again after the reconnect.
// Session expiry: nothing of the barrier is ephemeral; calls on the dead
//   handle fail with SessionExpired (wait(): kLost) and a new session
//   simply waits again.
// Invariant: wait() returns kPassed only after the barrier's node was gone
//   (a read saw no node at `path`).
//
// Blocking: run on a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"
#include "core/recipes/double_barrier.h"  // BarrierWait

#include <string>

namespace zsim::core::recipes {

class Barrier {
 public:
  Barrier(Client& zk, std::string path);

  // Creates the node (and missing parents). Ok, or the code it gave up with
  // (SessionExpired; ConnectionLoss after `attempts_max` losses).
  Code raise(int attempts_max = 20);
  // Deletes the node. Ok (also when it was gone already), or as raise().
  Code lower(int attempts_max = 20);
  // Waits until the node is gone. `timeout`: the longest wait without an
  // event.
  BarrierWait wait(Duration timeout);

 private:
  Client& zk_;
  std::string path_;
};

}  // namespace zsim::core::recipes
