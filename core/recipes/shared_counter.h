// A shared counter by versioned compare-and-set (Curator's SharedCount /
// DistributedAtomicLong): one znode holds the value as decimal text; an
// increment reads it with its version and writes value + delta with
// setData(version). BadVersion means someone wrote in between: read again.
//
// Znodes: <path>, PERSISTENT, data = the value ("0" when created).
// ConnectionLoss: on a read, read again after the reconnect; on the
//   setData, the increment's outcome is unknown -- it may have been applied
//   -- and add() returns ConnectionLoss without retrying (a blind retry can
//   count it twice). The caller decides (a counter of events may accept
//   the doubt, a bank may not).
// Session expiry: SessionExpired (unknown if it came during the setData).
// Invariant: every write is conditional on the version it read, so no
//   acknowledged increment is overwritten: the value equals the sum of the
//   acknowledged increments plus some of the unknown ones.
//
// Blocking: call from a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <cstdint>
#include <optional>
#include <string>

namespace zsim::core::recipes {

struct CounterOptions {
  std::string path = "/counter";
  // Reads lost to ConnectionLoss, and BadVersion races lost, before add()
  // gives up (with ConnectionLoss / BadVersion: nothing was added).
  int attempts_max = 64;
  Duration reconnect_wait = seconds(10);
};

// "42" -> 42; nullopt for anything that is not a decimal int64.
std::optional<int64_t> parse_counter(std::string_view text);

// Creates the counter at 0 if it does not exist (and its parents).
Code ensure_counter(Client& zk, const CounterOptions& o);

// Reads the value.
Result<int64_t> read_counter(Client& zk, const CounterOptions& o);

// Adds `delta`; Ok: the new value (added exactly once). ConnectionLoss /
// SessionExpired after the write was sent: unknown (see above); BadVersion:
// lost attempts_max races, nothing added.
Result<int64_t> add(Client& zk, const CounterOptions& o, int64_t delta);

}  // namespace zsim::core::recipes
