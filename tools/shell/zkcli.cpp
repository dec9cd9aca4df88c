#include "tools/shell/zkcli.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace zsim::tools::zkcli {

std::vector<std::string> split_words(std::string_view line) {
  // ZooKeeperMain's ARGS_PATTERN: \s*([^"']\S*|"[^"]*"|'[^']*')\s*, then
  // surrounding quotes stripped. An unterminated quote starts a plain word.
  std::vector<std::string> words;
  size_t i = 0;
  const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  while (i < line.size()) {
    while (i < line.size() && blank(line[i])) ++i;
    if (i >= line.size()) break;
    const char c = line[i];
    if (c == '"' || c == '\'') {
      const size_t close = line.find(c, i + 1);
      if (close != std::string_view::npos) {
        words.emplace_back(line.substr(i + 1, close - i - 1));
        i = close + 1;
        continue;
      }
      // No closing quote: the pattern cannot match here; skip the quote.
      ++i;
      continue;
    }
    size_t j = i;
    while (j < line.size() && !blank(line[j])) ++j;
    words.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return words;
}

namespace {

const OptionSpec* find_option(std::span<const OptionSpec> spec, char c) {
  for (const OptionSpec& o : spec) {
    if (o.name == c) return &o;
  }
  return nullptr;
}

// DefaultParser.isShortOption: "-x..." whose first letter is an option.
bool is_option_token(std::span<const OptionSpec> spec, std::string_view t) {
  if (t.size() < 2 || t[0] != '-') return false;
  return find_option(spec, t[1]) != nullptr;
}

bool is_negative_number(std::string_view t) {
  if (t.size() < 2 || t[0] != '-') return false;
  double d = 0;
  const auto [p, ec] = std::from_chars(t.data() + 1, t.data() + t.size(), d);
  return ec == std::errc() && p == t.data() + t.size();
}

std::string unrecognized(std::string_view token) {
  return fmt::format("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: {}", token);
}

std::string missing_argument(char c) {
  return fmt::format("org.apache.commons.cli.MissingArgumentException: Missing argument for option: {}", c);
}

}  // namespace

ParsedCommand parse_options(const std::vector<std::string>& words, std::span<const OptionSpec> spec) {
  ParsedCommand out;
  const OptionSpec* pending = nullptr;  // an option still waiting for its value
  bool skip = false;
  const auto give = [&](const OptionSpec& o) -> bool {
    if (pending != nullptr) {
      out.error = missing_argument(pending->name);
      return false;
    }
    out.flags.insert(o.name);
    if (o.has_arg) pending = &o;
    return true;
  };
  const auto set_value = [&](const std::string& v) {
    out.values.emplace(pending->name, v);  // the first value wins (getOptionValue)
    pending = nullptr;
  };
  for (const std::string& t : words) {
    if (skip) {
      out.args.push_back(t);
      continue;
    }
    if (t == "--") {
      skip = true;
      continue;
    }
    if (pending != nullptr && (!is_option_token(spec, t) || is_negative_number(t))) {
      set_value(t);
      continue;
    }
    if (t.size() < 2 || t[0] != '-') {
      out.args.push_back(t);
      continue;
    }
    if (t[1] == '-') {  // no long options: "--x" is unknown
      out.error = unrecognized(t);
      return out;
    }
    const std::string body = t.substr(1);
    if (const size_t eq = body.find('='); eq != std::string::npos) {
      const OptionSpec* o = eq == 1 ? find_option(spec, body[0]) : nullptr;
      if (o == nullptr || !o->has_arg) {
        out.error = unrecognized(t);
        return out;
      }
      if (!give(*o)) return out;
      set_value(body.substr(eq + 1));
      continue;
    }
    // One letter, or letters run together ("-sw"), or a letter and its value ("-v3").
    for (size_t i = 0; i < body.size(); ++i) {
      const OptionSpec* o = find_option(spec, body[i]);
      if (o == nullptr) {
        out.error = unrecognized(t);
        return out;
      }
      if (!give(*o)) return out;
      if (o->has_arg && i + 1 < body.size()) {
        set_value(body.substr(i + 1));
        break;
      }
    }
  }
  if (pending != nullptr) out.error = missing_argument(pending->name);
  return out;
}

namespace {

template <typename T>
std::optional<T> parse_java_integer(std::string_view s) {
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
    if (s.size() == 1) return std::nullopt;
  }
  // Accumulate negatively so the minimum value parses.
  T value = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const T digit = static_cast<T>(s[i] - '0');
    if (value < (std::numeric_limits<T>::min() + digit) / 10) return std::nullopt;
    value = static_cast<T>(value * 10 - digit);
  }
  if (!negative) {
    if (value == std::numeric_limits<T>::min()) return std::nullopt;
    value = static_cast<T>(-value);
  }
  return value;
}

}  // namespace

