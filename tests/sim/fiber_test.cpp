// Fibers: proves that fibers start from the loop in spawn order (never
// inline), that sleep / Promise / Future / wait_for / select park and resume
// a fiber at exactly the simulated time they should, that a promise dying
// unfulfilled breaks its future, that a host crash destroys its fibers by
// unwinding their stacks (destructors run), and that an exception escaping a
// fiber fails the run with a report that names the host. Each test runs a
// small Simulator and records what the fibers saw and when.
#include "core/io/future.h"
#include "sim/fiber.h"
#include "sim_test_util.h"

#include <gtest/gtest.h>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace zsim::sim {
namespace {

using testing::LambdaProcess;
using testing::make_factory;

TEST(Fibers, StartFromTheLoopInSpawnOrder) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::string> log;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    for (const char* name : {"f1", "f2", "f3"}) {
      env.fibers.spawn(name, [&log, name, &env] {
        EXPECT_TRUE(env.fibers.in_fiber());
        log.push_back(name);
      });
    }
    log.push_back("init-done");
    EXPECT_FALSE(env.fibers.in_fiber());
  }));
  sim.start(h);
  EXPECT_EQ(log, std::vector<std::string>{"init-done"});
  EXPECT_EQ(sim.fibers().live_fibers(), 3U);
  sim.run_for(millis(1));
  EXPECT_EQ(log, (std::vector<std::string>{"init-done", "f1", "f2", "f3"}));
  EXPECT_EQ(sim.fibers().live_fibers(), 0U);
  EXPECT_FALSE(sim.failure().has_value());
}

TEST(Fibers, SleepsInterleaveByTime) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::pair<std::string, std::int64_t>> log;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.fibers.spawn("slow", [&] {
      env.fibers.sleep(millis(30));
      log.emplace_back("slow", to_ns(env.clock.now()));
    });
    env.fibers.spawn("fast", [&] {
      for (int i = 0; i < 3; ++i) {
        env.fibers.sleep(millis(10));
        log.emplace_back("fast", to_ns(env.clock.now()));
      }
    });
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  // At 30ms both are due; "slow" parked first (its timer was scheduled first).
  const std::vector<std::pair<std::string, std::int64_t>> want = {
      {"fast", 10'000'000}, {"fast", 20'000'000}, {"slow", 30'000'000}, {"fast", 30'000'000}};
  EXPECT_EQ(log, want);
}

TEST(Fibers, PromiseWakesEveryWaiterWithTheValue) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::pair<int, std::int64_t>> got;
  std::optional<io::Promise<int>> promise;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    promise.emplace(env.fibers);
    for (int w = 0; w < 2; ++w) {
      env.fibers.spawn("waiter", [&, f = promise->future()]() mutable {
        const int v = f.get();
        got.emplace_back(v, to_ns(env.clock.now()));
      });
    }
    env.clock.schedule(millis(5), [&] { promise->set(42); });
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  const std::vector<std::pair<int, std::int64_t>> want = {{42, 5'000'000}, {42, 5'000'000}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(promise->is_set());
  EXPECT_FALSE(promise->try_set(7));  // racing completion: a no-op
  // A ready future returns at once, even outside a fiber.
  EXPECT_EQ(promise->future().get(), 42);
  promise.reset();
}

TEST(Fibers, WaitForTimesOutOrReturnsWhenSet) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::pair<bool, std::int64_t>> got;
  std::optional<io::Promise<int>> promise;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    promise.emplace(env.fibers);
    env.fibers.spawn("waiter", [&, f = promise->future()]() mutable {
      { const bool r = f.wait_for(millis(10)); got.emplace_back(r, to_ns(env.clock.now())); }  // times out at 10ms
      { const bool r = f.wait_for(millis(10)); got.emplace_back(r, to_ns(env.clock.now())); }  // set at 15ms
      { const bool r = f.wait_for(millis(10)); got.emplace_back(r, to_ns(env.clock.now())); }  // ready: no wait
    });
    env.clock.schedule(millis(15), [&] { promise->set(1); });
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  const std::vector<std::pair<bool, std::int64_t>> want = {
      {false, 10'000'000}, {true, 15'000'000}, {true, 15'000'000}};
  EXPECT_EQ(got, want);
  promise.reset();
}

