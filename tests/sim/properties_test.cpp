// RapidCheck properties of the kernel: for generated inputs, events run in
// (time, sequence) order; fault plans print and parse back to themselves;
// streams stay FIFO without duplicates under any generated fault plan; the
// same seed and plan give the same fingerprint, and different seeds give
// different ones. Plans come from generators written here (not from
// generate_plan), so RapidCheck can shrink a failing plan to a small one.
#include "sim_test_util.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <map>
#include <string>
#include <vector>

namespace zsim::sim {
namespace {

using testing::LambdaProcess;
using testing::make_factory;

// --- Generators ----------------------------------------------------------

rc::Gen<std::string> gen_host_name() {
  return rc::gen::map(
      rc::gen::nonEmpty(rc::gen::container<std::string>(rc::gen::elementOf(std::string("abcsz019_-")))),
      [](std::string s) { return s.substr(0, 12); });
}

rc::Gen<std::vector<std::string>> gen_group() {
  return rc::gen::nonEmpty(rc::gen::container<std::vector<std::string>>(gen_host_name()));
}

rc::Gen<Ratio> gen_ratio() {
  return rc::gen::mapcat(rc::gen::inRange<std::uint64_t>(1, 1'000'001), [](std::uint64_t den) {
    return rc::gen::map(rc::gen::inRange<std::uint64_t>(0, den + 1),
                        [den](std::uint64_t num) { return Ratio{num, den}; });
  });
}

rc::Gen<Duration> gen_duration(std::int64_t lo, std::int64_t hi) {
  return rc::gen::map(rc::gen::inRange<std::int64_t>(lo, hi), [](std::int64_t ns) { return Duration{ns}; });
}

// Any event the text form can express, with arbitrary names and values.
FaultEvent arbitrary_event() {
  FaultEvent e;
  // Times and lengths as far as the text form allows: one simulated day
  // either way (kInputDurationMax).
  constexpr std::int64_t kMax = kInputDurationMax.count();
  e.at = *rc::gen::oneOf(gen_duration(0, kMax), rc::gen::map(rc::gen::inRange(0, 100'000),
                                                             [](int ms) { return millis(ms); }));
  e.kind = static_cast<FaultKind>(*rc::gen::inRange(0, 15));
  // 0 (not written) or a positive length, as the text form has it.
  auto optional_length = [] { return *rc::gen::oneOf(rc::gen::just(Duration{0}), gen_duration(1, kMax)); };
  switch (e.kind) {
    case FaultKind::kPartition:
      e.shape = static_cast<PartitionShape>(*rc::gen::inRange(0, 4));
      switch (e.shape) {
        case PartitionShape::kSplit:
        case PartitionShape::kOneWay: e.groups = {*gen_group(), *gen_group()}; break;
        case PartitionShape::kIsolate:
          e.groups = {{*gen_host_name()}};
          if (*rc::gen::arbitrary<bool>()) e.groups.push_back(*gen_group());
          break;
        case PartitionShape::kBridge: e.groups = {*gen_group(), {*gen_host_name()}, *gen_group()}; break;
      }
      break;
    case FaultKind::kHeal: break;
    case FaultKind::kCrash:
      e.host = *rc::gen::oneOf(gen_host_name(), rc::gen::elementOf(std::vector<std::string>{"@leader", "@follower"}));
      e.duration = optional_length();
      break;
    case FaultKind::kRestart: e.host = *gen_host_name(); break;
    case FaultKind::kPowerLoss:
    case FaultKind::kPowerLossAt:
      e.groups = {*gen_group()};
      e.duration = *gen_duration(1, kMax);
      e.stagger = optional_length();
      if (e.kind == FaultKind::kPowerLossAt) {
        // A word of the text form: at most 64 bytes.
        e.site = *rc::gen::container<std::string>(static_cast<std::size_t>(*rc::gen::inRange(1, 65)),
                                                  rc::gen::elementOf(std::string("abz.-")));
        e.within = optional_length();
        e.reacher = static_cast<FaultEvent::Reacher>(*rc::gen::inRange(0, 3));
      }
      break;
    case FaultKind::kCrashAt:
      e.host = *gen_host_name();
      // A word of the text form: at most 64 bytes.
      e.site = *rc::gen::container<std::string>(static_cast<std::size_t>(*rc::gen::inRange(1, 65)),
                                                rc::gen::elementOf(std::string("abz.-")));
      e.duration = optional_length();
      e.within = optional_length();
      break;
    case FaultKind::kPause:
      e.host = *gen_host_name();
      e.duration = *gen_duration(1, kMax);
      break;
    case FaultKind::kClockJump:
      e.host = *gen_host_name();
      e.duration = *gen_duration(-kMax, kMax);
      break;
    case FaultKind::kClockDrift:
      e.host = *gen_host_name();
      e.drift_ppm = *rc::gen::arbitrary<std::int64_t>();
      break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
    case FaultKind::kStreamReset: e.ratio = *gen_ratio(); break;
    case FaultKind::kDiskCorruptRead:
    case FaultKind::kDiskLyingSync:
      e.host = *gen_host_name();
      e.ratio = *gen_ratio();
      break;
  }
  return e;
}

// Splits `hosts` by a bit mask into two non-empty groups (hosts with the
// bit set go first). REQUIRES: 0 < mask < 2^n - 1.
std::vector<std::vector<std::string>> split_by_mask(const std::vector<std::string>& hosts, unsigned mask) {
  std::vector<std::vector<std::string>> g(2);
  for (std::size_t i = 0; i < hosts.size(); ++i) g[(mask >> i) & 1U ? 0 : 1].push_back(hosts[i]);
  return g;
}

// An event a simulation of `hosts` accepts (validate_plan passes), within
// the first `horizon_ms` of the run. Faults are strong on purpose.
FaultEvent sim_event(const std::vector<std::string>& hosts, int horizon_ms) {
  FaultEvent e;
  e.at = millis(*rc::gen::inRange(0, horizon_ms));
  e.kind = static_cast<FaultKind>(*rc::gen::inRange(0, 15));
  const unsigned n = static_cast<unsigned>(hosts.size());
  switch (e.kind) {
    case FaultKind::kPartition: {
      e.shape = static_cast<PartitionShape>(*rc::gen::inRange(0, 4));
      if (e.shape == PartitionShape::kIsolate) {
        e.groups = {{*rc::gen::elementOf(hosts)}};
      } else if (e.shape == PartitionShape::kBridge) {
        const std::size_t bridge = *rc::gen::inRange<std::size_t>(0, hosts.size());
        std::vector<std::string> rest = hosts;
        rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(bridge));
        auto halves = split_by_mask(rest, *rc::gen::inRange(1U, (1U << (n - 1)) - 1));
        e.groups = {halves[0], {hosts[bridge]}, halves[1]};
      } else {
        e.groups = split_by_mask(hosts, *rc::gen::inRange(1U, (1U << n) - 1));
      }
      break;
    }
    case FaultKind::kHeal: break;
    case FaultKind::kCrash:
      e.host = *rc::gen::elementOf(hosts);
      e.duration = millis(*rc::gen::inRange(0, 2000));
      break;
    case FaultKind::kRestart: e.host = *rc::gen::elementOf(hosts); break;
    case FaultKind::kPowerLoss:
    case FaultKind::kPowerLossAt: {
      std::vector<std::string> some = split_by_mask(hosts, *rc::gen::inRange(1U, (1U << n) - 1))[0];
      e.groups = {some};
      e.duration = millis(*rc::gen::inRange(1, 2000));
      e.stagger = millis(*rc::gen::inRange(0, 2000));
      e.site = "test.site";
      break;
    }
    case FaultKind::kCrashAt:  // no site is ever reached in these processes
      e.host = *rc::gen::elementOf(hosts);
      e.site = "test.site";
      break;
    case FaultKind::kPause:
      e.host = *rc::gen::elementOf(hosts);
      e.duration = millis(*rc::gen::inRange(1, 2000));
      break;
    case FaultKind::kClockJump:
      e.host = *rc::gen::elementOf(hosts);
      e.duration = millis(*rc::gen::inRange(-1000, 1000));
      break;
    case FaultKind::kClockDrift:
      e.host = *rc::gen::elementOf(hosts);
      e.drift_ppm = *rc::gen::inRange<std::int64_t>(-100'000, 100'001);
      break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate: e.ratio = Ratio{*rc::gen::inRange<std::uint64_t>(0, 501), 1000}; break;
    case FaultKind::kStreamReset: e.ratio = Ratio{*rc::gen::inRange<std::uint64_t>(0, 51), 1000}; break;
    case FaultKind::kDiskCorruptRead:
    case FaultKind::kDiskLyingSync:
      e.host = *rc::gen::elementOf(hosts);
      e.ratio = Ratio{*rc::gen::inRange<std::uint64_t>(0, 101), 1000};
      break;
  }
  return e;
}

FaultPlan sim_plan(const std::vector<std::string>& hosts, int horizon_ms) {
  FaultPlan plan;
  const int n = *rc::gen::inRange(0, 25);
  for (int i = 0; i < n; ++i) plan.events.push_back(sim_event(hosts, horizon_ms));
  return plan;
}

// --- Event order ---------------------------------------------------------

// Property: whatever is scheduled (at any times, from inside events too) and
// cancelled, the events that run are exactly the uncancelled ones, in
// increasing (time, scheduling order).
RC_GTEST_PROP(KernelProperties, EventsRunInTimeThenSequenceOrder, ()) {
  EventLoop loop;
  struct Ran {
    std::int64_t time;
    int order;  // index in scheduling order
  };
  std::vector<Ran> ran;
  std::vector<bool> cancelled;
  std::vector<EventId> ids;
  int scheduled = 0;
  // Each event, when it runs, may schedule children and cancel a random
  // earlier event; all choices are drawn up front so the run is replayable.
  const auto children = *rc::gen::container<std::vector<std::vector<int>>>(
      rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 30)));
  const auto cancel_picks = *rc::gen::container<std::vector<int>>(rc::gen::inRange(-1, 64));
  std::function<void(std::int64_t)> schedule = [&](std::int64_t at) {
    const int me = scheduled++;
    cancelled.push_back(false);
    ids.push_back(loop.schedule_at(time_from_ns(at), [&, me] {
      ran.push_back(Ran{to_ns(loop.now()), me});
      if (static_cast<std::size_t>(me) < children.size() && scheduled < 2000) {
        for (int delay : children[static_cast<std::size_t>(me)]) schedule(to_ns(loop.now()) + delay);
      }
      if (static_cast<std::size_t>(me) < cancel_picks.size()) {
        const int victim = cancel_picks[static_cast<std::size_t>(me)];
        if (victim >= 0 && victim < scheduled && loop.cancel(ids[static_cast<std::size_t>(victim)])) {
          cancelled[static_cast<std::size_t>(victim)] = true;
        }
      }
    }));
  };
  const auto roots = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 50));
  for (int at : roots) schedule(at);
  RC_ASSERT(loop.run(time_from_ns(INT64_MAX), UINT64_MAX) == StopReason::kIdle);
  for (std::size_t i = 1; i < ran.size(); ++i) {
    const bool ordered = ran[i - 1].time < ran[i].time ||
                         (ran[i - 1].time == ran[i].time && ran[i - 1].order < ran[i].order);
    RC_ASSERT(ordered);
  }
  std::vector<bool> did_run(static_cast<std::size_t>(scheduled), false);
  for (const Ran& r : ran) did_run[static_cast<std::size_t>(r.order)] = true;
  for (int i = 0; i < scheduled; ++i) {
    RC_ASSERT(did_run[static_cast<std::size_t>(i)] != cancelled[static_cast<std::size_t>(i)]);
  }
}

