// Scenarios against one coordination server (issue 4): the real server,
// client library, log and recovery under crashes, restarts, pauses,
// partitions between clients and server, connection resets and clock faults.
//
// single-register: clients read, write and compare-and-set one znode
//   (setData with the version they read, as Jepsen tested ZooKeeper); the
//   history must be linearizable against a cas-register starting at 0, so
//   every acknowledged write survives every restart.
// single-sessions: each client holds an ephemeral node in its session; the
//   node must never vanish while its session lives (a client that gets an
//   answer in its session must still see its node), must be gone once the
//   session expired, and every client ends up holding a node again after
//   the faults heal.
#include "checkers/linearizability.h"
#include "core/client/client.h"
#include "core/server/server.h"
#include "scenarios/history_recorder.h"
#include "scenarios/registry.h"
#include "scenarios/session_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <optional>

namespace zsim::scenarios {
namespace {

using core::Code;

constexpr const char* kServer = "s1";

core::ServerOptions server_options(core::PlantedBug bug = core::PlantedBug::kNone) {
  core::ServerOptions o;
  o.planted_bug = bug;
  o.tick_ms = 500;  // sessions negotiate into [1s, 10s]
  o.reap_interval_ms = 5000;
  o.snapshot_every_txns = 200;  // exercise snapshots + log roll under crashes
  return o;
}

struct ServerProcess final : sim::Process {
  explicit ServerProcess(io::Env& env, core::PlantedBug bug = core::PlantedBug::kNone)
      : server(env, server_options(bug)) {}
  core::Server server;
};

template <typename State>
class ClientsWorkload : public Workload {
 public:
  void on_liveness(sim::Simulator&) override {
    for (auto& c : clients_) c.stop = true;
  }
  bool finished() const override {
    return std::all_of(clients_.begin(), clients_.end(), [](const State& c) { return c.done; });
  }
  std::string pending() const override {
    std::string out;
    for (const auto& c : clients_) {
      if (!c.done) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", c.name, unfinished_);
    }
    return out;
  }

 protected:
  explicit ClientsWorkload(std::string unfinished) : unfinished_(std::move(unfinished)) {}
  std::deque<State> clients_;  // stable addresses for the client processes

 private:
  std::string unfinished_;
};

// ---------------------------------------------------------------- register

constexpr const char* kRegister = "/r";

struct RegisterClientState : ClientFlags {
  std::int64_t process = 0;
  int ops = 0;  // done: made its final successful read
};

class RegisterClient final : public sim::Process {
 public:
  RegisterClient(io::Env& env, io::HostId server, HistoryRecorder& history, RegisterClientState& state)
      : env_(env), server_(server), history_(history), state_(state) {
    env_.fibers.spawn("register", [this] { run(); });
  }

 private:
  core::Client& client() {
    if (!client_ || finished_state(*client_)) {
      core::ClientOptions o;
      o.servers = {server_};
      o.session_timeout = seconds(3);
      client_ = std::make_unique<core::Client>(env_, o);
    }
    return *client_;
  }

  void run() {
    ensure_register();
    while (!state_.stop) {
      if (!client().wait_connected(seconds(1))) continue;
      const std::uint64_t pick = env_.random.below(10);
      if (pick < 4) {
        read();
      } else if (pick < 7) {
        write();
      } else {
        cas();
      }
      ++state_.ops;
      env_.fibers.sleep(millis(static_cast<std::int64_t>(env_.random.below(60))));
    }
    // Liveness: one read that succeeds, after the faults healed.
    while (!read()) env_.fibers.sleep(millis(100));
    state_.done = true;
  }

  // The register starts as "0"; the first client to get there creates it
  // (unrecorded: the model starts at 0).
  void ensure_register() {
    while (true) {
      core::Client& zk = client();
      if (!zk.wait_connected(seconds(1))) continue;
      const Code c = zk.create(kRegister, "0").code();
      if (c == Code::Ok || c == Code::NodeExists) return;
      env_.fibers.sleep(millis(50));
    }
  }

  static std::optional<std::int64_t> parse(const std::string& s) {
    std::int64_t v = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return std::nullopt;
      v = v * 10 + (ch - '0');
    }
    return s.empty() ? std::nullopt : std::optional<std::int64_t>(v);
  }

  bool read() {
    core::Client& zk = client();
    const std::size_t i = history_.call(state_.process, zk.session_id(), "read", checkers::Value::nil());
    auto r = zk.get_data(kRegister);
    if (!r.ok()) {
      history_.info(i);  // a failed read constrains nothing
      return false;
    }
    const auto v = parse(r.value().data);
    if (!v) {
      history_.ok(i, checkers::Value::of_string(r.value().data));
      return true;
    }
    history_.ok(i, checkers::Value::of_int(*v));
    return true;
  }

