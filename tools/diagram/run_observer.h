// Watching a run for a diagram or a ShiViz log, without changing it.
//
// observe_run() sets the simulator's trace observer and its network's
// labeler (message_labels.h), and hands every event — traced events with
// their observer-only extras, and notes — to `on_event` as a DiagramEvent,
// in the run's order. Neither the fingerprint nor the printed trace changes
// (sim/trace.h): the observed run is the run.
#pragma once

#include "sim/simulator.h"
#include "sim/trace.h"
#include "tools/diagram/diagram_model.h"

#include <functional>

namespace zsim::tools::diagram {

DiagramEvent to_diagram_event(const sim::Trace::Record& r);

void observe_run(sim::Simulator& sim, std::function<void(const DiagramEvent&)> on_event);

}  // namespace zsim::tools::diagram
