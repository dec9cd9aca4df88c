// Consensus by sequential proposals: every proposer creates
// <path>/proposal-NNNNNNNNNN (PERSISTENT_SEQUENTIAL) holding its value; the
// decision is the value of the lowest proposal. ZooKeeper's atomic
// broadcast does the agreeing: sequence numbers follow commit order, every
// server's tree is a prefix of the committed history, and proposals are
// never deleted, so every non-empty listing shows the same lowest child.
//
// Znodes: <path>/proposal-N, data = the proposed value. The parent must
//   exist (ensure_path).
// ConnectionLoss: the proposal may or may not exist; proposing again after
//   the reconnect is harmless (a second node with the same value, later in
//   line: it can only matter if it were the lowest, and then it carries
//   this proposer's value, which is a proposed value). Reads: read again.
// Session expiry: SessionExpired; nothing is ephemeral, so a new session
//   can decide again -- and gets the same answer.
// Invariant: every decider decides the same value (agreement), and it was
//   proposed (validity).
//
// Blocking: call from a fiber. Uses only core::Client.
#pragma once

#include "core/client/client.h"

#include <optional>
#include <string>

namespace zsim::core::recipes {

struct ConsensusOptions {
  std::string path = "/c";
  int attempts_max = 20;
  Duration reconnect_wait = seconds(10);
};

// Proposes `value` (see ConnectionLoss above). Ok once a proposal of this
// call is known to exist.
Status propose(Client& zk, const ConsensusOptions& o, const std::string& value);

// The decision: the value of the lowest proposal. nullopt: no proposal is
// visible yet (propose first: after one's own propose, never nullopt).
Result<std::optional<std::string>> decide(Client& zk, const ConsensusOptions& o);

}  // namespace zsim::core::recipes
