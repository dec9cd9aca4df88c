// Crash reporting inside a child process that runs seeds (see isolation.h).
//
// A seed may die in any way: a failed ZSIM_ASSERT (which prints its own
// report and aborts), an uncaught exception, a segfault, a sanitizer report,
// or a loop inside one event that never returns. The parent process learns
// only that its child died and what the child wrote on stderr, so every way
// of dying must leave a few lines there that say what happened and where in
// the simulation: the "in seed=N t=T host=H" context the simulator installs
// for ZSIM_ASSERT (core/assert.h).
//
// install_crash_reporting() sets, for the whole process:
//   - std::terminate: "zsim: uncaught exception: <what()>" and the context;
//   - SIGSEGV, SIGBUS, SIGILL, SIGFPE: "zsim: fatal signal SIGSEGV (...)"
//     and the context, then the signal's previous action runs (so an
//     AddressSanitizer build still prints its own report and stack);
//   - SIGABRT: the context, unless the abort was already reported (a failed
//     ZSIM_ASSERT or the terminate handler);
//   - SIGALRM, the watchdog: "zsim: watchdog: ..." and the context, then the
//     process dies of SIGALRM.
// Handlers run on an alternate stack (a runaway recursion still reports).
// Formatting the context is not async-signal-safe; a handler that hangs on
// it (a fault inside malloc) is cut short by alarm(5), and the parent kills
// a child that stays silent past its deadline anyway.
//
// Not for `zsim run --no-fork`: a debugger wants the signals as they are.
#pragma once

#include <chrono>
#include <cstdint>

namespace zsim::tools {

void install_crash_reporting();

// Arms the watchdog: SIGALRM after `limit` of wall-clock time, reported as a
// seed that ran too long. A zero limit disarms it.
void arm_watchdog(std::chrono::milliseconds limit);

}  // namespace zsim::tools
