// Reports of a check, for people: a few lines of text, and a self-contained
// HTML page that draws each client's operations on a timeline.
//
// The text names the verdict and, for a violation, the witness in words:
// the end of the longest linearizable prefix of the failing partition, the
// model state there, and the operations that cannot come next with the
// reason for each. The HTML page shows the same: every op as a bar from its
// call to its return on its client's lane, numbered in the order the
// checker linearized it, the ops that cannot be placed in red, and a line
// where it breaks. Output depends only on the history and the result.
#pragma once

#include <string>
#include <string_view>

#include "checkers/history.h"
#include "checkers/linearizability.h"

namespace zsim::checkers {

std::string format_text_report(const History& h, const CheckResult& result);

std::string render_html(const History& h, const CheckResult& result,
                        std::string_view title);

}  // namespace zsim::checkers
