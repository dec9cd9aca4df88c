// counter: a shared counter by versioned compare-and-set
// (core/recipes/shared_counter.h) on 3 servers under every fault. Five
// clients add random amounts (1..9) until the heal; an add whose write
// was lost (ConnectionLoss, expiry, or a crash with the write in flight)
// is unknown and never retried.
//
// Judged from the settled tree (check counter-sum): the final value lies
// between the sum of the acknowledged adds and that sum plus every unknown
// add -- no acknowledged add was overwritten, and nothing was counted that
// no client tried. counter-naive writes without the version and is caught
// by the same check (the value falls below the acknowledged sum).
#include "core/recipes/shared_counter.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>

namespace zsim::scenarios::recipes {

namespace {

namespace qr = core::recipes;

// What the clients were told about their adds.
struct AddLedger {
  int64_t acked = 0;     // sum of acknowledged adds
  int64_t unknown = 0;   // sum of adds with an unknown outcome
  int64_t pending = 0;   // sum of adds in flight (unknown if their process died)
  uint64_t acked_count = 0;
  uint64_t unknown_count = 0;
};

// `blind`: the naive counter -- read, then write value + delta without the
// version (a write between the two is overwritten).
core::Result<int64_t> blind_add(core::Client& zk, const qr::CounterOptions& o, int64_t delta) {
  auto v = qr::read_counter(zk, o);
  if (!v.ok()) return v.status();
  auto w = zk.set_data(o.path, std::to_string(v.value() + delta));
  if (!w.ok()) return w.status();
  return v.value() + delta;
}

ClientBody adder(std::shared_ptr<AddLedger> ledger, bool blind) {
  return [ledger, blind](ClientCtx& me) {
    qr::CounterOptions o;
    o.reconnect_wait = seconds(2);
    while (qr::ensure_counter(me.zk(), o) != core::Code::Ok) me.sleep(millis(50));
    while (!me.stopping()) {
      const auto delta = static_cast<int64_t>(1 + me.random().below(9));
      ledger->pending += delta;
      auto r = blind ? blind_add(me.zk(), o, delta) : qr::add(me.zk(), o, delta);
      ledger->pending -= delta;
      if (r.ok()) {
        ledger->acked += delta;
        ++ledger->acked_count;
      } else if (r.code() == core::Code::ConnectionLoss || r.code() == core::Code::SessionExpired) {
        ledger->unknown += delta;
        ++ledger->unknown_count;
      }
      me.sleep(millis(100 + static_cast<int64_t>(me.random().below(200))));
    }
  };
}

class CounterSum final : public Check {
 public:
  CounterSum(std::shared_ptr<const AddLedger> ledger, std::string path)
      : ledger_(std::move(ledger)), path_(std::move(path)) {}
  std::string name() const override { return "counter-sum"; }
  bool settled(const Cluster& c) const override { return c.converged_tree() != nullptr; }
  std::string pending(const Cluster& c) const override {
    return c.converged_tree() == nullptr ? "the ensemble has not settled" : "";
  }
  std::optional<Violation> judge(const Cluster& c) const override {
    const core::DataTree* tree = c.converged_tree();
    if (tree == nullptr) return std::nullopt;
    const core::Znode* n = tree->find(path_);
    const int64_t low = ledger_->acked;
    const int64_t high = ledger_->acked + ledger_->unknown + ledger_->pending;
    const std::optional<int64_t> v =
        n == nullptr ? std::optional<int64_t>{0} : core::recipes::parse_counter(n->data);
    if (v && *v >= low && *v <= high) return std::nullopt;
    return Violation{sim::Verdict::kInvariant,
                     fmt::format("{} ends at {}, outside [{}, {}]: {} acknowledged adds sum to {}, {} "
                                 "unknown ones (lost replies, expiries, crashes) to {}",
                                 path_, v ? std::to_string(*v) : "'" + (n ? n->data : "") + "'", low, high,
                                 ledger_->acked_count, ledger_->acked, ledger_->unknown_count,
                                 ledger_->unknown + ledger_->pending),
                     ""};
  }

 private:
  std::shared_ptr<const AddLedger> ledger_;
  std::string path_;
};

void counter_setup(Cluster& c, bool blind) {
  auto ledger = std::make_shared<AddLedger>();
  c.clients(adder(ledger, blind), Until::kBodyReturns);
  c.add_check(std::make_unique<CounterSum>(ledger, "/counter"));
}

}  // namespace

void register_counter(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "counter",
      .summary = "shared counter by versioned compare-and-set: the final value is the sum of the acknowledged adds",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { counter_setup(c, false); },
  }));
  out.push_back(recipe_scenario({
      .name = "counter-naive",
      .summary = "the counter read, then written without the version: racing adds overwrite each other",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { counter_setup(c, true); },
  }));
}

}  // namespace zsim::scenarios::recipes
