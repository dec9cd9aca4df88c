// Hosts: proves what the Simulator promises about a host's life. A crash
// drops the host's timers and the messages in flight to it, and cuts its
// disk back to what was synced; a restart builds a new process over that
// disk; a pause holds everything addressed to the host and releases it, in
// order, when it ends; a clock offset, jump or drift changes the host's
// now() and its timers follow the drift. Tests use a constant network
// latency so every expected time can be computed by hand.
#include "core/io/future.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace zsim::sim {
namespace {

using testing::LambdaProcess;
using testing::make_factory;

TEST(Hosts, StartBuildsTheProcessAndTracesIt) {
  Simulator sim(testing::constant_latency_options(1));
  auto lines = testing::record_trace(sim);
  int built = 0;
  const auto h = sim.add_host("s1", make_factory([&](io::Env& env, LambdaProcess&) {
    ++built;
    EXPECT_EQ(env.host_name, "s1");
  }));
  EXPECT_FALSE(sim.host_info(h).up);
  EXPECT_EQ(sim.process(h), nullptr);
  sim.start(h);
  sim.start(h);  // already up: no second process
  EXPECT_EQ(built, 1);
  EXPECT_TRUE(sim.host_info(h).up);
  EXPECT_NE(sim.process(h), nullptr);
  EXPECT_EQ(sim.find_host("s1"), std::optional<io::HostId>{h});
  EXPECT_EQ(sim.find_host("nope"), std::nullopt);
  EXPECT_EQ(testing::count_containing(*lines, "host=s1 ev=host.start incarnation=1"), 1);
}

TEST(Hosts, CrashDropsTimersAndDestroysTheProcess) {
  Simulator sim(testing::constant_latency_options(1));
  int fired = 0;
  int destroyed = 0;
  io::TimerId timer = 0;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess& p) {
    p.on_destroy = [&] { ++destroyed; };
    timer = env.clock.schedule(millis(10), [&] { ++fired; });
    env.clock.schedule(millis(1), [&] { ++fired; });
  }));
  sim.start(h);
  sim.run_for(millis(5));
  EXPECT_EQ(fired, 1);
  sim.crash(h);
  EXPECT_EQ(destroyed, 1);
  EXPECT_FALSE(sim.host_info(h).up);
  EXPECT_EQ(sim.host_info(h).incarnation, 2U);
  // A dead host's Env does nothing: no timers, no sends.
  EXPECT_EQ(sim.env(h).clock.schedule(millis(1), [&] { fired += 100; }), 0U);
  const io::TimerId old_timer = timer;  // still pending in the loop (due at 10ms)
  sim.restart(h);  // the new process schedules its own two timers
  ASSERT_NE(timer, old_timer);
  // Ids of the previous life, or of events that are not this host's timers,
  // cannot be cancelled through the new process's clock.
  EXPECT_FALSE(sim.env(h).clock.cancel(old_timer));
  bool sim_event_ran = false;
  sim.at(millis(1), [&] { sim_event_ran = true; });
  const EventId not_a_timer = sim.loop().schedule_after(millis(1), [] {});
  EXPECT_FALSE(sim.env(h).clock.cancel(not_a_timer));
  EXPECT_TRUE(sim.env(h).clock.cancel(timer));  // its own: yes
  sim.run_for(millis(20));
  EXPECT_TRUE(sim_event_ran);
  EXPECT_EQ(fired, 2);  // the old 10ms timer was dropped; the new 1ms one fired
}

TEST(Hosts, CrashDropsMessagesInFlightToTheHost) {
  Simulator sim(testing::constant_latency_options(1, millis(10)));
  std::vector<std::string> received;
  const auto receiver = sim.add_host("r", make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.bind(9, [&](io::HostId, io::Bytes b) { received.push_back(b); });
  }));
  const auto sender = sim.add_host("s", make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.send_datagram(0, 9, "before-crash");       // arrives at 10ms
    env.clock.schedule(millis(8), [&env] { env.net.send_datagram(0, 9, "after-restart"); });  // 18ms
  }));
  sim.start(receiver);
  sim.start(sender);
  sim.at(millis(5), [&] {
    sim.crash(receiver);
    sim.restart(receiver);  // up again, with its port bound, before the arrival
  });
  sim.run_for(seconds(1));
  EXPECT_EQ(received, std::vector<std::string>{"after-restart"});
}

TEST(Hosts, RestartBuildsANewProcessOverTheSurvivingDisk) {
  SimOptions o = testing::constant_latency_options(1);
  o.disk.torn_writes = false;  // exact: only synced bytes survive
  Simulator sim(o);
  std::vector<std::optional<std::string>> seen_at_start;
  bool synced = false;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    seen_at_start.push_back(env.disk.read("log"));
    if (seen_at_start.size() > 1) return;
    env.disk.append("log", "durable;");
    env.disk.sync("log", [&env, &synced](bool ok) {
      EXPECT_TRUE(ok);
      synced = true;
      env.disk.append("log", "volatile;");
    });
  }));
  sim.start(h);
  sim.run_for(millis(10));
  ASSERT_TRUE(synced);
  EXPECT_EQ(sim.disk(h).read("log"), std::optional<std::string>{"durable;volatile;"});
  sim.crash(h);
  sim.restart(h);
  ASSERT_EQ(seen_at_start.size(), 2U);
  EXPECT_EQ(seen_at_start[0], std::nullopt);
  EXPECT_EQ(seen_at_start[1], std::optional<std::string>{"durable;"});
  EXPECT_EQ(sim.host_info(h).incarnation, 2U);
}