  std::int64_t fresh_value() { return state_.process * 1'000'000 + (++next_value_); }

  void write() {
    core::Client& zk = client();
    const std::int64_t v = fresh_value();
    const std::size_t i = history_.call(state_.process, zk.session_id(), "write", checkers::Value::of_int(v));
    const Code c = zk.set_data(kRegister, std::to_string(v)).code();
    if (c == Code::Ok) {
      history_.ok(i, checkers::Value::nil());
    } else if (c == Code::ConnectionLoss) {
      history_.info(i);
    } else {
      history_.fail(i);  // SessionExpired, SessionMoved: refused, not applied
    }
  }

  // compare-and-set as Jepsen did on ZooKeeper: read the value and its
  // version, then setData with that version. Success means the value was
  // still `old` at the setData's linearization point.
  void cas() {
    core::Client& zk = client();
    const std::int64_t nv = fresh_value();
    auto current = zk.get_data(kRegister);
    if (!current.ok()) return;  // nothing happened: not an operation
    const auto old = parse(current.value().data);
    if (!old) return;
    const std::size_t i = history_.call(
        state_.process, zk.session_id(), "cas",
        checkers::Value::of_vector({checkers::Value::of_int(*old), checkers::Value::of_int(nv)}));
    const Code c = zk.set_data(kRegister, std::to_string(nv), current.value().stat.version).code();
    if (c == Code::Ok) {
      history_.ok(i, checkers::Value::of_bool(true));
    } else if (c == Code::ConnectionLoss) {
      history_.info(i);
    } else {
      history_.fail(i);  // BadVersion: no effect (the value may equal old again)
    }
  }

  io::Env& env_;
  io::HostId server_;
  HistoryRecorder& history_;
  RegisterClientState& state_;
  std::unique_ptr<core::Client> client_;
  std::int64_t next_value_ = 0;
};

class RegisterWorkload final : public ClientsWorkload<RegisterClientState> {
 public:
  RegisterWorkload(sim::Simulator& sim, core::PlantedBug bug)
      : ClientsWorkload("has not completed a read"), history_(sim) {
    const io::HostId server = sim.add_host(
        kServer, [bug](io::Env& env) { return std::make_unique<ServerProcess>(env, bug); });
    sim.start(server);
    for (int c = 1; c <= 4; ++c) {
      RegisterClientState& st = clients_.emplace_back();
      st.process = c;
      st.name = fmt::format("c{}", c);
      const io::HostId h = sim.add_host(st.name, [this, server, &st](io::Env& env) {
        return std::make_unique<RegisterClient>(env, server, history_, st);
      });
      sim.start(h);
    }
  }

  void check(sim::Simulator& sim) override {
    checkers::CheckOptions options;
    options.model = "cas-register";
    options.init = checkers::Value::of_int(0);
    // A deterministic budget (states, not seconds): same seed, same verdict.
    options.limits.time_s_max = 0;
    options.limits.states_max = 50'000'000;
    const checkers::History h = history_.history();
    const checkers::CheckOutcome out = checkers::check_history(h, options);
    if (out.error) {
      sim.fail(sim::Verdict::kCrash, "checker error: " + out.error->message);
      return;
    }
    const checkers::CheckResult& r = *out.result;
    sim.trace_event("check.linearizability", {{"verdict", checkers::verdict_name(r.verdict)},
                                              {"ops", std::uint64_t{h.ops.size()}},
                                              {"states", r.states_explored}});
    if (r.verdict == checkers::Verdict::ok) return;
    if (r.verdict == checkers::Verdict::unknown) {
      sim.fail(sim::Verdict::kCrash, "the linearizability check ran out of budget: " + r.unknown_reason);
      return;
    }
    note_witness(sim, h, r);
    std::string why;
    for (const auto& p : r.partitions) {
      if (p.verdict != checkers::Verdict::violation) continue;
      why = fmt::format("after {} linearized ops the register is {}; ", p.linearization.size(), p.state_after);
      for (std::size_t k = 0; k < p.stuck.size() && k < 3; ++k) {
        why += fmt::format("{} ({}); ", checkers::describe_op(h.ops[p.stuck[k]]),
                           k < p.stuck_reasons.size() ? p.stuck_reasons[k] : "");
      }
    }
    sim.fail(sim::Verdict::kLinearizability, "history of " + std::to_string(h.ops.size()) +
                                                 " ops is not linearizable: " + why);
  }

