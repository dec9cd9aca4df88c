// Fault plans: proves the text form prints and parses back to the same plan
// (the documented example, every kind and shape), that every parse error
// names its line and column and what is wrong, that validate_plan catches
// ill-formed plans before they reach a run, and that generated plans are
// deterministic, sorted, never take more than max_servers_down servers down
// at once, and end every crash and pause within the safety phase.
#include "sim/fault_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace zsim::sim {
namespace {

FaultPlan parse_ok(std::string_view text) {
  auto r = parse_plan(text);
  if (auto* e = std::get_if<PlanParseError>(&r)) {
    ADD_FAILURE() << "unexpected parse error: " << e->to_string();
    return {};
  }
  return std::get<FaultPlan>(r);
}

PlanParseError parse_err(std::string_view text) {
  auto r = parse_plan(text);
  if (!std::holds_alternative<PlanParseError>(r)) {
    ADD_FAILURE() << "expected a parse error for: " << text;
    return {};
  }
  return std::get<PlanParseError>(r);
}

const char* const kEveryKind =
    "at 1500ms partition split s1 s2 | s3 s4 s5\n"
    "at 2s partition isolate s1\n"
    "at 2s partition bridge s1 s2 | s3 | s4 s5\n"
    "at 2s partition oneway s1 -> s2 s3\n"
    "at 3s heal\n"
    "at 3s crash s2\n"
    "at 4s restart s2\n"
    "at 5s pause s3 2s\n"
    "at 6s clock-jump s1 -200ms\n"
    "at 6s clock-drift s1 +500ppm\n"
    "at 6s clock-drift s2 -20ppm\n"
    "at 7s loss 1/10\n"
    "at 7s duplicate 1/20\n"
    "at 7s stream-reset 1/1000\n"
    "at 8s disk-corrupt-read s1 1/100\n"
    "at 8s disk-lying-sync s1 0/1\n";

TEST(FaultPlan, EveryKindRoundTripsExactly) {
  const FaultPlan plan = parse_ok(kEveryKind);
  ASSERT_EQ(plan.events.size(), 16U);
  EXPECT_EQ(print_plan(plan), kEveryKind);
  EXPECT_EQ(parse_ok(print_plan(plan)), plan);
  EXPECT_EQ(plan.events[0].at, millis(1500));
  EXPECT_EQ(plan.events[0].groups, (std::vector<std::vector<std::string>>{{"s1", "s2"}, {"s3", "s4", "s5"}}));
  EXPECT_EQ(plan.events[2].groups[1], std::vector<std::string>{"s3"});
  EXPECT_EQ(plan.events[8].duration, -millis(200));
  EXPECT_EQ(plan.events[9].drift_ppm, 500);
  EXPECT_EQ(plan.events[13].ratio, (Ratio{1, 1000}));
}

TEST(FaultPlan, CommentsBlankLinesAndSpacingAreAccepted) {
  const FaultPlan plan = parse_ok(
      "# a plan\n"
      "\n"
      "   at   1s\theal   # trailing comment\r\n"
      "at 1.5s crash s1\n"
      "at 0s loss 0/1");
  ASSERT_EQ(plan.events.size(), 3U);
  EXPECT_EQ(plan.events[0].kind, FaultKind::kHeal);
  EXPECT_EQ(plan.events[1].at, millis(1500));
  EXPECT_EQ(print_plan(plan), "at 1s heal\nat 1500ms crash s1\nat 0s loss 0/1\n");
  EXPECT_TRUE(parse_ok("").events.empty());
}

struct BadLine {
  const char* text;
  int line;
  int column;
  const char* message_part;
};

TEST(FaultPlan, EveryParseErrorNamesLineColumnAndProblem) {
  const BadLine cases[] = {
      {"at 1s heal\nin 2s heal\n", 2, 1, "expected 'at'"},
      {"at\n", 1, 3, "expected time"},
      {"at soon heal", 1, 4, "bad time 'soon'"},
      {"at 5 heal", 1, 4, "want a number and a unit"},
      {"at -1s heal", 1, 4, "must not be negative"},
      {"at 1s", 1, 6, "expected a fault kind"},
      {"at 1s explode s1", 1, 7, "unknown fault 'explode'"},
      {"at 1s heal now", 1, 12, "unexpected 'now'"},
      {"at 1s crash", 1, 12, "expected a host name"},
      {"at 1s crash |", 1, 13, "expected a host name, got '|'"},
      {"at 1s crash s1 s2", 1, 16, "unexpected 's2'"},
      {"at 1s pause s1", 1, 15, "expected pause length"},
      {"at 1s pause s1 0s", 1, 16, "pause length must be positive"},
      {"at 1s pause s1 2x", 1, 16, "bad pause length '2x'"},
      {"at 1s clock-jump s1 later", 1, 21, "bad clock jump 'later'"},
      {"at 1s clock-drift s1 500", 1, 22, "bad drift '500'"},
      {"at 1s clock-drift s1 +5x0ppm", 1, 22, "bad drift"},
      {"at 1s loss", 1, 11, "expected a ratio like 1/10"},
      {"at 1s loss 10%", 1, 12, "bad ratio '10%'"},
      {"at 1s loss 1/0", 1, 12, "denominator is 0"},
      {"at 1s loss 3/2", 1, 12, "more than 1"},
      {"at 1s loss /2", 1, 12, "bad ratio"},
      {"at 1s disk-lying-sync s1", 1, 25, "expected a ratio"},
      {"at 1s partition", 1, 16, "expected a partition shape"},
      {"at 1s partition circle s1", 1, 17, "unknown partition shape 'circle'"},
      {"at 1s partition split s1 s2", 1, 28, "expected '|'"},
      {"at 1s partition split | s2", 1, 23, "expected at least one host name"},
      {"at 1s partition split s1 |", 1, 27, "expected at least one host name"},
      {"at 1s partition isolate", 1, 24, "expected a host name"},
      {"at 1s partition isolate s1 s2", 1, 28, "unexpected 's2'"},
      {"at 1s partition bridge s1 | s2 s3 | s4", 1, 32, "expected '|'"},
      {"at 1s partition oneway s1 | s2", 1, 27, "expected '->'"},
      {"\n\n   at 1s partition oneway s1 ->", 3, 32, "expected at least one host name"},
  };
  for (const BadLine& c : cases) {
    const PlanParseError e = parse_err(c.text);
    EXPECT_EQ(e.line, c.line) << c.text << " -> " << e.to_string();
    EXPECT_EQ(e.column, c.column) << c.text << " -> " << e.to_string();
    EXPECT_NE(e.message.find(c.message_part), std::string::npos) << c.text << " -> " << e.to_string();
    EXPECT_EQ(e.to_string().rfind("line " + std::to_string(c.line) + ", column " + std::to_string(c.column) + ": ", 0), 0U);
  }
}

// Input that used to be misread: numbers past their range (read as 0, or
// overflowing time arithmetic), durations past a simulated day, and bytes a
// message could not show faithfully.
TEST(FaultPlan, OutOfRangeNumbersAndUnprintableBytesAreRefused) {
  const BadLine cases[] = {
      {"at 1s pause s1 9223372036854775807ns", 1, 16,
       "pause length '9223372036854775807ns' is beyond the maximum of 86400s (one simulated day)"},
      {"at 86400000000001ns heal", 1, 4, "time '86400000000001ns' is beyond the maximum"},
      {"at 1s clock-jump s1 -86401s", 1, 21, "clock jump '-86401s' is beyond the maximum"},
      {"at 1s clock-drift s1 -9999999999999999999ppm", 1, 22, "bad drift"},
      {"at 1s loss 1/99999999999999999999", 1, 12, "bad ratio"},
      {"at 1s disk-corrupt-read s1 18446744073709551616/1", 1, 28, "bad ratio"},
      {"at 1s crash s\x01", 1, 14, "unexpected byte '\\x01'"},
      {"at 1s heal\nat\xc2\xa0" "1s heal", 2, 3, "unexpected byte '\\xc2'"},
      {"at 1s crash s1\x7f", 1, 15, "unexpected byte '\\x7f'"},
  };
  for (const BadLine& c : cases) {
    const PlanParseError e = parse_err(c.text);
    EXPECT_EQ(e.line, c.line) << c.text << " -> " << e.to_string();
    EXPECT_EQ(e.column, c.column) << c.text << " -> " << e.to_string();
    EXPECT_NE(e.message.find(c.message_part), std::string::npos) << c.text << " -> " << e.to_string();
  }
  // A day is allowed, both ways; so are comments in any bytes.
  EXPECT_EQ(parse_ok("at 86400s clock-jump s1 -86400s # \xe2\x9c\x93 \x1b\n").events.size(), 1u);
  // A word longer than any host name is cut in the message.
  const PlanParseError long_word = parse_err("at 1s crash " + std::string(5000, 'x'));
  EXPECT_EQ(long_word.message, "a word of 5000 bytes (at most 64): 'xxxxxxxxxxxxxxxxxxxx'... (5000 bytes)");
}

TEST(FaultPlan, ParseReportsTheLineOfEachEvent) {
  std::vector<int> lines;
  const auto r = parse_plan("# header\n\nat 1s heal\n  # note\nat 2s crash s1 # why\n", &lines);
  ASSERT_TRUE(std::holds_alternative<FaultPlan>(r));
  EXPECT_EQ(lines, (std::vector<int>{3, 5}));
}

TEST(FaultPlan, ValidateCatchesWhatTheParserCannot) {
  const std::vector<std::string> hosts = {"s1", "s2", "s3"};
  auto problem = [&](std::string_view text) { return validate_plan(parse_ok(text), hosts); };
  EXPECT_EQ(problem("at 1s crash s1\nat 2s partition split s1 | s2 s3\n"), "");
  EXPECT_NE(problem("at 1s crash s9").find("unknown host 's9'"), std::string::npos);
  EXPECT_NE(problem("at 1s heal\nat 2s partition split s1 | s9").find("event 2"), std::string::npos);
  EXPECT_NE(problem("at 1s partition split s1 | s1 s2").find("on both sides"), std::string::npos);
  EXPECT_NE(problem("at 1s partition bridge s1 | s1 | s2").find("on both sides"), std::string::npos);
  EXPECT_NE(problem("at 1s clock-drift s1 +200000ppm").find("drift"), std::string::npos);
  EXPECT_EQ(problem("at 1s clock-drift s1 -100000ppm"), "");

  // Plans built in code can be ill-formed in ways the text form cannot.
  FaultPlan built;
  FaultEvent crash;
  crash.kind = FaultKind::kCrash;  // no host
  built.events = {crash};
  EXPECT_NE(validate_plan(built, hosts), "");
  FaultEvent split;
  split.kind = FaultKind::kPartition;
  split.shape = PartitionShape::kSplit;
  split.groups = {{"s1"}};  // one group where two are needed
  built.events = {split};
  EXPECT_NE(validate_plan(built, hosts), "");
  FaultEvent bridge;
  bridge.kind = FaultKind::kPartition;
  bridge.shape = PartitionShape::kBridge;
  bridge.groups = {{"s1"}, {"s2", "s3"}, {"s4"}};  // two bridge hosts
  built.events = {bridge};
  EXPECT_NE(validate_plan(built, {"s1", "s2", "s3", "s4"}), "");
  FaultEvent ratio;
  ratio.kind = FaultKind::kLoss;
  ratio.ratio = Ratio{2, 1};
  built.events = {ratio};
  EXPECT_NE(validate_plan(built, hosts), "");
  FaultEvent pause;
  pause.kind = FaultKind::kPause;
  pause.host = "s1";
  pause.duration = Duration{0};
  built.events = {pause};
  EXPECT_NE(validate_plan(built, hosts), "");
  // Past a simulated day (the bound the parser applies to text).
  pause.duration = kInputDurationMax + nanos(1);
  built.events = {pause};
  EXPECT_NE(validate_plan(built, hosts).find("at most 86400s (one simulated day)"), std::string::npos);
  FaultEvent jump;
  jump.kind = FaultKind::kClockJump;
  jump.host = "s1";
  jump.duration = Duration::min();
  built.events = {jump};
  EXPECT_NE(validate_plan(built, hosts), "");
  FaultEvent late;
  late.kind = FaultKind::kHeal;
  late.at = Duration::max();
  built.events = {late};
  EXPECT_NE(validate_plan(built, hosts), "");
}

PlanOptions five_servers() {
  PlanOptions o;
  o.servers = {"s1", "s2", "s3", "s4", "s5"};
  o.clients = {"c1", "c2"};
  o.duration = seconds(20);
  o.fault_gap_mean = millis(100);  // many faults
  o.disk_faults = true;
  return o;
}

// Replays a plan's crash/restart/pause events and returns the most servers
// down (or disk-faulty) at once; fails the test if a crash or pause outlives
// the plan, except the crash of a server with a faulty disk, which must
// last until the liveness phase.
int max_down_and_check_ends(const FaultPlan& plan, const PlanOptions& o) {
  std::map<std::string, Duration> down_until;  // crashed or paused servers
  std::set<std::string> disk_faulty;
  int max_down = 0;
  for (const FaultEvent& e : plan.events) {
    for (auto it = down_until.begin(); it != down_until.end();) {
      it = it->second <= e.at ? down_until.erase(it) : std::next(it);
    }
    if (e.kind == FaultKind::kDiskCorruptRead || e.kind == FaultKind::kDiskLyingSync) {
      EXPECT_EQ(down_until.count(e.host), 0U) << "a faulty disk on a server that is down: " << print_event(e);
      disk_faulty.insert(e.host);
    } else if (e.kind == FaultKind::kCrash) {
      EXPECT_EQ(down_until.count(e.host), 0U) << "crash of a server that is down: " << print_event(e);
      down_until[e.host] = Duration::max();
    } else if (e.kind == FaultKind::kRestart) {
      EXPECT_EQ(down_until[e.host], Duration::max()) << "restart of a server that is up: " << print_event(e);
      down_until.erase(e.host);
    } else if (e.kind == FaultKind::kPause) {
      EXPECT_EQ(down_until.count(e.host), 0U) << print_event(e);
      down_until[e.host] = e.at + e.duration;
      EXPECT_LE(e.at + e.duration, o.duration) << "pause outlives the safety phase: " << print_event(e);
    }
    int down = static_cast<int>(disk_faulty.size());
    for (const auto& [host, until] : down_until) down += disk_faulty.count(host) == 0 ? 1 : 0;
    max_down = std::max(max_down, down);
  }
  for (const auto& [host, until] : down_until) {
    if (until == Duration::max()) {
      EXPECT_EQ(disk_faulty.count(host), 1U) << host << " is never restarted";
    }
  }
  return max_down;
}

TEST(FaultPlan, GeneratedPlansRespectMaxServersDownAndEndInTheSafetyPhase) {
  int crashes = 0, pauses = 0;
  int reached_max = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    for (int max_down : {-1, 1, 2}) {
      PlanOptions o = five_servers();
      o.max_servers_down = max_down;
      const FaultPlan plan = generate_plan(Rng(seed).fork("faults"), o);
      const int allowed = max_down < 0 ? 2 : max_down;  // a minority of 5
      const int seen = max_down_and_check_ends(plan, o);
      EXPECT_LE(seen, allowed) << "seed " << seed << "\n" << print_plan(plan);
      reached_max += seen == allowed ? 1 : 0;
      EXPECT_TRUE(std::is_sorted(plan.events.begin(), plan.events.end(),
                                 [](const FaultEvent& a, const FaultEvent& b) { return a.at < b.at; }));
      EXPECT_EQ(validate_plan(plan, {"s1", "s2", "s3", "s4", "s5", "c1", "c2"}), "") << print_plan(plan);
      EXPECT_EQ(check_fault_budget(plan, o.servers, allowed, o.duration), "") << print_plan(plan);
      EXPECT_EQ(parse_ok(print_plan(plan)), plan);
      for (const FaultEvent& e : plan.events) {
        EXPECT_LE(e.at, o.duration);
        crashes += e.kind == FaultKind::kCrash ? 1 : 0;
        pauses += e.kind == FaultKind::kPause ? 1 : 0;
      }
    }
  }
  EXPECT_GT(crashes, 50);
  EXPECT_GT(pauses, 50);
  EXPECT_GT(reached_max, 30);  // the limit is actually reached, not just respected
}

