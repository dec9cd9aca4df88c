// queue: 3 servers; 3 producers add PERSISTENT_SEQUENTIAL items under
// /queue while 2 consumers take the lowest and delete it (ZooKeeper's queue
// recipe), under faults; after the heal the consumers drain the queue.
// Names are never given twice and follow commit order, a consumed item is
// never seen again, no item is consumed twice, and every acknowledged item
// is consumed in the end (an item whose create was lost to ConnectionLoss
// may commit late and stay).
#include "scenarios/ensemble/client_log.h"
#include "scenarios/ensemble/common.h"
#include "scenarios/ensemble/replay.h"
#include "scenarios/ensemble/workload_checks.h"
#include "scenarios/registry.h"

#include <map>
#include <set>

namespace zsim::scenarios {
namespace ensemble {
namespace {

constexpr const char* kQueue = "/queue";
constexpr const char* kPrefix = "item-";

// A create or a consume that a client saw acknowledged.
struct QueueAck {
  std::string name;
  std::string client;
  Time call{};
  Time ret{};
};

struct QueueClientState : ClientFlags {
  bool producer = false;
  int made = 0;  // producer: items attempted (their data: "<client>-<n>")
  std::vector<QueueAck> produced;  // acknowledged creates
  std::vector<QueueAck> consumed;  // acknowledged deletes
};

class QueueClient final : public sim::Process {
 public:
  QueueClient(io::Env& env, std::vector<io::HostId> servers, sim::Simulator& sim, ClientLog& log,
              std::function<bool()> producers_done, QueueClientState& state)
      : env_(env),
        sim_(sim),
        session_(env, std::move(servers), millis(1000 + static_cast<std::int64_t>(env.random.below(3001))), log,
                 state.name, sim),
        producers_done_(std::move(producers_done)),
        state_(state) {
    env_.fibers.spawn("queue", [this] { run(); });
  }

 private:
  void run() {
    ensure_node(session_, env_.fibers, kQueue);
    while (!state_.stop) {
      if (!session_.get().wait_connected(seconds(1))) continue;
      if (state_.producer) {
        produce();
        env_.fibers.sleep(millis(100 + static_cast<std::int64_t>(env_.random.below(200))));
      } else {
        consume();
        env_.fibers.sleep(millis(20 + static_cast<std::int64_t>(env_.random.below(80))));
      }
    }
    // Liveness: consumers drain what the producers left.
    if (!state_.producer) {
      while (!drained()) {
        if (consume() == Took::kEmpty) env_.fibers.sleep(millis(50));
      }
    }
    state_.done = true;
  }


  void produce() {
    core::Client& zk = session_.get();
    const std::string data = fmt::format("{}-{}", state_.name, ++state_.made);
    QueueAck a;
    a.client = state_.name;
    a.call = sim_.now();
    auto r = zk.create(fmt::format("{}/{}", kQueue, kPrefix), data, core::CreateMode::PersistentSequential);
    a.ret = sim_.now();
    if (!r.ok()) return;  // refused, or unknown: the replay judges it
    a.name = r.value().substr(r.value().rfind('/') + 1);
    state_.produced.push_back(std::move(a));
  }

  enum class Took : std::uint8_t { kItem, kEmpty, kFailed };

  // Takes one of the lowest items: lists the queue, reads the item, deletes
  // it; the delete that succeeds consumes it.
  Took consume() {
    core::Client& zk = session_.get();
    auto kids = zk.get_children(kQueue);
    if (!kids.ok()) return Took::kFailed;
    std::vector<std::string> items = kids.value();
    if (items.empty()) return Took::kEmpty;
    std::sort(items.begin(), items.end(), [](const std::string& a, const std::string& b) {
      return sequence_of(a).value_or(-1) < sequence_of(b).value_or(-1);
    });
    // One of the lowest three: consumers race for the head, not always.
    const std::size_t k = env_.random.below(std::min<std::uint64_t>(3, items.size()));
    const std::string path = fmt::format("{}/{}", kQueue, items[k]);
    if (!zk.get_data(path).ok()) return Took::kFailed;  // taken meanwhile, or unknown
    QueueAck a;
    a.client = state_.name;
    a.name = items[k];
    a.call = sim_.now();
    const Code c = zk.remove(path).code();
    a.ret = sim_.now();
    if (c != Code::Ok) return Took::kFailed;
    state_.consumed.push_back(std::move(a));
    return Took::kItem;
  }

