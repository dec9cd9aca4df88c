// Rng: the simulator's one source of randomness.
//
// xoshiro256** seeded through splitmix64. Integer-only API: probabilities are
// ratios, bounded integers are unbiased (Lemire's multiply-and-reject), so
// every build type and standard library draws the same numbers. No
// std::*_distribution (their algorithms differ between libraries).
//
// fork(label) derives an independent stream from this stream's *key* and the
// label, without drawing from this stream: adding a fork or drawing more from
// one stream never reshuffles another. Typical tree: the run's root stream
// forks "net", "faults", "host/s1", "client/c3", ...
#pragma once

#include <cstdint>
#include <string_view>

namespace zsim::sim {

class Rng {
 public:
  explicit Rng(std::uint64_t seed);

  std::uint64_t next_u64();

  // Uniform in [0, bound). REQUIRES: bound > 0.
  std::uint64_t below(std::uint64_t bound);

  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi);

  // True with probability numerator / denominator.
  // REQUIRES: denominator > 0 and numerator <= denominator.
  bool chance(std::uint64_t numerator, std::uint64_t denominator);

  // An independent stream named `label`, derived from this stream's key.
  Rng fork(std::string_view label) const;

  // Exponentially distributed with the given mean, computed in fixed point
  // (no floating point): mean * -ln(U), U uniform in (0, 1].
  std::int64_t exponential(std::int64_t mean);

  std::uint64_t key() const { return key_; }

 private:
  std::uint64_t key_;  // what fork() derives from; fixed for the stream
  std::uint64_t s_[4];
};

// 64-bit FNV-1a, for labels and fingerprints of strings.
std::uint64_t hash_bytes(std::string_view bytes, std::uint64_t seed = 0);

// A strong 64-bit mixer (the splitmix64 finalizer).
std::uint64_t mix64(std::uint64_t x);

}  // namespace zsim::sim
