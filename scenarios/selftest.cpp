// Test-only scenarios, hidden from `zsim list`: they go wrong on purpose so
// that tests can prove the harness around a run holds when the run does not
// (tests/tools/crash_isolation_test.cpp, tests/tools/cli_test.cpp).
//
// selftest-crash: one host, s1, whose process does at 1 s of simulated time
// what the seed's last digit says, from inside a timer of s1 (so a report
// names host s1 and t=1.000000000):
//   1  fails a ZSIM_ASSERT (abort)
//   2  segfaults (a store to address 16)
//   3  throws std::runtime_error out of the timer, i.e. out of the event loop
//   4  loops forever inside the timer -- seed 4 only; 14, 24, ... pass
//   5  throws inside a fiber: the simulator catches that one (verdict crash
//      from inside the run, with a fingerprint)
//   anything else: nothing; the seed passes.
// No faults, no network: a seed takes microseconds.
//
// selftest-nondeterministic: a run that reads process state (a counter that
// survives between runs in one process), so two runs of one seed in one
// process differ: what `zsim run --check-determinism` exists to catch.
#include "core/assert.h"
#include "scenarios/registry.h"

#include <cstdint>
#include <stdexcept>

namespace zsim::scenarios {
namespace {

class Saboteur final : public sim::Process {
 public:
  Saboteur(io::Env& env, std::uint64_t seed, bool& done) : env_(env) {
    env_.clock.schedule(seconds(1), [this, seed, &done] {
      misbehave(seed);
      done = true;
    });
  }

 private:
  void misbehave(std::uint64_t seed) {
    switch (seed % 10) {
      case 1: ZSIM_ASSERT_MSG(seed % 10 != 1, "selftest-crash: seeds ending in 1 fail this on purpose"); break;
      case 2: {
        volatile std::uintptr_t nowhere = 16;
        *reinterpret_cast<volatile int*>(nowhere) = 1;
        break;
      }
      case 3: throw std::runtime_error("selftest-crash: seeds ending in 3 throw out of a timer");
      case 4: {
        if (seed != 4) break;
        volatile std::uint64_t spins = 0;
        for (;;) spins = spins + 1;
      }
      case 5:
        env_.fibers.spawn("thrower", [] { throw std::runtime_error("selftest-crash: a fiber threw"); });
        break;
      default: break;
    }
  }

  io::Env& env_;
};

// The workload: done once s1's timer ran. Owns the flag the process sets.
struct CrashWorld final : public Workload {
  bool done = false;
  bool finished() const override { return done; }
  void check(sim::Simulator&) override {}
  std::string pending() const override { return "the 1 s timer of s1"; }
};

std::uint64_t g_runs_in_this_process = 0;  // deliberately not reset: see the file comment

class Forgetful final : public sim::Process {
 public:
  Forgetful(io::Env& env, bool& done) {
    env.clock.schedule(seconds(1), [&env, &done] {
      env.trace.event("selftest.run", {{"runs_before", g_runs_in_this_process++}});
      done = true;
    });
  }
};

Scenario quiet_one_host(std::string name, std::string summary) {
  Scenario s;
  s.name = std::move(name);
  s.summary = std::move(summary);
  s.hidden = true;
  s.plan_options.servers = {"s1"};
  s.plan_options.partitions = s.plan_options.crashes = s.plan_options.pauses = false;
  s.plan_options.clock_faults = s.plan_options.loss = s.plan_options.duplicates = false;
  s.plan_options.stream_resets = s.plan_options.disk_faults = false;
  s.safety_phase = seconds(2);
  s.liveness_budget = seconds(1);
  return s;
}

}  // namespace

void register_selftest(std::vector<Scenario>& out) {
  Scenario crash = quiet_one_host("selftest-crash", "test only: a seed that asserts, segfaults, throws or loops");
  crash.build = [](sim::Simulator& sim, const RunParams&) {
    auto world = std::make_unique<CrashWorld>();
    const std::uint64_t seed = sim.seed();
    bool& done = world->done;
    sim.start(sim.add_host("s1", [seed, &done](io::Env& env) { return std::make_unique<Saboteur>(env, seed, done); }));
    return world;
  };
  out.push_back(std::move(crash));

  Scenario forgetful =
      quiet_one_host("selftest-nondeterministic", "test only: a run that depends on earlier runs in its process");
  forgetful.build = [](sim::Simulator& sim, const RunParams&) {
    auto world = std::make_unique<CrashWorld>();
    bool& done = world->done;
    sim.start(sim.add_host("s1", [&done](io::Env& env) { return std::make_unique<Forgetful>(env, done); }));
    return world;
  };
  out.push_back(std::move(forgetful));
}

}  // namespace zsim::scenarios
