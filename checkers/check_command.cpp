#include "checkers/check_command.h"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

#include "checkers/history_io.h"
#include "checkers/linearizability.h"
#include "checkers/report.h"

namespace zsim::checkers {

namespace {

bool read_file(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return !in.bad();
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

}  // namespace

int run_check_command(const CheckCommandOptions& o, std::string* out, std::string* err) {
  CheckOptions options;
  options.model = o.model;
  ParseError perr;
  auto init = parse_edn(o.init, &perr);
  if (!init) return bad_input(err, "--init: " + perr.to_string("<init>"));
  options.init = *init;
  if (o.consistency == "linearizable") {
    options.consistency = Consistency::linearizable;
  } else if (o.consistency == "zookeeper") {
    options.consistency = Consistency::zookeeper;
  } else {
    return bad_input(err, fmt::format("--consistency must be linearizable or zookeeper, not '{}'",
                                      o.consistency));
  }
  if (o.timeout_s < 0) return bad_input(err, "--timeout must not be negative");
  options.limits.time_s_max = o.timeout_s;
  options.limits.memory_bytes_max = o.memory_mb_max * std::size_t{1} << 20;
  std::optional<HistoryFormat> format =
      o.format.empty() ? guess_format(o.file) : parse_format_name(o.format);
  if (!format) {
    return bad_input(err, o.format.empty()
                              ? fmt::format("cannot tell the format of {} from its name; "
                                            "pass --format edn|jepsen-log|jsonl", o.file)
                              : fmt::format("unknown --format '{}' (edn, jepsen-log, jsonl)",
                                            o.format));
  }
  std::string text;
  if (!read_file(o.file, &text)) return bad_input(err, fmt::format("cannot read {}", o.file));
  LoadResult loaded = read_history(text, *format);
  if (!loaded.history) return bad_input(err, loaded.error.to_string(o.file));
  CheckOutcome outcome = check_history(*loaded.history, options);
  if (outcome.error) {
    const std::string where = outcome.error->source_line > 0
                                  ? fmt::format("{}:{}: ", o.file, outcome.error->source_line)
                                  : std::string();
    return bad_input(err, where + outcome.error->message);
  }
  *out += format_text_report(*loaded.history, *outcome.result);
  if (!o.html_out.empty()) {
    std::ofstream html(o.html_out, std::ios::binary);
    html << render_html(*loaded.history, *outcome.result, o.file);
    if (!html) return bad_input(err, fmt::format("cannot write {}", o.html_out));
    *out += fmt::format("timeline written to {}\n", o.html_out);
  }
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
      "Exit status: 0 ok, 1 violation, 2 bad input, 3 unknown (budget ran out).\n"
      "See docs/checkers.md.\n";
}

}  // namespace zsim::checkers
