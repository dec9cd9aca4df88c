#include "checkers/history.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "checkers/quote.h"

namespace zsim::checkers {

const char* status_name(Status s) {
  switch (s) {
    case Status::ok: return "ok";
    case Status::fail: return "fail";
    case Status::info: return "info";
  }
  return "?";
}

std::optional<HistoryError> validate_history(const History& h) {
  for (const Operation& op : h.ops) {
    if (op.return_time < op.call_time) {
      return HistoryError{
          fmt::format("operation {} returns at {} before its call at {}",
                      describe_op(op), op.return_time, op.call_time),
          op.source_line};
    }
  }
  // Per process, sorted by call: each must return before the next is called.
  std::vector<std::size_t> order(h.ops.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (h.ops[a].process != h.ops[b].process) {
      return h.ops[a].process < h.ops[b].process;
    }
    return h.ops[a].call_time < h.ops[b].call_time;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const Operation& prev = h.ops[order[k - 1]];
    const Operation& next = h.ops[order[k]];
    if (prev.process != next.process) continue;
    // An info operation never really returns; Jepsen retires such a
    // process, but a zsim client may go on, so only completed ops count.
    if (prev.status != Status::info && next.call_time < prev.return_time) {
      return HistoryError{
          fmt::format("process {} calls {} at {} while {} (called at {}) is "
                      "still in flight until {}",
                      next.process, escape_input(next.f, 40), next.call_time, escape_input(prev.f, 40),
                      prev.call_time, prev.return_time),
          next.source_line};
    }
  }
  return std::nullopt;
}

std::string describe_op(const Operation& op) {
  std::string s = fmt::format("p{} {}", op.process, escape_input(op.f, 40));
  if (op.key) s += fmt::format(" [{}]", to_short_text(*op.key, 30));
  if (!op.input.is_nil()) s += " " + to_short_text(op.input);
  switch (op.status) {
    case Status::ok:
      if (!op.output.is_nil() || op.input.is_nil()) {
        s += " -> " + to_short_text(op.output);
      } else {
        s += " -> ok";
      }
      break;
    case Status::fail: s += " -> failed"; break;
    case Status::info: s += " -> unknown"; break;
  }
  return s;
}

}  // namespace zsim::checkers