TEST(Hosts, PauseHoldsEverythingThenReleasesItInOrder) {
  Simulator sim(testing::constant_latency_options(1, millis(1)));
  std::vector<std::pair<std::string, std::int64_t>> log;
  const auto a = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.bind(9, [&](io::HostId, io::Bytes b) { log.emplace_back(b, to_ns(env.clock.now())); });
    env.clock.schedule(millis(15), [&] { log.emplace_back("timer", to_ns(env.clock.now())); });
  }));
  const auto b = sim.add_host("b", make_factory([&](io::Env& env, LambdaProcess&) {
    for (int i = 0; i < 4; ++i) {
      env.clock.schedule(millis(10 + 3 * i), [&env, i] { env.net.send_datagram(0, 9, "m" + std::to_string(i)); });
    }
  }));
  sim.start(a);
  sim.start(b);
  sim.at(millis(10), [&] { sim.pause(a, millis(20)); });  // paused over [10ms, 30ms)
  sim.run_for(millis(29));
  EXPECT_TRUE(log.empty());
  EXPECT_TRUE(sim.host_info(a).paused);
  sim.run_for(seconds(1));
  EXPECT_FALSE(sim.host_info(a).paused);
  // m0 due 11ms, m1 14ms, timer 15ms, m2 17ms, m3 20ms: all at 30ms, in that order.
  const std::vector<std::pair<std::string, std::int64_t>> want = {
      {"m0", 30'000'000}, {"m1", 30'000'000}, {"timer", 30'000'000}, {"m2", 30'000'000}, {"m3", 30'000'000}};
  EXPECT_EQ(log, want);
}

TEST(Hosts, HeldEventsRunBeforeEventsDueAtTheInstantThePauseEnds) {
  // A stream message that falls due exactly when the pause ends must not
  // overtake messages of the same connection that were held by the pause.
  Simulator sim(testing::constant_latency_options(1, millis(1)));
  std::vector<std::string> got;
  const auto server = sim.add_host("srv", make_factory([&](io::Env& env, LambdaProcess&) {
    env.net.listen(80, [&](io::ConnId, io::HostId) {
      io::StreamHandlers hs;
      hs.on_message = [&](io::Bytes b) { got.push_back(b); };
      hs.on_closed = [](io::CloseReason) {};
      return hs;
    });
  }));
  io::ConnId conn = 0;
  const auto client = sim.add_host("cli", make_factory([&](io::Env& env, LambdaProcess&) {
    io::StreamHandlers hs;
    hs.on_message = [](io::Bytes) {};
    hs.on_closed = [](io::CloseReason) {};
    conn = env.net.connect(0, 80, std::move(hs), [](io::ConnId) {});
  }));
  sim.start(server);
  sim.start(client);
  sim.run_for(millis(10));  // connected at 2ms; now 10ms
  io::Env& c = sim.env(client);
  // At 11ms: "first", due at 12ms. At 12ms (before that delivery): pause the
  // server until 22ms, then "second", due at 13ms. Both are held. At 21ms:
  // "third", due at 22ms, the very instant the pause ends.
  sim.at(millis(1), [&] { ASSERT_TRUE(c.net.send(conn, "first")); });
  sim.at(millis(2), [&] {
    sim.pause(server, millis(10));
    ASSERT_TRUE(c.net.send(conn, "second"));
  });
  sim.at(millis(11), [&] { ASSERT_TRUE(c.net.send(conn, "third")); });
  sim.run_for(millis(100));
  EXPECT_EQ(got, (std::vector<std::string>{"first", "second", "third"}));
}

TEST(Hosts, AnExtendedPauseEndsAtTheLaterTime) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::int64_t> fired;
  const auto a = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.clock.schedule(millis(5), [&] { fired.push_back(to_ns(env.clock.now())); });
  }));
  sim.start(a);
  sim.pause(a, millis(10));
  sim.at(millis(2), [&] { sim.pause(a, millis(20)); });  // until 22ms
  sim.at(millis(3), [&] { sim.pause(a, millis(1)); });   // shorter: no effect
  sim.run_for(seconds(1));
  EXPECT_EQ(fired, std::vector<std::int64_t>{22'000'000});
}

TEST(Hosts, CrashDuringAPauseDropsWhatWasHeld) {
  Simulator sim(testing::constant_latency_options(1));
  int fired = 0;
  const auto a = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.clock.schedule(millis(5), [&] { ++fired; });
  }));
  sim.start(a);
  sim.pause(a, millis(10));
  sim.at(millis(7), [&] { sim.crash(a); });
  sim.at(millis(8), [&] { sim.restart(a); });  // a new 5ms timer: 13ms
  sim.run_for(millis(12));
  EXPECT_EQ(fired, 0);
  EXPECT_FALSE(sim.host_info(a).paused);
  sim.run_for(seconds(1));
  EXPECT_EQ(fired, 1);
}