std::optional<int32_t> parse_java_int(std::string_view s) { return parse_java_integer<int32_t>(s); }
std::optional<int64_t> parse_java_long(std::string_view s) { return parse_java_integer<int64_t>(s); }

std::optional<int32_t> java_integer_decode(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.starts_with("0x") || s.starts_with("0X")) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.starts_with("#")) {
    base = 16;
    s.remove_prefix(1);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  // What follows is a number without its own sign.
  if (s.empty() || s[0] == '-' || s[0] == '+') return std::nullopt;
  int64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (negative) v = -v;
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) return std::nullopt;
  return static_cast<int32_t>(v);
}

std::string number_format_crash(std::string_view input) {
  return fmt::format("Exception in thread \"main\" java.lang.NumberFormatException: For input string: \"{}\"",
                     input);
}

std::string hex(int64_t v) { return fmt::format("0x{:x}", static_cast<uint64_t>(v)); }

std::string java_date(int64_t epoch_ms) {
  // Floor division: times before 1970 round down, as Date does.
  int64_t secs = epoch_ms / 1000;
  if (epoch_ms % 1000 < 0) --secs;
  int64_t days = secs / 86400;
  int64_t rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Howard Hinnant's civil_from_days.
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  static constexpr std::array<const char*, 7> kDays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const int64_t wd = ((days % 7) + 7) % 7;  // 1970-01-01 was a Thursday
  return fmt::format("{} {} {:02} {:02}:{:02}:{:02} UTC {}", kDays[static_cast<size_t>(wd)],
                     kMonths[static_cast<size_t>(m - 1)], d, rem / 3600, (rem / 60) % 60, rem % 60, y);
}

std::string format_stat(const core::Stat& s, int64_t (*to_epoch_ms)(int64_t)) {
  std::string out;
  out += fmt::format("cZxid = {}\n", hex(s.czxid));
  out += fmt::format("ctime = {}\n", java_date(to_epoch_ms(s.ctime_ms)));
  out += fmt::format("mZxid = {}\n", hex(s.mzxid));
  out += fmt::format("mtime = {}\n", java_date(to_epoch_ms(s.mtime_ms)));
  out += fmt::format("pZxid = {}\n", hex(s.pzxid));
  out += fmt::format("cversion = {}\n", s.cversion);
  out += fmt::format("dataVersion = {}\n", s.version);
  out += fmt::format("aclVersion = {}\n", s.aversion);
  out += fmt::format("ephemeralOwner = {}\n", hex(s.ephemeral_owner));
  out += fmt::format("dataLength = {}\n", s.data_length);
  out += fmt::format("numChildren = {}\n", s.num_children);
  return out;
}

std::string code_message(core::Code code) {
  using core::Code;
  switch (code) {
    case Code::Ok: return "ok";
    case Code::SystemError: return "SystemError";
    case Code::RuntimeInconsistency: return "RuntimeInconsistency";
    case Code::DataInconsistency: return "DataInconsistency";
    case Code::ConnectionLoss: return "ConnectionLoss";
    case Code::MarshallingError: return "MarshallingError";
    case Code::Unimplemented: return "Unimplemented";
    case Code::OperationTimeout: return "OperationTimeout";
    case Code::BadArguments: return "BadArguments";
    case Code::UnknownSession: return "Unknown session";
    case Code::NewConfigNoQuorum: return "NewConfigNoQuorum";
    case Code::ReconfigInProgress: return "ReconfigInProgress";
    case Code::ApiError: return "APIError";
    case Code::NoNode: return "NoNode";
    case Code::NoAuth: return "NoAuth";
    case Code::BadVersion: return "BadVersion";
    case Code::NoChildrenForEphemerals: return "NoChildrenForEphemerals";
    case Code::NodeExists: return "NodeExists";
    case Code::NotEmpty: return "Directory not empty";
    case Code::SessionExpired: return "Session expired";
    case Code::InvalidCallback: return "Invalid callback";
    case Code::InvalidAcl: return "InvalidACL";
    case Code::AuthFailed: return "AuthFailed";
    case Code::SessionMoved: return "Session moved";
    case Code::NotReadOnly: return "Not a read-only call";
    case Code::EphemeralOnLocalSession: return "Ephemeral node on local session";
    case Code::NoWatcher: return "No such watcher";
    case Code::RequestTimeout: return "Request timeout";
    case Code::ReconfigDisabled: return "Reconfig is disabled";
    case Code::SessionClosedRequireSaslAuth: return "Session closed because client failed to authenticate";
    case Code::QuotaExceeded: return "Quota has exceeded";
    case Code::Throttled: return "Op throttled due to high load";
  }
  return fmt::format("Unknown error {}", static_cast<int32_t>(code));
}

