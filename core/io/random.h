// io::Random: a deterministic stream of random numbers for one purpose on
// one host (election backoff, jitter), plus the fault-injection hooks of a
// simulation: buggify() and crash points (fault_site()).
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
  // the run, a site (named by a stable string literal, e.g.
  // "zab.delay_ack", never a source path: the name steers the run, and two
  // checkouts must behave alike) is either active or not for the whole run,
  // and an active site fires now and then. Always false outside simulation.
  // Use it to widen rare windows.
  virtual bool buggify(std::string_view site) = 0;

  // A crash point: this host has reached the named step of its protocol
  // (one of core/fault_sites.h). In a simulation whose fault plan armed the
  // site for this host (`crash-at`), the host crashes here: from this call
  // on, nothing the process does reaches the network or the disk, and the
  // process is torn down once the current handler returns. Callers go on as
  // if nothing happened. A no-op outside simulation.
  virtual void fault_site(std::string_view site) = 0;
};

}  // namespace zsim::io
