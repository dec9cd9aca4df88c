// The testing API (zsim/testing.h) as a recipe author uses it, on the
// example project's own latch (docs/examples/my-recipe/): a fixed spec runs
// the same every time; the sound latch keeps one leader under a paused
// leader while the broken one does not; RapidCheck catches the broken latch
// and shrinks its plan to a few faults, written as a regression file that
// replays to the same failure; the plan generator's shrinks keep the fault
// budget; recorded histories go through the linearizability checker; and
// misuse is a clear error, not a crash.
#include "docs/examples/my-recipe/leader_latch.h"
#include "sim/rng.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace zsim::testing {
namespace {

// Every client campaigns for the latch and, while it leads, writes to the
// database: with its token (sound), or without (the broken latch, against
// a database that does not check tokens).
void compose_latch(Cluster& c, bool broken) {
  FencedResource& db = c.fenced_resource("/db", broken ? Fencing::kNone : Fencing::kTokens);
  if (broken) {
    c.clients([&db](ClientCtx& me) {
      my_recipe::BrokenLatch latch("/latch");
      for (;;) {
        if (latch.try_lead(me.zk())) db.act(me);
        me.sleep(millis(100));
      }
    });
  } else {
    c.clients([&db](ClientCtx& me) {
      my_recipe::LeaderLatch latch("/latch");
      for (;;) {
        if (latch.try_lead(me.zk())) db.act(me, latch.token());
        me.sleep(millis(100));
      }
    });
  }
  c.eventually("a leader acts after the faults heal", [&db](const View& v) {
    return v.healed_at() && db.current_tenure() && db.current_tenure()->last > *v.healed_at();
  });
}

sim::FaultPlan plan_of(const std::string& text) {
  auto parsed = sim::parse_plan(text);
  return std::get<sim::FaultPlan>(parsed);
}

// Each client in turn paused for 4 s: longer than any session timeout, so
// whichever one leads is paused past its session once.
ClusterSpec paused_leaders_spec() {
  ClusterSpec spec;
  spec.servers = 3;
  spec.clients = 3;
  spec.seed = 7;
  spec.safety_phase = seconds(16);
  spec.plan = plan_of("at 1s pause c1 4s\nat 6s pause c2 4s\nat 11s pause c3 4s\n");
  return spec;
}

TEST(TestingApi, AFixedSpecRunsTheSameEveryTime) {
  std::uint64_t prints[3];
  for (int i = 0; i < 3; ++i) {
    ClusterSpec spec = paused_leaders_spec();
    if (i == 2) spec.seed = 8;
    Cluster c(spec);
    compose_latch(c, false);
    c.run();
    EXPECT_TRUE(c.ok()) << c.verdict() << ": " << c.message();
    prints[i] = c.fingerprint();
  }
  EXPECT_EQ(prints[0], prints[1]);
  EXPECT_NE(prints[0], prints[2]);
}

TEST(TestingApi, TheBrokenLatchActsBesideTheNextLeaderAndTheSoundOneDoesNot) {
  Cluster sound(paused_leaders_spec());
  compose_latch(sound, false);
  EXPECT_TRUE(sound.run()) << sound.verdict() << ": " << sound.message();

  Cluster broken(paused_leaders_spec());
  compose_latch(broken, true);
  EXPECT_FALSE(broken.run());
  EXPECT_EQ(broken.verdict(), "invariant");
  EXPECT_NE(broken.message().find("two holders act on /db at once"), std::string::npos) << broken.message();
}

// The broken latch as a RapidCheck property: a spec from gen_cluster(),
// the run, and the property's assertion.
void broken_latch_property() {
  Cluster c = gen_cluster();
  compose_latch(c, true);
  c.run();
  if (!c.ok()) RC_FAIL(c.verdict() + ": " + c.message());
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(TestingApi, RapidCheckCatchesTheBrokenLatchAndShrinksItToAFewFaults) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "zsim-testing-api-test";
  std::filesystem::remove_all(dir);
  ::setenv("ZSIM_REGRESSION_DIR", dir.c_str(), 1);
  rc::detail::TestParams params;
  params.seed = 1;
  params.maxSuccess = 50;
  const rc::detail::TestResult result = rc::detail::checkTestable(&broken_latch_property, rc::detail::TestMetadata{}, params);
  ::unsetenv("ZSIM_REGRESSION_DIR");
  rc::detail::FailureResult failure;
  ASSERT_TRUE(result.match(failure)) << "the broken latch passed 50 generated cases";

  // The counterexample RapidCheck prints: the spec, its plan, the replay command.
  std::string shown;
  for (const auto& [type, value] : failure.counterExample) shown += value;
  EXPECT_NE(shown.find("zsim cluster of TestingApi.RapidCheckCatchesTheBrokenLatchAndShrinksItToAFewFaults:"), std::string::npos) << shown;
  EXPECT_NE(shown.find("ZSIM_REPLAY="), std::string::npos) << shown;

  // The last failing run -- the smallest -- is the regression file.
  const std::filesystem::path file =
      dir / "TestingApi.RapidCheckCatchesTheBrokenLatchAndShrinksItToAFewFaults.plan";
  ASSERT_TRUE(std::filesystem::exists(file));
  const std::string text = read_file(file);
  EXPECT_NE(text.find("# expect: the property fails (run verdict: invariant)"), std::string::npos) << text;
  const ClusterSpec spec = read_regression(file.string());
  EXPECT_LE(spec.plan.events.size(), 5u) << text;
  std::istringstream plan_lines(sim::print_plan(spec.plan));
  for (std::string line; std::getline(plan_lines, line);) {
    EXPECT_NE(shown.find("  " + line + "\n"), std::string::npos) << "the printed plan lacks " << line << ":\n" << shown;
  }

  // Replayed from the file, through gen_cluster() as the test binary would.
  ::setenv("ZSIM_REPLAY", file.c_str(), 1);
  Cluster replay = gen_cluster();
  ::unsetenv("ZSIM_REPLAY");
  EXPECT_EQ(replay.spec().plan, spec.plan);
  compose_latch(replay, true);
  EXPECT_FALSE(replay.run());
  EXPECT_EQ(replay.verdict(), "invariant");
  std::filesystem::remove_all(dir);
}

TEST(TestingApi, GeneratedPlansAndEveryShrinkKeepTheFaultBudget) {
  const sim::PlanOptions options = plan_options(5, 3, FaultModel::everything(), seconds(20));
  std::vector<std::string> hosts = options.servers;
  hosts.insert(hosts.end(), options.clients.begin(), options.clients.end());
  const rc::Gen<sim::FaultPlan> gen = gen_fault_plan(options);
  std::size_t with_events = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const rc::Shrinkable<sim::FaultPlan> s = gen(rc::Random(seed), 100);
    const sim::FaultPlan plan = s.value();
    ASSERT_EQ(sim::validate_plan(plan, hosts, scenarios::crash_site_names()), "");
    ASSERT_EQ(sim::check_fault_budget(plan, options.servers, 2, options.duration), "");
    if (plan.events.empty()) continue;
    ++with_events;
    std::size_t shrinks = 0;
    bool removed_half = false;
    rc::Seq<rc::Shrinkable<sim::FaultPlan>> seq = s.shrinks();
    while (rc::Maybe<rc::Shrinkable<sim::FaultPlan>> next = seq.next()) {
      const sim::FaultPlan smaller = next->value();
      ++shrinks;
      EXPECT_EQ(sim::validate_plan(smaller, hosts, scenarios::crash_site_names()), "");
      EXPECT_EQ(sim::check_fault_budget(smaller, options.servers, 2, options.duration), "");
      EXPECT_LE(smaller.events.size(), plan.events.size());
      EXPECT_NE(smaller, plan);
      if (plan.events.size() >= 2 && smaller.events.size() <= (plan.events.size() + 1) / 2) removed_half = true;
    }
    EXPECT_GT(shrinks, 0u);
    if (plan.events.size() >= 2) {
      EXPECT_TRUE(removed_half) << "the first shrinks drop half the plan";
    }
  }
  EXPECT_GE(with_events, 15u);
}

