// LeaseResource: a simulated resource that the holders of a semaphore's N
// leases act on (core/recipes/semaphore.h), and the judge of what really
// happened to it -- the N-lease counterpart of FencedResource
// (fenced_resource.h).
//
// An action is instantaneous, at the global time the client's fiber makes
// it, and is recorded whatever the outcome, with the holder's lease: its
// token (the czxid of its lease node) and others (the czxids of the leases
// the holder saw live beside its own when it took it; at most N-1).
//
// Fencing (Fencing::kTokens): a lease t is refused once the resource has
// accepted an action of a newer lease t' > t whose others do not name t.
// Why that fences exactly the leases that are gone: t' was created after t,
// and its holder listed the leases at a zxid after its own create, so t was
// in that list unless it had been deleted; and a lease, once deleted, never
// comes back. A live lease is therefore never refused, and a deleted one is
// refused as soon as a lease taken after its deletion has acted.
// Why accepted holders never exceed N at once (a holder is "at" the resource
// from its first accepted action to its last): take N+1 holders that are all
// there at one moment, and m the newest of them. m acted before that moment
// and every other one acted after it, so after m had been accepted: none was
// refused, so all N are in others(m) -- but others(m) has at most N-1.
// Fencing::kNone accepts everything: the naive world of semaphore-naive.
//
// The judgements (the first violation is kept; the resource does not trust
// what the holders tell it for them -- only the record of accepted actions):
//   - at most N at once: in the order of accepted actions, no moment has
//     more than N holders (client, incarnation, token) that acted both at or
//     before it and at or after it.
// The scenario's checks add what the commit log knows (no stale lease
// accepted, ownership).
//
// Single-threaded, like the simulator.
#pragma once

#include "core/io/time.h"
#include "scenarios/recipes/fenced_resource.h"

#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace zsim::scenarios::recipes {

class ClientCtx;

struct LeaseAction {
  uint64_t seq = 0;  // 0, 1, 2, ... in the order the resource saw them
  Time at{};
  std::string actor;
  uint32_t incarnation = 0;
  int64_t session = 0;
  int64_t token = 0;
  std::vector<int64_t> others;  // ascending
  bool accepted = false;
  int64_t refused_by = 0;  // refused: the newer token whose others do not name this one
};

class LeaseResource {
 public:
  LeaseResource(std::string name, int leases, Fencing fencing);
  const std::string& name() const { return name_; }
  int leases() const { return leases_; }

  // `me` acts with the lease `token` taken beside `others` (ascending);
  // whether it was accepted.
  bool act(ClientCtx& me, int64_t token, std::vector<int64_t> others);

  const std::vector<LeaseAction>& actions() const { return actions_; }
  // Empty, or the first violation.
  const std::string& violation() const { return violation_; }
  // The most holders at once so far.
  int most_at_once() const { return most_at_once_; }

 private:
  using Holder = std::tuple<std::string, uint32_t, int64_t>;
  struct Span {
    Holder holder;
    uint64_t first = 0;
    uint64_t last = 0;
  };
  int64_t refuser(int64_t token) const;
  void judge(const LeaseAction& a);
  int at_once(uint64_t point) const;

  std::string name_;
  int leases_;
  Fencing fencing_;
  std::vector<LeaseAction> actions_;
  std::map<int64_t, std::vector<int64_t>> accepted_;  // token -> its others
  std::vector<Span> spans_;                           // per holder, by first action
  std::map<Holder, std::size_t> span_of_;
  int most_at_once_ = 0;
  std::string violation_;
};

}  // namespace zsim::scenarios::recipes
