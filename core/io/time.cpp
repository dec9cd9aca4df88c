#include "core/io/int128.h"
#include "core/io/time.h"

#include <fmt/core.h>

#include <cstdlib>

namespace zsim {

std::string format_time(Time t) {
  const std::int64_t ns = to_ns(t);
  // Work on the magnitude as unsigned so INT64_MIN is fine too.
  const std::uint64_t mag = ns < 0 ? 0 - static_cast<std::uint64_t>(ns)
                                   : static_cast<std::uint64_t>(ns);
  return fmt::format("{}{}.{:09}", ns < 0 ? "-" : "", mag / 1'000'000'000,
                     mag % 1'000'000'000);
}

std::string format_duration(Duration d) {
  const std::int64_t ns = d.count();
  if (ns == 0) return "0s";
  struct Unit {
    std::int64_t ns;
    const char* name;
  };
  static constexpr Unit kUnits[] = {
      {1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
  for (const Unit& u : kUnits) {
    if (ns % u.ns == 0) return fmt::format("{}{}", ns / u.ns, u.name);
  }
  return fmt::format("{}ns", ns);  // unreachable: every ns is a multiple of 1
}

}  // namespace zsim

namespace zsim {

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) {
    negative = text[i] == '-';
    ++i;
  }
  // Integer and fraction digits, kept as an exact decimal: value / 10^scale.
  int128 value = 0;
  int scale = 0;
  int digits = 0;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    if (++digits > 25) return std::nullopt;  // keeps value * unit in range
    value = value * 10 + (c - '0');
    if (seen_point) ++scale;
  }
  if (digits == 0) return std::nullopt;
  const std::string_view unit = text.substr(i);
  int128 unit_ns;
  if (unit == "ns") unit_ns = 1;
  else if (unit == "us") unit_ns = 1'000;
  else if (unit == "ms") unit_ns = 1'000'000;
  else if (unit == "s") unit_ns = 1'000'000'000;
  else if (unit == "m") unit_ns = 60'000'000'000;
  else return std::nullopt;
  int128 ns = value * unit_ns;
  for (int k = 0; k < scale; ++k) {
    if (ns % 10 != 0) return std::nullopt;  // not a whole nanosecond
    ns /= 10;
  }
  if (negative) ns = -ns;
  if (ns > INT64_MAX || ns < INT64_MIN) return std::nullopt;
  return Duration{static_cast<std::int64_t>(ns)};
}

}  // namespace zsim
