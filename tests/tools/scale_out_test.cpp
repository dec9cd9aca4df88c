// docs/scale-out.md and the manifests it shows are true:
//   - the page quotes docs/scale-out/*.y*ml verbatim (a manifest edited
//     without the page, or the reverse, fails);
//   - within each manifest the number of shards agrees (the GitHub matrix's
//     entries are 1..SHARDS; the Indexed Job's completions are SHARDS);
//   - every `zsim` command line in them runs, through the built binary, with
//     the manifest's variables set to a small sweep: every shard's line must
//     exit 0 (a flag zsim refuses is exit status 2, which the lines do not
//     absorb), and the merge line must give the whole sweep's verdict and a
//     JUnit report. The commands are run by /bin/sh, as both systems do.
#include "tests/tools/run_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace {

using zsim::testing::CommandResult;
using zsim::testing::run_command;
using zsim::testing::slurp;

const std::string kSource = ZSIM_SOURCE_DIR;
const std::string kDir = kSource + "/docs/scale-out/";
constexpr int kShards = 3;  // the test's own split; the manifests' SHARDS are replaced

std::string trim(const std::string& s) {
  const auto a = s.find_first_not_of(' ');
  return a == std::string::npos ? "" : s.substr(a);
}

// The manifest's lines that run zsim, as the shell sees them.
std::vector<std::string> zsim_lines(const std::string& text, const std::string& subcommand) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = text.find('\n', start);
    const std::string line = trim(text.substr(start, end - start));
    if (line.rfind("zsim " + subcommand + " ", 0) == 0) out.push_back(line);
    start = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

// The value of a `KEY: VALUE` line (first one), without quotes and comments.
std::string yaml_value(const std::string& text, const std::string& key) {
  const auto at = text.find(key + ": ");
  if (at == std::string::npos) return "";
  std::string v = text.substr(at + key.size() + 2, text.find('\n', at) - at - key.size() - 2);
  v = v.substr(0, v.find("  #"));
  if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

// The value of a container's `- {name: NAME, value: "V"}` environment entry.
std::string env_value(const std::string& text, const std::string& name) {
  const std::string key = "{name: " + name + ", value: ";
  const auto at = text.find(key);
  if (at == std::string::npos) return "";
  std::string v = text.substr(at + key.size(), text.find('}', at) - at - key.size());
  if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
  return v;
}

// Runs `line` in `dir` with zsim on the PATH and the manifest variables set.
CommandResult run_line(const std::string& dir, std::string line, int index) {
  for (std::size_t at; (at = line.find("${{ matrix.i }}")) != std::string::npos;) {
    line.replace(at, 15, std::to_string(index));  // GitHub substitutes before the shell runs
  }
  const std::string env = "PATH=" + dir + "/bin:$PATH SCENARIO=reliable-network-naive SEEDS=1..12 SHARDS=" +
                          std::to_string(kShards) + " JOB_COMPLETION_INDEX=" + std::to_string(index - 1) +
                          " RESULTS=" + dir;
  return run_command("cd " + dir + " && " + env + " /bin/sh -c '" + line + "'");
}

std::string fresh_dir_with_zsim() {
  const std::string dir = zsim::testing::make_temp_dir();
  std::filesystem::create_directory(dir + "/bin");
  std::filesystem::create_symlink(ZSIM_BINARY, dir + "/bin/zsim");
  return dir;
}

// The sweep and merge lines of one setup, run as its shards and merge would.
void expect_lines_run(const std::vector<std::string>& sweeps, const std::vector<std::string>& merges,
                      const std::string& junit_name) {
  ASSERT_EQ(sweeps.size(), 1u);
  ASSERT_EQ(merges.size(), 1u);
  for (const std::string& line : {sweeps[0], merges[0]}) {
    EXPECT_EQ(line.find('\''), std::string::npos) << "the test quotes lines in '...': " << line;
  }
  const std::string dir = fresh_dir_with_zsim();
  for (int i = 1; i <= kShards; ++i) {
    const CommandResult r = run_line(dir, sweeps[0], i);
    EXPECT_EQ(r.exit_code, 0) << sweeps[0] << "\n" << r.err;
    EXPECT_EQ(r.err.find("zsim:"), std::string::npos) << r.err;
  }
  const CommandResult merged = run_line(dir, merges[0], 1);
  const CommandResult whole = run_command(std::string(ZSIM_BINARY) + " sweep --scenario reliable-network-naive --seeds 1..12");
  ASSERT_EQ(whole.exit_code, 1) << "the test wants a sweep with failing seeds";
  EXPECT_EQ(merged.exit_code, whole.exit_code) << merges[0] << "\n" << merged.err;
  EXPECT_NE(merged.out.find("merged from 3 shards"), std::string::npos) << merged.out << merged.err;
  EXPECT_EQ(merged.out.substr(0, merged.out.rfind(';')), whole.out.substr(0, whole.out.rfind(';')));
  EXPECT_NE(slurp(dir + "/" + junit_name).find("<testsuites"), std::string::npos);
}

TEST(ScaleOut, DocQuotesTheManifestsVerbatim) {
  const std::string doc = slurp(kSource + "/docs/scale-out.md");
  for (const char* name : {"github-matrix.yml", "k8s-indexed-job.yaml", "k8s-merge-job.yaml"}) {
    const std::string text = slurp(kDir + name);
    ASSERT_FALSE(text.empty()) << name;
    EXPECT_NE(doc.find("```yaml\n" + text + "```\n"), std::string::npos) << name << " is not quoted verbatim";
  }
}

TEST(ScaleOut, GithubMatrixCommandsRun) {
  const std::string text = slurp(kDir + "github-matrix.yml");
  const std::string shards = yaml_value(text, "SHARDS");
  std::string entries;
  for (int i = 1; i <= std::stoi(shards); ++i) entries += (i > 1 ? ", " : "") + std::to_string(i);
  EXPECT_NE(text.find("i: [" + entries + "]"), std::string::npos) << "matrix.i is not 1.." << shards;
  EXPECT_NE(text.find("--shard ${{ matrix.i }}/$SHARDS"), std::string::npos);
  expect_lines_run(zsim_lines(text, "sweep"), zsim_lines(text, "merge"), "zsim-sweep.xml");
}

TEST(ScaleOut, KubernetesIndexedJobCommandsRun) {
  const std::string job = slurp(kDir + "k8s-indexed-job.yaml");
  const std::string merge = slurp(kDir + "k8s-merge-job.yaml");
  EXPECT_EQ(yaml_value(job, "completions"), env_value(job, "SHARDS"));
  EXPECT_FALSE(env_value(job, "SHARDS").empty());
  EXPECT_EQ(yaml_value(job, "completionMode"), "Indexed");
  EXPECT_NE(job.find("--shard $((JOB_COMPLETION_INDEX+1))/$SHARDS"), std::string::npos);
  expect_lines_run(zsim_lines(job, "sweep"), zsim_lines(merge, "merge"), "zsim-sweep.xml");
}

}  // namespace
