// watches: 3 servers, 4 clients. Two set one-shot watches (getData,
// exists, getChildren with a watch) on /w/n0../w/n3 and /w/d, one holds a
// PERSISTENT watch on /w/d and a PERSISTENT_RECURSIVE one on /w, and all
// of them (and a fourth, plain writer whose sessions die now and then)
// create, change and delete those nodes under faults, moving between
// servers. Every event is judged against the committed history by
// ZooKeeper's promise (see WatchJudge).
#include "scenarios/ensemble/client_log.h"
#include "scenarios/ensemble/common.h"
#include "scenarios/ensemble/replay.h"
#include "scenarios/ensemble/watch_judge.h"
#include "scenarios/registry.h"

#include <map>
#include <set>

namespace zsim::scenarios {
namespace ensemble {
namespace {

const std::string kRoot = "/w";
const std::string kDir = "/w/d";
constexpr int kNodes = 4;

std::string node_path(int i) { return fmt::format("{}/n{}", kRoot, i); }

// ---------------------------------------------------------------- clients

enum class WatchRole : std::uint8_t { kOneShot, kPersistent, kWriter };

struct WatchClientState : ClientFlags {
  WatchRole role = WatchRole::kWriter;
  int made = 0;
  bool quiet = false;  // wrote its last write
};

class WatchClient final : public sim::Process {
 public:
  WatchClient(io::Env& env, std::vector<io::HostId> servers, sim::Simulator& sim, ClientLog& log,
              std::function<bool()> all_quiet, WatchClientState& state)
      : env_(env),
        session_(env, std::move(servers), millis(1000 + static_cast<std::int64_t>(env.random.below(3001))), log,
                 state.name, sim),
        all_quiet_(std::move(all_quiet)),
        state_(state) {
    env_.fibers.spawn("watches", [this] { run(); });
  }

 private:
  void run() {
    ensure(kRoot);
    ensure(kDir);
    while (!state_.stop) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      step(zk);
      env_.fibers.sleep(millis(30 + static_cast<std::int64_t>(env_.random.below(100))));
    }
    state_.quiet = true;
    // Liveness: once every client is quiet and the ensemble settled, one
    // synced read: a reply at the last zxid, before which every event owed
    // must have come.
    while (!final_read()) env_.fibers.sleep(millis(100));
    state_.done = true;
  }

  void ensure(const std::string& path) {
    while (true) {
      core::Client& zk = session_.get();
      if (!zk.wait_connected(seconds(1))) continue;
      const Code c = zk.create(path, "").code();
      if (c == Code::Ok || c == Code::NodeExists) return;
      env_.fibers.sleep(millis(50));
    }
  }

  void step(core::Client& zk) {
    switch (state_.role) {
      case WatchRole::kOneShot:
        if (env_.random.chance(1, 2)) return set_watch(zk);
        return write(zk);
      case WatchRole::kPersistent:
        if (zk.session_id() != watched_session_) return add_watches(zk);
        if (env_.random.chance(1, 2)) return (void)zk.exists(kRoot);
        return write(zk);
      case WatchRole::kWriter:
        // Now and then the writer dies: its session's ephemerals go at its
        // close, one txn deleting several watched nodes.
        if (env_.random.chance(1, 60)) return session_.abandon();
        return write(zk);
    }
  }

  void set_watch(core::Client& zk) {
    const std::uint64_t pick = env_.random.below(5);
    const std::string node = node_path(static_cast<int>(env_.random.below(kNodes)));
    if (pick < 2) {
      (void)zk.get_data(node, true);
    } else if (pick < 4) {
      (void)zk.exists(node, true);
    } else {
      (void)zk.get_children(kDir, true);
    }
  }

  void add_watches(core::Client& zk) {
    if (!zk.add_watch(kDir, core::wire::AddWatchMode::kPersistent).ok()) return;
    if (!zk.add_watch(kRoot, core::wire::AddWatchMode::kPersistentRecursive).ok()) return;
    watched_session_ = zk.session_id();
  }

