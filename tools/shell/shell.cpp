#include "tools/shell/shell.h"

#include "core/client/client.h"
#include "core/io/quote.h"
#include "core/server/server.h"
#include "core/tree/path.h"
#include "sim/simulator.h"
#include "tools/shell/zkcli.h"

#include <fmt/core.h>

#include <algorithm>
#include <deque>

namespace zsim::tools {

using core::Client;
using core::Code;
using core::CreateMode;
using zkcli::OptionSpec;

struct Shell::ServerProcess : sim::Process {
  ServerProcess(io::Env& env, core::ServerOptions options) : server(env, options) {}
  core::Server server;
};

// c1's process: one client handle; `connect` replaces it with a new one.
struct Shell::ClientProcess : sim::Process {
  ClientProcess(io::Env& e, core::ClientOptions o, core::Watcher w)
      : env(e), options(std::move(o)), watcher(std::move(w)),
        client(std::make_unique<Client>(env, options, watcher)) {}
  void reconnect() { client = std::make_unique<Client>(env, options, watcher); }
  io::Env& env;
  core::ClientOptions options;
  core::Watcher watcher;
  std::unique_ptr<Client> client;
};

namespace {

int64_t to_epoch_ms(int64_t sim_ms) { return sim_ms == 0 ? 0 : kSimEpochMs + sim_ms; }

std::string stat_text(const core::Stat& s) { return zkcli::format_stat(s, &to_epoch_ms); }

// Nodes a real server makes with empty (not null) data: `get` prints an
// empty line for them and "null" for nodes created without data. zsim does
// not keep null apart from empty, so it decides by path (docs/shell.md).
bool has_empty_not_null_data(const std::string& path) {
  return path == core::kRootPath || path == core::kZookeeperPath || path == core::kQuotaPath ||
         path == core::kConfigPath;
}

std::string join_children(std::vector<std::string> kids) {
  std::sort(kids.begin(), kids.end());
  std::string s = "[";
  for (size_t i = 0; i < kids.size(); ++i) s += (i == 0 ? "" : ", ") + kids[i];
  return s + "]";
}

constexpr OptionSpec kLsOptions[] = {{'s', false}, {'w', false}, {'R', false}};
constexpr OptionSpec kCreateOptions[] = {{'s', false}, {'e', false}, {'c', false}, {'t', true}};
constexpr OptionSpec kGetOptions[] = {{'s', false}, {'w', false}};
constexpr OptionSpec kSetOptions[] = {{'s', false}, {'v', true}};
constexpr OptionSpec kStatOptions[] = {{'w', false}};
constexpr OptionSpec kGetAclOptions[] = {{'s', false}};
constexpr OptionSpec kSetAclOptions[] = {{'s', false}, {'v', true}, {'R', false}};
constexpr OptionSpec kDeleteOptions[] = {{'v', true}};
constexpr OptionSpec kDeleteAllOptions[] = {{'b', true}};
constexpr OptionSpec kAddWatchOptions[] = {{'m', true}};

}  // namespace

std::string validate_shell_options(const ShellOptions& o) {
  if (o.servers < 1 || o.servers > kMaxServers || (o.servers > 1 && o.servers % 2 == 0)) {
    return fmt::format("--servers must be 1 (a standalone server) or 3, 5 or 7 (an ensemble: an odd number, "
                       "so a majority is a quorum) (got {})",
                       o.servers);
  }
  if (o.observers < 0 || o.observers > kMaxObservers) {
    return fmt::format("--observers must be in [0, {}] (got {})", kMaxObservers, o.observers);
  }
  if (o.observers > 0 && o.servers == 1) {
    return fmt::format("--observers {} needs an ensemble: --servers 3, 5 or 7", o.observers);
  }
  if (o.session_timeout <= Duration{0}) return "the session timeout must be positive";
  return "";
}

namespace {

// The options of every server of an ensemble (the server id and the member
// list are filled in per server).
core::ServerOptions ensemble_server_options() {
  core::ServerOptions o;
  o.tick_ms = kEnsembleTickMs;
  o.init_limit_ticks = 10;
  o.sync_limit_ticks = 5;
  // As a standalone server with its default 2s tick negotiates: [2, 20]
  // ticks of 2s, so the shell's session timeouts mean the same either way.
  o.session_timeout_ms_min = static_cast<int32_t>(kShellSessionTimeoutMin / millis(1));
  o.session_timeout_ms_max = static_cast<int32_t>(kShellSessionTimeoutMax / millis(1));
  return o;
}

}  // namespace

Shell::Shell(ShellOptions options) : options_(options) {
  ZSIM_ASSERT(validate_shell_options(options_).empty());
  sim::SimOptions so;
  so.seed = options_.seed;
  sim_ = std::make_unique<sim::Simulator>(so);
  if (!is_ensemble()) {
    core::ServerOptions server_options;
    server_options.server_id = 1;
    server_names_.push_back("s1");
    server_hosts_.push_back(sim_->add_host("s1", [server_options](io::Env& env) {
      return std::make_unique<ServerProcess>(env, server_options);
    }));
  } else {
    // Every host first, then the member list the factories read, then start
    // (as tests/core/ensemble_test.cpp builds one).
    const int total = options_.servers + options_.observers;
    for (int id = 1; id <= total; ++id) {
      const bool observer = id > options_.servers;
      const std::string name = observer ? fmt::format("o{}", id - options_.servers) : fmt::format("s{}", id);
      const io::HostId h = sim_->add_host(name, [this, id](io::Env& env) {
        core::ServerOptions o = ensemble_server_options();
        o.server_id = id;
        o.ensemble = members_;
        return std::make_unique<ServerProcess>(env, o);
      });
      server_names_.push_back(name);
      server_hosts_.push_back(h);
      members_.push_back(core::EnsembleMember{id, h, observer});
    }
  }
  core::ClientOptions client_options;
  client_options.servers = server_hosts_;
  client_options.session_timeout = options_.session_timeout;
  core::Watcher watcher = [this](const core::WatchedEvent& e) {
    on_watch_event(static_cast<int>(e.state), static_cast<int>(e.type), e.path);
  };
  client_host_ = sim_->add_host("c1", [client_options, watcher](io::Env& env) {
    return std::make_unique<ClientProcess>(env, client_options, watcher);
  });
  for (io::HostId h : server_hosts_) sim_->start(h);
  if (is_ensemble()) {
    // c1 starts once the ensemble serves, so its first connection succeeds.
    if (!sim_->run_until_true([this] { return ensemble_ready(); }, options_.election_budget)) {
      bool any_leader = false;
      for (io::HostId h : server_hosts_) {
        auto* p = sim_->process_as<ServerProcess>(h);
        any_leader = any_leader || (p != nullptr && p->server.role() == core::Role::kLeading && p->server.serving());
      }
      startup_error_ = sim_->failure() ? fmt::format("the simulation failed: {}", sim_->failure()->message)
                       : any_leader
                           ? fmt::format("the ensemble elected a leader but not every server serves after {} "
                                         "of simulated time (seed {})",
                                         format_duration(options_.election_budget), options_.seed)
                           : fmt::format("the ensemble elected no leader within {} of simulated time (seed {})",
                                         format_duration(options_.election_budget), options_.seed);
      return;
    }
  }
  sim_->start(client_host_);
  sim_->run_until_true([this] { return client_process()->client->state() != core::ClientState::kConnecting; },
                       options_.command_budget);
}

bool Shell::ensemble_ready() {
  int leaders = 0;
  for (io::HostId h : server_hosts_) {
    auto* p = sim_->process_as<ServerProcess>(h);
    if (p == nullptr || !p->server.serving()) return false;
    if (p->server.role() == core::Role::kLeading) ++leaders;
  }
  return leaders == 1;
}

std::string Shell::server_name(std::int32_t server_id) const {
  if (server_id < 1 || static_cast<size_t>(server_id) > server_names_.size()) return "?";
  return server_names_[static_cast<size_t>(server_id) - 1];
}

Shell::~Shell() = default;

std::string Shell::take_startup_output() { return std::exchange(out_, std::string()); }

void Shell::print(std::string_view text) { out_ += text; }
void Shell::println(std::string_view line) {
  out_ += line;
  out_ += '\n';
}

void Shell::on_watch_event(int state, int type, const std::string& path) {
  if (!print_watches_) return;
  // ZooKeeperMain.MyWatcher: printMessage("WATCHER::"), printMessage(event),
  // each with a newline in front.
  print(fmt::format("\nWATCHER::\n\nWatchedEvent state:{} type:{} path:{}\n",
                    core::to_string(static_cast<core::KeeperState>(state)),
                    core::event_type_name(static_cast<core::EventType>(type)), path.empty() ? "null" : path));
}

Shell::ClientProcess* Shell::client_process() { return sim_->process_as<ClientProcess>(client_host_); }

bool Shell::client_alive() {
  ClientProcess* p = client_process();
  if (p == nullptr) return false;
  const core::ClientState s = p->client->state();
  return s == core::ClientState::kConnecting || s == core::ClientState::kConnected;
}

const char* Shell::client_state_name() {
  ClientProcess* p = client_process();
  if (p == nullptr) return "CLOSED";
  // A Java client has no EXPIRED state: an expired handle is CLOSED.
  switch (p->client->state()) {
    case core::ClientState::kConnecting: return "CONNECTING";
    case core::ClientState::kConnected: return "CONNECTED";
    case core::ClientState::kExpired:
    case core::ClientState::kClosed: return "CLOSED";
  }
  return "CLOSED";
}

std::string Shell::prompt() const {
  auto* self = const_cast<Shell*>(this);  // the lookups below do not change the world
  return fmt::format("[zk: sim({}) {}] ", self->client_state_name(), command_count_);
}

void Shell::on_client(std::string name, std::function<void(Client&)> body) {
  ClientProcess* p = client_process();
  ZSIM_ASSERT(p != nullptr);
  auto done = std::make_shared<bool>(false);
  // The fiber may outlive this call (a paused c1): it holds what it uses.
  sim_->env(client_host_).fibers.spawn(name, [p, done, body = std::move(body)] {
    body(*p->client);
    *done = true;
  });
  const bool finished = sim_->run_until_true([&done] { return *done; }, options_.command_budget);
  if (sim_->failure()) {
    println(fmt::format("zsim: the simulation failed: {}", sim_->failure()->message));
  } else if (!finished) {
    println(fmt::format("zsim: '{}' did not finish within {} of simulated time (is c1 paused?)", name,
                        format_duration(options_.command_budget)));
  }
}

std::string Shell::execute(std::string_view raw_line) {
  if (finished_) return "";
  out_.clear();
  // zkCli reads the line into a Java String: ill-formed UTF-8 becomes U+FFFD
  // before any word is split, so paths and data carry the replacement.
  const std::string line = zkcli::replace_invalid_utf8(raw_line);
  std::vector<std::string> words = zkcli::split_words(line);
  if (words.empty()) return "";
  // ZooKeeperMain numbers every non-empty line (the prompt shows the next
  // number); `redo N` replaces its own entry with the line it redoes.
  history_[command_count_] = line;
  if (words[0] == "redo") {
    redo(words);
  } else {
    dispatch(words);
  }
  ++command_count_;
  return std::exchange(out_, std::string());
}

void Shell::dispatch(const std::vector<std::string>& words) {
  if (words[0] == "sim") {
    run_sim_command(words);
  } else {
    run_zk_command(words);
  }
}

void Shell::redo(const std::vector<std::string>& words) {
  // ZooKeeperMain: Integer.decode of the argument (a Java exception ends
  // zkCli on a malformed one); "redo" alone does nothing; a line can only
  // redo an earlier one.
  if (words.size() < 2) return;
  const std::optional<int32_t> n = zkcli::java_integer_decode(words[1]);
  if (!n) return println(zkcli::number_format_crash(words[1]));
  if (*n >= command_count_ || *n < 0) return println("Command index out of range");
  const std::string again = history_.count(*n) != 0 ? history_.at(*n) : "";
  const std::vector<std::string> redone = zkcli::split_words(again);
  if (!redone.empty() && redone[0] == "redo") return println("No redoing redos");
  history_[command_count_] = again;
  if (!redone.empty()) dispatch(redone);
}

void Shell::cmd_history() {
  // The last ten lines and this one, numbered.
  for (int i = std::max(0, command_count_ - 10); i <= command_count_; ++i) {
    if (history_.count(i) != 0) println(fmt::format("{} - {}", i, history_.at(i)));
  }
}

// --- zkCli commands ---------------------------------------------------------------

void Shell::run_zk_command(const std::vector<std::string>& words) {
  const std::string& cmd = words[0];
  // ZooKeeperMain.processZKCmd: unknown commands first, then the commands
  // that need no live session, then "Not connected", then the command.
  if (zkcli::usage_of(cmd).empty()) {
    print(zkcli::usage_block());
    println(fmt::format("Command not found: Command not found {}", cmd));
    return;
  }
  if (cmd == "quit") {
    if (client_alive()) cmd_close();
    finished_ = true;
    return;
  }
  if (cmd == "printwatches") {
    if (words.size() == 1) {
      println(fmt::format("printwatches is {}", print_watches_ ? "on" : "off"));
    } else {
      print_watches_ = words[1] == "on";
    }
    return;
  }
  if (cmd == "connect") return cmd_connect();
  if (cmd == "history") return cmd_history();
  if (cmd == "version") return cmd_version(words);
  if (zkcli::is_unsupported_zkcli_command(cmd)) {
    println(fmt::format("zsim: '{}' is not supported by zsim shell: it has no quotas, "
                        "reconfiguration or watch removal",
                        cmd));
    return;
  }
  if (!client_alive()) {
    println("Not connected");
    return;
  }
  if (cmd == "ls") return cmd_ls(words);
  if (cmd == "create") return cmd_create(words);
  if (cmd == "get") return cmd_get(words);
  if (cmd == "getAcl") return cmd_get_acl(words);
  if (cmd == "setAcl") return cmd_set_acl(words);
  if (cmd == "addauth") return cmd_addauth(words);
  if (cmd == "set") return cmd_set(words);
  if (cmd == "stat") return cmd_stat(words);
  if (cmd == "delete") return cmd_delete(words);
  if (cmd == "deleteall") return cmd_deleteall(words);
  if (cmd == "sync") return cmd_sync(words);
  if (cmd == "addWatch") return cmd_add_watch(words);
  if (cmd == "close") return cmd_close();
  if (cmd == "whoami") return cmd_whoami();
  if (cmd == "config") return cmd_config(words);
  if (cmd == "getEphemerals") return cmd_get_ephemerals(words);
  if (cmd == "getAllChildrenNumber") return cmd_get_all_children_number(words);
  ZSIM_ASSERT_MSG(false, "unhandled zkCli command");
}

namespace {

// Parses a command's words; on failure prints zkCli's message (or the usage
// line when fewer than `min_args` words remain) and returns nullopt.
template <typename PrintFn>
std::optional<zkcli::ParsedCommand> parse_or_complain(const std::vector<std::string>& words,
                                                      std::span<const OptionSpec> spec, size_t min_args,
                                                      PrintFn println) {
  zkcli::ParsedCommand p = zkcli::parse_options(words, spec);
  if (p.error) {
    println(*p.error);
    return std::nullopt;
  }
  if (p.args.size() < min_args) {
    println(zkcli::usage_of(words[0]));
    return std::nullopt;
  }
  return p;
}

// The -v VERSION option: -1 (any version) when absent; when it is not a
// Java int, zkCli's NumberFormatException text goes to *error.
int32_t version_option(const zkcli::ParsedCommand& p, std::string* error) {
  if (!p.has('v')) return -1;
  const std::optional<int32_t> v = zkcli::parse_java_int(p.values.at('v'));
  if (!v) *error = zkcli::number_format_crash(p.values.at('v'));
  return v.value_or(-1);
}

}  // namespace

#define ZSIM_SHELL_PARSE(var, spec, min_args)                                                      \
  auto var##_opt = parse_or_complain(words, spec, min_args, [this](std::string_view l) { println(l); }); \
  if (!var##_opt) return;                                                                           \
  zkcli::ParsedCommand var = std::move(*var##_opt)

void Shell::cmd_ls(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kLsOptions, 2);
  bool watch = p.has('w');
  if (p.args.size() > 2) {
    println("'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.");
    watch = true;
  }
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  const bool recursive = p.has('R');
  const bool with_stat = p.has('s');
  on_client("ls", [this, path, watch, recursive, with_stat](Client& zk) {
    if (!recursive) {
      auto r = zk.get_children2(path, watch);
      if (!r.ok()) return println(zkcli::error_message(r.code(), path));
      println(join_children(r.value().children));
      if (with_stat) print(stat_text(r.value().stat));
      return;
    }
    // ZKUtil.visitSubTreeDFS: the node (read with getData, so -w sets a
    // data watch on it), then each node's sorted children before
    // descending into the first of them; a node deleted meanwhile is skipped.
    auto root = zk.get_data(path, watch);
    if (!root.ok()) return println(zkcli::error_message(root.code(), path));
    println(path);
    list_subtree_depth_first(zk, path, watch);
  });
}

bool Shell::list_subtree_depth_first(Client& zk, const std::string& node, bool watch) {
  auto r = zk.get_children(node, watch);
  if (r.code() == Code::NoNode) return true;
  if (!r.ok()) {
    println(zkcli::error_message(r.code(), node));
    return false;
  }
  std::vector<std::string> kids = r.value();
  std::sort(kids.begin(), kids.end());
  for (const std::string& k : kids) println(core::child_path(node, k));
  for (const std::string& k : kids) {
    if (!list_subtree_depth_first(zk, core::child_path(node, k), watch)) return false;
  }
  return true;
}

void Shell::cmd_create(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kCreateOptions, 2);
  const bool e = p.has('e'), s = p.has('s'), c = p.has('c'), t = p.has('t');
  if (c && (e || s)) {
    return println("-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.");
  }
  int64_t ttl = 0;
  if (t) {
    std::optional<int64_t> parsed = zkcli::parse_java_long(p.values.at('t'));
    if (!parsed) return println("-t argument must be a long value");
    ttl = *parsed;
  }
  if (t && e) return println("TTLs cannot be used with Ephemeral znodes");
  if (t && c) return println("TTLs cannot be used with Container znodes");
  CreateMode mode = CreateMode::Persistent;
  if (e && s) {
    mode = CreateMode::EphemeralSequential;
  } else if (e) {
    mode = CreateMode::Ephemeral;
  } else if (s) {
    mode = t ? CreateMode::PersistentSequentialWithTtl : CreateMode::PersistentSequential;
  } else if (c) {
    mode = CreateMode::Container;
  } else if (t) {
    mode = CreateMode::PersistentWithTtl;
  }
  if (t && (ttl <= 0 || ttl > core::kMaxTtlMs)) {
    return println(fmt::format("ttl must be positive and cannot be larger than: {}", core::kMaxTtlMs));
  }
  const std::string path = p.args[1];
  const std::string data = p.args.size() > 2 ? p.args[2] : "";
  core::AclList acl = core::open_acl();
  if (p.args.size() > 3) {
    // AclParser: an entry that is not scheme:id:perm is skipped with a
    // complaint; a list left empty fails on the client, as zkCli does.
    std::vector<std::string> complaints;
    acl = zkcli::parse_acl(p.args[3], &complaints);
    for (const std::string& line : complaints) println(line);
    if (acl.empty()) {
      println("KeeperErrorCode = InvalidACL");
      return println("Acl is not valid : null");
    }
  }
  if (core::Status v = core::validate_path(path, core::is_sequential(mode)); !v.ok()) return println(v.message());
  on_client("create", [this, path, data, mode, t, ttl, acl](Client& zk) {
    auto r = zk.create(path, data, mode, t ? ttl : -1, acl);
    // CreateCommand prints an InvalidACL twice: the exception, then its
    // CliWrapperException.
    if (r.code() == Code::InvalidAcl) println(fmt::format("KeeperErrorCode = InvalidACL for {}", path));
    if (!r.ok()) return println(zkcli::error_message(r.code(), path));
    println("Created " + r.value());
  });
}

void Shell::cmd_get_acl(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kGetAclOptions, 2);
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  const bool with_stat = p.has('s');
  on_client("getAcl", [this, path, with_stat](Client& zk) {
    auto r = zk.get_acl(path);
    if (!r.ok()) return println(zkcli::error_message(r.code(), path));
    print(zkcli::format_acl(r.value().acl));
    if (with_stat) print(stat_text(r.value().stat));
  });
}

