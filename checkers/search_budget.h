// SearchBudget: the limits on one check — wall time, memory for the memo,
// and (for reproducible limits in tests) a count of explored states.
//
// Running out of any of them makes the verdict `unknown`, never `ok`: a
// checker that gives up has not shown the history correct. The time limit is
// the only wall-clock reading in checkers/; it decides when to stop, never
// what the verdict of a completed search is.
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
};

class SearchBudget {
 public:
  explicit SearchBudget(const SearchLimits& limits)
      : limits_(limits), start_(std::chrono::steady_clock::now()) {}

  // Called once per explored state; checks the clock every 4096 calls.
  bool spend_state() {
    ++states_;
    if (limits_.states_max != 0 && states_ > limits_.states_max) {
      return exhaust("the state budget (" + std::to_string(limits_.states_max) +
                     " states) ran out");
    }
    if ((states_ & 4095u) == 0 && limits_.time_s_max > 0 &&
        elapsed_s() > limits_.time_s_max) {
      return exhaust("the time budget ran out");
    }
    return !exhausted_;
  }

  // Reports the memory in use by the current search; false when over.
  bool use_memory(std::size_t bytes) {
    if (bytes > peak_bytes_) peak_bytes_ = bytes;
    if (bytes > limits_.memory_bytes_max) {
      return exhaust("the memory budget ran out");
    }
    return !exhausted_;
  }

  bool exhausted() const { return exhausted_; }
  const std::string& reason() const { return reason_; }
  std::uint64_t states() const { return states_; }
  std::size_t peak_bytes() const { return peak_bytes_; }
  double elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                         start_)
        .count();
  }

 private:
  bool exhaust(std::string why) {
    if (!exhausted_) reason_ = std::move(why);
    exhausted_ = true;
    return false;
  }

  SearchLimits limits_;
  std::chrono::steady_clock::time_point start_;
  std::uint64_t states_ = 0;
  std::size_t peak_bytes_ = 0;
  bool exhausted_ = false;
  std::string reason_;
};

}  // namespace zsim::checkers
