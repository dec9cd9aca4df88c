// ephemerals: 3 servers, 4 clients creating and deleting ephemerals under
// /eph continuously, in sessions that go quiet (their host pauses for about
// their session timeout), die (the session is left to expire) and move
// between servers. No ephemeral outlives its session's close, and none
// vanishes while its session lives.
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

constexpr const char* kDir = "/eph";

struct EphemeralClientState : ClientFlags {
  int created = 0;  // names made so far (a restarted host goes on from it)
  // At the end: the live session and the ephemerals it holds.
  std::int64_t live_session = 0;
  std::set<std::string> live_nodes;
};

class EphemeralClient final : public sim::Process {
 public:
  EphemeralClient(io::Env& env, std::vector<io::HostId> servers, sim::Simulator& sim, ClientLog& log,
                  EphemeralClientState& state)
      : env_(env),
        sim_(sim),
        // Each client asks for a timeout in [1 s, 3 s].
        session_(env, std::move(servers), millis(1000 + static_cast<std::int64_t>(env.random.below(2001))), log,
                 state.name, sim),
        state_(state) {
    env_.fibers.spawn("ephemerals", [this] { run(); });
  }

 private:
  void run() {
    ensure_dir();
    while (!state_.stop) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      adopt_session(zk);
      if (!step(zk)) return;
      env_.fibers.sleep(millis(30 + static_cast<std::int64_t>(env_.random.below(120))));
    }
    // Liveness: connected in a live session, every node it holds present.
    while (!finish()) env_.fibers.sleep(millis(100));
    state_.done = true;
  }

  // The first client to get there creates /eph.
  void ensure_dir() {
    while (true) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      const Code c = zk.create(kDir, "").code();
      if (c == Code::Ok || c == Code::NodeExists) return;
      env_.fibers.sleep(millis(50));
    }
  }

  // A new handle's session starts with no nodes.
  void adopt_session(core::Client& zk) {
    if (zk.session_id() == session_id_) return;
    session_id_ = zk.session_id();
    own_.clear();
  }

  // One random action; false if the run has failed.
  bool step(core::Client& zk) {
    const std::uint64_t pick = env_.random.below(100);
    if (pick < 35) {
      create_one(zk);
    } else if (pick < 55) {
      return delete_one(zk);
    } else if (pick < 80) {
      return check_one(zk);
    } else if (pick < 96) {
      (void)zk.get_children(kDir);  // everyone's nodes, judged by the replay
    } else if (pick < 99) {
      go_quiet(zk);
    } else {
      // The client dies: its session is left to expire with its nodes.
      session_.abandon();
    }
    return true;
  }

  void create_one(core::Client& zk) {
    const bool sequential = env_.random.chance(1, 3);
    const std::string path = sequential ? fmt::format("{}/{}-s-", kDir, state_.name)
                                        : fmt::format("{}/{}-{}", kDir, state_.name, ++state_.created);
    auto r = zk.create(path, state_.name,
                       sequential ? core::CreateMode::EphemeralSequential : core::CreateMode::Ephemeral);
    // Unknown outcomes are not held: if the node was made, it goes with the
    // session (the replay judges it either way).
    if (r.ok() && zk.session_id() == session_id_) own_.insert(r.value());
  }

  bool delete_one(core::Client& zk) {
    if (own_.empty()) return true;
    const std::string path = pick_own();
    const core::Code c = zk.remove(path).code();
    if (c == core::Code::NoNode && zk.session_id() == session_id_) return vanished(path);
    // Done, or maybe done (ConnectionLoss): no longer held for certain.
    if (c != core::Code::SessionExpired) own_.erase(path);
    return true;
  }

  bool check_one(core::Client& zk) {
    if (own_.empty()) return true;
    const std::string path = pick_own();
    auto seen = zk.exists(path);
    if (!seen.ok()) return true;
    // A server answered in this session, so the session lives on it (it
    // has not applied the close: the replay checks that); its nodes must
    // be there. No stale read can hide one: the client has seen its
    // create's zxid, and no server behind that answers it.
    if (!seen.value().has_value()) return vanished(path);
    if (seen.value()->ephemeral_owner != session_id_) {
      sim_.fail(sim::Verdict::kInvariant,
                fmt::format("ephemerals: {} is owned by 0x{:x}, not by the session 0x{:x} that created it", path,
                            seen.value()->ephemeral_owner, session_id_),
                state_.name);
      return false;
    }
    return true;
  }

  bool vanished(const std::string& path) {
    sim_.fail(sim::Verdict::kInvariant,
              fmt::format("ephemerals: {} vanished while its session 0x{:x} lives", path, session_id_), state_.name);
    return false;
  }

  // The host pauses for about the session timeout: the session may expire,
  // or the client may come back just in time.
  void go_quiet(core::Client& zk) {
    const std::int64_t t = zk.negotiated_timeout_ms();
    const std::int64_t d = t * (60 + static_cast<std::int64_t>(env_.random.below(81))) / 100;
    const std::optional<io::HostId> me = sim_.find_host(state_.name);
    if (me) sim_.pause(*me, millis(d));
    env_.fibers.sleep(millis(1));
  }

  bool finish() {
    core::Client& zk = session_.get();
    if (!zk.wait_connected(seconds(1))) return false;
    adopt_session(zk);
    if (!zk.get_children(kDir).ok()) return false;
    for (const std::string& path : std::set<std::string>(own_)) {
      auto seen = zk.exists(path);
      if (!seen.ok()) return false;
      if (!seen.value().has_value() && zk.session_id() == session_id_) {
        vanished(path);  // the run has failed; nothing more to do
        return true;
      }
    }
    if (zk.session_id() != session_id_) return false;
    state_.live_session = session_id_;
    state_.live_nodes = own_;
    return true;
  }

  std::string pick_own() {
    auto it = own_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(env_.random.below(own_.size())));
    return *it;
  }

  io::Env& env_;
  sim::Simulator& sim_;
  RecordedSession session_;
  EphemeralClientState& state_;
  std::int64_t session_id_ = 0;
  std::set<std::string> own_;  // created (acknowledged) in session_id_, not deleted
};

