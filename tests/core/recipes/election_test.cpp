// The three election recipes (ephemeral master, herd, herd-free) against a
// simulated 3-server ensemble, each test run for all three:
//   - of three candidates exactly one leads, with the czxid of its node as
//     its token, and the others wait;
//   - when the leader's session ends, another leads, with a larger token;
//   - a leader cut off from the ensemble stops leading (leading() turns
//     false: SUSPENDED) and, once its session expired, campaign() says kLost;
// and what tells them apart:
//   - on a change of leader the herd election and the master wake every
//     waiting candidate, the herd-free one only the successor;
//   - the herd-free candidate never re-creates its node when its predecessor
//     goes (CURATOR-644/645);
//   - a herd candidate does not lead through a node that carries its id but
//     belongs to another session -- unless the ownership check is off, the
//     planted CURATOR-696 bug.
#include "core/recipes/campaign.h"
#include "core/recipes/ephemeral_master.h"
#include "core/recipes/herd_election.h"
#include "core/recipes/herd_free_election.h"
#include "core/recipes/sequence.h"
#include "tests/core/recipes/recipe_world.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>

namespace zsim::recipes_test {
namespace {

using core::recipes::Election;
using core::recipes::Leadership;

enum class Kind { kMaster, kHerd, kHerdFree };

std::string kind_name(const testing::TestParamInfo<Kind>& info) {
  switch (info.param) {
    case Kind::kMaster: return "EphemeralMaster";
    case Kind::kHerd: return "Herd";
    case Kind::kHerdFree: return "HerdFree";
  }
  return "?";
}

std::unique_ptr<Election> make(Kind kind, core::Client& zk, const std::string& id, bool check_owner = true) {
  namespace r = core::recipes;
  switch (kind) {
    case Kind::kMaster: return std::make_unique<r::EphemeralMasterElection>(zk, r::EphemeralMasterOptions{"/master", id});
    case Kind::kHerd: {
      r::HerdElectionOptions o;
      o.id = id;
      o.data = id;
      o.check_owner = check_owner;
      return std::make_unique<r::HerdElection>(zk, o);
    }
    case Kind::kHerdFree: {
      r::HerdFreeElectionOptions o;
      o.id = id;
      o.data = id;
      return std::make_unique<r::HerdFreeElection>(zk, o);
    }
  }
  return nullptr;
}

// What a candidate did, as the test sees it.
struct Candidate {
  std::string name;
  bool leading = false;      // leading() when last looked at
  int64_t token = 0;         // the token of its latest leadership
  std::string node;          // its node when it became leader (or last campaign)
  std::vector<std::string> nodes;  // every node it stood on, in order
  Leadership last = Leadership::kWaiting;
  uint64_t events = 0;       // events its handle heard
  bool close = false;        // the test asks it to close its session
  bool closed = false;
  Time led_at{};
};

class Elections : public testing::TestWithParam<Kind> {
 protected:
  // A candidate that campaigns, leads until asked to close its session,
  // and records what happened.
  void add(const std::string& name, Duration session_timeout = seconds(2)) {
    Candidate& c = candidates_[name];
    c.name = name;
    w_.add_client(name, [this, &c, session_timeout](io::Env& env) {
      core::Client zk(env, w_.client_options(session_timeout));
      std::unique_ptr<Election> e = make(GetParam(), zk, c.name);
      while (!c.close) {
        c.last = e->campaign(millis(200));
        c.events = zk.event_count();
        if (!e->node().empty() && (c.nodes.empty() || c.nodes.back() != e->node())) c.nodes.push_back(e->node());
        if (c.last == Leadership::kLost) break;
        while (e->leading() && !c.close) {
          if (!c.leading) c.led_at = w_.sim.now();
          c.leading = true;
          c.token = e->token();
          c.node = e->node();
          env.fibers.sleep(millis(20));
          c.events = zk.event_count();
        }
        c.leading = false;
      }
      if (c.close) {
        c.leading = false;
        zk.close();
        c.closed = true;
      }
      while (true) env.fibers.sleep(seconds(1));
    });
  }

  std::vector<Candidate*> leaders() {
    std::vector<Candidate*> out;
    for (auto& [name, c] : candidates_) {
      if (c.leading) out.push_back(&c);
    }
    return out;
  }

  bool one_leader_within(Duration d) {
    return w_.run_until([&] { return leaders().size() == 1; }, d);
  }

