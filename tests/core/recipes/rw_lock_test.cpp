// The read/write lock (core/recipes/rw_lock.h) against a simulated 3-server
// ensemble:
//   - two readers hold it at once (readers never wait on readers);
//   - a writer waits until every earlier reader released, then holds it
//     with a token larger than theirs;
//   - a reader that comes after a waiting writer waits behind the writer
//     (readers wait on earlier writers), and holds once the writer
//     released.
#include "core/recipes/rw_lock.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <optional>

namespace zsim::recipes_test {
namespace {

using core::recipes::Acquire;
using core::recipes::ExclusiveLock;
using core::recipes::LockRole;

struct Holder {
  std::optional<Acquire> got;
  int64_t token = 0;
  bool release = false;
};

BodyProcess::Body holder(RecipeWorld& w, Holder& me, const std::string& id, LockRole role) {
  return [&w, &me, id, role](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ExclusiveLock lock(zk, core::recipes::rw_lock_options("/rw", id, role));
    me.got = lock.acquire(seconds(60));
    me.token = lock.token();
    while (!me.release) env.fibers.sleep(millis(10));
    lock.release();
    while (true) env.fibers.sleep(seconds(1));
  };
}

TEST(ReadWriteLock, ReadersShareWritersWaitForEarlierReadersAndLaterReadersForTheWriter) {
  RecipeWorld w;
  Holder r1, r2, wr, r3;
  w.add_client("r1", holder(w, r1, "rone", LockRole::kRead));
  ASSERT_TRUE(w.run_until([&] { return r1.got.has_value(); }, seconds(20)));
  w.add_client("r2", holder(w, r2, "rtwo", LockRole::kRead));
  ASSERT_TRUE(w.run_until([&] { return r2.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*r1.got, Acquire::kHeld);
  EXPECT_EQ(*r2.got, Acquire::kHeld) << "a reader waited on a reader";
  w.add_client("w", holder(w, wr, "wone", LockRole::kWrite));
  w.sim.run_for(seconds(2));
  EXPECT_FALSE(wr.got.has_value()) << "a writer took the lock beside readers";
  w.add_client("r3", holder(w, r3, "rthree", LockRole::kRead));
  w.sim.run_for(seconds(2));
  EXPECT_FALSE(r3.got.has_value()) << "a reader jumped a waiting writer";
  r1.release = true;
  w.sim.run_for(seconds(1));
  EXPECT_FALSE(wr.got.has_value()) << "the writer took the lock beside a reader";
  r2.release = true;
  ASSERT_TRUE(w.run_until([&] { return wr.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*wr.got, Acquire::kHeld);
  EXPECT_GT(wr.token, r1.token);
  EXPECT_GT(wr.token, r2.token);
  w.sim.run_for(seconds(1));
  EXPECT_FALSE(r3.got.has_value()) << "a reader took the lock beside the writer";
  wr.release = true;
  ASSERT_TRUE(w.run_until([&] { return r3.got.has_value(); }, seconds(10)));
  EXPECT_EQ(*r3.got, Acquire::kHeld);
  EXPECT_GT(r3.token, wr.token);
}

}  // namespace
}  // namespace zsim::recipes_test
