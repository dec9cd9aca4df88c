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
//   at 9s crash s2 for 2s                          (restarts 2s later)
//   at 9s power-loss s1 s2 s3 for 1s               (all at once, then back)
//   at 9s power-loss s3 s1 s2 for 1s stagger 2s    (back one by one, in the
//                                                   order named, over 2s)
//   at 9s power-loss-at zab.learner.newleader-acked s1 s2 s3 for 1s stagger 2s
//                                                  (when one of them reaches
//                                                   the site, all lose power)
//   at 9s power-loss-at zab.leader.commit-sent s1 s2 s3 for 1s stagger 2s reacher last
//                                                  (the host that reached the
//                                                   site comes back last)
//   at 9s crash-at s2 zab.follower.ack-sent for 1s within 3s
//                                                  (crash point: see below)
//   at 9s crash @leader for 1500ms                 (role target)
//   at 9s partition isolate @leader
//   at 9s partition isolate @leader except c1 c2  (its clients still reach it)
//   at 9s pause @follower 2s
//
// Times are offsets from the start of the run. Times, pause lengths and
// clock jumps are at most one simulated day (kInputDurationMax) either way.
// A plan is printable ASCII in words of at most 64 bytes (comments aside).
// Parse errors name the line, the column and what is wrong. Host names are
// checked against an ensemble by validate_plan(), not by the parser.
//
// Role targets (`@leader`, `@follower`, `@observer`) name whichever host has
// that role when the event fires; the scenario says who that is
// (Simulator::set_role_resolver). They are allowed where one host is
// hit: crash (with `for`, since no later event could name the same host to
// restart it), pause, clock-jump, clock-drift, crash-at and partition
// isolate.
//
// Crash points: `crash-at HOST SITE` arms a named step of the protocol
// (core/fault_sites.h lists them); the first time HOST reaches SITE after
// the event, the host crashes right there — nothing it does after that point
// reaches the network or the disk. `for D` restarts it D later; `within W`
// disarms the point if it was not reached within W of the event (default:
// armed until the liveness phase).
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
  kPowerLoss,    // groups[0] crash at once; each restarts `duration` later
  kCrashAt,      // crash `host` when it reaches `site`
  kPowerLossAt,  // a power loss of groups[0] when one of them reaches `site`
};

enum class PartitionShape : std::uint8_t {
  kSplit,    // groups[0] | groups[1]: no traffic between the two groups
  kIsolate,  // groups[0] = {host}: the host is cut off from everybody but
             // groups[1] (optional: `isolate @leader except c1 c2`, a
             // leader cut off from its peers that its clients still reach)
  kBridge,   // groups[0] | groups[1] = {bridge} | groups[2]: the bridge
             // reaches both sides, the sides do not reach each other
  kOneWay,   // groups[0] -> groups[1]: no traffic from 0 to 1 (1 to 0 flows)
};

struct FaultEvent {
  Duration at{0};
  FaultKind kind = FaultKind::kHeal;
  PartitionShape shape = PartitionShape::kSplit;  // kPartition
  std::vector<std::vector<std::string>> groups;   // kPartition; kPowerLoss: [0]
  std::string host;                               // host faults: a name or @role
  // kPause: its length; kClockJump: the delta; kCrash, kCrashAt, kPowerLoss:
  // how long the host stays down (0: until the liveness phase heals it).
  Duration duration{0};
  std::int64_t drift_ppm = 0;                     // kClockDrift
  Ratio ratio;                                    // loss/dup/reset/disk
  std::string site;                               // kCrashAt, kPowerLossAt
  Duration within{0};                             // ... : 0 = no limit
  // kPowerLoss(At): the hosts come back one by one, in the order named,
  // evenly over this long after `duration` (0: all at once).
  Duration stagger{0};
  // kPowerLossAt: where in that order the host that reached the site goes.
  enum class Reacher : std::uint8_t { kInPlace, kFirst, kLast };
  Reacher reacher = Reacher::kInPlace;

  bool operator==(const FaultEvent&) const = default;
};

struct FaultPlan {
  std::vector<FaultEvent> events;
  bool operator==(const FaultPlan&) const = default;
};

// "@leader", "@follower", "@observer": a host chosen by role when the event
// fires. False for a plain host name.
bool is_role_target(std::string_view host);
inline constexpr const char* kRoleTargets[] = {"@leader", "@follower", "@observer"};

std::string print_event(const FaultEvent& e);
std::string print_plan(const FaultPlan& plan);

struct PlanParseError {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string message;
  std::string to_string() const;  // "line 3, column 14: ..."
};

