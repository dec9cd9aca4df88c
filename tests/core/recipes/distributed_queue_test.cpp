// The distributed queue (core/recipes/distributed_queue.h) against a
// simulated ensemble: an offer whose reply is lost is committed once, not
// twice (a plain retry of the create makes two items); at-most-once
// consumers racing for the queue take every item exactly once between
// them, each in FIFO order, and a take whose reply is lost is recognised by
// its receipt; an at-least-once consumer skips an item another holds, and
// an item claimed by a session that dies before completing is claimed and
// completed by another.
#include "core/recipes/distributed_queue.h"
#include "core/recipes/sequence.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace zsim::recipes_test {
namespace {

using core::Code;
namespace qr = core::recipes;

// The items now in /queue, by id.
std::vector<std::string> items_in_tree(RecipeWorld& w) {
  std::vector<std::string> ids;
  const core::DataTree* tree = w.tree();
  const core::Znode* q = tree == nullptr ? nullptr : tree->find("/queue");
  if (q == nullptr) return ids;
  for (const std::string& child : q->children) {
    if (auto id = qr::item_id_of(child)) ids.push_back(*id);
  }
  return ids;
}

void sleep_until(io::Env& env, Duration t) {
  env.fibers.sleep(std::max(Duration{0}, t - env.clock.now().time_since_epoch()));
}

TEST(DistributedQueue, ItemIdsRoundTripThroughNames) {
  EXPECT_EQ(qr::item_id_of("q-c1.1.7-0000000042"), "c1.1.7");
  EXPECT_EQ(qr::item_id_of("q-a-b-0000000001"), "a-b");
  EXPECT_EQ(qr::item_id_of("q--0000000001"), std::nullopt);
  EXPECT_EQ(qr::item_id_of("lock"), std::nullopt);
  EXPECT_EQ(qr::item_id_of("x-c1-0000000001"), std::nullopt);
  EXPECT_EQ(qr::item_id_of("q-c1-00000000x1"), std::nullopt);
}

TEST(DistributedQueue, AnOfferWhoseReplyIsLostIsCommittedOnce) {
  RecipeWorld w;
  std::optional<core::Status> result;
  w.add_client("p", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_queue(zk, {}), Code::Ok);
    sleep_until(env, seconds(3));
    result = qr::offer(zk, {}, "p.1.1", "payload");
    while (true) env.fibers.sleep(seconds(1));
  });
  lose_replies_after(w, *w.sim.find_host("p"), seconds(3));
  ASSERT_TRUE(w.run_until([&] { return result.has_value(); }, seconds(20)));
  EXPECT_TRUE(result->ok()) << result->to_string();
  w.sim.run_for(seconds(1));
  EXPECT_EQ(items_in_tree(w), std::vector<std::string>{"p.1.1"});
}

// The same lost reply, retried as a plain sequential create: two items.
TEST(DistributedQueue, APlainRetryOfTheCreateMakesTwoItems) {
  RecipeWorld w;
  bool done = false;
  w.add_client("p", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_queue(zk, {}), Code::Ok);
    sleep_until(env, seconds(3));
    Code c = Code::ConnectionLoss;
    for (int i = 0; i < 20 && c == Code::ConnectionLoss; ++i) {
      (void)zk.wait_connected(seconds(2));
      c = zk.create("/queue/q-p.1.1-", "payload", core::CreateMode::PersistentSequential).code();
    }
    done = c == Code::Ok;
    while (true) env.fibers.sleep(seconds(1));
  });
  lose_replies_after(w, *w.sim.find_host("p"), seconds(3));
  ASSERT_TRUE(w.run_until([&] { return done; }, seconds(20)));
  w.sim.run_for(seconds(1));
  EXPECT_EQ(items_in_tree(w).size(), 2U);
}

