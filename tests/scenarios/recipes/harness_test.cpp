// The recipe-scenario harness (scenarios/recipes/) as a recipe author uses
// it, piece by piece:
//   - the fenced resource refuses a stale token, and its own judgement
//     passes; without fencing the same actions interleave two holders and
//     the run fails at the action that did it; a stale token accepted by a
//     resource that does not check is named as such;
//   - leadership-ownership fails an action through another session's node;
//   - leads-from-the-head fails an action through a node that never headed
//     the line; one-leader-after-heal settles only once the head's owner
//     acts alone; reelection-bound fails a head nobody leads through;
//   - acts-while-connected fails an action through a cut-off handle;
//   - client contexts: a crash and restart is a new incarnation with a new
//     session, and every session is recorded against its incarnation; an
//     empty server list is refused;
//   - the commit log knows each node's czxid, owner, and when it went
//     (a delete, or its session's expiry);
//   - plan_options() puts failing clients and servers where the generator
//     expects them.
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/election_checks.h"
#include "scenarios/recipes/shape.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>

namespace zsim::scenarios::recipes {
namespace {

struct World {
  sim::Simulator sim{sim::SimOptions{}};
  Cluster cluster;
  explicit World(ClusterShape shape) : cluster(sim, shape) {}
};

ClusterShape two_clients() {
  ClusterShape s;
  s.voters = 3;
  s.clients = 2;
  return s;
}

// c1 acts with token 5 at 1 s and again at 3 s; c2 acts with 7 at 2 s.
void stale_sequence(World& w, FencedResource& db) {
  w.cluster.client(1, [&db](ClientCtx& me) {
    me.sleep(seconds(1));
    db.act(me, 5);
    me.sleep(seconds(2));
    db.act(me, 5);
  }, Until::kBodyReturns);
  w.cluster.client(2, [&db](ClientCtx& me) {
    me.sleep(seconds(2));
    db.act(me, 7);
  }, Until::kBodyReturns);
  w.cluster.start();
  w.sim.run_for(seconds(5));
}

TEST(FencedResource, RefusesAStaleTokenAndStaysSafe) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  stale_sequence(w, db);
  EXPECT_FALSE(w.sim.failure().has_value()) << w.sim.failure()->message;
  ASSERT_EQ(db.actions().size(), 3u);
  EXPECT_EQ(db.accepted(), 2u);
  EXPECT_EQ(db.rejected(), 1u);
  EXPECT_FALSE(db.actions()[2].accepted);
  EXPECT_EQ(db.actions()[2].actor, "c1");
  EXPECT_TRUE(db.no_stale_token_accepted());
  EXPECT_TRUE(db.one_holder_at_a_time());
  ASSERT_TRUE(db.current_tenure().has_value());
  EXPECT_EQ(db.current_tenure()->actor, "c2");
  EXPECT_EQ(db.last_foreign_attempt(), db.actions()[2].at);
}

TEST(FencedResource, WithoutFencingTheSameActionsAreTwoHoldersAndStaleTokens) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db", Fencing::kNone);
  stale_sequence(w, db);
  ASSERT_TRUE(w.sim.failure().has_value());
  EXPECT_EQ(w.sim.failure()->verdict, sim::Verdict::kInvariant);
  EXPECT_NE(w.sim.failure()->message.find("accepted a stale token"), std::string::npos) << w.sim.failure()->message;
  EXPECT_FALSE(db.no_stale_token_accepted());
  EXPECT_FALSE(db.one_holder_at_a_time());
}

TEST(FencedResource, TwoHoldersWithoutTokensAreCaught) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db", Fencing::kNone);
  w.cluster.client(1, [&db](ClientCtx& me) {
    db.act(me);
    me.sleep(seconds(2));
    db.act(me);
  }, Until::kBodyReturns);
  w.cluster.client(2, [&db](ClientCtx& me) {
    me.sleep(seconds(1));
    db.act(me);
  }, Until::kBodyReturns);
  w.cluster.start();
  w.sim.run_for(seconds(3));
  ASSERT_TRUE(w.sim.failure().has_value());
  EXPECT_NE(w.sim.failure()->message.find("two holders act on /db at once: c1"), std::string::npos)
      << w.sim.failure()->message;
  EXPECT_EQ(w.sim.failure()->host, "c1");
}

