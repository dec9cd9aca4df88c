// EventLoop: virtual time and the queue of everything that will happen.
//
// Events run in (time, sequence) order: two events at the same instant run
// in the order they were scheduled. The loop jumps straight from one event to
// the next; nothing ever waits on a real clock. Cancellable: a cancelled
// event's callback is destroyed at cancel time and it never runs.
//
// Events may carry an owner tag (a host). Before running a tagged event the
// loop asks the gate what to do with it: run it, drop it (the owner died), or
// hold it (the owner is paused; the simulator re-queues it later). Untagged
// events always run.
//
// Single-threaded. Callbacks may schedule and cancel events freely.
#pragma once

#include "core/io/function.h"
#include "core/io/time.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace zsim::sim {

using EventFn = UniqueFunction<void()>;

// Identifies a scheduled event: (slot, generation). 0 is never an event.
using EventId = std::uint64_t;

// Who an event belongs to. owner 0 means nobody (always runs).
struct EventTag {
  std::uint32_t owner = 0;
  std::uint32_t incarnation = 0;
};

enum class GateDecision : std::uint8_t { kRun, kDrop, kHold };

// Why run() returned.
enum class StopReason : std::uint8_t {
  kIdle,         // no more events
  kTimeBudget,   // the next event lies past the deadline
  kEventBudget,  // ran as many events as allowed
  kStopped,      // stop() was called (e.g. the run failed)
};

const char* to_string(StopReason r);

class EventLoop {
 public:
  // Decides the fate of a tagged event. Held events keep their id; the gate
  // owner must later call requeue() (or cancel()) for each of them.
  class Gate {
   public:
    virtual ~Gate() = default;
    virtual GateDecision decide(EventTag tag, EventId id) = 0;
  };

  EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Time now() const { return now_; }

  // Schedules fn at `at` (clamped to now: the past is now).
  EventId schedule_at(Time at, EventFn fn, EventTag tag = {});
  EventId schedule_after(Duration after, EventFn fn, EventTag tag = {}) {
    return schedule_at(now_ + (after.count() < 0 ? Duration{0} : after), std::move(fn), tag);
  }

  // Returns false if the event already ran, was dropped or cancelled.
  bool cancel(EventId id);

  // The tag of a pending (queued or held) event; nullopt if it is not
  // pending. Lets an owner refuse to cancel events that are not its own.
  std::optional<EventTag> tag_of(EventId id) const;

  // Puts a held event back in the queue at `at`, ahead of every event that
  // was scheduled (not requeued) for that instant and behind the events
  // requeued before it. A held event fell due before it was released, so it
  // must not be overtaken by what falls due at the release instant (a stream
  // message arriving exactly when a pause ends would otherwise pass the
  // messages held by the pause). REQUIRES: id was held and not cancelled.
  void requeue(EventId id, Time at);

  void set_gate(Gate* gate) { gate_ = gate; }

  // Destroys every pending (queued or held) event without running it, and
  // whatever their destructors schedule. For teardown.
  void clear();

  // Runs events until the queue is empty, the next event is after
  // `deadline`, `max_events` events have run, or stop() was called.
  // Time never passes `deadline`; on kTimeBudget now() == deadline.
  StopReason run(Time deadline, std::uint64_t max_events);

  // Makes run() return after the current event.
  void stop() { stop_requested_ = true; }

  // The tag of the event being run (owner 0 between events and for untagged
  // events).
  EventTag current_tag() const { return current_tag_; }

  std::uint64_t events_run() const { return events_run_; }
  std::size_t pending() const { return live_; }

  // A running hash over (time, sequence) of every event run: two runs that
  // ran the same events in the same order have the same value.
  std::uint64_t order_fingerprint() const { return order_fp_; }

 private:
  struct Entry {
    std::int64_t time;
    std::uint64_t seq;
    std::uint32_t slot;
    std::uint32_t generation;
  };
  struct Slot {
    EventFn fn;
    EventTag tag;
    std::uint32_t generation = 1;
    bool queued = false;  // in the heap (vs held by the gate, or free)
    bool live = false;
  };
  static bool later(const Entry& a, const Entry& b) {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }

  std::uint32_t allocate_slot();
  void free_slot(std::uint32_t slot);
  void push(std::uint32_t slot, std::int64_t time, std::uint64_t seq);

  // Requeued events take sequence numbers below every scheduled event's, so
  // at one instant they run first, in the order they were requeued.
  static constexpr std::uint64_t kFirstScheduledSeq = std::uint64_t{1} << 62;

  Time now_{};
  std::uint64_t next_seq_ = kFirstScheduledSeq;
  std::uint64_t next_requeue_seq_ = 0;
  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_slots_;
  Gate* gate_ = nullptr;
  EventTag current_tag_;
  std::size_t live_ = 0;
  std::uint64_t events_run_ = 0;
  std::uint64_t order_fp_ = 0;
  bool stop_requested_ = false;
};

}  // namespace zsim::sim
