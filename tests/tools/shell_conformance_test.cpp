// Conformance of `zsim shell` with a real zkCli 3.8 against a real ZooKeeper
// 3.8 server (Debian's `zookeeper` package; `tools/install-deps.sh --oracle`).
//
// One standalone server is started for all scripts, on 127.0.0.1 and a free
// port, with its config and dataDir in a temporary directory (TTL nodes
// enabled: -Dzookeeper.extendedTypesEnabled=true, as zsim supports them).
// Each tests/tools/conformance/*.zk script (plain zkCli commands; each
// cleans up the nodes it made) runs through
//     zkCli.sh -server 127.0.0.1:PORT < script      (stdout and stderr merged)
//     zsim shell script
// and the outputs are compared after normalization:
//  - zkCli's noise is dropped: SLF4J and log4j lines, timestamped log lines,
//    "Connecting to ...", "Welcome to ZooKeeper!", "JLine support is ...",
//    prompts if JLine echoes any, and deleteall's racy "Failed to delete
//    some node(s) in the subtree!";
//  - times, zxids and session ids in stat blocks become placeholders (a
//    script whose first line is `#! relative-zxids` keeps zxids as their
//    distance from the first one printed, to compare how many txns a
//    command made); the `version` line's build becomes a placeholder;
//  - watch events are compared as their own sequence: zkCli prints them from
//    its event thread while its main thread prints command output (errors
//    even on stderr), so where an event lands among the output lines is a
//    race, while the order of events is not. zkCli's first SyncConnected
//    event (its initial connection; zsim prints none in script mode) and a
//    final Closed event on both sides (zkCli's quit races its exit) are
//    dropped.
// Without java and ZooKeeper the program says so and exits with status 77,
// which ctest reports as skipped (SKIP_RETURN_CODE). It decides that before
// running any test, so a failing case can never be reported as a skip.
// ZSIM_ZOOKEEPER_BIN=<dir> points at another ZooKeeper 3.8 bin/ directory.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

constexpr int kSkipped = 77;  // SKIP_RETURN_CODE in tests/tools/CMakeLists.txt

const fs::path kScripts = fs::path(ZSIM_SOURCE_DIR) / "tests" / "tools" / "conformance";
// Where zkServer.sh and zkCli.sh are: Debian's, or $ZSIM_ZOOKEEPER_BIN.
const fs::path kZkBin = [] {
  const char* env = std::getenv("ZSIM_ZOOKEEPER_BIN");
  return fs::path(env != nullptr && *env != '\0' ? env : "/usr/share/zookeeper/bin");
}();

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string missing_oracle() {
  if (!fs::exists(kZkBin / "zkServer.sh") || !fs::exists(kZkBin / "zkCli.sh")) {
    return "ZooKeeper 3.8 is not installed (no " + (kZkBin / "zkCli.sh").string() + ")";
  }
  if (std::system("java -version > /dev/null 2>&1") != 0) return "java is not installed";
  return "";
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

bool port_open(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// One real ZooKeeper server for the whole suite.
struct Oracle {
  std::string skip_reason;
  std::string error;
  fs::path dir;
  int port = 0;
  pid_t pid = 0;

  void start() {
    skip_reason = missing_oracle();
    if (!skip_reason.empty()) return;
    char tmpl[] = "/tmp/zsim-conformance-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      error = "cannot make a temporary directory";
      return;
    }
    dir = tmpl;
    fs::create_directories(dir / "data");
    port = free_port();
    std::ofstream(dir / "zoo.cfg") << "tickTime=2000\n"
                                   << "dataDir=" << (dir / "data").string() << "\n"
                                   << "clientPort=" << port << "\n"
                                   << "clientPortAddress=127.0.0.1\n"
                                   << "admin.enableServer=false\n";
    pid = fork();
    if (pid == 0) {
      // start-foreground execs java, so this pid is the server's.
      setenv("SERVER_JVMFLAGS", "-Dzookeeper.extendedTypesEnabled=true", 1);
      setenv("ZOO_LOG_DIR", dir.c_str(), 1);
      const std::string log = (dir / "server.out").string();
      if (freopen(log.c_str(), "w", stdout) == nullptr || freopen(log.c_str(), "a", stderr) == nullptr) _exit(127);
      const std::string script = (kZkBin / "zkServer.sh").string();
      const std::string cfg = (dir / "zoo.cfg").string();
      execl(script.c_str(), script.c_str(), "start-foreground", cfg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 300 && !port_open(port); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = 0;
        error = "the ZooKeeper server exited at start:\n" + read_file(dir / "server.out");
        return;
      }
    }
    if (!port_open(port)) error = "the ZooKeeper server did not open its port:\n" + read_file(dir / "server.out");
  }

  void stop() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
      pid = 0;
    }
    if (!dir.empty()) {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  }
};