// c1 makes an election node; c2 acts with its czxid: not its node.
TEST(LeadershipOwnership, AnActionThroughAnotherSessionsNodeFails) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(leadership_ownership(db, ElectionLayout{"/election", ElectionLayout::Shape::kLine}));
  std::optional<int64_t> token;
  w.cluster.client(1, [&](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_EQ(zk.create("/election", "").code(), core::Code::Ok);
    auto n = zk.create2("/election/n_", "", core::CreateMode::EphemeralSequential);
    ASSERT_TRUE(n.ok());
    token = n.value().stat.czxid;
    db.act(me, *token);  // its own node: fine
    while (true) me.sleep(seconds(1));
  });
  w.cluster.client(2, [&](ClientCtx& me) {
    ASSERT_TRUE(me.zk().wait_connected(seconds(5)));
    while (!token) me.sleep(millis(10));
    me.sleep(millis(100));
    db.act(me, *token);
    while (true) me.sleep(seconds(1));
  });
  w.cluster.start();
  w.sim.run_for(seconds(6));
  ASSERT_TRUE(w.sim.failure().has_value());
  const std::string& m = w.sim.failure()->message;
  EXPECT_EQ(m.find("leadership-ownership: c2"), 0u) << m;
  EXPECT_NE(m.find("of c1 (incarnation 1)"), std::string::npos) << m;
  EXPECT_EQ(db.accepted(), 2u);
}

// c1 makes the first node of the line (the head) and, if `head_acts`,
// acts with its token every 100 ms; c2 makes the second and, if
// `second_acts`, acts with its token once.
struct Line {
  std::optional<int64_t> first, second;
};

void two_in_line(World& w, FencedResource& db, Line& line, bool head_acts, bool second_acts) {
  w.cluster.client(1, [&db, &line, head_acts](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_EQ(zk.create("/election", "").code(), core::Code::Ok);
    auto n = zk.create2("/election/n_", "", core::CreateMode::EphemeralSequential);
    ASSERT_TRUE(n.ok());
    line.first = n.value().stat.czxid;
    while (true) {
      if (head_acts) db.act(me, *line.first);
      me.sleep(millis(100));
    }
  });
  w.cluster.client(2, [&db, &line, second_acts](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    while (!line.first) me.sleep(millis(10));
    auto n = zk.create2("/election/n_", "", core::CreateMode::EphemeralSequential);
    ASSERT_TRUE(n.ok());
    line.second = n.value().stat.czxid;
    if (second_acts) db.act(me, *line.second);
    while (true) me.sleep(seconds(1));
  });
  w.cluster.start();
}

const ElectionLayout kLine{"/election", ElectionLayout::Shape::kLine};

TEST(LeadsFromTheHead, AnActionThroughANodeThatNeverHeadedFails) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(leads_from_the_head(db, kLine));
  Line line;
  two_in_line(w, db, line, /*head_acts=*/false, /*second_acts=*/true);
  w.sim.run_for(seconds(5));
  ASSERT_FALSE(w.sim.failure().has_value()) << w.sim.failure()->message;  // judged at the end
  w.cluster.check(w.sim);
  ASSERT_TRUE(w.sim.failure().has_value());
  EXPECT_NE(w.sim.failure()->message.find("leads-from-the-head: c2"), std::string::npos) << w.sim.failure()->message;
  EXPECT_NE(w.sim.failure()->message.find("never headed"), std::string::npos) << w.sim.failure()->message;
}

TEST(LeadsFromTheHead, TheHeadsOwnerPasses) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(leads_from_the_head(db, kLine));
  Line line;
  two_in_line(w, db, line, /*head_acts=*/true, /*second_acts=*/false);
  w.sim.run_for(seconds(5));
  w.cluster.check(w.sim);
  EXPECT_FALSE(w.sim.failure().has_value()) << w.sim.failure()->message;
  EXPECT_GT(db.accepted(), 10u);
}