class EphemeralsWorkload final : public EnsembleWorkload<EphemeralClientState> {
 public:
  EphemeralsWorkload(sim::Simulator& sim, const EnsembleSpec& spec, int clients)
      : EnsembleWorkload(sim, spec, "holds no live session with its nodes") {
    for (int c = 1; c <= clients; ++c) {
      EphemeralClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", c);
      const std::vector<io::HostId> servers = world_.hosts();
      const io::HostId h = sim.add_host(st.name, [servers, &sim, this, &st](io::Env& env) {
        return std::make_unique<EphemeralClient>(env, servers, sim, log_, st);
      });
      sim.start(h);
    }
  }

  // Settled, and every session the clients left behind has expired with
  // its nodes: /eph holds only the clients' live sessions' nodes.
  bool finished() const override { return EnsembleWorkload::finished() && leftovers().empty(); }
  std::string pending() const override {
    std::string out = EnsembleWorkload::pending();
    const std::string left = leftovers();
    if (!left.empty()) out += fmt::format("{}ephemerals of ended sessions remain: {}", out.empty() ? "" : "; ", left);
    return out;
  }

  void check_clients(sim::Simulator& sim) override {
    CommittedReplay replay(world_.commits(), log_);
    // Only owners delete their nodes here: an ephemeral leaves by its own
    // session's delete or its close, never by another's hand.
    replay.before = [](const core::DataTree& tree, const core::Txn& txn, const ClientOp*) {
      return ephemeral_removed_by_other(tree, txn);
    };
    if (!run_replay(sim, replay, "ephemerals")) return;
    std::uint64_t made = 0;
    std::uint64_t closes = 0;
    for (const auto& [zxid, e] : world_.commits().entries()) {
      if (const auto* c = std::get_if<core::CreateTxn>(&e.txn.body); c != nullptr && c->ephemeral_owner != 0) ++made;
      if (std::holds_alternative<core::CloseSessionTxn>(e.txn.body)) ++closes;
    }
    sim.trace_event("check.ephemerals", {{"created", made}, {"sessions_closed", closes}});
    for (std::size_t i = 0; i < world_.hosts().size(); ++i) {
      const core::Server* s = world_.server(i);
      if (s == nullptr) continue;
      if (std::string v = check_final_tree(s->tree()); !v.empty()) {
        sim.fail(sim::Verdict::kInvariant, "ephemerals: " + v, world_.names()[i]);
        return;
      }
    }
  }

 private:
  // Every node under /eph is an ephemeral of a client's live session, and
  // every node a client holds is there.
  std::string check_final_tree(const core::DataTree& tree) const {
    std::map<std::int64_t, const EphemeralClientState*> live;
    for (const auto& c : clients_) live[c.live_session] = &c;
    const auto kids = tree.get_children(kDir);
    if (!kids.ok()) return fmt::format("{} is missing", kDir);
    for (const std::string& name : kids.value().children) {
      const std::string path = fmt::format("{}/{}", kDir, name);
      const core::Znode* node = tree.find(path);
      if (live.count(node->ephemeral_owner) == 0) {
        return fmt::format("{} (session 0x{:x}) outlived its session", path, node->ephemeral_owner);
      }
    }
    for (const auto& c : clients_) {
      for (const std::string& path : c.live_nodes) {
        const core::Znode* node = tree.find(path);
        if (node == nullptr || node->ephemeral_owner != c.live_session) {
          return fmt::format("{}'s node {} is missing though its session 0x{:x} lives", c.name, path, c.live_session);
        }
      }
    }
    return "";
  }

  // Ephemerals of sessions other than the clients' live ones, on the
  // leader's tree (the ensemble has settled: every server holds the same).
  std::string leftovers() const {
    std::set<std::int64_t> live;
    for (const auto& c : clients_) live.insert(c.live_session);
    for (std::size_t i = 0; i < world_.hosts().size(); ++i) {
      const core::Server* s = world_.server(i);
      if (s == nullptr || s->role() != core::Role::kLeading) continue;
      std::string out;
      for (const auto& [session, paths] : s->tree().ephemerals_by_session()) {
        if (paths.empty() || live.count(session) != 0) continue;
        out += fmt::format("{}0x{:x}", out.empty() ? "" : ", ", session);
      }
      return out;
    }
    return "no leader";
  }

  ClientLog log_;
};

}  // namespace
}  // namespace ensemble

void register_ensemble_ephemerals(std::vector<Scenario>& out) {
  using namespace ensemble;
  EnsembleSpec spec;
  spec.voters = 3;
  spec.record_commits = true;
  Scenario s = ensemble_scenario("ephemerals",
                                 "3 servers: ephemerals made and deleted by sessions that go quiet, die and move; "
                                 "none outlives its session, none vanishes while it lives",
                                 ensemble_faults(spec, 4));
  s.build = [spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<EphemeralsWorkload>(sim, with_bug(spec, p), 4);
  };
  out.push_back(std::move(s));
}

}  // namespace zsim::scenarios