// --- Plans -----------------------------------------------------------------

// Property: printing any plan and parsing the text gives back the same plan.
RC_GTEST_PROP(KernelProperties, PlanPrintParseRoundTrips, ()) {
  FaultPlan plan;
  const int n = *rc::gen::inRange(0, 20);
  for (int i = 0; i < n; ++i) plan.events.push_back(arbitrary_event());
  const std::string text = print_plan(plan);
  auto parsed = parse_plan(text);
  if (auto* err = std::get_if<PlanParseError>(&parsed)) {
    RC_FAIL("parse error: " + err->to_string() + "\n" + text);
  }
  RC_ASSERT(std::get<FaultPlan>(parsed) == plan);
  RC_ASSERT(print_plan(std::get<FaultPlan>(parsed)) == text);
}

// Property: a time, pause or clock jump beyond a simulated day never parses
// (it would overflow the simulator's time arithmetic): the parser names it.
RC_GTEST_PROP(KernelProperties, PlanDurationsBeyondADayAreRefused, ()) {
  constexpr std::int64_t kMax = kInputDurationMax.count();
  const Duration d = *rc::gen::oneOf(gen_duration(kMax + 1, INT64_MAX), gen_duration(INT64_MIN, -kMax - 1));
  const std::string text = *rc::gen::element(std::string("at ") + format_duration(d) + " heal",
                                             std::string("at 1s pause s1 ") + format_duration(d),
                                             std::string("at 1s clock-jump s1 ") + format_duration(d));
  auto parsed = parse_plan(text);
  RC_ASSERT(std::holds_alternative<PlanParseError>(parsed));
  const std::string message = std::get<PlanParseError>(parsed).message;
  RC_ASSERT(message.find("beyond the maximum of 86400s") != std::string::npos ||
            message.find("must not be negative") != std::string::npos ||
            message.find("must be positive") != std::string::npos);
}

