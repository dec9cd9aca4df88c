#include "scenarios/recipes/queue_checks.h"

#include "core/recipes/distributed_queue.h"
#include "core/recipes/sequence.h"
#include "core/recipes/work_queue.h"
#include "scenarios/recipes/cluster.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <vector>

namespace zsim::scenarios::recipes {

namespace qr = core::recipes;

std::optional<std::pair<std::string, uint64_t>> producer_and_seq(const std::string& id) {
  const size_t dot = id.rfind('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == id.size()) return std::nullopt;
  uint64_t seq = 0;
  for (size_t i = dot + 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9') return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(id[i] - '0');
  }
  return std::make_pair(id.substr(0, dot), seq);
}

namespace {

// Whether `path` is an item node of the queue: <queue>/q-<id>-N.
std::optional<std::string> item_id_at(const QueueLayout& q, std::string_view path) {
  if (path.size() <= q.path.size() + 1 || path.substr(0, q.path.size()) != q.path || path[q.path.size()] != '/') {
    return std::nullopt;
  }
  const std::string_view name = path.substr(q.path.size() + 1);
  if (name.find('/') != std::string_view::npos) return std::nullopt;
  return qr::item_id_of(name);
}

// Item ids whose node the ensemble committed, with that node's path.
std::map<std::string, std::string> committed_items(const Cluster& c, const QueueLayout& q) {
  std::map<std::string, std::string> out;
  for (const auto& [czxid, life] : c.commits().nodes()) {
    if (auto id = item_id_at(q, life.path)) out.emplace(std::move(*id), life.path);
  }
  return out;
}

// Items still in the settled tree ("" once the tree is known to be empty).
std::optional<size_t> items_left(const Cluster& c, const QueueLayout& q) {
  const core::DataTree* tree = c.converged_tree();
  if (tree == nullptr) return std::nullopt;
  const core::Znode* parent = tree->find(q.path);
  if (parent == nullptr) return 0;
  size_t n = 0;
  for (const std::string& child : parent->children) n += qr::item_id_of(child).has_value() ? 1 : 0;
  return n;
}

class ProcessedAtMostOnce final : public Check {
 public:
  explicit ProcessedAtMostOnce(std::shared_ptr<const ItemSink> sink) : sink_(std::move(sink)) {}
  std::string name() const override { return "processed-at-most-once"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    (void)c;
    for (const auto& [id, at] : sink_->by_item()) {
      if (at.size() < 2) continue;
      const Processing& a = sink_->records()[at[0]];
      const Processing& b = sink_->records()[at[1]];
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("item {} was processed {} times: by {} (incarnation {}) "
                                   "at {} and by {} (incarnation {}) at {}",
                                   id, at.size(), a.consumer, a.incarnation, format_time(a.at), b.consumer,
                                   b.incarnation, format_time(b.at)),
                       b.consumer};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const ItemSink> sink_;
};

class ProcessedOnlyOffered final : public Check {
 public:
  ProcessedOnlyOffered(std::shared_ptr<const ItemSink> sink, std::shared_ptr<const OfferLog> offers, QueueLayout q)
      : sink_(std::move(sink)), offers_(std::move(offers)), q_(std::move(q)) {}
  std::string name() const override { return "processed-only-offered"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    const auto committed = committed_items(c, q_);
    for (const Processing& p : sink_->records()) {
      const char* what = offers_->find(p.item) == nullptr ? "never offered"
                         : committed.count(p.item) == 0   ? "offered, but its item node was never committed"
                                                          : nullptr;
      if (what == nullptr) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} (incarnation {}) processed item {} at {}, which was {}",
                                   p.consumer, p.incarnation, p.item, format_time(p.at), what),
                       p.consumer};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const ItemSink> sink_;
  std::shared_ptr<const OfferLog> offers_;
  QueueLayout q_;
};

class NoneLost final : public Check {
 public:
  NoneLost(std::shared_ptr<const ItemSink> sink, std::shared_ptr<const OfferLog> offers, QueueLayout q)
      : sink_(std::move(sink)), offers_(std::move(offers)), q_(std::move(q)) {}
  std::string name() const override { return "none-lost"; }
  // Drained: an at-least-once consumer deletes an item only after
  // processing it, so from then on an unprocessed item is lost for good.
  bool settled(const Cluster& c) const override {
    const auto left = items_left(c, q_);
    return left.has_value() && *left == 0;
  }
  std::string pending(const Cluster& c) const override {
    const auto left = items_left(c, q_);
    if (!left.has_value()) return "the ensemble has not settled";
    return fmt::format("{} items still in {}", *left, q_.path);
  }
  std::optional<Violation> judge(const Cluster& c) const override {
    const std::string why = unprocessed(c);
    if (why.empty()) return std::nullopt;
    return Violation{sim::Verdict::kInvariant, why, ""};
  }

 private:
  // "" when every acknowledged and every committed item was processed.
  std::string unprocessed(const Cluster& c) const {
    for (const auto& [id, offer] : offers_->offers()) {
      if (offer.acked && sink_->count(id) == 0) {
        return fmt::format("item {} was acknowledged to {} (incarnation {}) at {} but never processed", id,
                           offer.producer, offer.incarnation, format_time(offer.acked_at));
      }
    }
    for (const auto& [id, path] : committed_items(c, q_)) {
      if (sink_->count(id) == 0) return fmt::format("item {} ({}) was committed but never processed", id, path);
    }
    return "";
  }

  std::shared_ptr<const ItemSink> sink_;
  std::shared_ptr<const OfferLog> offers_;
  QueueLayout q_;
};

class QueueDrained final : public Check {
 public:
  explicit QueueDrained(QueueLayout q) : q_(std::move(q)) {}
  std::string name() const override { return "queue-drained"; }
  bool settled(const Cluster& c) const override {
    const auto left = items_left(c, q_);
    return left.has_value() && *left == 0;
  }
  std::string pending(const Cluster& c) const override {
    const auto left = items_left(c, q_);
    return left.has_value() ? fmt::format("{} items still in {}", *left, q_.path) : "the ensemble has not settled";
  }

 private:
  QueueLayout q_;
};

class FifoPerProducer final : public Check {
 public:
  explicit FifoPerProducer(QueueLayout q) : q_(std::move(q)) {}
  std::string name() const override { return "fifo-per-producer"; }
  bool judge_unfinished() const override { return true; }
  std::optional<Violation> judge(const Cluster& c) const override {
    struct Taken {
      std::string id;
      uint64_t seq = 0;
      int64_t zxid = 0;
    };
    std::map<std::string, int64_t> take_of_path;  // item path -> take zxid
    std::map<std::string, std::string> id_of_path;
    for (const auto& [czxid, life] : c.commits().nodes()) {
      if (auto id = item_id_at(q_, life.path)) {
        id_of_path[life.path] = *id;
        if (q_.consumption == Consumption::kAtMostOnce && life.deleted_zxid) take_of_path[life.path] = *life.deleted_zxid;
        continue;
      }
      if (q_.consumption != Consumption::kAtLeastOnce || qr::base_name(life.path) != "lock") continue;
      const std::string item(life.path.substr(0, life.path.size() - 5));
      if (item_id_at(q_, item)) take_of_path.emplace(item, czxid);  // the first lock: czxids ascend
    }
    std::map<std::string, std::vector<Taken>> by_producer;  // seq order within each
    for (const auto& [path, zxid] : take_of_path) {
      const auto it = id_of_path.find(path);
      if (it == id_of_path.end()) continue;
      const auto ps = producer_and_seq(it->second);
      if (!ps) continue;
      by_producer[ps->first].push_back(Taken{it->second, ps->second, zxid});
    }
    for (auto& [producer, items] : by_producer) {
      std::sort(items.begin(), items.end(), [](const Taken& a, const Taken& b) { return a.seq < b.seq; });
      for (size_t i = 1; i < items.size(); ++i) {
        // Equal zxids: one multi took both (a batched delete), together.
        if (items[i].zxid >= items[i - 1].zxid) continue;
        return Violation{sim::Verdict::kInvariant,
                         fmt::format("{}'s item {} was taken at zxid 0x{:x}, before its earlier "
                                     "item {} (taken at zxid 0x{:x})",
                                     producer, items[i].id, items[i].zxid, items[i - 1].id, items[i - 1].zxid),
                         ""};
      }
    }
    return std::nullopt;
  }

 private:
  QueueLayout q_;
};

// --- the work queue ---------------------------------------------------------

// Children of `path` in the settled tree (empty if it is missing).
std::vector<std::string> children_in(const core::DataTree& tree, const std::string& path) {
  const core::Znode* n = tree.find(path);
  if (n == nullptr) return {};
  return {n->children.begin(), n->children.end()};
}

class OneStatusPerTask final : public Check {
 public:
  OneStatusPerTask(std::shared_ptr<const OfferLog> submitted, WorkQueueLayout w)
      : submitted_(std::move(submitted)), w_(std::move(w)) {}
  std::string name() const override { return "one-status-per-task"; }
  bool settled(const Cluster& c) const override { return why_not(c, false).empty(); }
  std::string pending(const Cluster& c) const override { return why_not(c, false); }
  std::optional<Violation> judge(const Cluster& c) const override {
    const std::string why = why_not(c, true);
    if (why.empty()) return std::nullopt;
    return Violation{sim::Verdict::kInvariant, why, ""};
  }

  // Tasks left with a worker that is not alive: when that worker's session
  // ended (the last of its incarnation's sessions to close).
  std::optional<Time> moment(const Cluster& c) const override {
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return std::nullopt;
    for (const std::string& worker : children_in(*tree, w_.assign)) {
      if (children_in(*tree, qr::child_path(w_.assign, worker)).empty()) continue;
      if (tree->find(qr::child_path(w_.workers, worker)) != nullptr) continue;
      // "<client>.<incarnation>"
      const std::size_t dot = worker.rfind('.');
      if (dot == std::string::npos) continue;
      const ClientRecord* rec = c.client_named(worker.substr(0, dot));
      if (rec == nullptr) continue;
      std::optional<Time> ended;
      for (const SessionRecord& session : rec->sessions) {
        if (std::to_string(session.incarnation) != worker.substr(dot + 1)) continue;
        const SessionLife* life = c.commits().session(session.id);
        if (life != nullptr && life->closed_at && (!ended || *life->closed_at > *ended)) ended = life->closed_at;
      }
      if (ended) return ended;
    }
    return std::nullopt;
  }

 private:
  std::string why_not(const Cluster& c, bool final) const {
    const core::DataTree* tree = c.converged_tree();
    if (tree != nullptr) return why_not_in(*tree, c, final);
    // Still unsettled (say a master's routine write in flight at the last
    // look): what the leader's tree shows is what the run waits for.
    const auto [leader_tree, leader] = c.leader_tree();
    if (leader_tree == nullptr || final) return "the ensemble has not settled";
    const std::string on_leader = why_not_in(*leader_tree, c, final);
    if (on_leader.empty()) return "the ensemble has not settled";
    return fmt::format("the ensemble has not settled; on the leader {}: {}", leader, on_leader);
  }

  // Why `tree` (the settled one, or the leader's) is not yet the goal; "" if it is.
  std::string why_not_in(const core::DataTree& tree, const Cluster& c, bool final) const {
    std::map<std::string, int> statuses;  // task id -> status nodes
    for (const std::string& name : children_in(tree, w_.status)) {
      if (auto id = qr::task_id_of(name)) ++statuses[*id];
    }
    for (const auto& [id, n] : statuses) {
      if (n > 1) return fmt::format("task {} has {} status nodes in {}", id, n, w_.status);
    }
    if (!final) {
      const size_t waiting = children_in(tree, w_.tasks).size();
      if (waiting > 0) return fmt::format("{} tasks still unassigned in {}", waiting, w_.tasks);
      for (const std::string& worker : children_in(tree, w_.assign)) {
        const size_t n = children_in(tree, qr::child_path(w_.assign, worker)).size();
        if (n == 0) continue;
        const bool alive = tree.find(qr::child_path(w_.workers, worker)) != nullptr;
        return fmt::format("{} tasks still assigned to {}{}", n, worker,
                           alive ? "" : ", a worker that is not alive (no node in " + w_.workers + ")");
      }
    }
    for (const auto& [id, offer] : submitted_->offers()) {
      if (offer.acked && statuses.count(id) == 0) {
        return fmt::format("task {}, acknowledged to {} (incarnation {}) at {}, has no status", id, offer.producer,
                           offer.incarnation, format_time(offer.acked_at));
      }
    }
    for (const auto& [czxid, life] : c.commits().nodes()) {
      if (life.path.size() <= w_.tasks.size() + 1 || life.path.compare(0, w_.tasks.size() + 1, w_.tasks + "/") != 0) {
        continue;
      }
      const auto id = qr::task_id_of(qr::base_name(life.path));
      if (id && statuses.count(*id) == 0) {
        return fmt::format("task {} ({}, committed at zxid 0x{:x}) has no status", *id, life.path, czxid);
      }
    }
    return "";
  }

  std::shared_ptr<const OfferLog> submitted_;
  WorkQueueLayout w_;
};

class StatusFromExecution final : public Check {
 public:
  StatusFromExecution(std::shared_ptr<const ItemSink> executions, WorkQueueLayout w)
      : executions_(std::move(executions)), w_(std::move(w)) {}
  std::string name() const override { return "status-from-execution"; }
  std::optional<Violation> judge(const Cluster& c) const override {
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return std::nullopt;  // one-status-per-task says it
    for (const std::string& name : children_in(*tree, w_.status)) {
      const auto id = qr::task_id_of(name);
      const core::Znode* n = tree->find(qr::child_path(w_.status, name));
      if (!id || n == nullptr) continue;
      const std::string worker = n->data.substr(0, n->data.find(' '));
      const auto it = executions_->by_item().find(*id);
      bool executed = false;
      if (it != executions_->by_item().end()) {
        for (size_t i : it->second) {
          const Processing& p = executions_->records()[i];
          executed = executed || fmt::format("{}.{}", p.consumer, p.incarnation) == worker;
        }
      }
      if (executed) continue;
      return Violation{sim::Verdict::kInvariant,
                       fmt::format("{} says worker {} did task {}, which it never executed",
                                   qr::child_path(w_.status, name), worker, *id),
                       ""};
    }
    return std::nullopt;
  }

 private:
  std::shared_ptr<const ItemSink> executions_;
  WorkQueueLayout w_;
};

}  // namespace

std::unique_ptr<Check> one_status_per_task(std::shared_ptr<const OfferLog> submitted, WorkQueueLayout layout) {
  return std::make_unique<OneStatusPerTask>(std::move(submitted), std::move(layout));
}
std::unique_ptr<Check> status_from_execution(std::shared_ptr<const ItemSink> executions, WorkQueueLayout layout) {
  return std::make_unique<StatusFromExecution>(std::move(executions), std::move(layout));
}

std::unique_ptr<Check> processed_at_most_once(std::shared_ptr<const ItemSink> sink) {
  return std::make_unique<ProcessedAtMostOnce>(std::move(sink));
}
std::unique_ptr<Check> processed_only_offered(std::shared_ptr<const ItemSink> sink,
                                              std::shared_ptr<const OfferLog> offers, QueueLayout layout) {
  return std::make_unique<ProcessedOnlyOffered>(std::move(sink), std::move(offers), std::move(layout));
}
std::unique_ptr<Check> none_lost(std::shared_ptr<const ItemSink> sink, std::shared_ptr<const OfferLog> offers,
                                 QueueLayout layout) {
  return std::make_unique<NoneLost>(std::move(sink), std::move(offers), std::move(layout));
}
std::unique_ptr<Check> queue_drained(QueueLayout layout) { return std::make_unique<QueueDrained>(std::move(layout)); }
std::unique_ptr<Check> fifo_per_producer(QueueLayout layout) {
  return std::make_unique<FifoPerProducer>(std::move(layout));
}

}  // namespace zsim::scenarios::recipes
