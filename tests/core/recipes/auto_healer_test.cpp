// The auto-healer (core/recipes/auto_healer.h) against a simulated 3-server
// ensemble: an elected healer starts 3 workers (each a new client host
// holding an EPHEMERAL /workers/<id>); when a worker's host dies, its node
// goes with its session and the healer starts a replacement -- 3 alive
// again within the session timeout and a moment; and a healer that is not
// the leader starts nothing.
#include "core/recipes/auto_healer.h"
#include "core/recipes/herd_free_election.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace zsim::recipes_test {
namespace {

using core::recipes::AutoHealer;
using core::recipes::AutoHealerHooks;
using core::recipes::AutoHealerOptions;

class Healing : public testing::Test {
 protected:
  // A healer host: campaigns in the herd-free election and tends while it
  // leads.
  void add_healer(const std::string& name, uint64_t* launched) {
    w_.add_client(name, [this, name, launched](io::Env& env) {
      core::Client zk(env, w_.client_options());
      AutoHealer healer(AutoHealerOptions{.path = "/workers", .workers = 3},
                        AutoHealerHooks{.launch = [this](const std::string& id) { return launch(id); },
                                        .new_id = [this] { return std::to_string(++ids_); },
                                        .now = [&env] { return env.clock.now(); }});
      core::recipes::HerdFreeElectionOptions o;
      o.id = name;
      core::recipes::HerdFreeElection e(zk, o);
      while (true) {
        if (e.campaign(seconds(1)) == core::recipes::Leadership::kLeader) healer.tend(e);
        *launched = healer.launched();
      }
    });
  }

  // Starts a worker on a new host "w<id>".
  bool launch(const std::string& id) {
    hosts_[id] = w_.add_client("w" + id, [this, id](io::Env& env) {
      core::Client zk(env, w_.client_options());
      ASSERT_EQ(core::recipes::register_worker(zk, "/workers", id, "", seconds(5)), core::Code::Ok);
      while (true) env.fibers.sleep(seconds(1));
    });
    return true;
  }

  int workers() {
    const core::DataTree* tree = w_.tree();
    const core::Znode* n = tree == nullptr ? nullptr : tree->find("/workers");
    return n == nullptr ? 0 : static_cast<int>(n->children.size());
  }

  RecipeWorld w_;
  std::map<std::string, io::HostId> hosts_;
  int ids_ = 0;
};

TEST_F(Healing, TheLeaderKeepsThreeWorkersAliveAndTheOtherLaunchesNothing) {
  uint64_t a = 0, b = 0;
  add_healer("h1", &a);
  add_healer("h2", &b);
  ASSERT_TRUE(w_.run_until([&] { return workers() == 3; }, seconds(10)));
  w_.sim.run_for(seconds(2));
  EXPECT_EQ(workers(), 3);
  EXPECT_EQ(a + b, 3u) << "exactly one healer launched, and only what was missing";
  // A worker's host dies: its 2 s session expires, a replacement starts.
  w_.sim.crash(hosts_.at("1"));
  ASSERT_TRUE(w_.run_until([&] { return workers() == 2; }, seconds(4)));
  const Time dropped = w_.sim.now();
  ASSERT_TRUE(w_.run_until([&] { return workers() == 3; }, seconds(2)));
  EXPECT_LT(w_.sim.now() - dropped, millis(500)) << "the healer is woken by its watch";
  const core::DataTree* tree = w_.tree();
  EXPECT_EQ(tree->find("/workers/1"), nullptr);
  EXPECT_NE(tree->find("/workers/4"), nullptr);
}

}  // namespace
}  // namespace zsim::recipes_test
