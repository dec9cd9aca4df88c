// The master/worker work queue (core/recipes/work_queue.h) against a
// simulated ensemble: a master round assigns submitted tasks to the live
// workers; a worker's finish writes one status and removes the assignment;
// the tasks of a worker whose session died go back to /tasks and on to a
// live worker -- one status each; and two masters running rounds at once
// (a deposed one not yet aware) never put a task in two places.
#include "core/recipes/protected_create.h"
#include "core/recipes/sequence.h"
#include "core/recipes/work_queue.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zsim::recipes_test {
namespace {

using core::Code;
namespace qr = core::recipes;

std::vector<std::string> kids(RecipeWorld& w, const std::string& path) {
  const core::DataTree* tree = w.tree();
  const core::Znode* n = tree == nullptr ? nullptr : tree->find(path);
  if (n == nullptr) return {};
  return {n->children.begin(), n->children.end()};
}

// Task id -> the places it is in (/tasks, /assign/<w>, /status).
std::map<std::string, std::vector<std::string>> places(RecipeWorld& w) {
  std::map<std::string, std::vector<std::string>> out;
  for (const std::string& t : kids(w, "/tasks")) out[*qr::task_id_of(t)].push_back("/tasks");
  for (const std::string& s : kids(w, "/status")) out[*qr::task_id_of(s)].push_back("/status");
  for (const std::string& worker : kids(w, "/assign")) {
    for (const std::string& t : kids(w, "/assign/" + worker)) out[*qr::task_id_of(t)].push_back("/assign/" + worker);
  }
  return out;
}

TEST(WorkQueue, TaskIdsRoundTripThroughNames) {
  EXPECT_EQ(qr::task_id_of("task-c1.1.3-0000000007"), "c1.1.3");
  EXPECT_EQ(qr::task_id_of("task--0000000007"), std::nullopt);
  EXPECT_EQ(qr::task_id_of("worker-1"), std::nullopt);
}

TEST(WorkQueue, ADeadWorkersTaskGoesToALiveOneAndEndsWithOneStatus) {
  RecipeWorld w;
  const qr::WorkQueueOptions o;
  std::optional<std::vector<qr::Task>> of_a;
  bool a_dead = false;
  std::optional<qr::MasterRound> first;
  std::optional<qr::MasterRound> second;
  w.add_client("m", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_work_queue(zk, o), Code::Ok);
    ASSERT_TRUE(qr::submit_task(zk, o, "t1", "job 1").ok());
    ASSERT_TRUE(qr::submit_task(zk, o, "t2", "job 2").ok());
    while (kids(w, "/workers").size() < 1) env.fibers.sleep(millis(50));
    auto r = qr::master_round(zk, o);  // only a is alive: both to a
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    first = r.value();
    while (!a_dead || kids(w, "/workers").size() < 1) env.fibers.sleep(millis(50));
    r = qr::master_round(zk, o);  // a is dead, b alive: back to /tasks, then to b
    ASSERT_TRUE(r.ok()) << r.status().to_string();
    second = r.value();
    while (true) env.fibers.sleep(seconds(1));
  });
  w.add_client("a", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    while (!qr::register_worker(zk, o, "a").ok()) env.fibers.sleep(millis(50));
    while (!first.has_value()) env.fibers.sleep(millis(50));
    auto tasks = qr::assigned_tasks(zk, o, "a");
    ASSERT_TRUE(tasks.ok());
    of_a = tasks.value();
    ASSERT_FALSE(of_a->empty());
    ASSERT_TRUE(qr::finish_task(zk, o, "a", of_a->front(), "done").ok());  // one done, then it dies
    zk.close();
    a_dead = true;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return a_dead; }, seconds(20)));
  std::optional<size_t> done_by_b;
  w.add_client("b", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    while (!qr::register_worker(zk, o, "b").ok()) env.fibers.sleep(millis(50));
    while (!second.has_value()) env.fibers.sleep(millis(50));
    auto tasks = qr::assigned_tasks(zk, o, "b");
    ASSERT_TRUE(tasks.ok());
    for (const qr::Task& t : tasks.value()) ASSERT_TRUE(qr::finish_task(zk, o, "b", t, "done").ok());
    done_by_b = tasks.value().size();
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return done_by_b.has_value(); }, seconds(20)));
  EXPECT_EQ(first->assigned, 2);
  EXPECT_EQ(of_a->size(), 2U);
  EXPECT_EQ(second->recovered, 1);
  EXPECT_EQ(second->assigned, 1);
  EXPECT_EQ(*done_by_b, 1U);
  w.sim.run_for(millis(500));
  const auto p = places(w);
  ASSERT_EQ(p.size(), 2U);
  for (const auto& [id, where] : p) EXPECT_EQ(where, std::vector<std::string>{"/status"}) << id;
  EXPECT_TRUE(kids(w, "/tasks").empty());
}

TEST(WorkQueue, TwoMastersAtOnceNeverPutATaskInTwoPlaces) {
  RecipeWorld w;
  const qr::WorkQueueOptions o;
  constexpr int kTasks = 20;
  bool submitted = false;
  int rounds_done = 0;
  w.add_client("setup", [&](io::Env& env) {
    core::Client zk(env, w.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(qr::ensure_work_queue(zk, o), Code::Ok);
    ASSERT_TRUE(qr::register_worker(zk, o, "w1").ok());
    ASSERT_TRUE(qr::register_worker(zk, o, "w2").ok());
    for (int i = 0; i < kTasks; ++i) ASSERT_TRUE(qr::submit_task(zk, o, fmt::format("t{}", i), "").ok());
    submitted = true;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return submitted; }, seconds(20)));
  for (const char* m : {"m1", "m2"}) {
    w.add_client(m, [&](io::Env& env) {
      core::Client zk(env, w.client_options());
      ASSERT_TRUE(RecipeWorld::connect(zk));
      for (int i = 0; i < 3; ++i) ASSERT_TRUE(qr::master_round(zk, o).ok());
      ++rounds_done;
      while (true) env.fibers.sleep(seconds(1));
    });
  }
  ASSERT_TRUE(w.run_until([&] { return rounds_done == 2; }, seconds(20)));
  w.sim.run_for(millis(500));
  const auto p = places(w);
  EXPECT_EQ(p.size(), static_cast<size_t>(kTasks));
  for (const auto& [id, where] : p) {
    ASSERT_EQ(where.size(), 1U) << id;
    EXPECT_EQ(where.front().rfind("/assign/w", 0), 0U) << id << " is in " << where.front();
  }
}

}  // namespace
}  // namespace zsim::recipes_test