TEST(OneLeaderAfterHeal, SettlesOnlyOnceTheHeadsOwnerActsAlone) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(one_leader_after_heal(db, kLine, seconds(1)));
  Line line;
  two_in_line(w, db, line, /*head_acts=*/true, /*second_acts=*/false);
  w.sim.run_for(seconds(3));
  EXPECT_FALSE(w.cluster.finished());  // not healed yet
  EXPECT_NE(w.cluster.pending().find("not healed yet"), std::string::npos) << w.cluster.pending();
  w.cluster.on_liveness(w.sim);
  w.sim.run_for(millis(500));
  EXPECT_FALSE(w.cluster.finished());  // not alone for 1 s yet
  EXPECT_NE(w.cluster.pending().find("not yet alone"), std::string::npos) << w.cluster.pending();
  EXPECT_TRUE(w.sim.run_until_true([&] { return w.cluster.finished(); }, seconds(2)));
}

TEST(OneLeaderAfterHeal, AnActorThatDoesNotHeadTheElectionNeverSettles) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(one_leader_after_heal(db, kLine, seconds(1)));
  Line line;
  // c2 acts with its own (second) node's token, again and again.
  w.cluster.client(1, [&line](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    ASSERT_EQ(zk.create("/election", "").code(), core::Code::Ok);
    line.first = zk.create2("/election/n_", "", core::CreateMode::EphemeralSequential).value().stat.czxid;
    while (true) me.sleep(seconds(1));
  });
  w.cluster.client(2, [&db, &line](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    while (!line.first) me.sleep(millis(10));
    const int64_t mine = zk.create2("/election/n_", "", core::CreateMode::EphemeralSequential).value().stat.czxid;
    while (true) {
      db.act(me, mine);
      me.sleep(millis(100));
    }
  });
  w.cluster.start();
  w.sim.run_for(seconds(2));
  w.cluster.on_liveness(w.sim);
  EXPECT_FALSE(w.sim.run_until_true([&] { return w.cluster.finished(); }, seconds(3)));
  EXPECT_NE(w.cluster.pending().find("heads the election"), std::string::npos) << w.cluster.pending();
}

TEST(ReelectionBound, AHeadNobodyLeadsThroughFails) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(reelection_bound(db, kLine, seconds(1)));
  Line line;
  two_in_line(w, db, line, /*head_acts=*/false, /*second_acts=*/false);
  w.sim.run_for(seconds(4));
  w.cluster.check(w.sim);
  ASSERT_TRUE(w.sim.failure().has_value());
  EXPECT_EQ(w.sim.failure()->verdict, sim::Verdict::kLiveness);
  EXPECT_NE(w.sim.failure()->message.find("still there without a leader"), std::string::npos)
      << w.sim.failure()->message;
}

TEST(ReelectionBound, AHeadLedAtOncePasses) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(reelection_bound(db, kLine, seconds(1)));
  Line line;
  two_in_line(w, db, line, /*head_acts=*/true, /*second_acts=*/false);
  w.sim.run_for(seconds(4));
  w.cluster.check(w.sim);
  EXPECT_FALSE(w.sim.failure().has_value()) << w.sim.failure()->message;
}

// A client that keeps acting after it was cut off from the ensemble.
TEST(ActsWhileConnected, AnActionThroughADisconnectedHandleFails) {
  World w(two_clients());
  FencedResource& db = w.cluster.fenced_resource("/db");
  w.cluster.add_check(acts_while_connected(db));
  w.cluster.client(1, [&db](ClientCtx& me) {
    ASSERT_TRUE(me.zk().wait_connected(seconds(5)));
    for (int64_t token = 1;; ++token) {
      db.act(me, token);
      me.sleep(millis(100));
    }
  });
  w.cluster.client(2, [](ClientCtx& me) {
    while (true) me.sleep(seconds(1));
  });
  w.cluster.start();
  w.sim.run_for(seconds(2));
  ASSERT_FALSE(w.sim.failure().has_value()) << w.sim.failure()->message;
  const io::HostId c1 = *w.sim.find_host("c1");
  for (io::HostId s : w.cluster.ensemble().hosts()) {
    w.sim.network().set_blocked(c1, s, true);
    w.sim.network().set_blocked(s, c1, true);
  }
  w.sim.run_for(seconds(3));
  ASSERT_TRUE(w.sim.failure().has_value());
  EXPECT_NE(w.sim.failure()->message.find("acts-while-connected: c1"), std::string::npos) << w.sim.failure()->message;
}

