// The course's master/worker work queue (the ZooKeeper book's example):
// clients submit tasks, an elected master assigns each to a live worker,
// workers execute and report; the master hands the tasks of dead workers
// to live ones. Every piece of state is a znode, so a new master recovers
// it by reading the tree.
//
// Znodes (ensure_work_queue makes the parents):
//   /tasks/task-<id>-NNNNNNNNNN     PERSISTENT_SEQUENTIAL, data = the task:
//                                   submitted, not assigned
//   /task-ids/<id>                  PERSISTENT marker (create_once.h): this
//                                   id was submitted -- never twice
//   /workers/<worker>               EPHEMERAL: the worker is alive
//   /assign/<worker>/<task name>    PERSISTENT: assigned to <worker>
//   /status/<task name>             PERSISTENT, data = "<worker> <result>":
//                                   done
// A task is, at every zxid, in exactly one place -- /tasks, one
// /assign/<worker>, or /status -- because every move is one multi that
// creates it in the new place and deletes it from the old one (a delete
// of a node already moved fails the whole multi). That is what keeps two
// masters (one deposed but not yet aware) or a retried move from
// duplicating a task, without fencing tokens: the znodes are the fence.
//
// Submit: create_once(/task-ids/<id>, /tasks/task-<id>-). ConnectionLoss /
//   expiry: submit the same id again.
// Master round (call while leading an election; reads with watches on
//   /workers and /tasks, then wait for an event and call again):
//   1. recover: every /assign/<w> whose /workers/<w> is gone -- its tasks go
//      back to /tasks (multi: create /tasks/<name>, delete the assignment);
//   2. assign: every task in /tasks, head first, to a live worker in turn
//      (multi: create /assign/<w>/<name>, delete /tasks/<name>).
//   Reads may be stale (a lagging server): a worker listed alive that is
//   dead gets a task the next round recovers; a move of a task already
//   moved fails NoNode and is skipped.
// Worker: register (ensure /assign/<w>, create /workers/<w> EPHEMERAL), then
//   list /assign/<w> (watch), execute each task, finish it: multi(create
//   /status/<name>, delete /assign/<w>/<name>). A worker whose session dies
//   is recovered from by the master; if it executed a task it could not
//   finish, the task is executed again elsewhere (at least once), but it
//   gets one status.
// ConnectionLoss: every call retries after the reconnect (a retried move or
//   finish fails NodeExists/NoNode if the first committed, which is
//   success). Session expiry: SessionExpired; a worker registers again in
//   its new session.
// Invariant: every submitted task ends with exactly one status node; none
//   is lost when its worker dies.
//
// Blocking: call from a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <optional>
#include <string>
#include <vector>

namespace zsim::core::recipes {

struct WorkQueueOptions {
  std::string tasks = "/tasks";
  std::string task_ids = "/task-ids";
  std::string workers = "/workers";
  std::string assign = "/assign";
  std::string status = "/status";
  // Requests lost to ConnectionLoss before a call gives up with it.
  int attempts_max = 20;
  // How long each retry waits for the handle to be connected again.
  Duration reconnect_wait = seconds(10);
  // Step 1 of the master round. false is a planted bug (the scenario
  // work-queue-no-recovery-naive): the tasks of a dead worker stay
  // assigned to it for ever.
  bool recover_dead = true;
};

struct Task {
  std::string name;  // task-<id>-NNNNNNNNNN
  std::string id;
  std::string data;
};

// "task-<id>-NNNNNNNNNN" -> <id>; nullopt for a foreign name.
std::optional<std::string> task_id_of(std::string_view name);

// Creates /tasks, /task-ids, /workers, /assign, /status.
Code ensure_work_queue(Client& zk, const WorkQueueOptions& o);

// Submits a task. Ok: it exists (or existed), once. Else unknown: submit
// the same id again. REQUIRES: `id` contains no '/'.
Status submit_task(Client& zk, const WorkQueueOptions& o, const std::string& id, const std::string& data);

struct MasterRound {
  int recovered = 0;  // tasks of dead workers put back in /tasks
  int assigned = 0;   // tasks assigned to live workers
};

// One round of the master (see the file comment). Errors: ConnectionLoss
// (after retries), SessionExpired: the round is cut short; moves made so
// far stand.
Result<MasterRound> master_round(Client& zk, const WorkQueueOptions& o);

// Registers `worker`: /assign/<worker> and /workers/<worker> (ephemeral, of
// this session). NodeExists: another session's /workers/<worker> still
// lives (an old session not yet expired): try again later.
Status register_worker(Client& zk, const WorkQueueOptions& o, const std::string& worker);

// The tasks assigned to `worker`, head first (watching its directory).
Result<std::vector<Task>> assigned_tasks(Client& zk, const WorkQueueOptions& o, const std::string& worker);

// Reports a task done: multi(create /status/<name> = "<worker> <result>",
// delete the assignment). Ok (also when a lost attempt did it); NoNode:
// the assignment was taken away (the worker was deemed dead) -- another
// worker will report it.
Status finish_task(Client& zk, const WorkQueueOptions& o, const std::string& worker, const Task& task,
                   const std::string& result);

}  // namespace zsim::core::recipes
