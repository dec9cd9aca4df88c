// A candidate: the client body of the election scenarios. It runs a
// core::recipes::LeaderSelector over one of the three election recipes
// and, while leading, acts on a fenced resource with its fencing token:
//
//   while leading:  work (a stretch of computation: where a GC pause bites)
//                   if still leading: act on the resource with the token
//                   rest
//
// The work happens between deciding to act and acting, on purpose: a pause
// there (longer than the session timeout) wakes a deposed leader that still
// believes it leads -- its handle has not noticed yet -- and only the token
// saves the resource. The naive variants switch off one defence each: the
// token (pass_token = false), the herd election's ownership check
// (check_owner = false, with stable ids so a restarted process recognises
// its old node), or the herd-free election's second look at the line after
// its predecessor went (relist = false), or its watch on the predecessor
// (watch_predecessor = false).
#pragma once

#include "core/io/time.h"
#include "scenarios/recipes/client_ctx.h"
#include "scenarios/recipes/cluster.h"
#include "scenarios/recipes/election_checks.h"
#include "scenarios/recipes/fenced_resource.h"

#include <optional>
#include <string>

namespace zsim::scenarios::recipes {

enum class ElectionRecipe : uint8_t {
  kEphemeralMaster,  // core/recipes/ephemeral_master.h
  kHerd,             // core/recipes/herd_election.h
  kHerdFree,         // core/recipes/herd_free_election.h
};

struct CandidateOptions {
  ElectionRecipe recipe = ElectionRecipe::kHerdFree;
  // /master for the ephemeral master, the line's parent for the others.
  std::string path = "/election";
  // Ids in protected names: the host's name (stable across restarts, as a
  // host name would be), or a fresh random id per candidacy.
  bool stable_ids = false;
  // The herd election's CURATOR-696 ownership check (false: planted bug).
  bool check_owner = true;
  // Act with the fencing token (false: the naive leader).
  bool pass_token = true;
  // The herd-free election lists the line again after its predecessor went
  // (false: planted bug, election-herd-free-naive).
  bool relist = true;
  // The herd-free election watches its predecessor (false: planted bug,
  // reelection-unwatched-naive).
  bool watch_predecessor = true;
  Duration work = millis(100);
  Duration rest = millis(50);
  // How long one campaign waits without an event before it reads again.
  // Long: a candidate must be woken by its watches, not by polling.
  Duration idle_timeout = seconds(60);
};

// The body: campaigns for ever (Until::kRunEnds), acting on `resource`.
// REQUIRES: `resource` outlives the run.
ClientBody candidate(FencedResource& resource, CandidateOptions options);

// Where the candidates' nodes are.
ElectionLayout layout_of(const CandidateOptions& options);

struct ElectionScenarioOptions {
  CandidateOptions candidate;
  Fencing fencing = Fencing::kTokens;
  // one-leader-after-heal: how long the one leader must act alone.
  Duration quiet = seconds(1);
  // reelection-bound, if set (only where servers and network stay healthy).
  std::optional<Duration> reelection_bound;
};

// The setup shared by the election scenarios: a resource "/db", every
// client a candidate acting on it, and the election checks
// (leadership-ownership and leads-from-the-head when tokens are passed,
// acts-while-connected, one-leader-after-heal, and reelection-bound if
// asked).
void election_setup(Cluster& c, const ElectionScenarioOptions& options);

}  // namespace zsim::scenarios::recipes
