// The herd effect, measured: how many watch notifications a leader change
// costs, and how many bytes it puts on the network, in the herd election
// (every candidate watches the whole line: core/recipes/herd_election.h)
// and the herd-free one (each watches its predecessor:
// herd_free_election.h). `zsim herd` prints it; docs/recipes.md records it.
//
// Method: a healthy 3-server ensemble (no faults, no buggify) and N
// candidates, each a client host running the recipe with its own session.
// Once all N are in line and one leads, the run measures `changes` leader
// changes. For each: the leader closes its session (its node goes with it);
// the window runs from the close until another candidate leads, plus
// `settle` for the stragglers (in the herd, every woken candidate re-lists
// the line). It counts
//   - notifications: watch events delivered to the other candidates'
//     handles (state changes not counted; the leaving leader's own node
//     watch, which may fire as its session closes, neither);
//   - woken: how many candidates got at least one;
//   - bytes: payload bytes of every message sent in the window (clients and
//     servers, the closeSession's replication included), minus the
//     background (pings) measured over an equally long quiet window just
//     before;
//   - handover: the time from the close until another candidate leads.
//     With unlimited bandwidth (the default) it is mostly latency; with
//     `egress_bytes_per_ms`, every host's network interface (the servers'
//     included) sends at that rate over all its links together, so the
//     herd's N-1 notifications and re-listings queue in front of the one
//     answer the next leader waits for.
// Then the old leader joins again at the end of the line (a new session)
// and the line settles, unmeasured. Deterministic: same options, same
// numbers.
#pragma once

#include "core/io/time.h"

#include <cstdint>
#include <string>
#include <vector>

namespace zsim::scenarios::recipes {

enum class HerdRecipe : uint8_t { kHerd, kHerdFree };
const char* to_string(HerdRecipe r);

struct HerdMeasureOptions {
  int changes = 5;  // leader changes measured
  uint64_t seed = 1;
  Duration settle = millis(500);
  // How long the line may take to form (N candidates joining) before the
  // measurement gives up.
  Duration form_budget = seconds(120);
  // Capacity of each host's network interface, bytes per millisecond of
  // simulated time; 0: unlimited (sim::NetworkOptions::host_egress_bytes_per_ms).
  uint64_t egress_bytes_per_ms = 0;
};

struct HerdMeasurement {
  HerdRecipe recipe = HerdRecipe::kHerd;
  int candidates = 0;
  int changes = 0;  // leader changes measured (== options.changes unless failed)
  double notifications_per_change = 0;
  double woken_per_change = 0;
  double bytes_per_change = 0;
  double messages_per_change = 0;
  double handover_ms = 0;  // mean time from the leader's close until another leads
  std::string error;  // non-empty if the run could not measure (the line never formed, no new leader)
};

// REQUIRES: candidates >= 2, options.changes >= 1.
HerdMeasurement measure_herd(HerdRecipe recipe, int candidates, const HerdMeasureOptions& options);

}  // namespace zsim::scenarios::recipes
