#include "core/recipes/work_queue.h"

#include "core/recipes/create_once.h"
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"

#include <set>

namespace zsim::core::recipes {

namespace {

constexpr std::string_view kTaskPrefix = "task-";

// Runs `op` (a blocking call returning a Code) again after each
// ConnectionLoss, once connected, up to attempts_max. Each op must be safe
// to repeat: its retry of a committed attempt fails NodeExists / NoNode.
template <typename Op>
Code with_retries(Client& zk, const WorkQueueOptions& o, Op op) {
  for (int losses = 0;;) {
    const Code c = op();
    if (c != Code::ConnectionLoss) return c;
    if (++losses >= o.attempts_max) return Code::ConnectionLoss;
    if (const Code r = await_reconnect(zk, o.reconnect_wait); r != Code::Ok) return r;
  }
}

// A move: multi(create `to` with `data`, delete `from`). Ok, or the task
// was moved by someone else (or by a lost attempt of ours): NoNode /
// NodeExists, both "not moved by this call, and in one place".
Code move(Client& zk, const WorkQueueOptions& o, const std::string& from, const std::string& to,
          const std::string& data) {
  return with_retries(zk, o, [&]() {
    MultiRequest m;
    m.ops.emplace_back(create_op(to, data, CreateMode::Persistent));
    m.ops.emplace_back(delete_op(from));
    return zk.multi(std::move(m)).code();
  });
}

Result<std::vector<std::string>> children(Client& zk, const WorkQueueOptions& o, const std::string& path,
                                          bool watch) {
  std::vector<std::string> out;
  const Code c = with_retries(zk, o, [&]() {
    auto r = zk.get_children(path, watch);
    if (r.ok()) out = sorted_by_sequence(std::move(r).value());
    return r.code();
  });
  if (c != Code::Ok) return Status(c, path);
  return out;
}

// The data of `path`; nullopt if it is gone.
Result<std::optional<std::string>> data_of(Client& zk, const WorkQueueOptions& o, const std::string& path) {
  std::optional<std::string> out;
  const Code c = with_retries(zk, o, [&]() {
    auto r = zk.get_data(path);
    if (r.ok()) out = r.value().data;
    return r.code();
  });
  if (c == Code::NoNode) return std::optional<std::string>{};
  if (c != Code::Ok) return Status(c, path);
  return out;
}

bool done_or_moved(Code c) { return c == Code::Ok || c == Code::NoNode || c == Code::NodeExists; }

// Moves the tasks of every dead worker back to /tasks.
Code recover_dead(Client& zk, const WorkQueueOptions& o, const std::set<std::string>& live, MasterRound& round) {
  auto dirs = children(zk, o, o.assign, false);
  if (!dirs.ok()) return dirs.code();
  for (const std::string& worker : dirs.value()) {
    if (live.count(worker) != 0) continue;
    const std::string dir = child_path(o.assign, worker);
    auto tasks = children(zk, o, dir, false);
    if (tasks.code() == Code::NoNode) continue;
    if (!tasks.ok()) return tasks.code();
    for (const std::string& name : tasks.value()) {
      auto data = data_of(zk, o, child_path(dir, name));
      if (!data.ok()) return data.code();
      if (!data.value().has_value()) continue;
      const Code c = move(zk, o, child_path(dir, name), child_path(o.tasks, name), *data.value());
      if (!done_or_moved(c)) return c;
      round.recovered += c == Code::Ok ? 1 : 0;
    }
  }
  return Code::Ok;
}

// Assigns every task in /tasks to the live workers in turn.
Code assign_pending(Client& zk, const WorkQueueOptions& o, const std::vector<std::string>& live,
                    MasterRound& round) {
  auto tasks = children(zk, o, o.tasks, true);
  if (!tasks.ok()) return tasks.code();
  size_t next = 0;
  for (const std::string& name : tasks.value()) {
    if (live.empty()) break;
    if (!task_id_of(name).has_value()) continue;
    auto data = data_of(zk, o, child_path(o.tasks, name));
    if (!data.ok()) return data.code();
    if (!data.value().has_value()) continue;
    const std::string& worker = live[next++ % live.size()];
    const Code c =
        move(zk, o, child_path(o.tasks, name), child_path(child_path(o.assign, worker), name), *data.value());
    if (!done_or_moved(c)) return c;
    round.assigned += c == Code::Ok ? 1 : 0;
  }
  return Code::Ok;
}

}  // namespace

std::optional<std::string> task_id_of(std::string_view name) {
  // "task-" + id + "-" + 10 digits.
  if (name.size() < kTaskPrefix.size() + 2 + 10 || name.substr(0, kTaskPrefix.size()) != kTaskPrefix) {
    return std::nullopt;
  }
  if (!sequence_of(name).has_value() || name[name.size() - 11] != '-') return std::nullopt;
  return std::string(name.substr(kTaskPrefix.size(), name.size() - 11 - kTaskPrefix.size()));
}

Code ensure_work_queue(Client& zk, const WorkQueueOptions& o) {
  for (const std::string* p : {&o.tasks, &o.task_ids, &o.workers, &o.assign, &o.status}) {
    if (const Code c = ensure_path(zk, *p); c != Code::Ok) return c;
  }
  return Code::Ok;
}

Status submit_task(Client& zk, const WorkQueueOptions& o, const std::string& id, const std::string& data) {
  return create_once(zk, child_path(o.task_ids, id), child_path(o.tasks, std::string(kTaskPrefix) + id + "-"), data,
                     CreateMode::PersistentSequential, CreateOnceOptions{o.attempts_max, o.reconnect_wait});
}

Result<MasterRound> master_round(Client& zk, const WorkQueueOptions& o) {
  MasterRound round;
  auto workers = children(zk, o, o.workers, true);
  if (!workers.ok()) return workers.status();
  const std::set<std::string> live(workers.value().begin(), workers.value().end());
  if (o.recover_dead) {
    if (const Code c = recover_dead(zk, o, live, round); c != Code::Ok) return Status(c, o.assign);
  }
  if (const Code c = assign_pending(zk, o, workers.value(), round); c != Code::Ok) return Status(c, o.tasks);
  return round;
}

Status register_worker(Client& zk, const WorkQueueOptions& o, const std::string& worker) {
  const std::string dir = child_path(o.assign, worker);
  const std::string me = child_path(o.workers, worker);
  const Code c = with_retries(zk, o, [&]() {
    const Code made = ensure_path(zk, dir);
    if (made != Code::Ok) return made;
    const Code created = zk.create(me, "", CreateMode::Ephemeral).code();
    if (created != Code::NodeExists) return created;
    // Ours (a lost create), or an older session's still alive?
    auto owner = zk.exists(me);
    if (!owner.ok()) return owner.code();
    if (!owner.value().has_value()) return Code::ConnectionLoss;  // gone since: try again
    return owner.value()->ephemeral_owner == zk.session_id() ? Code::Ok : Code::NodeExists;
  });
  return c == Code::Ok ? Status::ok_status() : Status(c, me);
}

Result<std::vector<Task>> assigned_tasks(Client& zk, const WorkQueueOptions& o, const std::string& worker) {
  const std::string dir = child_path(o.assign, worker);
  auto names = children(zk, o, dir, true);
  if (!names.ok()) return names.status();
  std::vector<Task> out;
  for (const std::string& name : names.value()) {
    auto id = task_id_of(name);
    if (!id) continue;
    auto data = data_of(zk, o, child_path(dir, name));
    if (!data.ok()) return data.status();
    if (data.value().has_value()) out.push_back(Task{name, *id, *data.value()});
  }
  return out;
}

Status finish_task(Client& zk, const WorkQueueOptions& o, const std::string& worker, const Task& task,
                   const std::string& result) {
  const std::string status = child_path(o.status, task.name);
  const Code c = with_retries(zk, o, [&]() {
    MultiRequest m;
    m.ops.emplace_back(create_op(status, worker + " " + result, CreateMode::Persistent));
    m.ops.emplace_back(delete_op(child_path(child_path(o.assign, worker), task.name)));
    return zk.multi(std::move(m)).code();
  });
  // NodeExists: the status is there -- a lost attempt of ours wrote it (a
  // task has one place at a time, so nobody else could).
  if (c == Code::Ok || c == Code::NodeExists) return Status::ok_status();
  return Status(c, status);
}

}  // namespace zsim::core::recipes
