// transport-cost-is-zero-naive / transport-cost-is-zero: lesson 7 of the
// course ("transport cost is zero", tools/lessons.cpp). A queue of orders
// (core/recipes/distributed_queue.h: PERSISTENT_SEQUENTIAL items of 200
// bytes) fills while its one consumer is down for an upgrade: c1 and c2
// offer kItemsPerProducer items each as fast as they are acknowledged; c3,
// the consumer, starts 3 s later, with a backlog of about a hundred items,
// and consumes for the whole run (process, then delete: at least once).
//
//   naive: on every change it re-reads the queue -- the children, then the
//          data of every child -- and takes the head: each item costs the
//          whole backlog's bytes again, a quadratic bill;
//   fixed: it lists the queue once, keeps the list and the data it has read
//          (each item's data is read once), processes the head kBatch items
//          and deletes them with one multi; it lists again only when its
//          list is used up (or a delete says the list is stale).
//
// Judged from what really happened:
//   transport-budget   the bytes on the consumer's link (sent by it and to
//                      it, counted by the simulated network) per consumed
//                      item stay under kBudgetBytesPerItem, plus a fixed
//                      allowance (the rationale is at the constants);
//   none-lost          after the heal the queue drains, and every committed
//                      item is processed (at least once);
//   processed-only-offered (queue_checks.h).
// Under every fault: the fixed consumer's cache must survive lost replies,
// reconnects and expired sessions without losing an item.
#include "core/recipes/distributed_queue.h"
#include "core/recipes/sequence.h"
#include "scenarios/recipes/item_sink.h"
#include "scenarios/recipes/queue_checks.h"
#include "scenarios/recipes/queue_producer.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>

