#include "sim/fault_plan.h"

#include "core/assert.h"
#include "core/io/quote.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

namespace zsim::sim {
namespace {

const char* kind_word(FaultKind k) {
  switch (k) {
    case FaultKind::kPartition: return "partition";
    case FaultKind::kHeal: return "heal";
    case FaultKind::kCrash: return "crash";
    case FaultKind::kRestart: return "restart";
    case FaultKind::kPause: return "pause";
    case FaultKind::kClockJump: return "clock-jump";
    case FaultKind::kClockDrift: return "clock-drift";
    case FaultKind::kLoss: return "loss";
    case FaultKind::kDuplicate: return "duplicate";
    case FaultKind::kStreamReset: return "stream-reset";
    case FaultKind::kDiskCorruptRead: return "disk-corrupt-read";
    case FaultKind::kDiskLyingSync: return "disk-lying-sync";
    case FaultKind::kPowerLoss: return "power-loss";
    case FaultKind::kCrashAt: return "crash-at";
    case FaultKind::kPowerLossAt: return "power-loss-at";
  }
  return "?";
}

const char* shape_word(PartitionShape s) {
  switch (s) {
    case PartitionShape::kSplit: return "split";
    case PartitionShape::kIsolate: return "isolate";
    case PartitionShape::kBridge: return "bridge";
    case PartitionShape::kOneWay: return "oneway";
  }
  return "?";
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ' ';
    out += n;
  }
  return out;
}

std::string signed_duration(Duration d) {
  return d.count() < 0 ? format_duration(d) : "+" + format_duration(d);
}

// --- Parsing -----------------------------------------------------------------

struct Token {
  std::string_view text;
  int column;  // 1-based
};

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size() || line[i] == '#') break;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '#') ++i;
    tokens.push_back(Token{line.substr(start, i - start), static_cast<int>(start) + 1});
  }
  return tokens;
}

