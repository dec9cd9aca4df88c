// What the ensemble scenarios share (scenarios/ensemble/*.cpp): a client's
// session with the ensemble, the workload base that waits for a settled
// ensemble and runs the monitor's final checks, ZooKeeper's register check,
// and the fault model every ensemble scenario starts from.
//
// One scenario (or a scenario and its deliberately broken twin) per file:
//   registers.cpp   register, register-unsafe-commit, kv
//   sequential.cpp  sequential
//   sessions.cpp    sessions
//   ephemerals.cpp  ephemerals    } workloads judged against the committed
//   watches.cpp     watches       } history: client_log.h records what the
//   queue.cpp       queue         } clients saw, replay.h replays it, and
//   multi.cpp       multi         } watch_judge.h / workload_checks.h judge
// Internal to scenarios/.
#pragma once

#include "checkers/history.h"
#include "core/client/client.h"
#include "scenarios/ensemble_world.h"
#include "scenarios/scenario.h"
#include "scenarios/session_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zsim::scenarios::ensemble {

using core::Code;

// A write that returned this code certainly did not take effect; any other
// failure (ConnectionLoss above all) leaves it unknown.
bool definitely_not_applied(Code c);

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
  void check_unfinished(sim::Simulator& sim) final {
    if (!world_.check_final_states()) return;
    check_clients_unfinished(sim);
  }

 protected:
  EnsembleWorkload(sim::Simulator& sim, const EnsembleSpec& spec, std::string unfinished)
      : world_(sim, spec), unfinished_(std::move(unfinished)) {}
  virtual void check_clients(sim::Simulator& sim) = 0;
  // The checks of check_clients() that hold without the clients' last steps.
  virtual void check_clients_unfinished(sim::Simulator& sim) { (void)sim; }
  bool clients_done() const {
    return std::all_of(clients_.begin(), clients_.end(), [](const State& c) { return c.done; });
  }

  EnsembleWorld world_;
  std::deque<State> clients_;  // stable addresses for the client processes

 private:
  std::string unfinished_;
};

// How long after the ensemble committed a session's closeSession a server
// may still answer in that session. A follower applies the close when the
// COMMIT reaches it (milliseconds), and one cut off from its leader stops
// serving within syncLimit (5 ticks of 100 ms, checked every half tick); a
// paused one runs the COMMIT before any request that arrived after it. So a
// second is ample. A leader that never steps down serves its clients for as
// long as its partition lasts.
inline constexpr Duration kAnswerAfterCloseMax = seconds(1);

// Fails the run (kInvariant) if a server answered `op` in its session more
// than kAnswerAfterCloseMax after the ensemble committed that session's
// closeSession: the client was told its session lived when it was dead
// (a second leader serving, a stale follower). Returns whether all is well.
bool check_answers_after_close(sim::Simulator& sim, const EnsembleWorld& world, const std::string& client,
                               const std::vector<AnsweredOp>& ops);

// Creates the empty persistent node `path` through `session`'s current
// client (anything with get() -> core::Client&), trying until it exists,
// whoever made it.
template <class Session>
void ensure_node(Session& session, io::Fibers& fibers, const char* path) {
  while (true) {
    core::Client& zk = session.get();
    if (!zk.wait_connected(seconds(1))) continue;
    const Code c = zk.create(path, "").code();
    if (c == Code::Ok || c == Code::NodeExists) return;
    fibers.sleep(millis(50));
  }
}

// A decimal number of at most 18 digits, or nullopt.
std::optional<std::int64_t> parse_int(const std::string& s);

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
bool check_register_history(sim::Simulator& sim, const checkers::History& h, const std::string& label);

// c1..cN.
std::vector<std::string> client_names(int n);

// Every fault the generator has. Crashes and pauses stay a minority of
// servers at any moment (max_servers_down). Disk faults (corrupted reads,
// lying syncs) hit one server per plan (disk_fault_servers_max): a lying
// sync loses what that server acknowledged when it crashes, which a quorum
// recovers only while the faulty disks are fewer than the servers the
// ensemble can lose; more of them would be beyond any replication protocol.
sim::PlanOptions ensemble_faults(const EnsembleSpec& spec, int clients);

// The spec with the run's planted bug, if any.
inline EnsembleSpec with_bug(EnsembleSpec spec, const RunParams& p) {
  if (p.bug != core::PlantedBug::kNone) spec.bug = p.bug;
  return spec;
}

// An ensemble scenario with the shared timing (20 s of faults, a 30 s
// liveness budget, fsyncs of 1-10 ms).
Scenario ensemble_scenario(std::string name, std::string summary, sim::PlanOptions plan);

}  // namespace zsim::scenarios::ensemble