std::string error_message(core::Code code, std::string_view path) {
  using core::Code;
  switch (code) {
    case Code::NoNode: return fmt::format("Node does not exist: {}", path);
    case Code::NoChildrenForEphemerals: return fmt::format("Ephemerals cannot have children: {}", path);
    case Code::NodeExists: return fmt::format("Node already exists: {}", path);
    case Code::NotEmpty: return fmt::format("Node not empty: {}", path);
    case Code::NotReadOnly: return fmt::format("Not a read-only call: {}", path);
    case Code::InvalidAcl: return fmt::format("Acl is not valid : {}", path);
    case Code::NoAuth: return fmt::format("Insufficient permission : {}", path);
    case Code::BadArguments: return fmt::format("Arguments are not valid : {}", path);
    case Code::BadVersion: return fmt::format("version No is not valid : {}", path);
    case Code::QuotaExceeded: return fmt::format("Quota has exceeded : {}", path);
    default: break;
  }
  if (path.empty()) return "KeeperErrorCode = " + code_message(code);
  return fmt::format("KeeperErrorCode = {} for {}", code_message(code), path);
}

namespace {

struct Usage {
  std::string_view command;
  std::string_view options;
};

// ZooKeeperMain's command map, sorted as usage() prints it.
constexpr std::array<Usage, 28> kUsages = {{
    {"addWatch", "[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE"},
    {"addauth", "scheme auth"},
    {"close", ""},
    {"config", "[-c] [-w] [-s]"},
    {"connect", "host:port"},
    {"create", "[-s] [-e] [-c] [-t ttl] path [data] [acl]"},
    {"delete", "[-v version] path"},
    {"deleteall", "path [-b batch size]"},
    {"delquota", "[-n|-b|-N|-B] path"},
    {"get", "[-s] [-w] path"},
    {"getAcl", "[-s] path"},
    {"getAllChildrenNumber", "path"},
    {"getEphemerals", "path"},
    {"history", ""},
    {"listquota", "path"},
    {"ls", "[-s] [-w] [-R] path"},
    {"printwatches", "on|off"},
    {"quit", ""},
    {"reconfig", "[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | "
                 "[-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]"},
    {"redo", "cmdno"},
    {"removewatches", "path [-c|-d|-a] [-l]"},
    {"set", "[-s] [-v version] path data"},
    {"setAcl", "[-s] [-v version] [-R] path acl"},
    {"setquota", "-n|-b|-N|-B val path"},
    {"stat", "[-w] path"},
    {"sync", "path"},
    {"version", ""},
    {"whoami", ""},
}};

}  // namespace

const std::string& usage_block() {
  static const std::string block = [] {
    std::string s = "ZooKeeper -server host:port -client-configuration properties-file cmd args\n";
    for (const Usage& u : kUsages) s += fmt::format("\t{} {}\n", u.command, u.options);
    return s;
  }();
  return block;
}

std::string usage_of(std::string_view command) {
  for (const Usage& u : kUsages) {
    if (u.command == command) return fmt::format("{} {}", u.command, u.options);
  }
  return "";
}

namespace {

// The length of the well-formed UTF-8 sequence at bytes[i], or of the
// ill-formed prefix Java's decoder replaces as one (then *ok is false):
// Unicode Table 3-7's maximal subparts, except that Java reads ED A0..BF xx
// (an encoded surrogate) as one malformed sequence of up to three bytes.
size_t utf8_sequence(std::string_view bytes, size_t i, bool* ok) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char lead = b(i);
  *ok = true;
  if (lead < 0x80) return 1;
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xbf;  // the second byte's range
  if (lead >= 0xc2 && lead <= 0xdf) {
    need = 1;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    need = 2;
    if (lead == 0xe0) lo = 0xa0;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    need = 3;
    if (lead == 0xf0) lo = 0x90;
    if (lead == 0xf4) hi = 0x8f;
  } else {
    *ok = false;  // 0x80..0xc1, 0xf5..0xff never start a sequence
    return 1;
  }
  size_t n = 1;
  for (; n <= need; ++n) {
    if (i + n >= bytes.size()) break;
    const unsigned char c = b(i + n);
    const bool fits = n == 1 ? c >= lo && c <= hi : c >= 0x80 && c <= 0xbf;
    if (!fits) break;
  }
  *ok = n == need + 1;
  if (lead == 0xed && n >= 2 && b(i + 1) >= 0xa0) *ok = false;  // a surrogate
  return n;
}

}  // namespace

