// Proves `zsim check`'s logic end to end on files: exit status 0 for a
// linearizable history (and, with a note, for an empty one), 1 for a
// violation (with the witness printed), 3 when the budget runs out, 2 for
// every kind of bad input (missing file, a directory, a non-empty file with
// no operations, unknown format/model/consistency, bad --init, options out
// of range, malformed history), each with its exact one-line message;
// --html writes a self-contained page; --json ends the output with the
// documented object; --no-partition checks the history whole;
// --consistency zookeeper changes the verdict of a stale read.
#include <gtest/gtest.h>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

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
  for (const char* word : {"cas-register", "znode", "jepsen-log", "Exit status", "zookeeper", "--no-partition",
                           "--json", "undecided"}) {
    EXPECT_NE(help.find(word), std::string::npos) << word;
  }
}

TEST_F(CheckCommand, ADirectoryIsNotAHistory) {
  CheckCommandOptions o = opts(dir_.string());
  o.format = "edn";
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: " + dir_.string() + " is a directory, not a history file\n");
  EXPECT_EQ(out_, "");
  o = opts((dir_ / "missing.edn").string());
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: cannot read " + (dir_ / "missing.edn").string() + ": no such file\n");
}

TEST_F(CheckCommand, AnEmptyHistoryIsTriviallyOkAndSaysSo) {
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"empty.jsonl", ""}, {"blank.edn", " \n\n"}, {"vector.edn", "[]"}, {"empty.log", ""},
           {"nemesis.edn", "[{:process :nemesis :type :info :f :start}]"}}) {
    const std::string file = write(name, text);
    EXPECT_EQ(run(opts(file)), kExitOk) << name << ": " << err_;
    EXPECT_EQ(out_.substr(0, out_.find('\n')), "OK: linearizable") << name;
    EXPECT_NE(out_.find("note: " + file + " holds no operations; an empty history is trivially linearizable\n"),
              std::string::npos)
        << name << ": " << out_;
  }
  // A model name is still checked.
  EXPECT_EQ(run(opts(write("e2.jsonl", ""), "nope")), kExitBadInput);
}

TEST_F(CheckCommand, ANonEmptyFileWithoutOperationsIsBadInput) {
  const std::string file = write("chatter.log", "INFO starting\nINFO done\n");
  EXPECT_EQ(run(opts(file)), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: " + file +
                      ":1:1: no Jepsen operation lines ('INFO jepsen.util - PROCESS :TYPE :F VALUE') found\n");
}

TEST_F(CheckCommand, OptionsOutOfRangeAreBadInput) {
  const std::string good = write("good.jsonl", kStale);
  CheckCommandOptions o = opts(good);
  o.memory_mb_max = 17592186044416ull;  // << 20 would wrap to 0
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: --memory-mb must be between 1 and 17592186044415\n");
  o.memory_mb_max = 0;
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: --memory-mb must be between 1 and 17592186044415\n");
  o = opts(good);
  o.timeout_s = std::nan("");
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: --timeout must be a number of seconds, 0 or more (0: no time limit)\n");
  o = opts(good);
  o.consistency = "ev\x1bntual";
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_, "zsim check: --consistency must be linearizable or zookeeper, not 'ev\\x1bntual'\n");
  o = opts(good, "no-such\x01");
  EXPECT_EQ(run(o), kExitBadInput);
  EXPECT_EQ(err_.substr(0, 43), "zsim check: unknown model 'no-such\\x01' (kn");
  // --init '[1 #_ 2]' is valid EDN: the queue starts as [1].
  const std::string q = write("q.jsonl",
      "{\"process\":1,\"f\":\"dequeue\",\"output\":1,\"call\":0,\"return\":1,\"status\":\"ok\"}\n"
      "{\"process\":1,\"f\":\"dequeue\",\"output\":null,\"call\":2,\"return\":3,\"status\":\"ok\"}\n");
  o = opts(q, "queue");
  o.init = "[1 #_ 2]";
  EXPECT_EQ(run(o), kExitOk) << err_ << out_;
  o.init = "[1 2]";
  EXPECT_EQ(run(o), kExitViolation) << err_ << out_;
}