  // Every producer is done and a synced listing is empty.
  bool drained() {
    if (!producers_done_()) return false;
    core::Client& zk = session_.get();
    if (!zk.wait_connected(seconds(1))) return false;
    if (!zk.sync(kQueue).ok()) return false;
    auto kids = zk.get_children(kQueue);
    return kids.ok() && kids.value().empty();
  }

  io::Env& env_;
  sim::Simulator& sim_;
  RecordedSession session_;
  std::function<bool()> producers_done_;
  QueueClientState& state_;
};

class QueueWorkload final : public EnsembleWorkload<QueueClientState> {
 public:
  QueueWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int producers, int consumers)
      : EnsembleWorkload(sim, spec, "has not finished (consumers: draining /queue)") {
    for (int c = 1; c <= producers + consumers; ++c) {
      QueueClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      st.producer = c <= producers;
    }
    // The consumers drain once the producers are done and the ensemble has
    // settled: then a synced listing shows every acknowledged item.
    auto producers_done = [this] {
      for (const auto& o : clients_) {
        if (o.producer && !o.done) return false;
      }
      return world_.converged();
    };
    for (auto& st : clients_) {
      const std::vector<io::HostId> servers = world_.hosts();
      const io::HostId h = sim.add_host(st.name, [servers, &sim, this, producers_done, &st](io::Env& env) {
        return std::make_unique<QueueClient>(env, servers, sim, log_, producers_done, st);
      });
      sim.start(h);
    }
  }

  void check_clients(sim::Simulator& sim) override {
    CommittedReplay replay(world_.commits(), log_);
    SequenceOrder order(kQueue);
    replay.after = [&order](const core::DataTree&, const core::Txn& txn, const core::ApplyResult&, const ClientOp*) {
      return order.on_txn(txn);
    };
    if (!run_replay(sim, replay, "queue")) return;
    sim.trace_event("check.queue", {{"created", std::uint64_t{order.created().size()}},
                                    {"consumed", std::uint64_t{order.deleted().size()}}});
    if (replay.stats().gap) return;  // the acks cannot be judged against part of the history
    if (std::string v = check_acks(order); !v.empty()) return fail(sim, v);
    std::vector<AckedName> acked;
    for (const auto& c : clients_) {
      for (const QueueAck& a : c.produced) acked.push_back(AckedName{a.name, a.call, a.ret});
    }
    if (std::string v = acknowledged_before_called(acked); !v.empty()) return fail(sim, v);
  }

 private:
  // Every acknowledged create was committed and, by the end, consumed; no
  // item was acknowledged consumed to two consumers.
  std::string check_acks(const SequenceOrder& order) const {
    std::map<std::string, std::string> taken_by;
    for (const auto& c : clients_) {
      for (const QueueAck& a : c.consumed) {
        const auto [it, fresh] = taken_by.emplace(a.name, c.name);
        if (!fresh) return fmt::format("{} was consumed by both {} and {}", a.name, it->second, c.name);
      }
    }
    for (const auto& c : clients_) {
      for (const QueueAck& a : c.produced) {
        if (order.created().count(a.name) == 0) {
          return fmt::format("acknowledged item {} (to {}) was never committed", a.name, c.name);
        }
        if (order.deleted().count(a.name) == 0) {
          return fmt::format("acknowledged item {} (to {}) was never consumed", a.name, c.name);
        }
      }
    }
    return "";
  }

  static void fail(sim::Simulator& sim, const std::string& message) {
    sim.fail(sim::Verdict::kInvariant, "queue: " + message);
  }

  ClientLog log_;
};

}  // namespace
}  // namespace ensemble

void register_ensemble_queue(std::vector<Scenario>& out) {
  using namespace ensemble;
  EnsembleSpec spec;
  spec.voters = 3;
  spec.record_commits = true;
  Scenario s = ensemble_scenario("queue",
                                 "3 servers: a sequential queue consumed while it grows; names never reused, in "
                                 "commit order, each item consumed once",
                                 ensemble_faults(spec, 5));
  s.build = [spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<QueueWorkload>(sim, with_bug(spec, p), 3, 2);
  };
  out.push_back(std::move(s));
}

}  // namespace zsim::scenarios
