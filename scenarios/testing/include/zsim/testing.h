// zsim/testing.h -- property-test your own recipe on a simulated ZooKeeper
// ensemble, under fault plans that RapidCheck generates and shrinks.
//
// The one header a recipe author includes (link the CMake target
// zsim::testing; docs/testing-recipes.md is the tutorial):
//
//   #include <zsim/testing.h>
//   #include <rapidcheck/gtest.h>
//
//   RC_GTEST_PROP(MyLatch, OneLeaderAtATime, ()) {
//     zsim::testing::Cluster c = zsim::testing::gen_cluster();  // 3/5 servers, clients, a fault plan
//     auto& db = c.fenced_resource("/db");
//     c.clients([&](zsim::testing::ClientCtx& me) {
//       MyLatch latch(me.zk(), "/latch");
//       while (!me.stopping()) { if (latch.lead()) db.act(me, latch.token()); me.sleep(zsim::millis(50)); }
//     });
//     c.eventually("one leader after the faults heal", [&](const zsim::testing::View& v) { ... });
//     c.run();
//     RC_ASSERT(db.no_stale_token_accepted());
//     RC_ASSERT(c.ok());
//   }
//
// What a run is: the servers and the clients start; for the safety phase
// (20 s of simulated time) the fault plan strikes -- partitions, lost and
// duplicated messages, server crashes and pauses, power losses, clock
// faults, client crashes and pauses longer than the session timeout; then
// every fault heals and the run has a liveness budget (30 s) to reach every
// `eventually` goal; then the `always` checks and the resources judge it.
// Everything is simulated on one thread from one seed: the same ClusterSpec
// gives the same run, bit for bit, every time.
//
// When a property fails, RapidCheck shrinks the ClusterSpec -- above all its
// fault plan: events removed, partitions made smaller, pauses and downtimes
// shorter, loss rates lower, events earlier -- and prints the smallest
// failing one: the seed, the plan in its text form (docs/fault-plans.md) and
// the commands that replay it. The Cluster of the failing case also writes
// it as a regression file (zsim-regressions/<Suite>.<Property>.plan, or
// under $ZSIM_REGRESSION_DIR), which `ZSIM_REPLAY=<file>` replays.
//
// Single-threaded: a Cluster and everything its clients touch live on the
// thread that runs it. Bodies run on fibers: every blocking call on zk()
// parks the body until the simulated reply comes.
#pragma once

#include "checkers/history.h"
#include "checkers/value.h"
#include "core/client/client.h"
#include "core/io/time.h"
#include "scenarios/recipes/client_ctx.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/commit_log.h"
#include "scenarios/recipes/fenced_resource.h"
#include "scenarios/recipes/shape.h"
#include "sim/fault_plan.h"

#include <rapidcheck.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zsim::testing {

// What a client body sees: its name, its session (zk()), its time
// (sleep, stopping) and its randomness. See scenarios/recipes/client_ctx.h.
using ClientCtx = scenarios::recipes::ClientCtx;
using ClientBody = std::function<void(ClientCtx&)>;
// A simulated resource the clients act on with fencing tokens; it records
// who acted when and judges "no stale token accepted" and "one holder at a
// time". See scenarios/recipes/fenced_resource.h.
using FencedResource = scenarios::recipes::FencedResource;
using Fencing = scenarios::recipes::Fencing;
// The znode states the ensemble really committed, per zxid.
using CommitLog = scenarios::recipes::CommitLog;
using FaultModel = scenarios::recipes::FaultModel;
// When a client's work is over: kRunEnds (a candidate, a holder: runs to
// the end) or kBodyReturns (the run waits for the body to return after
// stopping() turned true).
using Until = scenarios::recipes::Until;

// Everything that decides a run. Printed (showValue) as the counterexample.
struct ClusterSpec {
  int servers = 3;  // ZAB voters s1..sN
  int clients = 3;  // client hosts c1..cK
  std::uint64_t seed = 1;      // everything random in the run but the faults
  sim::FaultPlan plan;         // the faults of the safety phase
  Duration safety_phase = seconds(20);
  Duration liveness_budget = seconds(30);
  Duration session_timeout_min = seconds(1);
  Duration session_timeout_max = seconds(2);
  // The property under test ("Suite.Name"; filled from GoogleTest when
  // empty), for the regression file and the replay command.
  std::string property;
};

// What gen_cluster() may draw.
struct GenOptions {
  std::vector<int> servers = {3, 5};
  int clients_min = 2;
  int clients_max = 5;
  // Which faults the plans have (FaultModel::everything(), clients_only(), ...).
  FaultModel faults = FaultModel::everything();
  Duration safety_phase = seconds(20);
  Duration liveness_budget = seconds(30);
};

// The fault-plan generator's knobs for a shape: the hosts a plan names and
// the fault kinds of `faults` (what gen_fault_plan draws from).
sim::PlanOptions plan_options(int servers, int clients, const FaultModel& faults, Duration safety_phase);

// A RapidCheck generator of fault plans (zsim's own plan generator, seeded
// by RapidCheck) whose shrinks remove events (halves, quarters, ... then one
// by one) and then simplify the ones left (fewer hosts in a partition,
// shorter pauses and downtimes, lower loss rates, smaller clock faults,
// earlier times). Every plan it yields or shrinks to keeps the options'
// fault budget (at most a minority of servers down).
rc::Gen<sim::FaultPlan> gen_fault_plan(sim::PlanOptions options);

// A RapidCheck generator of whole specs: servers, clients, seed, plan.
rc::Gen<ClusterSpec> gen_cluster_spec(GenOptions options = {});

