// The exclusive lock (core/recipes/lock.h) against a simulated 3-server
// ensemble:
//   - of two contenders one holds the lock, the other waits; on release
//     the other holds it, with a larger fencing token;
//   - a holder whose session ends hands the lock to the next in line, and
//     only to it (the one after still waits: no herd);
//   - a create whose reply is lost is found again by its protected name:
//     one node, and the lock is taken; the naive lock (no protected names)
//     retries the create, leaves an orphan and waits behind it for ever;
//   - a holder cut off from the ensemble is kSuspended, then, once its
//     session expired, kLost: it is told.
#include "core/recipes/lock.h"
#include "core/recipes/sequence.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <optional>

namespace zsim::recipes_test {
namespace {

using core::Code;
using core::recipes::Acquire;
using core::recipes::ExclusiveLock;
using core::recipes::ExclusiveLockOptions;
using core::recipes::LockState;

ExclusiveLockOptions options(const std::string& id, bool protected_names = true) {
  ExclusiveLockOptions o;
  o.id = id;
  o.data = id;
  o.protected_names = protected_names;
  return o;
}

int line_length(RecipeWorld& w) {
  const core::DataTree* tree = w.tree();
  const core::Znode* parent = tree == nullptr ? nullptr : tree->find("/lock");
  return parent == nullptr ? -1 : static_cast<int>(parent->children.size());
}

struct Contender {
  std::optional<Acquire> got;
  int64_t token = 0;
  bool release = false;
  bool close = false;
  bool released = false;
};

// A body that acquires once, then releases or closes its session when asked.
BodyProcess::Body contender(RecipeWorld& w, Contender& me, const std::string& id, Duration start = Duration{0}) {
  return [&w, &me, id, start](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    env.fibers.sleep(start);
    ExclusiveLock lock(zk, options(id));
    me.got = lock.acquire(seconds(60));
    me.token = lock.token();
    while (!me.release && !me.close) env.fibers.sleep(millis(10));
    if (me.close) {
      zk.close();
    } else {
      lock.release();
    }
    me.released = true;
    while (true) env.fibers.sleep(seconds(1));
  };
}

TEST(ExclusiveLock, OneHoldsTheOtherWaitsThenTakesItWithALargerToken) {
  RecipeWorld w;
  Contender a, b;
  w.add_client("a", contender(w, a, "aaaa"));
  ASSERT_TRUE(w.run_until([&] { return a.got.has_value(); }, seconds(20)));
  ASSERT_EQ(*a.got, Acquire::kHeld);
  w.add_client("b", contender(w, b, "bbbb"));
  w.sim.run_for(seconds(3));
  EXPECT_FALSE(b.got.has_value()) << "b took a lock a holds";
  EXPECT_EQ(line_length(w), 2);
  a.release = true;
  ASSERT_TRUE(w.run_until([&] { return b.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*b.got, Acquire::kHeld);
  EXPECT_GT(b.token, a.token);
  w.sim.run_for(millis(100));
  EXPECT_EQ(line_length(w), 1);  // a's node is gone
}

TEST(ExclusiveLock, AHolderWhoseSessionEndsHandsTheLockToTheNextOnly) {
  RecipeWorld w;
  Contender a, b, c;
  w.add_client("a", contender(w, a, "aaaa"));
  ASSERT_TRUE(w.run_until([&] { return a.got.has_value(); }, seconds(20)));
  w.add_client("b", contender(w, b, "bbbb"));
  w.sim.run_for(seconds(1));
  w.add_client("c", contender(w, c, "cccc"));
  w.sim.run_for(seconds(1));
  a.close = true;
  ASSERT_TRUE(w.run_until([&] { return b.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*b.got, Acquire::kHeld);
  w.sim.run_for(seconds(2));
  EXPECT_FALSE(c.got.has_value()) << "c took the lock b holds";
  b.release = true;
  ASSERT_TRUE(w.run_until([&] { return c.got.has_value(); }, seconds(10)));
  EXPECT_GT(c.token, b.token);
}

// One contender whose create reply is lost; the lock's line must hold one
// node of its, and the lock must be taken (protected) -- or not (naive).
struct LostReply {
  std::optional<Acquire> got;
  int children = -1;
};

LostReply acquire_with_a_lost_create_reply(bool protected_names) {
  RecipeWorld w;
  LostReply out;
  w.add_client("c1", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/lock", "").code(), Code::Ok);
    env.fibers.sleep(std::max(Duration{0}, seconds(3) - env.clock.now().time_since_epoch()));
    ExclusiveLock lock(zk, options("abcd", protected_names));
    out.got = lock.acquire(seconds(3));
    while (true) env.fibers.sleep(seconds(1));
  });
  lose_replies_after(w, *w.sim.find_host("c1"), seconds(3));
  EXPECT_TRUE(w.run_until([&] { return out.got.has_value(); }, seconds(30)));
  w.sim.run_for(millis(100));
  out.children = line_length(w);
  return out;
}

TEST(ExclusiveLock, ALostCreateReplyIsFoundAgainAndTheLockTaken) {
  const LostReply r = acquire_with_a_lost_create_reply(true);
  ASSERT_TRUE(r.got.has_value());
  EXPECT_EQ(*r.got, Acquire::kHeld);
  EXPECT_EQ(r.children, 1);
}

TEST(ExclusiveLock, WithoutProtectedNamesALostReplyLeavesAnOrphanThatBlocksItsOwner) {
  const LostReply r = acquire_with_a_lost_create_reply(false);
  ASSERT_TRUE(r.got.has_value());
  EXPECT_EQ(*r.got, Acquire::kTimedOut) << "the naive lock waits behind its own orphan";
  EXPECT_EQ(r.children, 2);
}

TEST(ExclusiveLock, AHolderCutOffIsSuspendedThenLost) {
  RecipeWorld w;
  std::optional<Acquire> got;
  LockState before = LockState::kNotHeld;
  ExclusiveLock* lock_seen = nullptr;
  const io::HostId h = w.add_client("c1", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(2)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ExclusiveLock lock(zk, options("abcd"));
    got = lock.acquire(seconds(10));
    before = lock.state();
    lock_seen = &lock;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return got.has_value(); }, seconds(20)));
  ASSERT_EQ(*got, Acquire::kHeld);
  EXPECT_EQ(before, LockState::kHeld);
  w.isolate(h, true);
  ASSERT_TRUE(w.run_until([&] { return lock_seen->state() == LockState::kSuspended; }, seconds(5)));
  w.sim.run_for(seconds(4));
  w.isolate(h, false);
  ASSERT_TRUE(w.run_until([&] { return lock_seen->state() == LockState::kLost; }, seconds(10)));
  w.sim.run_for(millis(500));
  EXPECT_EQ(line_length(w), 0) << "the lost holder's node went with its session";
}

}  // namespace
}  // namespace zsim::recipes_test
