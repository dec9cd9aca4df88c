// io::Fibers: cooperative threads of control for code written in blocking
// style (the client library, recipes, workload clients).
//
// Fibers of one simulation never run concurrently: a fiber runs until it
// parks (waits for a future, sleeps) or returns, then the event loop goes on.
// After every park, re-check what you assumed before it: the world moved.
//
// A fiber belongs to the process that spawned it. When the host crashes, its
// fibers are destroyed: their stacks unwind and destructors run. Code in a
// fiber must therefore not swallow every exception: `catch (...)` must
// rethrow (the unwind travels as an exception). An exception that escapes a
// fiber's body fails the run with a report (seed, time, host).
#pragma once

#include "core/io/function.h"
#include "core/io/time.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace zsim::io {

// A ticket to wake one fiber from one particular park. Waking with a stale
// ticket (the fiber already woke, or died) does nothing.
struct Waker {
  std::uint64_t fiber = 0;
  std::uint64_t generation = 0;
};

class Fibers {
 public:
  virtual ~Fibers() = default;

  // Starts `body` on a new fiber of this process. It starts from the event
  // loop (never inline), in spawn order.
  virtual void spawn(std::string_view name, UniqueFunction<void()> body) = 0;

  // True when called from inside a fiber (only then may one park).
  virtual bool in_fiber() const = 0;

  // The ticket that will wake the calling fiber from its next park.
  // REQUIRES: in_fiber().
  virtual Waker waker() = 0;

  // Parks the calling fiber until wake() with its ticket (returns true) or
  // until `timeout` elapses on this host's clock (returns false).
  // REQUIRES: in_fiber().
  virtual bool park(std::optional<Duration> timeout) = 0;

  // Schedules the woken fiber to resume from the event loop. Never inline.
  virtual void wake(Waker w) = 0;

  // Whether `w` would still wake its fiber.
  virtual bool is_current(Waker w) const = 0;

  // Parks the calling fiber for `d` of this host's time.
  void sleep(Duration d) { (void)park(d); }
};

}  // namespace zsim::io
