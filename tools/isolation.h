// Process isolation for runs of seeds: a seed that goes wrong fails alone.
//
// A seed can die in ways no verdict can catch from inside: a failed
// ZSIM_ASSERT aborts, a segfault or a sanitizer report ends the process, an
// exception escapes the event loop, a loop inside one event never returns.
// So runs happen in forked child processes (FoundationDB and TigerBeetle run
// each seed as its own process for the same reason), and the parent only
// hands out seeds and reads one result record per seed over a pipe:
//
//   - run_seeds_isolated (`zsim sweep`): `jobs` long-lived workers, forked
//     once and reused; the parent gives each an index, reads its result, and
//     gives the next. A worker that dies costs the parent only the seed it
//     was on: that seed gets the verdict `crash` with how the process died
//     and the head of what it wrote on stderr (the assertion text and its
//     "in seed=N t=T host=H" context, see tools/crash_report.h); a new
//     worker takes its place and the sweep goes on.
//   - run_in_child (`zsim run`): one child runs the whole body; its stdout is
//     the parent's, its stderr is relayed as it comes.
//
// The watchdog: each seed has a wall-clock limit; the child's own timer
// (SIGALRM) reports where the run was, and the parent kills a child that
// is still silent kIsolationGrace after its limit.
//
// Results are delivered in index order whatever order the workers finish
// in (so output does not depend on --jobs or timing), and at most
// `reorder_window` finished seeds wait for a slower one: memory is bounded
// whatever the number of seeds. Nothing here allocates per seed up front.
//
// The parent must be single-threaded when it forks (zsim is). Wall-clock
// time is used only for the watchdog and for reporting; it never reaches a
// simulation.
#pragma once

#include "scenarios/scenario.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace zsim::tools {

inline constexpr std::chrono::milliseconds kIsolationGrace{10'000};

// What the parent learns about one seed.
struct SeedOutcome {
  std::uint64_t index = 0;      // position in the run of seeds
  scenarios::RunResult result;  // when died: verdict crash, message, seed
  bool died = false;            // the process died on this seed: no fingerprint
  std::int64_t wall_ms = 0;
};

struct IsolationOptions {
  std::size_t jobs = 1;                    // worker processes; REQUIRES >= 1
  std::chrono::milliseconds seed_timeout{0};  // per seed, wall clock; 0: none
  std::size_t reorder_window = 4096;       // finished seeds waiting for a slower one
  std::string scenario;                    // names the scenario in a died seed's result
  core::PlantedBug bug = core::PlantedBug::kNone;  // the same, for its reproduce command
};

// Runs run(seed_at(i)) for every i in [0, count), each in a worker process.
// on_finished sees each outcome as it comes (for progress); on_delivered
// sees them in index order.
void run_seeds_isolated(std::uint64_t count, const std::function<std::uint64_t(std::uint64_t)>& seed_at,
                        const std::function<scenarios::RunResult(std::uint64_t)>& run,
                        const IsolationOptions& options,
                        const std::function<void(const SeedOutcome&)>& on_finished,
                        const std::function<void(const SeedOutcome&)>& on_delivered);

struct ChildExit {
  bool died = false;    // the child died before body() returned
  int exit_code = 0;    // what body() returned, when it did
  std::string message;  // when died: how, then the head of its stderr
};

// Runs body() in a forked child with crash reporting and the watchdog
// (timeout 0: none). The child shares stdout; its stderr is relayed.
ChildExit run_in_child(const std::function<int()>& body, std::chrono::milliseconds timeout);

}  // namespace zsim::tools
