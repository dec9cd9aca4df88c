// ItemSink and OfferLog: what really happened to the items of a queue
// scenario -- the simulated resource the consumers process items into, and
// what the producers were told about their offers.
//
// ItemSink is the resource: a consumer "processes" an item by handing it to
// the sink, which records who (client, incarnation), when (global time),
// which item id, and how it was consumed. The checks count these records,
// never what a consumer believes it did.
//
// OfferLog records every offer a producer made (before sending it) and
// whether the producer was told it succeeded (acknowledged). An offer never
// acknowledged -- its producer died, or the run ended -- is unknown: its item
// may or may not be in the queue.
//
// Single-threaded, like the simulator. Shared between the client processes
// and the checks (std::shared_ptr): a process may outlive the Cluster.
#pragma once

#include "core/io/time.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

class ClientCtx;

struct Processing {
  std::string item;  // the item id
  std::string consumer;
  uint32_t incarnation = 0;
  Time at{};
};

class ItemSink {
 public:
  // `me` processed item `id` now.
  void process(ClientCtx& me, const std::string& id);
  const std::vector<Processing>& records() const { return records_; }
  // How many times item `id` was processed.
  int count(const std::string& id) const;
  // Processing records, by item id.
  const std::map<std::string, std::vector<size_t>>& by_item() const { return by_item_; }

 private:
  std::vector<Processing> records_;
  std::map<std::string, std::vector<size_t>> by_item_;  // id -> indexes into records_
};

struct Offer {
  std::string id;
  std::string producer;
  uint32_t incarnation = 0;
  uint64_t seq = 0;  // per producer incarnation: 1, 2, 3, ...
  Time called{};
  bool acked = false;
  Time acked_at{};
};

class OfferLog {
 public:
  // `me` is about to offer item `id`, its `seq`-th.
  void called(ClientCtx& me, const std::string& id, uint64_t seq);
  // The producer was told the offer of `id` succeeded.
  void acked(ClientCtx& me, const std::string& id);
  // By item id.
  const std::map<std::string, Offer>& offers() const { return offers_; }
  const Offer* find(const std::string& id) const;
  uint64_t acked_count() const { return acked_; }

 private:
  std::map<std::string, Offer> offers_;
  uint64_t acked_ = 0;
};

}  // namespace zsim::scenarios::recipes
