// `zsim sweep --junit` and `zsim merge`, through the real binary:
//   - the JUnit report is valid against the JUnit schema CI systems read
//     (tests/tools/junit.xsd, checked by xmllint, a real XML parser), has
//     one testcase per seed, a <failure> with the reproduce command for each
//     failing seed, an <error> for each crashed one, and decodes back to
//     exactly the message, whatever bytes the message holds;
//   - it is deterministic: the same bytes whatever --jobs, and the merge of
//     the shards' --json outputs writes the unsharded sweep's report byte
//     for byte, prints its failing seeds and summary, exits as it does;
//   - every malformed input to merge (and a bad --junit path) is one line
//     on stderr naming the file and line, nothing on stdout, exit status 2;
//   - a sweep interrupted (Ctrl-C's SIGINT, SIGTERM) leaves neither FILE
//     nor FILE.part behind and dies of that signal.
// Cheap by design: the lesson-1 and selftest scenarios, 30 seeds at most.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using zsim::testing::CommandResult;
using zsim::testing::run_command;
using zsim::testing::slurp;

const std::string kZsim = ZSIM_BINARY;
const std::string kSchema = std::string(ZSIM_SOURCE_DIR) + "/tests/tools/junit.xsd";

CommandResult zsim(const std::string& args) { return run_command(kZsim + " " + args); }