Oracle* oracle = nullptr;

class OracleEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    oracle = new Oracle();
    oracle->start();
  }
  void TearDown() override {
    oracle->stop();
    delete oracle;
    oracle = nullptr;
  }
};

[[maybe_unused]] const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new OracleEnvironment);

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

struct Normalized {
  std::vector<std::string> lines;   // command output
  std::vector<std::string> events;  // "WatchedEvent ..." lines, in order
};

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

// "2026-11-21 20:00:52,123 ..." or "2026-11-21T20:00:52": a log line.
bool is_log_line(const std::string& l) {
  static constexpr std::string_view kShape = "dddd-dd-dd?dd:dd:dd";
  if (l.size() < kShape.size()) return false;
  for (size_t i = 0; i < kShape.size(); ++i) {
    const char c = l[i];
    if (kShape[i] == 'd' && (c < '0' || c > '9')) return false;
    if (kShape[i] == '?' && c != ' ' && c != 'T') return false;
    if (kShape[i] != 'd' && kShape[i] != '?' && c != kShape[i]) return false;
  }
  return true;
}

bool is_noise(const std::string& l) {
  return starts_with(l, "SLF4J: ") || starts_with(l, "log4j:") || starts_with(l, "Connecting to ") ||
         l == "Welcome to ZooKeeper!" || starts_with(l, "JLine support is ") || is_log_line(l) ||
         // zkCli 3.8's deleteall prints this only if its multi's callback
         // sets the failure before the main thread looks (it releases the
         // semaphore first): a race, so it is not compared. Whether the
         // nodes are still there is (the scripts list them after), and a
         // transcript pins zsim's message.
         l == "Failed to delete some node(s) in the subtree!";
}

// Drops prompts a JLine-enabled zkCli may echo: "[zk: host:port(CONNECTED) 3] ".
std::string strip_prompts(std::string l) {
  while (starts_with(l, "[zk: ")) {
    const size_t close = l.find("] ");
    if (close == std::string::npos) break;
    l.erase(0, close + 2);
  }
  return l;
}

// "cZxid = 0x1f" -> its value.
int64_t zxid_of(const std::string& line) {
  return static_cast<int64_t>(std::stoull(line.substr(line.find("0x") + 2), nullptr, 16));
}

// `startup_event`: the output starts with a connection event to drop (zkCli's).
Normalized normalize(const std::string& text, bool startup_event, bool relative_zxids = false) {
  std::optional<int64_t> first_zxid;
  std::vector<std::string> raw;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = strip_prompts(line);
    if (is_noise(line)) continue;
    raw.push_back(line);
  }
  Normalized n;
  for (size_t i = 0; i < raw.size(); ++i) {
    const std::string& l = raw[i];
    const bool next_is_watch = i + 1 < raw.size() &&
                               (raw[i + 1] == "WATCHER::" || raw[i + 1].rfind("WatchedEvent ", 0) == 0);
    if (l.empty() && next_is_watch) continue;  // printMessage's leading newline
    if (l == "WATCHER::") continue;
    if (l.rfind("WatchedEvent ", 0) == 0) {
      n.events.push_back(l);
      continue;
    }
    if (starts_with(l, "cZxid = 0x") || starts_with(l, "mZxid = 0x") || starts_with(l, "pZxid = 0x")) {
      if (relative_zxids) {
        if (!first_zxid) first_zxid = zxid_of(l);
        n.lines.push_back(l.substr(0, 5) + " = +" + std::to_string(zxid_of(l) - *first_zxid));
      } else {
        n.lines.push_back(l.substr(0, 5) + " = <zxid>");
      }
    } else if (starts_with(l, "ZooKeeper CLI version: ")) {
      n.lines.push_back("ZooKeeper CLI version: <version>");
    } else if (starts_with(l, "ctime = ") || starts_with(l, "mtime = ")) {
      n.lines.push_back(l.substr(0, 5) + " = <time>");
    } else if (starts_with(l, "ephemeralOwner = 0x") && l != "ephemeralOwner = 0x0") {
      n.lines.push_back("ephemeralOwner = <session>");
    } else {
      n.lines.push_back(l);
    }
  }
  const std::string connected = "WatchedEvent state:SyncConnected type:None path:null";
  if (auto it = std::find(n.events.begin(), n.events.end(), connected); startup_event && it != n.events.end()) {
    n.events.erase(it);
  }
  if (!n.events.empty() && n.events.back() == "WatchedEvent state:Closed type:None path:null") n.events.pop_back();
  return n;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& l : v) s += l + "\n";
  return s;
}

