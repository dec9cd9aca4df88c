#include "tools/sweep_output.h"

#include "core/io/quote.h"
#include "core/server/planted_bugs.h"

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include <optional>

namespace zsim::tools {
namespace {

using Json = nlohmann::json;

constexpr std::size_t kQuotedLineChars = 60;

std::optional<Json> parse_object(std::string_view line) {
  Json j = Json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

std::string not_json(std::string_view line) {
  return fmt::format("not a JSON object: {}", quote_input(line, kQuotedLineChars));
}

std::optional<sim::Verdict> verdict_named(const std::string& name) {
  for (const sim::Verdict v : {sim::Verdict::kOk, sim::Verdict::kLinearizability, sim::Verdict::kInvariant,
                               sim::Verdict::kLiveness, sim::Verdict::kCrash}) {
    if (name == sim::to_string(v)) return v;
  }
  return std::nullopt;
}

// A field of the wanted type, or why not.
std::string field_error(const Json& j, const char* key, Json::value_t type, bool nullable = false) {
  const auto it = j.find(key);
  if (it == j.end()) return fmt::format("no \"{}\"", key);
  if (nullable && it->is_null()) return "";
  const bool ok = type == Json::value_t::number_unsigned ? it->is_number_unsigned()
                  : type == Json::value_t::number_integer ? it->is_number_integer()
                                                           : it->type() == type;
  return ok ? "" : fmt::format("\"{}\" is not {}", key,
                               type == Json::value_t::string ? "a string"
                               : type == Json::value_t::object ? "an object"
                               : type == Json::value_t::boolean ? "true or false"
                                                                : "a whole number");
}

std::string bug_of(const Json& j) {
  const auto it = j.find("bug");
  return it == j.end() ? "" : it->get<std::string>();
}

}  // namespace

bool looks_like_summary(std::string_view line) {
  const std::optional<Json> j = parse_object(line);
  return j && j->contains("summary");
}

Parsed<SweepTally> parse_summary(std::string_view line) {
  const std::optional<Json> parsed = parse_object(line);
  if (!parsed) return not_json(line);
  const Json& j = *parsed;
  if (j.value("summary", false) != true) return std::string("not a summary line");
  using T = Json::value_t;
  for (const auto& [key, type] : {std::pair{"scenario", T::string}, std::pair{"range", T::string},
                                  std::pair{"shard", T::string}, std::pair{"seeds", T::number_unsigned},
                                  std::pair{"failed", T::number_unsigned}, std::pair{"by_verdict", T::object},
                                  std::pair{"wall_ms", T::number_integer}}) {
    if (std::string why = field_error(j, key, type); !why.empty()) return "summary: " + why;
  }
  if (j.contains("bug")) {
    if (!j["bug"].is_string()) return std::string("summary: \"bug\" is not a string");
    if (!core::find_planted_bug(j["bug"].get<std::string>())) {
      return fmt::format("summary: unknown planted bug {}", quote_input(j["bug"].get<std::string>()));
    }
  }
  SweepTally t;
  t.scenario = j["scenario"].get<std::string>();
  t.bug = bug_of(j);
  auto range = parse_seed_range(j["range"].get<std::string>());
  if (auto* why = std::get_if<std::string>(&range)) return "summary: " + *why;
  auto shard = parse_shard(j["shard"].get<std::string>());
  if (auto* why = std::get_if<std::string>(&shard)) return "summary: " + *why;
  t.range = std::get<SeedRange>(range);
  t.shard = std::get<Shard>(shard);
  t.seeds = j["seeds"].get<std::uint64_t>();
  t.failed = j["failed"].get<std::uint64_t>();
  t.wall_ms = j["wall_ms"].get<std::int64_t>();
  if (t.seeds != ShardSeeds{t.range, t.shard}.count()) {
    return fmt::format("summary: {} seeds, but shard {}/{} of {}..{} has {}", t.seeds, t.shard.index, t.shard.count,
                       t.range.first, t.range.last, ShardSeeds{t.range, t.shard}.count());
  }
  std::uint64_t sum = 0;
  for (const auto& [verdict, n] : j["by_verdict"].items()) {
    const std::optional<sim::Verdict> v = verdict_named(verdict);
    if (!v || *v == sim::Verdict::kOk || !n.is_number_unsigned()) {
      return fmt::format("summary: bad by_verdict entry {}", quote_input(verdict, kQuotedLineChars));
    }
    t.by_verdict[verdict] = n.get<std::uint64_t>();
    sum += n.get<std::uint64_t>();
  }
  if (sum != t.failed || t.failed > t.seeds) return std::string("summary: failed does not match by_verdict");
  return t;
}

Parsed<SeedLine> parse_seed_line(std::string_view line, const SweepTally& summary) {
  const std::optional<Json> parsed = parse_object(line);
  if (!parsed) return not_json(line);
  const Json& j = *parsed;
  if (j.contains("summary")) return std::string("a second summary line");
  using T = Json::value_t;
  for (const auto& [key, type, nullable] :
       {std::tuple{"scenario", T::string, false}, std::tuple{"seed", T::number_unsigned, false},
        std::tuple{"verdict", T::string, false}, std::tuple{"fingerprint", T::string, true},
        std::tuple{"sim_time_ns", T::number_integer, true}, std::tuple{"events", T::number_unsigned, true},
        std::tuple{"wall_ms", T::number_integer, false}}) {
    if (std::string why = field_error(j, key, type, nullable); !why.empty()) return why;
  }
  for (const char* key : {"message", "bug"}) {
    if (j.contains(key) && !j[key].is_string()) return fmt::format("\"{}\" is not a string", key);
  }
  SeedLine s;
  scenarios::RunResult& r = s.result;
  r.scenario = j["scenario"].get<std::string>();
  if (r.scenario != summary.scenario) {
    return fmt::format("seed of scenario {}, the summary says {}", quote_input(r.scenario), summary.scenario);
  }
  if (bug_of(j) != summary.bug) {
    return fmt::format("seed with bug {}, the summary says {}", quote_input(bug_of(j)), quote_input(summary.bug));
  }
  if (!summary.bug.empty()) r.bug = *core::find_planted_bug(summary.bug);
  r.seed = j["seed"].get<std::uint64_t>();
  const std::optional<sim::Verdict> v = verdict_named(j["verdict"].get<std::string>());
  if (!v) return fmt::format("unknown verdict {}", quote_input(j["verdict"].get<std::string>()));
  r.verdict = *v;
  if (j.contains("message")) r.message = j["message"].get<std::string>();
  s.died = j["fingerprint"].is_null();
  if (!s.died) {
    const std::string hex = j["fingerprint"].get<std::string>();
    std::size_t used = 0;
    try {
      r.fingerprint = std::stoull(hex, &used, 16);
    } catch (const std::exception&) {
      used = 0;
    }
    if (hex.size() != 16 || used != 16) return fmt::format("bad fingerprint {}", quote_input(hex));
    if (j["sim_time_ns"].is_null() || j["events"].is_null()) return std::string("a fingerprint without sim_time_ns, events");
    r.sim_time_ns = j["sim_time_ns"].get<std::int64_t>();
    r.events = j["events"].get<std::uint64_t>();
  }
  s.wall_ms = j["wall_ms"].get<std::int64_t>();
  return s;
}

}  // namespace zsim::tools
