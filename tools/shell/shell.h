// Shell: the engine of `zsim shell` — a zkCli-compatible shell whose
// ensemble is simulated.
//
// A Shell owns one deterministic sim::Simulator with server hosts s1..sN (a
// core::Server each), optional observer hosts o1..oK, and one client host c1
// running a core::Client that knows every server. N = 1 is a standalone
// server; N = 3, 5 or 7 is a ZAB ensemble with ZooKeeper-like fast timing
// (tickTime 100ms), and the shell starts only once it has elected a leader
// and every server serves. It executes one command line at a time:
//  - zkCli commands (ls, create, get, set, stat, delete, deleteall, sync,
//    addWatch, getAcl, setAcl, addauth, close, connect, printwatches, quit,
//    help) run their blocking
//    client calls on a fiber of c1 while the simulation advances until the
//    command finishes (at most `command_budget` of simulated time), and print
//    exactly what zkCli 3.8 prints, watch events included;
//  - `sim ...` commands control the simulated world (time, crashes,
//    partitions, pauses, trace) for teaching.
// Simulated time moves only while a command runs or on `sim advance`, so a
// session lives as long as the student wants until time is advanced.
//
// Deterministic: the same options and the same lines give the same output,
// byte for byte (no wall clock, no addresses, ordered containers only).
// Stat times are the server's simulated clock shifted to kSimEpochMs.
//
// Single-threaded; not reentrant (execute() must not be called from inside
// the simulation).
#pragma once

#include "core/io/time.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace zsim::sim {
class Simulator;
}
namespace zsim::core {
class Client;
struct EnsembleMember;
}

namespace zsim::tools {

// Simulated time 0 is this instant: Sat Nov 21 18:48:00 UTC 2026 (in Unix
// epoch milliseconds). Stat times of nodes made at simulated time t show as
// kSimEpochMs + t; a time of 0 (the root, /zookeeper) shows as the Unix epoch,
// as on a real server.
inline constexpr int64_t kSimEpochMs = 1'795'286'880'000;

struct ShellOptions {
  std::uint64_t seed = 1;
  // Voting servers: 1 (standalone, as `zkServer.sh` with no quorum config)
  // or an odd 3, 5 or 7 (a ZAB ensemble, hosts s1..sN, server ids 1..N).
  int servers = 1;
  // Observers (hosts o1..oK, server ids N+1..N+K): at most kMaxObservers, and
  // only with an ensemble (servers >= 3).
  int observers = 0;
  // The session timeout c1's client asks for (every server negotiates it
  // into [4s, 40s], as a standalone server does with its default 2s tick).
  // zkCli asks for 30s; the shell asks for less so the expiry lesson needs
  // only a few seconds of `sim advance`.
  Duration session_timeout = seconds(5);
  // The longest one command may run, in simulated time.
  Duration command_budget = seconds(120);
  // An ensemble must elect a leader (and every server must serve) within
  // this much simulated time at startup, else the shell gives up.
  Duration election_budget = seconds(30);
};

inline constexpr int kMaxServers = 7;
inline constexpr int kMaxObservers = 5;
// An ensemble's tickTime (ZooKeeper's default is 2000ms; the shell's
// ensembles run ZooKeeper-like fast timing, so an election takes well under
// a second of simulated time).
inline constexpr int64_t kEnsembleTickMs = 100;
// What every server negotiates a session timeout into (see session_timeout).
inline constexpr Duration kShellSessionTimeoutMin = seconds(4);
inline constexpr Duration kShellSessionTimeoutMax = seconds(40);

// "" when the options are usable, else a one-line reason.
std::string validate_shell_options(const ShellOptions& options);

class Shell {
 public:
  // Builds the world and runs it until c1's first connection is made (an
  // ensemble: first until it has an established leader and every server
  // serves, then c1 starts). REQUIRES: validate_shell_options(options) is "".
  explicit Shell(ShellOptions options);

  // "" when the world started; else why not (an ensemble elected no leader
  // within election_budget). A front end reports it and runs no command.
  const std::string& startup_error() const { return startup_error_; }
  ~Shell();
  Shell(const Shell&) = delete;
  Shell& operator=(const Shell&) = delete;

  // What happened while the world was built (c1's SyncConnected event). An
  // interactive front end prints it after its banner; a script runner drops
  // it, as a zkCli transcript compared line by line has no such lines.
  std::string take_startup_output();

  // Executes one line and returns everything it printed (each line ends in
  // '\n'). Blank lines print nothing. After `quit` finished() is true and
  // further lines print nothing.
  std::string execute(std::string_view line);

