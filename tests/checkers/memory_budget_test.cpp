// Proves that `--memory-mb` holds in the operating system's terms: a check
// bound by its memory budget peaks, in resident memory (VmHWM in
// /proc/self/status), within the budget plus 10% plus 32 MB of fixed
// overhead (the process itself, the history, the search's tables). Each
// check runs in a forked child, so the peak it reads is its own; the test
// also makes sure the budget was really the limit (the memo came close to
// it), or it would prove nothing. Two kinds of state: a set (a vector of
// ids on the heap) and a key-value store (long strings on the heap); the
// memo's own tables are the same for every model.
//
// Sanitizer builds keep shadow memory beside every allocation, so the
// resident size there says nothing about the budget: skipped.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "tests/checkers/test_histories.h"

#if defined(__SANITIZE_ADDRESS__)
#define ZSIM_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ZSIM_UNDER_SANITIZER 1
#endif
#endif

namespace zsim::checkers {
namespace {

using namespace testing;

// A field of /proc/self/status in kB ("VmHWM", "VmRSS"), or -1.
long status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  }
  return -1;
}

// Histories no budget here can decide: every order of n concurrent
// operations must be tried before the violation at the end shows.
History hard_set(int n) {
  History h;
  Value seen = Value::of_vector({});
  for (int i = 0; i < n; ++i) {
    h.ops.push_back(op(i, "add", I(i), Value::nil(), 0, 100));
    if (i + 1 < n) seen.items.push_back(I(i));
  }
  h.ops.push_back(op(999, "read", Value::nil(), seen, 200, 300));
  return h;
}

History hard_kv(int n) {
  History h;
  std::string impossible;
  for (int i = 0; i < n; ++i) {
    const std::string part = "<" + std::to_string(i) + std::string(40, '.') + ">";
    h.ops.push_back(op(i, "append", Value::of_string(part), Value::nil(), 0, 100));
    impossible += part;
  }
  h.ops.push_back(op(999, "get", Value::nil(), Value::of_string(impossible + "!"), 200, 300));
  return h;
}

struct ChildReport {
  long hwm_kb = -1;
  std::size_t peak_memo = 0;
  int verdict = -1;
  char reason[96] = {};
};

// Runs the check in a child; returns what the child saw.
ChildReport run_in_child(const History& h, const std::string& model, std::size_t budget_mb) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    CheckOptions o;
    o.model = model;
    o.init = model == "cas-register" ? I(0) : Value::nil();
    o.limits.time_s_max = 0;
    o.limits.memory_bytes_max = budget_mb << 20;
    const CheckOutcome out = check_history(h, o);
    ChildReport r;
    r.hwm_kb = status_kb("VmHWM");
    if (out.result) {
      r.verdict = static_cast<int>(out.result->verdict);
      r.peak_memo = out.result->peak_memory_bytes;
      std::snprintf(r.reason, sizeof r.reason, "%s", out.result->unknown_reason.c_str());
    }
    const ssize_t written = write(fds[1], &r, sizeof r);
    _exit(written == sizeof r ? 0 : 1);
  }
  close(fds[1]);
  ChildReport r;
  const ssize_t got = read(fds[0], &r, sizeof r);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(got, static_cast<ssize_t>(sizeof r));
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return r;
}

void expect_budget_holds(const History& h, const std::string& model, std::size_t budget_mb) {
#ifdef ZSIM_UNDER_SANITIZER
  GTEST_SKIP() << "resident memory under a sanitizer includes its shadow memory";
#endif
  const long base_kb = status_kb("VmRSS");
  ASSERT_GT(base_kb, 0);
  const ChildReport r = run_in_child(h, model, budget_mb);
  EXPECT_EQ(r.verdict, static_cast<int>(Verdict::unknown));
  EXPECT_EQ(std::string(r.reason), "the memory budget (" + std::to_string(budget_mb) + " MB) ran out");
  const double budget = static_cast<double>(budget_mb << 20);
  const double peak_rss = static_cast<double>(r.hwm_kb) * 1024.0;
  const double allowed = budget * 1.10 + 32.0 * (1 << 20);
  ::testing::Test::RecordProperty("peak_rss_mb", std::to_string(peak_rss / (1 << 20)));
  EXPECT_LE(peak_rss, allowed) << model << " " << budget_mb << " MB: peak RSS " << peak_rss / (1 << 20)
                               << " MB, process before " << base_kb / 1024 << " MB";
  // The budget was the limit: the memo came close to it, and so did RSS.
  EXPECT_GE(static_cast<double>(r.peak_memo), budget * 0.9) << model;
  EXPECT_GE(peak_rss - static_cast<double>(base_kb) * 1024.0, budget * 0.8) << model;
}

// Larger budgets (1 and 2 GB) are measured with `zsim check` in
// docs/checkers.md ("Budgets"); here two sizes keep ctest quick.
TEST(MemoryBudget, SetStatesStayWithinTheBudget) { expect_budget_holds(hard_set(40), "set", 64); }
TEST(MemoryBudget, StringStatesStayWithinTheBudget) { expect_budget_holds(hard_kv(40), "kv", 128); }

}  // namespace
}  // namespace zsim::checkers