// All of `s` is a decimal number that fits (an overflow is not a zero).
bool whole_u64(std::string_view s, std::uint64_t& out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// Plans are printable ASCII in words of bounded length (host names are at
// most 32 bytes), so no message ever repeats a control byte, an invisible
// byte or a megabyte of input.
constexpr std::size_t kWordBytesMax = 64;

std::optional<PlanParseError> check_words(const std::vector<Token>& tokens, int line) {
  for (const Token& t : tokens) {
    if (t.text.size() > kWordBytesMax) {
      return PlanParseError{line, t.column,
                            fmt::format("a word of {} bytes (at most {}): {}", t.text.size(), kWordBytesMax,
                                        quote_input(t.text, 20))};
    }
    for (std::size_t i = 0; i < t.text.size(); ++i) {
      const auto c = static_cast<unsigned char>(t.text[i]);
      if (c <= 0x20 || c >= 0x7f) {
        return PlanParseError{line, t.column + static_cast<int>(i),
                              fmt::format("unexpected byte {} (a plan is printable ASCII; # starts a comment)",
                                          quote_input(t.text.substr(i, 1)))};
      }
    }
  }
  return std::nullopt;
}

struct LineParser {
  std::vector<Token> tokens;
  std::size_t pos = 0;
  int line = 0;
  int end_column = 1;
  std::optional<PlanParseError> error;

  bool fail(int column, std::string message) {
    if (!error) error = PlanParseError{line, column, std::move(message)};
    return false;
  }
  int column() const { return pos < tokens.size() ? tokens[pos].column : end_column; }
  bool at_end() const { return pos >= tokens.size(); }

  bool word(std::string_view& out, std::string_view what) {
    if (at_end()) return fail(column(), fmt::format("expected {}", what));
    out = tokens[pos++].text;
    return true;
  }
  bool duration(Duration& out, std::string_view what) {
    std::string_view w;
    if (!word(w, what)) return false;
    auto d = parse_duration(w);
    if (!d) {
      return fail(tokens[pos - 1].column,
                  fmt::format("bad {} '{}' (want a number and a unit: ns, us, ms, s, m)", what, w));
    }
    if (!within_input_bounds(*d)) {
      return fail(tokens[pos - 1].column, fmt::format("{} '{}' is beyond the maximum of {} (one simulated day)", what,
                                                      w, format_duration(kInputDurationMax)));
    }
    out = *d;
    return true;
  }
  bool ratio(Ratio& out) {
    std::string_view w;
    if (!word(w, "a ratio like 1/10")) return false;
    const int col = tokens[pos - 1].column;
    const auto slash = w.find('/');
    std::uint64_t num = 0, den = 0;
    if (slash == std::string_view::npos || !whole_u64(w.substr(0, slash), num) ||
        !whole_u64(w.substr(slash + 1), den)) {
      return fail(col, fmt::format("bad ratio '{}' (want N/D, e.g. 1/10)", w));
    }
    if (den == 0) return fail(col, fmt::format("bad ratio '{}': denominator is 0", w));
    if (num > den) return fail(col, fmt::format("bad ratio '{}': more than 1", w));
    out = Ratio{num, den};
    return true;
  }
  bool host(std::string& out) {
    std::string_view w;
    if (!word(w, "a host name")) return false;
    if (w == "|" || w == "->") return fail(tokens[pos - 1].column, fmt::format("expected a host name, got '{}'", w));
    out = std::string(w);
    return true;
  }
  // Host names up to (not including) `stop` or the end of the line.
  bool group(std::vector<std::string>& out, std::string_view stop) {
    const int col = column();
    while (!at_end() && tokens[pos].text != stop && tokens[pos].text != "|" && tokens[pos].text != "->") {
      out.emplace_back(tokens[pos++].text);
    }
    if (out.empty()) return fail(col, "expected at least one host name");
    return true;
  }
  bool expect(std::string_view sep) {
    if (at_end() || tokens[pos].text != sep) return fail(column(), fmt::format("expected '{}'", sep));
    ++pos;
    return true;
  }
  bool finish() {
    if (!at_end()) return fail(column(), fmt::format("unexpected '{}' at end of event", tokens[pos].text));
    return true;
  }
  // `KEYWORD DURATION` if the next token is KEYWORD; the duration must be
  // positive.
  bool optional_duration(std::string_view keyword, Duration& out) {
    if (at_end() || tokens[pos].text != keyword) return true;
    ++pos;
    if (!duration(out, fmt::format("duration after '{}'", keyword))) return false;
    if (out.count() <= 0) return fail(tokens[pos - 1].column, fmt::format("'{}' must be positive", keyword));
    return true;
  }
};

bool parse_partition(LineParser& p, FaultEvent& e) {
  std::string_view shape;
  if (!p.word(shape, "a partition shape (split, isolate, bridge, oneway)")) return false;
  const int col = p.tokens[p.pos - 1].column;
  if (shape == "split") {
    e.shape = PartitionShape::kSplit;
    e.groups.resize(2);
    return p.group(e.groups[0], "|") && p.expect("|") && p.group(e.groups[1], "") && p.finish();
  }
  if (shape == "isolate") {
    e.shape = PartitionShape::kIsolate;
    e.groups.resize(1);
    e.groups[0].emplace_back();
    if (!p.host(e.groups[0][0])) return false;
    if (!p.at_end() && p.tokens[p.pos].text == "except") {
      ++p.pos;
      e.groups.emplace_back();
      if (!p.group(e.groups[1], "")) return false;
    }
    return p.finish();
  }
  if (shape == "bridge") {
    e.shape = PartitionShape::kBridge;
    e.groups.resize(3);
    e.groups[1].emplace_back();
    return p.group(e.groups[0], "|") && p.expect("|") && p.host(e.groups[1][0]) && p.expect("|") &&
           p.group(e.groups[2], "") && p.finish();
  }
  if (shape == "oneway") {
    e.shape = PartitionShape::kOneWay;
    e.groups.resize(2);
    return p.group(e.groups[0], "->") && p.expect("->") && p.group(e.groups[1], "") && p.finish();
  }
  return p.fail(col, fmt::format("unknown partition shape '{}' (split, isolate, bridge, oneway)", shape));
}

bool parse_drift(LineParser& p, FaultEvent& e) {
  std::string_view w;
  if (!p.word(w, "a drift like +500ppm")) return false;
  const int col = p.tokens[p.pos - 1].column;
  std::string_view digits = w;
  if (!digits.ends_with("ppm")) return p.fail(col, fmt::format("bad drift '{}' (want e.g. +500ppm or -20ppm)", w));
  digits.remove_suffix(3);
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  std::int64_t v = 0;
  auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size()) {
    return p.fail(col, fmt::format("bad drift '{}' (want e.g. +500ppm or -20ppm)", w));
  }
  e.drift_ppm = v;
  return true;
}