void Shell::cmd_set_acl(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kSetAclOptions, 3);
  std::string bad_version;
  const int32_t version = version_option(p, &bad_version);
  if (!bad_version.empty()) return println(bad_version);
  const std::string path = p.args[1];
  std::vector<std::string> complaints;
  const core::AclList acl = zkcli::parse_acl(p.args[2], &complaints);
  for (const std::string& line : complaints) println(line);
  if (acl.empty()) return println("Acl is not valid : null");
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  const bool with_stat = p.has('s'), recursive = p.has('R');
  on_client("setAcl", [this, path, acl, version, with_stat, recursive](Client& zk) {
    if (recursive) {
      // -R: the node, then its subtree depth first (ZKUtil.visitSubTreeDFS),
      // each with the given version; stops at the first failure.
      std::vector<std::string> todo{path};
      while (!todo.empty()) {
        const std::string node = todo.back();
        todo.pop_back();
        auto r = zk.set_acl(node, acl, version);
        if (!r.ok()) return println(zkcli::error_message(r.code(), node));
        auto kids = zk.get_children(node);
        if (!kids.ok()) continue;
        std::vector<std::string> names = kids.value();
        std::sort(names.rbegin(), names.rend());
        for (const std::string& k : names) todo.push_back(core::child_path(node, k));
      }
      return;
    }
    auto r = zk.set_acl(path, acl, version);
    if (!r.ok()) return println(zkcli::error_message(r.code(), path));
    if (with_stat) print(stat_text(r.value()));
  });
}

