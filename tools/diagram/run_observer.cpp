#include "tools/diagram/run_observer.h"

#include "tools/diagram/message_labels.h"

#include <fmt/format.h>

namespace zsim::tools::diagram {
namespace {

std::string value_text(const io::TraceField& f) {
  switch (f.kind) {
    case io::TraceField::Kind::kInt: return std::to_string(f.i);
    case io::TraceField::Kind::kUint: return std::to_string(f.u);
    case io::TraceField::Kind::kHex: return fmt::format("0x{:x}", f.u);
    case io::TraceField::Kind::kBool: return f.u != 0 ? "true" : "false";
    case io::TraceField::Kind::kStr: return std::string(f.s);
  }
  return "";
}

}  // namespace

DiagramEvent to_diagram_event(const sim::Trace::Record& r) {
  DiagramEvent e;
  e.t_ns = to_ns(r.t);
  e.host = r.host;
  e.kind = r.kind;
  e.note = r.note;
  e.fields.reserve(r.fields.size());
  for (const io::TraceField& f : r.fields) e.fields.emplace_back(std::string(f.key), value_text(f));
  for (const io::TraceField& f : r.extras) e.extras.emplace_back(std::string(f.key), value_text(f));
  if (!r.note) e.line = sim::Trace::format_text(r.t, r.host, r.kind, r.fields);
  return e;
}

void observe_run(sim::Simulator& sim, std::function<void(const DiagramEvent&)> on_event) {
  sim.network().set_labeler(label_message);
  sim.trace().set_observer(
      [on_event = std::move(on_event)](const sim::Trace::Record& r) { on_event(to_diagram_event(r)); });
}

}  // namespace zsim::tools::diagram