TEST(Fibers, SelectReturnsTheFirstReadyOrTimesOut) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::pair<std::optional<std::size_t>, std::int64_t>> got;
  std::optional<io::Promise<int>> p0, p1;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    p0.emplace(env.fibers);
    p1.emplace(env.fibers);
    env.fibers.spawn("selector", [&, f0 = p0->future(), f1 = p1->future()]() mutable {
      { const auto r = io::select(millis(3), f0, f1); got.emplace_back(r, to_ns(env.clock.now())); }  // timeout
      { const auto r = io::select(std::nullopt, f0, f1); got.emplace_back(r, to_ns(env.clock.now())); }  // p1 at 7ms
      { const auto r = io::select(std::nullopt, f0, f1); got.emplace_back(r, to_ns(env.clock.now())); }  // ready now
      { const auto r = io::select(std::nullopt, f0); got.emplace_back(r, to_ns(env.clock.now())); }      // p0 at 9ms
    });
    env.clock.schedule(millis(7), [&] { p1->set(1); });
    env.clock.schedule(millis(9), [&] { p0->set(0); });
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  ASSERT_EQ(got.size(), 4U);
  EXPECT_EQ(got[0].first, std::nullopt);
  EXPECT_EQ(got[0].second, 3'000'000);
  EXPECT_EQ(got[1].first, std::optional<std::size_t>{1});
  EXPECT_EQ(got[1].second, 7'000'000);
  EXPECT_EQ(got[2].first, std::optional<std::size_t>{1});
  EXPECT_EQ(got[2].second, 7'000'000);
  EXPECT_EQ(got[3].first, std::optional<std::size_t>{0});
  EXPECT_EQ(got[3].second, 9'000'000);
  p0.reset();
  p1.reset();
}

TEST(Fibers, ADeadPromiseBreaksItsFuture) {
  Simulator sim(testing::constant_latency_options(1));
  std::string what;
  std::int64_t when = -1;
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    io::Promise<int> p(env.fibers);
    env.fibers.spawn("waiter", [&, f = p.future()]() mutable {
      try {
        (void)f.get();
      } catch (const io::BrokenPromise& e) {
        what = e.what();
        when = to_ns(env.clock.now());
      }
    });
    // The only copy of the promise lives in a timer that is cancelled.
    const io::TimerId t = env.clock.schedule(millis(50), [p]() mutable { p.set(1); });
    env.clock.schedule(millis(4), [&env, t] { env.clock.cancel(t); });
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  EXPECT_EQ(what, "a promise was destroyed unfulfilled");
  EXPECT_EQ(when, 4'000'000);
  EXPECT_FALSE(sim.failure().has_value());
}

