// Proves that `zsim check`'s options reach the check through the real
// binary: each option is tried on a history whose verdict it changes (-m,
// --init, -f, --consistency), whose output it changes (--html, --json,
// --no-partition) or whose budget it bounds (--timeout and --memory-mb give
// exit 3; an out-of-range --memory-mb is bad input). The inputs that used to
// crash the process (a long EDN discard chain, JSON numbers out of range)
// and a directory given as the history end with a verdict or one line on
// stderr and exit 2 — never a signal.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

#include "tests/tools/run_command.h"

namespace {

using zsim::testing::CommandResult;
using zsim::testing::run_command;

class CheckCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = zsim::testing::make_temp_dir(); }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  std::string write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  static CommandResult check(const std::string& args) {
    return run_command(std::string(ZSIM_BINARY) + " check " + args);
  }

  std::string dir_;
};

// Client 2 reads 0 after client 1's write of 1 returned: stale.
const char* kStale =
    "{\"process\":1,\"f\":\"write\",\"input\":1,\"call\":0,\"return\":10,\"status\":\"ok\"}\n"
    "{\"process\":2,\"f\":\"read\",\"output\":0,\"call\":20,\"return\":30,\"status\":\"ok\"}\n";

// Adds of 0..n-1 at once, then a read missing n-1: decided only after
// every order of the adds (2^n states).
std::string hard_set_history(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "{\"process\":" + std::to_string(i) + ",\"f\":\"add\",\"input\":" + std::to_string(i) +
            ",\"call\":0,\"return\":100,\"status\":\"ok\"}\n";
  }
  std::string seen;
  for (int i = 0; i + 1 < n; ++i) seen += (i > 0 ? "," : "") + std::to_string(i);
  return text + "{\"process\":999,\"f\":\"read\",\"output\":[" + seen +
         "],\"call\":200,\"return\":300,\"status\":\"ok\"}\n";
}

TEST_F(CheckCli, ModelInitFormatAndConsistencyChangeTheVerdict) {
  const std::string stale = write("stale.data", kStale);  // no guessable extension
  auto r = check("-m register --init 0 " + stale);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim check: cannot tell the format of " + stale +
                       " from its name; pass --format edn|jepsen-log|jsonl\n");
  r = check("-m register --init 0 -f jsonl " + stale);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "VIOLATION: not linearizable");
  r = check("-m register --init 0 -f jsonl --consistency zookeeper " + stale);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "OK: keeps ZooKeeper's ordering guarantees");
  // --init: a read of 5 before any write is fine only if the register starts at 5.
  const std::string first = write("first.jsonl",
      "{\"process\":1,\"f\":\"read\",\"output\":5,\"call\":0,\"return\":10,\"status\":\"ok\"}\n");
  EXPECT_EQ(check("-m register --init 5 " + first).exit_code, 0);
  EXPECT_EQ(check("-m register --init 0 " + first).exit_code, 1);
  EXPECT_EQ(check("-m register --init '[1 #_ 2]' " + first).exit_code, 1);  // valid EDN, not 5
  // -m: cas is a cas-register function.
  const std::string cas = write("cas.jsonl",
      "{\"process\":1,\"f\":\"cas\",\"input\":[0,1],\"output\":true,\"call\":0,\"return\":10,\"status\":\"ok\"}\n");
  EXPECT_EQ(check("-m cas-register --init 0 " + cas).exit_code, 0);
  r = check("-m register --init 0 " + cas);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim check: " + cas +
                       ":1: the register model does not know the function 'cas' (it knows read, write)\n");
  // -f edn on the same operations written as EDN.
  const std::string edn = write("h.txt",
      "[{:process 1 :type :invoke :f :write :value 1} {:process 1 :type :ok :f :write :value 1}\n"
      " {:process 2 :type :invoke :f :read} {:process 2 :type :ok :f :read :value 0}]");
  EXPECT_EQ(check("-m register --init 0 -f edn " + edn).exit_code, 1);
  EXPECT_EQ(check("-m register --init 0 --format jepsen-log " + edn).exit_code, 2);
}

TEST_F(CheckCli, HtmlJsonAndNoPartitionShapeTheOutput) {
  const std::string stale = write("stale.jsonl", kStale);
  const std::string html = dir_ + "/t.html";
  auto r = check("-m register --init 0 --html " + html + " " + stale);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("timeline written to " + html), std::string::npos) << r.out;
  std::ifstream in(html);
  const std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(page.find("<svg"), std::string::npos);
  r = check("-m register --init 0 --json " + stale);
  ASSERT_FALSE(r.out_lines().empty());
  const auto j = nlohmann::json::parse(r.out_lines().back());
  EXPECT_EQ(j["verdict"], "violation");
  EXPECT_EQ(j["partitions"][0]["verdict"], "violation");
  const std::string kv = write("kv.jsonl",
      "{\"process\":1,\"f\":\"put\",\"key\":\"a\",\"input\":\"x\",\"call\":0,\"return\":10,\"status\":\"ok\"}\n"
      "{\"process\":2,\"f\":\"put\",\"key\":\"b\",\"input\":\"y\",\"call\":0,\"return\":10,\"status\":\"ok\"}\n");
  r = check("-m kv --json " + kv);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out_lines().back())["partitions"].size(), 2u);
  r = check("-m kv --json --no-partition " + kv);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(r.out_lines().back())["partitions"].size(), 1u);
}

TEST_F(CheckCli, BudgetsGiveUnknownAndAreRangeChecked) {
  const std::string hard = write("hard.jsonl", hard_set_history(40));
  auto r = check("-m set --timeout 0.2 " + hard);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "UNKNOWN: the time budget ran out before a verdict");
  r = check("-m set --memory-mb 1 " + hard);
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "UNKNOWN: the memory budget (1 MB) ran out before a verdict");
  r = check("-m set --memory-mb 17592186044416 " + hard);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim check: --memory-mb must be between 1 and 17592186044415\n");
  r = check("-m set --memory-mb -5 " + hard);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  r = check("-m set --timeout -1 " + hard);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim check: --timeout must be a number of seconds, 0 or more (0: no time limit)\n");
}

TEST_F(CheckCli, InputsThatUsedToCrashGetAVerdictOrOneLine) {
  std::string chain = "[";
  for (int i = 0; i < 50000; ++i) chain += "#_ 1 ";
  const std::string edn = write("chain.edn", chain + "]");
  auto r = check("-m register " + edn);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("note: " + edn + " holds no operations"), std::string::npos) << r.out;
  const std::string huge = write("huge.jsonl",
      "{\"process\":1,\"f\":\"write\",\"input\":1e309,\"call\":0,\"return\":1,\"status\":\"ok\"}\n");
  r = check("-m register " + huge);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim check: " + huge +
                       ":1:1: bad JSON: a number is out of range (integers must fit in 64 bits, other "
                       "numbers in a double)\n");
  r = check("-m register -f edn " + dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim check: " + dir_ + " is a directory, not a history file\n");
}

}  // namespace
