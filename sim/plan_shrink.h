// Shrinking a failing fault plan: the smallest plan that still fails the
// same way, by delta debugging (Zeller's ddmin, greedy form).
//
// A seed that fails under a generated plan of 40 events says little about
// which of them matter. shrink_plan() searches for a plan with fewer and
// simpler events that still fails: first it drops events (halves of the
// plan, then quarters, ... then one at a time), then it simplifies the ones
// left, one step at a time:
//   - a partition names fewer hosts (one host out of a side, or the clients
//     an isolated leader still reaches dropped altogether);
//   - pauses, downtimes, `within` windows and staggers get shorter (rounded
//     down to whole seconds, tenths, ... first, then halved, in whole
//     milliseconds; a stagger is also tried at zero);
//   - loss, duplication, reset and disk-fault ratios get lower; clock jumps
//     and drifts get smaller;
//   - an event happens earlier (rounded down to a whole second, a tenth,
//     ..., or halfway to the event before it), never before the event
//     before it.
// and it goes back to dropping events whenever a simplification succeeded,
// until no single step keeps the failure (a 1-minimal plan with respect to
// these steps) or the run budget is spent.
//
// Every step shrinks a well-founded measure (fewer events, fewer hosts,
// shorter lengths, lower ratios, earlier times), so the search ends even
// without the budget. What "still fails" means is the caller's: `zsim
// shrink` asks for the same verdict kind (and for an invariant, the same
// invariant); candidates that the caller's `valid` rejects are never run.
//
// Pure: no simulation here. The caller's `still_fails` runs candidates
// (several at once, e.g. in worker processes) and says which still fail;
// the search takes the first in order that does, so the result does not
// depend on how many run at once.
#pragma once

#include "sim/fault_plan.h"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace zsim::sim {

// One step the search may take from a plan: the candidates, in the order
// tried. Event removals come first, the largest chunks first.
std::vector<FaultPlan> removal_steps(const FaultPlan& plan, std::size_t chunk);
std::vector<FaultPlan> simplification_steps(const FaultPlan& plan);

struct ShrinkOptions {
  // At most this many candidate runs (the original run not included).
  std::size_t max_runs = 2000;
  // Candidates handed to still_fails at once (>= 1): the caller's
  // parallelism. The result is the same for every value.
  std::size_t batch = 1;
};

struct ShrinkProgress {
  std::size_t runs = 0;          // candidates run so far
  std::size_t events = 0;        // events in the plan kept so far
  std::string step;              // what the last accepted step did
};

struct ShrinkResult {
  FaultPlan plan;                // the smallest failing plan found
  std::size_t runs = 0;          // candidates run
  std::size_t steps = 0;         // accepted steps
  bool budget_spent = false;     // stopped by max_runs, not at a minimum
  bool stopped = false;          // stopped by the caller (should_stop)
};

struct ShrinkCallbacks {
  // REQUIRED: for each candidate, whether it still fails the same way.
  std::function<std::vector<bool>(const std::vector<FaultPlan>&)> still_fails;
  // Candidates this rejects are skipped without a run (default: all valid).
  std::function<bool(const FaultPlan&)> valid;
  // Called after each accepted step.
  std::function<void(const ShrinkProgress&)> on_step;
  // Polled between batches: true ends the search with the best plan so far
  // (e.g. a wall-clock limit, which must not live in the pure search).
  std::function<bool()> should_stop;
};

// REQUIRES: `plan` fails (the caller checked it). Returns a plan that fails,
// no larger than `plan`.
ShrinkResult shrink_plan(const FaultPlan& plan, const ShrinkCallbacks& callbacks, const ShrinkOptions& options = {});

}  // namespace zsim::sim
