// Renders a DiagramModel as one self-contained HTML page: inline CSS and
// JavaScript drawing on a canvas, the model embedded as JSON. No network
// access is needed to view it (no CDN, no fonts, no images).
//
// The page draws lifelines (simulated time downwards), message arrows
// coloured by kind (a dropped one ends in a cross, a duplicate is dashed),
// partitions as shaded bands, crashes/restarts/pauses/clock jumps on the
// lifelines, client operations as bars, the witness of a failed check
// highlighted and the verdict at the top; hover shows a message's fields or
// an event's trace line; filters by host, kind and time window. It opens on
// the model's focus window.
//
// For tests (and tools), after every redraw the page writes what it drew
// into the hidden element #zsim-summary as data- attributes: status
// ("drawn"), lifelines, arrows, dropped, ops, highlighted (the first
// violating op, "" if none), verdict, window, errors (script errors caught).
//
// Deterministic: the same model gives the same bytes.
#pragma once

#include "tools/diagram/diagram_model.h"

#include <string>

namespace zsim::tools::diagram {

// The colour of a message kind ("#rrggbb"): fixed for the known kinds.
std::string kind_colour(const std::string& kind, std::size_t index);

// The model as the JSON the page embeds.
std::string model_json(const DiagramModel& m);

std::string render_html(const DiagramModel& m);

}  // namespace zsim::tools::diagram
