// `zsim run --diagram` and `--trace-format shiviz` through the real binary:
// the diagram file is the same bytes for the same seed, on every run and
// whatever else is printed; asking for it never changes the run (same
// fingerprint); an unwritable path is bad input before anything runs; the
// ShiViz log on stdout is only the log (its header, then two lines an
// event), with the result on stderr, and the same bytes every time.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using zsim::testing::run_command;
using zsim::testing::slurp;

const std::string kZsim = ZSIM_BINARY;

zsim::testing::CommandResult zsim(const std::string& args) { return run_command(kZsim + " " + args); }

TEST(DiagramCli, SameSeedSameBytesAndTheRunIsUnchanged) {
  const std::string dir = zsim::testing::make_temp_dir();
  const auto a = zsim("run --scenario single-register --seed 3 --json --diagram " + dir + "/a.html");
  const auto b = zsim("run --scenario single-register --seed 3 --json --diagram " + dir + "/b.html");
  const auto plain = zsim("run --scenario single-register --seed 3 --json");
  ASSERT_EQ(a.exit_code, plain.exit_code) << a.err;
  const std::string page = slurp(dir + "/a.html");
  ASSERT_GT(page.size(), 10'000u);
  EXPECT_EQ(page, slurp(dir + "/b.html"));
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(a.err.find("diagram: " + dir + "/a.html ("), std::string::npos) << a.err;
  // The result object is still the last line of stdout, with the fingerprint of the plain run.
  const auto ja = nlohmann::json::parse(a.out_lines().back());
  const auto jp = nlohmann::json::parse(plain.out_lines().back());
  EXPECT_EQ(ja["fingerprint"], jp["fingerprint"]);
  EXPECT_EQ(ja["trace_events"], jp["trace_events"]);
  run_command("rm -rf " + dir);
}

TEST(DiagramCli, UnwritablePathIsBadInputBeforeTheRun) {
  const auto r = zsim("run --scenario single-register --seed 3 --diagram /nonexistent-dir/d.html");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("cannot write the diagram '/nonexistent-dir/d.html'"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  const auto both = zsim("run --scenario single-register --seed 3 --check-determinism --diagram /tmp/x.html");
  EXPECT_EQ(both.exit_code, 2);
}

TEST(DiagramCli, ShivizLogIsAllOfStdout) {
  const auto r = zsim("run --scenario single-register --seed 3 --trace --trace-format shiviz");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = r.out_lines();
  ASSERT_GT(lines.size(), 100u);
  EXPECT_EQ(lines[0], "(?<event>.*)\\n(?<host>\\S*) (?<clock>{.*})");
  EXPECT_EQ(lines[1], "");
  EXPECT_EQ((lines.size() - 2) % 2, 0u);
  for (std::size_t i = 2; i + 1 < lines.size(); i += 2) {
    ASSERT_EQ(lines[i].rfind("t=", 0), 0u) << lines[i];
    const std::size_t space = lines[i + 1].find(' ');
    ASSERT_NE(space, std::string::npos) << lines[i + 1];
    // The event line names the same host as the clock line.
    EXPECT_NE(lines[i].find(" host=" + lines[i + 1].substr(0, space) + " "), std::string::npos) << lines[i];
    EXPECT_TRUE(nlohmann::json::parse(lines[i + 1].substr(space + 1)).is_object()) << lines[i + 1];
  }
  EXPECT_NE(r.err.find("scenario single-register seed 3: ok"), std::string::npos) << r.err;
  // --trace-format implies --trace; the log is the same bytes on every run.
  EXPECT_EQ(zsim("run --scenario single-register --seed 3 --trace-format shiviz").out, r.out);
}

}  // namespace
