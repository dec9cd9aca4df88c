// Fuzz target: the fault plan's text form (sim/fault_plan.h), read from a
// file a user wrote or edited. Any input must parse or give a PlanParseError
// (no crash, no sanitizer report, bounded time), and a plan that parses must
// print and parse back to itself (parse(print(p)) == p) and validate without
// crashing.
#include "sim/fault_plan.h"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<int> lines;
  auto parsed = zsim::sim::parse_plan(text, &lines);
  if (auto* err = std::get_if<zsim::sim::PlanParseError>(&parsed)) {
    (void)err->to_string();
    return 0;
  }
  const auto& plan = std::get<zsim::sim::FaultPlan>(parsed);
  if (lines.size() != plan.events.size()) std::abort();
  (void)zsim::sim::validate_plan(plan, {"s1", "s2", "s3", "c1"});
  auto again = zsim::sim::parse_plan(zsim::sim::print_plan(plan));
  if (!std::holds_alternative<zsim::sim::FaultPlan>(again)) std::abort();
  if (!(std::get<zsim::sim::FaultPlan>(again) == plan)) std::abort();
  return 0;
}
