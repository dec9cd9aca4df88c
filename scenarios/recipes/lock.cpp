// lock and lock-unprotected-naive: 3 servers, 5 clients contending for an
// exclusive lock (core/recipes/lock.h) under /lock; each holder acts on a
// fenced resource "/db" inside its critical section, with the lock's token:
//
//   acquire; repeat 3 times: work (where a pause bites), and if the lock is
//   still held (connected), act with the token; release; rest
//
// A pause longer than the session timeout while holding loses the lock (its
// node goes with the session) and wakes a holder whose handle has not yet
// noticed: only the token keeps its action off the resource. Judged by the
// resource (no stale token accepted; holders never interleave), by
// leadership-ownership and leads-from-the-head (an accepted token is the
// czxid of a node of the line, owned by the actor's session, that had headed
// the line), acts-while-connected, and every-client-holds-after-heal.
//
// The pair share their shape and faults: connections break often (stream
// resets up to 1 message in 12), so that create replies are lost often.
// lock-unprotected-naive creates without protected names and retries the
// create after a ConnectionLoss: the first create's node is an orphan that
// its owner then waits behind, and the line stalls (every-client-holds-
// after-heal fails, naming the session with two nodes in the line).
#include "core/recipes/lock.h"
#include "scenarios/recipes/election_checks.h"
#include "scenarios/recipes/lock_checks.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

namespace zsim::scenarios::recipes {

namespace {

struct HolderOptions {
  bool protected_names = true;
  int actions = 3;
  Duration work = millis(60);
  Duration rest_max = millis(300);
};

ClientBody lock_holder(FencedResource& db, HolderOptions o) {
  return [&db, o](ClientCtx& me) {
    namespace r = core::recipes;
    while (true) {
      r::ExclusiveLockOptions lo;
      lo.path = "/lock";
      lo.id = me.unique_id();
      lo.data = me.name();
      lo.protected_names = o.protected_names;
      r::ExclusiveLock lock(me.zk(), lo);
      while (true) {
        const r::Acquire a = lock.acquire(seconds(60));
        if (a == r::Acquire::kLost) break;
        if (a == r::Acquire::kTimedOut) continue;
        for (int i = 0; i < o.actions; ++i) {
          me.sleep(o.work);
          if (lock.state() != r::LockState::kHeld) break;
          db.act(me, lock.token());
        }
        if (lock.state() == r::LockState::kLost) break;
        lock.release();
        me.sleep(millis(static_cast<int64_t>(me.random().below(static_cast<uint64_t>(o.rest_max.count() / 1'000'000)))));
      }
    }
  };
}

ClusterShape lock_shape() { return ClusterShape{.voters = 3, .clients = 5}; }

FaultModel lock_faults() {
  FaultModel m = FaultModel::everything();
  m.stream_reset_max = sim::Ratio{1, 12};
  return m;
}

void lock_setup(Cluster& c, HolderOptions o) {
  FencedResource& db = c.fenced_resource("/db", Fencing::kTokens);
  c.clients(lock_holder(db, o), Until::kRunEnds);
  const ElectionLayout line{"/lock", ElectionLayout::Shape::kLine};
  c.add_check(leadership_ownership(db, line));
  c.add_check(leads_from_the_head(db, line));
  c.add_check(acts_while_connected(db));
  c.add_check(every_client_holds_after_heal(db, "/lock"));
}

}  // namespace

void register_lock(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "lock",
      .summary = "3 servers, 5 clients take an exclusive lock (protected names, token) and act on a fenced resource",
      .shape = lock_shape(),
      .faults = lock_faults(),
      .setup = [](Cluster& c) { lock_setup(c, HolderOptions{}); },
  }));
}

void register_lock_unprotected_naive(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "lock-unprotected-naive",
      .summary = "the lock without protected names: a create retried after ConnectionLoss leaves an orphan (CURATOR-45)",
      .shape = lock_shape(),
      .faults = lock_faults(),
      .setup = [](Cluster& c) { lock_setup(c, HolderOptions{.protected_names = false}); },
  }));
}

}  // namespace zsim::scenarios::recipes
