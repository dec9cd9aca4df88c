// Time for code that runs on the seams: integer nanoseconds, typed.
//
// `Duration` is std::chrono::nanoseconds (so `5ms`, `2s` work with
// std::chrono_literals); `Time` is a point on some host's clock. Both are
// plain 64-bit integers underneath: no floating point anywhere, so every
// build type computes the same times.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>

namespace zsim {

using Duration = std::chrono::nanoseconds;

// Tag clock for Time. It has no now(): the only sources of "now" are the
// simulator's loop and a host's io::Clock.
struct VirtualClock {
  using duration = Duration;
  using rep = duration::rep;
  using period = duration::period;
  using time_point = std::chrono::time_point<VirtualClock, Duration>;
  static constexpr bool is_steady = true;
};

using Time = VirtualClock::time_point;

constexpr Duration nanos(std::int64_t n) { return Duration{n}; }
constexpr Duration micros(std::int64_t n) { return Duration{n * 1'000}; }
constexpr Duration millis(std::int64_t n) { return Duration{n * 1'000'000}; }
constexpr Duration seconds(std::int64_t n) { return Duration{n * 1'000'000'000}; }

// The longest duration, and the latest time, any input may name: one
// simulated day. Runs last seconds to minutes of simulated time; a fault
// plan time, pause or clock jump, a `sim advance` or a timeout beyond a day
// is a typo, and near 2^63 ns it would overflow `now + d`. Every reader of
// outside input refuses what is outside [-kInputDurationMax,
// kInputDurationMax] and says so (see docs/fault-plans.md).
inline constexpr Duration kInputDurationMax = std::chrono::hours(24);
constexpr bool within_input_bounds(Duration d) { return d >= -kInputDurationMax && d <= kInputDurationMax; }

constexpr std::int64_t to_ns(Duration d) { return d.count(); }
constexpr std::int64_t to_ns(Time t) { return t.time_since_epoch().count(); }
constexpr Time time_from_ns(std::int64_t ns) { return Time{Duration{ns}}; }

// "12.000450000": seconds with nine decimals, exact. Negative times (a host
// clock jumped back before zero) print with a leading '-'.
std::string format_time(Time t);

// The shortest exact form with a unit: "1500ms", "2s", "250us", "17ns", "0s".
// parse_duration accepts it back, so print/parse round-trips exactly.
std::string format_duration(Duration d);

// Parses "<number><unit>" with unit ns, us, ms, s or m (minutes); the number
// may be negative and may have a decimal fraction ("1.5s") as long as the
// result is a whole number of nanoseconds. Returns nullopt on anything else
// (no unit, unknown unit, overflow, junk).
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace zsim
