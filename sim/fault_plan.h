// FaultPlan: a list of timed fault events, as plain data.
//
// Plans are what gets saved, replayed, edited and shrunk, so they have a text
// form that round-trips exactly: parse_plan(print_plan(p)) == p. One event a
// line, `#` starts a comment:
//
//   at 1500ms partition split s1 s2 | s3 s4 s5
//   at 2s partition isolate s1
//   at 2s partition bridge s1 s2 | s3 | s4 s5      (s3 talks to both halves)
//   at 2s partition oneway s1 -> s2 s3             (s1 cannot reach s2, s3)
//   at 3s heal
//   at 3s crash s2
//   at 4s restart s2
//   at 5s pause s3 2s
//   at 6s clock-jump s1 -200ms
//   at 6s clock-drift s1 +500ppm
//   at 7s loss 1/10                                (datagram loss ratio)
//   at 7s duplicate 1/20                           (datagram duplication)
//   at 7s stream-reset 1/1000                      (per stream message)
//   at 8s disk-corrupt-read s1 1/100
//   at 8s disk-lying-sync s1 0/1                   (0/1 switches it off)
//
// Times are offsets from the start of the run. Parse errors name the line,
// the column and what is wrong. Host names are checked against an ensemble
// by validate_plan(), not by the parser.
#pragma once

#include "core/io/time.h"
#include "sim/network.h"  // Ratio
#include "sim/rng.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace zsim::sim {

enum class FaultKind : std::uint8_t {
  kPartition,
  kHeal,
  kCrash,
  kRestart,
  kPause,
  kClockJump,
  kClockDrift,
  kLoss,
  kDuplicate,
  kStreamReset,
  kDiskCorruptRead,
  kDiskLyingSync,
};

enum class PartitionShape : std::uint8_t {
  kSplit,    // groups[0] | groups[1]: no traffic between the two groups
  kIsolate,  // groups[0] = {host}: the host is cut off from everybody
  kBridge,   // groups[0] | groups[1] = {bridge} | groups[2]: the bridge
             // reaches both sides, the sides do not reach each other
  kOneWay,   // groups[0] -> groups[1]: no traffic from 0 to 1 (1 to 0 flows)
};

struct FaultEvent {
  Duration at{0};
  FaultKind kind = FaultKind::kHeal;
  PartitionShape shape = PartitionShape::kSplit;  // kPartition
  std::vector<std::vector<std::string>> groups;   // kPartition
  std::string host;                               // host faults
  Duration duration{0};                           // kPause; kClockJump delta
  std::int64_t drift_ppm = 0;                     // kClockDrift
  Ratio ratio;                                    // loss/dup/reset/disk

  bool operator==(const FaultEvent&) const = default;
};

struct FaultPlan {
  std::vector<FaultEvent> events;
  bool operator==(const FaultPlan&) const = default;
};

std::string print_event(const FaultEvent& e);
std::string print_plan(const FaultPlan& plan);

struct PlanParseError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
  std::string to_string() const;  // "line 3, column 14: ..."
};

std::variant<FaultPlan, PlanParseError> parse_plan(std::string_view text);

// Checks that every host the plan names is in `hosts`, and that events are
// well formed (non-empty groups, a bridge host in neither half, ratios <= 1,
// drift within +-100000 ppm). Returns "" if fine, else the first problem.
std::string validate_plan(const FaultPlan& plan, const std::vector<std::string>& hosts);

// Knobs for generated plans; each kind can be switched off.
struct PlanOptions {
  // Faults happen during [0, duration): the safety phase.
  Duration duration = seconds(10);
  // Hosts that crash, pause, drift and partition.
  std::vector<std::string> servers;
  // Hosts that may also end up on either side of a partition.
  std::vector<std::string> clients;
  // Mean gap between faults.
  Duration fault_gap_mean = millis(700);
  // At most this many servers crashed or paused at once (a quorum of 2f+1
  // survives f). Defaults to a minority.
  int max_servers_down = -1;
  bool partitions = true;
  bool crashes = true;
  bool pauses = true;
  bool clock_faults = true;
  bool loss = true;
  bool duplicates = true;
  bool stream_resets = true;
  bool disk_faults = false;
  Duration down_max = seconds(3);   // crash/pause lengths
  Duration clock_jump_max = seconds(1);
  std::int64_t drift_ppm_max = 2000;
  Ratio loss_max{1, 4};
  Ratio duplicate_max{1, 4};
  Ratio stream_reset_max{1, 200};
  Ratio disk_fault_max{1, 50};
  // Disk faults hit at most this many distinct servers in one plan (-1: any
  // server). A replicated service survives faulty disks only on fewer
  // servers than it can lose: a lying sync on a server that then crashes
  // loses what it acknowledged, as if it had been down.
  int disk_fault_servers_max = -1;
};

// A plan drawn from `rng` (fork it from the run's seed as "faults").
// Sorted by time; every crash or pause ends within the safety phase.
FaultPlan generate_plan(Rng rng, const PlanOptions& options);

}  // namespace zsim::sim
