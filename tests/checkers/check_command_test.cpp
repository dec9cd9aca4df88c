// Proves `zsim check`'s logic end to end on files: exit status 0 for a
// linearizable history, 1 for a violation (with the witness printed), 3 when
// the budget runs out, 2 for every kind of bad input (missing file, unknown
// format/model/consistency, bad --init, malformed history); --html writes a
// self-contained page; --consistency zookeeper changes the verdict of a
// stale read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checkers/check_command.h"

namespace zsim::checkers {
namespace {

namespace fs = std::filesystem;

class CheckCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("zsim_check_test_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }
  int run(CheckCommandOptions o) {
    out_.clear();
    err_.clear();
    return run_check_command(o, &out_, &err_);
  }
  static CheckCommandOptions opts(std::string file, std::string model = "register") {
    CheckCommandOptions o;
    o.file = std::move(file);
    o.model = std::move(model);
    o.init = "0";
    return o;
  }

  fs::path dir_;
  std::string out_, err_;
};

const char* kStale =
    "{\"process\":1,\"f\":\"write\",\"input\":1,\"call\":0,\"return\":10,\"status\":\"ok\"}\n"
    "{\"process\":2,\"f\":\"read\",\"output\":0,\"call\":20,\"return\":30,\"status\":\"ok\"}\n";

TEST_F(CheckCommand, ExitCodesForVerdicts) {
  const std::string good = write("good.jsonl",
      "{\"process\":1,\"f\":\"write\",\"input\":1,\"call\":0,\"return\":10,\"status\":\"ok\"}\n");
  EXPECT_EQ(run(opts(good)), kExitOk) << err_;
  EXPECT_NE(out_.find("OK: linearizable"), std::string::npos);
  const std::string bad = write("bad.jsonl", kStale);
  EXPECT_EQ(run(opts(bad)), kExitViolation);
  EXPECT_NE(out_.find("cannot come next"), std::string::npos) << out_;
  CheckCommandOptions zk = opts(bad);
  zk.consistency = "zookeeper";
  EXPECT_EQ(run(zk), kExitOk) << out_ << err_;
}

// n concurrent adds of distinct elements, then a read (after all of them)
// that misses one: a violation, but only after every order of the adds has
// been tried (the set model has no pruning hooks; 2^n memo nodes).
std::string hard_set_history(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += "{\"process\":" + std::to_string(i) + ",\"f\":\"add\",\"input\":" + std::to_string(i) +
            ",\"call\":0,\"return\":100,\"status\":\"ok\"}\n";
  }
  std::string seen;
  for (int i = 0; i + 1 < n; ++i) seen += (i > 0 ? "," : "") + std::to_string(i);
  text += "{\"process\":999,\"f\":\"read\",\"output\":[" + seen + "],\"call\":200,\"return\":300,"
          "\"status\":\"ok\"}\n";
  return text;
}

TEST_F(CheckCommand, UnknownWhenTheBudgetRunsOut) {
  CheckCommandOptions o = opts(write("hard.jsonl", hard_set_history(40)), "set");
  o.init = "nil";
  o.memory_mb_max = 1;
  EXPECT_EQ(run(o), kExitUnknown) << out_ << err_;
  EXPECT_NE(out_.find("UNKNOWN: the memory budget (1 MB) ran out before a verdict"), std::string::npos) << out_;
  o.memory_mb_max = 2048;
  o.timeout_s = 0.2;
  EXPECT_EQ(run(o), kExitUnknown) << out_ << err_;
  EXPECT_NE(out_.find("UNKNOWN: the time budget ran out before a verdict"), std::string::npos) << out_;
}

TEST_F(CheckCommand, BadInputIsExitTwo) {
  const std::string bad = write("bad.jsonl", kStale);
  EXPECT_EQ(run(opts((dir_ / "missing.jsonl").string())), kExitBadInput);
  EXPECT_NE(err_.find("cannot read"), std::string::npos);
  EXPECT_EQ(run(opts(write("noext", kStale))), kExitBadInput);
  EXPECT_NE(err_.find("--format"), std::string::npos);
  CheckCommandOptions o = opts(bad);
  o.format = "xml";
  EXPECT_EQ(run(o), kExitBadInput);
  o = opts(bad, "no-such-model");
  EXPECT_EQ(run(o), kExitBadInput);
  o = opts(bad);
  o.consistency = "eventual";
  EXPECT_EQ(run(o), kExitBadInput);
  o = opts(bad);
  o.init = "{:x";
  EXPECT_EQ(run(o), kExitBadInput);
  o = opts(bad);
  o.timeout_s = -1;
  EXPECT_EQ(run(o), kExitBadInput);
  const std::string broken = write("broken.edn", "[{:process 0 :type :invoke :f :read}\n {:process");
  EXPECT_EQ(run(opts(broken)), kExitBadInput);
  EXPECT_NE(err_.find("broken.edn:2:"), std::string::npos) << err_;
  const std::string unknown_f = write("f.jsonl",
      "{\"process\":1,\"f\":\"zap\",\"call\":0,\"return\":1,\"status\":\"ok\"}\n");
  EXPECT_EQ(run(opts(unknown_f)), kExitBadInput);
  EXPECT_NE(err_.find("f.jsonl:1: "), std::string::npos) << err_;
}

TEST_F(CheckCommand, HtmlTimelineIsWritten) {
  CheckCommandOptions o = opts(write("bad.jsonl", kStale));
  o.html_out = (dir_ / "out.html").string();
  EXPECT_EQ(run(o), kExitViolation);
  std::ifstream in(o.html_out);
  const std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("breaks here"), std::string::npos);
  EXPECT_NE(html.find("class='stuck'"), std::string::npos);
  EXPECT_EQ(html.find("<script src"), std::string::npos);  // self-contained
  o.html_out = (dir_ / "no-such-dir" / "out.html").string();
  EXPECT_EQ(run(o), kExitBadInput);
}

TEST_F(CheckCommand, HelpNamesModelsFormatsAndExitCodes) {
  const std::string help = check_command_help();
  for (const char* word : {"cas-register", "znode", "jepsen-log", "Exit status", "zookeeper"}) {
    EXPECT_NE(help.find(word), std::string::npos) << word;
  }
}

}  // namespace
}  // namespace zsim::checkers
