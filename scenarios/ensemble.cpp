// Scenarios against a replicated ensemble (issue 5): ZAB servers (voters and
// an observer) under partitions of every shape, crashes, pauses, clock
// faults, datagram loss and duplication (elections run on datagrams) and
// stream resets, while the ensemble invariant monitor watches every server
// (one leader per epoch, one committed prefix, no lost commit, expired
// sessions' ephemerals gone, replicas agreeing) and stops the run at the
// first broken invariant.
//
// register: 5 servers, 5 clients; read / write / compare-and-set (setData
//   with the version read, as Jepsen tested ZooKeeper) on one znode. The
//   history must keep ZooKeeper's promises for a cas-register from 0.
// register-unsafe-commit: the same against leaders that commit before a
//   quorum acknowledged (deliberately broken; a sweep must catch it).
// kv: 5 voters + 1 observer, 8 clients, 8 znodes /k0../k7 read, written and
//   compare-and-set by everyone; each key's history must keep ZooKeeper's
//   promises.
// sequential: 3 servers, 5 clients creating PERSISTENT_SEQUENTIAL children
//   of /q; acknowledged names are unique and never lost, every child was
//   created once, and sequence numbers follow commit (czxid) order and real
//   time.
// sessions: 3 servers, 3 clients holding ephemerals through crashes and
//   pauses (of servers and clients) longer than their session timeouts;
//   ephemerals vanish when, and only when, their session expires.
//
// Every run: a 20 s safety phase under the fault plan, then a liveness phase
// of at most 30 s with the faults healed, in which the ensemble must elect a
// leader and settle (every server up, serving, following that leader, at the
// same zxid) and every client must finish its last operation. The monitor
// then compares the final states of all servers.
#include "checkers/linearizability.h"
#include "core/client/client.h"
#include "scenarios/ensemble_world.h"
#include "scenarios/history_recorder.h"
#include "scenarios/registry.h"
#include "scenarios/session_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

namespace zsim::scenarios {
namespace {

using core::Code;

// ---------------------------------------------------------------- shared

// A write that returned this code certainly did not take effect; any other
// failure (ConnectionLoss above all) leaves it unknown.
bool definitely_not_applied(Code c) {
  return c == Code::BadVersion || c == Code::NoNode || c == Code::NodeExists || c == Code::SessionExpired ||
         c == Code::SessionMoved || c == Code::BadArguments;
}

// One workload client's session with the ensemble: a core::Client made on
// demand with every server in its list (it starts at a random one and moves
// on at each failure), replaced once its session has ended or is abandoned.
class EnsembleSession {
 public:
  EnsembleSession(io::Env& env, std::vector<io::HostId> servers)
      : env_(env),
        servers_(std::move(servers)),
        // Each client asks for its own timeout in [1 s, 4 s].
        timeout_(millis(1000 + static_cast<std::int64_t>(env.random.below(3001)))) {}

  core::Client& get() {
    if (!client_ || finished_state(*client_)) {
      core::ClientOptions o;
      o.servers = servers_;
      o.session_timeout = timeout_;
      client_ = std::make_unique<core::Client>(env_, o);
    }
    return *client_;
  }

  // Leaves the session to expire on the servers; the next get() starts a
  // new one. Used after a write with an unknown outcome: ZooKeeper orders a
  // session's operations only as far as they were answered, so a write
  // lost to ConnectionLoss may still commit after later operations of the
  // same session, which the session-order check would take for a
  // violation. A fresh session is not ordered after the lost write.
  void abandon() { client_.reset(); }

 private:
  io::Env& env_;
  std::vector<io::HostId> servers_;
  Duration timeout_;
  std::unique_ptr<core::Client> client_;
};

// A workload of clients against an EnsembleWorld: finished when every
// client is done and the ensemble has settled; judged by the monitor's
// final-state checks, then by the workload's own.
template <typename State>
class EnsembleWorkload : public Workload {
 public:
  void on_liveness(sim::Simulator&) override {
    for (auto& c : clients_) c.stop = true;
  }
  bool finished() const override { return clients_done() && world_.converged(); }
  std::string pending() const override {
    std::string out;
    for (const auto& c : clients_) {
      if (!c.done) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", c.name, unfinished_);
    }
    if (!world_.converged()) out += fmt::format("{}ensemble not settled: {}", out.empty() ? "" : "; ", world_.status());
    return out;
  }
  void check(sim::Simulator& sim) final {
    if (!world_.check_final_states()) return;
    check_clients(sim);
  }

