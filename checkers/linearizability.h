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
// when some partition has none (whatever the others say); unknown when a
// budget ran out and no violation was found.
//
// Scheduling: a violation in any partition is the answer for the whole
// history, so one hard partition must not starve the easy ones. Partitions
// are searched in rounds, smallest first, each round giving every
// undecided partition a slice of states four times the last one (iterative
// deepening: a search that runs out of its slice starts again, from
// nothing, in the next round; the waste is at most a third). The check
// stops at the first violation and reports the partitions it left
// undecided. A partition whose memo outgrows the memory budget stays
// unknown while the others go on; when the time or the total state budget
// runs out, everything stops. A lone partition gets the whole budget at
// once, so a one-partition check explores exactly what it did before.
//
// In zookeeper mode the whole history is one search (session order ties
// keys together), but each partition's projection must keep ZooKeeper's
// order too (a valid order of all ops, restricted to one key, is a valid
// order of that key's ops): those cheaper searches run first, in the same
// rounds, and a violation in any of them is the answer.
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
  // false: check the history as one partition (keys become parts of one
  // model state), to compare with tools that cannot partition.
  bool partition = true;
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
  // unknown only: why ("the memory budget (256 MB) ran out", "left
  // undecided: a violation in key 3 decides the history", ...).
  std::string unknown_reason;
  std::uint64_t states = 0;           // explored in this partition, all rounds
  std::size_t peak_memory_bytes = 0;  // its largest search
};

struct CheckResult {
  Verdict verdict = Verdict::unknown;
  std::string model;
  Consistency consistency = Consistency::linearizable;
  std::vector<PartitionReport> partitions;  // sorted by name (zookeeper: see above)
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