// If `event_lines` is given, it receives the 1-based line of each event, for
// messages about an event that parsed (e.g. one past the safety phase).
std::variant<FaultPlan, PlanParseError> parse_plan(std::string_view text, std::vector<int>* event_lines = nullptr);

// Checks that every host the plan names is in `hosts`, and that events are
// well formed (non-empty groups, a bridge host in neither half, ratios <= 1,
// drift within +-100000 ppm, times, pauses, jumps and `for`/`within` lengths
// within a day, role targets only where allowed, crash-at sites in `sites`
// when that list is not empty). Returns "" if fine, else the first problem.
std::string validate_plan(const FaultPlan& plan, const std::vector<std::string>& hosts,
                          const std::vector<std::string>& sites = {});

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
  // loses what it acknowledged, as if it had been down. See
  // check_fault_budget() for how a disk-faulty server counts.
  int disk_fault_servers_max = -1;

  // Correlated and targeted faults.
  bool power_loss = false;      // several servers (up to all) crash at once
  Duration power_loss_max = seconds(2);
  bool crash_points = false;    // crash-at a named site (crash_sites)
  std::vector<std::string> crash_sites;
  // Which roles crash, pause and isolate may target ("@leader", ...); empty:
  // only named hosts.
  std::vector<std::string> role_targets;

  // The mix, for scenarios that aim their faults: the share of partitions
  // that isolate one server; of isolations and crashes that target a role
  // (when role_targets is set); of role isolations that its clients still
  // reach (`except`); of power losses that come back staggered; of those
  // that strike at a crash site (when crash_points is on).
  Ratio isolate_share{1, 4};
  Ratio role_share{1, 3};
  Ratio isolate_except_share{1, 2};
  Ratio power_stagger_share{1, 2};
  Ratio power_at_site_share{1, 2};

  // Swarm testing: each seed keeps a random subset of the kinds above and
  // draws how hard they come (draw_swarm; the scenario's plan_for_seed).
  bool swarm = false;

  // Client hosts crash and pause from their own budget: they hold sessions
  // (a dead client is what ephemerals are for) but no disk and no vote, so
  // they must not use up the servers' budget. At most clients_down_max of
  // them down at once, each for at most client_down_max.
  bool client_crashes = false;
  bool client_pauses = false;
  int clients_down_max = 1;
  Duration client_down_max = seconds(5);
};

// The fault budget of a plan against the servers it may take down
// (max_down: 2 of 5, 1 of 3). Crashes and pauses of servers are bounded by
// the generator for liveness only (ZAB is safe under any number of crashes,
// so a hand-written plan may crash them all). Disk faults are different: a
// lying sync or a corrupted read makes a server forget what it acknowledged,
// which no quorum protocol survives on its own. So:
//  - a server counts as faulty from its first disk fault to the end of the
//    safety phase, and at no moment may the faulty servers plus the crashed,
//    paused or power-lost ones exceed max_down while it is faulty;
//  - once a disk-faulty server crashes (or loses power), it stays down until
//    the liveness phase restarts it, so its amnesia can only meet a whole,
//    healed ensemble ("as if that server had been down");
//  - role targets never resolve to a disk-faulty server, and power losses
//    and crash points never name one.
// Role-targeted crashes and pauses count as one more server down for their
// duration. Returns "" if the plan keeps the budget, else the first breach.
std::string check_fault_budget(const FaultPlan& plan, const std::vector<std::string>& servers, int max_down,
                               Duration safety_phase);

// A plan drawn from `rng` (fork it from the run's seed as "faults").
// Sorted by time; every crash or pause ends within the safety phase (except
// a disk-faulty server's crash, which lasts until the liveness phase), and
// the plan keeps check_fault_budget().
FaultPlan generate_plan(Rng rng, const PlanOptions& options);

// Swarm testing (Groce et al.; TigerBeetle's VOPR): each seed draws which of
// the scenario's fault kinds are on and how hard, so some seeds are calm and
// some are storms, and a bug that needs one kind without the noise of the
// others gets seeds that have just that. The draw is printed by `zsim plan`.
struct SwarmDraw {
  std::vector<std::string> kinds_on;  // the kinds kept, in a fixed order
  // Mean gap between faults, as a ratio of the scenario's (e.g. 4/1: calm).
  std::uint64_t gap_num = 1;
  std::uint64_t gap_den = 1;
  std::string to_string() const;      // "partitions crashes loss; gap x1/4"
};

// Draws a swarm from `rng` and returns the options it leaves on (every
// kind off in `options` stays off). Deterministic in `rng`.
PlanOptions draw_swarm(Rng rng, const PlanOptions& options, SwarmDraw* draw);

}  // namespace zsim::sim
