// register, register-unsafe-commit and kv: read / write / compare-and-set
// (setData with the version read, as Jepsen tested ZooKeeper) on one znode
// (/r, 5 servers, 5 clients) or on eight (/k0../k7, 5 voters + 1 observer,
// 8 clients). Each key's history must keep ZooKeeper's promises for a
// cas-register from 0. register-unsafe-commit runs leaders that commit
// before a quorum acknowledged (deliberately broken; a sweep must catch it).
#include "scenarios/ensemble/common.h"
#include "scenarios/history_recorder.h"
#include "scenarios/registry.h"

#include <map>

namespace zsim::scenarios {
namespace ensemble {
namespace {

// ---------------------------------------------------------------- registers

struct RegisterClientState : ClientFlags {
  std::int64_t process = 0;
  std::int64_t values_written = 0;
};

// Reads, writes and compare-and-sets on `keys` znodes /k0.. (or the one
// register /r), recording each operation. Values are unique per write
// (process * 10^6 + n), so the checker can tell writes apart.
class RegisterClient final : public sim::Process {
 public:
  RegisterClient(io::Env& env, std::vector<io::HostId> servers, int keys, HistoryRecorder& history,
                 RegisterClientState& state)
      : env_(env), session_(env, std::move(servers)), keys_(keys), history_(history), state_(state) {
    env_.fibers.spawn("register", [this] { run(); });
  }

  static std::string path_of(int keys, int key) { return keys == 1 ? "/r" : fmt::format("/k{}", key); }

 private:
  void run() {
    for (int k = 0; k < keys_; ++k) ensure_key(k);
    while (!state_.stop) {
      if (!session_.get().wait_connected(seconds(1))) continue;
      const int key = static_cast<int>(env_.random.below(static_cast<std::uint64_t>(keys_)));
      const std::uint64_t pick = env_.random.below(10);
      if (pick < 4) {
        read(key);
      } else if (pick < 7) {
        write(key);
      } else {
        cas(key);
      }
      env_.fibers.sleep(millis(static_cast<std::int64_t>(env_.random.below(60))));
    }
    // Liveness: one read of each key that succeeds, after the faults healed.
    for (int k = 0; k < keys_; ++k) {
      while (!read(k)) env_.fibers.sleep(millis(100));
    }
    state_.done = true;
  }

  // Each key starts as "0"; the first client to get there creates it
  // (unrecorded: the model starts at 0).
  void ensure_key(int key) {
    while (true) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      const Code c = zk.create(path_of(keys_, key), "0").code();
      if (c == Code::Ok || c == Code::NodeExists) return;
      env_.fibers.sleep(millis(50));
    }
  }

  bool read(int key) {
    core::Client& zk = session_.get();
    // Some reads sync first: not needed for the check, but it runs the
    // sync path of followers and leaders under faults.
    if (env_.random.chance(1, 4) && !zk.sync(path_of(keys_, key)).ok()) return false;
    const std::size_t i = record(zk, key, "read", checkers::Value::nil());
    auto r = zk.get_data(path_of(keys_, key));
    if (!r.ok()) {
      history_.info(i);  // a failed read constrains nothing
      return false;
    }
    const auto v = parse_int(r.value().data);
    history_.ok(i, v ? checkers::Value::of_int(*v) : checkers::Value::of_string(r.value().data));
    return true;
  }

  // Kept in the state, not the process: a restarted client host must not
  // write a value it wrote before.
  std::int64_t fresh_value() { return state_.process * 1'000'000 + (++state_.values_written); }

  void write(int key) {
    core::Client& zk = session_.get();
    const std::int64_t v = fresh_value();
    const std::size_t i = record(zk, key, "write", checkers::Value::of_int(v));
    finish_write(i, zk.set_data(path_of(keys_, key), std::to_string(v)).code(), checkers::Value::nil());
  }

  // compare-and-set as Jepsen did on ZooKeeper: read the value and its
  // version, then setData with that version. Success means the value was
  // still `old` at the setData's place in the order (a version names one
  // value of the node).
  void cas(int key) {
    core::Client& zk = session_.get();
    const std::int64_t nv = fresh_value();
    auto current = zk.get_data(path_of(keys_, key));
    if (!current.ok()) return;  // nothing happened: not an operation
    const auto old = parse_int(current.value().data);
    if (!old) return;
    using checkers::Value;
    const Value input = Value::of_vector({Value::of_int(*old), Value::of_int(nv)});
    const std::size_t i = record(zk, key, "cas", input);
    const Code c = zk.set_data(path_of(keys_, key), std::to_string(nv), current.value().stat.version).code();
    finish_write(i, c, checkers::Value::of_bool(true));
  }