std::string write_file(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// xmllint's verdict: the file is well-formed XML and valid JUnit.
void expect_valid_junit(const std::string& path) {
  const CommandResult r = run_command("xmllint --noout --schema " + kSchema + " " + path);
  EXPECT_EQ(r.exit_code, 0) << r.err << slurp(path).substr(0, 2000);
}

// An XPath expression evaluated by xmllint (a real parser, so entities and
// character references are decoded as any CI system decodes them).
std::string xpath(const std::string& path, const std::string& expr) {
  const CommandResult r = run_command("xmllint --xpath '" + expr + "' " + path);
  EXPECT_EQ(r.exit_code, 0) << expr << ": " << r.err;
  // xmllint ends a number or a string with a newline of its own.
  return !r.out.empty() && r.out.back() == '\n' ? r.out.substr(0, r.out.size() - 1) : r.out;
}

// The lines of a --json output without their wall_ms (the only wall-clock
// figure in them) and without the summary's jobs/shards.
std::vector<nlohmann::json> comparable(const CommandResult& r) {
  std::vector<nlohmann::json> out;
  for (const std::string& line : r.out_lines()) {
    nlohmann::json j = nlohmann::json::parse(line);
    for (const char* key : {"wall_ms", "jobs", "shards"}) j.erase(key);
    out.push_back(j);
  }
  return out;
}

TEST(Junit, PassingSweepIsOneTestcasePerSeed) {
  const std::string dir = zsim::testing::make_temp_dir();
  const CommandResult r = zsim("sweep --scenario reliable-network-fixed --seeds 1..6 --jobs 2 --junit " + dir + "/j.xml");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  expect_valid_junit(dir + "/j.xml");
  EXPECT_EQ(xpath(dir + "/j.xml", "string(/testsuites/testsuite/@tests)"), "6");
  EXPECT_EQ(xpath(dir + "/j.xml", "count(//testcase)"), "6");
  EXPECT_EQ(xpath(dir + "/j.xml", "count(//failure|//error)"), "0");
  EXPECT_EQ(xpath(dir + "/j.xml", "string(//testcase[3]/@name)"), "seed 3");
  EXPECT_EQ(xpath(dir + "/j.xml", "string(//property[@name=\"seeds\"]/@value)"), "1..6");
  EXPECT_FALSE(std::ifstream(dir + "/j.xml.part").good()) << "the part file is left behind";
}

TEST(Junit, FailingSeedsCarryTheirMessageAndReproduceCommand) {
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string file = dir + "/j.xml";
  // --json and --junit together, on a shard: both describe the same seeds.
  const CommandResult r =
      zsim("sweep --scenario reliable-network-naive --seeds 1..30 --shard 1/2 --jobs 2 --json --junit " + file);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_valid_junit(file);
  std::vector<nlohmann::json> failed;
  for (const nlohmann::json& j : comparable(r)) {
    if (!j.contains("summary") && j["verdict"] != "ok") failed.push_back(j);
  }
  ASSERT_FALSE(failed.empty());
  EXPECT_EQ(xpath(file, "count(//testcase)"), "15");
  EXPECT_EQ(xpath(file, "count(//failure)"), std::to_string(failed.size()));
  EXPECT_EQ(xpath(file, "string(/testsuites/@failures)"), std::to_string(failed.size()));
  EXPECT_EQ(xpath(file, "string(//property[@name=\"shard\"]/@value)"), "1/2");
  const nlohmann::json& f = failed.front();
  const std::string seed = std::to_string(f["seed"].get<std::uint64_t>());
  const std::string at = "//testcase[@name=\"seed " + seed + "\"]/failure";
  EXPECT_EQ(xpath(file, "string(" + at + "/@type)"), f["verdict"].get<std::string>());
  const std::string text = xpath(file, "string(" + at + ")");
  EXPECT_EQ(text.rfind(f["message"].get<std::string>() + "\nreproduce: zsim run --scenario reliable-network-naive --seed " +
                           seed + "\nfingerprint " + f["fingerprint"].get<std::string>(),
                       0),
            0u)
      << text;
  // The message attribute is the verdict and the message's first line.
  const std::string message = f["message"].get<std::string>();
  EXPECT_EQ(xpath(file, "string(" + at + "/@message)"),
            f["verdict"].get<std::string>() + ": " + message.substr(0, message.find('\n')));
}

TEST(Junit, APlantedBugIsInTheClassnameAndTheReproduceCommand) {
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string file = dir + "/j.xml";
  const CommandResult r = zsim("sweep --scenario register --seeds 1..1 --bug commit-before-quorum --junit " + file);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_valid_junit(file);
  EXPECT_EQ(xpath(file, "string(//testcase/@classname)"), "register --bug commit-before-quorum");
  EXPECT_EQ(xpath(file, "string(//property[@name=\"bug\"]/@value)"), "commit-before-quorum");
  EXPECT_NE(xpath(file, "string(//failure)").find("\nreproduce: zsim run --scenario register --seed 1 --bug commit-before-quorum\n"),
            std::string::npos);
}

TEST(Junit, CrashedSeedsAreErrors) {
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string file = dir + "/j.xml";
  // selftest-crash: 5 throws in a fiber, 11 asserts, 12 segfaults, 13 throws
  // out of the event loop; the others pass.
  const CommandResult r = zsim("sweep --scenario selftest-crash --seeds 5..13 --jobs 2 --junit " + file);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_valid_junit(file);
  EXPECT_EQ(xpath(file, "count(//error)"), "4");
  EXPECT_EQ(xpath(file, "count(//failure)"), "0");
  EXPECT_EQ(xpath(file, "string(/testsuites/@errors)"), "4");
  const std::string assert_text = xpath(file, "string(//testcase[@name=\"seed 11\"]/error)");
  EXPECT_NE(assert_text.find("seeds ending in 1 fail this on purpose"), std::string::npos) << assert_text;
  EXPECT_NE(assert_text.find("reproduce: zsim run --scenario selftest-crash --seed 11"), std::string::npos);
  EXPECT_EQ(assert_text.find("fingerprint"), std::string::npos) << "a died seed has no fingerprint";
}

TEST(Junit, SameBytesWhateverTheJobs) {
  const std::string dir = zsim::testing::make_temp_dir();
  ASSERT_EQ(zsim("sweep --scenario reliable-network-naive --seeds 1..12 --jobs 1 --junit " + dir + "/a.xml").exit_code, 1);
  ASSERT_EQ(zsim("sweep --scenario reliable-network-naive --seeds 1..12 --jobs 2 --junit " + dir + "/b.xml").exit_code, 1);
  EXPECT_EQ(slurp(dir + "/a.xml"), slurp(dir + "/b.xml"));
}

TEST(Junit, AnUnwritablePathIsBadInputBeforeAnySeedRuns) {
  const CommandResult r = zsim("sweep --scenario reliable-network-fixed --seeds 1..3 --junit /nonexistent/dir/j.xml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "zsim: cannot write the JUnit file '/nonexistent/dir/j.xml.part'\n");
  EXPECT_EQ(r.out, "");
}

// The shards of one sweep, written by sweep --json.
struct Shards {
  std::string dir = zsim::testing::make_temp_dir();
  std::vector<std::string> files;
  std::string list() const {
    std::string out;
    for (const std::string& f : files) out += " " + f;
    return out;
  }
};

// Shard i/n's output, as dir/shard-i.json.
std::string sweep_shard(const std::string& dir, const std::string& scenario, const std::string& seeds, int i, int n) {
  const std::string file = dir + "/shard-" + std::to_string(i) + ".json";
  const CommandResult r = run_command(kZsim + " sweep --scenario " + scenario + " --seeds " + seeds + " --shard " +
                                      std::to_string(i) + "/" + std::to_string(n) + " --json > " + file);
  EXPECT_LE(r.exit_code, 1) << r.err;
  return file;
}

Shards sweep_shards(const std::string& scenario, const std::string& seeds, int n) {
  Shards s;
  for (int i = 1; i <= n; ++i) s.files.push_back(sweep_shard(s.dir, scenario, seeds, i, n));
  return s;
}

TEST(Merge, ShardsGiveTheUnshardedSweep) {
  const std::string args = "--scenario reliable-network-naive --seeds 1..30";
  const std::string dir = zsim::testing::make_temp_dir();
  const CommandResult whole = zsim("sweep " + args + " --jobs 2 --json --junit " + dir + "/whole.xml");
  const CommandResult whole_text = zsim("sweep " + args + " --jobs 2");
  Shards shards = sweep_shards("reliable-network-naive", "1..30", 3);
  std::swap(shards.files[0], shards.files[2]);  // any order
  const CommandResult merged = zsim("merge --json --junit " + shards.dir + "/merged.xml" + shards.list());
  EXPECT_EQ(merged.exit_code, 1) << merged.err;
  EXPECT_EQ(merged.exit_code, whole.exit_code);
  EXPECT_EQ(comparable(merged), comparable(whole));
  EXPECT_EQ(nlohmann::json::parse(merged.out_lines().back())["shards"], 3);

  // The JUnit report: the unsharded sweep's, byte for byte.
  expect_valid_junit(shards.dir + "/merged.xml");
  EXPECT_EQ(slurp(shards.dir + "/merged.xml"), slurp(dir + "/whole.xml"));

  // The human output: the same failing seeds, and the summary's counts.
  const CommandResult text = zsim("merge" + shards.list());
  EXPECT_EQ(text.exit_code, 1);
  const auto head = [](const std::string& out) {  // up to the summary's wall-time part
    return out.substr(0, out.rfind(';'));
  };
  EXPECT_EQ(head(text.out), head(whole_text.out));
  EXPECT_NE(text.out.find("; merged from 3 shards"), std::string::npos) << text.out;
}

// Passing, crashed-in-the-run (5: a fiber threw, with a fingerprint) and
// died (11: an assertion, no fingerprint) seeds interleaved across shards.
TEST(Merge, CrashesAndPassesInterleave) {
  const std::string dir = zsim::testing::make_temp_dir();
  const CommandResult whole = zsim("sweep --scenario selftest-crash --seeds 5..11 --json --junit " + dir + "/whole.xml");
  EXPECT_EQ(whole.exit_code, 1) << whole.err;
  const Shards shards = sweep_shards("selftest-crash", "5..11", 2);
  const CommandResult merged = zsim("merge --json --junit " + shards.dir + "/merged.xml" + shards.list());
  EXPECT_EQ(merged.exit_code, 1) << merged.err;
  EXPECT_EQ(comparable(merged), comparable(whole));
  expect_valid_junit(shards.dir + "/merged.xml");
  EXPECT_EQ(slurp(shards.dir + "/merged.xml"), slurp(dir + "/whole.xml"));
  EXPECT_EQ(xpath(dir + "/whole.xml", "count(//error)"), "2");
}

TEST(Merge, PassingShardsExitZero) {
  const Shards shards = sweep_shards("reliable-network-fixed", "1..5", 2);
  const CommandResult r = zsim("merge" + shards.list());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("reliable-network-fixed: 5 seeds (1..5), 5 ok, 0 failed; merged from 2 shards", 0), 0u) << r.out;
}

// One line on stderr, naming the problem; nothing on stdout; exit 2.
void expect_one_line(const CommandResult& r, const std::string& line) {
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.err, "zsim: merge: " + line + "\n");
  EXPECT_EQ(r.out, "");
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

TEST(Merge, EveryMalformedInputIsOneLineAndExitTwo) {
  const Shards shards = sweep_shards("reliable-network-fixed", "1..6", 2);
  const std::string& a = shards.files[0];
  const std::string& b = shards.files[1];
  const std::vector<std::string> lines = lines_of(a);  // seeds 1, 3, 5, then the summary
  ASSERT_EQ(lines.size(), 4u);
  const std::string& d = shards.dir;
  const auto variant = [&](const std::string& name, std::vector<std::string> l) {
    return write_file(d, name, joined(l));
  };
  const auto q = [](const std::string& path) { return "'" + path + "'"; };

  expect_one_line(zsim("merge " + a + " " + d + "/missing.json"), "cannot read " + q(d + "/missing.json"));
  expect_one_line(zsim("merge " + a + " " + d), "cannot read " + q(d) + ": it is a directory");
  const std::string empty = write_file(d, "empty.json", "");
  expect_one_line(zsim("merge " + empty + " " + b),
                  q(empty) + ": empty, no summary line (not a `zsim sweep --json` output?)");
  const std::string truncated = variant("truncated.json", {lines[0], lines[1]});
  expect_one_line(zsim("merge " + truncated + " " + b), q(truncated) + ":2: the last line is not the summary (a sweep cut short?)");
  const std::string cut = write_file(d, "cut.json", joined({lines[0], lines[1], lines[2]}) + lines[3].substr(0, 20));
  expect_one_line(zsim("merge " + cut + " " + b), q(cut) + ":4: the last line is not the summary (a sweep cut short?)");
  const std::string garbage = variant("garbage.json", {lines[0], "{\"seed\": 3,<\x01\x1b[2J", lines[2], lines[3]});
  expect_one_line(zsim("merge " + garbage + " " + b), q(garbage) + ":2: not a JSON object: '{\"seed\": 3,<\\x01\\x1b[2J'");
  const std::string two = variant("two-summaries.json", {lines[0], lines[3], lines[2], lines[3]});
  expect_one_line(zsim("merge " + two + " " + b), q(two) + ":2: a second summary line");
  std::string edited = lines[1];
  edited.replace(edited.find("\"seed\":3"), 8, "\"seed\":4");
  const std::string wrong_seed = variant("wrong-seed.json", {lines[0], edited, lines[2], lines[3]});
  expect_one_line(zsim("merge " + wrong_seed + " " + b), q(wrong_seed) + ":2: seed 4 where shard 1/2 of 1..6 has seed 3");
  std::string failed = lines[1];
  failed.replace(failed.find("\"verdict\":\"ok\""), 14, "\"verdict\":\"liveness\"");
  const std::string recount = variant("recount.json", {lines[0], failed, lines[2], lines[3]});
  expect_one_line(zsim("merge " + recount + " " + b),
                  q(recount) + ":4: the summary's counts are not its seeds' (1 failed in the lines)");
  std::string bad_verdict = lines[1];
  bad_verdict.replace(bad_verdict.find("\"verdict\":\"ok\""), 14, "\"verdict\":\"meh\"");
  const std::string verdict = variant("verdict.json", {lines[0], bad_verdict, lines[2], lines[3]});
  expect_one_line(zsim("merge " + verdict + " " + b), q(verdict) + ":2: unknown verdict 'meh'");
  const std::string extra = variant("extra.json", {lines[0], lines[1], lines[2], lines[2], lines[3]});
  expect_one_line(zsim("merge " + extra + " " + b),
                  q(extra) + ":4: 3 seeds counted, but the line after them is not the summary");
  std::string bad_summary = lines[3];
  bad_summary.replace(bad_summary.find("\"seeds\":3"), 9, "\"seeds\":2");
  const std::string summary = variant("summary.json", {lines[0], lines[1], bad_summary});
  expect_one_line(zsim("merge " + summary + " " + b), q(summary) + ":3: summary: 2 seeds, but shard 1/2 of 1..6 has 3");

  // Shards that do not make one sweep.
  expect_one_line(zsim("merge " + a + " " + a), q(a) + " and " + q(a) + " are both shard 1/2: overlapping seeds");
  expect_one_line(zsim("merge " + b), "shard 1/2 of 1..6 missing (merge needs the output of every shard)");
  const std::string other = sweep_shard(zsim::testing::make_temp_dir(), "reliable-network-naive", "1..6", 2, 2);
  expect_one_line(zsim("merge " + a + " " + other), q(other) + " is scenario 'reliable-network-naive', but " + q(a) +
                                                        " is scenario 'reliable-network-fixed': not shards of one sweep");
  const std::string wider = sweep_shard(zsim::testing::make_temp_dir(), "reliable-network-fixed", "1..7", 2, 2);
  expect_one_line(zsim("merge " + a + " " + wider),
                  q(wider) + " is of seeds '1..7', but " + q(a) + " is of seeds '1..6': not shards of one sweep");
  const std::string thirds = sweep_shard(zsim::testing::make_temp_dir(), "reliable-network-fixed", "1..6", 2, 3);
  expect_one_line(zsim("merge " + a + " " + thirds),
                  q(thirds) + " is in shards of '3', but " + q(a) + " is in shards of '2': not shards of one sweep");
  const std::string bugged =
      sweep_shard(zsim::testing::make_temp_dir(), "register --bug commit-before-quorum", "1..1", 1, 1);
  const std::string clean = sweep_shard(zsim::testing::make_temp_dir(), "register", "1..1", 1, 1);
  expect_one_line(zsim("merge " + bugged + " " + clean), q(clean) + " is with bug 'none', but " + q(bugged) +
                                                             " is with bug 'commit-before-quorum': not shards of one sweep");

  // No file at all: the command line's own one-line error.
  const CommandResult none = zsim("merge");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err.find("zsim: files is required"), 0u) << none.err;
}

