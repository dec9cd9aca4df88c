// Regression files: a fault plan whose comment lines say what it
// reproduces, so that it can be replayed and judged on its own
// (tools/run-regression.sh; every tests/regressions/*.plan is a ctest case).
//
//   # zsim regression: scenario S, seed N[, bug B]
//   # expect: VERDICT [INVARIANT]
//   # message: the first line of the run's message
//   # (further comment lines: how it was made, the replay command)
//   at 500ms pause @leader 700ms
//
// `zsim shrink` writes one for the shrunk plan; `zsim run --save-regression`
// for the plan of the run it just made.
#pragma once

#include "scenarios/scenario.h"

#include <string>
#include <vector>

namespace zsim::tools {

// "lost-commit" for "lost-commit: s4 committed ...": the name of the
// invariant a message reports, when it starts with one (a word before a
// colon); "" when it does not (a scenario's own check that says what it saw
// in words: then any invariant failure counts as the same).
std::string invariant_name(const std::string& message);

// "invariant lost-commit", "linearizability", "ok", ...: the `expect` line's
// value for a result.
std::string expectation(const scenarios::RunResult& r);

// The file's text: the header lines, `notes` as further comment lines, the
// plan.
std::string regression_text(const scenarios::RunResult& r, const sim::FaultPlan& plan,
                            const std::vector<std::string>& notes);

}  // namespace zsim::tools
