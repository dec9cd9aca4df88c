// The testing API's regression files and counterexample printing
// (zsim/testing.h).
//
//   # zsim regression: property MyLatch.OneLeaderAtATime, seed 812739
//   # cluster: servers 3, clients 4, safety-ms 20000, liveness-ms 30000, session-timeout-ms 1000..2000
//   # expect: the property fails (run verdict: invariant)
//   # message: the first line of the run's message
//   # replay: ZSIM_REPLAY=... RC_PARAMS=max_success=1 /path/to/test --gtest_filter=...
//   at 2.5s pause c1 3s
//
// The same comment-header shape as `zsim run --save-regression`'s files
// (tools/regression_file.h), with a `property` instead of a scenario and a
// `cluster` line, because a property's world is the test's code, not a
// registered scenario.
#include "zsim/testing.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace zsim::testing {

namespace {

std::string property_name(const ClusterSpec& spec) {
  if (!spec.property.empty()) return spec.property;
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return "property";
  return fmt::format("{}.{}", info->test_suite_name(), info->name());
}

std::int64_t ms(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); }

std::string this_program() {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("./your_test") : p.string();
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:@") ==
      std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

[[noreturn]] void malformed(const std::string& path, int line, const std::string& what) {
  throw std::runtime_error(fmt::format("{}:{}: {}", path, line, what));
}

}  // namespace

std::string regression_path(const ClusterSpec& spec) {
  const char* dir = std::getenv("ZSIM_REGRESSION_DIR");
  const std::filesystem::path base = dir != nullptr && *dir != '\0' ? dir : "zsim-regressions";
  return (base / (property_name(spec) + ".plan")).string();
}

std::string replay_command(const ClusterSpec& spec) {
  return fmt::format("ZSIM_REPLAY={} RC_PARAMS=max_success=1 {} --gtest_filter={}", shell_quote(regression_path(spec)),
                     shell_quote(this_program()), shell_quote(property_name(spec)));
}

std::string regression_text(const ClusterSpec& spec, const std::string& verdict, const std::string& message) {
  std::string text = fmt::format(
      "# zsim regression: property {}, seed {}\n"
      "# cluster: servers {}, clients {}, safety-ms {}, liveness-ms {}, session-timeout-ms {}..{}\n"
      "# expect: the property fails (run verdict: {})\n",
      property_name(spec), spec.seed, spec.servers, spec.clients, ms(spec.safety_phase), ms(spec.liveness_budget),
      ms(spec.session_timeout_min), ms(spec.session_timeout_max), verdict.empty() ? "not run" : verdict);
  if (!message.empty()) text += fmt::format("# message: {}\n", message.substr(0, message.find('\n')));
  text += fmt::format("# replay: {}\n", replay_command(spec));
  return text + sim::print_plan(spec.plan);
}

ClusterSpec read_regression(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot read the regression file", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  ClusterSpec spec;
  bool saw_header = false;
  bool saw_cluster = false;
  std::istringstream lines(text);
  std::string line;
  for (int n = 1; std::getline(lines, line); ++n) {
    char name[512] = {};
    unsigned long long seed = 0;
    long long safety = 0, liveness = 0, tmin = 0, tmax = 0;
    int servers = 0, clients = 0;
    if (line.rfind("# zsim regression:", 0) == 0) {
      if (std::sscanf(line.c_str(), "# zsim regression: property %511[^,], seed %llu", name, &seed) != 2) {
        malformed(path, n, "expected '# zsim regression: property NAME, seed N'");
      }
      spec.property = name;
      spec.seed = seed;
      saw_header = true;
    } else if (line.rfind("# cluster:", 0) == 0) {
      if (std::sscanf(line.c_str(),
                      "# cluster: servers %d, clients %d, safety-ms %lld, liveness-ms %lld, session-timeout-ms "
                      "%lld..%lld",
                      &servers, &clients, &safety, &liveness, &tmin, &tmax) != 6 ||
          servers < 1 || clients < 1 || safety < 1 || liveness < 1 || tmin < 1 || tmax < tmin) {
        malformed(path, n,
                  "expected '# cluster: servers N, clients N, safety-ms N, liveness-ms N, session-timeout-ms A..B' "
                  "with positive numbers");
      }
      spec.servers = servers;
      spec.clients = clients;
      spec.safety_phase = millis(safety);
      spec.liveness_budget = millis(liveness);
      spec.session_timeout_min = millis(tmin);
      spec.session_timeout_max = millis(tmax);
      saw_cluster = true;
    }
  }
  if (!saw_header) malformed(path, 1, "not a zsim::testing regression file (no '# zsim regression: property' line)");
  if (!saw_cluster) malformed(path, 1, "no '# cluster:' line");
  auto parsed = sim::parse_plan(text);
  if (auto* error = std::get_if<sim::PlanParseError>(&parsed)) {
    throw std::runtime_error(fmt::format("{}: {}", path, error->to_string()));
  }
  spec.plan = std::get<sim::FaultPlan>(std::move(parsed));
  return spec;
}

void showValue(const ClusterSpec& spec, std::ostream& os) {
  const std::size_t n = spec.plan.events.size();
  os << fmt::format("zsim cluster of {}: {} servers, {} clients, seed {}, {} fault event{}\n", property_name(spec),
                    spec.servers, spec.clients, spec.seed, n, n == 1 ? "" : "s");
  std::istringstream plan(sim::print_plan(spec.plan));
  for (std::string line; std::getline(plan, line);) os << "  " << line << "\n";
  os << "replay (this case, once the failing run wrote its regression file):\n  " << replay_command(spec) << "\n";
}

}  // namespace zsim::testing