// Messages hold anything (a crash report repeats a process's stderr): the
// report stays valid XML and decodes back to the message, with what XML
// cannot carry shown as \xHH.
TEST(Merge, AnyMessageGivesValidJunit) {
  const Shards shards = sweep_shards("reliable-network-fixed", "1..2", 1);
  std::vector<std::string> lines = lines_of(shards.files[0]);
  ASSERT_EQ(lines.size(), 3u);
  nlohmann::ordered_json seed = nlohmann::ordered_json::parse(lines[1]);
  const std::string message = "a<b && c>d \"q\" 'a' ]]> \x01\x1b[2J\x7f caf\xc3\xa9 \xef\xbf\xbe\ttab\r\nnext line";
  seed["verdict"] = "invariant";
  seed["message"] = message;
  lines[1] = seed.dump();
  nlohmann::ordered_json summary = nlohmann::ordered_json::parse(lines[2]);
  summary["failed"] = 1;
  summary["by_verdict"] = {{"invariant", 1}};
  lines[2] = summary.dump();
  const std::string file = write_file(shards.dir, "nasty.json", joined(lines));
  const std::string xml = shards.dir + "/nasty.xml";
  const CommandResult r = zsim("merge --junit " + xml + " " + file);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  expect_valid_junit(xml);
  const std::string shown = "a<b && c>d \"q\" 'a' ]]> \\x01\\x1b[2J\\x7f caf\xc3\xa9 \\xef\\xbf\\xbe\ttab\r\nnext line";
  EXPECT_EQ(xpath(xml, "string(//failure)").rfind(shown + "\nreproduce: zsim run --scenario reliable-network-fixed --seed 2\n", 0), 0u)
      << xpath(xml, "string(//failure)");
  EXPECT_EQ(xpath(xml, "string(//failure/@message)"), "invariant: a<b && c>d \"q\" 'a' ]]> \\x01\\x1b[2J\\x7f caf\xc3\xa9 \\xef\\xbf\\xbe\ttab\r");
}

