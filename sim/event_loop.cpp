#include "sim/event_loop.h"

#include "core/assert.h"
#include "sim/rng.h"

#include <algorithm>

namespace zsim::sim {

const char* to_string(StopReason r) {
  switch (r) {
    case StopReason::kIdle: return "idle";
    case StopReason::kTimeBudget: return "time_budget";
    case StopReason::kEventBudget: return "event_budget";
    case StopReason::kStopped: return "stopped";
  }
  return "unknown";
}

namespace {
EventId make_id(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<std::uint64_t>(slot) << 32) | generation;
}
std::uint32_t id_slot(EventId id) { return static_cast<std::uint32_t>(id >> 32); }
std::uint32_t id_generation(EventId id) { return static_cast<std::uint32_t>(id); }
}  // namespace

EventLoop::EventLoop() {
  // Slot 0 is reserved so that no valid EventId is 0.
  slots_.emplace_back();
  heap_.reserve(1024);
}

std::uint32_t EventLoop::allocate_slot() {
  if (!free_slots_.empty()) {
    const std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  ZSIM_ASSERT(slots_.size() < UINT32_MAX);
  slots_.emplace_back();
  return static_cast<std::uint32_t>(slots_.size() - 1);
}

void EventLoop::free_slot(std::uint32_t slot) {
  Slot& s = slots_[slot];
  ZSIM_ASSERT(s.live);
  // The callback is destroyed last, after the slot is free: its destructor
  // may schedule events (a Promise dying wakes its waiters), which can grow
  // slots_ (invalidating `s`) and reuse this very slot.
  EventFn dying = std::move(s.fn);
  s.live = false;
  s.queued = false;
  // Generation 0 is skipped so that ids are never 0 even for slot 0.
  if (++s.generation == 0) s.generation = 1;
  free_slots_.push_back(slot);
  --live_;
}

void EventLoop::clear() {
  // Destructors of dropped callbacks may schedule more events: drop those
  // too, a bounded number of times.
  for (int round = 0; live_ > 0; ++round) {
    ZSIM_ASSERT_MSG(round < 100, "event destructors keep scheduling events");
    for (std::uint32_t slot = 1; slot < slots_.size(); ++slot) {
      if (slots_[slot].live) free_slot(slot);
    }
  }
  heap_.clear();
}

void EventLoop::push(std::uint32_t slot, std::int64_t time, std::uint64_t seq) {
  Slot& s = slots_[slot];
  s.queued = true;
  heap_.push_back(Entry{time, seq, slot, s.generation});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

EventId EventLoop::schedule_at(Time at, EventFn fn, EventTag tag) {
  ZSIM_ASSERT(static_cast<bool>(fn));
  const std::uint32_t slot = allocate_slot();
  Slot& s = slots_[slot];
  s.fn = std::move(fn);
  s.tag = tag;
  s.live = true;
  ++live_;
  ZSIM_ASSERT(next_seq_ < UINT64_MAX);
  push(slot, to_ns(std::max(at, now_)), next_seq_++);
  return make_id(slot, s.generation);
}

bool EventLoop::cancel(EventId id) {
  const std::uint32_t slot = id_slot(id);
  if (slot == 0 || slot >= slots_.size()) return false;
  Slot& s = slots_[slot];
  if (!s.live || s.generation != id_generation(id)) return false;
  // A queued entry stays in the heap and is skipped when popped (its
  // generation no longer matches).
  free_slot(slot);
  return true;
}

std::optional<EventTag> EventLoop::tag_of(EventId id) const {
  const std::uint32_t slot = id_slot(id);
  if (slot == 0 || slot >= slots_.size()) return std::nullopt;
  const Slot& s = slots_[slot];
  if (!s.live || s.generation != id_generation(id)) return std::nullopt;
  return s.tag;
}

void EventLoop::requeue(EventId id, Time at) {
  const std::uint32_t slot = id_slot(id);
  ZSIM_ASSERT(slot != 0 && slot < slots_.size());
  Slot& s = slots_[slot];
  ZSIM_ASSERT(s.live && s.generation == id_generation(id));
  ZSIM_ASSERT_MSG(!s.queued, "requeue of an event that was not held");
  ZSIM_ASSERT(next_requeue_seq_ < kFirstScheduledSeq);
  push(slot, to_ns(std::max(at, now_)), next_requeue_seq_++);
}

StopReason EventLoop::run(Time deadline, std::uint64_t max_events) {
  stop_requested_ = false;
  std::uint64_t ran = 0;
  while (true) {
    if (stop_requested_) return StopReason::kStopped;
    if (heap_.empty()) return StopReason::kIdle;
    const Entry top = heap_.front();
    Slot& s = slots_[top.slot];
    if (!s.live || s.generation != top.generation || !s.queued) {
      // Cancelled (or re-queued under a newer entry): skip the stale entry.
      std::pop_heap(heap_.begin(), heap_.end(), later);
      heap_.pop_back();
      continue;
    }
    if (top.time > to_ns(deadline)) {
      now_ = std::max(now_, deadline);
      return StopReason::kTimeBudget;
    }
    if (ran >= max_events) return StopReason::kEventBudget;
    std::pop_heap(heap_.begin(), heap_.end(), later);
    heap_.pop_back();
    ZSIM_ASSERT(top.time >= to_ns(now_));
    now_ = time_from_ns(top.time);
    const EventId id = make_id(top.slot, top.generation);
    if (s.tag.owner != 0 && gate_ != nullptr) {
      s.queued = false;
      const GateDecision d = gate_->decide(s.tag, id);
      if (d == GateDecision::kHold) continue;  // the gate will requeue it
      if (d == GateDecision::kDrop) {
        free_slot(top.slot);
        continue;
      }
    }
    // Move the callback out before running it: it may schedule events and
    // grow slots_, which would invalidate `s`.
    EventFn fn = std::move(s.fn);
    const EventTag tag = s.tag;
    free_slot(top.slot);
    order_fp_ = mix64(order_fp_ ^ (static_cast<std::uint64_t>(top.time) * 0x9e3779b97f4a7c15ULL + top.seq));
    ++events_run_;
    ++ran;
    current_tag_ = tag;
    fn();
    current_tag_ = EventTag{};
  }
}

}  // namespace zsim::sim