 protected:
  EnsembleWorkload(sim::Simulator& sim, const EnsembleSpec& spec, std::string unfinished)
      : world_(sim, spec), unfinished_(std::move(unfinished)) {}
  virtual void check_clients(sim::Simulator& sim) = 0;
  bool clients_done() const {
    return std::all_of(clients_.begin(), clients_.end(), [](const State& c) { return c.done; });
  }

  EnsembleWorld world_;
  std::deque<State> clients_;  // stable addresses for the client processes

 private:
  std::string unfinished_;
};

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
  void check_clients(sim::Simulator& sim) override {
    const checkers::History all = history_.history();
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

// ---------------------------------------------------------------- sequential

constexpr const char* kQueue = "/q";

struct SequentialCreate {
  std::string name;  // the child's name under /q (acknowledged only)
  std::int64_t czxid = 0;
  Time call{};
  Time ret{};
};

struct AuditedChild {
  std::string name;
  std::string data;
  std::int64_t czxid = 0;
};

struct SequentialClientState : ClientFlags {
  std::vector<SequentialCreate> acked;
  std::set<std::string> attempted;  // the data of every create it tried
  int attempts = 0;
  // Client 1 only: the final read of /q, after every other client is done
  // and the ensemble has settled.
  bool auditor = false;
  std::vector<AuditedChild> audit;
};

class SequentialClient final : public sim::Process {
 public:
  SequentialClient(io::Env& env, std::vector<io::HostId> servers, sim::Simulator& sim,
                   std::function<bool()> ready_for_audit, SequentialClientState& state)
      : env_(env), session_(env, std::move(servers)), sim_(sim), ready_for_audit_(std::move(ready_for_audit)),
        state_(state) {
    env_.fibers.spawn("sequential", [this] { run(); });
  }

 private:
  void run() {
    ensure_queue();
    while (!state_.stop) {
      if (!session_.get().wait_connected(seconds(1))) continue;
      create_one();
      env_.fibers.sleep(millis(20 + static_cast<std::int64_t>(env_.random.below(180))));
    }
    if (state_.auditor) {
      while (!ready_for_audit_()) env_.fibers.sleep(millis(50));
      while (!audit()) env_.fibers.sleep(millis(100));
    }
    state_.done = true;
  }

  void ensure_queue() {
    while (true) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      const Code c = zk.create(kQueue, "").code();
      if (c == Code::Ok || c == Code::NodeExists) return;
      env_.fibers.sleep(millis(50));
    }
  }

  void create_one() {
    core::Client& zk = session_.get();
    // Unique data names the attempt, so a child created twice shows.
    // (The count lives in the state: a restarted host goes on from it.)
    const std::string data = fmt::format("{}-{}", state_.name, ++state_.attempts);
    state_.attempted.insert(data);
    SequentialCreate c;
    c.call = sim_.now();
    auto r = zk.create2(std::string(kQueue) + "/item-", data, core::CreateMode::PersistentSequential);
    c.ret = sim_.now();
    if (!r.ok()) return;  // unknown or refused: the audit tells which
    const std::string& path = r.value().path;
    c.name = path.substr(path.rfind('/') + 1);
    c.czxid = r.value().stat.czxid;
    state_.acked.push_back(std::move(c));
  }

  // sync, then every child with its data and czxid. Any failure starts over.
  bool audit() {
    core::Client& zk = session_.get();
    if (!zk.wait_connected(seconds(1))) return false;
    if (!zk.sync(kQueue).ok()) return false;
    auto children = zk.get_children(kQueue);
    if (!children.ok()) return false;
    std::vector<AuditedChild> seen;
    for (const std::string& name : children.value()) {
      auto d = zk.get_data(std::string(kQueue) + "/" + name);
      if (!d.ok()) return false;
      seen.push_back(AuditedChild{name, d.value().data, d.value().stat.czxid});
    }
    state_.audit = std::move(seen);
    return true;
  }

  io::Env& env_;
  EnsembleSession session_;
  sim::Simulator& sim_;
  std::function<bool()> ready_for_audit_;
  SequentialClientState& state_;
};

std::optional<std::int64_t> sequence_of(const std::string& name) {
  if (name.size() < 10) return std::nullopt;
  return parse_int(name.substr(name.size() - 10));
}

class SequentialWorkload final : public EnsembleWorkload<SequentialClientState> {
 public:
  SequentialWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int clients)
      : EnsembleWorkload(sim, spec, "has not finished (client 1: its final audit of /q)") {
    for (int c = 1; c <= clients; ++c) {
      SequentialClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      st.auditor = c == 1;
    }
    for (auto& st : clients_) {
      const std::vector<io::HostId> servers = world_.hosts();
      // The audit waits for every other client and a settled ensemble: then
      // one leader has applied every acknowledged create, and so has the
      // server the auditor reads from.
      auto ready = [this, &st] {
        for (const auto& o : clients_) {
          if (&o != &st && !o.done) return false;
        }
        return world_.converged();
      };
      const io::HostId h = sim.add_host(st.name, [servers, &sim, ready, &st](io::Env& env) {
        return std::make_unique<SequentialClient>(env, servers, sim, ready, st);
      });
      sim.start(h);
    }
  }

