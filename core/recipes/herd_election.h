// HerdElection: leader election by sequential ephemerals where every
// candidate watches the whole line (the textbook first version, with its
// herd effect).
//
// Algorithm: create `path`/_c_<id>-n_<seq> EPHEMERAL_SEQUENTIAL (a protected
// name, protected_create.h; before creating, look for a node carrying the id
// that this session owns). Then, every round: getChildren(path, watch) and
// sort by sequence number. If my node is the head of the line and -- the
// CURATOR-696 check -- its ephemeralOwner is my current session, I lead.
// Otherwise wait for the children watch. Every change to the line wakes
// every candidate (N-1 notifications per change: the herd effect; see
// herd_free_election.h for the fix).
// Znodes: `path` PERSISTENT (created if missing); one EPHEMERAL_SEQUENTIAL
//   child per candidacy, data = the candidate's data.
// ConnectionLoss: leadership is uncertain: leading() turns false; after the
//   reconnect the next campaign() lists the line again. A create whose
//   reply was lost is found again by its id (never made twice).
// Session expiry: the node went with the session; campaign() says kLost.
// Invariant: a candidate leads only through the head node of the line, owned
//   by its own session; heads follow commit order, so the token (the head's
//   czxid) grows with each leadership.
//
// The planted bug (options.check_owner = false): the candidate trusts the
// list -- it takes any node carrying its id for its own, and leads when that
// node is at the head, whoever owns it. With a stable id (a host name), a
// restarted process adopts the node of its previous incarnation, whose
// session is still alive; when that session expires the node goes, the next
// candidate leads, and for a while the restarted one leads too (CURATOR-696,
// CURATOR-498).
#pragma once

#include "core/recipes/campaign.h"
#include "core/recipes/election.h"

#include <string>

namespace zsim::core::recipes {

struct HerdElectionOptions {
  std::string path = "/election";
  // The candidate's id, carried in its node's name. REQUIRES: non-empty,
  // no '/' and no '-'.
  std::string id;
  std::string data;
  // The CURATOR-696 ownership check. false only to plant the bug.
  bool check_owner = true;
  int rounds_max = 64;
};

class HerdElection final : public Election {
 public:
  HerdElection(Client& zk, HerdElectionOptions options);
  Leadership campaign(Duration idle_timeout) override;
  void resign() override;

 private:
  detail::Step round(uint64_t seen);
  detail::Step join();

  HerdElectionOptions options_;
};

}  // namespace zsim::core::recipes