bool parse_event(LineParser& p, FaultEvent& e) {
  std::string_view w;
  if (!p.word(w, "'at'")) return false;
  if (w != "at") return p.fail(p.tokens[0].column, fmt::format("expected 'at', got '{}'", w));
  if (!p.duration(e.at, "time")) return false;
  if (e.at.count() < 0) return p.fail(p.tokens[1].column, "time must not be negative");
  std::string_view kind;
  if (!p.word(kind, "a fault kind")) return false;
  const int col = p.tokens[p.pos - 1].column;
  if (kind == "partition") {
    e.kind = FaultKind::kPartition;
    return parse_partition(p, e);
  }
  if (kind == "heal") {
    e.kind = FaultKind::kHeal;
    return p.finish();
  }
  if (kind == "crash") {
    e.kind = FaultKind::kCrash;
    return p.host(e.host) && p.optional_duration("for", e.duration) && p.finish();
  }
  if (kind == "restart") {
    e.kind = FaultKind::kRestart;
    return p.host(e.host) && p.finish();
  }
  if (kind == "power-loss" || kind == "power-loss-at") {
    e.kind = kind == "power-loss" ? FaultKind::kPowerLoss : FaultKind::kPowerLossAt;
    if (e.kind == FaultKind::kPowerLossAt) {
      std::string_view site;
      if (!p.word(site, "a crash site (see `zsim plan --sites`)")) return false;
      e.site = std::string(site);
    }
    e.groups.resize(1);
    if (!p.group(e.groups[0], "for")) return false;
    if (p.at_end()) return p.fail(p.column(), "expected 'for' and how long the power stays off");
    if (!(p.optional_duration("for", e.duration) && p.optional_duration("stagger", e.stagger))) return false;
    if (e.kind == FaultKind::kPowerLoss) return p.finish();
    if (!p.at_end() && p.tokens[p.pos].text == "reacher") {
      ++p.pos;
      std::string_view where;
      if (!p.word(where, "'first' or 'last'")) return false;
      if (where != "first" && where != "last") {
        return p.fail(p.tokens[p.pos - 1].column, fmt::format("expected 'first' or 'last', got '{}'", where));
      }
      e.reacher = where == "first" ? FaultEvent::Reacher::kFirst : FaultEvent::Reacher::kLast;
    }
    return p.optional_duration("within", e.within) && p.finish();
  }
  if (kind == "crash-at") {
    e.kind = FaultKind::kCrashAt;
    std::string_view site;
    if (!(p.host(e.host) && p.word(site, "a crash site (see `zsim plan --sites`)"))) return false;
    e.site = std::string(site);
    return p.optional_duration("for", e.duration) && p.optional_duration("within", e.within) && p.finish();
  }
  if (kind == "pause") {
    e.kind = FaultKind::kPause;
    if (!(p.host(e.host) && p.duration(e.duration, "pause length"))) return false;
    if (e.duration.count() <= 0) return p.fail(p.tokens[p.pos - 1].column, "pause length must be positive");
    return p.finish();
  }
  if (kind == "clock-jump") {
    e.kind = FaultKind::kClockJump;
    return p.host(e.host) && p.duration(e.duration, "clock jump") && p.finish();
  }
  if (kind == "clock-drift") {
    e.kind = FaultKind::kClockDrift;
    return p.host(e.host) && parse_drift(p, e) && p.finish();
  }
  if (kind == "loss" || kind == "duplicate" || kind == "stream-reset") {
    e.kind = kind == "loss" ? FaultKind::kLoss : kind == "duplicate" ? FaultKind::kDuplicate : FaultKind::kStreamReset;
    return p.ratio(e.ratio) && p.finish();
  }
  if (kind == "disk-corrupt-read" || kind == "disk-lying-sync") {
    e.kind = kind == "disk-corrupt-read" ? FaultKind::kDiskCorruptRead : FaultKind::kDiskLyingSync;
    return p.host(e.host) && p.ratio(e.ratio) && p.finish();
  }
  return p.fail(col, fmt::format("unknown fault '{}' (partition, heal, crash, restart, pause, clock-jump, "
                                 "clock-drift, loss, duplicate, stream-reset, disk-corrupt-read, disk-lying-sync, "
                                 "power-loss, crash-at)",
                                 kind));
}

}  // namespace

std::string PlanParseError::to_string() const {
  return fmt::format("line {}, column {}: {}", line, column, message);
}

