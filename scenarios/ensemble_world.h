// EnsembleWorld: a ZAB ensemble of simulated servers, watched by the
// ensemble invariant monitor, for the scenarios of scenarios/ensemble/.
//
// Building it adds every server host first (voters s1..sN, then observers
// o1..oM, then the spare machines r1..rN that are not started) so that each
// server's configuration can name every member's HostId, and only then
// starts the members. An operator may later move a member to a spare
// (retire(): ZooKeeper 3.4's server replacement). Each server process reports to one
// shared checkers::EnsembleMonitor through an EnsembleObserver; a process
// (re)start is a new incarnation for the monitor. The first invariant the
// monitor sees broken fails the run at once (Verdict::kInvariant), so the
// trace ends where the damage happened.
//
// Timing is ZooKeeper's, scaled down: tick 100 ms, initLimit 10 ticks,
// syncLimit 5 ticks, sessions negotiated within [200 ms, 4 s].
//
// Lifetime: the monitor lives in a shared block that every server process
// holds, so it outlives the processes however the simulator tears them
// down. Single-threaded, like the simulator.
#pragma once

#include "checkers/ensemble_monitor.h"
#include "core/server/server.h"
#include "scenarios/commit_log.h"
#include "scenarios/ensemble_observer.h"
#include "sim/simulator.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zsim::scenarios {

// Hears what the servers commit, for checks that judge znode states (e.g.
// scenarios/recipes/commit_log.h). Each server reports each txn it commits,
// so one zxid is heard once per server that commits it; a server that
// installs a snapshot reports the snapshot's tree instead of the txns in it.
// Called from the server's apply path: must not call back into the server.
class CommitListener {
 public:
  virtual ~CommitListener() = default;
  virtual void on_commit(const std::string& server, const core::Txn& txn) = 0;
  virtual void on_snapshot(const std::string& server, const core::DataTree& tree) = 0;
};

struct EnsembleSpec {
  int voters = 5;
  int observers = 0;
  // A planted bug for every server (core/server/planted_bugs.h).
  core::PlantedBug bug = core::PlantedBug::kNone;
  // Keep every committed txn in commits() (for checks that replay the
  // committed history).
  bool record_commits = false;
  // The servers' maxSessionTimeout: a session asking for more is given this
  // (the one-administrator lesson lowers it below what its clients ask).
  std::int32_t session_timeout_ms_max = 4000;
  // Spare hosts r1..rN, added after the servers and not started: the
  // machines an operator replaces servers onto (EnsembleWorld::retire).
  // 0 adds none (every scenario but the server-replacement ones).
  int spares = 0;
};

// The server host names a spec gives: s1..sN, then o1..oM.
std::vector<std::string> ensemble_server_names(const EnsembleSpec& spec);

class EnsembleWorld {
 public:
  // Adds and starts the servers. REQUIRES: 1 <= voters, voters + observers <= 255.
  EnsembleWorld(sim::Simulator& sim, const EnsembleSpec& spec);

  // Every server's host, voters first: what clients connect to.
  const std::vector<io::HostId>& hosts() const { return hosts_; }
  const std::vector<std::string>& names() const { return names_; }
  checkers::EnsembleMonitor& monitor();
  // When the ensemble first applied the closeSession of `session` (global
  // simulated time), if it has.
  std::optional<Time> session_closed_at(std::int64_t session) const;
  // Every committed txn the servers reported (empty unless the spec asked
  // for record_commits).
  const CommitLog& commits() const;
  // Shows every server's tree to `probe` right after each committed txn it
  // applies (see EnsembleObserver::Probe); the probe fails the run itself.
  void set_commit_probe(EnsembleObserver::Probe probe);

  // Every commit (and installed snapshot) of every server goes to
  // `listener` as well as to the monitor; null stops it. REQUIRES: the
  // listener outlives the world, or is unset before it dies.
  void set_commit_listener(CommitListener* listener);

  // The running server on host `i` (index into hosts()), or null while down.
  const core::Server* server(std::size_t i) const;

  // True when the ensemble has settled: every server is up and serving, one
  // voter leads, every other member follows (or observes) it, and all have
  // applied the same zxid.
  bool converged() const;

  // One line per problem with convergence, for a liveness message:
  // "s2 down; s4 looking; s1 at 0x200000003, leader s5 at 0x200000005".
  std::string status() const;

  // --- Replacing a server (spec.spares > 0) ---------------------------------
  // ZooKeeper 3.4's procedure, without dynamic reconfiguration: a server id
  // moves to a new machine, and every member must be restarted with the new
  // table to find it there. The operator (a scenario's body) drives it:
  //   retire(i)          member i's host stops for good (a decommissioned
  //                      machine: no restart, not even the liveness phase's,
  //                      brings a server back on it) and the member table
  //                      that every server reads when it (re)starts names
  //                      the next spare as member i's host. Returns the
  //                      spare's name. The spare is not started yet.
  //   restart_member(j)  a rolling restart's step: j's process stops and
  //                      starts again over its disk, with the new table.
  //   start_member(i)    starts member i's (new) host: an empty disk, so it
  //                      syncs from the leader.
  // converged() ignores a retired member's spare until it is started.
  // REQUIRES (retire): a spare is left, and member i is not retired already.
  std::string retire(std::size_t i);
  void restart_member(std::size_t i);
  void start_member(std::size_t i);
  // Whether member i's running server leads (and serves) right now.
  bool leads(std::size_t i) const;
  // The spares not yet used.
  std::size_t spares_left() const { return spares_.size() - spares_used_; }

  // End of run: reports every serving server's final state to the monitor
  // and fails the run (kInvariant) if the monitor found a violation.
  // Returns whether the run is still good.
  bool check_final_states();

 // Internal: what the server processes of one world share (the monitor).
  struct Shared;

 private:
  sim::Simulator& sim_;
  std::shared_ptr<Shared> shared_;
  std::vector<io::HostId> hosts_;
  std::vector<std::string> names_;
  // The table every server process reads when it starts (member i is
  // server id i + 1); retire() moves a member to a spare.
  std::shared_ptr<std::vector<core::EnsembleMember>> members_;
  std::vector<std::pair<io::HostId, std::string>> spares_;  // r1..rN
  std::size_t spares_used_ = 0;
};

}  // namespace zsim::scenarios
