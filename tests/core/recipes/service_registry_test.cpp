// Service registration and discovery (core/recipes/service_registry.h)
// against a simulated 3-server ensemble:
//   - three instances register; a discovery client's view holds the three
//     with their addresses;
//   - an instance whose session ends leaves every view, woken by a watch
//     (the discovery client never polls: its idle timeout is a minute);
//   - an instance that comes back in a new session while its old session
//     still lives replaces the old node at once (owned by the new session,
//     with the new address) instead of waiting for the old one to expire;
//   - a node deleted under a live instance is registered again;
//   - a discovery client cut off past its session timeout comes back in a
//     new session with its watches re-armed: later changes reach it;
//   - group membership is the same recipe under /nodes.
#include "core/recipes/service_registry.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>

namespace zsim::recipes_test {
namespace {

using core::recipes::ServiceDiscovery;
using core::recipes::ServiceInstance;
using core::recipes::ServiceInstanceOptions;
using core::recipes::ServiceView;

struct Instance {
  bool stop = false;      // the test asks it to close its session
  bool closed = false;
  int64_t session = 0;
};

struct Watcher {
  ServiceView view;
  uint64_t refreshes = 0;
  int sessions = 0;
};

class Registry : public testing::Test {
 protected:
  // An instance that registers in a session of `timeout` and keeps the
  // registration until asked to close the session.
  void add_instance(const std::string& name, const std::string& address, Duration timeout = seconds(2),
                    const std::string& path = "/service_registry") {
    Instance& in = instances_[name + "@" + address];
    w_.add_client(name + "-" + std::to_string(instances_.size()), [this, &in, name, address, timeout, path](io::Env& env) {
      core::Client zk(env, w_.client_options(timeout));
      in.session = 0;
      ServiceInstance self(zk, ServiceInstanceOptions{.path = path, .name = name, .address = address});
      (void)self.maintain(millis(200), [&] {
        in.session = zk.session_id();
        return in.stop;
      });
      zk.close();
      in.closed = true;
      while (true) env.fibers.sleep(seconds(1));
    });
  }

  // A discovery client that follows the registry in session after session.
  void add_watcher(const std::string& name, const std::string& path = "/service_registry") {
    Watcher& wa = watchers_[name];
    w_.add_client(name, [this, &wa, path](io::Env& env) {
      while (true) {
        core::Client zk(env, w_.client_options(seconds(2)));
        ++wa.sessions;
        ServiceDiscovery d(zk, path);
        (void)d.follow(
            seconds(60),
            [&](const ServiceView& v) {
              wa.view = v;
              ++wa.refreshes;
            },
            [] { return false; });
      }
    });
  }

  bool view_is(const std::string& watcher, const ServiceView& want, Duration within) {
    return w_.run_until([&] { return watchers_[watcher].view == want; }, within);
  }

