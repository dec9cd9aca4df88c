// Transcript tests of `zsim shell` (etcd/raft datadriven style): each file in
// tests/tools/shell_transcripts/ is a script with the output it must print,
// replayed through the shell engine and compared byte for byte. Running a
// file twice must print the same (determinism).
//
// File format:
//   # comment lines, only before the first command
//   #! seed=7 session-timeout=5s     (optional, before the first command;
//   #! servers=3 observers=1          also servers= and observers=)
//   > create /a hello                a command line
//   Created /a                       its expected output, up to the next "> "
// Blank lines belong to the output (zkCli prints them around watch events).
//
// To regenerate the expected output after a deliberate change, run
//   ZSIM_REWRITE=1 ./shell_transcript_test
// and explain the diff in the commit.
#include "tools/shell/shell.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace zsim::tools {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(ZSIM_SOURCE_DIR) / "tests" / "tools" / "shell_transcripts";

struct Step {
  std::string command;
  std::string expected;
};

struct Transcript {
  std::vector<std::string> header;  // comment lines, verbatim
  ShellOptions options;
  std::vector<Step> steps;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void apply_directive(const std::string& line, ShellOptions& o) {
  std::istringstream words(line.substr(2));
  std::string w;
  while (words >> w) {
    const size_t eq = w.find('=');
    ASSERT_NE(eq, std::string::npos) << "bad directive " << w;
    const std::string key = w.substr(0, eq), value = w.substr(eq + 1);
    if (key == "seed") {
      o.seed = std::stoull(value);
    } else if (key == "servers") {
      o.servers = std::stoi(value);
    } else if (key == "observers") {
      o.observers = std::stoi(value);
    } else if (key == "session-timeout") {
      auto d = parse_duration(value);
      ASSERT_TRUE(d.has_value()) << value;
      o.session_timeout = *d;
    } else {
      FAIL() << "unknown directive " << key;
    }
  }
}

Transcript parse(const std::string& text) {
  Transcript t;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("> ", 0) == 0 || line == ">") {
      t.steps.push_back(Step{line.size() > 2 ? line.substr(2) : "", ""});
    } else if (t.steps.empty()) {
      if (line.rfind("#!", 0) == 0) apply_directive(line, t.options);
      t.header.push_back(line);
    } else {
      t.steps.back().expected += line + "\n";
    }
  }
  return t;
}

// Replays the commands; returns the transcript text with actual outputs.
std::string replay(const Transcript& t) {
  Shell shell(t.options);
  EXPECT_EQ(shell.startup_error(), "");
  (void)shell.take_startup_output();
  std::string out;
  for (const std::string& h : t.header) out += h + "\n";
  for (const Step& s : t.steps) {
    out += "> " + s.command + "\n";
    out += shell.execute(s.command);
  }
  return out;
}

std::vector<std::string> transcript_names() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(kDir)) {
    if (e.path().extension() == ".txt") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The first differing line, with a little context, for the failure message.
std::string first_difference(const std::string& want, const std::string& got) {
  std::istringstream a(want), b(got);
  std::string la, lb;
  for (int n = 1;; ++n) {
    const bool ha = static_cast<bool>(std::getline(a, la));
    const bool hb = static_cast<bool>(std::getline(b, lb));
    if (!ha && !hb) return "(no difference)";
    if (ha != hb || la != lb) {
      return "line " + std::to_string(n) + ":\n  want: " + (ha ? la : "<end>") + "\n  got:  " + (hb ? lb : "<end>");
    }
  }
}

class ShellTranscript : public ::testing::TestWithParam<std::string> {};

TEST_P(ShellTranscript, Matches) {
  const fs::path file = kDir / (GetParam() + ".txt");
  const std::string text = read_file(file);
  const Transcript t = parse(text);
  ASSERT_FALSE(t.steps.empty()) << file << " has no commands";
  const std::string actual = replay(t);
  EXPECT_EQ(actual, replay(t)) << "not deterministic";
  const char* rewrite = std::getenv("ZSIM_REWRITE");
  if (rewrite != nullptr && std::string(rewrite) == "1") {
    std::ofstream(file, std::ios::binary) << actual;
    return;
  }
  EXPECT_EQ(text, actual) << file << " differs at " << first_difference(text, actual)
                          << "\n(ZSIM_REWRITE=1 regenerates it)\n--- actual ---\n"
                          << actual;
}

INSTANTIATE_TEST_SUITE_P(Files, ShellTranscript, ::testing::ValuesIn(transcript_names()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string n = param_info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(ShellOptions, AcceptsOneOrAnOddEnsembleUpToSeven) {
  ShellOptions o;
  for (int n : {1, 3, 5, 7}) {
    o.servers = n;
    EXPECT_EQ(validate_shell_options(o), "") << n;
  }
  for (int n : {-1, 0, 2, 4, 6, 8, 9}) {
    o.servers = n;
    const std::string why = validate_shell_options(o);
    EXPECT_NE(why.find("--servers must be 1"), std::string::npos) << n << ": " << why;
  }
  o.servers = 3;
  o.observers = 2;
  EXPECT_EQ(validate_shell_options(o), "");
  o.observers = kMaxObservers + 1;
  EXPECT_NE(validate_shell_options(o).find("--observers"), std::string::npos);
  o.observers = -1;
  EXPECT_NE(validate_shell_options(o).find("--observers"), std::string::npos);
  o.servers = 1;
  o.observers = 1;
  EXPECT_NE(validate_shell_options(o).find("needs an ensemble"), std::string::npos);
}

TEST(Shell, EveryEnsembleSizeElectsALeaderBeforeTheFirstCommand) {
  for (int n : {3, 5, 7}) {
    ShellOptions o;
    o.servers = n;
    o.observers = n == 5 ? 1 : 0;
    Shell shell(o);
    ASSERT_EQ(shell.startup_error(), "") << n;
    EXPECT_EQ(shell.prompt(), "[zk: sim(CONNECTED) 0] ") << n;
    const std::string status = shell.execute("sim status");
    EXPECT_NE(status.find(", leader s"), std::string::npos) << status;
    EXPECT_EQ(status.find("looking"), std::string::npos) << status;
    EXPECT_EQ(shell.execute("create /x y"), "Created /x\n") << n;
    EXPECT_EQ(shell.execute("get /x"), "y\n") << n;
  }
}

TEST(Shell, NoLeaderWithinTheBudgetIsAStartupError) {
  ShellOptions o;
  o.servers = 3;
  o.election_budget = millis(1);  // no election is that fast
  Shell shell(o);
  EXPECT_NE(shell.startup_error().find("elected no leader within"), std::string::npos) << shell.startup_error();
}

TEST(Shell, SameSeedSameOutputAndNothingAfterQuit) {
  const std::vector<std::string> script = {"create -e /e", "stat /e", "sim advance 3s", "quit", "ls /"};
  std::string a, b;
  for (std::string* out : {&a, &b}) {
    Shell shell(ShellOptions{});
    for (const std::string& l : script) *out += shell.execute(l);
    EXPECT_TRUE(shell.finished());
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.find("[zookeeper]"), std::string::npos) << "a line after quit ran";
}

}  // namespace
}  // namespace zsim::tools
