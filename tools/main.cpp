// zsim: the command-line front end. Parses the command line with CLI11 and
// hands each subcommand to its tools/cmd_*.cpp. See `zsim --help`.
#include "core/io/quote.h"
#include "tools/commands.h"

#include <fmt/core.h>

#include <cstdio>
#include <string>
#include <vector>

namespace {

// The subcommands, comma-separated, for messages.
bool is_subcommand(const CLI::App& app, const std::string& word) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->check_name(word)) return true;
  }
  return false;
}

std::string subcommand_names(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "zsim: deterministic simulation and testing of a ZooKeeper-style "
      "coordination service.\nEvery run is reproduced exactly by its seed "
      "(and fault plan)."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "zsim 0.1.0");
  int exit_code = 0;
  zsim::tools::add_run_commands(app, &exit_code);
  zsim::tools::add_check_command(app, &exit_code);
  zsim::tools::add_shell_command(app, &exit_code);
  zsim::tools::add_shrink_command(app, &exit_code);
  zsim::tools::add_herd_command(app, &exit_code);
  zsim::tools::add_lesson_command(app, &exit_code);
  zsim::tools::add_merge_command(app, &exit_code);
  // zkCli's `-server host:port` (one dash, a long name CLI11 cannot take):
  // `zsim shell` accepts it as --zk-server and explains it.
  std::vector<std::string> translated(argv, argv + argc);
  if (argc >= 2 && translated[1] == "shell") {
    for (std::string& a : translated) {
      if (a == "-server") a = "--zk-server";
    }
  }
  std::vector<char*> args;
  for (std::string& a : translated) args.push_back(a.data());
  argv = args.data();
  // CLI11 would call an unknown first word a missing subcommand: name it.
  if (argc >= 2 && argv[1][0] != '-' && !is_subcommand(app, argv[1])) {
    fmt::print(stderr, "zsim: unknown subcommand {} (valid: {})\nRun with --help for more information.\n",
               zsim::quote_input(argv[1]), subcommand_names(app));
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // Bad command lines are bad input: one line, exit status 2.
    fmt::print(stderr, "zsim: {}\n", e.what());
    if (e.get_exit_code() != 0) {
      fmt::print(stderr, "Run with --help for more information.\n");
    }
    return 2;
  }
  return exit_code;
}