TEST(FaultPlan, DiskFaultsStayOnAsFewServersAsAllowed) {
  int plans_with_disk_faults = 0;
  std::set<std::string> hosts_ever;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    for (int max_hosts : {0, 1, 2}) {
      PlanOptions o = five_servers();
      o.disk_faults = true;
      o.disk_fault_servers_max = max_hosts;
      const FaultPlan plan = generate_plan(Rng(seed).fork("faults"), o);
      std::set<std::string> hosts;
      for (const FaultEvent& e : plan.events) {
        if (e.kind == FaultKind::kDiskCorruptRead || e.kind == FaultKind::kDiskLyingSync) hosts.insert(e.host);
      }
      EXPECT_LE(hosts.size(), static_cast<size_t>(max_hosts)) << "seed " << seed << "\n" << print_plan(plan);
      if (max_hosts == 1 && !hosts.empty()) ++plans_with_disk_faults;
      hosts_ever.insert(hosts.begin(), hosts.end());
    }
  }
  EXPECT_GT(plans_with_disk_faults, 20);  // the faults still happen
  EXPECT_GE(hosts_ever.size(), 4U);       // on different servers across seeds
}

TEST(FaultPlan, GenerationIsDeterministicAndSwitchable) {
  PlanOptions o = five_servers();
  EXPECT_EQ(generate_plan(Rng(7), o), generate_plan(Rng(7), o));
  EXPECT_NE(generate_plan(Rng(7), o), generate_plan(Rng(8), o));
  o.partitions = o.crashes = o.pauses = o.clock_faults = false;
  o.loss = o.duplicates = o.stream_resets = o.disk_faults = false;
  EXPECT_TRUE(generate_plan(Rng(7), o).events.empty());
  o.crashes = true;
  o.max_servers_down = 0;
  EXPECT_TRUE(generate_plan(Rng(7), o).events.empty());
  o.max_servers_down = 1;
  const FaultPlan only_crashes = generate_plan(Rng(7), o);
  ASSERT_FALSE(only_crashes.events.empty());
  for (const FaultEvent& e : only_crashes.events) {
    EXPECT_TRUE(e.kind == FaultKind::kCrash || e.kind == FaultKind::kRestart) << print_event(e);
  }
}

