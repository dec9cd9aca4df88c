#include "scenarios/ensemble/common.h"

#include "checkers/linearizability.h"
#include "scenarios/history_recorder.h"

namespace zsim::scenarios::ensemble {

// A write that returned this code certainly did not take effect; any other
// failure (ConnectionLoss above all) leaves it unknown.
bool definitely_not_applied(Code c) {
  return c == Code::BadVersion || c == Code::NoNode || c == Code::NodeExists || c == Code::SessionExpired ||
         c == Code::SessionMoved || c == Code::BadArguments;
}

std::optional<std::int64_t> parse_int(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char ch : s) {
    if (ch < '0' || ch > '9') return std::nullopt;
    v = v * 10 + (ch - '0');
  }
  return v;
}

// Checks a register history (one key) under ZooKeeper's consistency: writes
// and compare-and-sets linearizable, each session's operations in order, no
// session going back in time; reads may be stale.
//
// Why not plain linearizability: a follower answers reads from its own
// copy, which may lag the leader, so a read that misses a write that
// already returned to another client is allowed in ZooKeeper; only
// sync + read narrows it, and even that is not linearizable in ZooKeeper
// (ZOOKEEPER-1675: a deposed leader that does not know it yet can answer
// the sync). So the clients read plainly and the check is exactly what
// ZooKeeper promises (docs/checkers.md, "ZooKeeper's guarantee is not
// linearizability").
//
// Returns false (and fails the run) on a violation or an exhausted budget.
bool check_register_history(sim::Simulator& sim, const checkers::History& h, const std::string& label) {
  checkers::CheckOptions options;
  options.model = "cas-register";
  options.init = checkers::Value::of_int(0);
  options.consistency = checkers::Consistency::zookeeper;
  // A deterministic budget (states, not seconds): same seed, same verdict.
  options.limits.time_s_max = 0;
  options.limits.states_max = 10'000'000;
  options.limits.memory_bytes_max = std::size_t{1} << 30;
  const checkers::CheckOutcome out = checkers::check_history(h, options);
  if (out.error) {
    sim.fail(sim::Verdict::kCrash, fmt::format("{}: checker error: {}", label, out.error->message));
    return false;
  }
  const checkers::CheckResult& r = *out.result;
  sim.trace_event("check.zookeeper", {{"history", label},
                                      {"verdict", checkers::verdict_name(r.verdict)},
                                      {"ops", std::uint64_t{h.ops.size()}},
                                      {"states", r.states_explored}});
  if (r.verdict == checkers::Verdict::ok) return true;
  if (r.verdict == checkers::Verdict::unknown) {
    sim.fail(sim::Verdict::kCrash, fmt::format("{}: the check ran out of budget: {}", label, r.unknown_reason));
    return false;
  }
  note_witness(sim, h, r);
  std::string why;
  for (const auto& p : r.partitions) {
    if (p.verdict != checkers::Verdict::violation) continue;
    why = fmt::format("after {} ordered ops the register is {}; ", p.linearization.size(), p.state_after);
    for (std::size_t k = 0; k < p.stuck_reasons.size() && k < 3; ++k) why += p.stuck_reasons[k] + "; ";
  }
  sim.fail(sim::Verdict::kLinearizability,
           fmt::format("{}: history of {} ops breaks ZooKeeper's guarantees: {}", label, h.ops.size(), why));
  return false;
}

bool check_answers_after_close(sim::Simulator& sim, const EnsembleWorld& world, const std::string& client,
                               const std::vector<AnsweredOp>& ops) {
  for (const AnsweredOp& op : ops) {
    const std::optional<Time> closed = world.session_closed_at(op.session);
    if (!closed || op.call <= *closed + kAnswerAfterCloseMax) continue;
    sim.fail(sim::Verdict::kInvariant,
             fmt::format("session-liveness: {} was answered in session 0x{:x} for a call at {}s, {} after the "
                         "ensemble committed that session's closeSession (at {}s): a server served a dead session",
                         client, op.session, format_time(op.call), format_duration(op.call - *closed),
                         format_time(*closed)),
             client);
    return false;
  }
  return true;
}

std::vector<std::string> client_names(int n) {
  std::vector<std::string> names;
  for (int c = 1; c <= n; ++c) names.push_back(fmt::format("c{}", c));
  return names;
}

// Every fault the generator has, drawn per seed by swarm testing (each seed
// keeps a random half of the kinds and a random intensity, so some seeds are
// calm and some are storms; `zsim plan` shows the draw):
//  - partitions of every shape, some isolating @leader;
//  - crashes and pauses of at most a minority of the servers at once
//    (max_servers_down), some of them of @leader or @follower;
//  - power losses: up to every server at once, each keeping only what its
//    disk had synced (ZAB loses nothing it acknowledged even then);
//  - crash points at the named steps of core/fault_sites.h;
//  - clock jumps and drift, datagram loss and duplication (elections run on
//    datagrams), stream resets;
//  - disk faults (corrupted reads, lying syncs) on one server per plan,
//    which counts against the budget like a crash and stays down once it
//    crashes (sim::check_fault_budget: a server that forgot what it
//    acknowledged is "as if it had been down");
//  - client crashes and pauses from the clients' own budget (one at a
//    time, up to 5 s, longer than their session timeouts).
sim::PlanOptions ensemble_faults(const EnsembleSpec& spec, int clients) {
  sim::PlanOptions o;
  o.servers = ensemble_server_names(spec);
  o.clients = client_names(clients);
  o.max_servers_down = (spec.voters - 1) / 2;
  o.partitions = true;  // split, isolate, bridge and one-way, servers and clients
  o.crashes = true;
  o.pauses = true;
  o.clock_faults = true;
  o.loss = true;        // election notifications are datagrams
  o.duplicates = true;
  o.stream_resets = true;
  o.disk_faults = true;
  o.disk_fault_servers_max = 1;
  o.power_loss = true;
  o.crash_points = true;
  o.crash_sites = crash_site_names();
  o.role_targets = {"@leader", "@follower"};
  if (spec.observers > 0) o.role_targets.push_back("@observer");
  o.client_crashes = true;
  o.client_pauses = true;
  o.clients_down_max = 1;
  o.client_down_max = seconds(5);
  o.swarm = true;
  o.fault_gap_mean = millis(700);
  o.down_max = seconds(3);
  o.stream_reset_max = sim::Ratio{1, 100};
  return o;
}

Scenario ensemble_scenario(std::string name, std::string summary, sim::PlanOptions plan) {
  Scenario s;
  s.name = std::move(name);
  s.summary = std::move(summary);
  s.plan_options = std::move(plan);
  s.has_roles = true;
  s.servers = ServerKind::kEnsemble;
  // fsync takes milliseconds on a real disk: a window in which a crash can
  // catch a txn that is logged but not yet durable.
  s.sim_options.disk.sync_latency_min = millis(1);
  s.sim_options.disk.sync_latency_max = millis(10);
  s.safety_phase = seconds(20);
  // Enough for an election (finalize wait, discovery and sync within
  // initLimit = 1 s, a few rounds if votes are lost), every restarted
  // server to rejoin, sessions the faults left behind to expire, and the
  // clients' last operations.
  s.liveness_budget = seconds(30);
  return s;
}

}  // namespace zsim::scenarios::ensemble
