// History: what clients did, as a list of completed (or not) operations.
//
// One Operation is one call by one client: which process (client) made it,
// in which session (optional), the function, its input, its output, when it
// was called and when it returned, and how it ended:
//   ok   — it happened and returned `output`;
//   fail — it certainly did not happen (it is ignored by the checkers);
//   info — unknown: it may have taken effect at any moment after its call,
//          or never (a timeout, a ConnectionLoss). Its output is unknown.
// Times are integers: virtual nanoseconds for zsim runs, or positions in the
// file for imported histories. Only their order matters.
//
// Invariants (checked by validate_history): call_time <= return_time; one
// process has at most one operation in flight at a time (its operations do
// not overlap), which is what "a client" means.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checkers/value.h"

namespace zsim::checkers {

enum class Status : std::uint8_t { ok, fail, info };

const char* status_name(Status s);

struct Operation {
  std::int64_t process = 0;
  std::optional<std::int64_t> session;
  std::string f;             // function name: "read", "write", "cas", ...
  std::optional<Value> key;  // independent key (Jepsen's :key), if any
  Value input;
  Value output;              // meaningless when status is info
  std::int64_t call_time = 0;
  std::int64_t return_time = 0;
  Status status = Status::ok;
  int source_line = 0;  // where it came from in the input file, 0 if unknown

  // The session's id, or the process id when no session was recorded: each
  // process is then its own session.
  std::int64_t session_or_process() const {
    return session ? *session : process;
  }
};

struct History {
  std::vector<Operation> ops;
};

// A description of a history problem, for messages.
struct HistoryError {
  std::string message;
  int source_line = 0;
};

// Checks the invariants above; returns the first violation found.
std::optional<HistoryError> validate_history(const History& h);

// "p3 write 4 -> ok" style one-line description used by reports.
std::string describe_op(const Operation& op);

}  // namespace zsim::checkers
