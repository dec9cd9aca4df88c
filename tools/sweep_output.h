// Reading back what `zsim sweep --json` wrote (tools/sweep_report.h has the
// format), for `zsim merge`. Pure: each function takes one line's text and
// returns the value or why not, in words that fit after "FILE:LINE: ".
//
// The reading is strict, because a merge that guessed would report seeds
// that never ran as passed: every line is one JSON object, seed lines carry
// the fields sweep writes with their types, and the summary's range, shard
// and counts must make sense.
#pragma once

#include "scenarios/scenario.h"
#include "tools/arguments.h"
#include "tools/sweep_report.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace zsim::tools {

// One seed line, as the run it reports.
struct SeedLine {
  scenarios::RunResult result;
  bool died = false;  // fingerprint null: the process died on the seed
  std::int64_t wall_ms = 0;
};

// A line that is a summary object (has "summary"), or not; "" if the line
// is not JSON at all is the caller's business (parse_summary says why).
bool looks_like_summary(std::string_view line);

// The summary line: the tally it reports (wall_ms included).
Parsed<SweepTally> parse_summary(std::string_view line);

// A seed line of the sweep `summary` reports.
Parsed<SeedLine> parse_seed_line(std::string_view line, const SweepTally& summary);

}  // namespace zsim::tools
