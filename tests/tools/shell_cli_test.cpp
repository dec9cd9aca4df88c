// `zsim shell` through the real binary: a script on stdin or in a FILE prints
// only zkCli's output (no prompt, no banner); bad input is one line on stderr
// and exit status 2; --servers 3 runs an ensemble; --help explains the sim
// commands.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace {

struct Ran {
  std::string out;
  int status = -1;
};

Ran run(const std::string& command) {
  Ran r;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

const std::string kZsim = ZSIM_BINARY;

TEST(ShellCli, ScriptOnStdinPrintsOnlyWhatZkCliPrints) {
  const Ran r = run("printf 'create /a x\\nget /a\\nls /\\n' | " + kZsim + " shell 2>&1");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "Created /a\nx\n[a, zookeeper]\n");
}

TEST(ShellCli, ScriptFileStopsAtQuit) {
  const Ran r = run("f=$(mktemp) && printf 'create /q\\nquit\\nls /\\n' > $f && " + kZsim + " shell $f 2>&1; "
                    "rc=$?; rm -f $f; exit $rc");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "Created /q\n\nWATCHER::\n\nWatchedEvent state:Closed type:None path:null\n");
}

TEST(ShellCli, BadInputIsOneLineAndExitStatus2) {
  for (const std::string args : {"--servers 2", "--servers 4", "--servers 9", "--servers 0", "--observers 1",
                                 "--servers 3 --observers 6", "/nonexistent/script.zk", "/tmp",
                                 "--session-timeout soon"}) {
    const Ran r = run(kZsim + " shell " + args + " < /dev/null 2>&1");
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << args << ": " << r.out;
  }
  const Ran four = run(kZsim + " shell --servers 4 < /dev/null 2>&1");
  EXPECT_NE(four.out.find("3, 5 or 7"), std::string::npos) << four.out;
}

TEST(ShellCli, AnEnsembleRunsTheScript) {
  const Ran r = run("printf 'create /a x\\nget /a\\nsim crash s3\\nsim advance 5s\\nget /a\\n' | " + kZsim +
                    " shell --servers 3 2>/dev/null | grep -v -e '^$' -e WATCHER -e WatchedEvent");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "Created /a\nx\nx\n");
}

TEST(ShellCli, HelpExplainsTheSimCommands) {
  const Ran r = run(kZsim + " shell --help 2>&1");
  EXPECT_EQ(r.status, 0);
  for (const char* s : {"sim advance", "sim partition", "sim crash", "sim status", "sim trace", "--servers",
                        "--observers", "3, 5, 7"}) {
    EXPECT_NE(r.out.find(s), std::string::npos) << s;
  }
}

}  // namespace
