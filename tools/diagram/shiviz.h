// ShiViz log: a run's trace with vector clocks, in the log format the ShiViz
// visualiser (and TSViz, GoVector's tools) reads (docs/diagram.md).
//
//   (?<event>.*)\n(?<host>\S*) (?<clock>{.*})      <- the parser regex
//                                                  <- no multiple-execution delimiter
//   t=0.001000000 host=s1 ev=net.send conn=2 to=s2 bytes=40 msg=7 kind=PROPOSAL detail="..."
//   s1 {"s1":12,"s2":9}
//
// Each traced event is one event of its host (`sim` for the simulator's own:
// faults, phases, verdicts); its line is the trace's text line plus the
// observer-only extras (msg=, kind=, detail=). Vector clocks follow Fidge and
// Mattern: every event ticks its host's component by one (the first event of
// a host has 1); a delivery first merges the clock its message was sent with
// (net.send, or net.dup for a duplicate's copy), so a send happens-before its
// delivery. Pure and deterministic: the same events give the same bytes.
#pragma once

#include "tools/diagram/diagram_model.h"

#include <cstdint>
#include <map>
#include <string>

namespace zsim::tools::diagram {

class ShivizLog {
 public:
  // The two header lines (the parser regex, an empty delimiter line).
  static std::string header();
  // The two lines of one event (event line, then host and clock), each
  // ending in '\n'; notes give "" (they are not trace events).
  std::string on_event(const DiagramEvent& e);

 private:
  using Clock = std::map<std::string, std::uint64_t>;
  static std::string clock_json(const Clock& c);

  std::map<std::string, Clock> clocks_;      // by host
  std::map<std::uint64_t, Clock> in_flight_;  // msg id -> the clock it was sent with
};

}  // namespace zsim::tools::diagram