// --- Streams under faults ----------------------------------------------------

// What the stream world observed; lives outside the processes (crashes).
struct StreamObservations {
  std::uint64_t delivered = 0;
  std::uint64_t connections = 0;
  std::string violation;  // first FIFO / duplicate / gap problem seen
};

const std::vector<std::string> kStreamHosts = {"srv", "c1", "c2"};

// Server "srv" accepts; clients c1, c2 connect, send a counter every 2ms on
// each connection, and reconnect 20ms after a break. The server checks that
// each connection delivers 0, 1, 2, ... exactly.
struct StreamWorldResult {
  std::uint64_t fingerprint = 0;
  StreamObservations obs;
};

class StreamClient final : public Process {
 public:
  explicit StreamClient(io::Env& env) : env_(env) { connect(); }

 private:
  void connect() {
    next_ = 0;
    io::StreamHandlers hs;
    hs.on_message = [](io::Bytes) {};
    hs.on_closed = [this](io::CloseReason) {
      conn_ = 0;
      env_.clock.schedule(millis(20), [this] { connect(); });
    };
    conn_ = env_.net.connect(0, 80, std::move(hs), [this](io::ConnId) { tick(conn_); });
  }
  void tick(io::ConnId conn) {
    if (conn != conn_ || conn_ == 0) return;
    if (env_.net.send(conn_, std::to_string(next_))) ++next_;
    env_.clock.schedule(millis(2), [this, conn] { tick(conn); });
  }
  io::Env& env_;
  io::ConnId conn_ = 0;
  std::uint64_t next_ = 0;
};