void Shell::cmd_addauth(const std::vector<std::string>& words) {
  if (words.size() < 3) return println(zkcli::usage_of("addauth"));
  const std::string scheme = words[1], auth = words[2];
  on_client("addauth", [this, scheme, auth](Client& zk) {
    // zkCli sends anything and a real server then fails the session
    // (AuthFailed); zsim's client refuses what its server would refuse and
    // says so instead (docs/shell.md).
    const core::Status s = zk.add_auth(scheme, auth);
    if (!s.ok()) println(fmt::format("zsim: addauth refused: {} (zsim supports: addauth digest user:password)",
                                     s.message()));
  });
}

void Shell::cmd_get(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kGetOptions, 2);
  bool watch = p.has('w');
  if (p.args.size() > 2) {
    println("'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.");
    watch = true;
  }
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  const bool with_stat = p.has('s');
  on_client("get", [this, path, watch, with_stat](Client& zk) {
    auto r = zk.get_data(path, watch);
    if (!r.ok()) return println(zkcli::error_message(r.code(), path));
    const std::string& data = r.value().data;
    println(data.empty() && !has_empty_not_null_data(path) ? "null" : data);
    if (with_stat) print(stat_text(r.value().stat));
  });
}

void Shell::cmd_set(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kSetOptions, 3);
  std::string bad_version;
  const int32_t version = version_option(p, &bad_version);
  if (!bad_version.empty()) return println(bad_version);
  const std::string path = p.args[1];
  const std::string data = p.args[2];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  const bool with_stat = p.has('s');
  on_client("set", [this, path, data, version, with_stat](Client& zk) {
    auto r = zk.set_data(path, data, version);
    if (!r.ok()) return println(zkcli::error_message(r.code(), path));
    if (with_stat) print(stat_text(r.value()));
  });
}

