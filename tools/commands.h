// The `zsim` command's subcommands. Each lives in its own tools/cmd_*.cpp and
// registers itself on the CLI11 app; main.cpp only calls these in order.
//
// Exit status convention for every subcommand:
//   0 success / verdict ok, 1 a check failed (a bug was found),
//   2 bad input (unknown scenario, malformed file or argument), 3 unknown
//   (a budget ran out before a verdict).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace zsim::tools {

// Each add_* function adds one or more subcommands to `app`. The returned
// subcommand's callback sets *exit_code when it runs.
void add_run_commands(CLI::App& app, int* exit_code);     // run, sweep, plan, list
void add_check_command(CLI::App& app, int* exit_code);    // check (checkers/)
void add_shell_command(CLI::App& app, int* exit_code);    // shell (tools/shell/)
void add_shrink_command(CLI::App& app, int* exit_code);   // shrink (sim/plan_shrink.h)
void add_herd_command(CLI::App& app, int* exit_code);     // herd (scenarios/recipes/herd_measure.h)
void add_lesson_command(CLI::App& app, int* exit_code);   // lesson (tools/lessons.h)
void add_merge_command(CLI::App& app, int* exit_code);    // merge (sharded sweep outputs)

}  // namespace zsim::tools