const LatencyModel kJittery{LatencyModel::Kind::kExponential, micros(50), millis(1), millis(20)};
// Whole milliseconds, like the clients' ticks and the plans' times: events
// often fall due at the same instant, which is where ordering bugs hide.
const LatencyModel kLockstep{LatencyModel::Kind::kConstant, millis(1), millis(1), millis(1)};

StreamWorldResult run_stream_world(std::uint64_t seed, const FaultPlan& plan, Duration length,
                                   const LatencyModel& latency = kJittery) {
  SimOptions o;
  o.seed = seed;
  o.network.latency = latency;
  o.network.break_detect_max = millis(50);
  Simulator sim(o);
  StreamWorldResult result;
  StreamObservations& obs = result.obs;
  sim.add_host("srv", make_factory([&obs](io::Env& env, LambdaProcess&) {
    env.net.listen(80, [&obs](io::ConnId, io::HostId) {
      ++obs.connections;
      auto expected = std::make_shared<std::uint64_t>(0);
      io::StreamHandlers hs;
      hs.on_message = [&obs, expected](io::Bytes b) {
        ++obs.delivered;
        if (b != std::to_string(*expected) && obs.violation.empty()) {
          obs.violation = "expected " + std::to_string(*expected) + ", got " + b;
        }
        ++*expected;
      };
      hs.on_closed = [](io::CloseReason) {};
      return hs;
    });
  }));
  for (const char* c : {"c1", "c2"}) {
    sim.add_host(c, [](io::Env& env) { return std::make_unique<StreamClient>(env); });
  }
  for (io::HostId h = 0; h < 3; ++h) sim.start(h);
  RC_ASSERT(validate_plan(plan, sim.host_names()) == "");
  sim.schedule_plan(plan);
  sim.run_for(length);
  sim.heal_all();
  sim.run_for(millis(500));
  RC_ASSERT(!sim.failure().has_value());
  result.fingerprint = sim.fingerprint();
  return result;
}

