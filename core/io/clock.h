// io::Clock: a host's view of time, and its timers.
//
// Threading: everything on the seams runs on one thread, inside the host's
// event loop. Callbacks never run inline from the call that registers them;
// they run later, from the loop, each to completion.
#pragma once

#include "core/io/function.h"
#include "core/io/time.h"

#include <cstdint>

namespace zsim::io {

// Identifies a scheduled timer so it can be cancelled. 0 is never a timer.
using TimerId = std::uint64_t;

class Clock {
 public:
  virtual ~Clock() = default;

  // This host's local time. It may be offset from other hosts' clocks, run
  // fast or slow (drift), and jump when an operator (a fault) sets it, so it
  // is only good for local deltas and for timestamps that need not agree
  // across hosts. Never goes backwards except across a clock jump.
  virtual Time now() const = 0;

  // Runs `fn` once `after` has elapsed on this host's clock (so timers run
  // slow on a slow clock). `after` < 0 is treated as 0. The timer dies with
  // the process: after a crash it never fires. Returns a non-zero id.
  virtual TimerId schedule(Duration after, UniqueFunction<void()> fn) = 0;

  // Cancels a pending timer. Returns false if it already fired, was already
  // cancelled, or belongs to a previous process incarnation.
  virtual bool cancel(TimerId id) = 0;
};

}  // namespace zsim::io