  bool finished() const { return finished_; }

  // zkCli's prompt: "[zk: sim(CONNECTED) 3] ".
  std::string prompt() const;

  // The interactive banner (a few lines) and the `sim help` text. The help
  // names the hosts of a shell with `servers` voters and `observers`
  // observers; servers = 0 names them generically (for --help).
  static std::string banner();
  static std::string sim_help(int servers = 1, int observers = 0);

 private:
  struct ClientProcess;
  struct ServerProcess;

  void on_watch_event(int state, int type, const std::string& path);
  ClientProcess* client_process();
  bool client_alive();
  const char* client_state_name();
  // Runs `body` on a fiber of c1 with its client and advances the world until
  // it returns (or the budget runs out). REQUIRES: client_alive().
  void on_client(std::string name, std::function<void(core::Client&)> body);
  void run_zk_command(const std::vector<std::string>& words);
  void run_sim_command(const std::vector<std::string>& words);
  void print(std::string_view text);
  void println(std::string_view line);

  void cmd_ls(const std::vector<std::string>& words);
  void cmd_create(const std::vector<std::string>& words);
  void cmd_get(const std::vector<std::string>& words);
  void cmd_get_acl(const std::vector<std::string>& words);
  void cmd_set_acl(const std::vector<std::string>& words);
  void cmd_addauth(const std::vector<std::string>& words);
  void cmd_set(const std::vector<std::string>& words);
  void cmd_stat(const std::vector<std::string>& words);
  void cmd_delete(const std::vector<std::string>& words);
  void cmd_deleteall(const std::vector<std::string>& words);
  void cmd_sync(const std::vector<std::string>& words);
  void cmd_add_watch(const std::vector<std::string>& words);
  void cmd_close();
  void cmd_connect();
  void cmd_history();
  void cmd_version(const std::vector<std::string>& words);
  void cmd_whoami();
  void cmd_config(const std::vector<std::string>& words);
  void cmd_get_ephemerals(const std::vector<std::string>& words);
  void cmd_get_all_children_number(const std::vector<std::string>& words);
  // Runs one command's words (zkCli or sim); `redo N` runs line N again.
  void dispatch(const std::vector<std::string>& words);
  void redo(const std::vector<std::string>& words);
  // ls -R: prints each node's sorted children, then descends (zkCli's DFS).
  // False after printing an error.
  bool list_subtree_depth_first(core::Client& zk, const std::string& node, bool watch);
  // deleteall: the subtree breadth first, each node's children in a real
  // server's order. False after printing an error.
  bool list_subtree_breadth_first(core::Client& zk, const std::string& root, std::vector<std::string>* tree);
  std::vector<std::string> server_order(core::Client& zk, const std::string& parent, std::vector<std::string> kids);

  void sim_advance(const std::vector<std::string>& words);
  void sim_crash_restart(const std::vector<std::string>& words);
  void sim_partition(const std::vector<std::string>& words);
  void sim_isolate(const std::vector<std::string>& words);
  void sim_pause(const std::vector<std::string>& words);
  void sim_status();
  void sim_status_servers();
  void sim_trace(const std::vector<std::string>& words);
  // The host named `name`, or nullopt after printing why not.
  std::optional<std::uint32_t> host_or_complain(std::string_view name);
  bool is_ensemble() const { return options_.servers > 1; }
  // Ensemble: true once exactly one server is an established leader and
  // every server serves.
  bool ensemble_ready();
  // The host name of the server with this id ("?" if none).
  std::string server_name(std::int32_t server_id) const;

  ShellOptions options_;
  std::string out_;
  bool print_watches_ = true;
  bool finished_ = false;
  bool trace_on_ = false;
  int command_count_ = 0;
  std::map<int, std::string> history_;  // every non-empty line, by number
  // addWatch's mode when no -m is given: the last -m (see cmd_add_watch);
  // PERSISTENT_RECURSIVE until then.
  bool add_watch_recursive_ = true;
  std::uint32_t client_host_ = 0;
  std::vector<std::uint32_t> server_hosts_;  // voters, then observers
  std::vector<std::string> server_names_;    // parallel to server_hosts_
  // Ensemble: every member (read by each server's process factory, so a
  // restarted server gets the same list). Empty: standalone.
  std::vector<core::EnsembleMember> members_;
  std::string startup_error_;
  // Last: destroyed first, so no fiber or callback outlives what it uses.
  std::unique_ptr<sim::Simulator> sim_;
};

}  // namespace zsim::tools
