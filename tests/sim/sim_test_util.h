// Helpers for kernel tests that need a whole Simulator: a process whose
// behaviour is a lambda run at start (with its io::Env), and a trace
// recorder. Test-only; deterministic like everything that drives a run.
#pragma once

#include "sim/simulator.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace zsim::sim::testing {

// A process that runs `init(env, self)` when its host starts and
// `on_destroy()` when it is destroyed (crash or end of run).
class LambdaProcess final : public Process {
 public:
  std::function<void()> on_destroy;
  ~LambdaProcess() override {
    if (on_destroy) on_destroy();
  }
};

inline ProcessFactory make_factory(std::function<void(io::Env&, LambdaProcess&)> init) {
  return [init = std::move(init)](io::Env& env) {
    auto p = std::make_unique<LambdaProcess>();
    init(env, *p);
    return p;
  };
}

// A network with a fixed one-way latency: tests can compute arrival times.
inline SimOptions constant_latency_options(std::uint64_t seed, Duration latency = millis(1)) {
  SimOptions o;
  o.seed = seed;
  o.network.latency = LatencyModel{LatencyModel::Kind::kConstant, latency, latency, latency};
  o.allow_buggify = false;
  return o;
}

// Lets `d` of simulated time pass even if nothing is scheduled (an idle
// loop does not move time forward by itself).
inline void advance(Simulator& sim, Duration d) {
  sim.at(d, [] {});
  sim.run_for(d);
}

// Collects trace lines (text form).
inline std::shared_ptr<std::vector<std::string>> record_trace(Simulator& sim) {
  auto lines = std::make_shared<std::vector<std::string>>();
  sim.trace().set_sink([lines](std::string_view line, std::uint64_t) { lines->emplace_back(line); });
  return lines;
}

inline int count_containing(const std::vector<std::string>& lines, std::string_view needle) {
  int n = 0;
  for (const auto& l : lines) n += l.find(needle) != std::string::npos ? 1 : 0;
  return n;
}

}  // namespace zsim::sim::testing
