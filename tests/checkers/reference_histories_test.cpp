// Proves the checker reproduces the published verdicts on real histories
// written by other tools: every EDN file under ../shared/reference/histories/
// gets the verdict its README gives (good → linearizable, bad → not), with
// the model and initial value the README names. If the shared folder is
// missing the tests are skipped with a message, never passed silently.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "checkers/history_io.h"
#include "checkers/linearizability.h"

namespace zsim::checkers {
namespace {

namespace fs = std::filesystem;

fs::path knossos_dir() { return fs::path(ZSIM_SHARED_DIR) / "reference/histories/knossos"; }

std::vector<fs::path> edn_files(const fs::path& dir) {
  std::vector<fs::path> files;
  if (!fs::exists(dir)) return files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".edn") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Verdict check_file(const fs::path& file, const std::string& model, const std::string& init) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  LoadResult loaded = read_edn_history(text.str());
  EXPECT_TRUE(loaded.history) << file << ": " << loaded.error.to_string(file.string());
  if (!loaded.history) return Verdict::unknown;
  CheckOptions options;
  options.model = model;
  ParseError error;
  options.init = *parse_edn(init, &error);
  // A state budget, not seconds, so a loaded machine cannot turn a verdict
  // into "unknown"; the hardest file needs far fewer.
  options.limits.time_s_max = 0;
  options.limits.states_max = 50'000'000;
  CheckOutcome outcome = check_history(*loaded.history, options);
  EXPECT_FALSE(outcome.error) << file << ": " << outcome.error->message;
  if (!outcome.result) return Verdict::unknown;
  return outcome.result->verdict;
}

void expect_all(const std::string& sub, const std::string& model, const std::string& init,
                Verdict expected, std::size_t min_files) {
  const fs::path dir = knossos_dir() / sub;
  if (!fs::exists(dir)) GTEST_SKIP() << "reference histories not found at " << dir;
  const auto files = edn_files(dir);
  ASSERT_GE(files.size(), min_files) << "expected at least " << min_files << " files in " << dir;
  for (const fs::path& f : files) {
    EXPECT_EQ(verdict_name(check_file(f, model, init)), std::string(verdict_name(expected)))
        << f.filename();
  }
}

TEST(ReferenceHistories, CasRegisterGoodAreLinearizable) {
  expect_all("cas-register/good", "cas-register", "0", Verdict::ok, 100);
}

TEST(ReferenceHistories, CasRegisterBadAreNotLinearizable) {
  expect_all("cas-register/bad", "cas-register", "0", Verdict::violation, 7);
}

TEST(ReferenceHistories, MultiRegisterGoodIsLinearizable) {
  expect_all("multi-register/good", "multi-register", "{:x 0 :y 0}", Verdict::ok, 1);
}

TEST(ReferenceHistories, MutexBadIsNotLinearizable) {
  expect_all("mutex/bad", "mutex", "nil", Verdict::violation, 1);
}

}  // namespace
}  // namespace zsim::checkers