TEST(Fibers, AnEscapingBrokenPromiseFailsTheRun) {
  Simulator sim(testing::constant_latency_options(77));
  const auto h = sim.add_host("victim", make_factory([&](io::Env& env, LambdaProcess&) {
    io::Promise<int> p(env.fibers);
    env.fibers.spawn("waiter", [f = p.future()]() mutable { (void)f.get(); });
    env.clock.schedule(millis(2), [p] {});  // the last copy dies when this runs
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  ASSERT_TRUE(sim.failure().has_value());
  EXPECT_EQ(sim.failure()->verdict, Verdict::kCrash);
  EXPECT_EQ(sim.failure()->host, "victim");
  EXPECT_NE(sim.failure()->message.find("BrokenPromise"), std::string::npos) << sim.failure()->message;
}

TEST(Fibers, AnEscapingExceptionFailsTheRunWithAReportNamingTheHost) {
  Simulator sim(testing::constant_latency_options(1234));
  int after_throw_events = 0;
  const auto h = sim.add_host("s2", make_factory([&](io::Env& env, LambdaProcess&) {
    env.fibers.spawn("worker", [&env] {
      env.fibers.sleep(millis(3));
      throw std::runtime_error("boom in the worker");
    });
    env.clock.schedule(millis(100), [&] { ++after_throw_events; });
  }));
  sim.start(h);
  EXPECT_EQ(sim.run_for(seconds(1)), StopReason::kStopped);
  ASSERT_TRUE(sim.failure().has_value());
  const Failure& f = *sim.failure();
  EXPECT_EQ(f.verdict, Verdict::kCrash);
  EXPECT_EQ(f.host, "s2");
  EXPECT_EQ(to_ns(f.at), 3'000'000);
  EXPECT_NE(f.message.find("on host s2"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("s2/worker"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("boom in the worker"), std::string::npos) << f.message;
  EXPECT_EQ(after_throw_events, 0);  // the run stopped
  EXPECT_EQ(sim.describe_position().rfind("seed=1234 t=0.003000000", 0), 0U) << sim.describe_position();
  // A failed run does not run again.
  EXPECT_EQ(sim.run_for(seconds(1)), StopReason::kStopped);
}

// Counts live instances; the destructor records whether it ran in a fiber.
struct Guard {
  Guard(int& live, std::vector<bool>& in_fiber_at_dtor, io::Fibers& f)
      : live_(live), log_(in_fiber_at_dtor), fibers_(f) {
    ++live_;
  }
  ~Guard() {
    --live_;
    log_.push_back(fibers_.in_fiber());
  }
  Guard(const Guard&) = delete;
  Guard& operator=(const Guard&) = delete;
  int& live_;
  std::vector<bool>& log_;
  io::Fibers& fibers_;
};

TEST(Fibers, ACrashUnwindsTheStacksOfItsFibers) {
  Simulator sim(testing::constant_latency_options(1));
  int live = 0;
  int resumed = 0;
  int other_host_ticks = 0;
  std::vector<bool> dtor_in_fiber;
  auto parked_forever = std::make_shared<std::optional<io::Promise<int>>>();
  const auto a = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    parked_forever->emplace(env.fibers);
    env.fibers.spawn("sleeper", [&] {
      Guard g(live, dtor_in_fiber, env.fibers);
      env.fibers.sleep(seconds(10));
      ++resumed;
    });
    env.fibers.spawn("waiter", [&, f = (*parked_forever)->future()]() mutable {
      Guard g(live, dtor_in_fiber, env.fibers);
      {
        Guard nested(live, dtor_in_fiber, env.fibers);
        (void)f.get();
      }
      ++resumed;
    });
  }));
  const auto b = sim.add_host("b", make_factory([&](io::Env& env, LambdaProcess&) {
    env.fibers.spawn("ticker", [&] {
      for (int i = 0; i < 20; ++i) {
        env.fibers.sleep(millis(10));
        ++other_host_ticks;
      }
    });
  }));
  sim.start(a);
  sim.start(b);
  sim.run_for(millis(50));
  EXPECT_EQ(live, 3);
  EXPECT_EQ(sim.fibers().live_fibers(), 3U);
  sim.crash(a);
  EXPECT_EQ(live, 0);
  EXPECT_EQ(dtor_in_fiber, (std::vector<bool>{true, true, true}));
  EXPECT_EQ(sim.fibers().live_fibers(), 1U);  // b's ticker survives
  // The promise outlives the crash; setting it now wakes nobody.
  (*parked_forever)->set(5);
  sim.run_for(seconds(20));
  EXPECT_EQ(resumed, 0);
  EXPECT_EQ(other_host_ticks, 20);
  // Unwinding switched stacks behind the sanitizer's back; exceptions on
  // the loop's stack and in a new fiber must still work (ASan checks).
  EXPECT_THROW(throw std::runtime_error("after unwind"), std::runtime_error);
  sim.restart(a);
  sim.run_for(millis(1));
  EXPECT_EQ(live, 3);
  sim.crash(a);
  EXPECT_EQ(live, 0);
  EXPECT_FALSE(sim.failure().has_value());
  parked_forever->reset();
}

TEST(Fibers, ARestartedHostGetsFreshFibers) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::string> log;
  const auto a = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.fibers.spawn("main", [&] {
      log.push_back("start@" + format_time(env.clock.now()));
      env.fibers.sleep(millis(100));
      log.push_back("woke@" + format_time(env.clock.now()));
    });
  }));
  sim.start(a);
  sim.at(millis(50), [&] { sim.crash(a); });
  sim.at(millis(60), [&] { sim.restart(a); });
  sim.run_for(seconds(1));
  EXPECT_EQ(log, (std::vector<std::string>{"start@0.000000000", "start@0.060000000", "woke@0.160000000"}));
}

