// Promise / Future for fibers: a fiber waits on a Future; event-driven code
// (a reply handler, a timer) fulfils the Promise and the fiber resumes from
// the event loop.
//
//   io::Promise<Reply> p(fibers);
//   io::Future<Reply> f = p.future();
//   send_request(..., [p]() mutable { p.set(reply); });   // in a handler
//   Reply& r = f.get();                                   // in a fiber
//
// One value, set once. Any number of fibers may wait. A promise that dies
// unfulfilled (its owner was destroyed) breaks its future: get() throws
// BrokenPromise, which, escaping a fiber, fails the run loudly.
// Single-threaded, like everything on the seams.
#pragma once

#include "core/assert.h"
#include "core/io/fibers.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace zsim::io {

class BrokenPromise : public std::logic_error {
 public:
  BrokenPromise() : std::logic_error("a promise was destroyed unfulfilled") {}
};

namespace detail {

// What futures and promises share; also the base that select() works on.
struct FutureStateBase {
  explicit FutureStateBase(Fibers& f) : fibers(&f) {}
  virtual ~FutureStateBase() = default;

  bool ready() const { return has_value() || broken; }
  virtual bool has_value() const = 0;

  // Registers the calling fiber's ticket, dropping tickets gone stale (so a
  // future polled with timeouts again and again stays small).
  void add_waiter() {
    std::erase_if(waiters, [&](const Waker& w) { return !fibers->is_current(w); });
    waiters.push_back(fibers->waker());
  }

  void wake_all() {
    std::vector<Waker> to_wake;
    to_wake.swap(waiters);
    for (const Waker& w : to_wake) fibers->wake(w);
  }

  Fibers* fibers;
  bool broken = false;
  std::vector<Waker> waiters;
};

template <typename T>
struct FutureState final : FutureStateBase {
  using FutureStateBase::FutureStateBase;
  bool has_value() const override { return value.has_value(); }
  std::optional<T> value;
};

}  // namespace detail

template <typename T>
class Future {
 public:
  Future() = default;

  bool valid() const { return state_ != nullptr; }
  bool ready() const { return state_->ready(); }

  // Waits (parking the fiber) until the value is set, then returns it.
  // Throws BrokenPromise if the promise died unfulfilled.
  // REQUIRES: valid(); in a fiber unless ready().
  T& get() {
    ZSIM_ASSERT(valid());
    while (!state_->ready()) {
      state_->add_waiter();
      (void)state_->fibers->park(std::nullopt);
    }
    if (!state_->has_value()) throw BrokenPromise();
    return *state_->value;
  }

  // Waits at most `timeout` (host time). Returns whether the future is ready.
  bool wait_for(Duration timeout) {
    ZSIM_ASSERT(valid());
    if (state_->ready()) return true;
    state_->add_waiter();
    (void)state_->fibers->park(timeout);
    return state_->ready();
  }

  detail::FutureStateBase* state_base() const { return state_.get(); }

 private:
  template <typename>
  friend class Promise;
  explicit Future(std::shared_ptr<detail::FutureState<T>> s) : state_(std::move(s)) {}

  std::shared_ptr<detail::FutureState<T>> state_;
};

template <typename T>
class Promise {
 public:
  explicit Promise(Fibers& fibers)
      : state_(std::make_shared<detail::FutureState<T>>(fibers)),
        owner_(std::make_shared<Owner>(state_)) {}

  Future<T> future() const { return Future<T>(state_); }

  bool is_set() const { return state_->has_value(); }

  // Fulfils the promise and schedules every waiting fiber to resume.
  // REQUIRES: not set yet.
  void set(T value) {
    ZSIM_ASSERT_MSG(!state_->ready(), "promise set twice");
    state_->value.emplace(std::move(value));
    state_->wake_all();
  }

  // Like set(), but a no-op if already set (for racing completions, e.g. a
  // reply and a timeout).
  bool try_set(T value) {
    if (state_->ready()) return false;
    set(std::move(value));
    return true;
  }

 private:
  // The last copy of a promise to die breaks the future if it is unfulfilled.
  struct Owner {
    explicit Owner(std::shared_ptr<detail::FutureState<T>> s) : state(std::move(s)) {}
    ~Owner() {
      if (!state->ready()) {
        state->broken = true;
        state->wake_all();
      }
    }
    std::shared_ptr<detail::FutureState<T>> state;
  };

  std::shared_ptr<detail::FutureState<T>> state_;
  std::shared_ptr<Owner> owner_;
};

// Waits until one of `futures` is ready or `timeout` (if given) elapses.
// Returns the index of the first ready future in argument order, or nullopt
// on timeout. REQUIRES: all from the same Fibers; in a fiber unless one is
// ready already.
template <typename... Fs>
std::optional<std::size_t> select(std::optional<Duration> timeout, Fs&... futures) {
  detail::FutureStateBase* states[] = {futures.state_base()...};
  auto first_ready = [&]() -> std::optional<std::size_t> {
    for (std::size_t i = 0; i < sizeof...(Fs); ++i) {
      if (states[i]->ready()) return i;
    }
    return std::nullopt;
  };
  if (auto i = first_ready()) return i;
  Fibers* fibers = states[0]->fibers;
  // One ticket in every future: the first to be fulfilled wakes us, the
  // other tickets go stale with the park.
  for (auto* s : states) s->add_waiter();
  (void)fibers->park(timeout);
  return first_ready();
}

}  // namespace zsim::io
