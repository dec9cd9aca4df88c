// fifo-per-producer (scenarios/recipes/queue_checks.h) judged on takes made
// by hand on a real ensemble: a producer's items deleted in offer order
// pass; a later item deleted before an earlier one fails, naming both;
// items deleted together by one multi (a consumer's batched delete) are
// taken together, not out of order -- unless the batch skips an earlier
// item that is taken after it.
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/queue_checks.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {
namespace {

// Three items of producer "c9.1" (ids c9.1.1 .. c9.1.3), as the queue
// recipe names them.
const std::vector<std::string> kItems = {"/queue/q-c9.1.1-0000000000", "/queue/q-c9.1.2-0000000001",
                                         "/queue/q-c9.1.3-0000000002"};

// Runs one client that makes the queue and its items, then calls `take`,
// and returns fifo-per-producer's verdict on the commit log.
std::optional<Violation> judge_takes(const std::function<void(core::Client&)>& take) {
  sim::Simulator sim{sim::SimOptions{}};
  ClusterShape shape;
  shape.voters = 3;
  shape.clients = 1;
  Cluster cluster(sim, shape);
  bool done = false;
  cluster.client(1, [&](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_TRUE(zk.create("/queue", "").ok());
    for (const std::string& item : kItems) ASSERT_TRUE(zk.create(item, "").ok());
    take(zk);
    done = true;
  }, Until::kBodyReturns);
  cluster.start();
  sim.run_for(seconds(10));
  EXPECT_TRUE(done);
  return fifo_per_producer(QueueLayout{})->judge(cluster);
}

void delete_one(core::Client& zk, std::size_t i) { ASSERT_TRUE(zk.remove(kItems[i]).ok()); }

void delete_together(core::Client& zk, const std::vector<std::size_t>& which) {
  core::MultiRequest batch;
  for (std::size_t i : which) batch.ops.emplace_back(core::DeleteRequest{kItems[i], -1});
  ASSERT_TRUE(zk.multi(std::move(batch)).ok());
}

TEST(FifoPerProducer, TakesInOfferOrderPass) {
  const auto v = judge_takes([](core::Client& zk) {
    for (std::size_t i = 0; i < kItems.size(); ++i) delete_one(zk, i);
  });
  EXPECT_FALSE(v.has_value()) << v->message;
}

TEST(FifoPerProducer, ALaterItemTakenFirstFails) {
  const auto v = judge_takes([](core::Client& zk) {
    delete_one(zk, 1);
    delete_one(zk, 0);
    delete_one(zk, 2);
  });
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->verdict, sim::Verdict::kInvariant);
  EXPECT_NE(v->message.find("c9.1's item c9.1.2 was taken"), std::string::npos) << v->message;
  EXPECT_NE(v->message.find("before its earlier item c9.1.1"), std::string::npos) << v->message;
}

TEST(FifoPerProducer, OneMultiTakingSeveralItemsTakesThemTogether) {
  const auto v = judge_takes([](core::Client& zk) { delete_together(zk, {0, 1, 2}); });
  EXPECT_FALSE(v.has_value()) << v->message;
}

TEST(FifoPerProducer, ABatchThatSkipsAnEarlierItemFails) {
  const auto v = judge_takes([](core::Client& zk) {
    delete_together(zk, {1, 2});
    delete_one(zk, 0);
  });
  ASSERT_TRUE(v.has_value());
  EXPECT_NE(v->message.find("c9.1's item c9.1.2 was taken"), std::string::npos) << v->message;
}

}  // namespace
}  // namespace zsim::scenarios::recipes
