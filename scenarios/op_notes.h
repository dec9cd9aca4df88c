// OpNotes: draws a client handle's operations in a diagram (zsim run
// --diagram) for scenarios that keep no history of their own (the recipe
// scenarios): each call and return of the handle becomes an observer-only
// note, `op.call` / `op.return`, the same notes HistoryRecorder writes.
//
// Observation only: the notes are never hashed or printed, and nothing here
// touches the handle, the clock or the random stream, so a run observed is
// the same run as one that is not. Attach it only while the run is observed
// (Simulator::observed()); then it costs nothing otherwise.
//
// An operation is named, as in HistoryRecorder, by (process, call_ns): the
// process is the scenario's client number, the call its global time --
// nudged forward by a nanosecond when two calls of one process share a time
// (two handles, or fibers), so that every name is unique.
#pragma once

#include "core/client/client.h"
#include "sim/simulator.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace zsim::scenarios {

class OpNotes final : public core::OpObserver {
 public:
  // REQUIRES: `sim` outlives this; every handle observed dies before it.
  OpNotes(sim::Simulator& sim, int64_t process) : sim_(sim), process_(process) {}

  uint64_t on_call(int64_t /*session_id*/, const core::wire::Op& op) override {
    if (!sim_.observed()) return 0;
    const int64_t call_ns = std::max(to_ns(sim_.now()), last_call_ns_ + 1);
    last_call_ns_ = call_ns;
    sim_.note("op.call", {{"process", process_}, {"call_ns", call_ns}, {"f", core::wire::op_name(op)},
                          {"input", path_of(op)}});
    open_[next_token_] = call_ns;
    return next_token_++;
  }

  void on_return(uint64_t token, const core::OpOutcome& outcome) override {
    auto it = open_.find(token);
    if (it == open_.end()) return;
    const int64_t call_ns = it->second;
    open_.erase(it);
    if (!sim_.observed()) return;
    const char* status = outcome.kind == core::OpOutcome::Kind::kOk       ? "ok"
                         : outcome.kind == core::OpOutcome::Kind::kFailed ? "fail"
                                                                          : "info";
    sim_.note("op.return", {{"process", process_}, {"call_ns", call_ns}, {"status", status},
                            {"output", std::string(core::code_name(outcome.err))}});
  }

 private:
  static std::string path_of(const core::wire::Op& op) {
    return std::visit(
        [](const auto& o) -> std::string {
          if constexpr (requires { o.path; }) {
            return std::string(o.path);
          } else {
            return std::string{};
          }
        },
        op);
  }

  sim::Simulator& sim_;
  int64_t process_;
  uint64_t next_token_ = 1;  // 0: not observed
  int64_t last_call_ns_ = -1;
  std::map<uint64_t, int64_t> open_;  // token -> call_ns
};

}  // namespace zsim::scenarios
