// line_text(): the children of a node in the converged tree, in sequence
// order, each with the session that owns it and the client (incarnation)
// that held that session -- for the message of a liveness failure of a
// recipe that queues on sequential ephemerals (what blocks the line, and
// whose it is).
#pragma once

#include <string>

namespace zsim::scenarios::recipes {

class Cluster;

// "<path> holds a (session 0x.. of c2 (incarnation 1)), b (...)", or
// "<path> is empty", or "the ensemble has not settled".
std::string line_text(const Cluster& c, const std::string& path);

}  // namespace zsim::scenarios::recipes