  void check_clients(sim::Simulator& sim) override {
    const std::vector<AuditedChild>& audit = clients_.front().audit;
    sim.trace_event("check.sequential", {{"children", std::uint64_t{audit.size()}}});
    if (!check_children(sim, audit)) return;
    if (!check_acked(sim, audit)) return;
    check_real_time(sim);
  }

 private:
  // Every child was created by one attempt, once; sequence numbers follow
  // czxid order.
  bool check_children(sim::Simulator& sim, std::vector<AuditedChild> audit) {
    std::set<std::string> attempted;
    for (const auto& c : clients_) attempted.insert(c.attempted.begin(), c.attempted.end());
    std::map<std::string, std::string> by_data;
    for (const auto& child : audit) {
      if (!sequence_of(child.name)) return fail(sim, fmt::format("child {} has no sequence number", child.name));
      if (attempted.count(child.data) == 0) {
        return fail(sim, fmt::format("child {} holds {}, which no client created", child.name, child.data));
      }
      auto [it, fresh] = by_data.emplace(child.data, child.name);
      if (!fresh) {
        return fail(sim, fmt::format("create {} was applied twice: {} and {}", child.data, it->second, child.name));
      }
    }
    std::sort(audit.begin(), audit.end(),
              [](const AuditedChild& a, const AuditedChild& b) { return *sequence_of(a.name) < *sequence_of(b.name); });
    for (std::size_t k = 1; k < audit.size(); ++k) {
      if (audit[k - 1].czxid >= audit[k].czxid) {
        return fail(sim, fmt::format("{} (czxid 0x{:x}) has a higher sequence number than {} (czxid 0x{:x})",
                                     audit[k].name, audit[k].czxid, audit[k - 1].name, audit[k - 1].czxid));
      }
    }
    return true;
  }

  // Acknowledged names are unique, present at the end, at the czxid the
  // acknowledgement gave.
  bool check_acked(sim::Simulator& sim, const std::vector<AuditedChild>& audit) {
    std::map<std::string, const AuditedChild*> present;
    for (const auto& child : audit) present[child.name] = &child;
    std::map<std::string, std::string> owner;
    for (const auto& c : clients_) {
      for (const auto& a : c.acked) {
        auto [it, fresh] = owner.emplace(a.name, c.name);
        if (!fresh) return fail(sim, fmt::format("{} was acknowledged to both {} and {}", a.name, it->second, c.name));
        auto p = present.find(a.name);
        if (p == present.end()) {
          return fail(sim,
                      fmt::format("acknowledged create {} (to {}, czxid 0x{:x}) is lost", a.name, c.name, a.czxid));
        }
        if (p->second->czxid != a.czxid) {
          return fail(sim, fmt::format("{} was acknowledged at czxid 0x{:x} but holds 0x{:x}", a.name, a.czxid,
                                       p->second->czxid));
        }
      }
    }
    return true;
  }

