// The logic of `zsim check`: read a history file, check it against a model,
// print the verdict and witness, optionally write the HTML view, and return
// the exit status. tools/cmd_check.cpp only maps command-line flags onto
// CheckCommandOptions; tests call run_check_command directly.
//
// Exit status: 0 ok (linearizable / keeps the ZooKeeper guarantees),
// 1 violation, 2 bad input (unreadable or malformed file, unknown model,
// format or consistency, an op the model does not understand), 3 unknown
// (the time or memory budget ran out first).
#pragma once

#include <cstddef>
#include <string>

namespace zsim::checkers {

struct CheckCommandOptions {
  std::string file;
  std::string model = "cas-register";
  std::string init = "nil";          // an EDN literal
  std::string format;                // "" = guess from the file name
  std::string consistency = "linearizable";  // or "zookeeper"
  std::string html_out;              // "" = no HTML
  double timeout_s = 60.0;
  std::size_t memory_mb_max = 2048;
};

constexpr int kExitOk = 0;
constexpr int kExitViolation = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitUnknown = 3;

// Runs the check; appends what to print to *out (stdout) and *err (stderr).
int run_check_command(const CheckCommandOptions& options, std::string* out,
                      std::string* err);

// The long help text of `zsim check` (models, formats, exit codes).
std::string check_command_help();

}  // namespace zsim::checkers