std::string print_event(const FaultEvent& e) {
  std::string out = fmt::format("at {} {}", format_duration(e.at), kind_word(e.kind));
  switch (e.kind) {
    case FaultKind::kPartition:
      out += fmt::format(" {}", shape_word(e.shape));
      switch (e.shape) {
        case PartitionShape::kSplit: out += fmt::format(" {} | {}", join(e.groups[0]), join(e.groups[1])); break;
        case PartitionShape::kIsolate:
          out += fmt::format(" {}", join(e.groups[0]));
          if (e.groups.size() > 1) out += fmt::format(" except {}", join(e.groups[1]));
          break;
        case PartitionShape::kBridge:
          out += fmt::format(" {} | {} | {}", join(e.groups[0]), join(e.groups[1]), join(e.groups[2]));
          break;
        case PartitionShape::kOneWay: out += fmt::format(" {} -> {}", join(e.groups[0]), join(e.groups[1])); break;
      }
      break;
    case FaultKind::kHeal: break;
    case FaultKind::kCrash:
      out += " " + e.host;
      if (e.duration.count() > 0) out += " for " + format_duration(e.duration);
      break;
    case FaultKind::kRestart: out += " " + e.host; break;
    case FaultKind::kPowerLoss:
    case FaultKind::kPowerLossAt:
      if (e.kind == FaultKind::kPowerLossAt) out += " " + e.site;
      out += fmt::format(" {} for {}", e.groups.empty() ? "" : join(e.groups[0]), format_duration(e.duration));
      if (e.stagger.count() > 0) out += " stagger " + format_duration(e.stagger);
      if (e.reacher != FaultEvent::Reacher::kInPlace) {
        out += e.reacher == FaultEvent::Reacher::kFirst ? " reacher first" : " reacher last";
      }
      if (e.within.count() > 0) out += " within " + format_duration(e.within);
      break;
    case FaultKind::kCrashAt:
      out += fmt::format(" {} {}", e.host, e.site);
      if (e.duration.count() > 0) out += " for " + format_duration(e.duration);
      if (e.within.count() > 0) out += " within " + format_duration(e.within);
      break;
    case FaultKind::kPause: out += fmt::format(" {} {}", e.host, format_duration(e.duration)); break;
    case FaultKind::kClockJump: out += fmt::format(" {} {}", e.host, signed_duration(e.duration)); break;
    case FaultKind::kClockDrift: out += fmt::format(" {} {:+}ppm", e.host, e.drift_ppm); break;
    case FaultKind::kLoss:
    case FaultKind::kDuplicate:
    case FaultKind::kStreamReset: out += fmt::format(" {}/{}", e.ratio.num, e.ratio.den); break;
    case FaultKind::kDiskCorruptRead:
    case FaultKind::kDiskLyingSync: out += fmt::format(" {} {}/{}", e.host, e.ratio.num, e.ratio.den); break;
  }
  return out;
}

std::string print_plan(const FaultPlan& plan) {
  std::string out;
  for (const FaultEvent& e : plan.events) {
    out += print_event(e);
    out += '\n';
  }
  return out;
}

std::variant<FaultPlan, PlanParseError> parse_plan(std::string_view text, std::vector<int>* event_lines) {
  FaultPlan plan;
  int line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    ++line_no;
    LineParser p;
    p.tokens = tokenize(line);
    p.line = line_no;
    p.end_column = static_cast<int>(line.size()) + 1;
    if (auto bad = check_words(p.tokens, line_no)) return *bad;
    if (!p.tokens.empty()) {
      FaultEvent e;
      if (!parse_event(p, e)) return *p.error;
      plan.events.push_back(std::move(e));
      if (event_lines != nullptr) event_lines->push_back(line_no);
    }
    if (end == text.size()) break;
    start = end + 1;
  }
  return plan;
}

bool is_role_target(std::string_view host) {
  return std::find(std::begin(kRoleTargets), std::end(kRoleTargets), host) != std::end(kRoleTargets);
}

namespace {

// Where a role target may stand in for a host: the faults that hit one host
// and need no later event to name it again.
bool role_allowed(const FaultEvent& e) {
  switch (e.kind) {
    case FaultKind::kCrash:
    case FaultKind::kPause:
    case FaultKind::kClockJump:
    case FaultKind::kClockDrift:
    case FaultKind::kCrashAt: return true;
    case FaultKind::kPartition: return e.shape == PartitionShape::kIsolate;
    default: return false;
  }
}

}  // namespace

