// LeaderSelector (re-election) against a simulated ensemble: a candidate
// whose session expires while it is cut off learns it lost (kLost), takes a
// new session, joins the line again and leads again once the others are
// gone; lead() only ever runs for a confirmed leadership; stop() ends it and
// the candidate resigns its node.
#include "core/recipes/herd_free_election.h"
#include "core/recipes/leader_selector.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <memory>

namespace zsim::recipes_test {
namespace {

using core::recipes::Election;
using core::recipes::LeaderSelector;
using core::recipes::LeaderSelectorHooks;

struct SelectorState {
  std::unique_ptr<core::Client> zk;
  bool leading = false;
  bool stop = false;
  bool returned = false;
  int sessions = 0;
  int leaderships = 0;
  bool led_unconfirmed = false;  // lead() ran with leading() false
  core::recipes::LeaderSelectorStats stats;
};

void add_selector(RecipeWorld& w, const std::string& name, SelectorState& st) {
  w.add_client(name, [&w, &st, name](io::Env& env) {
    LeaderSelectorHooks hooks;
    hooks.session = [&]() -> core::Client& {
      if (!st.zk || st.zk->state() == core::ClientState::kExpired) {
        st.zk = std::make_unique<core::Client>(env, w.client_options(seconds(1)));
        ++st.sessions;
      }
      return *st.zk;
    };
    hooks.candidacy = [&st, name](core::Client& zk) -> std::unique_ptr<Election> {
      core::recipes::HerdFreeElectionOptions o;
      o.id = name + std::to_string(st.sessions);
      return std::make_unique<core::recipes::HerdFreeElection>(zk, o);
    };
    hooks.lead = [&](Election& e) {
      if (!e.leading()) st.led_unconfirmed = true;
      ++st.leaderships;
      while (e.leading() && !st.stop) {
        st.leading = true;
        env.fibers.sleep(millis(20));
      }
      st.leading = false;
    };
    hooks.stop = [&st] { return st.stop; };
    LeaderSelector selector(std::move(hooks), millis(200));
    selector.run();
    st.stats = selector.stats();
    st.returned = true;
    while (true) env.fibers.sleep(seconds(1));
  });
}

TEST(LeaderSelector, AnExpiredLeaderCampaignsAgainInANewSessionAndLeadsAgain) {
  RecipeWorld w;
  SelectorState a, b;
  add_selector(w, "a", a);
  ASSERT_TRUE(w.run_until([&] { return a.leading; }, seconds(10)));
  add_selector(w, "b", b);
  w.sim.run_for(seconds(1));
  EXPECT_FALSE(b.leading);
  // Cut a off for longer than its 1 s session: it stops, b takes over.
  const io::HostId ha = *w.sim.find_host("a");
  w.isolate(ha, true);
  ASSERT_TRUE(w.run_until([&] { return !a.leading && b.leading; }, seconds(5)));
  w.isolate(ha, false);
  // a learns its session is gone and joins again in a new one, behind b.
  ASSERT_TRUE(w.run_until([&] { return a.sessions == 2; }, seconds(5)));
  w.sim.run_for(seconds(1));
  EXPECT_FALSE(a.leading);
  // b stops and resigns: a leads again.
  b.stop = true;
  ASSERT_TRUE(w.run_until([&] { return a.leading && b.returned; }, seconds(5)));
  EXPECT_EQ(b.stats.leaderships, 1u);
  EXPECT_EQ(a.leaderships, 2);
  EXPECT_FALSE(a.led_unconfirmed);
  EXPECT_FALSE(b.led_unconfirmed);
  // b resigned: its node is gone at once (not after its session timeout).
  a.stop = true;
  ASSERT_TRUE(w.run_until([&] { return a.returned; }, seconds(5)));
  EXPECT_GE(a.stats.lost, 1u);
  EXPECT_EQ(a.stats.candidacies, 2u);
  w.sim.run_for(millis(200));
  const core::DataTree* tree = w.tree();
  ASSERT_NE(tree, nullptr);
  ASSERT_NE(tree->find("/election"), nullptr);
  EXPECT_TRUE(tree->find("/election")->children.empty());
}

}  // namespace
}  // namespace zsim::recipes_test
