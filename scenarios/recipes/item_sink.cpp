#include "scenarios/recipes/item_sink.h"

#include "scenarios/recipes/client_ctx.h"

namespace zsim::scenarios::recipes {

void ItemSink::process(ClientCtx& me, const std::string& id) {
  by_item_[id].push_back(records_.size());
  records_.push_back(Processing{id, me.name(), me.incarnation(), me.global_now()});
}

int ItemSink::count(const std::string& id) const {
  const auto it = by_item_.find(id);
  return it == by_item_.end() ? 0 : static_cast<int>(it->second.size());
}

void OfferLog::called(ClientCtx& me, const std::string& id, uint64_t seq) {
  offers_[id] = Offer{id, me.name(), me.incarnation(), seq, me.global_now(), false, Time{}};
}

void OfferLog::acked(ClientCtx& me, const std::string& id) {
  Offer& o = offers_[id];
  if (o.acked) return;
  o.acked = true;
  o.acked_at = me.global_now();
  ++acked_;
}

const Offer* OfferLog::find(const std::string& id) const {
  const auto it = offers_.find(id);
  return it == offers_.end() ? nullptr : &it->second;
}

}  // namespace zsim::scenarios::recipes