TEST(Hosts, ClockJumpShiftsNowButNotOtherHosts) {
  Simulator sim(testing::constant_latency_options(1));
  const auto a = sim.add_host("a", make_factory([](io::Env&, LambdaProcess&) {}));
  const auto b = sim.add_host("b", make_factory([](io::Env&, LambdaProcess&) {}));
  sim.start(a);
  sim.start(b);
  testing::advance(sim, millis(100));
  sim.clock_jump(a, seconds(5));
  EXPECT_EQ(to_ns(sim.env(a).clock.now()), 5'100'000'000);
  EXPECT_EQ(to_ns(sim.env(b).clock.now()), 100'000'000);
  sim.clock_jump(a, -seconds(6));  // back in time, before zero
  EXPECT_EQ(to_ns(sim.env(a).clock.now()), -900'000'000);
  EXPECT_EQ(format_time(sim.env(a).clock.now()), "-0.900000000");
  testing::advance(sim, millis(100));
  EXPECT_EQ(to_ns(sim.env(a).clock.now()), -800'000'000);
}

TEST(Hosts, TimersAndSleepsFollowDrift) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::pair<std::string, std::int64_t>> fired;  // (what, global ns)
  const auto fast = sim.add_host("fast", make_factory([](io::Env&, LambdaProcess&) {}));
  const auto slow = sim.add_host("slow", make_factory([](io::Env&, LambdaProcess&) {}));
  sim.set_clock_drift(fast, 100'000);   // runs 10% fast
  sim.set_clock_drift(slow, -100'000);  // runs 10% slow
  sim.start(fast);
  sim.start(slow);
  testing::advance(sim, seconds(1));
  EXPECT_EQ(to_ns(sim.env(fast).clock.now()), 1'100'000'000);
  EXPECT_EQ(to_ns(sim.env(slow).clock.now()), 900'000'000);
  // 110ms on the fast clock is 100ms of real time; 90ms on the slow one too.
  sim.env(fast).clock.schedule(millis(110), [&] { fired.emplace_back("fast-timer", to_ns(sim.now())); });
  sim.env(slow).clock.schedule(millis(90), [&] { fired.emplace_back("slow-timer", to_ns(sim.now())); });
  sim.env(slow).fibers.spawn("sleeper", [&] {
    sim.env(slow).fibers.sleep(millis(45));
    fired.emplace_back("slow-sleep", to_ns(sim.now()));
  });
  sim.run_for(seconds(1));
  const std::vector<std::pair<std::string, std::int64_t>> want = {
      {"slow-sleep", 1'050'000'000}, {"fast-timer", 1'100'000'000}, {"slow-timer", 1'100'000'000}};
  EXPECT_EQ(fired, want);
  // A timer never fires early by its own clock, even when the ratio rounds.
  sim.set_clock_drift(slow, -333'333);
  const Time local_start = sim.env(slow).clock.now();
  Time local_fired{};
  sim.env(slow).clock.schedule(Duration{1'000'003}, [&] { local_fired = sim.env(slow).clock.now(); });
  sim.run_for(seconds(1));
  EXPECT_GE((local_fired - local_start).count(), 1'000'003);
}

TEST(Hosts, DriftChangesKeepTheClockContinuous) {
  Simulator sim(testing::constant_latency_options(1));
  const auto a = sim.add_host("a", make_factory([](io::Env&, LambdaProcess&) {}));
  sim.start(a);
  sim.set_clock_drift(a, 500'000);  // 1.5x
  testing::advance(sim, millis(100));
  EXPECT_EQ(to_ns(sim.env(a).clock.now()), 150'000'000);
  sim.set_clock_drift(a, 0);
  EXPECT_EQ(to_ns(sim.env(a).clock.now()), 150'000'000);
  testing::advance(sim, millis(100));
  EXPECT_EQ(to_ns(sim.env(a).clock.now()), 250'000'000);
}

TEST(Hosts, HealAllRestartsCrashedHostsAndEndsPauses) {
  Simulator sim(testing::constant_latency_options(1));
  const auto a = sim.add_host("a", make_factory([](io::Env&, LambdaProcess&) {}));
  const auto b = sim.add_host("b", make_factory([](io::Env&, LambdaProcess&) {}));
  const auto never = sim.add_host("never", make_factory([](io::Env&, LambdaProcess&) {}));
  sim.start(a);
  sim.start(b);
  sim.crash(a);
  sim.pause(b, seconds(100));
  sim.network().set_blocked(a, b, true);
  sim.heal_all();
  EXPECT_TRUE(sim.host_info(a).up);
  EXPECT_FALSE(sim.host_info(b).paused);
  EXPECT_FALSE(sim.host_info(never).up);  // never started: not a crash to heal
  EXPECT_FALSE(sim.network().is_blocked(a, b));
}

}  // namespace
}  // namespace zsim::sim
