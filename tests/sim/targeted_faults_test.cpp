// Correlated and targeted faults in a running simulation: a crash `for` a
// while comes back by itself; a power loss takes several hosts down in one
// instant, each keeping only its synced bytes; a role target hits the host
// the scenario's resolver names (never a host with a faulty disk) and does
// nothing when nobody holds the role; a crash point cuts its host off at the
// exact step that reached it (what the handler does after the site goes
// nowhere) and tears the process down after the handler returns; points
// that are not armed, armed for another host, or expired do nothing.
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zsim::sim {
namespace {

using testing::LambdaProcess;
using testing::make_factory;

FaultEvent event(std::string_view text) {
  auto parsed = parse_plan(text);
  EXPECT_TRUE(std::holds_alternative<FaultPlan>(parsed)) << text;
  return std::get<FaultPlan>(parsed).events.at(0);
}

struct World {
  Simulator sim{testing::constant_latency_options(5)};
  std::vector<io::HostId> hosts;
  std::vector<int> starts = std::vector<int>(3, 0);
  explicit World() {
    for (int i = 0; i < 3; ++i) {
      hosts.push_back(sim.add_host("h" + std::to_string(i + 1), make_factory([this, i](io::Env& env, LambdaProcess&) {
        ++starts[static_cast<std::size_t>(i)];
        env.disk.append("log", "x");
      })));
    }
    for (io::HostId h : hosts) sim.start(h);
  }
  bool up(int i) { return sim.host_info(hosts[static_cast<std::size_t>(i)]).up; }
};

TEST(TargetedFaults, ACrashForAWhileRestartsByItself) {
  World w;
  w.sim.apply(event("at 0s crash h2 for 1s"));
  EXPECT_FALSE(w.up(1));
  testing::advance(w.sim, millis(999));
  EXPECT_FALSE(w.up(1));
  testing::advance(w.sim, millis(2));
  EXPECT_TRUE(w.up(1));
  EXPECT_EQ(w.starts[1], 2);
}

TEST(TargetedFaults, APowerLossTakesItsHostsDownAtOnceAndBringsThemBack) {
  World w;
  // h1 syncs its log, h2 does not: after the power loss only h1's survives.
  w.sim.env(w.hosts[0]).disk.sync("log", [](bool) {});
  testing::advance(w.sim, millis(50));
  w.sim.apply(event("at 0s power-loss h1 h2 for 500ms"));
  EXPECT_FALSE(w.up(0));
  EXPECT_FALSE(w.up(1));
  EXPECT_TRUE(w.up(2));
  EXPECT_EQ(w.sim.disk(w.hosts[0]).size("log").value_or(0), 1U);
  EXPECT_LE(w.sim.disk(w.hosts[1]).size("log").value_or(0), 1U);  // maybe a torn tail, never more
  testing::advance(w.sim, millis(501));
  EXPECT_TRUE(w.up(0));
  EXPECT_TRUE(w.up(1));
}

TEST(TargetedFaults, RoleTargetsHitTheResolvedHostButNeverAFaultyDisk) {
  World w;
  auto lines = testing::record_trace(w.sim);
  std::vector<io::HostId> leaders;
  w.sim.set_role_resolver([&](std::string_view role) {
    return role == "@leader" ? leaders : std::vector<io::HostId>{};
  });
  w.sim.apply(event("at 0s crash @leader for 1s"));  // nobody leads yet
  EXPECT_TRUE(w.up(0) && w.up(1) && w.up(2));
  EXPECT_EQ(testing::count_containing(*lines, "ev=fault.skipped"), 1);
  leaders = {w.hosts[2]};
  w.sim.apply(event("at 0s crash @leader for 1s"));
  EXPECT_FALSE(w.up(2));
  EXPECT_EQ(testing::count_containing(*lines, "target=h3"), 1);
  testing::advance(w.sim, millis(1001));
  EXPECT_TRUE(w.up(2));
  // A host whose disk was ever faulty is never a role target.
  w.sim.apply(event("at 0s disk-lying-sync h3 1/2"));
  w.sim.apply(event("at 0s pause @leader 1s"));
  EXPECT_FALSE(w.sim.host_info(w.hosts[2]).paused);
  EXPECT_EQ(testing::count_containing(*lines, "ev=fault.skipped"), 2);
  // Isolating a role isolates the host that holds it.
  leaders = {w.hosts[0]};
  w.sim.apply(event("at 0s partition isolate @leader"));
  EXPECT_TRUE(w.sim.network().is_blocked(w.hosts[0], w.hosts[1]));
  EXPECT_FALSE(w.sim.network().is_blocked(w.hosts[1], w.hosts[2]));
  // ... except from the hosts named: its clients still reach it.
  w.sim.network().heal();
  w.sim.apply(event("at 0s partition isolate @leader except h3"));
  EXPECT_TRUE(w.sim.network().is_blocked(w.hosts[0], w.hosts[1]));
  EXPECT_FALSE(w.sim.network().is_blocked(w.hosts[0], w.hosts[2]));
  EXPECT_FALSE(w.sim.network().is_blocked(w.hosts[2], w.hosts[0]));
}

TEST(TargetedFaults, ACrashPointCutsItsHostOffAtTheSite) {
  World w;
  auto lines = testing::record_trace(w.sim);
  io::Env& env = w.sim.env(w.hosts[1]);
  w.sim.apply(event("at 0s crash-at h2 test.step for 1s"));
  env.random.fault_site("test.other");  // not armed
  w.sim.env(w.hosts[0]).random.fault_site("test.step");  // armed for h2 only
  EXPECT_TRUE(w.up(0) && w.up(1));
  // h2 reaches the step: what it does after the site goes nowhere.
  env.disk.append("log", "before");
  env.random.fault_site("test.step");
  EXPECT_FALSE(w.up(1));
  env.disk.append("log", "after");
  env.disk.sync("log", [](bool) { ADD_FAILURE() << "a crashed host's sync completed"; });
  EXPECT_EQ(testing::count_containing(*lines, "at=test.step"), 1);
  testing::advance(w.sim, millis(1));
  EXPECT_EQ(w.sim.process(w.hosts[1]), nullptr);  // torn down after the handler
  // At most a torn prefix of what was appended before the site; nothing after.
  EXPECT_LE(w.sim.disk(w.hosts[1]).size("log").value_or(0), std::string("xbefore").size());
  testing::advance(w.sim, seconds(1));
  EXPECT_TRUE(w.up(1));
  // A point fires once.
  w.sim.env(w.hosts[1]).random.fault_site("test.step");
  EXPECT_TRUE(w.up(1));
}

TEST(TargetedFaults, ACrashPointExpiresAndFollowsItsRole) {
  World w;
  std::vector<io::HostId> followers = {w.hosts[0], w.hosts[2]};
  w.sim.set_role_resolver([&](std::string_view role) {
    return role == "@follower" ? followers : std::vector<io::HostId>{};
  });
  w.sim.apply(event("at 0s crash-at h1 test.step within 100ms"));
  testing::advance(w.sim, millis(200));
  w.sim.env(w.hosts[0]).random.fault_site("test.step");
  EXPECT_TRUE(w.up(0)) << "an expired point fired";
  w.sim.apply(event("at 0s crash-at @follower test.step"));
  w.sim.env(w.hosts[1]).random.fault_site("test.step");  // h2 is no follower
  EXPECT_TRUE(w.up(1));
  w.sim.env(w.hosts[2]).random.fault_site("test.step");
  EXPECT_FALSE(w.up(2));
  testing::advance(w.sim, seconds(5));
  EXPECT_FALSE(w.up(2)) << "no `for`: down until the liveness phase";
  w.sim.heal_all();
  EXPECT_TRUE(w.up(2));
}

TEST(TargetedFaults, AStaggeredPowerLossBringsHostsBackInTheOrderNamed) {
  World w;
  w.sim.apply(event("at 0s power-loss h3 h1 h2 for 1s stagger 1s"));
  EXPECT_FALSE(w.up(0) || w.up(1) || w.up(2));
  testing::advance(w.sim, millis(1001));
  EXPECT_TRUE(w.up(2));  // h3 first
  EXPECT_FALSE(w.up(0) || w.up(1));
  testing::advance(w.sim, millis(500));
  EXPECT_TRUE(w.up(0));  // then h1, half way
  EXPECT_FALSE(w.up(1));
  testing::advance(w.sim, millis(500));
  EXPECT_TRUE(w.up(1));
}

TEST(TargetedFaults, APowerLossAtASiteStrikesWhenOneOfItsHostsReachesIt) {
  World w;
  w.sim.apply(event("at 0s power-loss-at test.step h1 h2 for 1s"));
  w.sim.env(w.hosts[2]).random.fault_site("test.step");  // h3 is not in the group
  EXPECT_TRUE(w.up(0) && w.up(1) && w.up(2));
  w.sim.env(w.hosts[1]).random.fault_site("test.step");
  EXPECT_FALSE(w.up(0));
  EXPECT_FALSE(w.up(1));
  EXPECT_TRUE(w.up(2));
  testing::advance(w.sim, millis(1001));
  EXPECT_TRUE(w.up(0) && w.up(1));
}

TEST(TargetedFaults, TheHostThatReachedTheSiteComesBackFirstOrLast) {
  for (const char* where : {"first", "last"}) {
    World w;
    w.sim.apply(event(std::string("at 0s power-loss-at test.step h1 h2 h3 for 1s stagger 1s reacher ") + where));
    w.sim.env(w.hosts[1]).random.fault_site("test.step");  // h2 reaches it
    testing::advance(w.sim, millis(1001));
    EXPECT_EQ(w.up(1), std::string(where) == "first") << where;
    testing::advance(w.sim, seconds(1));
    EXPECT_TRUE(w.up(0) && w.up(1) && w.up(2));
  }
}

}  // namespace
}  // namespace zsim::sim