void Shell::cmd_stat(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kStatOptions, 2);
  bool watch = p.has('w');
  if (p.args.size() > 2) {
    println("'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.");
    watch = true;
  }
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  on_client("stat", [this, path, watch](Client& zk) {
    auto r = zk.exists(path, watch);
    if (!r.ok()) return println(zkcli::error_message(r.code(), path));
    if (!r.value().has_value()) return println(zkcli::error_message(Code::NoNode, path));
    print(stat_text(*r.value()));
  });
}

void Shell::cmd_delete(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kDeleteOptions, 2);
  int32_t version = -1;
  std::optional<std::string> version_text;
  if (p.has('v')) version_text = p.values.at('v');
  if (p.args.size() > 2) {
    println("'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.");
    if (zkcli::parse_java_int(p.args[2])) version_text = p.args[2];
  }
  if (version_text) {
    std::optional<int32_t> v = zkcli::parse_java_int(*version_text);
    if (!v) return println(zkcli::number_format_crash(*version_text));
    version = *v;
  }
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  on_client("delete", [this, path, version](Client& zk) {
    core::Status r = zk.remove(path, version);
    if (!r.ok()) println(zkcli::error_message(r.code(), path));
  });
}

void Shell::cmd_deleteall(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kDeleteAllOptions, 2);
  // DeleteAllCommand: -b is the batch size (ops per multi), default 1000; a
  // malformed one is said and nothing is deleted.
  int32_t batch = 1000;
  if (p.has('b')) {
    const std::optional<int32_t> b = zkcli::parse_java_int(p.values.at('b'));
    if (!b) return println("-b argument must be an int value");
    batch = *b;
  }
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  on_client("deleteall", [this, path, batch](Client& zk) {
    std::vector<std::string> tree;
    if (!list_subtree_breadth_first(zk, path, &tree)) return;
    // ZKUtil.deleteInBatch: deepest first, `batch` deletes per multi (one
    // multi when batch <= 0), one zxid each; stop at the first that fails.
    core::MultiRequest ops;
    for (size_t i = tree.size(); i-- > 0;) {
      ops.ops.push_back(core::DeleteRequest{.path = tree[i], .version = -1});
      if (static_cast<int64_t>(ops.ops.size()) != batch && i != 0) continue;
      if (!zk.multi(std::exchange(ops, core::MultiRequest{})).ok()) {
        return println("Failed to delete some node(s) in the subtree!");
      }
    }
  });
}