  std::size_t record(core::Client& zk, int key, std::string f, checkers::Value input) {
    const std::size_t i = history_.call(state_.process, zk.session_id(), std::move(f), std::move(input));
    history_.set_key(i, checkers::Value::of_int(key));
    return i;
  }

  void finish_write(std::size_t i, Code c, checkers::Value ok_output) {
    if (c == Code::Ok) {
      history_.ok(i, std::move(ok_output));
    } else if (definitely_not_applied(c)) {
      history_.fail(i);  // BadVersion, SessionExpired, SessionMoved: no effect
    } else {
      history_.info(i);
      session_.abandon();
    }
  }

  io::Env& env_;
  EnsembleSession session_;
  int keys_;
  HistoryRecorder& history_;
  RegisterClientState& state_;
};

struct RegisterSpec {
  EnsembleSpec ensemble;
  int clients = 5;
  int keys = 1;  // 1: the register /r; more: /k0../k{n-1}, checked per key
};

RegisterSpec with_bug(RegisterSpec spec, const RunParams& p) {
  if (p.bug != core::PlantedBug::kNone) spec.ensemble.bug = p.bug;
  return spec;
}

class RegisterWorkload final : public EnsembleWorkload<RegisterClientState> {
 public:
  RegisterWorkload(sim::Simulator& sim, const RegisterSpec& spec)
      : EnsembleWorkload(sim, spec.ensemble, "has not completed its final reads"), keys_(spec.keys), history_(sim) {
    for (int c = 1; c <= spec.clients; ++c) {
      RegisterClientState& st = clients_.emplace_back();
      st.process = c;
      st.name = fmt::format("c{}", c);
      const std::vector<io::HostId> servers = world_.hosts();
      const int keys = keys_;
      const io::HostId h = sim.add_host(st.name, [this, servers, keys, &st](io::Env& env) {
        return std::make_unique<RegisterClient>(env, servers, keys, history_, st);
      });
      sim.start(h);
    }
  }

  // Each key is its own register. Checking keys one by one is sound for
  // ZooKeeper's order (a valid order of all operations, restricted to one
  // key, is a valid order of that key's operations), though it cannot see
  // a session going back in time across two keys.
  // Without the final reads the history is still a history: every check
  // holds (operations still open count as unknown).
  void check_clients_unfinished(sim::Simulator& sim) override { check_clients(sim); }

  void check_clients(sim::Simulator& sim) override {
    const checkers::History all = history_.history();
    // No server answered in a session the ensemble had closed.
    std::map<std::int64_t, std::vector<AnsweredOp>> answered;  // by process
    for (const auto& op : all.ops) {
      if (op.status == checkers::Status::ok && op.session) {
        answered[op.process].push_back(AnsweredOp{*op.session, time_from_ns(op.call_time)});
      }
    }
    for (const auto& [process, ops] : answered) {
      if (!check_answers_after_close(sim, world_, fmt::format("c{}", process), ops)) return;
    }
    std::map<std::int64_t, checkers::History> by_key;
    for (const auto& op : all.ops) by_key[op.key ? op.key->integer : 0].ops.push_back(op);
    for (const auto& [key, h] : by_key) {
      if (!check_register_history(sim, h, RegisterClient::path_of(keys_, static_cast<int>(key)))) return;
    }
  }

 private:
  int keys_;
  HistoryRecorder history_;
};

}  // namespace
}  // namespace ensemble

