// The configuration znode (core/recipes/config_node.h) against a simulated
// 3-server ensemble:
//   - writers racing on read-modify-write lose no update: with the version
//     check every value is made from the one before it, so after N updates
//     the counter is N and the version N-1 -- and without it (a plain
//     setData of the transformed read) updates are lost, which is what the
//     check exists for;
//   - a watcher sees the config move forward through its watch, never back,
//     and ends on the last value;
//   - a watcher cut off past its session comes back in a new session and
//     catches up, keeping its highest version (it never publishes an older
//     one).
#include "core/recipes/config_node.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zsim::recipes_test {
namespace {

using core::recipes::ConfigValue;
using core::recipes::ConfigWatcher;
using core::recipes::ConfigWriter;
using core::recipes::ConfigWriterOptions;

std::string plus_one(const std::string& old) { return std::to_string(old.empty() ? 1 : std::stoi(old) + 1); }

class Config : public testing::Test {
 protected:
  // A writer that applies `count` increments, versioned or not.
  void add_writer(const std::string& name, int count, bool versioned, int* done) {
    w_.add_client(name, [this, count, versioned, done](io::Env& env) {
      core::Client zk(env, w_.client_options());
      ASSERT_TRUE(RecipeWorld::connect(zk));
      ConfigWriter writer(zk, ConfigWriterOptions{.path = "/config", .rounds_max = 1000});
      for (int i = 0; i < count; ++i) {
        if (versioned) {
          ASSERT_TRUE(writer.update(plus_one).ok());
        } else {
          // The naive writer: read, transform, write whatever is there.
          auto got = zk.get_data("/config");
          ASSERT_TRUE(got.ok());
          ASSERT_TRUE(zk.set_data("/config", plus_one(got.value().data)).ok());
        }
        env.fibers.sleep(millis(static_cast<int64_t>(env.random.below(5))));
      }
      ++*done;
      while (true) env.fibers.sleep(seconds(1));
    });
  }

  void add_watcher(const std::string& name, std::vector<ConfigValue>* seen, int* sessions) {
    w_.add_client(name, [this, seen, sessions](io::Env& env) {
      ConfigWatcher watcher("/config");
      while (true) {
        core::Client zk(env, w_.client_options());
        ++*sessions;
        (void)watcher.follow(zk, seconds(60), [seen](const ConfigValue& v) { seen->push_back(v); }, [] { return false; });
      }
    });
  }

  void create_config() {
    bool made = false;
    w_.add_client("init", [this, &made](io::Env& env) {
      core::Client zk(env, w_.client_options());
      ASSERT_TRUE(RecipeWorld::connect(zk));
      made = zk.create("/config", "0").ok();
      zk.close();
      while (true) env.fibers.sleep(seconds(1));
    });
    ASSERT_TRUE(w_.run_until([&] { return made; }, seconds(10)));
  }

  std::string final_value() {
    const core::DataTree* tree = w_.tree();
    const core::Znode* n = tree == nullptr ? nullptr : tree->find("/config");
    return n == nullptr ? "" : n->data;
  }

  RecipeWorld w_;
};

TEST_F(Config, VersionedWritersLoseNoUpdate) {
  create_config();
  int done = 0;
  for (const char* n : {"w1", "w2", "w3"}) add_writer(n, 20, true, &done);
  ASSERT_TRUE(w_.run_until([&] { return done == 3; }, seconds(30)));
  EXPECT_EQ(final_value(), "60");
  EXPECT_EQ(w_.tree()->find("/config")->version, 60);
}

TEST_F(Config, UnversionedWritersLoseUpdates) {
  create_config();
  int done = 0;
  for (const char* n : {"w1", "w2", "w3"}) add_writer(n, 20, false, &done);
  ASSERT_TRUE(w_.run_until([&] { return done == 3; }, seconds(30)));
  EXPECT_EQ(w_.tree()->find("/config")->version, 60);
  EXPECT_LT(std::stoi(final_value()), 60) << "racing unversioned writes should have lost some updates";
}

TEST_F(Config, AWatcherFollowsForwardAndEndsOnTheLast) {
  std::vector<ConfigValue> seen;
  int sessions = 0;
  add_watcher("c1", &seen, &sessions);
  create_config();
  int done = 0;
  add_writer("w1", 10, true, &done);
  add_writer("w2", 10, true, &done);
  ASSERT_TRUE(w_.run_until([&] { return done == 2; }, seconds(30)));
  ASSERT_TRUE(w_.run_until([&] { return !seen.empty() && seen.back().data == "20"; }, seconds(3)));
  for (std::size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GT(seen[i].mzxid, seen[i - 1].mzxid);
    EXPECT_GT(seen[i].version, seen[i - 1].version);
  }
  EXPECT_EQ(seen.back().version, 20);
  EXPECT_EQ(sessions, 1);
}

TEST_F(Config, AWatcherBackFromAnExpiryCatchesUpWithoutGoingBack) {
  std::vector<ConfigValue> seen;
  int sessions = 0;
  add_watcher("c1", &seen, &sessions);
  create_config();
  int done = 0;
  add_writer("w1", 5, true, &done);
  ASSERT_TRUE(w_.run_until([&] { return done == 1 && !seen.empty() && seen.back().data == "5"; }, seconds(20)));
  const io::HostId c1 = *w_.sim.find_host("c1");
  w_.isolate(c1, true);
  add_writer("w2", 5, true, &done);
  ASSERT_TRUE(w_.run_until([&] { return done == 2; }, seconds(20)));
  w_.sim.run_for(seconds(4));  // its 2 s session expires
  w_.isolate(c1, false);
  ASSERT_TRUE(w_.run_until([&] { return seen.back().data == "10"; }, seconds(10)));
  EXPECT_GE(sessions, 2);
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].mzxid, seen[i - 1].mzxid);
}

}  // namespace
}  // namespace zsim::recipes_test