bool Shell::list_subtree_breadth_first(Client& zk, const std::string& root, std::vector<std::string>* tree) {
  // ZKUtil.listSubTreeBFS, with each node's children in the order a real
  // server's getChildren gives them (its HashSet's, see java_hash_set_order;
  // children of one bucket in creation order).
  tree->push_back(root);
  for (size_t i = 0; i < tree->size(); ++i) {
    const std::string node = (*tree)[i];
    auto r = zk.get_children(node);
    if (!r.ok()) {
      println(zkcli::error_message(r.code(), node));
      return false;
    }
    for (const std::string& k : server_order(zk, node, r.value())) tree->push_back(core::child_path(node, k));
  }
  return true;
}

std::vector<std::string> Shell::server_order(Client& zk, const std::string& parent, std::vector<std::string> kids) {
  // Insertion order first: creation order, by each child's czxid.
  std::vector<std::pair<int64_t, std::string>> by_creation;
  for (std::string& k : kids) {
    auto st = zk.exists(core::child_path(parent, k));
    const int64_t czxid = st.ok() && st.value().has_value() ? st.value()->czxid : 0;
    by_creation.emplace_back(czxid, std::move(k));
  }
  std::sort(by_creation.begin(), by_creation.end());
  std::vector<std::string> names;
  for (auto& [czxid, k] : by_creation) names.push_back(std::move(k));
  return zkcli::java_hash_set_order(names, 8);
}

void Shell::cmd_sync(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, std::span<const OptionSpec>{}, 2);
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  on_client("sync", [this, path](Client& zk) {
    core::Status r = zk.sync(path);
    if (r.ok()) return println("Sync is OK");
    println(fmt::format("Sync has failed. rc={}", static_cast<int32_t>(r.code())));
  });
}