std::string first_difference(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  for (size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    const std::string a = i < want.size() ? want[i] : "<end>";
    const std::string b = i < got.size() ? got[i] : "<end>";
    if (a != b) return "line " + std::to_string(i + 1) + ":\n  zkCli: " + a + "\n  zsim:  " + b;
  }
  return "(none)";
}

std::vector<std::string> script_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kScripts)) {
    if (e.path().extension() == ".zk") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class Conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(Conformance, ZsimShellPrintsWhatZkCliPrints) {
  ASSERT_NE(oracle, nullptr);
  ASSERT_TRUE(oracle->skip_reason.empty()) << oracle->skip_reason;  // main() checked
  ASSERT_TRUE(oracle->error.empty()) << oracle->error;
  // Directives (`#! ...` lines) are for this harness, not for the shells.
  const std::string text = read_file(kScripts / (GetParam() + ".zk"));
  std::string commands;
  bool relative_zxids = false;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (starts_with(line, "#! ")) {
      relative_zxids = relative_zxids || line == "#! relative-zxids";
      continue;
    }
    commands += line + "\n";
  }
  const fs::path script = oracle->dir / (GetParam() + ".zk");
  std::ofstream(script, std::ios::binary) << commands;
  const std::string zk = run("timeout 90 " + (kZkBin / "zkCli.sh").string() + " -server 127.0.0.1:" +
                             std::to_string(oracle->port) + " < " + shell_quote(script.string()) + " 2>&1");
  const std::string zs = run(std::string(ZSIM_BINARY) + " shell " + shell_quote(script.string()) + " 2>&1");
  const Normalized a = normalize(zk, true, relative_zxids), b = normalize(zs, false, relative_zxids);
  EXPECT_EQ(join(a.lines), join(b.lines)) << "output differs at " << first_difference(a.lines, b.lines)
                                          << "\n--- zkCli (raw) ---\n" << zk << "\n--- zsim (raw) ---\n" << zs;
  EXPECT_EQ(join(a.events), join(b.events)) << "watch events differ at " << first_difference(a.events, b.events);
}

INSTANTIATE_TEST_SUITE_P(Scripts, Conformance, ::testing::ValuesIn(script_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(ConformanceNormalize, DropsNoiseAndRacyPlacementButKeepsContent) {
  const std::string zk =
      "SLF4J: Failed to load class\nConnecting to 127.0.0.1:2181\nWelcome to ZooKeeper!\n"
      "JLine support is disabled\n\nWATCHER::\nCreated /a\n\nWatchedEvent state:SyncConnected type:None path:null\n"
      "cZxid = 0x1f\nctime = Sat Nov 21 20:00:52 UTC 2026\nephemeralOwner = 0x100001fbdaf0004\n"
      "ephemeralOwner = 0x0\n\n";
  const Normalized n = normalize(zk, true);
  EXPECT_EQ(join(n.lines),
            "Created /a\ncZxid = <zxid>\nctime = <time>\nephemeralOwner = <session>\nephemeralOwner = 0x0\n\n");
  EXPECT_TRUE(n.events.empty());
}

TEST(ConformanceNormalize, RelativeZxidsCountTxnsAndTheVersionIsMasked) {
  const std::string out = "cZxid = 0x8f\nmZxid = 0x8f\npZxid = 0x96\ncZxid = 0x9a\n"
                          "ZooKeeper CLI version: 3.8.0-abc, built on 2024\n";
  EXPECT_EQ(join(normalize(out, false, true).lines),
            "cZxid = +0\nmZxid = +0\npZxid = +7\ncZxid = +11\nZooKeeper CLI version: <version>\n");
  EXPECT_EQ(join(normalize(out, false, false).lines),
            "cZxid = <zxid>\nmZxid = <zxid>\npZxid = <zxid>\ncZxid = <zxid>\nZooKeeper CLI version: <version>\n");
}

}  // namespace

// The skip decision, before any test runs: exit status 77 means "no oracle
// here", and nothing else does.
int main(int argc, char** argv) {
  if (const std::string why = missing_oracle(); !why.empty()) {
    std::printf("conformance test skipped: %s (install it with: sudo tools/install-deps.sh --oracle)\n", why.c_str());
    return kSkipped;
  }
  ::testing::InitGoogleTest(&argc, argv);
  const int status = RUN_ALL_TESTS();
  return status == kSkipped ? 1 : status;
}
