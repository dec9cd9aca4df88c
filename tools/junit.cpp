#include "tools/junit.h"

#include "core/io/quote.h"
#include "core/io/time.h"
#include "tools/run_input.h"

#include <fmt/core.h>

#include <cstdio>
#include <utility>

namespace zsim::tools {
namespace {

// The length of the UTF-8 sequence at s[i] if it is well formed and a
// character XML 1.0 allows (tab, line feed, carriage return, U+0020..U+D7FF,
// U+E000..U+FFFD, U+10000..U+10FFFF; DEL is left out too, as a terminal
// would not show it); 0 if not.
std::size_t xml_char_length(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b = byte(i);
  if (b < 0x80) return (b >= 0x20 && b != 0x7f) || b == '\t' || b == '\n' || b == '\r' ? 1 : 0;
  std::size_t n = 0;
  std::uint32_t cp = 0;
  if ((b & 0xe0) == 0xc0) {
    n = 2;
    cp = b & 0x1fU;
  } else if ((b & 0xf0) == 0xe0) {
    n = 3;
    cp = b & 0x0fU;
  } else if ((b & 0xf8) == 0xf0) {
    n = 4;
    cp = b & 0x07U;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3fU);
  }
  const std::uint32_t min_for_length[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_length[n]) return 0;  // overlong
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  if (cp == 0xfffe || cp == 0xffff || cp > 0x10ffff) return 0;
  return n;
}

std::string first_line(std::string_view text, std::size_t max_bytes) {
  std::string_view line = text.substr(0, text.find('\n'));
  if (line.size() <= max_bytes) return std::string(line);
  std::size_t cut = max_bytes;
  // Never cut a UTF-8 sequence in half.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xc0) == 0x80) --cut;
  return std::string(line.substr(0, cut)) + " ...";
}

// The failure message attribute: the verdict and the message's first line.
constexpr std::size_t kMessageAttributeBytes = 300;

std::string property(std::string_view name, std::string_view value) {
  return fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name, xml_escape(value, true));
}

std::string classname(const scenarios::RunResult& r) {
  const core::PlantedBugInfo* bug = core::planted_bug_info(r.bug);
  return bug == nullptr ? r.scenario : fmt::format("{} --bug {}", r.scenario, bug->name);
}

}  // namespace

std::string xml_escape(std::string_view text, bool in_attribute) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = xml_char_length(text, i);
    if (n == 0) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    const char c = text[i];
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '\r') {
      out += "&#13;";  // a parser turns a raw CR (and CR LF) into LF
    } else if (in_attribute && c == '"') {
      out += "&quot;";
    } else if (in_attribute && c == '\'') {
      out += "&apos;";
    } else if (in_attribute && (c == '\n' || c == '\t')) {
      out += c == '\n' ? "&#10;" : "&#9;";  // raw, attribute normalization makes them spaces
    } else {
      out.append(text.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string junit_testcase(const scenarios::RunResult& r, bool died) {
  std::string head = fmt::format("    <testcase classname=\"{}\" name=\"seed {}\" time=\"0\"", xml_escape(classname(r), true),
                                 r.seed);
  if (r.verdict == sim::Verdict::kOk) return head + "/>\n";
  const char* element = r.verdict == sim::Verdict::kCrash ? "error" : "failure";
  const char* verdict = sim::to_string(r.verdict);
  std::string text = r.message.empty() ? std::string(verdict) : r.message;
  text += "\nreproduce: " + scenarios::reproduce_command(r);
  if (!died) {
    text += fmt::format("\nfingerprint {}, sim time {}s, {} events", fmt::format("{:016x}", r.fingerprint),
                        format_time(time_from_ns(r.sim_time_ns)), r.events);
  }
  return fmt::format("{}>\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n", head, element,
                     xml_escape(fmt::format("{}: {}", verdict, first_line(r.message, kMessageAttributeBytes)), true),
                     verdict, xml_escape(text, false), element);
}

std::string junit_head(const JunitSuite& s) {
  const std::string counts =
      fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\"", s.tests, s.failures, s.errors);
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"zsim\" {} time=\"0\">\n", counts);
  out += fmt::format("  <testsuite name=\"{}\" {} skipped=\"0\" time=\"0\">\n", xml_escape(s.scenario, true), counts);
  out += "    <properties>\n";
  out += property("scenario", s.scenario);
  out += property("seeds", fmt::format("{}..{}", s.range.first, s.range.last));
  out += property("shard", fmt::format("{}/{}", s.shard.index, s.shard.count));
  if (!s.bug.empty()) out += property("bug", s.bug);
  out += "    </properties>\n";
  return out;
}

std::string junit_tail() { return "  </testsuite>\n</testsuites>\n"; }

JunitFile::JunitFile(std::string path) : path_(std::move(path)), part_path_(path_ + ".part") {
  part_.open(part_path_, std::ios::trunc | std::ios::binary);
  if (!part_) throw BadInput{fmt::format("cannot write the JUnit file {}", quote_input(part_path_))};
  cleanup_.emplace(part_path_);
}

JunitFile::~JunitFile() {
  if (!finished_) {
    part_.close();
    std::remove(part_path_.c_str());
  }
}

void JunitFile::add(const scenarios::RunResult& r, bool died) {
  ++counts_.tests;
  if (r.verdict == sim::Verdict::kCrash) ++counts_.errors;
  if (r.verdict != sim::Verdict::kOk && r.verdict != sim::Verdict::kCrash) ++counts_.failures;
  part_ << junit_testcase(r, died);
}

void JunitFile::finish(std::string scenario, std::string bug, SeedRange range, Shard shard) {
  counts_.scenario = std::move(scenario);
  counts_.bug = std::move(bug);
  counts_.range = range;
  counts_.shard = shard;
  part_.close();
  std::ifstream part(part_path_, std::ios::binary);
  std::ofstream out(path_, std::ios::trunc | std::ios::binary);
  out << junit_head(counts_);
  if (counts_.tests > 0) out << part.rdbuf();
  out << junit_tail();
  out.close();
  part.close();
  std::remove(part_path_.c_str());
  finished_ = true;
  if (!out) throw BadInput{fmt::format("cannot write the JUnit file {}", quote_input(path_))};
}

}  // namespace zsim::tools
