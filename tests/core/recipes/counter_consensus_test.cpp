// The shared counter (core/recipes/shared_counter.h) and consensus by
// sequential proposals (core/recipes/consensus.h) against a simulated
// ensemble: racing adders lose no increment (each write is conditional on
// the version it read: a blind read-modify-write loses some), and racing
// proposers -- and one that comes late -- all decide the same proposed
// value, the lowest proposal's.
#include "core/recipes/consensus.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/shared_counter.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace zsim::recipes_test {
namespace {

using core::Code;
namespace qr = core::recipes;

TEST(SharedCounter, ParsesOnlyDecimals) {
  EXPECT_EQ(qr::parse_counter("42"), 42);
  EXPECT_EQ(qr::parse_counter("-7"), -7);
  EXPECT_EQ(qr::parse_counter(""), std::nullopt);
  EXPECT_EQ(qr::parse_counter("4x"), std::nullopt);
}

// Three adders add 1 twenty times each, at once: 60. With `blind` they
// read and write without the version (the naive counter): some adds vanish.
int64_t race(bool blind) {
  RecipeWorld w;
  const qr::CounterOptions o;
  int done = 0;
  for (int k = 0; k < 3; ++k) {
    w.add_client(fmt::format("a{}", k), [&, blind](io::Env& env) {
      core::Client zk(env, w.client_options());
      ASSERT_TRUE(RecipeWorld::connect(zk));
      ASSERT_EQ(qr::ensure_counter(zk, o), Code::Ok);
      for (int i = 0; i < 20; ++i) {
        if (blind) {
          auto v = qr::read_counter(zk, o);
          ASSERT_TRUE(v.ok());
          ASSERT_TRUE(zk.set_data(o.path, std::to_string(v.value() + 1)).ok());
        } else {
          ASSERT_TRUE(qr::add(zk, o, 1).ok());
        }
      }
      ++done;
      while (true) env.fibers.sleep(seconds(1));
    });
  }
  EXPECT_TRUE(w.run_until([&] { return done == 3; }, seconds(30)));
  w.sim.run_for(millis(200));
  const core::Znode* n = w.tree() == nullptr ? nullptr : w.tree()->find(o.path);
  return n == nullptr ? -1 : qr::parse_counter(n->data).value_or(-1);
}

TEST(SharedCounter, RacingAddsAreAllCounted) { EXPECT_EQ(race(false), 60); }

TEST(SharedCounter, ABlindReadModifyWriteLosesAdds) { EXPECT_LT(race(true), 60); }

TEST(Consensus, EveryDeciderDecidesTheLowestProposal) {
  RecipeWorld w;
  const qr::ConsensusOptions o;
  std::vector<std::string> decided;
  for (const char* name : {"p1", "p2", "p3"}) {
    w.add_client(name, [&, name](io::Env& env) {
      core::Client zk(env, w.client_options());
      ASSERT_TRUE(RecipeWorld::connect(zk));
      ASSERT_EQ(qr::ensure_path(zk, o.path), Code::Ok);
      ASSERT_TRUE(qr::propose(zk, o, name).ok());
      auto d = qr::decide(zk, o);
      ASSERT_TRUE(d.ok() && d.value().has_value());
      decided.push_back(*d.value());
      while (true) env.fibers.sleep(seconds(1));
    });
  }
  ASSERT_TRUE(w.run_until([&] { return decided.size() == 3; }, seconds(20)));
  w.add_client("late", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_TRUE(qr::propose(zk, o, "late").ok());
    auto d = qr::decide(zk, o);
    ASSERT_TRUE(d.ok() && d.value().has_value());
    decided.push_back(*d.value());
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return decided.size() == 4; }, seconds(20)));
  EXPECT_EQ(std::set<std::string>(decided.begin(), decided.end()).size(), 1U);
  EXPECT_TRUE(std::set<std::string>({"p1", "p2", "p3"}).count(decided.front()) == 1) << decided.front();
  // The lowest proposal in the tree holds it.
  const core::Znode* c = w.tree()->find(o.path);
  ASSERT_NE(c, nullptr);
  const core::Znode* lowest = w.tree()->find(o.path + "/" + *c->children.begin());
  ASSERT_NE(lowest, nullptr);
  EXPECT_EQ(lowest->data, decided.front());
}

}  // namespace
}  // namespace zsim::recipes_test
