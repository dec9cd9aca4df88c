// The semaphore (core/recipes/semaphore.h) against a simulated 3-server
// ensemble:
//   - with 2 leases, two contenders hold at once and a third waits; when
//     one gives its lease back the third holds, with a larger token, and
//     its others() name the lease still held, not the one given back;
//   - a waiter that times out leaves nothing behind: no lease node, no node
//     in the lock's line;
//   - a holder cut off is kSuspended, then, once its session expired, kLost;
//     its lease node went with the session and the waiter holds;
//   - a lease left by a release that gave up (cut off, the session alive)
//     is deleted by the next acquire() before it queues for the lock, so
//     the contender counting under the lock is not blocked by it;
//   - a create whose reply is lost is found again by its protected name:
//     one lease node, and the lease is taken.
#include "core/recipes/semaphore.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace zsim::recipes_test {
namespace {

using core::Code;
using core::recipes::Acquire;
using core::recipes::LockState;
using core::recipes::Semaphore;
using core::recipes::SemaphoreOptions;

SemaphoreOptions options(const std::string& id, int leases) {
  SemaphoreOptions o;
  o.id = id;
  o.data = id;
  o.leases = leases;
  return o;
}

int children(RecipeWorld& w, const std::string& path) {
  const core::DataTree* tree = w.tree();
  const core::Znode* parent = tree == nullptr ? nullptr : tree->find(path);
  return parent == nullptr ? -1 : static_cast<int>(parent->children.size());
}

struct Holder {
  std::optional<Acquire> got;
  int64_t token = 0;
  std::vector<int64_t> others;
  Duration timeout = seconds(60);
  bool release = false;
  Semaphore* sem = nullptr;
};

// A body that acquires once (2 leases), then releases when asked.
BodyProcess::Body holder(RecipeWorld& w, Holder& me, const std::string& id, Duration session = seconds(4)) {
  return [&w, &me, id, session](io::Env& env) {
    core::Client zk(env, w.client_options(session));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    Semaphore sem(zk, options(id, 2));
    me.sem = &sem;
    me.got = sem.acquire(me.timeout);
    me.token = sem.token();
    me.others = sem.others();
    while (!me.release) env.fibers.sleep(millis(10));
    sem.release();
    while (true) env.fibers.sleep(seconds(1));
  };
}

TEST(Semaphore, TwoHoldAtOnceTheThirdWaitsAndTakesTheLeaseGivenBack) {
  RecipeWorld w;
  Holder a, b, c;
  w.add_client("a", holder(w, a, "aaaa"));
  ASSERT_TRUE(w.run_until([&] { return a.got.has_value(); }, seconds(20)));
  w.add_client("b", holder(w, b, "bbbb"));
  ASSERT_TRUE(w.run_until([&] { return b.got.has_value(); }, seconds(10)));
  ASSERT_EQ(*a.got, Acquire::kHeld);
  ASSERT_EQ(*b.got, Acquire::kHeld);
  EXPECT_TRUE(a.others.empty());
  EXPECT_EQ(b.others, std::vector<int64_t>{a.token}) << "b took its lease beside a's";
  w.add_client("c", holder(w, c, "cccc"));
  w.sim.run_for(seconds(3));
  EXPECT_FALSE(c.got.has_value()) << "c took a third lease of two";
  EXPECT_EQ(children(w, "/semaphore/leases"), 3);  // c's, counting
  EXPECT_EQ(children(w, "/semaphore/locks"), 1);   // c counts under the lock
  a.release = true;
  ASSERT_TRUE(w.run_until([&] { return c.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*c.got, Acquire::kHeld);
  EXPECT_GT(c.token, b.token);
  EXPECT_EQ(c.others, std::vector<int64_t>{b.token}) << "a's lease was given back: not beside c's";
  w.sim.run_for(millis(200));
  EXPECT_EQ(children(w, "/semaphore/leases"), 2);
  EXPECT_EQ(children(w, "/semaphore/locks"), 0) << "the lock is released once a lease is taken";
}

TEST(Semaphore, AWaiterThatTimesOutLeavesNothingBehind) {
  RecipeWorld w;
  Holder a, b, c;
  c.timeout = seconds(2);
  w.add_client("a", holder(w, a, "aaaa"));
  ASSERT_TRUE(w.run_until([&] { return a.got.has_value(); }, seconds(20)));
  w.add_client("b", holder(w, b, "bbbb"));
  ASSERT_TRUE(w.run_until([&] { return b.got.has_value(); }, seconds(10)));
  w.add_client("c", holder(w, c, "cccc"));
  ASSERT_TRUE(w.run_until([&] { return c.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*c.got, Acquire::kTimedOut);
  w.sim.run_for(millis(200));
  EXPECT_EQ(children(w, "/semaphore/leases"), 2);
  EXPECT_EQ(children(w, "/semaphore/locks"), 0);
}

TEST(Semaphore, AHolderCutOffIsSuspendedThenLostAndItsLeaseGoesToTheWaiter) {
  RecipeWorld w;
  Holder a, b, c;
  const io::HostId ha = w.add_client("a", holder(w, a, "aaaa", seconds(2)));
  ASSERT_TRUE(w.run_until([&] { return a.got.has_value(); }, seconds(20)));
  w.add_client("b", holder(w, b, "bbbb"));
  ASSERT_TRUE(w.run_until([&] { return b.got.has_value(); }, seconds(10)));
  w.add_client("c", holder(w, c, "cccc"));
  w.sim.run_for(seconds(1));
  ASSERT_FALSE(c.got.has_value());
  w.isolate(ha, true);
  ASSERT_TRUE(w.run_until([&] { return a.sem->state() == LockState::kSuspended; }, seconds(5)));
  ASSERT_TRUE(w.run_until([&] { return c.got.has_value(); }, seconds(10))) << "a's expiry frees its lease";
  EXPECT_EQ(*c.got, Acquire::kHeld);
  EXPECT_EQ(c.others, std::vector<int64_t>{b.token});
  w.isolate(ha, false);
  ASSERT_TRUE(w.run_until([&] { return a.sem->state() == LockState::kLost; }, seconds(10)));
}

// a holds the only lease; b counts under the lock, waiting for it. a gives it
// back while cut off (its release gives up after 100 ms; the session lives):
// the lease node stays, and b still waits -- until a's next acquire()
// deletes the leftover before queuing for the lock b holds. (Without that,
// a waits for the lock while b waits for a's lease: semaphore seed 122.)
TEST(Semaphore, ALeaseLeftByAReleaseThatGaveUpIsDeletedByTheNextAcquire) {
  RecipeWorld w;
  Holder b;
  std::optional<Acquire> first, second;
  bool released = false;
  const io::HostId ha = w.add_client("a", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    SemaphoreOptions o = options("aaaa", 1);
    o.reconnect_wait = millis(100);
    Semaphore sem(zk, o);
    first = sem.acquire(seconds(60));
    while (zk.state() == core::ClientState::kConnected) env.fibers.sleep(millis(10));
    sem.release();
    released = true;
    second = sem.acquire(seconds(60));
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return first.has_value(); }, seconds(20)));
  ASSERT_EQ(*first, Acquire::kHeld);
  w.add_client("b", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    Semaphore sem(zk, options("bbbb", 1));
    b.got = sem.acquire(seconds(60));
    while (true) env.fibers.sleep(seconds(1));
  });
  w.sim.run_for(seconds(1));
  w.isolate(ha, true);
  ASSERT_TRUE(w.run_until([&] { return released; }, seconds(5)));
  w.sim.run_for(millis(300));
  EXPECT_EQ(children(w, "/semaphore/leases"), 2) << "a's lease is left while a is cut off";
  EXPECT_FALSE(b.got.has_value());
  w.isolate(ha, false);
  ASSERT_TRUE(w.run_until([&] { return b.got.has_value(); }, seconds(10))) << "a's leftover lease blocks b";
  EXPECT_EQ(*b.got, Acquire::kHeld);
  EXPECT_FALSE(second.has_value()) << "a took a second lease of one";
}

// The lease's create commits, and its reply (slowed to 300 ms) is lost: the
// client is cut off the moment the node shows in the tree.
TEST(Semaphore, ALostCreateReplyIsFoundAgainAndTheLeaseTaken) {
  RecipeWorld w;
  std::optional<Acquire> got;
  const io::HostId h = w.add_client("c1", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    Semaphore sem(zk, options("abcd", 1));
    got = sem.acquire(seconds(5));
    while (true) env.fibers.sleep(seconds(1));
  });
  for (io::HostId s : w.servers) {
    w.sim.network().set_link_latency(
        s, h, sim::LatencyModel{sim::LatencyModel::Kind::kConstant, millis(300), millis(300), millis(300)});
  }
  ASSERT_TRUE(w.run_until([&] { return children(w, "/semaphore/leases") == 1; }, seconds(30)));
  ASSERT_FALSE(got.has_value());
  w.isolate(h, true);
  w.sim.run_for(millis(500));
  w.isolate(h, false);
  for (io::HostId s : w.servers) w.sim.network().set_link_latency(s, h, sim::LatencyModel{});
  ASSERT_TRUE(w.run_until([&] { return got.has_value(); }, seconds(30)));
  EXPECT_EQ(*got, Acquire::kHeld);
  w.sim.run_for(millis(100));
  EXPECT_EQ(children(w, "/semaphore/leases"), 1) << "the lease made once";
  EXPECT_EQ(children(w, "/semaphore/locks"), 0);
}

}  // namespace
}  // namespace zsim::recipes_test