 private:
  HistoryRecorder history_;
};

// ---------------------------------------------------------------- sessions

class SessionsWorkload final : public ClientsWorkload<SessionClientState> {
 public:
  SessionsWorkload(sim::Simulator& sim, core::PlantedBug bug) : ClientsWorkload("holds no node in a live session") {
    server_ = sim.add_host(kServer, [bug](io::Env& env) { return std::make_unique<ServerProcess>(env, bug); });
    sim.start(server_);
    for (int c = 1; c <= 3; ++c) {
      SessionClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      const io::HostId server = server_;
      const io::HostId h = sim.add_host(st.name, [server, &sim, &st](io::Env& env) {
        // A crashed client host comes back as a new process: its old
        // session is left to expire, and it starts a new one.
        return std::make_unique<SessionClient>(env, std::vector<io::HostId>{server}, seconds(2), seconds(2), sim, st);
      });
      sim.start(h);
    }
  }

  void check(sim::Simulator& sim) override {
    auto* p = sim.process_as<ServerProcess>(server_);
    if (p == nullptr || !p->server.serving()) {
      sim.fail(sim::Verdict::kLiveness, "the server is not serving at the end of the run", kServer);
      return;
    }
    const core::DataTree& tree = p->server.tree();
    for (const auto& c : clients_) {
      for (const auto& [session, node] : c.expired) {
        if (tree.sessions().count(session) != 0) continue;  // moved on, never expired
        if (tree.find(node) != nullptr) {
          sim.fail(sim::Verdict::kInvariant,
                   fmt::format("{} outlived its expired session 0x{:x}", node, session), kServer);
          return;
        }
      }
      const core::Znode* live = tree.find(c.live_node);
      if (live == nullptr || live->ephemeral_owner != c.live_session) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("{}'s node {} is missing though its session 0x{:x} lives", c.name, c.live_node,
                             c.live_session),
                 kServer);
        return;
      }
    }
    // Every ephemeral belongs to a session the server still has.
    for (const auto& [session, paths] : tree.ephemerals_by_session()) {
      if (!paths.empty() && tree.sessions().count(session) == 0) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("{} ephemerals belong to session 0x{:x}, which is gone", paths.size(), session),
                 kServer);
        return;
      }
    }
  }

 private:
  io::HostId server_ = 0;
};

sim::PlanOptions single_server_faults(bool client_faults) {
  sim::PlanOptions o;
  o.servers = {kServer};
  if (client_faults) o.servers.insert(o.servers.end(), {"c1", "c2", "c3"});
  o.clients = client_faults ? std::vector<std::string>{} : std::vector<std::string>{"c1", "c2", "c3", "c4"};
  o.max_servers_down = client_faults ? 2 : 1;
  o.loss = false;        // no datagrams here
  o.duplicates = false;
  o.disk_faults = false;  // one server cannot outlive a lying disk
  o.fault_gap_mean = millis(800);
  o.down_max = seconds(4);
  o.stream_reset_max = sim::Ratio{1, 100};
  return o;
}

}  // namespace

void register_single_server(std::vector<Scenario>& out) {
  Scenario reg;
  reg.name = "single-register";
  reg.summary = "one server: read/write/cas on one znode under crashes and partitions; linearizable";
  reg.plan_options = single_server_faults(false);
  // fsync takes milliseconds on a real disk: a window in which a crash can
  // catch a write that is logged but not yet durable.
  reg.sim_options.disk.sync_latency_min = millis(1);
  reg.sim_options.disk.sync_latency_max = millis(10);
  reg.safety_phase = seconds(20);
  reg.liveness_budget = seconds(30);
  reg.servers = ServerKind::kStandalone;
  reg.build = [](sim::Simulator& sim, const RunParams& p) { return std::make_unique<RegisterWorkload>(sim, p.bug); };
  out.push_back(reg);

  // The same workload against a server that acknowledges writes before they
  // are durable: the harness must catch it (tests/scenarios prove it does).
  Scenario broken = reg;
  broken.name = "single-register-unsafe-ack";
  broken.summary = "deliberately broken: acknowledges writes before fsync; crashes lose them (caught)";
  broken.build = [](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<RegisterWorkload>(
        sim, p.bug == core::PlantedBug::kNone ? core::PlantedBug::kAckBeforeSync : p.bug);
  };
  out.push_back(std::move(broken));

  Scenario ses;
  ses.name = "single-sessions";
  ses.summary = "one server: ephemerals vanish when, and only when, their session expires";
  ses.plan_options = single_server_faults(true);
  ses.sim_options.disk = reg.sim_options.disk;
  ses.safety_phase = seconds(20);
  ses.liveness_budget = seconds(30);
  ses.servers = ServerKind::kStandalone;
  ses.build = [](sim::Simulator& sim, const RunParams& p) { return std::make_unique<SessionsWorkload>(sim, p.bug); };
  out.push_back(std::move(ses));
}

}  // namespace zsim::scenarios