// Property: under any fault plan, every stream connection delivers the
// messages sent on it in order, without duplicates or gaps.
RC_GTEST_PROP(KernelProperties, StreamsStayFifoWithoutDuplicatesUnderAnyPlan, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1'000'000);
  const FaultPlan plan = sim_plan(kStreamHosts, 1500);
  const bool lockstep = *rc::gen::arbitrary<bool>();
  RC_LOG() << print_plan(plan);
  RC_TAG(lockstep ? "lockstep" : "jittery");
  // Each plan under three seeds: runs are cheap, and rare timings need tries.
  for (std::uint64_t k = 0; k < 3; ++k) {
    const StreamWorldResult r = run_stream_world(seed + k, plan, millis(1500), lockstep ? kLockstep : kJittery);
    RC_ASSERT(r.obs.violation == "");
    if (k == 0) RC_TAG(r.obs.connections > 2 ? "reconnected" : "few connections");
  }
}

// Property: the same seed and plan give the same fingerprint, run after run
// in one process.
RC_GTEST_PROP(KernelProperties, SameSeedAndPlanGiveTheSameFingerprint, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(1, 1'000'000);
  const FaultPlan plan = sim_plan(kStreamHosts, 500);
  const StreamWorldResult a = run_stream_world(seed, plan, millis(500));
  const StreamWorldResult b = run_stream_world(seed, plan, millis(500));
  RC_ASSERT(a.fingerprint == b.fingerprint);
  RC_ASSERT(a.obs.delivered == b.obs.delivered);
}

// Property: two different seeds (same plan) give different fingerprints.
RC_GTEST_PROP(KernelProperties, DifferentSeedsGiveDifferentFingerprints, ()) {
  const auto seed = *rc::gen::inRange<std::uint64_t>(0, UINT64_MAX);
  const auto other = *rc::gen::distinctFrom(rc::gen::inRange<std::uint64_t>(0, UINT64_MAX), seed);
  const FaultPlan plan = sim_plan(kStreamHosts, 300);
  RC_ASSERT(run_stream_world(seed, plan, millis(300)).fingerprint !=
            run_stream_world(other, plan, millis(300)).fingerprint);
}

}  // namespace
}  // namespace zsim::sim
