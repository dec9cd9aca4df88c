// zsim shell: a zkCli-compatible shell against a simulated ensemble
// (engine: tools/shell/shell.h; guide: docs/shell.md).
//
// On a terminal it is interactive (banner, zkCli-style prompt, line editing
// and history through libedit, BSD-licensed). Reading a
// script (FILE, or a stdin that is not a terminal) it prints only what each
// command prints, so its output compares line by line with zkCli's.
#include "core/io/quote.h"
#include "tools/arguments.h"
#include "tools/commands.h"
#include "tools/shell/shell.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>

// After <cstdio>: it uses FILE.
#include <editline/readline.h>

namespace zsim::tools {
namespace {

struct ShellArgs {
  int servers = 1;
  int observers = 0;
  std::string seed = "1";
  std::string session_timeout = "5s";
  std::string file;
  std::string zk_server;  // zkCli's -server host:port: accepted, explained
};

void write(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

// A script (FILE, or a stdin that is not a terminal): only what each
// command prints.
int run_script(Shell& shell, std::istream& in) {
  (void)shell.take_startup_output();
  std::string line;
  while (!shell.finished() && std::getline(in, line)) write(shell.execute(line));
  return 0;
}

// A terminal: banner, prompt, and line editing with history (Up arrow,
// Ctrl-R, ...) from libedit, as zkCli has with JLine.
int run_interactive(Shell& shell) {
  write(Shell::banner());
  write(shell.take_startup_output());
  using_history();
  while (!shell.finished()) {
    char* raw = readline(shell.prompt().c_str());
    if (raw == nullptr) break;  // end of input (Ctrl-D)
    const std::string line(raw);
    std::free(raw);
    if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
    write(shell.execute(line));
  }
  if (!shell.finished()) write("\n");
  return 0;
}

// False (after saying why on stderr) if the world did not start: an
// ensemble that elected no leader.
bool started(const Shell& shell) {
  if (shell.startup_error().empty()) return true;
  fmt::print(stderr, "zsim shell: {}\n", shell.startup_error());
  return false;
}

int do_shell(const ShellArgs& args) {
  if (!args.zk_server.empty()) {
    fmt::print(stderr,
               "zsim shell: -server {} ignored: the shell runs its own simulated ensemble (--servers N); there is "
               "no real server to connect to\n",
               quote_input(args.zk_server));
  }
  ShellOptions options;
  options.servers = args.servers;
  options.observers = args.observers;
  const Parsed<std::uint64_t> seed = parse_seed(args.seed);
  if (const auto* why = std::get_if<std::string>(&seed)) {
    fmt::print(stderr, "zsim shell: {}\n", *why);
    return 2;
  }
  options.seed = std::get<std::uint64_t>(seed);
  const Parsed<Duration> timeout = parse_positive_duration(args.session_timeout, "--session-timeout");
  if (const auto* why = std::get_if<std::string>(&timeout)) {
    fmt::print(stderr, "zsim shell: {}\n", *why);
    return 2;
  }
  // As a ZooKeeper server negotiates a session timeout into [2, 20] ticks,
  // the shell asks for the timeout the servers would grant: a client that
  // asks for 1ms would otherwise give up connecting after 1ms.
  const Duration asked = std::get<Duration>(timeout);
  options.session_timeout = std::clamp(asked, kShellSessionTimeoutMin, kShellSessionTimeoutMax);
  if (options.session_timeout != asked) {
    fmt::print(stderr, "zsim shell: --session-timeout {} is outside what the servers negotiate ([{}, {}]); using {}\n",
               format_duration(asked), format_duration(kShellSessionTimeoutMin),
               format_duration(kShellSessionTimeoutMax), format_duration(options.session_timeout));
  }
  if (std::string problem = validate_shell_options(options); !problem.empty()) {
    fmt::print(stderr, "zsim shell: {}\n", problem);
    return 2;
  }
  if (!args.file.empty()) {
    std::error_code ec;
    std::ifstream in(args.file, std::ios::binary);
    if (!in || std::filesystem::is_directory(args.file, ec)) {
      fmt::print(stderr, "zsim shell: cannot read script '{}'\n", args.file);
      return 2;
    }
    Shell shell(options);
    if (!started(shell)) return 1;
    return run_script(shell, in);
  }
  Shell shell(options);
  if (!started(shell)) return 1;
  return isatty(STDIN_FILENO) != 0 ? run_interactive(shell) : run_script(shell, std::cin);
}

}  // namespace

void add_shell_command(CLI::App& app, int* exit_code) {
  auto args = std::make_shared<ShellArgs>();
  CLI::App* cmd = app.add_subcommand("shell", "A zkCli-compatible shell against a simulated ZooKeeper ensemble");
  cmd->footer(
      "zkCli 3.8 commands: ls [-s] [-w] [-R], create [-s] [-e] [-c] [-t ttl] path [data],\n"
      "get [-s] [-w], set [-s] [-v version], stat [-w], delete [-v version], deleteall [-b n], sync,\n"
      "addWatch [-m mode], getAcl [-s], setAcl [-s] [-v version] [-R], addauth digest user:pw,\n"
      "getEphemerals, getAllChildrenNumber, config, whoami, version, history, redo,\n"
      "printwatches on|off, connect, close, quit (output as zkCli prints it; create takes an acl\n"
      "such as auth::cdrwa,world:anyone:r). Not supported: quotas, reconfig, removewatches.\n"
      "Interactive lines can be edited and recalled (Up arrow; libedit).\n"
      "Simulation commands (time moves only while a command runs or on `sim advance`):\n" +
      Shell::sim_help(0) +
      "Hosts: s1..sN (the servers), o1..oK (observers) and c1 (the client, which knows every\n"
      "server). --servers 1 is a standalone server; 3, 5 or 7 a ZAB ensemble (tickTime 100ms)\n"
      "that the shell runs until it has elected a leader before the first command. With FILE,\n"
      "or a stdin that is not a terminal, no prompt or banner is printed: only what zkCli\n"
      "would print, so outputs compare line by line. The same seed and script always print\n"
      "the same. See docs/shell.md.\n"
      "Exit status: 0; 1 if the ensemble elected no leader at startup; 2 for bad input\n"
      "(unreadable FILE, --servers not 1, 3, 5 or 7, --observers without an ensemble or > 5).");
  cmd->add_option("--servers", args->servers,
                  "Voting servers: 1 (standalone, the default) or 3, 5, 7 (a ZAB ensemble s1..sN); "
                  "even numbers and more than 7 are refused");
  cmd->add_option("--observers", args->observers,
                  "Observers o1..oK added to an ensemble (0..5; needs --servers 3, 5 or 7)");
  cmd->add_option("--seed", args->seed, "Seed of every random choice in the simulation (0..2^64-1)");
  cmd->add_option("--session-timeout", args->session_timeout,
                  "Session timeout the client asks for; like a ZooKeeper server, the shell brings it into "
                  "[4s, 40s] (2 and 20 ticks of 2s) and says so");
  cmd->add_option("--zk-server", args->zk_server,
                  "-server host:port (zkCli's spelling, also accepted): ignored with a note, since the shell's "
                  "ensemble is simulated");
  cmd->add_option("FILE", args->file, "Script of commands, one per line (default: stdin)");
  cmd->callback([args, exit_code] { *exit_code = do_shell(*args); });
}

}  // namespace zsim::tools
