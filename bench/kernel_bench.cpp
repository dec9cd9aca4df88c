// Kernel benchmarks: how fast the simulation kernel runs on one core.
//  - BM_TimerEvents: schedule a batch of timers at scattered times, run them
//    all (heap push + pop + dispatch per event). items/s = timer events/s.
//  - BM_TimerEventsSteady: a constant population of pending timers, each
//    rescheduling itself when it fires (the shape of a long run).
//  - BM_StreamMessages / BM_Datagrams: messages from one host to another
//    through the Simulator and the Network (trace fingerprint on, no sink).
//    items/s = delivered messages/s.
//  - BM_FiberHandoff: two fibers ping-pong with wake + park through the
//    event loop. Each handoff is two context switches (fiber -> loop ->
//    fiber) plus one event; the counter ns_per_switch is half a handoff.
// Results and commands: docs/performance.md, section Kernel.
#include "core/io/future.h"
#include "sim/event_loop.h"
#include "sim/fiber.h"
#include "sim/simulator.h"

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

namespace zsim::sim {
namespace {

void BM_TimerEvents(benchmark::State& state) {
  const auto n = static_cast<std::uint64_t>(state.range(0));
  Rng rng(1);
  std::uint64_t ran = 0;
  for (auto _ : state) {
    EventLoop loop;
    for (std::uint64_t i = 0; i < n; ++i) {
      loop.schedule_after(Duration{static_cast<std::int64_t>(rng.below(1'000'000'000))}, [&ran] { ++ran; });
    }
    loop.run(time_from_ns(INT64_MAX), UINT64_MAX);
  }
  benchmark::DoNotOptimize(ran);
  state.SetItemsProcessed(static_cast<std::int64_t>(ran));
}
BENCHMARK(BM_TimerEvents)->Arg(1'000)->Arg(100'000);

void BM_TimerEventsSteady(benchmark::State& state) {
  const auto population = static_cast<std::uint64_t>(state.range(0));
  constexpr std::uint64_t kEventsPerIteration = 100'000;
  EventLoop loop;
  Rng rng(2);
  struct Tick {
    EventLoop* loop;
    Rng* rng;
    void operator()() const { loop->schedule_after(Duration{1 + static_cast<std::int64_t>(rng->below(1'000'000))}, *this); }
  };
  for (std::uint64_t i = 0; i < population; ++i) Tick{&loop, &rng}();
  for (auto _ : state) loop.run(time_from_ns(INT64_MAX), kEventsPerIteration);
  state.SetItemsProcessed(static_cast<std::int64_t>(loop.events_run()));
}
BENCHMARK(BM_TimerEventsSteady)->Arg(100)->Arg(10'000);

// Two hosts, a server that counts what it receives; the client end of one
// connection is returned through `conn`.
class Sink final : public Process {};

struct TwoHosts {
  explicit TwoHosts(std::uint64_t seed) : sim(options(seed)) {
    sim.add_host("srv", [this](io::Env& env) {
      env.net.listen(80, [this](io::ConnId, io::HostId) {
        io::StreamHandlers hs;
        hs.on_message = [this](io::Bytes) { ++received; };
        hs.on_closed = [](io::CloseReason) {};
        return hs;
      });
      env.net.bind(9, [this](io::HostId, io::Bytes) { ++received; });
      return std::make_unique<Sink>();
    });
    sim.add_host("cli", [](io::Env&) { return std::make_unique<Sink>(); });
    sim.start(0);
    sim.start(1);
  }
  static SimOptions options(std::uint64_t seed) {
    SimOptions o;
    o.seed = seed;
    o.allow_buggify = false;
    return o;
  }
  Simulator sim;
  std::uint64_t received = 0;
};

void BM_StreamMessages(benchmark::State& state) {
  const auto batch = static_cast<std::uint64_t>(state.range(0));
  TwoHosts w(1);
  io::StreamHandlers hs;
  hs.on_message = [](io::Bytes) {};
  hs.on_closed = [](io::CloseReason) {};
  io::Transport& net = w.sim.env(1).net;
  const io::ConnId conn = net.connect(0, 80, std::move(hs), [](io::ConnId) {});
  w.sim.run_for(millis(100));
  const io::Bytes payload(64, 'x');
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < batch; ++i) net.send(conn, payload);
    w.sim.run_for(millis(100));
  }
  if (w.received != batch * state.iterations()) state.SkipWithError("messages were lost");
  state.SetItemsProcessed(static_cast<std::int64_t>(w.received));
}
BENCHMARK(BM_StreamMessages)->Arg(1'000);

void BM_Datagrams(benchmark::State& state) {
  const auto batch = static_cast<std::uint64_t>(state.range(0));
  TwoHosts w(2);
  io::Transport& net = w.sim.env(1).net;
  const io::Bytes payload(64, 'x');
  for (auto _ : state) {
    for (std::uint64_t i = 0; i < batch; ++i) net.send_datagram(0, 9, payload);
    w.sim.run_for(millis(100));
  }
  if (w.received != batch * state.iterations()) state.SkipWithError("datagrams were lost");
  state.SetItemsProcessed(static_cast<std::int64_t>(w.received));
}
BENCHMARK(BM_Datagrams)->Arg(1'000);

void BM_FiberHandoff(benchmark::State& state) {
  constexpr int kRounds = 50'000;
  std::uint64_t handoffs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    EventLoop loop;
    FiberScheduler fibers(loop, FiberOptions{}, [](std::uint32_t, const std::string&) { std::abort(); });
    io::Waker waiting[2] = {};
    bool started[2] = {false, false};
    auto player = [&](int me) {
      return [&, me] {
        const int other = 1 - me;
        for (int i = 0; i < kRounds; ++i) {
          waiting[me] = fibers.waker();
          if (started[other]) fibers.wake(waiting[other]);
          started[me] = true;
          fibers.park(std::nullopt);
          ++handoffs;
        }
        fibers.wake(waiting[other]);
      };
    };
    fibers.spawn(EventTag{}, "a", player(0));
    fibers.spawn(EventTag{}, "b", player(1));
    state.ResumeTiming();
    loop.run(time_from_ns(INT64_MAX), UINT64_MAX);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(handoffs));
  state.counters["ns_per_switch"] = benchmark::Counter(
      static_cast<double>(handoffs) * 2, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_FiberHandoff)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zsim::sim

BENCHMARK_MAIN();
