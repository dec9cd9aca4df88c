// ExclusiveLock: a mutex on a line of sequential ephemerals where each
// contender watches only its predecessor (ZooKeeper's recipes page, "Locks";
// Curator's InterProcessMutex), with protected names (CURATOR-45) and a
// fencing token.
//
// Algorithm: acquire() creates `path`/_c_<id>-lock-<seq> EPHEMERAL_SEQUENTIAL
// through protected_create() (a create lost to ConnectionLoss is found again
// by its id, never made twice). Then, every round: getChildren(path) without
// a watch, sorted by sequence number.
//   - My node is the head (for a reader of a read/write lock, rw_lock.h: no
//     earlier node is a writer's): getData(my node). I hold the lock only if its
//     ephemeralOwner is my current session (a stale list can name a node of
//     a session that is gone). The token is my node's czxid.
//   - Otherwise: getData(predecessor, watch) (a reader: the last earlier
//     writer); gone already -> list again at
//     once; else wait for its deletion (or the timeout) and list again. One
//     release wakes one waiter: no herd. Never re-create my node because the
//     predecessor went.
//   - An earlier node of the line carries my id and is my session's (a create
//     of mine landed after the search that found nothing): keep the earlier
//     one, delete the later, or I would wait behind my own node forever.
//   - My node is not in the list (deleted while my session lives): make a
//     new one.
// release() deletes my node (if my session still owns it).
//
// Znodes: `path` PERSISTENT (created if missing); one EPHEMERAL_SEQUENTIAL
//   child per acquisition, data = the holder's data.
// ConnectionLoss: acquire() waits for the reconnect and lists the line again
//   (the protected id finds a node whose create reply was lost). A holder
//   whose handle is disconnected is kSuspended: it may still hold the lock
//   but must not act until the handle is connected again (the session may be
//   expiring).
// Session expiry: the node went with the session, so the lock is lost:
//   state() says kLost (the holder is told), and acquire() says kLost.
// Invariant: a contender holds the lock only through the head node of the
//   line, owned by its own session; tokens (the czxids of the nodes) grow
//   with each acquisition, so a resource that refuses tokens older than the
//   newest it saw fences a holder that lost the lock while paused.
//
// The naive variant (protected_names = false) is the planted bug of the
// scenario lock-unprotected-naive: a plain create, retried after a
// ConnectionLoss. When the first create had landed, its node is an orphan
// nobody knows of: it blocks the line -- its owner waits behind it -- until
// the session ends, which may be never.
//
// Blocking: acquire() and release() run on a fiber; state() and token() do
// not block. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <cstdint>
#include <string>

namespace zsim::core::recipes {

// A node's part in a line (rw_lock.h builds a read/write lock on it).
enum class LockRole : uint8_t {
  kExclusive,  // "lock-<seq>": waits on every earlier node
  kRead,       // "read-<seq>": waits only on earlier writers (shared)
  kWrite,      // "write-<seq>": waits on every earlier node
};

struct ExclusiveLockOptions {
  std::string path = "/lock";
  // A unique id for the protected name (e.g. 16 random hex digits).
  // REQUIRES: non-empty, no '/' and no '-'.
  std::string id;
  std::string data;
  // Protected names (false: the naive lock, a planted bug; see above).
  bool protected_names = true;
  // kRead and kWrite make this one side of a read/write lock (rw_lock.h):
  // a reader holds once no earlier node is a writer's, and watches the last
  // earlier writer; a writer is exclusive.
  LockRole role = LockRole::kExclusive;
  int rounds_max = 256;
  // How long release() waits for a disconnected handle to reconnect before
  // leaving the node to its session.
  Duration reconnect_wait = seconds(10);
};

enum class Acquire : uint8_t {
  kHeld,      // the lock is held: token() names it
  kTimedOut,  // not acquired within the timeout: the node stays in line
              // (call acquire() again, or release() to leave the line)
  kLost,      // the session is gone: this lock object is done
};
const char* to_string(Acquire a);

enum class LockState : uint8_t {
  kNotHeld,
  kHeld,       // acquired, the handle connected
  kSuspended,  // acquired, the handle disconnected: do not act
  kLost,       // acquired, then the session expired or was closed
};
const char* to_string(LockState s);
// What a holder's state is, from whether it acquired and its handle's state
// (the lock's and the semaphore's state() alike).
LockState lock_state(bool held, const Client& zk);

class ExclusiveLock {
 public:
  ExclusiveLock(Client& zk, ExclusiveLockOptions options);
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;

  // Waits in line until the lock is held, the session is lost, or a wait
  // sees no event for `timeout` (host time). REQUIRES: not held.
  Acquire acquire(Duration timeout);
  // Leaves the line: deletes my node if my session still owns it, retrying
  // after ConnectionLoss and waiting up to reconnect_wait for a disconnected
  // handle (if it does not reconnect, the node goes with the session, or a
  // later acquire() on this object finds it again by its id).
  void release();

  LockState state() const;
  // The fencing token of the latest acquisition: the czxid of its node.
  int64_t token() const { return token_; }
  // My node in the line ("" when not in line).
  const std::string& node() const { return node_; }

 private:
  enum class Step : uint8_t { kHeld, kLost, kAgain, kWait };
  Step round();
  Step join();
  Step join_naive();
  Step hold_if_mine();
  const char* base() const;
  void remove_strays();

  Client& zk_;
  ExclusiveLockOptions options_;
  std::string node_;
  bool held_ = false;
  int64_t token_ = 0;
};

}  // namespace zsim::core::recipes