  void write(core::Client& zk) {
    const std::uint64_t pick = env_.random.below(10);
    const std::string node = node_path(static_cast<int>(env_.random.below(kNodes)));
    if (pick < 3) {
      (void)zk.set_data(node, fmt::format("{}-{}", state_.name, ++state_.made));
    } else if (pick < 5) {
      (void)zk.create(node, state_.name);
    } else if (pick < 6) {
      (void)zk.remove(node);
    } else if (pick < 8) {
      const bool ephemeral = env_.random.chance(1, 2);
      (void)zk.create(fmt::format("{}/x-{}-{}", kDir, state_.name, ++state_.made), "",
                      ephemeral ? core::CreateMode::Ephemeral : core::CreateMode::Persistent);
    } else if (pick < 9) {
      auto kids = zk.get_children(kDir);
      if (kids.ok() && !kids.value().empty()) {
        (void)zk.remove(kDir + "/" + kids.value()[env_.random.below(kids.value().size())]);
      }
    } else {
      (void)zk.set_data(kDir, fmt::format("{}-{}", state_.name, ++state_.made));
    }
  }

  bool final_read() {
    if (!all_quiet_()) return false;
    core::Client& zk = session_.get();
    if (!zk.wait_connected(seconds(1))) return false;
    return zk.sync(kRoot).ok() && zk.exists(kRoot).ok();
  }

  io::Env& env_;
  RecordedSession session_;
  std::function<bool()> all_quiet_;
  WatchClientState& state_;
  std::int64_t watched_session_ = 0;  // persistent: the session its watches were added in
};

class WatchesWorkload final : public EnsembleWorkload<WatchClientState> {
 public:
  WatchesWorkload(sim::Simulator& sim, const EnsembleSpec& spec)
      : EnsembleWorkload(sim, spec, "has not made its last synced read") {
    const WatchRole roles[] = {WatchRole::kOneShot, WatchRole::kOneShot, WatchRole::kPersistent, WatchRole::kWriter};
    int c = 0;
    for (WatchRole role : roles) {
      WatchClientState& st = clients_.emplace_back();
      st.name = fmt::format("c{}", ++c);
      st.role = role;
    }
    auto all_quiet = [this] {
      for (const auto& o : clients_) {
        if (!o.quiet) return false;
      }
      return world_.converged();
    };
    for (auto& st : clients_) {
      const std::vector<io::HostId> servers = world_.hosts();
      const io::HostId h = sim.add_host(st.name, [servers, &sim, this, all_quiet, &st](io::Env& env) {
        return std::make_unique<WatchClient>(env, servers, sim, log_, all_quiet, st);
      });
      sim.start(h);
    }
  }

  void check_clients(sim::Simulator& sim) override {
    CommittedReplay replay(world_.commits(), log_);
    if (!run_replay(sim, replay, "watches")) return;
    if (replay.stats().gap) {
      // Changes in an unknown stretch cannot be told apart from phantoms.
      sim.trace_event("check.watches", {{"verdict", "unjudged"}, {"why", "gap in the committed history"}});
      return;
    }
    WatchJudge judge(world_.commits(), log_);
    for (const SessionTimeline& t : log_.sessions) {
      if (std::string v = judge.judge(t); !v.empty()) {
        sim.fail(sim::Verdict::kInvariant, "watches: " + v, t.client);
        return;
      }
    }
    sim.trace_event("check.watches", {{"sessions", std::uint64_t{log_.sessions.size()}},
                                      {"events", judge.events()},
                                      {"unjudged", judge.unjudged()},
                                      {"verdict", "ok"}});
  }

 private:
  ClientLog log_;
};

}  // namespace
}  // namespace ensemble

void register_ensemble_watches(std::vector<Scenario>& out) {
  using namespace ensemble;
  EnsembleSpec spec;
  spec.voters = 3;
  spec.record_commits = true;
  Scenario s = ensemble_scenario("watches",
                                 "3 servers: one-shot and persistent watches fire once, for the first change, before "
                                 "newer data, in zxid order, and survive moves between servers",
                                 ensemble_faults(spec, 4));
  s.build = [spec](sim::Simulator& sim, const RunParams& p) {
    return std::make_unique<WatchesWorkload>(sim, with_bug(spec, p));
  };
  out.push_back(std::move(s));
}

}  // namespace zsim::scenarios