std::string replace_invalid_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    bool ok = false;
    const size_t n = utf8_sequence(bytes, i, &ok);
    if (ok) {
      out.append(bytes.substr(i, n));
    } else {
      out += "\xef\xbf\xbd";  // U+FFFD
    }
    i += n;
  }
  return out;
}

int32_t java_string_hash(std::string_view utf8) {
  uint32_t h = 0;
  const auto unit = [&h](uint32_t u) { h = 31 * h + u; };
  for (size_t i = 0; i < utf8.size();) {
    bool ok = false;
    const size_t n = utf8_sequence(utf8, i, &ok);
    uint32_t cp = static_cast<unsigned char>(utf8[i]);
    if (!ok) {
      cp = 0xfffd;
    } else if (n > 1) {
      cp &= 0xffu >> (n + 1);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    }
    if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      cp -= 0x10000;
      unit(0xd800 + (cp >> 10));
      unit(0xdc00 + (cp & 0x3ff));
    } else {
      unit(cp);
    }
    i += n;
  }
  return static_cast<int32_t>(h);
}

std::vector<std::string> java_hash_set_order(const std::vector<std::string>& names, size_t initial_capacity) {
  size_t capacity = std::max<size_t>(1, initial_capacity);
  while (names.size() > capacity / 4 * 3) capacity *= 2;
  std::vector<std::pair<size_t, size_t>> keyed;  // (bucket, insertion index)
  for (size_t i = 0; i < names.size(); ++i) {
    const auto h = static_cast<uint32_t>(java_string_hash(names[i]));
    keyed.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
  }
  std::sort(keyed.begin(), keyed.end());
  std::vector<std::string> out;
  for (const auto& [bucket, i] : keyed) out.push_back(names[i]);
  return out;
}

core::AclList parse_acl(std::string_view text, std::vector<std::string>* complaints) {
  core::AclList out;
  // Java's split(","): trailing empty entries vanish, inner ones stay.
  std::vector<std::string_view> entries;
  while (true) {
    const size_t comma = text.find(',');
    entries.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  while (!entries.empty() && entries.back().empty() && entries.size() > 1) entries.pop_back();
  for (std::string_view a : entries) {
    const size_t first = a.find(':'), last = a.rfind(':');
    if (first == std::string_view::npos || first == last) {
      complaints->push_back(fmt::format("{} does not have the form scheme:id:perm", a));
      continue;
    }
    core::Acl acl;
    acl.id.scheme = std::string(a.substr(0, first));
    acl.id.id = std::string(a.substr(first + 1, last - first - 1));
    for (char c : a.substr(last + 1)) {
      switch (c) {
        case 'r': acl.perms |= core::perms::kRead; break;
        case 'w': acl.perms |= core::perms::kWrite; break;
        case 'c': acl.perms |= core::perms::kCreate; break;
        case 'd': acl.perms |= core::perms::kDelete; break;
        case 'a': acl.perms |= core::perms::kAdmin; break;
        default: complaints->push_back(fmt::format("Unknown perm type: {}", c)); break;
      }
    }
    out.push_back(std::move(acl));
  }
  return out;
}

std::string format_acl(const core::AclList& acl) {
  std::string out;
  for (const core::Acl& a : acl) {
    out += fmt::format("'{},'{}\n: {}\n", a.id.scheme, a.id.id, core::perm_letters(a.perms));
  }
  return out;
}

bool is_unsupported_zkcli_command(std::string_view command) {
  // Quotas, dynamic reconfiguration, and removing watches (the client
  // protocol has no request for it yet).
  static constexpr std::string_view kUnsupported[] = {"delquota", "listquota", "reconfig", "removewatches",
                                                      "setquota"};
  return std::find(std::begin(kUnsupported), std::end(kUnsupported), command) != std::end(kUnsupported);
}

}  // namespace zsim::tools::zkcli