TEST(TestingApi, RecordedHistoriesGoThroughTheChecker) {
  ClusterSpec spec;
  spec.servers = 3;
  spec.clients = 3;
  spec.seed = 11;
  spec.safety_phase = seconds(6);
  spec.plan = plan_of("at 1s pause c1 3s\nat 2s crash s1 for 2s\n");
  Cluster c(spec);
  History& h = c.history();
  c.clients(
      [&h](ClientCtx& me) {
        for (int i = 0; !me.stopping(); ++i) {
          const std::int64_t v = me.index() * 1000 + i;
          std::size_t op = h.invoke(me, "write", checkers::Value::of_int(v));
          auto w = me.zk().set_data("/reg", std::to_string(v));
          if (w.ok()) {
            h.ok(me, op, checkers::Value::nil());
          } else if (w.code() == core::Code::NoNode) {
            h.fail(me, op);
            // The register does not exist yet: creating it writes 0.
            op = h.invoke(me, "write", checkers::Value::of_int(0));
            auto created = me.zk().create("/reg", "0");
            if (created.ok()) {
              h.ok(me, op, checkers::Value::nil());
            } else if (created.code() == core::Code::NodeExists) {
              h.fail(me, op);
            } else {
              h.info(me, op);
            }
          } else {
            h.info(me, op);
          }
          op = h.invoke(me, "read", checkers::Value::nil());
          auto r = me.zk().get_data("/reg");
          if (r.ok()) {
            h.ok(me, op, checkers::Value::of_int(std::stoll(r->data)));
          } else {
            h.fail(me, op);  // a read that failed changed nothing
          }
          me.sleep(millis(50));
        }
      },
      Until::kBodyReturns);
  ASSERT_TRUE(c.run()) << c.verdict() << ": " << c.message();
  EXPECT_GT(h.size(), 20u);
  // ZooKeeper's reads may be stale (served by a lagging follower), so the
  // history keeps ZooKeeper's guarantee, not necessarily linearizability.
  const CheckReport report = c.check_history("register", true);
  EXPECT_TRUE(report.ok) << report.explanation;
}