// --- Correlated and targeted faults, the budget, swarms -----------------------

PlanOptions every_kind() {
  PlanOptions o = five_servers();
  o.fault_gap_mean = millis(150);
  o.disk_fault_servers_max = 1;
  o.power_loss = true;
  o.crash_points = true;
  o.crash_sites = {"zab.follower.ack-sent", "zab.leader.proposal-sent"};
  o.role_targets = {"@leader", "@follower"};
  o.client_crashes = true;
  o.client_pauses = true;
  return o;
}

// Property: with every kind on, generated plans are well formed, print and
// parse back, keep the fault budget, and use every new kind somewhere.
TEST(FaultPlan, GeneratedPlansWithEveryKindKeepTheBudget) {
  std::map<FaultKind, int> kinds;
  int role_events = 0, client_faults = 0;
  for (std::uint64_t seed = 1; seed <= 150; ++seed) {
    const PlanOptions o = every_kind();
    const FaultPlan plan = generate_plan(Rng(seed).fork("faults"), o);
    const std::vector<std::string> hosts = {"s1", "s2", "s3", "s4", "s5", "c1", "c2"};
    ASSERT_EQ(validate_plan(plan, hosts, o.crash_sites), "") << print_plan(plan);
    ASSERT_EQ(check_fault_budget(plan, o.servers, 2, o.duration), "") << "seed " << seed << "\n" << print_plan(plan);
    ASSERT_EQ(parse_ok(print_plan(plan)), plan);
    for (const FaultEvent& e : plan.events) {
      ++kinds[e.kind];
      role_events += is_role_target(e.host) ? 1 : 0;
      client_faults += (e.host == "c1" || e.host == "c2") ? 1 : 0;
      if (e.kind == FaultKind::kPowerLoss) {
        EXPECT_GE(e.groups[0].size(), 2U) << print_event(e);
      }
      if (e.kind == FaultKind::kCrashAt) {
        EXPECT_LE(e.at + e.within + e.duration, o.duration) << print_event(e);
      }
    }
  }
  EXPECT_GT(kinds[FaultKind::kPowerLoss], 20);
  EXPECT_GT(kinds[FaultKind::kCrashAt], 20);
  EXPECT_GT(role_events, 50);
  EXPECT_GT(client_faults, 50);
  EXPECT_GT(kinds[FaultKind::kDiskLyingSync] + kinds[FaultKind::kDiskCorruptRead], 20);
}