TEST(ClientCtx, ARestartIsANewIncarnationWithANewSession) {
  World w(two_clients());
  w.cluster.clients([](ClientCtx& me) {
    (void)me.zk().wait_connected(seconds(5));
    while (true) me.sleep(seconds(1));
  });
  w.cluster.start();
  w.sim.run_for(seconds(3));
  const io::HostId c1 = *w.sim.find_host("c1");
  w.sim.crash(c1);
  w.sim.run_for(millis(500));
  w.sim.restart(c1);
  w.sim.run_for(seconds(3));
  const ClientRecord& r = *w.cluster.client_named("c1");
  EXPECT_EQ(r.incarnation, 2u);
  ASSERT_EQ(r.sessions.size(), 2u);
  EXPECT_EQ(r.sessions[0].incarnation, 1u);
  EXPECT_EQ(r.sessions[1].incarnation, 2u);
  EXPECT_NE(r.sessions[0].id, r.sessions[1].id);
  EXPECT_TRUE(r.held(r.sessions[1].id, 2));
  EXPECT_FALSE(r.held(r.sessions[0].id, 2));
  EXPECT_EQ(r.incarnation_of(r.sessions[0].id), 1u);
  EXPECT_EQ(w.cluster.client_named("c2")->sessions.size(), 1u);
}

// A recipe that learns its servers from data (a config node) may read an
// empty list: set_servers refuses it with BadArguments and keeps the list
// and the session it had, instead of crashing the client's host.
TEST(ClientCtx, AnEmptyServerListIsRefusedAndChangesNothing) {
  ClusterShape shape = two_clients();
  shape.clients = 1;
  World w(shape);
  bool done = false;
  w.cluster.client(1, [&](ClientCtx& me) {
    ASSERT_TRUE(me.zk().wait_connected(seconds(5)));
    const std::vector<io::HostId> before = me.servers();
    const int64_t session = me.session_id();
    const core::Status s = me.set_servers({});
    EXPECT_EQ(s.code(), core::Code::BadArguments);
    EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
    EXPECT_EQ(me.servers(), before);
    EXPECT_EQ(me.zk().servers(), before);
    EXPECT_TRUE(me.zk().create("/still-here", "").ok());
    EXPECT_EQ(me.session_id(), session);
    EXPECT_TRUE(me.set_servers({before.front()}).ok());
    EXPECT_EQ(me.servers(), std::vector<io::HostId>{before.front()});
    done = true;
  }, Until::kBodyReturns);
  w.cluster.start();
  w.sim.run_for(seconds(10));
  EXPECT_TRUE(done);
}

TEST(CommitLog, KnowsEveryNodesOwnerAndWhenItWent) {
  World w(two_clients());
  std::optional<int64_t> kept, deleted, session;
  w.cluster.client(1, [&](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    auto a = zk.create2("/a", "", core::CreateMode::Ephemeral);
    auto b = zk.create2("/b", "", core::CreateMode::Persistent);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_TRUE(zk.remove("/b").ok());
    kept = a.value().stat.czxid;
    deleted = b.value().stat.czxid;
    session = zk.session_id();
    me.sleep(millis(500));
    zk.close();  // closes the session: /a goes with it
    while (true) me.sleep(seconds(1));
  });
  w.cluster.client(2, [](ClientCtx& me) {
    while (true) me.sleep(seconds(1));
  });
  w.cluster.start();
  w.sim.run_for(seconds(5));
  ASSERT_TRUE(kept && deleted);
  const NodeLife* a = w.cluster.commits().node(*kept);
  const NodeLife* b = w.cluster.commits().node(*deleted);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->path, "/a");
  EXPECT_EQ(a->owner, *session);
  EXPECT_EQ(b->owner, 0);
  ASSERT_TRUE(b->deleted_at.has_value());
  ASSERT_TRUE(a->deleted_at.has_value());
  EXPECT_GT(*a->deleted_at, *b->deleted_at);
  const SessionLife* s = w.cluster.commits().session(*session);
  ASSERT_NE(s, nullptr);
  ASSERT_TRUE(s->closed_zxid.has_value());
  EXPECT_EQ(*s->closed_zxid, *a->deleted_zxid);
  EXPECT_EQ(w.cluster.commits().node(12345), nullptr);
}

