// EventLoop: proves events run in (time, sequence) order, that the loop jumps
// straight to the next event, that cancel destroys the callback at once and
// the event never runs, that the time and event budgets and stop() end run()
// where they promise, and that the gate's hold / requeue / drop decisions
// are honoured. Each test drives a bare loop and records what ran.
#include "sim/event_loop.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace zsim::sim {
namespace {

TEST(EventLoop, RunsByTimeThenBySchedulingOrder) {
  EventLoop loop;
  std::vector<std::string> ran;
  loop.schedule_at(time_from_ns(30), [&] { ran.push_back("c30"); });
  loop.schedule_at(time_from_ns(10), [&] { ran.push_back("a10"); });
  loop.schedule_at(time_from_ns(20), [&] { ran.push_back("b20-1"); });
  loop.schedule_at(time_from_ns(20), [&] { ran.push_back("b20-2"); });
  loop.schedule_at(time_from_ns(10), [&] { ran.push_back("a10-2"); });
  EXPECT_EQ(loop.run(time_from_ns(1000), UINT64_MAX), StopReason::kIdle);
  EXPECT_EQ(ran, (std::vector<std::string>{"a10", "a10-2", "b20-1", "b20-2", "c30"}));
  EXPECT_EQ(to_ns(loop.now()), 30);  // idle: time stops at the last event
  EXPECT_EQ(loop.events_run(), 5U);
}

TEST(EventLoop, JumpsToEachEventAndClampsThePast) {
  EventLoop loop;
  std::vector<std::int64_t> seen;
  loop.schedule_at(time_from_ns(1'000'000'000), [&] {
    seen.push_back(to_ns(loop.now()));
    // The past is now; a zero delay runs after what is already due now.
    loop.schedule_at(time_from_ns(5), [&] { seen.push_back(to_ns(loop.now())); });
    loop.schedule_after(Duration{-7}, [&] { seen.push_back(-to_ns(loop.now())); });
  });
  loop.run(time_from_ns(INT64_MAX), UINT64_MAX);
  EXPECT_EQ(seen, (std::vector<std::int64_t>{1'000'000'000, 1'000'000'000, -1'000'000'000}));
}

TEST(EventLoop, EventsScheduledWhileRunningInterleaveCorrectly) {
  EventLoop loop;
  std::vector<int> ran;
  loop.schedule_at(time_from_ns(10), [&] {
    ran.push_back(1);
    loop.schedule_at(time_from_ns(10), [&] { ran.push_back(3); });  // same instant: after 2
    loop.schedule_at(time_from_ns(15), [&] { ran.push_back(4); });
  });
  loop.schedule_at(time_from_ns(10), [&] { ran.push_back(2); });
  loop.schedule_at(time_from_ns(20), [&] { ran.push_back(5); });
  loop.run(time_from_ns(100), UINT64_MAX);
  EXPECT_EQ(ran, (std::vector<int>{1, 2, 3, 4, 5}));
}

TEST(EventLoop, CancelDestroysTheCallbackAndItNeverRuns) {
  EventLoop loop;
  auto token = std::make_shared<int>(0);
  bool ran = false;
  const EventId id = loop.schedule_at(time_from_ns(10), [&ran, token] { ran = true; });
  EXPECT_NE(id, 0U);
  EXPECT_EQ(token.use_count(), 2);
  EXPECT_EQ(loop.pending(), 1U);
  EXPECT_TRUE(loop.cancel(id));
  EXPECT_EQ(token.use_count(), 1);  // destroyed at cancel time
  EXPECT_EQ(loop.pending(), 0U);
  EXPECT_FALSE(loop.cancel(id));  // twice
  EXPECT_FALSE(loop.cancel(0));
  EXPECT_FALSE(loop.cancel(EventId{999} << 32));  // never existed
  EXPECT_EQ(loop.run(time_from_ns(100), UINT64_MAX), StopReason::kIdle);
  EXPECT_FALSE(ran);
  EXPECT_EQ(loop.events_run(), 0U);
}

// Schedules `n` events from its destructor (like a Promise that wakes its
// waiters when it dies).
struct SchedulesWhenDestroyed {
  EventLoop* loop;
  int n;
  int* ran;
  SchedulesWhenDestroyed(EventLoop* l, int count, int* r) : loop(l), n(count), ran(r) {}
  SchedulesWhenDestroyed(SchedulesWhenDestroyed&& o) noexcept : loop(o.loop), n(o.n), ran(o.ran) { o.n = 0; }
  SchedulesWhenDestroyed(const SchedulesWhenDestroyed&) = delete;
  ~SchedulesWhenDestroyed() {
    for (int i = 0; i < n; ++i) loop->schedule_after(Duration{1}, [r = ran] { ++*r; });
  }
};

TEST(EventLoop, ACallbackDestructorMaySchedule) {
  // Cancelling (or dropping) an event destroys its callback; the destructor
  // may schedule enough events to reallocate the loop's tables (ASan checks
  // that nothing touches the old ones).
  EventLoop loop;
  int ran = 0;
  const EventId id = loop.schedule_at(time_from_ns(5), [keep = SchedulesWhenDestroyed(&loop, 5000, &ran)] {});
  EXPECT_TRUE(loop.cancel(id));
  EXPECT_EQ(loop.pending(), 5000U);
  loop.run(time_from_ns(100), UINT64_MAX);
  EXPECT_EQ(ran, 5000);
  // clear() drops everything, including what destructors schedule meanwhile.
  loop.schedule_at(time_from_ns(500), [keep = SchedulesWhenDestroyed(&loop, 3000, &ran)] {});
  loop.schedule_at(time_from_ns(600), [] {});
  loop.clear();
  EXPECT_EQ(loop.pending(), 0U);
  EXPECT_EQ(loop.run(time_from_ns(1000), UINT64_MAX), StopReason::kIdle);
  EXPECT_EQ(ran, 5000);
}

TEST(EventLoop, CancelAfterRunFailsAndAReusedSlotIsNotCancelledByAnOldId) {
  EventLoop loop;
  int ran = 0;
  const EventId first = loop.schedule_at(time_from_ns(1), [&] { ++ran; });
  loop.run(time_from_ns(1), UINT64_MAX);
  EXPECT_FALSE(loop.cancel(first));
  // The freed slot is reused; the stale id must not reach the new event.
  const EventId second = loop.schedule_at(time_from_ns(2), [&] { ran += 10; });
  EXPECT_NE(first, second);
  EXPECT_FALSE(loop.cancel(first));
  loop.run(time_from_ns(5), UINT64_MAX);
  EXPECT_EQ(ran, 11);
}

TEST(EventLoop, AnEventMayCancelALaterOneAtTheSameInstant) {
  EventLoop loop;
  bool second_ran = false;
  EventId second = 0;
  loop.schedule_at(time_from_ns(10), [&] { EXPECT_TRUE(loop.cancel(second)); });
  second = loop.schedule_at(time_from_ns(10), [&] { second_ran = true; });
  loop.run(time_from_ns(10), UINT64_MAX);
  EXPECT_FALSE(second_ran);
}

TEST(EventLoop, TimeBudgetStopsAtTheDeadline) {
  EventLoop loop;
  int ran = 0;
  loop.schedule_at(time_from_ns(10), [&] { ++ran; });
  loop.schedule_at(time_from_ns(50), [&] { ++ran; });  // exactly at the deadline: runs
  loop.schedule_at(time_from_ns(51), [&] { ++ran; });
  EXPECT_EQ(loop.run(time_from_ns(50), UINT64_MAX), StopReason::kTimeBudget);
  EXPECT_EQ(ran, 2);
  EXPECT_EQ(to_ns(loop.now()), 50);
  EXPECT_EQ(loop.run(time_from_ns(200), UINT64_MAX), StopReason::kIdle);
  EXPECT_EQ(ran, 3);
  // A deadline with nothing before it still advances time to it.
  loop.schedule_at(time_from_ns(1000), [&] { ++ran; });
  EXPECT_EQ(loop.run(time_from_ns(700), UINT64_MAX), StopReason::kTimeBudget);
  EXPECT_EQ(to_ns(loop.now()), 700);
}

TEST(EventLoop, EventBudgetCountsOnlyEventsThatRan) {
  EventLoop loop;
  int ran = 0;
  std::vector<EventId> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(loop.schedule_at(time_from_ns(i), [&] { ++ran; }));
  loop.cancel(ids[0]);
  loop.cancel(ids[1]);
  EXPECT_EQ(loop.run(time_from_ns(100), 3), StopReason::kEventBudget);
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(loop.run(time_from_ns(100), 0), StopReason::kEventBudget);
  EXPECT_EQ(ran, 3);
  EXPECT_EQ(loop.run(time_from_ns(100), 100), StopReason::kIdle);
  EXPECT_EQ(ran, 8);
}

TEST(EventLoop, StopReturnsAfterTheCurrentEvent) {
  EventLoop loop;
  int ran = 0;
  loop.schedule_at(time_from_ns(1), [&] {
    ++ran;
    loop.stop();
  });
  loop.schedule_at(time_from_ns(1), [&] { ++ran; });
  EXPECT_EQ(loop.run(time_from_ns(100), UINT64_MAX), StopReason::kStopped);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(loop.run(time_from_ns(100), UINT64_MAX), StopReason::kIdle);  // stop is one-shot
  EXPECT_EQ(ran, 2);
}

// A gate scripted per owner.
class ScriptedGate final : public EventLoop::Gate {
 public:
  GateDecision decide(EventTag tag, EventId id) override {
    decided.push_back(tag.owner);
    const GateDecision d = decision_for[tag.owner];
    if (d == GateDecision::kHold) held.push_back(id);
    return d;
  }
  std::map<std::uint32_t, GateDecision> decision_for;
  std::vector<std::uint32_t> decided;
  std::vector<EventId> held;
};

TEST(EventLoop, GateRunsDropsAndHolds) {
  EventLoop loop;
  ScriptedGate gate;
  loop.set_gate(&gate);
  gate.decision_for[1] = GateDecision::kRun;
  gate.decision_for[2] = GateDecision::kDrop;
  gate.decision_for[3] = GateDecision::kHold;
  std::vector<std::string> ran;
  EventTag seen_tag;
  loop.schedule_at(time_from_ns(1), [&] { ran.push_back("untagged"); });
  loop.schedule_at(time_from_ns(2), [&] {
    ran.push_back("run");
    seen_tag = loop.current_tag();
  }, EventTag{1, 4});
  auto dropped_token = std::make_shared<int>(0);
  loop.schedule_at(time_from_ns(3), [&, dropped_token] { ran.push_back("dropped"); }, EventTag{2, 1});
  loop.schedule_at(time_from_ns(4), [&] { ran.push_back("held-1"); }, EventTag{3, 1});
  loop.schedule_at(time_from_ns(5), [&] { ran.push_back("held-2"); }, EventTag{3, 1});
  loop.schedule_at(time_from_ns(6), [&] { ran.push_back("later"); });
  EXPECT_EQ(loop.run(time_from_ns(100), UINT64_MAX), StopReason::kIdle);
  EXPECT_EQ(ran, (std::vector<std::string>{"untagged", "run", "later"}));
  EXPECT_EQ(seen_tag.owner, 1U);
  EXPECT_EQ(seen_tag.incarnation, 4U);
  EXPECT_EQ(loop.current_tag().owner, 0U);
  EXPECT_EQ(dropped_token.use_count(), 1);  // a dropped event's callback is destroyed
  EXPECT_EQ(gate.decided, (std::vector<std::uint32_t>{1, 2, 3, 3}));
  ASSERT_EQ(gate.held.size(), 2U);
  EXPECT_EQ(loop.pending(), 2U);  // held events stay live

  // Release them: they run in the order they were requeued, at the new
  // time, ahead of what was scheduled for that instant (they were due first).
  gate.decision_for[3] = GateDecision::kRun;
  loop.schedule_at(time_from_ns(200), [&] { ran.push_back("at-200"); });
  loop.requeue(gate.held[0], time_from_ns(200));
  loop.requeue(gate.held[1], time_from_ns(200));
  ran.clear();
  EXPECT_EQ(loop.run(time_from_ns(300), UINT64_MAX), StopReason::kIdle);
  EXPECT_EQ(ran, (std::vector<std::string>{"held-1", "held-2", "at-200"}));
  EXPECT_EQ(to_ns(loop.now()), 200);
}

TEST(EventLoop, AHeldEventCanBeCancelled) {
  EventLoop loop;
  ScriptedGate gate;
  loop.set_gate(&gate);
  gate.decision_for[1] = GateDecision::kHold;
  bool ran = false;
  loop.schedule_at(time_from_ns(1), [&] { ran = true; }, EventTag{1, 1});
  loop.run(time_from_ns(10), UINT64_MAX);
  ASSERT_EQ(gate.held.size(), 1U);
  EXPECT_TRUE(loop.cancel(gate.held[0]));
  EXPECT_EQ(loop.pending(), 0U);
  loop.run(time_from_ns(20), UINT64_MAX);
  EXPECT_FALSE(ran);
}

TEST(EventLoop, OrderFingerprintFollowsTheOrder) {
  auto run = [](bool swap) {
    EventLoop loop;
    loop.schedule_at(time_from_ns(swap ? 2 : 1), [] {});
    loop.schedule_at(time_from_ns(swap ? 1 : 2), [] {});
    loop.run(time_from_ns(10), UINT64_MAX);
    return loop.order_fingerprint();
  };
  EXPECT_EQ(run(false), run(false));
  EXPECT_NE(run(false), run(true));
}

}  // namespace
}  // namespace zsim::sim
