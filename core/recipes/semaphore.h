// Semaphore: N leases shared by any number of contenders (ZooKeeper's
// recipes page lists it beside the locks; the algorithm is the one of
// Curator's InterProcessSemaphoreV2), with protected names and a fencing
// token per lease.
//
// Algorithm: acquire() first takes an ExclusiveLock (lock.h) on
// `path`/locks: one contender at a time may count the leases. Holding it,
// it joins `path`/leases with a protected EPHEMERAL_SEQUENTIAL node
// _c_<id>-lease-<seq> (a create lost to ConnectionLoss is found again by
// its id), then, every round: getChildren(`path`/leases, watch).
//   - At most N children: getData(my node) -- the lease is mine only if its
//     ephemeralOwner is my current session; the token is its czxid -- and
//     exists() of every other child: their czxids are others(), the leases
//     live beside mine when I took it (at most N-1). Then release the lock.
//   - More than N: wait for the children watch (or the timeout) and count
//     again. Only the lock holder watches the leases and the others wait on
//     their predecessor in the lock's line: a released lease wakes one
//     contender, no herd.
//   - My node is not in the list (deleted while my session lives): make a
//     new one. A second node of mine (a create that landed after the search
//     that found nothing): keep the earlier, delete the later.
// On a timeout acquire() deletes its lease node and leaves the lock's line:
// nothing of a failed acquisition stays behind to be counted.
// release() deletes my lease node (if my session still owns it). If it
// cannot (the handle stays disconnected past reconnect_wait while the
// session lives: an ensemble without a quorum expires nobody), the next
// acquire() deletes it before queuing for the lock: a lease left behind is
// counted by everyone, and the lock's holder would wait for it while its
// owner waits for the lock.
//
// Znodes: `path`, `path`/locks, `path`/leases PERSISTENT (created if
//   missing); one EPHEMERAL_SEQUENTIAL child of locks per contender that is
//   counting, one of leases per holder (and one per counting contender).
// ConnectionLoss: acquire() waits for the reconnect and lists again (the
//   protected ids find nodes whose create replies were lost). A holder whose
//   handle is disconnected is kSuspended: it may still hold its lease but
//   must not act until the handle is connected again.
// Session expiry: the lease node went with the session: state() says kLost,
//   acquire() says kLost.
// Invariant: at every zxid at most N lease nodes belong to holders. Lease
//   nodes are made only under the lock, whose holder counts every live lease
//   (its own included) after making its own and holds only if there are at
//   most N; a lease leaves the count only by its deletion. Fencing: every
//   lease node that was live beside mine when I took it -- created before
//   mine and not yet deleted -- is in others(); so a lease whose token is
//   older than mine and not in my others() was deleted before I held. A
//   resource that, once it accepted my token, refuses every older token
//   missing from my others() fences a holder that lost its lease while paused
//   (see scenarios/recipes/lease_resource.h for the argument that the
//   holders it accepts never exceed N at once).
//
// Blocking: acquire() and release() run on a fiber; state(), token() and
// others() do not block. Uses only core::Client.
#pragma once

#include "core/client/client.h"
#include "core/recipes/lock.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace zsim::core::recipes {

struct SemaphoreOptions {
  std::string path = "/semaphore";
  // N: how many contenders may hold a lease at once. REQUIRES: >= 1, and
  // every contender of `path` uses the same N.
  int leases = 1;
  // A unique id for the protected names (e.g. 16 random hex digits).
  // REQUIRES: non-empty, no '/' and no '-'.
  std::string id;
  std::string data;
  int rounds_max = 256;
  // How long release() waits for a disconnected handle to reconnect before
  // leaving the node to its session.
  Duration reconnect_wait = seconds(10);
};

class Semaphore {
 public:
  Semaphore(Client& zk, SemaphoreOptions options);
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Waits until a lease is held, the session is lost, or a wait sees no
  // event for `timeout` (host time). kTimedOut leaves nothing behind.
  // REQUIRES: not held.
  Acquire acquire(Duration timeout);
  // Gives the lease back: deletes my lease node if my session still owns it,
  // retrying after ConnectionLoss and waiting up to reconnect_wait for a
  // disconnected handle.
  void release();

  LockState state() const;
  // The fencing token of the latest lease: the czxid of its node.
  int64_t token() const { return token_; }
  // The czxids of the other leases live when the latest lease was taken
  // (at most N-1), ascending.
  const std::vector<int64_t>& others() const { return others_; }
  // My lease node ("" when none).
  const std::string& node() const { return node_; }

 private:
  enum class Step : uint8_t { kHeld, kLost, kAgain, kWait };
  Acquire count_leases(Duration timeout);
  std::optional<Acquire> clear_leftover(Duration timeout);
  Step round();
  Step take(const std::vector<std::string>& leases);
  void leave();
  void remove_strays();

  Client& zk_;
  SemaphoreOptions options_;
  std::string leases_path_;
  ExclusiveLock lock_;
  std::string node_;
  bool held_ = false;
  // A lease node of mine may be left (release() gave up while disconnected).
  bool leftover_ = false;
  int64_t token_ = 0;
  std::vector<int64_t> others_;
};

}  // namespace zsim::core::recipes
