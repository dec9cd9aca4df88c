#include "tools/regression_file.h"

#include "core/server/planted_bugs.h"

#include <fmt/format.h>

namespace zsim::tools {

std::string invariant_name(const std::string& message) {
  const std::size_t colon = message.find(':');
  if (colon == std::string::npos) return "";
  const std::string name = message.substr(0, colon);
  return name.find(' ') == std::string::npos ? name : "";
}

std::string expectation(const scenarios::RunResult& r) {
  const std::string name = r.verdict == sim::Verdict::kInvariant ? invariant_name(r.message) : "";
  return name.empty() ? std::string(sim::to_string(r.verdict)) : fmt::format("invariant {}", name);
}

std::string regression_text(const scenarios::RunResult& r, const sim::FaultPlan& plan,
                            const std::vector<std::string>& notes) {
  const core::PlantedBugInfo* bug = core::planted_bug_info(r.bug);
  std::string text = fmt::format("# zsim regression: scenario {}, seed {}{}\n# expect: {}\n", r.scenario, r.seed,
                                 bug == nullptr ? "" : fmt::format(", bug {}", bug->name), expectation(r));
  if (!r.message.empty()) text += fmt::format("# message: {}\n", r.message.substr(0, r.message.find('\n')));
  for (const std::string& note : notes) text += "# " + note + "\n";
  return text + sim::print_plan(plan);
}

}  // namespace zsim::tools