// Inside a RapidCheck property: draws a spec (or, when $ZSIM_REPLAY names a
// regression file, reads that one) and returns its Cluster.
class Cluster;
Cluster gen_cluster(GenOptions options = {});

// Reads a regression file the testing API wrote. Throws std::runtime_error
// with a one-line reason when the file cannot be read or is malformed.
ClusterSpec read_regression(const std::string& path);
// The regression file's text for `spec` (and the run's verdict/message).
std::string regression_text(const ClusterSpec& spec, const std::string& verdict, const std::string& message);

// How RapidCheck prints a counterexample: the spec, the plan, the replay
// commands, the regression file.
void showValue(const ClusterSpec& spec, std::ostream& os);

// A read-only view of the run for `eventually` and `always` checks: what
// really happened, never what a client believes.
class View {
 public:
  Time now() const;
  // When the faults healed (the liveness phase began), if they have.
  std::optional<Time> healed_at() const;
  // Every txn the ensemble committed: znodes (path, czxid, owner, created
  // and deleted when), sessions, and the data history of tracked paths.
  const CommitLog& commits() const;
  // A server's tree once the ensemble has converged (every server at one
  // zxid), else null: the final znode state.
  const core::DataTree* converged_tree() const;
  // The client hosts: names, incarnations, every session each held.
  const std::deque<scenarios::recipes::ClientRecord>& clients() const;

  // Internal: built by the Cluster during a run.
  explicit View(const scenarios::recipes::Cluster& cluster) : cluster_(cluster) {}

 private:
  const scenarios::recipes::Cluster& cluster_;
};

// A history recorder: wrap each operation a client makes on a register or a
// key (call, then ok / fail / info) and check the whole with zsim's
// linearizability checker (or ZooKeeper's sequential-consistency guarantee).
class History {
 public:
  // Starts an operation of `me`; returns its index. `f` and `input` follow
  // the model (docs/history-format.md): "read" nil, "write" v, "cas" [old new].
  std::size_t invoke(const ClientCtx& me, std::string f, checkers::Value input,
                     std::optional<checkers::Value> key = std::nullopt);
  void ok(const ClientCtx& me, std::size_t op, checkers::Value output);
  void fail(const ClientCtx& me, std::size_t op);   // it surely did not happen
  void info(const ClientCtx& me, std::size_t op);   // it may or may not have happened

  // The history so far (operations still open are `info`, ending at `end`).
  checkers::History history(Time end) const;
  std::size_t size() const { return ops_.size(); }

 private:
  std::vector<checkers::Operation> ops_;
};

struct CheckReport {
  bool ok = false;       // linearizable (or consistent)
  bool unknown = false;  // the search budget ran out
  std::string explanation;
};

// The run: compose (resources, bodies, checks), run() once, then read.
class Cluster {
 public:
  explicit Cluster(ClusterSpec spec);
  ~Cluster();
  Cluster(Cluster&&) noexcept;
  Cluster& operator=(Cluster&&) = delete;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;

  const ClusterSpec& spec() const { return spec_; }

  // --- composing (before run()) ---------------------------------------------
  // A fenced resource; the reference stays valid for the Cluster's life.
  FencedResource& fenced_resource(std::string name, Fencing fencing = Fencing::kTokens);
  // A history recorder for the clients' operations (valid for the Cluster's life).
  History& history();
  // Every client runs `body` (each incarnation from the start, with a new
  // session: a crashed client host restarts as a new process).
  void clients(ClientBody body, Until until = Until::kRunEnds);
  // Client `index` (1-based) runs `body` instead.
  void client(int index, ClientBody body, Until until = Until::kRunEnds);
  // A liveness goal: once the faults heal, `goal` must become true within
  // the liveness budget (a run that does not get there fails, with `what`).
  void eventually(std::string what, std::function<bool(const View&)> goal);
  // A safety check judged at the end of the run (also of a run that did not
  // settle): returns "" when it holds, else what went wrong in words.
  void always(std::string what, std::function<std::string(const View&)> check);
  // Keeps every committed value of `path` (CommitLog::data_history).
  void track_data(std::string path);

  // --- running --------------------------------------------------------------
  // Runs the spec once. Returns ok().
  bool run();
  bool ok() const;
  // "ok", "invariant", "liveness", "crash", ... and the message.
  const std::string& verdict() const { return verdict_; }
  const std::string& message() const { return message_; }
  // The run's fingerprint: the same spec gives the same fingerprint.
  std::uint64_t fingerprint() const { return fingerprint_; }
  // The simulated time the run ended at.
  Time ended_at() const { return ended_at_; }
  // Checks the recorded history against `model` ("cas-register", "register",
  // ... as `zsim check --model`), linearizable or, with `zookeeper_guarantee`,
  // ZooKeeper's guarantee (linearizable writes, per-session order, no
  // going back in time).
  CheckReport check_history(const std::string& model = "cas-register", bool zookeeper_guarantee = false) const;

  struct Composition;

 private:
  ClusterSpec spec_;
  std::unique_ptr<Composition> parts_;
  int uncaught_at_start_ = 0;
  bool ran_ = false;
  std::string verdict_;
  std::string message_;
  std::uint64_t fingerprint_ = 0;
  Time ended_at_{};
};

// Where the Cluster of a failing property case writes its regression file.
std::string regression_path(const ClusterSpec& spec);
// The command line that replays `spec`'s regression file in this test binary.
std::string replay_command(const ClusterSpec& spec);

}  // namespace zsim::testing