void register_ensemble_registers(std::vector<Scenario>& out) {
  using namespace ensemble;
  RegisterSpec reg_spec;
  reg_spec.ensemble.voters = 5;
  reg_spec.clients = 5;
  Scenario reg = ensemble_scenario(
      "register", "5-server ensemble: read/write/cas on one znode under every fault; ZooKeeper-consistent",
      ensemble_faults(reg_spec.ensemble, reg_spec.clients));
  reg.build = [reg_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<RegisterWorkload>(sim, with_bug(reg_spec, p));
  };
  out.push_back(reg);

  RegisterSpec broken_spec = reg_spec;
  broken_spec.ensemble.bug = core::PlantedBug::kCommitBeforeQuorum;
  Scenario broken = reg;
  broken.name = "register-unsafe-commit";
  broken.summary = "deliberately broken: leaders commit before a quorum acks; an isolated leader loses writes (caught)";
  broken.build = [broken_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<RegisterWorkload>(sim, with_bug(broken_spec, p));
  };
  out.push_back(std::move(broken));

  RegisterSpec kv_spec;
  kv_spec.ensemble.voters = 5;
  kv_spec.ensemble.observers = 1;
  kv_spec.clients = 8;
  kv_spec.keys = 8;
  Scenario kv = ensemble_scenario(
      "kv", "5 voters + 1 observer: 8 clients read/write/cas 8 znodes; each key ZooKeeper-consistent",
      ensemble_faults(kv_spec.ensemble, kv_spec.clients));
  kv.build = [kv_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<RegisterWorkload>(sim, with_bug(kv_spec, p));
  };
  out.push_back(std::move(kv));

  // Durability under correlated crashes: the whole ensemble (or most of it)
  // loses power again and again, often at a protocol step (power-loss-at),
  // and comes back one server at a time, so that the first ones back elect
  // among themselves; leaders are isolated and crashed at named steps.
  // Where the other scenarios spread their faults thin, this one spends
  // them where acknowledged writes can be lost (a txn acknowledged but not
  // yet durable on a quorum, an epoch not yet written, a sync cut short).
  RegisterSpec reboot_spec;
  reboot_spec.ensemble.voters = 3;
  reboot_spec.clients = 5;
  sim::PlanOptions reboots = ensemble_faults(reboot_spec.ensemble, reboot_spec.clients);
  reboots.swarm = false;
  reboots.pauses = false;
  reboots.clock_faults = false;
  reboots.duplicates = false;
  reboots.stream_resets = false;
  reboots.disk_faults = false;
  reboots.client_crashes = false;
  reboots.client_pauses = false;
  reboots.loss = false;
  reboots.power_loss_max = seconds(1);
  // What register-handover starts from too (before the aim below).
  const sim::PlanOptions reboot_base = reboots;
  // The steps where a write is acknowledged, made durable, or handed to a
  // new leader's history.
  reboots.crash_sites = {"zab.leader.commit-sent", "zab.leader.established", "zab.follower.ack-sent",
                         "zab.learner.sync-txn-logged", "zab.learner.newleader-acked"};
  // Leaders cut off from their peers but not their clients (so they log
  // writes no quorum will take), and power that fails as the next leader
  // takes over, servers coming back one by one.
  reboots.isolate_share = {3, 4};
  reboots.role_share = {2, 3};
  reboots.isolate_except_share = {3, 4};
  reboots.power_stagger_share = {1, 1};
  reboots.power_at_site_share = {3, 4};
  reboots.fault_gap_mean = millis(250);
  Scenario reboot = ensemble_scenario(
      "register-reboots",
      "3 servers: read/write/cas while the ensemble loses power (often at a protocol step) and reboots one by one",
      std::move(reboots));
  reboot.build = [reboot_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<RegisterWorkload>(sim, with_bug(reboot_spec, p));
  };
  out.push_back(std::move(reboot));

  // The leader handover, and nothing else: the leader is cut off from its
  // peers but not its clients (it logs writes no quorum will take), the
  // others elect a new one, and the power fails for the ensemble at the
  // handover itself -- as the new leader establishes, or as a learner acks
  // its NEWLEADER -- with the servers back one by one. Whoever is back
  // first elects among themselves from what their disks say about the new
  // epoch: this is where ZAB writes currentEpoch before it acknowledges
  // (ZOOKEEPER-1282) and syncs the DIFF before NEWLEADER's ACK
  // (ZOOKEEPER-3911, -2355).
  // register-reboots' quiet base (no swarm, no noise), without crashes.
  RegisterSpec handover_spec = reboot_spec;
  sim::PlanOptions handover = reboot_base;
  handover.crashes = false;
  handover.crash_sites = {"zab.leader.established", "zab.learner.newleader-acked"};
  handover.role_targets = {"@leader"};
  handover.isolate_share = {1, 1};
  handover.role_share = {1, 1};
  handover.isolate_except_share = {1, 1};
  handover.power_stagger_share = {1, 1};
  handover.power_at_site_share = {1, 1};
  handover.fault_gap_mean = millis(400);
  Scenario handover_scenario = ensemble_scenario(
      "register-handover",
      "3 servers: read/write/cas while an isolated leader is replaced and the power fails at the handover",
      std::move(handover));
  handover_scenario.build = [handover_spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<RegisterWorkload>(sim, with_bug(handover_spec, p));
  };
  out.push_back(std::move(handover_scenario));
}

}  // namespace zsim::scenarios
