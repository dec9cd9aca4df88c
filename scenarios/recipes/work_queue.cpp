// work-queue: the course's master/worker work queue
// (core/recipes/work_queue.h) on 3 servers under every fault. c1 submits
// tasks one at a time (id "<client>.<incarnation>.<seq>", submitted again
// with the same id until acknowledged) until the heal; c2 and c3 campaign
// for /master (the ephemeral master election) and, while leading, run
// master rounds -- a new master recovers everything from the znodes; c4..c6
// are workers: they register under /workers, execute what /assign/<worker>
// holds (an execution record in a simulated sink, after a stretch of work)
// and report it under /status. Workers crash and pause past their
// sessions: their tasks must reach another worker.
//
// Judged by queue_checks.h: after the heal, nothing is left unassigned or
// assigned, every acknowledged (and every committed) task has exactly one
// status, and each status names a worker that executed the task.
#include "core/recipes/ephemeral_master.h"
#include "core/recipes/work_queue.h"
#include "scenarios/recipes/item_sink.h"
#include "scenarios/recipes/queue_checks.h"
#include "scenarios/recipes/recipe_scenario.h"
#include "scenarios/recipes/scenarios.h"

#include <fmt/format.h>

#include <memory>

namespace zsim::scenarios::recipes {

namespace {

namespace qr = core::recipes;

constexpr int kSubmitters = 1;
constexpr int kMasters = 2;
// A submitter incarnation stops after this many tasks (a bound on the run).
constexpr uint64_t kTasksMax = 150;

qr::WorkQueueOptions work_queue_options(bool recover_dead = true) {
  qr::WorkQueueOptions o;
  o.reconnect_wait = seconds(2);
  o.recover_dead = recover_dead;
  return o;
}

// A handle on which the work queue's parents exist (a new session after an expiry).
core::Client& ready(ClientCtx& me, const qr::WorkQueueOptions& o) {
  while (qr::ensure_work_queue(me.zk(), o) != core::Code::Ok) me.sleep(millis(50));
  return me.zk();
}

ClientBody submitter(std::shared_ptr<OfferLog> submitted) {
  return [submitted](ClientCtx& me) {
    const qr::WorkQueueOptions o = work_queue_options();
    (void)ready(me, o);
    for (uint64_t seq = 1; seq <= kTasksMax && !me.stopping(); ++seq) {
      const std::string id = fmt::format("{}.{}.{}", me.name(), me.incarnation(), seq);
      submitted->called(me, id, seq);
      while (!qr::submit_task(me.zk(), o, id, "job " + id).ok()) me.sleep(millis(20));
      submitted->acked(me, id);
      me.sleep(millis(30 + static_cast<int64_t>(me.random().below(90))));
    }
  };
}

// `recover_dead` false: the naive master, which never hands a dead
// worker's tasks to a live one.
ClientBody master(bool recover_dead) {
  return [recover_dead](ClientCtx& me) {
    const qr::WorkQueueOptions o = work_queue_options(recover_dead);
    while (true) {
      core::Client& zk = ready(me, o);
      qr::EphemeralMasterElection election(zk, qr::EphemeralMasterOptions{"/master", me.name()});
      while (true) {
        const qr::Leadership l = election.campaign(seconds(1));
        if (l == qr::Leadership::kLost) break;
        if (l == qr::Leadership::kWaiting) continue;
        const uint64_t seen = zk.event_count();
        auto round = qr::master_round(zk, o);
        if (round.code() == core::Code::SessionExpired) break;
        (void)zk.wait_event(seen, millis(500));  // a worker or a task came or went
      }
    }
  };
}

ClientBody worker(std::shared_ptr<ItemSink> executions) {
  return [executions](ClientCtx& me) {
    const qr::WorkQueueOptions o = work_queue_options();
    const std::string id = fmt::format("{}.{}", me.name(), me.incarnation());
    while (true) {
      core::Client& zk = ready(me, o);
      if (!qr::register_worker(zk, o, id).ok()) {
        me.sleep(millis(100));
        continue;
      }
      while (zk.state() != core::ClientState::kExpired && zk.state() != core::ClientState::kClosed) {
        const uint64_t seen = zk.event_count();
        auto tasks = qr::assigned_tasks(zk, o, id);
        if (!tasks.ok()) {
          me.sleep(millis(20));
          continue;
        }
        for (const qr::Task& task : tasks.value()) {
          me.sleep(millis(10 + static_cast<int64_t>(me.random().below(40))));  // the work
          executions->process(me, task.id);
          (void)qr::finish_task(zk, o, id, task, "done");
        }
        if (tasks.value().empty()) (void)zk.wait_event(seen, seconds(1));
      }
    }
  };
}

void work_queue_setup(Cluster& c, bool recover_dead) {
  auto executions = std::make_shared<ItemSink>();
  auto submitted = std::make_shared<OfferLog>();
  for (int i = 1; i <= c.shape().clients; ++i) {
    if (i <= kSubmitters) {
      c.client(i, submitter(submitted), Until::kBodyReturns);
    } else if (i <= kSubmitters + kMasters) {
      c.client(i, master(recover_dead));
    } else {
      c.client(i, worker(executions));
    }
  }
  c.add_check(one_status_per_task(submitted, WorkQueueLayout{}));
  c.add_check(status_from_execution(executions, WorkQueueLayout{}));
}

}  // namespace

void register_work_queue(std::vector<Scenario>& out) {
  out.push_back(recipe_scenario({
      .name = "work-queue",
      .summary = "master/worker work queue: an elected master assigns tasks to live workers, reassigns the dead's",
      .shape = {.voters = 3, .clients = 6},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { work_queue_setup(c, /*recover_dead=*/true); },
  }));
  // The course example's naive master (zsim lesson work-queue): it assigns
  // tasks to live workers but never looks at the assignments of dead ones.
  // A worker that crashes (a new process registers under a new id) or
  // expires with tasks assigned leaves them there for ever: they are never
  // done. Caught by one-status-per-task: after the heal, tasks still
  // assigned to a worker that is not alive.
  out.push_back(recipe_scenario({
      .name = "work-queue-no-recovery-naive",
      .summary = "deliberately broken: the master never reassigns a dead worker's tasks; they are never done",
      .shape = {.voters = 3, .clients = 6},
      .faults = FaultModel::everything(),
      .setup = [](Cluster& c) { work_queue_setup(c, /*recover_dead=*/false); },
  }));
}

}  // namespace zsim::scenarios::recipes
