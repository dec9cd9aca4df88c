// Message labels: what a message on the simulated network carries, in words,
// for a diagram's colours, filters and hover (sim::Network::Labeler).
//
// The network knows no protocol; this file does. It decodes a message by the
// port it travels to: the client port (2181: client frames one way, server
// frames the other), the quorum port (2888: ZAB's stream messages) and the
// election port (3888: votes). Anything else, or bytes that do not decode,
// is "data". Pure: the same bytes give the same label.
#pragma once

#include "sim/network.h"

#include <string_view>

namespace zsim::tools::diagram {

// Kinds: "connect", "request", "reply", "watch", "ping", "vote", "PROPOSAL",
// "ACK", "COMMIT", "INFORM", "sync" (discovery and synchronization),
// "forward" (learner -> leader on behalf of clients), "data".
sim::Network::MessageLabel label_message(io::Port port, bool to_listener, std::string_view bytes);

}  // namespace zsim::tools::diagram
