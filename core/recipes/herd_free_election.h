// HerdFreeElection: leader election by sequential ephemerals where each
// candidate watches only its predecessor (ZooKeeper's recipes page; Curator's
// LeaderLatch, with the fixes of CURATOR-644/645 and CURATOR-696).
//
// Algorithm: create `path`/_c_<id>-n_<seq> EPHEMERAL_SEQUENTIAL (a protected
// name: a create lost to ConnectionLoss is found again by its id, never
// made twice). Then, every round: getChildren(path) without a watch, sorted
// by sequence number.
//   - My node is the head: getData(my node, watch). I lead only if its
//     ephemeralOwner is my current session (CURATOR-696: a stale list can
//     name a node whose session is gone); the watch tells me if it goes.
//   - Otherwise: getData(predecessor, watch) -- getData, not exists, so no
//     watch is left behind on a node that is already gone. If it is gone,
//     list again at once; else wait for its deletion and list again. Never
//     re-create my node because the predecessor went: two candidates doing
//     so chase each other's tails forever (CURATOR-644/645).
//   - My node is not in the list (deleted while my session lives): make a
//     new one.
//   - An earlier node carries my id and is my session's: a create of mine
//     landed after the search that found nothing (its connection broke, and
//     the server I reconnected to had not applied it yet). Keep the earlier
//     one, delete mine: else I would wait behind my own node forever.
// One deletion wakes one candidate: no herd.
// The planted bug (options.relist = false, the scenario
// election-herd-free-naive): a candidate whose watched predecessor is gone
// takes that to mean "I am the head now" and leads without listing the
// line again -- but the predecessor may have died with a live leader still
// ahead of it: two leaders. Another (options.watch_predecessor = false, the
// scenario reelection-unwatched-naive): the candidate reads its
// predecessor without a watch, so nothing wakes it when the leader dies; it
// takes over only when its idle timeout makes it look again.

// Znodes: `path` PERSISTENT (created if missing); one EPHEMERAL_SEQUENTIAL
//   child per candidacy, data = the candidate's data.
// ConnectionLoss: leadership is uncertain: leading() turns false; after the
//   reconnect the next campaign() lists the line again.
// Session expiry: the node went with the session; campaign() says kLost.
// Invariant: a candidate leads only through the head node of the line, owned
//   by its own session; the token (the head's czxid) grows with each
//   leadership.
#pragma once

#include "core/recipes/campaign.h"
#include "core/recipes/election.h"

#include <string>

namespace zsim::core::recipes {

struct HerdFreeElectionOptions {
  std::string path = "/election";
  // A unique id for this candidacy's protected name (e.g. 16 random hex
  // digits). REQUIRES: non-empty, no '/' and no '-'.
  std::string id;
  std::string data;
  int rounds_max = 64;
  // List the line again after the predecessor went (false: the planted bug
  // above).
  bool relist = true;
  // Watch the predecessor (false: the second planted bug above).
  bool watch_predecessor = true;
};

class HerdFreeElection final : public Election {
 public:
  HerdFreeElection(Client& zk, HerdFreeElectionOptions options);
  Leadership campaign(Duration idle_timeout) override;
  void resign() override;

 private:
  detail::Step round(uint64_t seen);
  detail::Step join();
  detail::Step lead_if_mine(uint64_t seen);

  HerdFreeElectionOptions options_;
  // The predecessor being watched, for the planted bug only ("" none).
  std::string watched_;
};

}  // namespace zsim::core::recipes
