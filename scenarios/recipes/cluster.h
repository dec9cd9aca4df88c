// Cluster: a recipe scenario's world -- a ZAB ensemble, client hosts that
// each run a blocking-style body on a fiber, the resources they act on and
// the checks that judge the run -- composed from parameters, never written
// per scenario. It is the Workload that scenario.h runs (safety phase under
// the fault plan, heal, liveness phase, checks).
//
//   Cluster c(sim, shape);                        // s1..sN, c1..cK
//   FencedResource& db = c.fenced_resource("/db");
//   c.clients([&db](ClientCtx& me) { ... db.act(me, token) ... });
//   c.add_check(std::make_unique<MyCheck>(db));
//   c.start();                                    // clients start
//
// What it judges on its own, for every scenario:
//   - the ensemble invariant monitor (one leader per epoch, one committed
//     prefix, ...) during the run and over the final states;
//   - every resource's own judgements (no stale token accepted, one holder
//     at a time), at the first action that breaks them.
// The run is finished when the ensemble has settled, every client that must
// finish has (Until::kBodyReturns), and every check is settled.
//
// Lifetime: the client processes share the state they touch (records,
// resources, bodies) through a shared block, so they may outlive the
// Cluster; checks and the commit log live in the Cluster, which unhooks
// itself from the resources and the ensemble when it dies.
#pragma once

#include "scenarios/ensemble_world.h"
#include "scenarios/recipes/check.h"
#include "scenarios/recipes/client_ctx.h"
#include "scenarios/recipes/commit_log.h"
#include "scenarios/recipes/fenced_resource.h"
#include "scenarios/recipes/shape.h"
#include "scenarios/scenario.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

// When a client's work is over.
enum class Until : uint8_t {
  kBodyReturns,  // the body returns once stopping() (the run waits for it)
  kRunEnds,      // the body runs for the whole run (candidates, holders)
};

class Cluster final : public Workload {
 public:
  // `bug`: a planted bug for every server (core/server/planted_bugs.h;
  // `zsim sweep --bug`), kNone in a real test.
  Cluster(sim::Simulator& sim, const ClusterShape& shape, core::PlantedBug bug = core::PlantedBug::kNone);
  ~Cluster() override;

  // --- composing (before start()) ------------------------------------------
  // A resource the clients act on, judged on its own (see fenced_resource.h).
  FencedResource& fenced_resource(std::string name, Fencing fencing = Fencing::kTokens);
  // A resource owned elsewhere (the testing API keeps its resources beyond
  // the run, for the property to read), judged like the Cluster's own.
  // REQUIRES: `r` outlives the run; the Cluster unhooks itself when it dies.
  void attach_resource(FencedResource& r);
  // Every client runs `body` (each incarnation from the start).
  void clients(ClientBody body, Until until = Until::kRunEnds);
  // Client `index` (1-based) runs `body` instead.
  void client(int index, ClientBody body, Until until = Until::kRunEnds);
  void add_check(std::unique_ptr<Check> check);
  // Keeps every committed value of `path` in the commit log (data_history).
  void track_data(std::string path) { commits_.track_data(std::move(path)); }
  // Starts the client hosts. REQUIRES: every client has a body.
  void start();

  // --- what checks read ------------------------------------------------------
  const ClusterShape& shape() const { return shape_; }
  const EnsembleWorld& ensemble() const { return world_; }
  // For an operator's body that replaces servers (EnsembleWorld::retire):
  // the one way a scenario changes the ensemble itself.
  EnsembleWorld& ensemble() { return world_; }
  const CommitLog& commits() const { return commits_; }
  const std::deque<ClientRecord>& client_records() const;
  const ClientRecord* client_named(const std::string& name) const;
  // A serving server's tree once the ensemble has converged (all at one
  // zxid), else null.
  const core::DataTree* converged_tree() const;
  // While the ensemble has not settled: the serving leader's tree (the one
  // leader, if one serves), with its host's name, for a liveness message
  // that names what the run still waits for. Null if no leader serves.
  // Never a verdict's basis: only converged_tree() is.
  std::pair<const core::DataTree*, std::string> leader_tree() const;
  // When the liveness phase began (faults healed), if it has.
  std::optional<Time> healed_at() const { return healed_at_; }
  Time now() const { return sim_.now(); }
  sim::Simulator& sim() const { return sim_; }

  // --- Workload --------------------------------------------------------------
  bool finished() const override;
  void on_liveness(sim::Simulator& sim) override;
  void check(sim::Simulator& sim) override;
  void check_unfinished(sim::Simulator& sim) override;
  std::string pending() const override;

  // Internal: what the client processes share with the Cluster.
  struct Shared;

 private:
  void on_action(const FencedResource& r, const ResourceAction& a);
  // The resources' own judgements and the checks' judge() (only the safety
  // ones when `unfinished`).
  void judge(sim::Simulator& sim, bool unfinished);
  // Passes `c`'s moment() to observers (a check.moment note), if it has one.
  void note_moment(sim::Simulator& sim, const Check& c) const;

  sim::Simulator& sim_;
  ClusterShape shape_;
  EnsembleWorld world_;
  CommitLog commits_;
  std::shared_ptr<Shared> shared_;
  std::vector<std::unique_ptr<Check>> checks_;
  std::optional<Time> healed_at_;
  bool started_ = false;
};

}  // namespace zsim::scenarios::recipes