  RecipeWorld w_;
  std::map<std::string, Instance> instances_;
  std::map<std::string, Watcher> watchers_;
};

TEST_F(Registry, DiscoverySeesEveryRegisteredInstanceWithItsAddress) {
  add_watcher("d1");
  add_instance("a", "10.0.0.1:80");
  add_instance("b", "10.0.0.2:80");
  add_instance("c", "10.0.0.3:80");
  ASSERT_TRUE(view_is("d1", {{"a", "10.0.0.1:80"}, {"b", "10.0.0.2:80"}, {"c", "10.0.0.3:80"}}, seconds(10)));
  const core::DataTree* tree = w_.tree();
  ASSERT_NE(tree, nullptr);
  const core::Znode* a = tree->find("/service_registry/a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->kind, core::NodeKind::Ephemeral);
  EXPECT_EQ(a->ephemeral_owner, instances_["a@10.0.0.1:80"].session);
}

TEST_F(Registry, AnInstanceWhoseSessionEndsLeavesTheViewThroughAWatch) {
  add_watcher("d1");
  add_instance("a", "A");
  add_instance("b", "B");
  ASSERT_TRUE(view_is("d1", {{"a", "A"}, {"b", "B"}}, seconds(10)));
  w_.sim.run_for(seconds(1));
  const uint64_t before = watchers_["d1"].refreshes;
  instances_["a@A"].stop = true;
  // Woken by its watch within moments (its idle timeout is a minute).
  ASSERT_TRUE(view_is("d1", {{"b", "B"}}, seconds(3)));
  EXPECT_LE(watchers_["d1"].refreshes - before, 2u);
}

TEST_F(Registry, ANewSessionReplacesTheNodeOfAnOldSessionAtOnce) {
  add_watcher("d1");
  add_instance("a", "old", seconds(8));
  ASSERT_TRUE(view_is("d1", {{"a", "old"}}, seconds(10)));
  // The old process is gone without closing (its session lives 8 s more);
  // the new one replaces its node.
  const io::HostId old_host = *w_.sim.find_host("a-1");
  w_.sim.crash(old_host);
  add_instance("a", "new");
  ASSERT_TRUE(view_is("d1", {{"a", "new"}}, seconds(3))) << "the new process waited for the old session to expire";
  const core::DataTree* tree = w_.tree();
  ASSERT_NE(tree, nullptr);
  EXPECT_EQ(tree->find("/service_registry/a")->ephemeral_owner, instances_["a@new"].session);
  // And the old session's expiry does not take the new node with it.
  w_.sim.run_for(seconds(12));
  EXPECT_EQ(watchers_["d1"].view, (ServiceView{{"a", "new"}}));
}

TEST_F(Registry, ANodeDeletedUnderALiveInstanceIsRegisteredAgain) {
  add_watcher("d1");
  add_instance("a", "A");
  ASSERT_TRUE(view_is("d1", {{"a", "A"}}, seconds(10)));
  bool deleted = false;
  w_.add_client("admin", [this, &deleted](io::Env& env) {
    core::Client zk(env, w_.client_options());
    ASSERT_TRUE(RecipeWorld::connect(zk));
    deleted = zk.remove("/service_registry/a").ok();
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w_.run_until([&] { return deleted; }, seconds(5)));
  w_.sim.run_for(seconds(1));
  const core::DataTree* tree = w_.tree();
  ASSERT_NE(tree, nullptr);
  const core::Znode* a = tree->find("/service_registry/a");
  ASSERT_NE(a, nullptr) << "the instance did not register again";
  EXPECT_EQ(a->ephemeral_owner, instances_["a@A"].session);
  EXPECT_EQ(watchers_["d1"].view, (ServiceView{{"a", "A"}}));
}

TEST_F(Registry, ADiscoveryClientBackFromAnExpiryFollowsLaterChanges) {
  add_watcher("d1");
  add_instance("a", "A");
  ASSERT_TRUE(view_is("d1", {{"a", "A"}}, seconds(10)));
  const io::HostId d1 = *w_.sim.find_host("d1");
  w_.isolate(d1, true);
  w_.sim.run_for(seconds(5));  // its 2 s session expires on the ensemble
  add_instance("b", "B");      // registered while it is away
  w_.sim.run_for(seconds(1));
  w_.isolate(d1, false);
  ASSERT_TRUE(view_is("d1", {{"a", "A"}, {"b", "B"}}, seconds(10)));
  EXPECT_GE(watchers_["d1"].sessions, 2) << "its session should have expired";
  add_instance("c", "C");  // only a re-armed watch tells it
  ASSERT_TRUE(view_is("d1", {{"a", "A"}, {"b", "B"}, {"c", "C"}}, seconds(3)));
}

TEST_F(Registry, GroupMembershipIsTheSameRecipeUnderNodes) {
  add_watcher("group", "/nodes");
  add_instance("m1", "up", seconds(2), "/nodes");
  add_instance("m2", "up", seconds(2), "/nodes");
  ASSERT_TRUE(view_is("group", {{"m1", "up"}, {"m2", "up"}}, seconds(10)));
  instances_["m1@up"].stop = true;
  ASSERT_TRUE(view_is("group", {{"m2", "up"}}, seconds(3)));
}

}  // namespace
}  // namespace zsim::recipes_test
