// check_history: is a history linearizable (or, in zookeeper mode, does it
// keep ZooKeeper's promises) with respect to a named sequential model?
//
// Steps: drop failed ops and ops that constrain nothing (unknown reads);
// encode the rest with the model; split them into independent partitions
// (P-compositionality: ops on different keys, or znode paths no op ties
// together, are checked apart); search each partition (wgl.h); for a
// violation, explain where it breaks (the ops that cannot be linearized
// after the longest linearizable prefix, and the state there).
//
// Verdicts: ok only when every partition has a linearization; violation
// when some partition has none (even if others ran out of budget); unknown
// when a budget ran out and no violation was found.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checkers/history.h"
#include "checkers/search_budget.h"
#include "checkers/value.h"
#include "checkers/wgl.h"

namespace zsim::checkers {

enum class Consistency : std::uint8_t {
  linearizable,  // every op at one point between its call and return
  zookeeper,     // linearizable writes, per-session order, no going back
};

struct ModelInfo {
  const char* name;
  const char* summary;
};
// The models check_history knows, in the order --help lists them.
const std::vector<ModelInfo>& known_models();

struct CheckOptions {
  std::string model = "cas-register";
  Value init;  // nil: the model's default (absent / empty)
  Consistency consistency = Consistency::linearizable;
  SearchLimits limits;
};

struct PartitionReport {
  std::string name;                        // e.g. "key 3", "paths /a /a/b"
  Verdict verdict = Verdict::unknown;
  std::vector<std::size_t> ops;            // history indices, call order
  // ok: the linearization found; otherwise the longest partial one.
  std::vector<std::size_t> linearization;
  // violation only: the model state after `linearization`, the ops that
  // cannot come next, and why each cannot.
  std::string state_after;
  std::vector<std::size_t> stuck;
  std::vector<std::string> stuck_reasons;
};

struct CheckResult {
  Verdict verdict = Verdict::unknown;
  std::string model;
  Consistency consistency = Consistency::linearizable;
  std::vector<PartitionReport> partitions;  // sorted by name
  std::size_t ops_checked = 0;
  std::size_t ops_dropped = 0;  // failed ops and unknown reads
  std::uint64_t states_explored = 0;
  std::size_t peak_memory_bytes = 0;
  double elapsed_s = 0;
  std::string unknown_reason;  // why the budget ran out
};

// An operating error: the model does not exist or cannot read an op.
struct CheckError {
  std::string message;
  int source_line = 0;
};

struct CheckOutcome {
  std::optional<CheckResult> result;
  std::optional<CheckError> error;
};

CheckOutcome check_history(const History& history, const CheckOptions& options);

const char* verdict_name(Verdict v);  // "ok", "violation", "unknown"

}  // namespace zsim::checkers