TEST(Fibers, StaleWakersDoNothing) {
  Simulator sim(testing::constant_latency_options(1));
  std::vector<std::pair<bool, std::int64_t>> got;
  io::Waker first{};
  const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
    env.fibers.spawn("parker", [&] {
      first = env.fibers.waker();
      EXPECT_TRUE(env.fibers.is_current(first));
      { const bool r = env.fibers.park(millis(10)); got.emplace_back(r, to_ns(env.clock.now())); }  // woken at 2ms
      EXPECT_FALSE(env.fibers.is_current(first));
      { const bool r = env.fibers.park(millis(10)); got.emplace_back(r, to_ns(env.clock.now())); }  // times out at 12ms
    });
    env.clock.schedule(millis(2), [&] {
      env.fibers.wake(first);
      env.fibers.wake(first);  // a second wake of the same park is harmless
    });
    env.clock.schedule(millis(5), [&] { env.fibers.wake(first); });  // stale by now
  }));
  sim.start(h);
  sim.run_for(seconds(1));
  const std::vector<std::pair<bool, std::int64_t>> want = {{true, 2'000'000}, {false, 12'000'000}};
  EXPECT_EQ(got, want);
}

TEST(Fibers, TearDownWithParkedFibersAndPendingPromisesIsClean) {
  // The run ends while a fiber waits on a promise whose only copy sits in a
  // pending timer, and another waits on a promise held by a stream handler:
  // destroying the simulator must unwind the fibers and drop the promises
  // without touching freed hosts (ASan checks this).
  int unwound = 0;
  std::vector<bool> ignored;
  {
    Simulator sim(testing::constant_latency_options(1));
    const auto h = sim.add_host("a", make_factory([&](io::Env& env, LambdaProcess&) {
      io::Promise<int> in_timer(env.fibers);
      io::Promise<int> in_handler(env.fibers);
      env.fibers.spawn("w1", [&, f = in_timer.future()]() mutable {
        Guard g(unwound, ignored, env.fibers);
        (void)f.get();
      });
      env.fibers.spawn("w2", [&, f = in_handler.future()]() mutable {
        Guard g(unwound, ignored, env.fibers);
        (void)f.get();
      });
      env.clock.schedule(seconds(100), [in_timer]() mutable { in_timer.set(1); });
      env.net.bind(5, [in_handler](io::HostId, io::Bytes) mutable { in_handler.try_set(2); });
    }));
    sim.start(h);
    sim.run_for(millis(10));
    EXPECT_EQ(unwound, 2);  // Guard counts live instances
    EXPECT_FALSE(sim.failure().has_value());
  }
  EXPECT_EQ(unwound, 0);
}

TEST(FiberScheduler, WorksOnABareLoop) {
  EventLoop loop;
  std::vector<std::string> failures;
  FiberScheduler fibers(loop, FiberOptions{}, [&](std::uint32_t, const std::string& w) { failures.push_back(w); });
  int pings = 0;
  io::Waker pong_waker{};
  fibers.spawn(EventTag{}, "pong", [&] {
    for (;;) {
      pong_waker = fibers.waker();
      if (!fibers.park(std::nullopt)) break;
      ++pings;
    }
  });
  fibers.spawn(EventTag{}, "ping", [&] {
    for (int i = 0; i < 100; ++i) {
      fibers.wake(pong_waker);
      fibers.park(Duration{1});
    }
  });
  loop.run(time_from_ns(INT64_MAX), 10'000);
  EXPECT_EQ(pings, 100);
  EXPECT_TRUE(failures.empty());
  EXPECT_EQ(fibers.live_fibers(), 1U);  // pong parks forever; destroyed with the scheduler
}

}  // namespace
}  // namespace zsim::sim