TEST_F(CheckCommand, JsonIsTheLastLine) {
  CheckCommandOptions o = opts(write("bad.jsonl", kStale));
  o.json = true;
  EXPECT_EQ(run(o), kExitViolation);
  const std::string last = out_.substr(out_.rfind('\n', out_.size() - 2) + 1);
  const auto j = nlohmann::json::parse(last);
  EXPECT_EQ(j["verdict"], "violation");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["model"], "register");
  EXPECT_EQ(j["consistency"], "linearizable");
  EXPECT_EQ(j["ops_checked"], 2);
  EXPECT_GT(j["states_explored"].get<int>(), 0);
  EXPECT_TRUE(j.contains("peak_memo_bytes"));
  EXPECT_TRUE(j.contains("elapsed_s"));
  ASSERT_EQ(j["partitions"].size(), 1u);
  EXPECT_EQ(j["partitions"][0]["name"], "whole history");
  EXPECT_EQ(j["partitions"][0]["verdict"], "violation");
  EXPECT_EQ(j["partitions"][0]["ops"], 2);
  EXPECT_TRUE(j["undecided"].empty());
  // Unknown: the reason, at the top and per partition.
  o = opts(write("hard.jsonl", hard_set_history(40)), "set");
  o.init = "nil";
  o.memory_mb_max = 1;
  o.json = true;
  EXPECT_EQ(run(o), kExitUnknown);
  const auto u = nlohmann::json::parse(out_.substr(out_.rfind('\n', out_.size() - 2) + 1));
  EXPECT_EQ(u["verdict"], "unknown");
  EXPECT_EQ(u["unknown_reason"], "the memory budget (1 MB) ran out");
  EXPECT_EQ(u["undecided"], nlohmann::json::array({"whole history"}));
  EXPECT_EQ(u["partitions"][0]["unknown_reason"], "the memory budget (1 MB) ran out");
  // An empty history says so.
  o = opts(write("empty.jsonl", ""));
  o.json = true;
  EXPECT_EQ(run(o), kExitOk);
  EXPECT_EQ(nlohmann::json::parse(out_.substr(out_.rfind('\n', out_.size() - 2) + 1))["note"],
            "the history has no operations");
}

TEST_F(CheckCommand, NoPartitionChecksTheHistoryWhole) {
  // Two keys; key "b" reads a value nobody wrote.
  const std::string file = write("kv.jsonl",
      "{\"process\":1,\"f\":\"put\",\"key\":\"a\",\"input\":\"x\",\"call\":0,\"return\":10,\"status\":\"ok\"}\n"
      "{\"process\":2,\"f\":\"put\",\"key\":\"b\",\"input\":\"y\",\"call\":0,\"return\":10,\"status\":\"ok\"}\n"
      "{\"process\":1,\"f\":\"get\",\"key\":\"a\",\"output\":\"x\",\"call\":20,\"return\":30,\"status\":\"ok\"}\n"
      "{\"process\":2,\"f\":\"get\",\"key\":\"b\",\"output\":\"z\",\"call\":20,\"return\":30,\"status\":\"ok\"}\n");
  CheckCommandOptions o = opts(file, "kv");
  o.init = "nil";
  EXPECT_EQ(run(o), kExitViolation);
  EXPECT_NE(out_.find("in 2 partitions"), std::string::npos) << out_;
  EXPECT_NE(out_.find("partition \"b\": violation"), std::string::npos) << out_;
  o.partition = false;
  EXPECT_EQ(run(o), kExitViolation);
  EXPECT_NE(out_.find("in 1 partition;"), std::string::npos) << out_;
  EXPECT_NE(out_.find("partition whole history: violation"), std::string::npos) << out_;
  EXPECT_NE(out_.find("then the state is {\"a\" \"x\", \"b\" \"y\"}"), std::string::npos) << out_;
}

}  // namespace
}  // namespace zsim::checkers