TEST(TestingApi, MisuseIsAClearErrorNotACrash) {
  ClusterSpec spec = paused_leaders_spec();
  {
    Cluster c(spec);
    EXPECT_THROW(c.client(4, [](ClientCtx&) {}), std::out_of_range);
    c.client(1, [](ClientCtx&) {});
    try {
      c.run();
      ADD_FAILURE() << "ran with clients that have no body";
    } catch (const std::logic_error& e) {
      EXPECT_NE(std::string(e.what()).find("client c2 has no body"), std::string::npos) << e.what();
    }
  }
  {
    ClusterSpec bad = spec;
    bad.plan = plan_of("at 1s pause c9 1s\n");
    Cluster c(bad);
    compose_latch(c, false);
    EXPECT_THROW(c.run(), std::invalid_argument);
  }
  const std::filesystem::path file = std::filesystem::temp_directory_path() / "zsim-testing-api-bad.plan";
  std::ofstream(file) << "# zsim regression: property A.B, seed 3\n# cluster: servers 3\nat 1s pause c1 1s\n";
  try {
    read_regression(file.string());
    ADD_FAILURE() << "a malformed cluster line was read";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ":2:"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_regression((file.string() + ".missing")), std::runtime_error);
  std::filesystem::remove(file);
}

}  // namespace
}  // namespace zsim::testing
