#include "scenarios/recipes/queue_producer.h"

#include <fmt/format.h>

#include <utility>

namespace zsim::scenarios::recipes {

namespace qr = core::recipes;

qr::QueueOptions queue_options_for(ClientCtx& me, std::string path) {
  qr::QueueOptions o;
  o.path = std::move(path);
  o.consumer = fmt::format("{}.{}", me.name(), me.incarnation());
  o.reconnect_wait = seconds(2);
  return o;
}

void ensure_queue_exists(ClientCtx& me, const qr::QueueOptions& o) {
  while (qr::ensure_queue(me.zk(), o) != core::Code::Ok) me.sleep(millis(50));
}

ClientBody queue_producer(std::shared_ptr<OfferLog> offers, ProducerPlan plan) {
  return [offers, plan = std::move(plan)](ClientCtx& me) {
    const qr::QueueOptions o = queue_options_for(me, plan.path);
    ensure_queue_exists(me, o);
    for (uint64_t seq = 1; seq <= plan.items_max && !me.stopping(); ++seq) {
      const std::string id = fmt::format("{}.{}.{}", me.name(), me.incarnation(), seq);
      offers->called(me, id, seq);
      const std::string data = plan.data(me, id, seq);
      while (!qr::offer(me.zk(), o, id, data).ok()) me.sleep(millis(20));
      offers->acked(me, id);
      me.sleep(plan.pause(me));
    }
  };
}

}  // namespace zsim::scenarios::recipes
