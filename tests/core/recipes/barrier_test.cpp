// The barriers (core/recipes/double_barrier.h, barrier.h) against a
// simulated 3-server ensemble:
//   - a double barrier's enter holds every participant until N are there,
//     then lets them all through, and leave holds each until all left;
//   - the naive double barrier (no re-check after a wake-up, Curator #1290)
//     lets the first participant through when the second arrives -- the
//     correct one keeps it waiting;
//   - a participant whose create reply is lost recognises its own node
//     (its name, its session) and is counted once;
//   - a barrier's waiters pass only once its node is removed.
#include "core/recipes/barrier.h"
#include "core/recipes/double_barrier.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <optional>

namespace zsim::recipes_test {
namespace {

using core::Code;
using core::recipes::BarrierWait;
using core::recipes::DoubleBarrier;

struct Participant {
  std::optional<BarrierWait> entered;
  Time entered_at{};
  bool leave = false;
  std::optional<BarrierWait> left;
};

BodyProcess::Body participant(RecipeWorld& w, Participant& me, const std::string& name, int n, bool recheck = true) {
  return [&w, &me, name, n, recheck](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    DoubleBarrier b(zk, {.path = "/db/round-1", .name = name, .count = n, .recheck = recheck});
    me.entered = b.enter(seconds(60));
    me.entered_at = w.sim.now();
    while (!me.leave) env.fibers.sleep(millis(10));
    me.left = b.leave(seconds(60));
    while (true) env.fibers.sleep(seconds(1));
  };
}

TEST(DoubleBarrier, EnterWaitsForNThenLetsAllThroughAndLeaveWaitsForAll) {
  RecipeWorld w;
  Participant a, b, c;
  w.add_client("a", participant(w, a, "a", 3));
  w.add_client("b", participant(w, b, "b", 3));
  w.sim.run_for(seconds(6));
  EXPECT_FALSE(a.entered.has_value() || b.entered.has_value()) << "passed enter with 2 of 3";
  const Time third = w.sim.now();
  w.add_client("c", participant(w, c, "c", 3));
  ASSERT_TRUE(w.run_until([&] { return a.entered && b.entered && c.entered; }, seconds(10)));
  EXPECT_EQ(*a.entered, BarrierWait::kPassed);
  EXPECT_EQ(*b.entered, BarrierWait::kPassed);
  EXPECT_EQ(*c.entered, BarrierWait::kPassed);
  EXPECT_GT(a.entered_at, third);
  a.leave = true;
  b.leave = true;
  w.sim.run_for(seconds(3));
  EXPECT_FALSE(a.left.has_value() || b.left.has_value()) << "left while c was still in";
  c.leave = true;
  ASSERT_TRUE(w.run_until([&] { return a.left && b.left && c.left; }, seconds(10)));
  EXPECT_EQ(*a.left, BarrierWait::kPassed);
  EXPECT_EQ(*c.left, BarrierWait::kPassed);
}

// The first participant is woken when the second arrives (its children
// watch fires). Re-checking, it waits on; without the re-check it passes.
std::optional<BarrierWait> first_after_second_arrives(bool recheck) {
  RecipeWorld w;
  Participant a, b;
  w.add_client("a", participant(w, a, "a", 3, recheck));
  w.sim.run_for(seconds(5));
  EXPECT_FALSE(a.entered.has_value());
  w.add_client("b", participant(w, b, "b", 3, recheck));
  w.sim.run_for(seconds(5));
  return a.entered;
}

TEST(DoubleBarrier, AWakeUpIsReCheckedNotTakenForNArrivals) {
  EXPECT_FALSE(first_after_second_arrives(true).has_value());
}

TEST(DoubleBarrier, WithoutTheReCheckTheFirstPassesWhenTheSecondArrives) {
  const auto got = first_after_second_arrives(false);
  ASSERT_TRUE(got.has_value()) << "the naive barrier should pass on the wake-up (Curator #1290)";
  EXPECT_EQ(*got, BarrierWait::kPassed);
}

// A participant whose create reply is lost: its retry sees NodeExists,
// recognises its own session's node, and the barrier still counts it once.
TEST(DoubleBarrier, ALostCreateReplyIsRecognisedAsMine) {
  RecipeWorld w;
  Participant b;
  std::optional<BarrierWait> a_entered;
  const io::HostId ha = w.add_client("a", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/db", "").code(), Code::Ok);
    ASSERT_EQ(zk.create("/db/round-1", "").code(), Code::Ok);
    env.fibers.sleep(std::max(Duration{0}, seconds(3) - env.clock.now().time_since_epoch()));
    DoubleBarrier bar(zk, {.path = "/db/round-1", .name = "a", .count = 2});
    a_entered = bar.enter(seconds(60));
    while (true) env.fibers.sleep(seconds(1));
  });
  for (io::HostId s : w.servers) {
    w.sim.network().set_link_latency(s, ha, sim::LatencyModel{sim::LatencyModel::Kind::kConstant, millis(300),
                                                              millis(300), millis(300)});
  }
  w.sim.at(seconds(3) + millis(50), [&] { w.isolate(ha, true); });
  w.sim.at(seconds(3) + millis(550), [&] {
    w.isolate(ha, false);
    for (io::HostId s : w.servers) w.sim.network().set_link_latency(s, ha, sim::LatencyModel{});
  });
  w.sim.run_for(seconds(6));
  EXPECT_FALSE(a_entered.has_value()) << "a passed alone";
  w.add_client("b", participant(w, b, "b", 2));
  ASSERT_TRUE(w.run_until([&] { return a_entered && b.entered; }, seconds(10)));
  EXPECT_EQ(*a_entered, BarrierWait::kPassed);
  EXPECT_EQ(*b.entered, BarrierWait::kPassed);
  const core::Znode* round = w.tree()->find("/db/round-1");
  ASSERT_NE(round, nullptr);
  EXPECT_EQ(DoubleBarrier::participants({round->children.begin(), round->children.end()}), 2);
}

TEST(Barrier, WaitersPassOnlyOnceTheNodeIsRemoved) {
  RecipeWorld w;
  bool raised = false;
  bool lower = false;
  std::optional<BarrierWait> passed;
  Time passed_at{};
  Time lowered_at{};
  w.add_client("coordinator", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    core::recipes::Barrier b(zk, "/gates/g1");
    ASSERT_EQ(b.raise(), Code::Ok);
    raised = true;
    while (!lower) env.fibers.sleep(millis(10));
    lowered_at = w.sim.now();
    ASSERT_EQ(b.lower(), Code::Ok);
    ASSERT_EQ(b.lower(), Code::Ok);  // gone already: fine
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return raised; }, seconds(20)));
  w.add_client("waiter", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    passed = core::recipes::Barrier(zk, "/gates/g1").wait(seconds(60));
    passed_at = w.sim.now();
    while (true) env.fibers.sleep(seconds(1));
  });
  w.sim.run_for(seconds(5));
  EXPECT_FALSE(passed.has_value()) << "passed a raised barrier";
  lower = true;
  ASSERT_TRUE(w.run_until([&] { return passed.has_value(); }, seconds(10)));
  EXPECT_EQ(*passed, BarrierWait::kPassed);
  EXPECT_GT(passed_at, lowered_at);
}

}  // namespace
}  // namespace zsim::recipes_test
