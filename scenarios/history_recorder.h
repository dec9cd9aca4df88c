// HistoryRecorder: turns what simulated clients did into a checkers::History.
//
// Times are the simulator's global time (not a host's drifting clock), so
// real-time order between clients is the true one. An operation still open
// when the run ends becomes `info` (it may or may not have happened).
//
// While the run is observed (zsim run --diagram) each call and return is
// also an observer-only note (`op.call`, `op.return`), which never changes
// the run: a diagram draws the operation on its client's lifeline.
#pragma once

#include "checkers/history.h"
#include "checkers/linearizability.h"
#include "sim/simulator.h"

#include <cstdint>
#include <string>

namespace zsim::scenarios {

class HistoryRecorder {
 public:
  explicit HistoryRecorder(sim::Simulator& sim) : sim_(sim) {}

  // Starts an operation; returns its index.
  std::size_t call(std::int64_t process, std::int64_t session, std::string f, checkers::Value input) {
    checkers::Operation op;
    op.process = process;
    if (session != 0) op.session = session;
    op.f = std::move(f);
    op.input = std::move(input);
    op.call_time = to_ns(sim_.now());
    op.return_time = op.call_time;
    op.status = checkers::Status::info;
    if (sim_.observed()) {
      sim_.note("op.call", {{"process", op.process}, {"call_ns", op.call_time}, {"f", op.f},
                            {"input", checkers::to_short_text(op.input)}});
    }
    history_.ops.push_back(std::move(op));
    open_.push_back(true);
    return history_.ops.size() - 1;
  }

  // Names the independent key the operation acts on (Jepsen's :key).
  void set_key(std::size_t i, checkers::Value key) { history_.ops.at(i).key = std::move(key); }

  void ok(std::size_t i, checkers::Value output) { finish(i, checkers::Status::ok, std::move(output)); }
  void fail(std::size_t i) { finish(i, checkers::Status::fail, checkers::Value::nil()); }
  void info(std::size_t i) { finish(i, checkers::Status::info, checkers::Value::nil()); }

  // The history so far; open operations end now as `info`.
  checkers::History history() const {
    checkers::History h = history_;
    for (std::size_t i = 0; i < h.ops.size(); ++i) {
      if (open_[i]) h.ops[i].return_time = to_ns(sim_.now());
    }
    return h;
  }

  std::size_t size() const { return history_.ops.size(); }

 private:
  void finish(std::size_t i, checkers::Status status, checkers::Value output) {
    auto& op = history_.ops.at(i);
    op.status = status;
    op.output = std::move(output);
    op.return_time = to_ns(sim_.now());
    open_.at(i) = false;
    if (sim_.observed()) {
      sim_.note("op.return", {{"process", op.process}, {"call_ns", op.call_time},
                              {"status", checkers::status_name(op.status)},
                              {"output", checkers::to_short_text(op.output)}});
    }
  }

  sim::Simulator& sim_;
  checkers::History history_;
  std::vector<bool> open_;
};

// For observers (a diagram): the witness of a violation the checker found in
// history `h` — the ops it could order (`linearized`) and those that could
// not come next (`stuck`, the first of them the one to look at), each named
// as process:call_ns (unique: a process runs one op at a time). A note only:
// the run does not change.
inline void note_witness(sim::Simulator& sim, const checkers::History& h, const checkers::CheckResult& r) {
  if (!sim.observed()) return;
  auto names = [&h](const std::vector<std::size_t>& indices) {
    std::string out;
    for (const std::size_t i : indices) {
      if (i >= h.ops.size()) continue;
      if (!out.empty()) out += ',';
      out += std::to_string(h.ops[i].process) + ":" + std::to_string(h.ops[i].call_time);
    }
    return out;
  };
  for (const auto& p : r.partitions) {
    if (p.verdict != checkers::Verdict::violation) continue;
    sim.note("check.witness",
             {{"partition", p.name}, {"linearized", names(p.linearization)}, {"stuck", names(p.stuck)}});
  }
}

}  // namespace zsim::scenarios
