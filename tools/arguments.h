// Parsing of the zsim command line's values: seeds, seed ranges, shards and
// durations. Each parser takes the raw text and returns the value or the
// one-line message naming the problem (the text quoted with zsim::quote_input, so
// a hostile argument cannot flood or garble the terminal).
//
// A seed is a decimal integer in [0, 2^64): digits only, no sign, no
// spaces, no leading '+', at most 20 digits and no more than
// 18446744073709551615. Anything else is refused (`-1` is not 2^64-1,
// `18446744073709551616` is not clamped, '' is not 0).
#pragma once

#include "core/io/time.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace zsim::tools {

template <typename T>
using Parsed = std::variant<T, std::string>;  // the value, or why not

Parsed<std::uint64_t> parse_seed(std::string_view text);

struct SeedRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
};
// "A..B" (A <= B) or a lone seed "A".
Parsed<SeedRange> parse_seed_range(std::string_view text);

struct Shard {
  std::uint64_t index = 1;  // 1-based
  std::uint64_t count = 1;
};
// "I/N" with 1 <= I <= N; "" is 1/1.
Parsed<Shard> parse_shard(std::string_view text);

// The seeds of a shard of a range, without listing them: index k of the
// shard is seed first + (I-1) + k*N.
struct ShardSeeds {
  SeedRange range;
  Shard shard;
  std::uint64_t count() const;  // 0 if the shard starts after the range
  std::uint64_t at(std::uint64_t k) const;
};

// A positive duration given on the command line, at most kInputDurationMax.
Parsed<Duration> parse_positive_duration(std::string_view text, std::string_view what);

}  // namespace zsim::tools
