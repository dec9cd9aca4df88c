// Protected creates (CURATOR-45) against a simulated ensemble: a create
// whose reply is lost to ConnectionLoss is found again by its id after the
// reconnect -- one node, not two -- where a plain retry leaves an orphan;
// and a node that carries the id but belongs to another session is not
// taken for one's own (CURATOR-498) unless the owner check is off.
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>

namespace zsim::recipes_test {
namespace {

using core::Code;
using core::CreateMode;
using core::recipes::carries_id;

int children_carrying(RecipeWorld& w, const std::string& id) {
  const core::DataTree* tree = w.tree();
  const core::Znode* parent = tree == nullptr ? nullptr : tree->find("/locks");
  if (parent == nullptr) return -1;
  int n = 0;
  for (const std::string& child : parent->children) n += carries_id(child, id) ? 1 : 0;
  return n;
}

TEST(ProtectedCreate, ALostReplyIsFoundAgainNotMadeTwice) {
  RecipeWorld w;
  std::optional<core::Result<core::recipes::ProtectedNode>> result;
  const io::HostId h = w.add_client("c1", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/locks", "").code(), Code::Ok);
    env.fibers.sleep(std::max(Duration{0}, seconds(3) - env.clock.now().time_since_epoch()));
    result = core::recipes::protected_create(zk, "/locks", "lock-", "abc", "", CreateMode::EphemeralSequential);
    while (true) env.fibers.sleep(seconds(1));
  });
  (void)h;
  lose_replies_after(w, *w.sim.find_host("c1"), seconds(3));
  ASSERT_TRUE(w.run_until([&] { return result.has_value(); }, seconds(20)));
  ASSERT_TRUE(result->ok()) << result->status().to_string();
  EXPECT_TRUE(carries_id(core::recipes::base_name(result->value().path), "abc"));
  w.sim.run_for(seconds(1));
  EXPECT_EQ(children_carrying(w, "abc"), 1);
}

// The same lost reply with a plain retry: the first create happened, so
// the retry makes a second node that nobody knows about (the orphan that
// blocks a lock line). This is what protected names are for.
TEST(ProtectedCreate, APlainRetryLeavesAnOrphan) {
  RecipeWorld w;
  bool done = false;
  w.add_client("c1", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/locks", "").code(), Code::Ok);
    env.fibers.sleep(std::max(Duration{0}, seconds(3) - env.clock.now().time_since_epoch()));
    Code c = Code::ConnectionLoss;
    for (int i = 0; i < 20 && c == Code::ConnectionLoss; ++i) {
      (void)zk.wait_connected(seconds(2));
      c = zk.create("/locks/_c_abc-lock-", "", CreateMode::EphemeralSequential).code();
    }
    done = c == Code::Ok;
    while (true) env.fibers.sleep(seconds(1));
  });
  lose_replies_after(w, *w.sim.find_host("c1"), seconds(3));
  ASSERT_TRUE(w.run_until([&] { return done; }, seconds(20)));
  w.sim.run_for(seconds(1));
  EXPECT_EQ(children_carrying(w, "abc"), 2);
}

// A node carrying the id, made by another session: not ours.
TEST(ProtectedCreate, AnotherSessionsNodeIsNotOurs) {
  RecipeWorld w;
  bool made = false;
  std::optional<bool> found_checked;
  std::optional<bool> found_unchecked;
  w.add_client("old", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(10)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/locks", "").code(), Code::Ok);
    ASSERT_TRUE(zk.create("/locks/_c_abc-lock-", "", CreateMode::EphemeralSequential).ok());
    made = true;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return made; }, seconds(10)));
  w.add_client("new", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(10)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    auto checked = core::recipes::find_protected(zk, "/locks", "abc", CreateMode::EphemeralSequential, true);
    auto unchecked = core::recipes::find_protected(zk, "/locks", "abc", CreateMode::EphemeralSequential, false);
    ASSERT_TRUE(checked.ok() && unchecked.ok());
    found_checked = checked.value().has_value();
    found_unchecked = unchecked.value().has_value();
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return found_unchecked.has_value(); }, seconds(10)));
  EXPECT_FALSE(*found_checked);
  EXPECT_TRUE(*found_unchecked);
}

TEST(EnsurePath, MakesEveryMissingAncestor) {
  RecipeWorld w;
  std::optional<Code> code;
  w.add_client("c1", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    code = core::recipes::ensure_path(zk, "/a/b/c");
    EXPECT_EQ(core::recipes::ensure_path(zk, "/a/b/c"), Code::Ok);  // again: all there
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return code.has_value(); }, seconds(10)));
  EXPECT_EQ(*code, Code::Ok);
  w.sim.run_for(millis(100));
  ASSERT_NE(w.tree(), nullptr);
  EXPECT_NE(w.tree()->find("/a/b/c"), nullptr);
}

}  // namespace
}  // namespace zsim::recipes_test
