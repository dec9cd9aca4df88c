// queue-at-most-once and queue-at-least-once: the FIFO distributed queue
// (core/recipes/distributed_queue.h) on 3 servers under every fault.
// Clients c1 and c2 produce: each incarnation offers items one at a time
// (id "<client>.<incarnation>.<seq>", offered again with the same id until
// it is acknowledged, through a new session if the old one expired) until
// the heal. Clients c3..c5 consume for the whole run: take (delete, then
// process) in queue-at-most-once; claim (lock), process, complete (delete)
// in queue-at-least-once. Processing is a record in a simulated sink, made
// after a stretch of work (where pauses and crashes bite).
//
// Judged by queue_checks.h: at most once -- no item processed twice, the
// queue drains; at least once -- every acknowledged (indeed every
// committed) item processed, the queue drains; both -- only offered and
// committed items are processed, and each producer's items are taken in
// offer order (from the commit log).
//
// The naive variants swap the consumers: queue-at-most-once-naive's
// consumers lock, process, then delete -- a consumer paused past its
// session processes an item another has processed too; and
// queue-at-least-once-naive's delete, then process -- a consumer that
// crashes in between loses the item.
#include "core/recipes/distributed_queue.h"
#include "scenarios/recipes/item_sink.h"
#include "scenarios/recipes/queue_checks.h"
#include "scenarios/recipes/queue_producer.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>

namespace zsim::scenarios::recipes {

namespace {

namespace qr = core::recipes;

constexpr int kProducers = 2;
// A producer incarnation stops after this many items (a bound on the run).
constexpr uint64_t kItemsMax = 200;

qr::QueueOptions queue_options(ClientCtx& me) { return queue_options_for(me, "/queue"); }

ClientBody producer(std::shared_ptr<OfferLog> offers) {
  ProducerPlan plan;
  plan.items_max = kItemsMax;
  plan.data = [](ClientCtx& me, const std::string&, uint64_t seq) {
    return fmt::format("{} {} {}", me.name(), me.incarnation(), seq);
  };
  plan.pause = [](ClientCtx& me) { return millis(20 + static_cast<int64_t>(me.random().below(80))); };
  return queue_producer(std::move(offers), std::move(plan));
}

ClientBody consumer(std::shared_ptr<ItemSink> sink, Consumption how) {
  return [sink, how](ClientCtx& me) {
    const qr::QueueOptions o = queue_options(me);
    ensure_queue_exists(me, o);
    while (true) {
      core::Client& zk = me.zk();
      auto got = how == Consumption::kAtMostOnce ? qr::take(zk, o, seconds(1)) : qr::claim(zk, o, seconds(1));
      if (!got.ok()) {
        me.sleep(millis(20));
        continue;
      }
      if (!got.value().has_value()) continue;
      const qr::QueueItem item = *got.value();
      me.sleep(millis(10 + static_cast<int64_t>(me.random().below(40))));  // the work
      sink->process(me, item.id);
      // A failed complete leaves the item to another consumer: at least once.
      if (how == Consumption::kAtLeastOnce) (void)qr::complete(zk, o, item);
    }
  };
}

// `how`: the guarantee judged; `consumers`: what the consumers do (the
// other kind in the naive variants).
void queue_setup(Cluster& c, Consumption how, Consumption consumers) {
  auto sink = std::make_shared<ItemSink>();
  auto offers = std::make_shared<OfferLog>();
  const QueueLayout layout{"/queue", how};
  for (int i = 1; i <= c.shape().clients; ++i) {
    if (i <= kProducers) {
      c.client(i, producer(offers), Until::kBodyReturns);
    } else {
      c.client(i, consumer(sink, consumers));
    }
  }
  if (how == Consumption::kAtMostOnce) {
    c.add_check(processed_at_most_once(sink));
    c.add_check(queue_drained(layout));
  } else {
    c.add_check(none_lost(sink, offers, layout));
  }
  c.add_check(processed_only_offered(sink, offers, layout));
  // Order is judged on what the consumers do: the take of an at-most-once
  // consumer is its delete, that of an at-least-once one its first lock.
  c.add_check(fifo_per_producer(QueueLayout{layout.path, consumers}));
}

}  // namespace

void register_queues(std::vector<Scenario>& out) {
  const ClusterShape shape{.voters = 3, .clients = 5};
  out.push_back(recipe_scenario({
      .name = "queue-at-most-once",
      .summary = "FIFO queue of sequential nodes: 2 producers, 3 consumers that delete, then process; none twice",
      .shape = shape,
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { queue_setup(c, Consumption::kAtMostOnce, Consumption::kAtMostOnce); },
  }));
  out.push_back(recipe_scenario({
      .name = "queue-at-least-once",
      .summary = "FIFO queue of sequential nodes: 2 producers, 3 consumers that lock, process, delete; none lost",
      .shape = shape,
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { queue_setup(c, Consumption::kAtLeastOnce, Consumption::kAtLeastOnce); },
  }));
  // The naive variants: each consumer kind judged by the other's promise.
  out.push_back(recipe_scenario({
      .name = "queue-at-most-once-naive",
      .summary = "the at-most-once queue with consumers that process, then delete: a pause past the session, twice",
      .shape = shape,
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { queue_setup(c, Consumption::kAtMostOnce, Consumption::kAtLeastOnce); },
  }));
  out.push_back(recipe_scenario({
      .name = "queue-at-least-once-naive",
      .summary = "the at-least-once queue with consumers that delete, then process: a crash in between loses it",
      .shape = shape,
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { queue_setup(c, Consumption::kAtLeastOnce, Consumption::kAtMostOnce); },
  }));
}

}  // namespace zsim::scenarios::recipes