namespace zsim::scenarios::recipes {

namespace {

namespace qr = core::recipes;

constexpr const char* kQueue = "/queue";
constexpr int kProducers = 2;
constexpr uint64_t kItemsPerProducer = 60;
constexpr std::size_t kPayloadBytes = 200;
constexpr std::size_t kBatch = 20;
// The budget. An item must cross the consumer's link at least once: its
// data in a getData reply (200 bytes of payload, the Stat, the framing:
// about 300 bytes), its name in a listing and in the delete (about 60
// more) -- some 0.4 KB. The budget allows five times that, for the
// consumer's pings, its reconnects and re-listings after faults: a
// consumer whose bill per item grows with the length of the queue breaks
// it as soon as the queue holds a dozen items, and this one holds a
// hundred. Plus a fixed allowance for what the link carries whatever the
// items (handshakes, pings, watches over a run of about 30 s): a run whose
// producers managed one item must not be judged on that item alone.
constexpr uint64_t kBudgetBytesPerItem = 2'000;
constexpr uint64_t kBudgetBytesFixed = 16'000;
constexpr int kConsumer = kProducers + 1;

qr::QueueOptions queue_options(ClientCtx& me) { return queue_options_for(me, kQueue); }

// Orders of kPayloadBytes, offered as fast as they are acknowledged.
ClientBody producer(std::shared_ptr<OfferLog> offers) {
  ProducerPlan plan;
  plan.path = kQueue;
  plan.items_max = kItemsPerProducer;
  plan.data = [](ClientCtx&, const std::string& id, uint64_t) {
    std::string order = fmt::format("order {} ", id);
    order.resize(kPayloadBytes, '.');
    return order;
  };
  plan.pause = [](ClientCtx&) { return millis(5); };
  return queue_producer(std::move(offers), std::move(plan));
}

// The queue's items, in sequence order.
std::vector<std::string> items_in_order(const std::vector<std::string>& children) {
  std::vector<std::string> items;
  for (const std::string& c : children) {
    if (qr::item_id_of(c)) items.push_back(c);
  }
  return qr::sorted_by_sequence(std::move(items));
}

std::string item_path(const std::string& name) { return fmt::format("{}/{}", kQueue, name); }

// The naive consumer: every round lists the queue and reads every item,
// then processes and deletes the head.
ClientBody rereading_consumer(std::shared_ptr<ItemSink> sink) {
  return [sink](ClientCtx& me) {
    me.sleep(seconds(3));  // down for an upgrade while the backlog grows
    ensure_queue_exists(me, queue_options(me));
    while (true) {
      core::Client& zk = me.zk();
      const uint64_t seen = zk.event_count();
      auto children = zk.get_children(kQueue, true);
      if (!children.ok()) {
        me.sleep(millis(20));
        continue;
      }
      const std::vector<std::string> items = items_in_order(*children);
      std::optional<std::string> head;
      bool complete = true;
      for (const std::string& name : items) {  // the whole queue, again
        auto node = zk.get_data(item_path(name));
        if (node.ok()) {
          if (!head) head = name;
        } else if (node.code() != core::Code::NoNode) {
          complete = false;
          break;
        }
      }
      if (!complete) {
        me.sleep(millis(20));
        continue;
      }
      if (!head) {
        (void)zk.wait_event(seen, seconds(1));
        continue;
      }
      sink->process(me, *qr::item_id_of(*head));
      (void)zk.remove(item_path(*head));  // lost or failed: processed again next round (at least once)
    }
  };
}

// The fixed consumer: lists once, reads each item's data once, and deletes
// in batches with multi.
ClientBody batching_consumer(std::shared_ptr<ItemSink> sink) {
  return [sink](ClientCtx& me) {
    me.sleep(seconds(3));
    ensure_queue_exists(me, queue_options(me));
    std::deque<std::string> listed;             // not yet deleted, in order
    std::map<std::string, std::string> data;    // what it has read of them
    while (true) {
      core::Client& zk = me.zk();
      if (listed.empty()) {
        const uint64_t seen = zk.event_count();
        auto children = zk.get_children(kQueue, true);
        if (!children.ok()) {
          me.sleep(millis(20));
          continue;
        }
        const std::vector<std::string> items = items_in_order(*children);
        listed.assign(items.begin(), items.end());
        std::erase_if(data, [&items](const auto& kv) { return std::find(items.begin(), items.end(), kv.first) == items.end(); });
        if (listed.empty()) {
          (void)zk.wait_event(seen, seconds(1));
          continue;
        }
      }
      // The head batch's data, read once.
      std::vector<std::string> batch;
      bool stale = false, lost = false;
      for (std::size_t i = 0; i < listed.size() && batch.size() < kBatch; ++i) {
        const std::string& name = listed[i];
        if (data.count(name) == 0) {
          auto node = zk.get_data(item_path(name));
          if (node.code() == core::Code::NoNode) {
            stale = true;
            break;
          }
          if (!node.ok()) {
            lost = true;
            break;
          }
          data[name] = node->data;
        }
        batch.push_back(name);
      }
      if (stale) {  // someone (an earlier multi of ours whose reply was lost) deleted it: list again
        listed.clear();
        continue;
      }
      if (lost) {
        me.sleep(millis(20));
        continue;
      }
      for (const std::string& name : batch) sink->process(me, *qr::item_id_of(name));
      core::MultiRequest deletes;
      for (const std::string& name : batch) deletes.ops.push_back(core::DeleteRequest{item_path(name), -1});
      auto done = zk.multi(std::move(deletes));
      if (done.ok()) {
        for (const std::string& name : batch) data.erase(name);
        listed.erase(listed.begin(), listed.begin() + static_cast<std::ptrdiff_t>(batch.size()));
      } else if (done.code() == core::Code::NoNode) {
        listed.clear();  // one of them is gone: the list is stale
      } else {
        me.sleep(millis(20));  // unknown: processed again if still there (at least once)
      }
    }
  };
}

// The consumer's bytes on the wire per item it consumed, within budget.
class TransportBudget final : public Check {
 public:
  explicit TransportBudget(std::shared_ptr<const ItemSink> sink) : sink_(std::move(sink)) {}
  std::string name() const override { return "transport-budget"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    const ClientRecord* consumer = c.client_named(fmt::format("c{}", kConsumer));
    const uint64_t items = sink_->by_item().size();
    if (consumer == nullptr || items == 0) return std::nullopt;  // none-lost judges an empty run
    const sim::Network& net = c.sim().network();
    const uint64_t bytes = net.bytes_sent_by(consumer->host) + net.bytes_sent_to(consumer->host);
    const uint64_t per_item = bytes / items;
    c.sim().trace_event("check.transport", {{"bytes", bytes}, {"items", items}, {"bytes_per_item", per_item}});
    const uint64_t budget = kBudgetBytesFixed + kBudgetBytesPerItem * items;
    if (bytes <= budget) return std::nullopt;
    return Violation{sim::Verdict::kInvariant,
                     fmt::format("the consumer's link carried {} bytes per consumed item ({} bytes for {} items), "
                                 "over the budget of {} per item (+{} for the link's fixed costs): it re-reads the "
                                 "whole queue for every item it takes",
                                 per_item, bytes, items, kBudgetBytesPerItem, kBudgetBytesFixed),
                     consumer->name};
  }

 private:
  std::shared_ptr<const ItemSink> sink_;
};

Scenario transport_cost(bool fixed) {
  return recipe_scenario({
      .name = fixed ? "transport-cost-is-zero" : "transport-cost-is-zero-naive",
      .summary = fixed ? "lesson 7, fixed: a consumer of a 120-item queue lists once, reads each item once, "
                         "deletes in batches of 20 with multi; bytes per item within budget"
                       : "deliberately broken (lesson 7): a consumer re-reads every item of a 120-item queue on "
                         "every change; bytes per item over budget",
      .shape = ClusterShape{.voters = 3, .clients = kConsumer},
      .faults = FaultModel::everything(),
      .setup =
          [fixed](Cluster& c) {
            auto sink = std::make_shared<ItemSink>();
            auto offers = std::make_shared<OfferLog>();
            for (int i = 1; i <= kProducers; ++i) c.client(i, producer(offers), Until::kBodyReturns);
            c.client(kConsumer, fixed ? batching_consumer(sink) : rereading_consumer(sink));
            const QueueLayout layout{kQueue, Consumption::kAtLeastOnce};
            c.add_check(std::make_unique<TransportBudget>(sink));
            c.add_check(none_lost(sink, offers, layout));
            c.add_check(processed_only_offered(sink, offers, layout));
            // Not fifo-per-producer: it orders takes by their txns, and the
            // fixed consumer takes 20 items in one txn (one multi, in order).
          },
  });
}

}  // namespace

void register_transport_cost(std::vector<Scenario>& out) {
  out.push_back(transport_cost(false));
  out.push_back(transport_cost(true));
}

}  // namespace zsim::scenarios::recipes
