#include "checkers/check_command.h"

#include <fmt/core.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "checkers/history_io.h"
#include "checkers/linearizability.h"
#include "checkers/quote.h"
#include "checkers/report.h"

namespace zsim::checkers {

namespace {

using nlohmann::ordered_json;

// Reads the whole file; "" on success, else why not.
std::string read_file(const std::string& path, std::string* text) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  const std::string name = escape_input(path, 1000);
  if (ec || !std::filesystem::exists(status)) return fmt::format("cannot read {}: no such file", name);
  if (std::filesystem::is_directory(status)) {
    return fmt::format("{} is a directory, not a history file", name);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fmt::format("cannot read {}: {}", name, std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return fmt::format("cannot read {}: {}", name, std::strerror(errno));
  *text = buffer.str();
  return "";
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

int bad_input(std::string* err, const std::string& message) {
  *err += "zsim check: " + message + "\n";
  return kExitBadInput;
}

int exit_code_of(Verdict v) {
  switch (v) {
    case Verdict::ok: return kExitOk;
    case Verdict::violation: return kExitViolation;
    case Verdict::unknown: return kExitUnknown;
  }
  return kExitUnknown;
}

// The options that do not need the file; "" when they are all right.
std::string check_options(const CheckCommandOptions& o, CheckOptions* options) {
  options->model = o.model;
  ParseError perr;
  auto init = parse_edn(o.init, &perr);
  if (!init) return "--init: " + perr.to_string("<init>");
  options->init = *init;
  if (o.consistency == "linearizable") {
    options->consistency = Consistency::linearizable;
  } else if (o.consistency == "zookeeper") {
    options->consistency = Consistency::zookeeper;
  } else {
    return fmt::format("--consistency must be linearizable or zookeeper, not {}", quote_input(o.consistency));
  }
  if (!std::isfinite(o.timeout_s) || o.timeout_s < 0) {
    return "--timeout must be a number of seconds, 0 or more (0: no time limit)";
  }
  if (o.memory_mb_max == 0 || o.memory_mb_max > kMemoryMbMax) {
    return fmt::format("--memory-mb must be between 1 and {}", kMemoryMbMax);
  }
  options->limits.time_s_max = o.timeout_s;
  options->limits.memory_bytes_max = o.memory_mb_max << 20;
  options->partition = o.partition;
  return "";
}

ordered_json json_of(const CheckResult& r, const std::string& file, bool empty) {
  ordered_json j;
  j["verdict"] = verdict_name(r.verdict);
  j["exit_code"] = exit_code_of(r.verdict);
  j["file"] = file;
  j["model"] = r.model;
  j["consistency"] = r.consistency == Consistency::zookeeper ? "zookeeper" : "linearizable";
  j["ops_checked"] = r.ops_checked;
  j["ops_dropped"] = r.ops_dropped;
  j["states_explored"] = r.states_explored;
  j["peak_memo_bytes"] = r.peak_memory_bytes;
  j["elapsed_s"] = r.elapsed_s;
  if (r.verdict == Verdict::unknown) j["unknown_reason"] = r.unknown_reason;
  if (empty) j["note"] = "the history has no operations";
  ordered_json parts = ordered_json::array();
  ordered_json undecided = ordered_json::array();
  for (const PartitionReport& p : r.partitions) {
    ordered_json pj;
    pj["name"] = p.name;
    pj["verdict"] = verdict_name(p.verdict);
    pj["ops"] = p.ops.size();
    pj["states"] = p.states;
    pj["peak_memo_bytes"] = p.peak_memory_bytes;
    if (p.verdict == Verdict::unknown) {
      pj["unknown_reason"] = p.unknown_reason;
      undecided.push_back(p.name);
    }
    parts.push_back(std::move(pj));
  }
  j["undecided"] = std::move(undecided);
  j["partitions"] = std::move(parts);
  return j;
}

}  // namespace

int run_check_command(const CheckCommandOptions& o, std::string* out, std::string* err) {
  CheckOptions options;
  if (std::string problem = check_options(o, &options); !problem.empty()) return bad_input(err, problem);
  std::optional<HistoryFormat> format =
      o.format.empty() ? guess_format(o.file) : parse_format_name(o.format);
  if (!format) {
    return bad_input(err, o.format.empty()
                              ? fmt::format("cannot tell the format of {} from its name; "
                                            "pass --format edn|jepsen-log|jsonl", o.file)
                              : fmt::format("unknown --format {} (edn, jepsen-log, jsonl)",
                                            quote_input(o.format)));
  }
  std::string text;
  if (std::string problem = read_file(o.file, &text); !problem.empty()) return bad_input(err, problem);
  // An empty file is an empty history in every format; a non-empty one
  // must hold what its format expects (a Jepsen log without a single
  // operation line is not a history).
  LoadResult loaded;
  if (blank(text)) {
    loaded.history = History{};
  } else {
    loaded = read_history(text, *format);
  }
  if (!loaded.history) return bad_input(err, loaded.error.to_string(o.file));
  CheckOutcome outcome = check_history(*loaded.history, options);
  if (outcome.error) {
    const std::string where = outcome.error->source_line > 0
                                  ? fmt::format("{}:{}: ", o.file, outcome.error->source_line)
                                  : std::string();
    return bad_input(err, where + outcome.error->message);
  }
  const bool empty = loaded.history->ops.empty();
  *out += format_text_report(*loaded.history, *outcome.result);
  if (empty) {
    *out += fmt::format("note: {} holds no operations; an empty history is trivially {}\n", o.file,
                        options.consistency == Consistency::zookeeper ? "consistent" : "linearizable");
  }
  if (!o.html_out.empty()) {
    std::ofstream html(o.html_out, std::ios::binary);
    html << render_html(*loaded.history, *outcome.result, o.file);
    if (!html) return bad_input(err, fmt::format("cannot write {}", o.html_out));
    *out += fmt::format("timeline written to {}\n", o.html_out);
  }
  if (o.json) *out += json_of(*outcome.result, o.file, empty).dump() + "\n";
  return exit_code_of(outcome.result->verdict);
}

std::string check_command_help() {
  std::string models;
  for (const ModelInfo& m : known_models()) models += fmt::format("  {:<15} {}\n", m.name, m.summary);
  return
      "Checks a history of client operations against a sequential model.\n"
      "\n"
      "Linearizable: every operation seems to take effect at one instant between\n"
      "its call and its return. --consistency zookeeper checks what ZooKeeper\n"
      "promises instead: linearizable writes, each session's operations in order,\n"
      "and reads that may be stale but never go back before what the session saw.\n"
      "\n"
      "Models:\n" + models +
      "\n"
      "Formats (guessed from .edn, .jsonl/.json, .log/.txt):\n"
      "  edn         Knossos/Jepsen EDN maps; :fail = did not happen\n"
      "  jepsen-log  'INFO jepsen.util - 3 :invoke :write 4' lines; :fail :cas = a CAS\n"
      "              that returned false; :fail ... :timed-out = unknown\n"
      "  jsonl       zsim's JSON lines (docs/history-format.md)\n"
      "\n"
      "Histories are split into independent partitions (per key; znode paths that\n"
      "ops tie together) and searched smallest first, in rounds of growing size; the\n"
      "first violation in any partition decides the history, and the report names\n"
      "the partitions left undecided. --no-partition checks the history whole.\n"
      "\n"
      "Exit status: 0 ok (an empty history is trivially ok), 1 violation, 2 bad input,\n"
      "3 unknown (the time or memory budget ran out first). --json adds one JSON\n"
      "object on the last line: verdict, per-partition verdicts, states, peak memo, time.\n"
      "See docs/checkers.md.\n";
}

}  // namespace zsim::checkers
