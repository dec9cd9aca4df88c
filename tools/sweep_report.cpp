#include "tools/sweep_report.h"

#include "core/server/planted_bugs.h"

#include <fmt/core.h>

namespace zsim::tools {

nlohmann::ordered_json to_json(const scenarios::RunResult& r, std::int64_t wall_ms, bool died) {
  nlohmann::ordered_json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  j["verdict"] = sim::to_string(r.verdict);
  if (const core::PlantedBugInfo* bug = core::planted_bug_info(r.bug); bug != nullptr) j["bug"] = bug->name;
  if (!r.message.empty()) j["message"] = r.message;
  for (const char* key : {"fingerprint", "sim_time_ns", "events", "trace_events", "messages_sent",
                          "messages_dropped"}) {
    j[key] = nullptr;
  }
  if (!died) {
    j["fingerprint"] = fmt::format("{:016x}", r.fingerprint);
    j["sim_time_ns"] = r.sim_time_ns;
    j["events"] = r.events;
    j["trace_events"] = r.trace_events;
    j["messages_sent"] = r.messages_sent;
    j["messages_dropped"] = r.messages_dropped;
  }
  j["wall_ms"] = wall_ms;
  return j;
}

std::string json_line(const nlohmann::ordered_json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string indent_rest(const std::string& message) {
  std::string out;
  for (const char c : message) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

std::string failure_text(const scenarios::RunResult& r) {
  return fmt::format("seed {}: {}: {}\n  reproduce: {}\n", r.seed, sim::to_string(r.verdict), indent_rest(r.message),
                     scenarios::reproduce_command(r));
}

void SweepTally::add(const scenarios::RunResult& r) {
  ++seeds;
  if (r.verdict == sim::Verdict::kOk) return;
  ++failed;
  ++by_verdict[sim::to_string(r.verdict)];
}

nlohmann::ordered_json summary_json(const SweepTally& t) {
  nlohmann::ordered_json summary;
  summary["summary"] = true;
  summary["scenario"] = t.scenario;
  if (!t.bug.empty()) summary["bug"] = t.bug;
  summary["range"] = fmt::format("{}..{}", t.range.first, t.range.last);
  summary["shard"] = fmt::format("{}/{}", t.shard.index, t.shard.count);
  summary["seeds"] = t.seeds;
  summary["failed"] = t.failed;
  summary["by_verdict"] = t.by_verdict;
  return summary;
}

std::string summary_head(const SweepTally& t) {
  std::string verdicts;
  for (const auto& [v, n] : t.by_verdict) verdicts += fmt::format("{}{} {}", verdicts.empty() ? "" : ", ", n, v);
  return fmt::format("{}: {} seeds ({}..{}{}), {} ok, {} failed{}", t.scenario, t.seeds, t.range.first, t.range.last,
                     t.shard.count > 1 ? fmt::format(", shard {}/{}", t.shard.index, t.shard.count) : "",
                     t.seeds - t.failed, t.failed, verdicts.empty() ? "" : " (" + verdicts + ")");
}

}  // namespace zsim::tools
