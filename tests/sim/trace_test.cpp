// Trace, fingerprint and buggify: proves the text and JSON line formats
// (exact text, valid JSON with the same fields), that the fingerprint is
// computed from structured fields so it is the same with or without a sink
// and in either format, that it changes when any field changes, and that
// buggify() is a deterministic function of the seed that is always false
// when the run does not allow it.
#include "sim/trace.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace zsim::sim {
namespace {

using testing::LambdaProcess;
using testing::make_factory;

void emit(Trace& t) {
  t.event(time_from_ns(12'000'450'000), "s2", "zab.elected",
          {{"epoch", 3}, {"zxid", io::Hex{0x300000000}}, {"votes", "3/5"}, {"ok", true},
           {"note", "two words"}, {"n", std::uint64_t{18446744073709551615ULL}}, {"neg", std::int64_t{-4}}});
}

TEST(Trace, TextLineFormat) {
  Trace t;
  std::vector<std::string> lines;
  t.set_sink([&](std::string_view l, std::uint64_t) { lines.emplace_back(l); });
  emit(t);
  t.event(time_from_ns(0), "sim", "odd", {{"q", "say \"hi\"\\"}, {"empty", ""}, {"ctl", "a\nb"}});
  ASSERT_EQ(lines.size(), 2U);
  EXPECT_EQ(lines[0],
            "t=12.000450000 host=s2 ev=zab.elected epoch=3 zxid=0x300000000 votes=3/5 ok=true "
            "note=\"two words\" n=18446744073709551615 neg=-4");
  EXPECT_EQ(lines[1], R"(t=0.000000000 host=sim ev=odd q="say \"hi\"\\" empty="" ctl="a\x0ab")");
}

TEST(Trace, JsonLineFormat) {
  Trace t;
  std::vector<std::string> lines;
  t.set_sink([&](std::string_view l, std::uint64_t) { lines.emplace_back(l); }, TraceFormat::kJson);
  emit(t);
  t.event(time_from_ns(1), "sim", "bytes", {{"bad_utf8", "\xff\xfe"}});
  ASSERT_EQ(lines.size(), 2U);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["t"], "12.000450000");
  EXPECT_EQ(j["t_ns"], 12'000'450'000);
  EXPECT_EQ(j["host"], "s2");
  EXPECT_EQ(j["ev"], "zab.elected");
  EXPECT_EQ(j["epoch"], 3);
  EXPECT_EQ(j["zxid"], "0x300000000");
  EXPECT_EQ(j["votes"], "3/5");
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["note"], "two words");
  EXPECT_EQ(j["n"], 18446744073709551615ULL);
  EXPECT_EQ(j["neg"], -4);
  EXPECT_EQ(lines[0].rfind("{\"t\":\"12.000450000\",\"t_ns\":12000450000,\"host\":\"s2\",\"ev\":", 0), 0U);
  EXPECT_TRUE(nlohmann::json::accept(lines[1]));  // invalid UTF-8 replaced
}

TEST(Trace, FingerprintIgnoresTheSinkAndFormat) {
  Trace none, text, json;
  text.set_sink([](std::string_view, std::uint64_t) {});
  json.set_sink([](std::string_view, std::uint64_t) {}, TraceFormat::kJson);
  for (Trace* t : {&none, &text, &json}) {
    emit(*t);
    emit(*t);
  }
  EXPECT_EQ(none.fingerprint(), text.fingerprint());
  EXPECT_EQ(none.fingerprint(), json.fingerprint());
  EXPECT_EQ(none.events(), 2U);
}

TEST(Trace, FingerprintSeesEveryFieldAndTheOrder) {
  auto fp = [](auto&& body) {
    Trace t;
    body(t);
    return t.fingerprint();
  };
  const auto base = fp([](Trace& t) { t.event(time_from_ns(1), "a", "k", {{"x", 1}, {"y", "s"}}); });
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(2), "a", "k", {{"x", 1}, {"y", "s"}}); }));
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(1), "b", "k", {{"x", 1}, {"y", "s"}}); }));
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(1), "a", "j", {{"x", 1}, {"y", "s"}}); }));
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(1), "a", "k", {{"x", 2}, {"y", "s"}}); }));
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(1), "a", "k", {{"x", 1}, {"y", "t"}}); }));
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(1), "a", "k", {{"z", 1}, {"y", "s"}}); }));
  EXPECT_NE(base, fp([](Trace& t) { t.event(time_from_ns(1), "a", "k", {{"x", std::uint64_t{1}}, {"y", "s"}}); }));
  const auto ab = fp([](Trace& t) {
    t.event(time_from_ns(1), "a", "k", {});
    t.event(time_from_ns(1), "b", "k", {});
  });
  const auto ba = fp([](Trace& t) {
    t.event(time_from_ns(1), "b", "k", {});
    t.event(time_from_ns(1), "a", "k", {});
  });
  EXPECT_NE(ab, ba);
}