void Shell::cmd_add_watch(const std::vector<std::string>& words) {
  ZSIM_SHELL_PARSE(p, kAddWatchOptions, 2);
  // zkCli's AddWatchCommand keeps the mode of the last valid -m in a field
  // of the command object, so `addWatch /p` after `addWatch -m PERSISTENT
  // /q` is PERSISTENT too (observed on 3.8.0); the default holds only until
  // the first -m.
  if (p.has('m')) {
    std::string m = p.values.at('m');
    std::transform(m.begin(), m.end(), m.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (m == "PERSISTENT") {
      add_watch_recursive_ = false;
    } else if (m == "PERSISTENT_RECURSIVE") {
      add_watch_recursive_ = true;
    } else {
      return println(zkcli::usage_of("addWatch"));
    }
  }
  const core::wire::AddWatchMode mode =
      add_watch_recursive_ ? core::wire::AddWatchMode::kPersistentRecursive : core::wire::AddWatchMode::kPersistent;
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  on_client("addWatch", [this, path, mode](Client& zk) {
    core::Status r = zk.add_watch(path, mode);
    if (!r.ok()) println(zkcli::error_message(r.code(), path));
  });
}

void Shell::cmd_version(const std::vector<std::string>& words) {
  if (words.size() > 1) return println(zkcli::usage_of("version"));
  println("ZooKeeper CLI version: 3.8.0-zsim, zsim shell 0.1.0 (a simulated ensemble; no real server)");
}

void Shell::cmd_whoami() {
  // WhoAmICommand: the client's authentication info as the server sees it.
  // Without addauth that is its address; the simulated network has none,
  // so the shell shows what zkCli shows against a local server.
  println("Auth scheme: User");
  println("ip: 127.0.0.1");
}

void Shell::cmd_config(const std::vector<std::string>& words) {
  // GetConfigCommand without -c: the data of /zookeeper/config (empty for a
  // standalone server and for zsim's ensembles, which have no dynamic
  // configuration), with -s its stat; -w watches it.
  constexpr OptionSpec kConfigOptions[] = {{'c', false}, {'w', false}, {'s', false}};
  ZSIM_SHELL_PARSE(p, kConfigOptions, 1);
  const bool watch = p.has('w'), with_stat = p.has('s');
  on_client("config", [this, watch, with_stat](Client& zk) {
    auto r = zk.get_data(std::string(core::kConfigPath), watch);
    if (!r.ok()) return println(zkcli::error_message(r.code(), core::kConfigPath));
    println(r.value().data);
    if (with_stat) print(stat_text(r.value().stat));
  });
}

void Shell::cmd_get_ephemerals(const std::vector<std::string>& words) {
  // GetEphemeralsCommand: the session's ephemerals whose path starts with
  // the argument (a string prefix; none or "/" for all), as the server's
  // set gives them. zsim's server has no getEphemerals request: the shell
  // walks the tree for nodes this session owns (reads only, no watches).
  const std::string prefix = words.size() > 1 ? words[1] : "/";
  on_client("getEphemerals", [this, prefix](Client& zk) {
    std::vector<std::pair<int64_t, std::string>> mine;  // (czxid, path)
    std::vector<std::string> todo{std::string(core::kRootPath)};
    while (!todo.empty()) {
      const std::string node = todo.back();
      todo.pop_back();
      auto st = zk.exists(node);
      if (st.ok() && st.value() && st.value()->ephemeral_owner == zk.session_id() &&
          (prefix == "/" || node.rfind(prefix, 0) == 0)) {
        mine.emplace_back(st.value()->czxid, node);
      }
      auto kids = zk.get_children(node);
      if (!kids.ok()) continue;
      for (const std::string& k : kids.value()) todo.push_back(core::child_path(node, k));
    }
    std::sort(mine.begin(), mine.end());
    std::vector<std::string> paths;
    for (auto& [czxid, path] : mine) paths.push_back(std::move(path));
    // DataTree.getEphemerals copies the session's HashSet: at least 16 buckets.
    const std::vector<std::string> ordered = zkcli::java_hash_set_order(paths, 16);
    std::string list = "[";
    for (size_t i = 0; i < ordered.size(); ++i) list += (i == 0 ? "" : ", ") + ordered[i];
    println(list + "]");
  });
}

void Shell::cmd_get_all_children_number(const std::vector<std::string>& words) {
  // GetAllChildrenNumberCommand: how many nodes are below the path (the
  // server counts them; the shell walks the subtree).
  ZSIM_SHELL_PARSE(p, std::span<const OptionSpec>{}, 2);
  const std::string path = p.args[1];
  if (core::Status v = core::validate_path(path); !v.ok()) return println(v.message());
  on_client("getAllChildrenNumber", [this, path](Client& zk) {
    std::vector<std::string> todo{path};
    int64_t count = -1;  // the path itself is not counted
    while (!todo.empty()) {
      const std::string node = todo.back();
      todo.pop_back();
      auto kids = zk.get_children(node);
      if (!kids.ok()) {
        if (node == path) return println(zkcli::error_message(kids.code(), path));
        continue;  // deleted meanwhile
      }
      ++count;
      for (const std::string& k : kids.value()) todo.push_back(core::child_path(node, k));
    }
    println(std::to_string(count));
  });
}

void Shell::cmd_close() {
  on_client("close", [](Client& zk) { zk.close(); });
}

void Shell::cmd_connect() {
  // ZooKeeperMain.connectToZK: close a live handle, then open a new session
  // (the host argument is ignored: there is one simulated ensemble).
  if (client_alive()) cmd_close();
  ClientProcess* p = client_process();
  if (p == nullptr) return println("zsim: c1 is down (sim restart c1)");
  p->reconnect();
  sim_->run_until_true([this] { return client_process() == nullptr || !client_alive() ||
                                        client_process()->client->state() == core::ClientState::kConnected; },
                       options_.session_timeout);
}

#undef ZSIM_SHELL_PARSE

// --- sim commands ------------------------------------------------------------------

std::string Shell::banner() {
  return "Welcome to zsim shell: a zkCli-compatible shell against a simulated ZooKeeper ensemble.\n"
         "zkCli commands work as in ZooKeeper 3.8; 'sim help' lists the simulation commands.\n";
}

std::string Shell::sim_help(int servers, int observers) {
  // The hosts a server command takes: "s1" standalone (the text every
  // standalone transcript shows), "s1..s3" an ensemble, "s1..sN" generic.
  std::string hosts = "s1";
  if (servers == 0) {
    hosts = "s1..sN, o1..oK";
  } else if (servers > 1) {
    hosts = fmt::format("s1..s{}", servers);
    if (observers == 1) hosts += ", o1";
    if (observers > 1) hosts += fmt::format(", o1..o{}", observers);
  }
  const bool standalone = servers == 1;
  return "sim advance <duration>         run the simulated world for e.g. 5s, 500ms, 1m\n"
         "sim crash <host>               crash a host (" + hosts + " or c1): unsynced disk writes are lost\n"
         "sim restart <host>             restart a crashed host (a server recovers from its disk" +
         (standalone ? std::string(";\n") : std::string(" and\n                               catches up from the leader;\n")) +
         "                               c1 starts a new client with a new session)\n"
         "sim partition <a...> | <b...>  cut every link between the two groups, both ways\n"
         "sim isolate <host>             cut a host off from every other host\n"
         "sim heal                       restore every link\n"
         "sim pause <host> <duration>    freeze a host (a GC pause) for that long\n" +
         (standalone ? std::string("sim status                     hosts, the client's state and session, simulated time\n")
                     : std::string("sim status                     the leader; each server's role (leading, following,\n"
                                   "                               observing, looking), epoch and last zxid; the\n"
                                   "                               client's state and session; simulated time\n")) +
         "sim trace on|off               print the simulator's trace lines as they happen\n"
         "sim help                       this list\n";
}

void Shell::run_sim_command(const std::vector<std::string>& words) {
  const std::string sub = words.size() > 1 ? words[1] : "help";
  if (sub == "help") return print(sim_help(options_.servers, options_.observers));
  if (sub == "advance") return sim_advance(words);
  if (sub == "crash" || sub == "restart") return sim_crash_restart(words);
  if (sub == "partition") return sim_partition(words);
  if (sub == "isolate") return sim_isolate(words);
  if (sub == "heal") {
    sim_->network().heal();
    return;
  }
  if (sub == "pause") return sim_pause(words);
  if (sub == "status") return sim_status();
  if (sub == "trace") return sim_trace(words);
  println(fmt::format("sim: unknown command {} (try: sim help)", quote_input(sub)));
}

std::optional<std::uint32_t> Shell::host_or_complain(std::string_view name) {
  std::optional<io::HostId> h = sim_->find_host(name);
  if (!h) {
    std::string known;
    for (const std::string& n : sim_->host_names()) known += (known.empty() ? "" : ", ") + n;
    println(fmt::format("sim: unknown host {} (hosts: {})", quote_input(name), known));
  }
  return h;
}

namespace {
std::string too_long(std::string_view duration) {
  return fmt::format("sim: {} is longer than the maximum of {} (one simulated day)", quote_input(duration),
                     format_duration(kInputDurationMax));
}
}  // namespace

void Shell::sim_advance(const std::vector<std::string>& words) {
  std::optional<Duration> d = words.size() == 3 ? parse_duration(words[2]) : std::nullopt;
  if (!d || *d < Duration{0}) return println("sim: usage: sim advance <duration>, e.g. sim advance 5s");
  if (!within_input_bounds(*d)) return println(too_long(words[2]));
  // Time moves to the end even if nothing is scheduled that late.
  sim_->at(*d, [] {});
  sim_->run_for(*d);
  if (sim_->failure()) println(fmt::format("zsim: the simulation failed: {}", sim_->failure()->message));
}

void Shell::sim_crash_restart(const std::vector<std::string>& words) {
  if (words.size() != 3) return println(fmt::format("sim: usage: sim {} <host>", words[1]));
  std::optional<std::uint32_t> h = host_or_complain(words[2]);
  if (!h) return;
  const bool up = sim_->host_info(*h).up;
  if (words[1] == "crash") {
    if (!up) return println(fmt::format("sim: {} is already down", words[2]));
    sim_->crash(*h);
  } else {
    if (up) return println(fmt::format("sim: {} is up (crash it first)", words[2]));
    sim_->restart(*h);
  }
}

void Shell::sim_partition(const std::vector<std::string>& words) {
  std::vector<std::string> a, b;
  bool right = false;
  for (size_t i = 2; i < words.size(); ++i) {
    // "c1|s1" and "c1 | s1" both work.
    std::string_view w = words[i];
    while (!w.empty()) {
      const size_t bar = w.find('|');
      const std::string_view name = w.substr(0, bar);
      if (!name.empty()) (right ? b : a).emplace_back(name);
      if (bar == std::string_view::npos) break;
      if (right) return println("sim: usage: sim partition <hosts...> | <hosts...>");
      right = true;
      w.remove_prefix(bar + 1);
    }
  }
  if (a.empty() || b.empty()) return println("sim: usage: sim partition <hosts...> | <hosts...>");
  std::vector<io::HostId> ha, hb;
  for (const std::string& n : a) {
    auto h = host_or_complain(n);
    if (!h) return;
    ha.push_back(*h);
  }
  for (const std::string& n : b) {
    auto h = host_or_complain(n);
    if (!h) return;
    if (std::find(ha.begin(), ha.end(), *h) != ha.end()) {
      return println(fmt::format("sim: {} is on both sides", n));
    }
    hb.push_back(*h);
  }
  for (io::HostId x : ha) {
    for (io::HostId y : hb) {
      sim_->network().set_blocked(x, y, true);
      sim_->network().set_blocked(y, x, true);
    }
  }
}

void Shell::sim_isolate(const std::vector<std::string>& words) {
  if (words.size() != 3) return println("sim: usage: sim isolate <host>");
  std::optional<std::uint32_t> h = host_or_complain(words[2]);
  if (!h) return;
  for (const std::string& n : sim_->host_names()) {
    const io::HostId other = *sim_->find_host(n);
    if (other == *h) continue;
    sim_->network().set_blocked(*h, other, true);
    sim_->network().set_blocked(other, *h, true);
  }
}

void Shell::sim_pause(const std::vector<std::string>& words) {
  std::optional<Duration> d = words.size() == 4 ? parse_duration(words[3]) : std::nullopt;
  if (!d || *d <= Duration{0}) return println("sim: usage: sim pause <host> <duration>, e.g. sim pause c1 10s");
  if (!within_input_bounds(*d)) return println(too_long(words[3]));
  std::optional<std::uint32_t> h = host_or_complain(words[2]);
  if (!h) return;
  if (!sim_->host_info(*h).up) return println(fmt::format("sim: {} is down", words[2]));
  sim_->pause(*h, *d);
}

void Shell::sim_status() {
  const int64_t now_ms = to_ns(sim_->now()) / 1'000'000;
  println(fmt::format("time {}s ({})", format_time(sim_->now()), zkcli::java_date(kSimEpochMs + now_ms)));
  sim_status_servers();
  const sim::HostInfo ci = sim_->host_info(client_host_);
  if (!ci.up) {
    println(fmt::format("{} client down", ci.name));
  } else {
    const Client& c = *client_process()->client;
    println(fmt::format("{} client up{} state={} session={} timeout={}ms", ci.name, ci.paused ? " paused" : "",
                        core::to_string(c.state()), zkcli::hex(c.session_id()), c.negotiated_timeout_ms()));
  }
  std::string cut;
  const std::vector<std::string> names = sim_->host_names();
  for (const std::string& x : names) {
    for (const std::string& y : names) {
      if (x != y && sim_->network().is_blocked(*sim_->find_host(x), *sim_->find_host(y))) {
        cut += fmt::format(" {}->{}", x, y);
      }
    }
  }
  println(cut.empty() ? "network: all links up" : "network: blocked" + cut);
}

void Shell::sim_status_servers() {
  if (!is_ensemble()) {
    for (io::HostId h : server_hosts_) {
      const sim::HostInfo info = sim_->host_info(h);
      if (!info.up) {
        println(fmt::format("{} server down", info.name));
        continue;
      }
      const core::Server& s = sim_->process_as<ServerProcess>(h)->server;
      println(fmt::format("{} server up{}{} last_zxid={} sessions={}", info.name, info.paused ? " paused" : "",
                          s.serving() ? "" : " not-serving", zkcli::hex(s.last_applied_zxid()),
                          s.tree().sessions().size()));
    }
    return;
  }
  // The ensemble: who leads (an established leader: serving), then each
  // server. Two leaders can show at once: an old one that has not yet
  // noticed it lost its quorum, and the new one (of a higher epoch).
  std::string leaders;
  for (size_t i = 0; i < server_hosts_.size(); ++i) {
    auto* p = sim_->process_as<ServerProcess>(server_hosts_[i]);
    if (p == nullptr || p->server.role() != core::Role::kLeading || !p->server.serving()) continue;
    leaders += fmt::format("{}{} (epoch {})", leaders.empty() ? "" : ", ", server_names_[i],
                           p->server.current_epoch());
  }
  std::string members = fmt::format("{} voters", options_.servers);
  if (options_.observers > 0) {
    members += fmt::format(" + {} observer{}", options_.observers, options_.observers == 1 ? "" : "s");
  }
  println(fmt::format("ensemble: {}, quorum {}, {}", members, options_.servers / 2 + 1,
                      leaders.empty() ? std::string("no leader")
                      : leaders.find(',') == std::string::npos ? "leader " + leaders
                                                                : "leaders " + leaders));
  for (size_t i = 0; i < server_hosts_.size(); ++i) {
    const sim::HostInfo info = sim_->host_info(server_hosts_[i]);
    if (!info.up) {
      println(fmt::format("{} server down", info.name));
      continue;
    }
    const core::Server& s = sim_->process_as<ServerProcess>(server_hosts_[i])->server;
    const core::Role role = s.role();
    // A member still in its standalone role has not started ZAB yet: it is
    // recovering from its disk (its epochs are not loaded yet).
    const bool recovering = role == core::Role::kStandalone;
    std::string line = fmt::format("{} server up{} {}", info.name, info.paused ? " paused" : "",
                                   recovering ? "recovering" : core::role_name(role));
    if ((role == core::Role::kFollowing || role == core::Role::kObserving) && s.leader_id() >= 0) {
      line += " leader=" + server_name(s.leader_id());
    }
    if (!s.serving() && (role == core::Role::kLeading || role == core::Role::kFollowing ||
                         role == core::Role::kObserving)) {
      line += " not-serving";
    }
    if (!recovering) line += fmt::format(" epoch={}", s.current_epoch());
    line += fmt::format(" last_zxid={} sessions={}", zkcli::hex(s.last_applied_zxid()), s.tree().sessions().size());
    println(line);
  }
}

void Shell::sim_trace(const std::vector<std::string>& words) {
  if (words.size() != 3 || (words[2] != "on" && words[2] != "off")) {
    return println("sim: usage: sim trace on|off");
  }
  trace_on_ = words[2] == "on";
  if (trace_on_) {
    sim_->trace().set_sink([this](std::string_view line, std::uint64_t) { println(line); });
  } else {
    sim_->trace().clear_sink();
  }
}

}  // namespace zsim::tools
