// barrier: 3 servers; c1 coordinates, c2..c5 wait at a barrier
// (core/recipes/barrier.h), gate after gate. Gate k is the node
// /barrier/gates/gate-<k>; a waiter announces itself under
// /barrier/arrivals/gate-<k>/<name> and waits until the gate is gone; the
// coordinator, once every waiter has announced itself, raises gate k+1 and
// then lowers gate k (in that order: a waiter cannot tell a gate not yet
// raised from one lowered, so the next one is always up first). A
// restarted waiter or coordinator starts at the lowest gate still up.
// Under every fault, client pauses longer than the sessions included.
// Judged from the committed znode history at the zxid each pass saw
// (barrier_checks.h): passes-after-lowered (the gate was gone and every
// waiter had arrived) and every-client-passes-after-heal (each waiter
// passes a gate after the heal).
#include "core/recipes/barrier.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"
#include "scenarios/recipes/barrier_checks.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

namespace zsim::scenarios::recipes {

namespace {

namespace cr = core::recipes;
using core::Code;

constexpr const char* kGates = "/barrier/gates";
constexpr const char* kArrivals = "/barrier/arrivals";
constexpr Duration kWait = seconds(60);

std::string gate_name(int64_t k) { return fmt::format("gate-{:010d}", k); }
std::string gate_path(int64_t k) { return cr::child_path(kGates, gate_name(k)); }
std::string arrivals_path(int64_t k) { return cr::child_path(kArrivals, gate_name(k)); }

// The lowest gate still up: 0 if none is, nullopt if the read failed.
std::optional<int64_t> lowest_gate(core::Client& zk) {
  auto children = zk.get_children(kGates);
  if (children.code() == Code::NoNode) return 0;
  if (!children.ok()) return std::nullopt;
  const auto sorted = cr::sorted_by_sequence(std::move(children).value());
  if (sorted.empty()) return 0;
  return cr::sequence_of(sorted.front()).value_or(0);
}

// Retries `op` (a Code-returning call on the live handle) until it is Ok.
template <typename Op>
void until_ok(ClientCtx& me, Op&& op) {
  while (op(me.zk()) != Code::Ok) me.sleep(millis(50));
}

ClientBody coordinator(int waiters) {
  return [waiters](ClientCtx& me) {
    std::optional<int64_t> k;
    while (!k) {
      k = lowest_gate(me.zk());
      if (!k) me.sleep(millis(100));
    }
    if (*k == 0) {
      k = 1;
      until_ok(me, [&](core::Client& zk) { return cr::Barrier(zk, gate_path(*k)).raise(); });
    }
    for (;; ++*k) {
      // Wait until every waiter has announced itself at gate k.
      while (true) {
        core::Client& zk = me.zk();
        const uint64_t seen = zk.event_count();
        auto arrived = zk.get_children(arrivals_path(*k), /*watch=*/true);
        if (arrived.ok() && static_cast<int>(arrived.value().size()) >= waiters) break;
        bool watching = arrived.ok();
        if (arrived.code() == Code::NoNode) {  // nobody has arrived: watch for the first
          auto there = zk.exists(arrivals_path(*k), /*watch=*/true);
          if (there.ok() && there.value()) continue;  // made since: count again
          watching = there.ok();
        }
        if (!watching) {
          me.sleep(millis(50));  // ConnectionLoss or an expired session: read again
          continue;
        }
        (void)zk.wait_event(seen, kWait);
      }
      me.sleep(millis(static_cast<int64_t>(me.random().below(100))));
      until_ok(me, [&](core::Client& zk) { return cr::Barrier(zk, gate_path(*k + 1)).raise(); });
      until_ok(me, [&](core::Client& zk) { return cr::Barrier(zk, gate_path(*k)).lower(); });
    }
  };
}

ClientBody waiter(std::shared_ptr<BarrierLog> log) {
  return [log](ClientCtx& me) {
    std::optional<int64_t> k;
    while (!k || *k == 0) {
      k = lowest_gate(me.zk());
      if (!k || *k == 0) me.sleep(millis(100));
    }
    for (;; ++*k) {
      until_ok(me, [&](core::Client& zk) { return cr::ensure_path(zk, cr::child_path(arrivals_path(*k), me.name())); });
      while (true) {
        core::Client& zk = me.zk();
        cr::Barrier gate(zk, gate_path(*k));
        cr::BarrierWait w = cr::BarrierWait::kTimedOut;
        while (w == cr::BarrierWait::kTimedOut) w = gate.wait(kWait);
        if (w != cr::BarrierWait::kPassed) continue;  // kLost: a new session waits again
        log->passed(me, zk, gate_path(*k), PassKind::kGate);
        break;
      }
    }
  };
}

}  // namespace

void register_barrier(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "barrier",
      .summary = "3 servers; c1 raises and lowers barrier nodes once c2..c5 arrive; they wait for each to go",
      .shape = {.voters = 3, .clients = 5},
      .faults = FaultModel::everything(),
      .setup =
          [](Cluster& c) {
            auto log = std::make_shared<BarrierLog>();
            const int waiters = c.shape().clients - 1;
            c.client(1, coordinator(waiters), Until::kRunEnds);
            std::set<std::string> names;
            for (int i = 2; i <= c.shape().clients; ++i) {
              c.client(i, waiter(log), Until::kRunEnds);
              names.insert(fmt::format("c{}", i));
            }
            c.add_check(passes_after_lowered(log, kArrivals, waiters));
            c.add_check(every_client_passes_after_heal(log, PassKind::kGate, std::move(names)));
          },
  }));
}

}  // namespace zsim::scenarios::recipes