TEST(FaultPlan, NewKindsRoundTripExactly) {
  const char* const text =
      "at 1s crash s2 for 2s\n"
      "at 1s crash @leader for 1500ms\n"
      "at 2s power-loss s1 s2 s3 for 1s\n"
      "at 2s power-loss s3 s1 for 1s stagger 500ms\n"
      "at 2s power-loss-at zab.x s1 s2 s3 for 1s stagger 2s within 3s\n"
      "at 2s power-loss-at zab.x s1 s2 s3 for 1s stagger 2s reacher last within 3s\n"
      "at 3s crash-at s2 zab.follower.ack-sent\n"
      "at 3s crash-at @follower zab.leader.proposal-sent for 1s within 3s\n"
      "at 4s partition isolate @leader\n"
      "at 4s partition isolate @leader except c1 c2\n"
      "at 5s pause @follower 2s\n";
  const FaultPlan plan = parse_ok(text);
  ASSERT_EQ(plan.events.size(), 11U);
  EXPECT_EQ(print_plan(plan), text);
  EXPECT_EQ(plan.events[2].groups[0], (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(plan.events[3].groups[0], (std::vector<std::string>{"s3", "s1"}));  // the order is the restart order
  EXPECT_EQ(plan.events[3].stagger, millis(500));
  EXPECT_EQ(plan.events[4].site, "zab.x");
  EXPECT_EQ(plan.events[5].reacher, FaultEvent::Reacher::kLast);
  EXPECT_EQ(plan.events[7].site, "zab.leader.proposal-sent");
  EXPECT_EQ(plan.events[7].within, seconds(3));
  EXPECT_EQ(validate_plan(plan, {"s1", "s2", "s3", "c1", "c2"},
                          {"zab.follower.ack-sent", "zab.leader.proposal-sent", "zab.x"}),
            "");
}

TEST(FaultPlan, NewKindsNameTheirMistakes) {
  EXPECT_EQ(parse_err("at 1s power-loss s1 s2").message, "expected 'for' and how long the power stays off");
  EXPECT_EQ(parse_err("at 1s crash-at s1").message, "expected a crash site (see `zsim plan --sites`)");
  EXPECT_EQ(parse_err("at 1s crash s1 for 0s").message, "'for' must be positive");
  EXPECT_EQ(parse_err("at 1s crash-at s1 x.y within").message, "expected duration after 'within'");
  EXPECT_EQ(parse_err("at 1s power-loss-at x.y s1 for 1s reacher middle").message,
            "expected 'first' or 'last', got 'middle'");
  const std::vector<std::string> hosts = {"s1", "s2", "s3"};
  auto invalid = [&](const char* text) { return validate_plan(parse_ok(text), hosts, {"zab.x"}); };
  EXPECT_EQ(invalid("at 1s restart @leader"),
            "event 1 (at 1s restart @leader): a role target ('@leader') cannot be used with restart");
  EXPECT_EQ(invalid("at 1s crash @leader"),
            "event 1 (at 1s crash @leader): a crash of a role target needs 'for' (no restart event could name its "
            "host)");
  EXPECT_EQ(invalid("at 1s disk-lying-sync @leader 1/2"),
            "event 1 (at 1s disk-lying-sync @leader 1/2): a role target ('@leader') cannot be used with "
            "disk-lying-sync");
  EXPECT_EQ(invalid("at 1s power-loss s1 @leader for 1s"),
            "event 1 (at 1s power-loss s1 @leader for 1s): a power loss names hosts, not roles ('@leader')");
  EXPECT_EQ(invalid("at 1s power-loss s1 s1 for 1s"),
            "event 1 (at 1s power-loss s1 s1 for 1s): host 's1' is named twice");
  EXPECT_EQ(invalid("at 1s crash-at s1 zab.nope"),
            "event 1 (at 1s crash-at s1 zab.nope): unknown crash site 'zab.nope' (`zsim plan --sites` lists them)");
  EXPECT_EQ(invalid("at 1s partition split @leader | s2"),
            "event 1 (at 1s partition split @leader | s2): a role target ('@leader') cannot be used with partition");
}

// register seed 22372: a lying disk counted in a commit's quorum, crashed,
// came back without the txn, and a partition then cut off the other
// holders. A faulty disk is a fault against the budget, and its server
// stays down once it crashes.
TEST(FaultPlan, TheBudgetCountsFaultyDisksAsDownServers) {
  const std::vector<std::string> five = {"s1", "s2", "s3", "s4", "s5"};
  auto breach = [&](const char* text) { return check_fault_budget(parse_ok(text), five, 2, seconds(20)); };
  // Crashes beyond the budget are fine without faulty disks (ZAB is safe).
  EXPECT_EQ(breach("at 1s crash s1\nat 1s crash s2\nat 1s crash s3\nat 2s restart s1\n"), "");
  EXPECT_EQ(breach("at 1s power-loss s1 s2 s3 s4 s5 for 1s\n"), "");
  // A faulty disk restarting inside the safety phase.
  EXPECT_EQ(breach("at 1s disk-lying-sync s1 1/10\nat 2s crash s1\nat 3s restart s1\n"),
            "at 3s restart s1: s1's disk is faulty: it may restart only in the liveness phase");
  EXPECT_EQ(breach("at 1s disk-lying-sync s1 1/10\nat 2s crash s1 for 1s\n"),
            "at 2s crash s1 for 1s: s1's disk is faulty: once it crashes it must stay down until the liveness phase "
            "(its restart would bring back a server that forgot what it acknowledged)");
  EXPECT_EQ(breach("at 1s disk-lying-sync s1 1/10\nat 2s crash s1\n"), "");
  // A faulty disk plus two servers down is three: more than 5 servers lose.
  EXPECT_EQ(breach("at 1s disk-corrupt-read s1 1/10\nat 2s crash s2\nat 2s pause s3 1s\n"),
            "at 2s pause s3 1s: 3 servers down or disk-faulty at once (s1 s2 s3) while a disk is faulty; the ensemble "
            "can lose at most 2");
  EXPECT_EQ(breach("at 1s disk-corrupt-read s1 1/10\nat 2s crash s2\nat 3s crash @leader for 1s\n"),
            "at 3s crash @leader for 1s: 3 servers down or disk-faulty at once (s1 s2 and 1 role targets) while a "
            "disk is faulty; the ensemble can lose at most 2");
  EXPECT_EQ(breach("at 1s disk-corrupt-read s1 1/10\nat 2s crash s2\nat 3s restart s2\nat 3s crash s3\n"), "");
  // Correlated faults never take a faulty disk along.
  EXPECT_EQ(breach("at 1s disk-lying-sync s1 1/10\nat 2s power-loss s1 s2 for 1s\n"),
            "at 2s power-loss s1 s2 for 1s: s1's disk is faulty: a power loss would restart it early");
  EXPECT_EQ(breach("at 1s crash s1 for 5s\nat 2s disk-lying-sync s1 1/10\n"),
            "at 2s disk-lying-sync s1 1/10: s1 gets a faulty disk while it is down and would restart with it");
  EXPECT_EQ(breach("at 1s crash s1\nat 2s disk-lying-sync s1 1/10\nat 3s restart s1\n"),
            "at 3s restart s1: s1's disk is faulty: it may restart only in the liveness phase");
}

// Swarm testing: a seed keeps a subset of the scenario's kinds and an
// intensity; the draw is deterministic, varies across seeds, and never
// turns on a kind the scenario left off.
TEST(FaultPlan, SwarmDrawsVaryKindsAndIntensity) {
  PlanOptions o = every_kind();
  o.clock_faults = false;
  std::set<std::string> draws;
  std::set<std::uint64_t> gaps;
  int calm = 0, storms = 0;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    SwarmDraw d1, d2;
    const PlanOptions a = draw_swarm(Rng(seed), o, &d1);
    const PlanOptions b = draw_swarm(Rng(seed), o, &d2);
    EXPECT_EQ(d1.to_string(), d2.to_string());
    EXPECT_EQ(generate_plan(Rng(seed), a), generate_plan(Rng(seed), b));
    EXPECT_FALSE(a.clock_faults);
    draws.insert(d1.to_string());
    gaps.insert(d1.gap_num * 100 / d1.gap_den);
    calm += d1.gap_num == 4 ? 1 : 0;
    storms += d1.gap_den == 4 ? 1 : 0;
    for (const std::string& k : d1.kinds_on) EXPECT_NE(k, "clock");
    if (a.role_targets.empty()) {
      for (const FaultEvent& e : generate_plan(Rng(seed), a).events) EXPECT_FALSE(is_role_target(e.host));
    }
  }
  EXPECT_GT(draws.size(), 150U);  // hardly two seeds alike
  EXPECT_EQ(gaps.size(), 5U);
  EXPECT_GT(calm, 20);
  EXPECT_GT(storms, 20);
  SwarmDraw d;
  draw_swarm(Rng(3), o, &d);
  EXPECT_NE(d.to_string().find("; gap x"), std::string::npos);
}

}  // namespace
}  // namespace zsim::sim
