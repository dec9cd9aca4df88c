// Ensemble benchmark: how fast a replicated ensemble simulates on one core
// (issue 5's target: a 5-server ensemble with 10 clients and faults on runs
// at least 1,000x faster than real time).
//
// One iteration builds a 5-voter ensemble and 10 client hosts, each running a
// client that reads, writes, creates and syncs on a handful of znodes with a
// think time between operations, schedules a fault plan generated from the seed (partitions of
// every shape, crashes, pauses, clock faults, datagram loss and duplication,
// stream resets), runs 30 s of simulated time, heals, and runs 5 s more.
// Counters (rates are per second of CPU time, the benchmark's clock):
//   sim_x      simulated seconds per CPU second (the speedup over real time)
//   msgs/s     messages sent per CPU second (streams and datagrams)
//   ops/s      client operations completed per CPU second
// No trace sink is set (the fingerprint is still computed, as in sweeps).
// Results and commands: docs/performance.md, section Ensemble.
#include "core/client/client.h"
#include "core/server/server.h"
#include "sim/fault_plan.h"
#include "sim/simulator.h"

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <memory>
#include <string>
#include <vector>

namespace zsim {
namespace {

struct ServerProcess : sim::Process {
  ServerProcess(io::Env& env, core::ServerOptions options) : server(env, std::move(options)) {}
  core::Server server;
};

struct ClientProcess : sim::Process {
  ClientProcess(io::Env& env, core::ClientOptions options, std::uint64_t* ops, std::int64_t think_ms)
      : env_(env), options_(std::move(options)), ops_(ops), think_ms_(think_ms) {
    env_.fibers.spawn("bench-client", [this] { run(); });
  }
  void run() {
    while (true) {
      if (!client_ || client_->state() == core::ClientState::kExpired) {
        client_ = std::make_unique<core::Client>(env_, options_);  // a new session
      }
      if (!client_->wait_connected(seconds(1))) {
        env_.fibers.sleep(millis(100));
        continue;
      }
      const std::string path = fmt::format("/k{}", env_.random.below(8));
      const std::uint64_t pick = env_.random.below(10);
      bool ok = false;
      if (pick < 5) {
        ok = client_->get_data(path).ok() || client_->create(path, "0").ok();
      } else if (pick < 9) {
        ok = client_->set_data(path, std::to_string(env_.random.below(1000))).ok();
      } else {
        ok = client_->sync(path).ok();
      }
      if (ok) ++*ops_;
      // Think time: uniform in [think/2, 3*think/2).
      const auto think = static_cast<std::uint64_t>(think_ms_);
      env_.fibers.sleep(millis(static_cast<std::int64_t>(think / 2 + env_.random.below(think))));
    }
  }
  io::Env& env_;
  core::ClientOptions options_;
  std::unique_ptr<core::Client> client_;
  std::uint64_t* ops_;
  std::int64_t think_ms_;
};

void BM_Ensemble(benchmark::State& state) {
  const int servers = static_cast<int>(state.range(0));
  const int clients = static_cast<int>(state.range(1));
  const std::int64_t think_ms = state.range(2);
  std::uint64_t seed = 1;
  double sim_seconds = 0;
  std::uint64_t messages = 0;
  std::uint64_t ops = 0;
  for (auto _ : state) {
    sim::SimOptions so;
    so.seed = seed++;
    so.disk.sync_latency_min = millis(1);
    so.disk.sync_latency_max = millis(10);
    sim::Simulator sim(so);
    std::vector<core::EnsembleMember> members;
    std::vector<io::HostId> hosts;
    std::vector<std::string> names;
    for (int i = 1; i <= servers; ++i) {
      names.push_back(fmt::format("s{}", i));
      const io::HostId h = sim.add_host(names.back(), [&members, i](io::Env& env) {
        core::ServerOptions o;
        o.server_id = i;
        o.ensemble = members;
        o.tick_ms = 100;
        o.session_timeout_ms_min = 1000;
        o.snapshot_every_txns = 1000;
        return std::make_unique<ServerProcess>(env, o);
      });
      hosts.push_back(h);
      members.push_back(core::EnsembleMember{i, h, false});
    }
    std::vector<std::string> client_names;
    for (int c = 1; c <= clients; ++c) {
      client_names.push_back(fmt::format("c{}", c));
      core::ClientOptions co;
      co.servers = hosts;
      co.session_timeout = seconds(4);
      sim.add_host(client_names.back(), [co, &ops, think_ms](io::Env& env) {
        return std::make_unique<ClientProcess>(env, co, &ops, think_ms);
      });
    }
    for (const std::string& n : sim.host_names()) sim.start(*sim.find_host(n));
    sim::PlanOptions po;
    po.duration = seconds(30);
    po.servers = names;
    po.clients = client_names;
    po.max_servers_down = (servers - 1) / 2;
    const sim::FaultPlan plan = sim::generate_plan(sim::Rng(so.seed).fork("faults"), po);
    sim.schedule_plan(plan);
    sim.run_for(seconds(30));
    sim.heal_all();
    sim.run_for(seconds(5));
    sim_seconds += 35.0;
    messages += sim.network().stats().messages_sent;
  }
  state.counters["sim_x"] = benchmark::Counter(sim_seconds, benchmark::Counter::kIsRate);
  state.counters["msgs/s"] = benchmark::Counter(static_cast<double>(messages), benchmark::Counter::kIsRate);
  state.counters["ops/s"] = benchmark::Counter(static_cast<double>(ops), benchmark::Counter::kIsRate);
}
// {servers, clients, mean think time in ms}: a busy workload (each client
// ~50 ops/s) and a Jepsen-like one (~10 ops/s per client).
BENCHMARK(BM_Ensemble)
    ->Args({5, 10, 15})
    ->Args({5, 10, 100})
    ->Args({3, 10, 15})
    ->ArgNames({"servers", "clients", "think_ms"})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace zsim

BENCHMARK_MAIN();
