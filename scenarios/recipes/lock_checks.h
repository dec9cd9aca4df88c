// The checks that judge a lock from what really happened (the resource's
// record, the commit log, the converged tree), beside the resource's own
// judgements (no stale token accepted; accepted actions of different
// holders never interleave) and the election checks a lock shares
// (leadership-ownership: every accepted token is the czxid of a node of the
// line owned by a session of the acting incarnation; leads-from-the-head:
// that node had headed the line by then).
//
//   every-client-holds-after-heal  (liveness) after the heal, every client
//                                  has held the lock: an action of its,
//                                  accepted, since the heal. A line blocked
//                                  by an orphan node (a create whose reply
//                                  was lost, made again) fails it; the
//                                  message names the nodes of the line and
//                                  their owners, and says which session
//                                  holds more than one.
#pragma once

#include "scenarios/recipes/check.h"

#include <memory>
#include <string>

namespace zsim::scenarios::recipes {

class FencedResource;

std::unique_ptr<Check> every_client_holds_after_heal(const FencedResource& r, std::string line_path);

}  // namespace zsim::scenarios::recipes