// A small world with traffic, used to compare whole runs.
std::uint64_t run_world(std::uint64_t seed, bool with_sink, std::vector<std::string>* lines = nullptr) {
  SimOptions o;
  o.seed = seed;
  o.network.datagram_loss = Ratio{1, 10};
  o.network.datagram_duplicate = Ratio{1, 10};
  Simulator sim(o);
  if (with_sink) {
    sim.trace().set_sink([lines](std::string_view l, std::uint64_t) {
      if (lines != nullptr) lines->emplace_back(l);
    });
  }
  sim.add_host("a", make_factory([](io::Env& env, LambdaProcess&) {
    env.net.bind(1, [&env](io::HostId from, io::Bytes b) { env.trace.event("got", {{"b", b}}); (void)from; });
    env.fibers.spawn("talker", [&env] {
      for (int i = 0; i < 20; ++i) {
        env.fibers.sleep(micros(100 + static_cast<std::int64_t>(env.random.below(1000))));
        env.net.send_datagram(1, 1, std::to_string(i));
      }
    });
  }));
  sim.add_host("b", make_factory([](io::Env& env, LambdaProcess&) {
    env.net.bind(1, [&env](io::HostId from, io::Bytes b) { env.net.send_datagram(from, 1, "re:" + b); });
  }));
  sim.start(0);
  sim.start(1);
  sim.run_for(seconds(1));
  return sim.fingerprint();
}

TEST(Trace, RunFingerprintIsTheSameWithAndWithoutASink) {
  std::vector<std::string> lines;
  const std::uint64_t without = run_world(5, false);
  const std::uint64_t with = run_world(5, true, &lines);
  EXPECT_EQ(without, with);
  EXPECT_GT(lines.size(), 40U);
  for (const auto& l : lines) {
    ASSERT_EQ(l.rfind("t=", 0), 0U) << l;
    EXPECT_NE(l.find(" host="), std::string::npos) << l;
    EXPECT_NE(l.find(" ev="), std::string::npos) << l;
  }
  EXPECT_NE(run_world(6, false), without);
}

TEST(Buggify, IsDeterministicPerSeed) {
  int enabled_runs = 0;
  int fired_total = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SimOptions o;
    o.seed = seed;
    Simulator one(o), two(o);
    ASSERT_EQ(one.buggify_enabled(), two.buggify_enabled());
    enabled_runs += one.buggify_enabled() ? 1 : 0;
    one.add_host("h", make_factory([](io::Env&, LambdaProcess&) {}));
    two.add_host("h", make_factory([](io::Env&, LambdaProcess&) {}));
    one.start(0);
    two.start(0);
    for (int i = 0; i < 200; ++i) {
      const std::string site = "site" + std::to_string(i % 10);
      const bool a = one.env(0).random.buggify(site);
      ASSERT_EQ(a, two.env(0).random.buggify(site)) << "seed " << seed;
      fired_total += a ? 1 : 0;
      if (!one.buggify_enabled()) {
        ASSERT_FALSE(a);
      }
    }
  }
  EXPECT_GT(enabled_runs, 5);    // about half the seeds enable it
  EXPECT_LT(enabled_runs, 35);
  EXPECT_GT(fired_total, 0);
}

TEST(Buggify, AnActiveSiteFiresOnlySometimes) {
  // Find a seed for which the site is active; it must fire now and then, not always.
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    SimOptions o;
    o.seed = seed;
    Simulator sim(o);
    sim.add_host("h", make_factory([](io::Env&, LambdaProcess&) {}));
    sim.start(0);
    int fired = 0;
    for (int i = 0; i < 400; ++i) fired += sim.env(0).random.buggify("test.site") ? 1 : 0;
    if (fired == 0) continue;  // buggify off, or this site inactive for this seed
    EXPECT_GT(fired, 50);
    EXPECT_LT(fired, 150);  // about 1 in 4
    return;
  }
  FAIL() << "no active buggify site in 40 seeds";
}

TEST(Buggify, IsAlwaysFalseWhenNotAllowed) {
  for (std::uint64_t seed = 1; seed <= 100; ++seed) {
    SimOptions o;
    o.seed = seed;
    o.allow_buggify = false;
    Simulator sim(o);
    EXPECT_FALSE(sim.buggify_enabled());
    sim.add_host("h", make_factory([](io::Env&, LambdaProcess&) {}));
    sim.start(0);
    for (int i = 0; i < 50; ++i) ASSERT_FALSE(sim.env(0).random.buggify("site" + std::to_string(i)));
  }
}

}  // namespace
}  // namespace zsim::sim
