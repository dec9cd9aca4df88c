// ReadWriteLock: a shared read lock and an exclusive write lock on one line
// of sequential ephemerals (ZooKeeper's recipes page, "Shared Locks";
// Curator's InterProcessReadWriteLock). Both sides are ExclusiveLock
// (lock.h) objects in a role:
//   read lock:  `path`/_c_<id>-read-<seq>; held once no earlier node is a
//               writer's; waits (watch) on the last earlier writer only, so
//               readers never wait on readers;
//   write lock: `path`/_c_<id>-write-<seq>; held once it heads the line;
//               waits on its predecessor, reader or writer.
// Protected names, ownership check, fencing token (the node's czxid),
// ConnectionLoss and expiry: as ExclusiveLock. A writer's token is larger
// than the token of every reader or writer that held before it, and a
// reader's larger than every writer's before it: a resource that refuses a
// write older than anything it accepted, and a read older than the newest
// write, fences a holder that lost its lock while paused.
// Invariant: no writer holds beside any other holder.
// A node that release() could not delete (the handle stayed disconnected
// past reconnect_wait while the session lived: an ensemble without a quorum
// expires nobody) stays in the line; only the same lock object finds it
// again, by its id. A caller that makes a fresh lock object per acquisition
// must end the session then (the rwlock scenario does), or a stale reader's
// node blocks every writer for as long as the session lives.
//
// Blocking: as ExclusiveLock. Uses only core::Client.
#pragma once

#include "core/recipes/lock.h"

#include <string>

namespace zsim::core::recipes {

// The options of one side of the read/write lock at `path`.
inline ExclusiveLockOptions rw_lock_options(std::string path, std::string id, LockRole role, std::string data = "") {
  ExclusiveLockOptions o;
  o.path = std::move(path);
  o.id = std::move(id);
  o.data = std::move(data);
  o.role = role;
  return o;
}

}  // namespace zsim::core::recipes
