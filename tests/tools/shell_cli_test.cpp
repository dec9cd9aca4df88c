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

TEST(ShellCli, ATinySessionTimeoutIsRaisedToTheServersMinimum) {
  // It used to ask for 1ms, give up connecting after 1ms, and never connect.
  const Ran r = run("echo 'sim status' | " + kZsim + " shell --session-timeout 1ms 2>&1 | grep -e zsim -e c1");
  EXPECT_EQ(r.out,
            "zsim shell: --session-timeout 1ms is outside what the servers negotiate ([4s, 40s]); using 4s\n"
            "c1 client up state=CONNECTED session=0x100000000000001 timeout=4000ms\n");
  const Ran big = run("echo 'sim status' | " + kZsim + " shell --session-timeout 60m 2>&1 | grep -e zsim -e c1");
  EXPECT_EQ(big.out,
            "zsim shell: --session-timeout 3600s is outside what the servers negotiate ([4s, 40s]); using 40s\n"
            "c1 client up state=CONNECTED session=0x100000000000001 timeout=40000ms\n");
  const Ran huge = run(kZsim + " shell --session-timeout 9223372036854775807ns < /dev/null 2>&1");
  EXPECT_EQ(huge.status, 2);
  EXPECT_EQ(huge.out, "zsim shell: --session-timeout '9223372036854775807ns' is more than the maximum of 86400s (a day)\n");
}

TEST(ShellCli, DurationsPastADayAreRefusedNotIgnored) {
  // `sim advance 2^63-1 ns` was a silent no-op; 10^9 s ran for hours.
  const Ran r = run("printf 'sim advance 9223372036854775807ns\\nsim advance 1000000000s\\nsim pause c1 86401s\\n"
                    "sim crash s1\\033[2J\\nsim status\\n' | " + kZsim + " shell 2>&1 | grep -v -e '^s1' -e '^c1' -e '^network'");
  EXPECT_EQ(r.out,
            "sim: '9223372036854775807ns' is longer than the maximum of 86400s (one simulated day)\n"
            "sim: '1000000000s' is longer than the maximum of 86400s (one simulated day)\n"
            "sim: '86401s' is longer than the maximum of 86400s (one simulated day)\n"
            "sim: unknown host 's1\\x1b[2J' (hosts: s1, c1)\n"
            "time 0.007265410s (Sat Nov 21 18:48:00 UTC 2026)\n");
}

TEST(ShellCli, SeedsAreDecimalIntegers) {
  const Ran r = run(kZsim + " shell --seed -1 < /dev/null 2>&1");
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.out, "zsim shell: bad seed '-1' (want a decimal integer from 0 to 18446744073709551615)\n");
}

TEST(ShellCli, InteractiveLinesCanBeRecalled) {
  // On a terminal (script(1) gives it one) the Up arrow brings back the last
  // line (libedit): the create runs twice, so the second one fails.
  const Ran r = run("printf 'create /a x\\n\\033[A\\nquit\\n' | TERM=xterm timeout 30 script -qec '" + kZsim +
                    " shell' /dev/null | tr -d '\\r'");
  EXPECT_NE(r.out.find("Welcome to zsim shell"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Created /a"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Node already exists: /a"), std::string::npos) << r.out;
}

TEST(ShellCli, ZkCliServerArgumentIsAcceptedAndExplained) {
  const Ran r = run("echo 'ls /' | " + kZsim + " shell -server 127.0.0.1:2181 2>&1");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out,
            "zsim shell: -server '127.0.0.1:2181' ignored: the shell runs its own simulated ensemble (--servers N); "
            "there is no real server to connect to\n[zookeeper]\n");
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