TEST(DistributedQueue, RacingAtMostOnceConsumersTakeEachItemOnceInOrder) {
  RecipeWorld w;
  constexpr int kItems = 12;
  bool offered = false;
  std::vector<std::vector<std::string>> taken(3);
  w.add_client("p", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_queue(zk, {}), Code::Ok);
    for (int i = 1; i <= kItems; ++i) ASSERT_TRUE(qr::offer(zk, {}, fmt::format("p.{:02}", i), "").ok());
    offered = true;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return offered; }, seconds(20)));
  for (int k = 0; k < 3; ++k) {
    w.add_client(fmt::format("c{}", k), [&, k](io::Env& env) {
      core::Client zk(env, w.client_options());
      ASSERT_TRUE(RecipeWorld::connect(zk));
      qr::QueueOptions o;
      o.consumer = fmt::format("c{}", k);
      while (true) {
        auto got = qr::take(zk, o, millis(500));
        ASSERT_TRUE(got.ok()) << got.status().to_string();
        if (got.value().has_value()) taken[static_cast<size_t>(k)].push_back(got.value()->id);
      }
    });
  }
  w.sim.run_for(seconds(5));
  std::multiset<std::string> all;
  for (const auto& mine : taken) {
    EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));  // ids sort as offered
    all.insert(mine.begin(), mine.end());
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kItems));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), static_cast<size_t>(kItems));
  EXPECT_TRUE(items_in_tree(w).empty());
  EXPECT_GT(std::count_if(taken.begin(), taken.end(), [](const auto& v) { return !v.empty(); }), 1)
      << "the consumers did not race";
}

// A take whose reply is lost committed: the receipt says it was ours, and
// the item is handed out (not lost, not taken again).
TEST(DistributedQueue, ATakeWhoseReplyIsLostIsKnownByItsReceipt) {
  RecipeWorld w;
  std::optional<core::Result<std::optional<qr::QueueItem>>> got;
  w.add_client("c", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(4)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_queue(zk, {}), Code::Ok);
    ASSERT_TRUE(qr::offer(zk, {}, "p.1", "one").ok());
    ASSERT_TRUE(qr::offer(zk, {}, "p.2", "two").ok());
    sleep_until(env, seconds(5) - millis(600));  // list, read (300 ms each), then the take at 5 s
    qr::QueueOptions o;
    o.consumer = "c";
    got = qr::take(zk, o, seconds(1));
    while (true) env.fibers.sleep(seconds(1));
  });
  lose_replies_after(w, *w.sim.find_host("c"), seconds(5));
  ASSERT_TRUE(w.run_until([&] { return got.has_value(); }, seconds(20)));
  ASSERT_TRUE(got->ok()) << got->status().to_string();
  ASSERT_TRUE(got->value().has_value());
  EXPECT_EQ(got->value()->id, "p.1");
  EXPECT_EQ(got->value()->data, "one");
  w.sim.run_for(seconds(1));
  EXPECT_EQ(items_in_tree(w), std::vector<std::string>{"p.2"});
}

TEST(DistributedQueue, AClaimSkipsAHeldItemAndADeadClaimIsTakenOver) {
  RecipeWorld w;
  std::optional<std::string> first_of_a;
  std::optional<std::string> first_of_b;
  std::optional<std::string> after_a_died;
  bool a_closed = false;
  w.add_client("a", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_queue(zk, {}), Code::Ok);
    ASSERT_TRUE(qr::offer(zk, {}, "p.1", "").ok());
    ASSERT_TRUE(qr::offer(zk, {}, "p.2", "").ok());
    qr::QueueOptions o;
    o.consumer = "a";
    auto got = qr::claim(zk, o, seconds(1));
    ASSERT_TRUE(got.ok() && got.value().has_value());
    first_of_a = got.value()->id;
    env.fibers.sleep(seconds(2));  // "processing"; then it dies without completing
    zk.close();
    a_closed = true;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return first_of_a.has_value(); }, seconds(20)));
  w.add_client("b", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    qr::QueueOptions o;
    o.consumer = "b";
    auto got = qr::claim(zk, o, seconds(1));
    ASSERT_TRUE(got.ok() && got.value().has_value());
    first_of_b = got.value()->id;
    ASSERT_TRUE(qr::complete(zk, o, *got.value()).ok());
    while (!a_closed) env.fibers.sleep(millis(100));
    got = qr::claim(zk, o, seconds(5));
    ASSERT_TRUE(got.ok() && got.value().has_value());
    ASSERT_TRUE(qr::complete(zk, o, *got.value()).ok());
    after_a_died = got.value()->id;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return after_a_died.has_value(); }, seconds(20)));
  EXPECT_EQ(*first_of_a, "p.1");
  EXPECT_EQ(*first_of_b, "p.2");  // p.1 was held by a
  EXPECT_EQ(*after_a_died, "p.1");
  w.sim.run_for(millis(500));
  EXPECT_TRUE(items_in_tree(w).empty());
}

}  // namespace
}  // namespace zsim::recipes_test