  RecipeWorld w_;
  std::map<std::string, Candidate> candidates_;
};

TEST_P(Elections, OneOfThreeLeadsWithTheCzxidOfItsNodeAsToken) {
  for (const char* n : {"a", "b", "c"}) add(n);
  ASSERT_TRUE(one_leader_within(seconds(10)));
  w_.sim.run_for(seconds(2));
  ASSERT_EQ(leaders().size(), 1u);
  const Candidate& leader = *leaders().front();
  const core::DataTree* tree = w_.tree();
  ASSERT_NE(tree, nullptr);
  const core::Znode* node = tree->find(leader.node);
  ASSERT_NE(node, nullptr) << leader.node;
  EXPECT_EQ(leader.token, node->czxid);
  for (const auto& [name, c] : candidates_) {
    if (&c != &leader) {
      EXPECT_EQ(c.last, Leadership::kWaiting) << name;
    }
  }
}

TEST_P(Elections, AnotherLeadsWhenTheLeaderSessionEndsWithALargerToken) {
  for (const char* n : {"a", "b", "c"}) add(n);
  ASSERT_TRUE(one_leader_within(seconds(10)));
  Candidate& first = *leaders().front();
  const int64_t first_token = first.token;
  first.close = true;
  ASSERT_TRUE(w_.run_until([&] { return first.closed; }, seconds(5)));
  const Time closed_at = w_.sim.now();
  ASSERT_TRUE(w_.run_until([&] { return leaders().size() == 1 && leaders().front() != &first; }, seconds(3)));
  const Candidate& second = *leaders().front();
  EXPECT_GT(second.token, first_token);
  EXPECT_LT(second.led_at - closed_at, millis(500)) << "the successor is woken by its watch, not by polling";
}

TEST_P(Elections, ACutOffLeaderStopsLeadingAndThenKnowsItLost) {
  for (const char* n : {"a", "b", "c"}) add(n);
  ASSERT_TRUE(one_leader_within(seconds(10)));
  Candidate& first = *leaders().front();
  const io::HostId host = *w_.sim.find_host(first.name);
  w_.isolate(host, true);
  // Within two thirds of its 2 s session it notices: SUSPENDED.
  ASSERT_TRUE(w_.run_until([&] { return !first.leading; }, millis(1500)));
  // Its session expires on the ensemble; another leads.
  ASSERT_TRUE(w_.run_until([&] { return leaders().size() == 1 && leaders().front() != &first; }, seconds(5)));
  EXPECT_GT(leaders().front()->token, first.token);
  w_.isolate(host, false);
  // Back in touch, it learns its session expired: LOST.
  ASSERT_TRUE(w_.run_until([&] { return first.last == Leadership::kLost; }, seconds(5)));
  EXPECT_FALSE(first.leading);
}

// Herd vs herd-free: who wakes when the leader goes.
TEST_P(Elections, ALeaderChangeWakesEveryoneOrOnlyTheSuccessor) {
  for (const char* n : {"a", "b", "c", "d", "e"}) add(n);
  ASSERT_TRUE(one_leader_within(seconds(10)));
  w_.sim.run_for(seconds(2));  // every candidate in line and waiting
  Candidate& first = *leaders().front();
  std::map<std::string, uint64_t> before;
  for (auto& [name, c] : candidates_) before[name] = c.events;
  first.close = true;
  ASSERT_TRUE(w_.run_until([&] { return leaders().size() == 1 && leaders().front() != &first; }, seconds(5)));
  w_.sim.run_for(seconds(1));
  int woken = 0;
  for (auto& [name, c] : candidates_) {
    if (&c != &first && c.events > before[name]) ++woken;
  }
  EXPECT_EQ(woken, GetParam() == Kind::kHerdFree ? 1 : 4);
}

TEST_P(Elections, NodesAreNeverRecreatedWhileTheirSessionsLive) {
  for (const char* n : {"a", "b", "c", "d"}) add(n);
  ASSERT_TRUE(one_leader_within(seconds(10)));
  for (int round = 0; round < 2; ++round) {
    Candidate& leader = *leaders().front();
    leader.close = true;
    ASSERT_TRUE(w_.run_until([&] { return leaders().size() == 1 && leaders().front() != &leader; }, seconds(5)));
  }
  // CURATOR-644/645: a candidate whose predecessor went lists again; it
  // never makes a new node.
  for (auto& [name, c] : candidates_) {
    if (GetParam() != Kind::kMaster) {
      EXPECT_LE(c.nodes.size(), 1u) << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Recipes, Elections, testing::Values(Kind::kMaster, Kind::kHerd, Kind::kHerdFree), kind_name);

// CURATOR-696 / -498: a node carrying "my" id (a stable name) heads the
// line, but it was made by another session (a previous incarnation whose
// session has not expired yet). The herd election with its ownership check
// does not lead through it; without the check it does.
void head_of_line_made_by_another_session(bool check_owner) {
  RecipeWorld w;
  int64_t old_czxid = 0;
  bool old_done = false;
  std::optional<Leadership> result;
  int64_t token = 0;
  w.add_client("old", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(10)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/election", "").code(), core::Code::Ok);
    auto n = zk.create2("/election/_c_c2-n_", "", core::CreateMode::EphemeralSequential);
    ASSERT_TRUE(n.ok());
    old_czxid = n.value().stat.czxid;
    old_done = true;
    while (true) env.fibers.sleep(seconds(1));  // keeps its session
  });
  ASSERT_TRUE(w.run_until([&] { return old_done; }, seconds(10)));
  w.add_client("new", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(10)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    std::unique_ptr<Election> e = make(Kind::kHerd, zk, "c2", check_owner);
    result = e->campaign(seconds(2));
    token = e->token();
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return result.has_value(); }, seconds(10)));
  if (check_owner) {
    EXPECT_EQ(*result, Leadership::kWaiting) << "led through another session's node";
  } else {
    EXPECT_EQ(*result, Leadership::kLeader) << "the planted bug no longer shows";
    EXPECT_EQ(token, old_czxid);
  }
}

// election-herd-free seed 356: a create whose connection broke landed after
// the candidate's search had found nothing, so its session owned two nodes
// of the line and the candidate waited behind its own earlier one forever.
// A candidate keeps the earlier node of its own session and deletes its
// later one; an earlier node with its id but another session's is left
// alone (it waits for that session to end).
void two_nodes_with_my_id(bool earlier_is_mine) {
  RecipeWorld w;
  bool done = false;
  bool other_done = false;
  std::string node;
  std::optional<core::recipes::detail::Step> step;
  bool later_exists = true;
  std::string earlier;
  w.add_client("other", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(10)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    ASSERT_EQ(zk.create("/election", "").code(), core::Code::Ok);
    if (!earlier_is_mine) {
      auto n = zk.create2("/election/_c_c2-n_", "", core::CreateMode::EphemeralSequential);
      ASSERT_TRUE(n.ok());
      earlier = n.value().path;
    }
    other_done = true;
    while (true) env.fibers.sleep(seconds(1));  // keeps its session
  });
  ASSERT_TRUE(w.run_until([&] { return other_done; }, seconds(10)));
  w.add_client("me", [&](io::Env& env) {
    core::Client zk(env, w.client_options(seconds(10)));
    ASSERT_TRUE(RecipeWorld::connect(zk));
    if (earlier_is_mine) {
      auto n = zk.create2("/election/_c_c2-n_", "", core::CreateMode::EphemeralSequential);
      ASSERT_TRUE(n.ok());
      earlier = n.value().path;
    }
    auto later = zk.create2("/election/_c_c2-n_", "", core::CreateMode::EphemeralSequential);
    ASSERT_TRUE(later.ok());
    node = later.value().path;
    auto kids = zk.get_children("/election");
    ASSERT_TRUE(kids.ok());
    step = core::recipes::detail::adopt_earlier_own(zk, "/election", "c2",
                                                    core::recipes::sorted_by_sequence(kids.value()), node);
    auto still = zk.exists(later.value().path);
    ASSERT_TRUE(still.ok());
    later_exists = still.value().has_value();
    done = true;
    while (true) env.fibers.sleep(seconds(1));
  });
  ASSERT_TRUE(w.run_until([&] { return done; }, seconds(10)));
  if (earlier_is_mine) {
    ASSERT_TRUE(step.has_value());
    EXPECT_EQ(*step, core::recipes::detail::Step::kAgain);
    EXPECT_EQ(node, earlier) << "kept its later node";
    EXPECT_FALSE(later_exists) << "left its later node in the line";
  } else {
    EXPECT_FALSE(step.has_value()) << "took another session's node for its own";
    EXPECT_NE(node, earlier);
    EXPECT_TRUE(later_exists);
  }
}

TEST(Elections, ACandidateKeepsTheEarlierOfItsOwnTwoNodes) { two_nodes_with_my_id(true); }

TEST(Elections, AnEarlierNodeWithMyIdOfAnotherSessionIsNotMine) { two_nodes_with_my_id(false); }

TEST(HerdElection, DoesNotLeadThroughAnotherSessionsNode) { head_of_line_made_by_another_session(true); }

TEST(HerdElection, WithoutTheOwnershipCheckLeadsThroughIt) { head_of_line_made_by_another_session(false); }

}  // namespace
}  // namespace zsim::recipes_test
