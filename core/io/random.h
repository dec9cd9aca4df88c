// io::Random: a deterministic stream of random numbers for one purpose on
// one host (election backoff, jitter), plus buggify().
//
// Probabilities are ratios of integers, never floats, so every build type
// draws the same numbers. In a simulation the stream is forked from the run's
// seed; in a real runtime it would come from a real source.
#pragma once

#include <cstdint>
#include <string_view>

namespace zsim::io {

class Random {
 public:
  virtual ~Random() = default;

  virtual std::uint64_t next_u64() = 0;

  // Uniform in [0, bound). REQUIRES: bound > 0.
  virtual std::uint64_t below(std::uint64_t bound) = 0;

  // True with probability numerator/denominator.
  // REQUIRES: denominator > 0, numerator <= denominator.
  virtual bool chance(std::uint64_t numerator, std::uint64_t denominator) = 0;

  // FoundationDB-style fault site: in a simulation with buggify enabled for
  // the run, a site (named by a string literal, e.g. "zab.delay_ack") is
  // either active or not for the whole run, and an active site fires now and
  // then. Always false outside simulation. Use it to widen rare windows.
  virtual bool buggify(std::string_view site) = 0;
};

}  // namespace zsim::io

// Names the site after its source position.
#define ZSIM_BUGGIFY(random) \
  ((random).buggify(__FILE__ ":" ZSIM_BUGGIFY_STR(__LINE__)))
#define ZSIM_BUGGIFY_STR(x) ZSIM_BUGGIFY_STR2(x)
#define ZSIM_BUGGIFY_STR2(x) #x
