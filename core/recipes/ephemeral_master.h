// EphemeralMasterElection: leader election by one ephemeral znode, as the
// ZooKeeper book's master example does it.
//
// Algorithm: create `path` (e.g. /master) EPHEMERAL with my id as data.
//   - Ok: I am master.
//   - NodeExists: getData(path, watch): if the node is mine (its
//     ephemeralOwner is my session: an earlier create of mine succeeded and
//     its reply was lost) I am master; otherwise wait for the watch to fire
//     (the master's session ended) and try again. NoNode: try again at once.
//   Every candidate watches the one node, so each change of master wakes all
//   of them (a herd, of the smallest kind: one node).
// Znodes: `path`, EPHEMERAL, data = the candidate's data. The parent must
//   exist (created if missing).
// ConnectionLoss: leadership is uncertain: leading() turns false; after the
//   reconnect the next campaign() reads the node again; a create whose reply
//   was lost is recognised by its owner, never made twice.
// Session expiry: the node went with the session; campaign() says kLost.
// Invariant: at most one master node exists at any zxid, so at most one
//   session is master at a time; the token (czxid of the node) grows with
//   each new master.
#pragma once

#include "core/recipes/campaign.h"
#include "core/recipes/election.h"

#include <string>

namespace zsim::core::recipes {

struct EphemeralMasterOptions {
  std::string path = "/master";
  std::string data;  // the candidate's id or address, for humans
  // Rounds (create, read, wait) in one campaign() before it says kWaiting.
  int rounds_max = 64;
};

class EphemeralMasterElection final : public Election {
 public:
  EphemeralMasterElection(Client& zk, EphemeralMasterOptions options);
  Leadership campaign(Duration idle_timeout) override;
  void resign() override;

 private:
  detail::Step round(uint64_t seen);

  EphemeralMasterOptions options_;
};

}  // namespace zsim::core::recipes