std::string validate_plan(const FaultPlan& plan, const std::vector<std::string>& hosts,
                          const std::vector<std::string>& sites) {
  const std::set<std::string> known(hosts.begin(), hosts.end());
  for (std::size_t i = 0; i < plan.events.size(); ++i) {
    const FaultEvent& e = plan.events[i];
    auto check_host = [&](const std::string& h) -> std::string {
      if (known.count(h) != 0) return "";
      if (is_role_target(h)) {
        return role_allowed(e) ? "" : fmt::format("a role target ('{}') cannot be used with {}", h, kind_word(e.kind));
      }
      return fmt::format("unknown host '{}' (this scenario has: {})", h, join(hosts));
    };
    auto problem = [&](const std::string& what) {
      return fmt::format("event {} ({}): {}", i + 1, print_event(e), what);
    };
    if (e.at.count() < 0) return problem("time must not be negative");
    if (!within_input_bounds(e.at) || !within_input_bounds(e.duration) || !within_input_bounds(e.within)) {
      return problem(fmt::format("times and lengths are at most {} (one simulated day)",
                                 format_duration(kInputDurationMax)));
    }
    if (e.kind == FaultKind::kPartition) {
      // The shape fixes the number of groups (and the lone host of isolate
      // and bridge); print_event() and Simulator::apply() index by it.
      const std::size_t want_groups = e.shape == PartitionShape::kIsolate ? 1
                                      : e.shape == PartitionShape::kBridge ? 3
                                                                           : 2;
      const bool isolate_except = e.shape == PartitionShape::kIsolate && e.groups.size() == 2;
      if (e.groups.size() != want_groups && !isolate_except) {
        // Not problem(): printing the event would index the missing groups.
        return fmt::format("event {} (partition {}): wants {} host groups, has {}", i + 1, shape_word(e.shape),
                           want_groups, e.groups.size());
      }
      if (e.shape == PartitionShape::kIsolate && e.groups[0].size() != 1) {
        return problem("isolate takes exactly one host");
      }
      if (e.shape == PartitionShape::kBridge && e.groups[1].size() != 1) {
        return problem("a bridge is exactly one host");
      }
      std::set<std::string> seen;
      for (std::size_t g = 0; g < e.groups.size(); ++g) {
        if (e.groups[g].empty()) return problem("empty host group");
        for (const auto& h : e.groups[g]) {
          if (g > 0 && is_role_target(h)) return problem(fmt::format("only the cut-off host may be a role ('{}')", h));
          if (auto err = check_host(h); !err.empty()) return problem(err);
          if (!seen.insert(h).second) return problem(fmt::format("host '{}' is on both sides", h));
        }
      }
    } else if (e.kind == FaultKind::kPowerLoss || e.kind == FaultKind::kPowerLossAt) {
      if (e.groups.size() != 1 || e.groups[0].empty()) {
        return fmt::format("event {} (power-loss): names no host", i + 1);
      }
      std::set<std::string> seen;
      for (const auto& h : e.groups[0]) {
        if (is_role_target(h)) return problem(fmt::format("a power loss names hosts, not roles ('{}')", h));
        if (auto err = check_host(h); !err.empty()) return problem(err);
        if (!seen.insert(h).second) return problem(fmt::format("host '{}' is named twice", h));
      }
      if (e.duration.count() <= 0) return problem("a power loss needs 'for' and how long");
    } else if (e.kind != FaultKind::kHeal && e.kind != FaultKind::kLoss && e.kind != FaultKind::kDuplicate &&
               e.kind != FaultKind::kStreamReset) {
      // A host fault must name a known host (an empty name would only
      // assert later, inside the run).
      if (auto err = check_host(e.host); !err.empty()) return problem(err);
    }
    if (e.kind == FaultKind::kCrash && is_role_target(e.host) && e.duration.count() <= 0) {
      return problem("a crash of a role target needs 'for' (no restart event could name its host)");
    }
    if (e.kind == FaultKind::kCrashAt || e.kind == FaultKind::kPowerLossAt) {
      if (e.site.empty()) return problem("a crash point needs a site");
      if (!sites.empty() && std::find(sites.begin(), sites.end(), e.site) == sites.end()) {
        return problem(fmt::format("unknown crash site '{}' (`zsim plan --sites` lists them)", e.site));
      }
    }
    if (e.duration.count() < 0 && e.kind != FaultKind::kClockJump) return problem("a length must not be negative");
    if (e.kind == FaultKind::kPause && e.duration.count() <= 0) {
      return problem("pause length must be positive");  // as the parser requires
    }
    if (e.ratio.den == 0 || e.ratio.num > e.ratio.den) return problem("ratio must be between 0/1 and 1/1");
    if (e.kind == FaultKind::kClockDrift && (e.drift_ppm > 100000 || e.drift_ppm < -100000)) {
      return problem("drift must be within +-100000ppm");
    }
  }
  return "";
}

}  // namespace zsim::sim