// A long sweep writing --junit, interrupted while its seeds run into
// FILE.part: FILE.part is removed, FILE never written, and the process dies
// of the signal (exit status 130 for Ctrl-C in a shell).
void expect_interrupt_leaves_nothing(int sig) {
  namespace fs = std::filesystem;
  const std::string dir = zsim::testing::make_temp_dir();
  const std::string report = dir + "/report.xml", part = report + ".part";
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // As from a terminal: the signals at their defaults whatever runs the test.
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    const std::string out = dir + "/out";
    std::freopen(out.c_str(), "w", stdout);
    std::freopen(out.c_str(), "a", stderr);
    execl(kZsim.c_str(), kZsim.c_str(), "sweep", "--scenario", "registry", "--seeds", "1..1000000", "--jobs", "1",
          "--junit", report.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  // Wait (at most 60 s) for the part, then let seeds run into it.
  bool started = false;
  for (int i = 0; i < 6000 && !started; ++i) {
    started = fs::exists(part);
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(started) << slurp(dir + "/out");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ::kill(pid, sig);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status)) << status;
  if (WIFSIGNALED(status)) {
    EXPECT_EQ(WTERMSIG(status), sig);
  }
  EXPECT_FALSE(fs::exists(part));
  EXPECT_FALSE(fs::exists(report));
  fs::remove_all(dir);
}

TEST(SweepJunit, CtrlCLeavesNoPartFile) { expect_interrupt_leaves_nothing(SIGINT); }

TEST(SweepJunit, SigtermLeavesNoPartFile) { expect_interrupt_leaves_nothing(SIGTERM); }

}  // namespace
