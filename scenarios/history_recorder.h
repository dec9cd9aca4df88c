// HistoryRecorder: turns what simulated clients did into a checkers::History.
//
// Times are the simulator's global time (not a host's drifting clock), so
// real-time order between clients is the true one. An operation still open
// when the run ends becomes `info` (it may or may not have happened).
#pragma once

#include "checkers/history.h"
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
  }

  sim::Simulator& sim_;
  checkers::History history_;
  std::vector<bool> open_;
};

}  // namespace zsim::scenarios
