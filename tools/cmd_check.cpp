// `zsim check`: maps the command line onto checkers::run_check_command,
// which holds all the logic (so tests can run it without a process).
#include <fmt/core.h>

#include <cstdio>
#include <memory>

#include "checkers/check_command.h"
#include "tools/commands.h"

namespace zsim::tools {

void add_check_command(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<checkers::CheckCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "check", "Check a history for linearizability (or ZooKeeper's guarantees)");
  cmd->footer(checkers::check_command_help());
  cmd->add_option("FILE", options->file, "History file (EDN, Jepsen log or zsim JSON lines)")
      ->required();
  cmd->add_option("--model,-m", options->model,
                  "Sequential model: register, cas-register, kv, set, queue, mutex, "
                  "multi-register, znode")
      ->capture_default_str();
  cmd->add_option("--init", options->init,
                  "Initial value as an EDN literal (nil = absent); e.g. 0, {:x 0 :y 0}")
      ->capture_default_str();
  cmd->add_option("--format,-f", options->format,
                  "edn | jepsen-log | jsonl (default: guessed from the file name)");
  cmd->add_option("--consistency", options->consistency,
                  "linearizable | zookeeper (linearizable writes, session FIFO, "
                  "no going back; reads may be stale)")
      ->capture_default_str();
  cmd->add_option("--html", options->html_out, "Write a self-contained timeline page here");
  cmd->add_option("--timeout", options->timeout_s,
                  "Time budget in seconds (0: none); when it runs out the verdict is unknown (exit 3)")
      ->capture_default_str();
  cmd->add_option("--memory-mb", options->memory_mb_max,
                  "Memory budget for each partition's search in MB; exceeding it gives unknown (exit 3)")
      ->capture_default_str();
  cmd->add_flag("--no-partition", [options](std::int64_t) { options->partition = false; },
                "Check the history whole, not per key (to compare with tools that cannot partition)");
  cmd->add_flag("--json", options->json,
                "Also print the result as one JSON object on the last line (for scripts and CI)");
  cmd->callback([options, exit_code] {
    std::string out, err;
    *exit_code = checkers::run_check_command(*options, &out, &err);
    std::fputs(out.c_str(), stdout);
    std::fputs(err.c_str(), stderr);
  });
}

}  // namespace zsim::tools
