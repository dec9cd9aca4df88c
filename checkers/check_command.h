// The logic of `zsim check`: read a history file, check it against a model,
// print the verdict and witness, optionally write the HTML view, and return
// the exit status. tools/cmd_check.cpp only maps command-line flags onto
// CheckCommandOptions; tests call run_check_command directly.
//
// Exit status: 0 ok (linearizable / keeps the ZooKeeper guarantees; an
// empty history is trivially so, and says it), 1 violation, 2 bad input
// (not a file, unreadable, malformed, no operation lines in a non-empty
// Jepsen log, unknown model, format or consistency, an option out of range,
// an op the model does not understand), 3 unknown (the time or memory
// budget ran out first). With `json`, the last line of the output is one
// JSON object: verdict, per-partition verdicts, states explored, peak memo
// and time (docs/checkers.md lists the fields).
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
  double timeout_s = 60.0;            // 0 = no time limit
  std::size_t memory_mb_max = 2048;   // 1 .. kMemoryMbMax
  bool partition = true;              // false: --no-partition
  bool json = false;                  // a JSON object on the last line
};

// The largest --memory-mb whose byte count fits a size_t.
constexpr std::size_t kMemoryMbMax = static_cast<std::size_t>(-1) >> 20;

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