// A multi creates several nodes at one zxid: the log keeps every one of
// them (the queues create an item and its marker together), and their deletes.
TEST(CommitLog, KeepsEveryNodeOfAMulti) {
  World w(two_clients());
  bool done = false;
  w.cluster.client(1, [&](ClientCtx& me) {
    core::Client& zk = me.zk();
    ASSERT_TRUE(zk.wait_connected(seconds(5)));
    core::MultiRequest make;
    make.ops.emplace_back(core::CreateRequest{"/m1", "", 0, -1});
    make.ops.emplace_back(core::CreateRequest{"/m2", "", 0, -1});
    ASSERT_TRUE(zk.multi(std::move(make)).ok());
    core::MultiRequest drop;
    drop.ops.emplace_back(core::DeleteRequest{"/m2", -1});
    ASSERT_TRUE(zk.multi(std::move(drop)).ok());
    done = true;
    while (true) me.sleep(seconds(1));
  });
  w.cluster.client(2, [](ClientCtx& me) {
    while (true) me.sleep(seconds(1));
  });
  w.cluster.start();
  w.sim.run_for(seconds(5));
  ASSERT_TRUE(done);
  std::map<std::string, const NodeLife*> by_path;
  for (const auto& [czxid, n] : w.cluster.commits().nodes()) by_path[n.path] = &n;
  ASSERT_EQ(by_path.count("/m1"), 1U);
  ASSERT_EQ(by_path.count("/m2"), 1U);
  EXPECT_EQ(by_path["/m1"]->czxid, by_path["/m2"]->czxid);
  EXPECT_FALSE(by_path["/m1"]->deleted_zxid.has_value());
  EXPECT_TRUE(by_path["/m2"]->deleted_zxid.has_value());
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

TEST(PlanOptions, ServersAndClientsFailFromTheirOwnBudgets) {
  ClusterShape shape;
  shape.voters = 5;
  shape.clients = 3;
  const sim::PlanOptions all = plan_options(shape, FaultModel::everything());
  EXPECT_TRUE(has(all.servers, "s1") && !has(all.servers, "c1"));
  EXPECT_TRUE(has(all.clients, "c3") && !has(all.clients, "s1"));
  EXPECT_EQ(all.max_servers_down, 2);
  EXPECT_TRUE(all.partitions && all.crashes && all.pauses && all.clock_faults && all.loss && all.disk_faults);
  EXPECT_TRUE(all.power_loss && all.crash_points && !all.crash_sites.empty() && !all.role_targets.empty());
  EXPECT_EQ(all.disk_fault_servers_max, 1);
  EXPECT_TRUE(all.client_crashes && all.client_pauses);
  EXPECT_EQ(all.clients_down_max, 1);
  EXPECT_EQ(all.client_down_max, seconds(4));
  EXPECT_TRUE(all.swarm);

  const sim::PlanOptions clients = plan_options(shape, FaultModel::clients_only());
  EXPECT_FALSE(clients.crashes || clients.pauses || clients.clock_faults || clients.disk_faults ||
               clients.power_loss || clients.crash_points);
  EXPECT_FALSE(clients.partitions || clients.loss || clients.duplicates || clients.stream_resets);
  EXPECT_TRUE(clients.client_crashes && clients.client_pauses);
  EXPECT_FALSE(clients.swarm);  // every seed has its client faults
}

}  // namespace
}  // namespace zsim::scenarios::recipes