  // A create acknowledged before another was called got the lower number.
  bool check_real_time(sim::Simulator& sim) {
    std::vector<const SequentialCreate*> acked;
    for (const auto& c : clients_) {
      for (const auto& a : c.acked) acked.push_back(&a);
    }
    // Sweep in call order, keeping the highest number of the creates that
    // had returned before each call.
    std::vector<const SequentialCreate*> by_return = acked;
    std::sort(acked.begin(), acked.end(), [](auto* a, auto* b) { return a->call < b->call; });
    std::sort(by_return.begin(), by_return.end(), [](auto* a, auto* b) { return a->ret < b->ret; });
    std::size_t r = 0;
    const SequentialCreate* highest = nullptr;
    for (const SequentialCreate* b : acked) {
      for (; r < by_return.size() && by_return[r]->ret < b->call; ++r) {
        if (highest == nullptr || *sequence_of(by_return[r]->name) > *sequence_of(highest->name)) {
          highest = by_return[r];
        }
      }
      if (highest != nullptr && *sequence_of(highest->name) >= *sequence_of(b->name)) {
        return fail(sim, fmt::format("{} was acknowledged before the create that got {} was called", highest->name,
                                     b->name));
      }
    }
    return true;
  }

  static bool fail(sim::Simulator& sim, std::string message) {
    sim.fail(sim::Verdict::kInvariant, "sequential: " + message);
    return false;
  }
};

// ---------------------------------------------------------------- sessions

class SessionsWorkload final : public EnsembleWorkload<SessionClientState> {
 public:
  SessionsWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int clients)
      : EnsembleWorkload(sim, spec, "holds no node in a live session") {
    for (int c = 1; c <= clients; ++c) {
      SessionClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      const std::vector<io::HostId> servers = world_.hosts();
      const io::HostId h = sim.add_host(st.name, [servers, &sim, &st](io::Env& env) {
        // A crashed client host comes back as a new process: its old
        // session is left to expire, and it starts a new one.
        // Short timeouts, so the plan's pauses (up to 5 s) outlast them.
        return std::make_unique<SessionClient>(env, servers, seconds(1), seconds(3), sim, st);
      });
      sim.start(h);
    }
  }

  // The ensemble has settled (every server at the same zxid), so every
  // server's tree must pass.
  void check_clients(sim::Simulator& sim) override {
    std::uint64_t sessions = 0;
    std::uint64_t expired = 0;
    for (const auto& c : clients_) {
      sessions += static_cast<std::uint64_t>(c.sessions);
      expired += c.expired.size();
    }
    sim.trace_event("check.sessions", {{"sessions", sessions}, {"expired", expired}});
    for (std::size_t i = 0; i < world_.hosts().size(); ++i) {
      const core::Server* s = world_.server(i);
      if (s == nullptr) continue;
      if (!check_tree(sim, world_.names()[i], s->tree())) return;
    }
  }

 private:
  bool check_tree(sim::Simulator& sim, const std::string& server, const core::DataTree& tree) {
    for (const auto& c : clients_) {
      for (const auto& [session, node] : c.expired) {
        if (tree.sessions().count(session) != 0) continue;  // moved on, never expired
        if (tree.find(node) != nullptr) {
          sim.fail(sim::Verdict::kInvariant, fmt::format("{} outlived its expired session 0x{:x}", node, session),
                   server);
          return false;
        }
      }
      const core::Znode* live = tree.find(c.live_node);
      if (live == nullptr || live->ephemeral_owner != c.live_session) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("{}'s node {} is missing though its session 0x{:x} lives", c.name, c.live_node,
                             c.live_session),
                 server);
        return false;
      }
    }
    // Every ephemeral belongs to a session the server still has.
    for (const auto& [session, paths] : tree.ephemerals_by_session()) {
      if (!paths.empty() && tree.sessions().count(session) == 0) {
        sim.fail(sim::Verdict::kInvariant,
                 fmt::format("{} ephemerals belong to session 0x{:x}, which is gone", paths.size(), session), server);
        return false;
      }
    }
    return true;
  }
};

