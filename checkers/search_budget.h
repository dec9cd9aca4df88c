// SearchBudget: the limits on one check — wall time, memory for each
// search's memo, and (for reproducible limits in tests and scenarios) a
// count of explored states — and the slices a check hands out to its
// partitions.
//
// A check may run several searches one after another (one per partition,
// possibly several times with growing slices; see linearizability.cpp).
// The time and the total state count are shared by all of them: when
// either runs out, no search may continue. Memory is per search: a search
// frees its memo when it ends, so the next one starts from nothing; a
// search over the memory limit stops, the others may still run. A slice
// bounds one search's states so that cheap partitions are decided before
// an expensive one takes the whole budget.
//
// Running out of any of them makes the verdict `unknown`, never `ok`: a
// checker that gives up has not shown the history correct. The time limit
// is the only wall-clock reading in checkers/; it decides when to stop,
// never what the verdict of a completed search is.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace zsim::checkers {

struct SearchLimits {
  double time_s_max = 60.0;                       // 0 = no time limit
  std::size_t memory_bytes_max = std::size_t{2} << 30;
  std::uint64_t states_max = 0;                   // 0 = no limit
  // The states a search spends before its first restart with another
  // candidate order (wgl.h); it doubles each time. 0 = the default (a few
  // thousand plus some per op). Tests set it small so that restarts happen
  // on histories of a few operations.
  std::uint64_t first_run_states = 0;
};

class SearchBudget {
 public:
  // Why the current search must stop.
  enum class Stop : std::uint8_t {
    none,
    slice,   // this search's slice of states is used up (it may get another)
    memory,  // this search's memo outgrew the memory limit
    time,    // the check's time is up: no search may go on
    states,  // the check's state budget is used up: no search may go on
  };

  explicit SearchBudget(const SearchLimits& limits)
      : limits_(limits), start_(std::chrono::steady_clock::now()) {}

  // Starts a search that may explore at most `slice_states` states (0: no
  // slice limit). Clears a slice or memory stop of the previous search.
  void begin_search(std::uint64_t slice_states) {
    if (stop_ == Stop::slice || stop_ == Stop::memory) stop_ = Stop::none;
    search_states_ = 0;
    search_peak_bytes_ = 0;
    slice_states_ = slice_states;
  }

  // Called once per explored state; checks the clock every 4096 calls.
  // False when the search must stop.
  bool spend_state() {
    if (stop_ != Stop::none) return false;
    ++states_;
    ++search_states_;
    if (limits_.states_max != 0 && states_ > limits_.states_max) return halt(Stop::states);
    if (slice_states_ != 0 && search_states_ > slice_states_) return halt(Stop::slice);
    if ((states_ & 4095u) == 0 && limits_.time_s_max > 0 && elapsed_s() > limits_.time_s_max) {
      return halt(Stop::time);
    }
    return true;
  }

  // Reports the bytes the current search holds; false when over the limit.
  // A search calls it before it grows a structure, with the size it will
  // have (so that the limit holds at the peak, not after it).
  // The peaks count only what was granted.
  bool use_memory(std::size_t bytes) {
    if (bytes > limits_.memory_bytes_max) return halt(Stop::memory);
    if (bytes > peak_bytes_) peak_bytes_ = bytes;
    if (bytes > search_peak_bytes_) search_peak_bytes_ = bytes;
    return stop_ == Stop::none;
  }

  bool exhausted() const { return stop_ != Stop::none; }
  Stop stop() const { return stop_; }
  // Time or the total state count ran out: no further search may run.
  bool over() const { return stop_ == Stop::time || stop_ == Stop::states; }
  // A sentence for the current stop ("the memory budget (256 MB) ran out").
  std::string reason() const { return reason_of(stop_); }
  std::string reason_of(Stop s) const {
    switch (s) {
      case Stop::none: return "";
      case Stop::slice: return "its share of the states ran out";
      case Stop::memory:
        return "the memory budget (" + std::to_string(limits_.memory_bytes_max >> 20) + " MB) ran out";
      case Stop::time: return "the time budget ran out";
      case Stop::states:
        return "the state budget (" + std::to_string(limits_.states_max) + " states) ran out";
    }
    return "";
  }

  const SearchLimits& limits() const { return limits_; }
  std::uint64_t states() const { return states_; }
  std::uint64_t search_states() const { return search_states_; }
  std::size_t peak_bytes() const { return peak_bytes_; }
  std::size_t search_peak_bytes() const { return search_peak_bytes_; }
  double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  bool halt(Stop why) {
    // A time or state stop outlives every search; a later, smaller stop
    // does not replace it.
    if (!over()) stop_ = why;
    return false;
  }

  SearchLimits limits_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t states_ = 0;
  std::uint64_t search_states_ = 0;
  std::uint64_t slice_states_ = 0;
  std::size_t peak_bytes_ = 0;
  std::size_t search_peak_bytes_ = 0;
  Stop stop_ = Stop::none;
};

}  // namespace zsim::checkers
