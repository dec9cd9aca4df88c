#include "tools/arguments.h"

#include "core/io/quote.h"

#include <fmt/core.h>

#include <charconv>
#include <limits>

namespace zsim::tools {
namespace {

constexpr std::string_view kSeedRule = "a decimal integer from 0 to 18446744073709551615";

// Digits only, fits in 64 bits.
std::optional<std::uint64_t> decimal_u64(std::string_view s) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc{} || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Parsed<std::uint64_t> parse_seed(std::string_view text) {
  if (auto v = decimal_u64(text)) return *v;
  return fmt::format("bad seed {} (want {})", quote_input(text), kSeedRule);
}

Parsed<SeedRange> parse_seed_range(std::string_view text) {
  const auto dots = text.find("..");
  const std::string_view a = text.substr(0, dots);
  const std::string_view b = dots == std::string_view::npos ? a : text.substr(dots + 2);
  const auto first = decimal_u64(a);
  const auto last = decimal_u64(b);
  if (!first || !last) {
    return fmt::format("malformed seed range {} (want A..B with A and B {}, e.g. 1..200)", quote_input(text), kSeedRule);
  }
  if (*first > *last) return fmt::format("malformed seed range {}: {} is after {}", quote_input(text), *first, *last);
  if (*first == 0 && *last == std::numeric_limits<std::uint64_t>::max()) {
    return fmt::format("seed range {} has 2^64 seeds, one more than a sweep counts", quote_input(text));
  }
  return SeedRange{*first, *last};
}

Parsed<Shard> parse_shard(std::string_view text) {
  if (text.empty()) return Shard{};
  const auto slash = text.find('/');
  const auto i = decimal_u64(text.substr(0, slash));
  const auto n = slash == std::string_view::npos ? std::nullopt : decimal_u64(text.substr(slash + 1));
  if (!i || !n || *n < 1 || *i < 1 || *i > *n) {
    return fmt::format("malformed shard {} (want I/N with 1 <= I <= N, e.g. 2/4)", quote_input(text));
  }
  return Shard{*i, *n};
}

std::uint64_t ShardSeeds::count() const {
  const std::uint64_t offset = shard.index - 1;
  if (range.last - range.first < offset) return 0;
  return (range.last - range.first - offset) / shard.count + 1;
}

std::uint64_t ShardSeeds::at(std::uint64_t k) const { return range.first + (shard.index - 1) + k * shard.count; }

Parsed<Duration> parse_positive_duration(std::string_view text, std::string_view what) {
  const std::optional<Duration> d = parse_duration(text);
  if (!d || *d <= Duration{0}) {
    return fmt::format("malformed {} {} (want a positive number and a unit: ns, us, ms, s, m; e.g. 5s)", what,
                       quote_input(text));
  }
  if (!within_input_bounds(*d)) {
    return fmt::format("{} {} is more than the maximum of {} (a day)", what, quote_input(text),
                       format_duration(kInputDurationMax));
  }
  return *d;
}

}  // namespace zsim::tools
