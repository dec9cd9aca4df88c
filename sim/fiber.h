// FiberScheduler: Boost.Context fibers driven by the event loop.
//
// A fiber runs only when the loop dispatches an event that resumes it (its
// start, or its wake-up), so fibers interleave with every other event in
// (time, sequence) order and a run stays deterministic. A fiber runs until
// it parks or returns; nothing preempts it.
//
// Fibers are owned by an event owner (a host). destroy_owned_by() destroys a
// crashed host's fibers: each suspended stack is unwound by a forced-unwind
// exception, so destructors run. An exception escaping a fiber's body is
// caught at the fiber's base and reported through the failure callback (the
// simulator turns it into a failed run with seed, time and host).
//
// Single-threaded; one scheduler per simulation. The identity of the running
// fiber is scheduler state, never a global.
#pragma once

#include "core/io/fibers.h"
#include "core/io/function.h"
#include "sim/event_loop.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace zsim::sim {

struct FiberOptions {
  // Stack size of each fiber. Recipes and clients are shallow; 256 KiB is
  // ample, and sanitizer builds get twice as much.
  std::size_t stack_bytes = 256 * 1024;
};

class FiberScheduler {
 public:
  // Called with a description when an exception escapes a fiber body.
  using FailureFn = std::function<void(std::uint32_t owner, const std::string& what)>;

  FiberScheduler(EventLoop& loop, FiberOptions options, FailureFn on_failure);
  ~FiberScheduler();
  FiberScheduler(const FiberScheduler&) = delete;
  FiberScheduler& operator=(const FiberScheduler&) = delete;

  // Creates a fiber owned by `owner`; it starts from the loop, in spawn order.
  std::uint64_t spawn(EventTag owner, std::string name, UniqueFunction<void()> body);

  bool in_fiber() const { return current_ != nullptr; }
  std::uint64_t current_id() const;
  const std::string& current_name() const;

  io::Waker waker() const;

  // Parks the running fiber until woken (true) or until `timeout` of
  // simulated (global) time passes (false). REQUIRES: in_fiber().
  bool park(std::optional<Duration> timeout);

  // Schedules the fiber to resume if `w` is still its current ticket.
  void wake(io::Waker w);
  bool is_current(io::Waker w) const;

  // Destroys every fiber of `owner`, unwinding the stacks of suspended ones.
  void destroy_owned_by(std::uint32_t owner);

  std::size_t live_fibers() const { return fibers_.size(); }

 private:
  struct Fiber;
  void start(std::uint64_t id);
  void resume(Fiber& f, bool woken);
  void switch_in(Fiber& f);
  void on_finished(std::uint64_t id);
  void destroy(std::map<std::uint64_t, std::unique_ptr<Fiber>>::iterator it);
  static std::string fmt_exception(const std::string& fiber, const char* type,
                                   const char* what);

  EventLoop& loop_;
  FiberOptions options_;
  FailureFn on_failure_;
  // Ordered by id (spawn order): destruction order on a crash is stable.
  std::map<std::uint64_t, std::unique_ptr<Fiber>> fibers_;
  Fiber* current_ = nullptr;
  std::uint64_t next_id_ = 1;
  // Sanitizer bookkeeping for the main (loop) stack; unused otherwise.
  const void* main_stack_bottom_ = nullptr;
  std::size_t main_stack_size_ = 0;
  void* main_fake_stack_ = nullptr;
};

}  // namespace zsim::sim