// ---------------------------------------------------------------- faults

std::vector<std::string> client_names(int n) {
  std::vector<std::string> names;
  for (int c = 1; c <= n; ++c) names.push_back(fmt::format("c{}", c));
  return names;
}

// Every fault the generator has. Crashes and pauses stay a minority of
// servers at any moment (max_servers_down). Disk faults (corrupted reads,
// lying syncs) hit one server per plan (disk_fault_servers_max): a lying
// sync loses what that server acknowledged when it crashes, which a quorum
// recovers only while the faulty disks are fewer than the servers the
// ensemble can lose; more of them would be beyond any replication protocol.
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

}  // namespace

void register_ensemble(std::vector<Scenario>& out) {
  RegisterSpec reg_spec;
  reg_spec.ensemble.voters = 5;
  reg_spec.clients = 5;
  Scenario reg = ensemble_scenario(
      "register", "5-server ensemble: read/write/cas on one znode under every fault; ZooKeeper-consistent",
      ensemble_faults(reg_spec.ensemble, reg_spec.clients));
  reg.build = [reg_spec](sim::Simulator& sim) { return std::make_unique<RegisterWorkload>(sim, reg_spec); };
  out.push_back(reg);

  RegisterSpec broken_spec = reg_spec;
  broken_spec.ensemble.unsafe_commit_before_quorum = true;
  Scenario broken = reg;
  broken.name = "register-unsafe-commit";
  broken.summary = "deliberately broken: leaders commit before a quorum acks; an isolated leader loses writes (caught)";
  broken.build = [broken_spec](sim::Simulator& sim) { return std::make_unique<RegisterWorkload>(sim, broken_spec); };
  out.push_back(std::move(broken));

  RegisterSpec kv_spec;
  kv_spec.ensemble.voters = 5;
  kv_spec.ensemble.observers = 1;
  kv_spec.clients = 8;
  kv_spec.keys = 8;
  Scenario kv = ensemble_scenario(
      "kv", "5 voters + 1 observer: 8 clients read/write/cas 8 znodes; each key ZooKeeper-consistent",
      ensemble_faults(kv_spec.ensemble, kv_spec.clients));
  kv.build = [kv_spec](sim::Simulator& sim) { return std::make_unique<RegisterWorkload>(sim, kv_spec); };
  out.push_back(std::move(kv));

  EnsembleSpec seq_spec;
  seq_spec.voters = 3;
  Scenario seq = ensemble_scenario(
      "sequential", "3 servers: sequential creates under contention are unique, never lost, in commit order",
      ensemble_faults(seq_spec, 5));
  seq.build = [seq_spec](sim::Simulator& sim) { return std::make_unique<SequentialWorkload>(sim, seq_spec, 5); };
  out.push_back(std::move(seq));

  // Clients crash and pause too (they are in the plan's `servers`), for
  // longer than their session timeouts (1-3 s); at most one host of the
  // six is down at a time, so servers never lose their quorum to it.
  EnsembleSpec ses_spec;
  ses_spec.voters = 3;
  sim::PlanOptions ses_faults = ensemble_faults(ses_spec, 3);
  ses_faults.servers.insert(ses_faults.servers.end(), ses_faults.clients.begin(), ses_faults.clients.end());
  ses_faults.clients.clear();
  ses_faults.max_servers_down = 1;
  ses_faults.down_max = seconds(5);
  Scenario ses = ensemble_scenario(
      "sessions", "3 servers: ephemerals vanish when, and only when, their session expires, across session moves",
      std::move(ses_faults));
  ses.build = [ses_spec](sim::Simulator& sim) { return std::make_unique<SessionsWorkload>(sim, ses_spec, 3); };
  out.push_back(std::move(ses));
}

}  // namespace zsim::scenarios
