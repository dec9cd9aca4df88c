// ZAB identifiers: server ids, epochs and zxids, and the arithmetic on them.
//
// A zxid names one txn in the replicated history: the high 32 bits are the
// epoch of the leader that proposed it, the low 32 bits a counter that the
// leader increments for every proposal of its epoch (a new leader starts at
// (e+1, 0) and proposes (e+1, 1) first). Zxids therefore order txns globally:
// a later epoch beats any counter of an earlier one.
//
// Zxids are int64_t like everywhere else in core/ (txn headers, TxnLog).
// Epochs stay below 2^31 so every zxid is non-negative; zxid 0 means "no
// txn yet" (an empty history). A zxid with counter 0 and epoch > 0 names no
// txn: it is only ever a boundary ("everything before epoch e").
//
// All functions here are pure and constexpr; they ZSIM_ASSERT their
// REQUIRES, because a bad epoch or counter is a local bug, never input from
// the network (network input is validated with the `is_valid_*` helpers).
#pragma once

#include <cstdint>

#include "core/assert.h"

namespace zsim::core::zab {

using ServerId = int64_t;  // ZooKeeper's "sid" (myid); >= 0 for real servers
using Epoch = int64_t;     // in [0, kEpochMax]
using Zxid = int64_t;      // epoch << 32 | counter; >= 0

// No server: the vote of an observer, which never proposes itself.
inline constexpr ServerId kNoServer = -1;

inline constexpr Epoch kEpochMax = (int64_t{1} << 31) - 1;
inline constexpr int64_t kCounterMax = 0xffffffffLL;

// True for a zxid that can appear in a message: non-negative, epoch in range.
constexpr bool is_valid_zxid(Zxid zxid) { return zxid >= 0 && (zxid >> 32) <= kEpochMax; }
constexpr bool is_valid_epoch(Epoch epoch) { return epoch >= 0 && epoch <= kEpochMax; }

// REQUIRES: is_valid_epoch(epoch); 0 <= counter <= kCounterMax.
constexpr Zxid make_zxid(Epoch epoch, int64_t counter) {
  ZSIM_ASSERT(is_valid_epoch(epoch));
  ZSIM_ASSERT(counter >= 0);
  ZSIM_ASSERT(counter <= kCounterMax);
  return (epoch << 32) | counter;
}

// REQUIRES: is_valid_zxid(zxid) (for both).
constexpr Epoch epoch_of(Zxid zxid) {
  ZSIM_ASSERT(is_valid_zxid(zxid));
  return zxid >> 32;
}
constexpr int64_t counter_of(Zxid zxid) {
  ZSIM_ASSERT(is_valid_zxid(zxid));
  return zxid & kCounterMax;
}

// The first zxid a leader of `epoch` may propose: (epoch, 1).
constexpr Zxid first_zxid_of_epoch(Epoch epoch) { return make_zxid(epoch, 1); }

// True when no further zxid fits in this zxid's epoch: the leader must not
// propose again and gives up leadership so that a new epoch starts (ZooKeeper
// forces an election on counter overflow).
constexpr bool counter_exhausted(Zxid zxid) { return counter_of(zxid) == kCounterMax; }

// The zxid after `zxid` in the same epoch.
// REQUIRES: !counter_exhausted(zxid).
constexpr Zxid next_zxid(Zxid zxid) {
  ZSIM_ASSERT(!counter_exhausted(zxid));
  return zxid + 1;
}

}  // namespace zsim::core::zab
