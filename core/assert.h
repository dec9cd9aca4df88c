// ZSIM_ASSERT: the one assertion macro of the project.
//
// Broken invariants crash; operating errors are values (see core/errors.h).
// The macro is always on, whatever the build type: the simulator exists to
// catch broken invariants, so optimized builds keep their checks (NDEBUG is
// never consulted). On failure it prints the condition and `file:line`, then
// the run's context if one is installed, then aborts.
//
// The simulator installs a context (seed, simulated time, host) for the run
// on the current thread, so a failed assertion inside a simulation says which
// run it was and how to reproduce it. The context is thread-local because
// `zsim sweep` runs independent simulations on several threads.
//
// Split compound conditions into several asserts so the message names the
// part that failed. Both macros are expressions of type void.
#pragma once

#include <string>

namespace zsim {

// Describes the current run for assertion reports; returns "" when unknown.
using AssertContextFn = std::string (*)(const void* arg);

// Installs the context reporter for this thread; pass nullptr to clear.
void set_assert_context(AssertContextFn fn, const void* arg);

// The context of the run on this thread ("seed=7 t=1.250000000 host=s2"),
// or "" when none is installed. For crash handlers (tools/crash_report.h).
std::string assert_context();

// Prints the failure (with the context, if any) to stderr and aborts. The
// context is cleared once printed, so the abort's own crash handler does not
// report it twice.
[[noreturn]] void assert_fail(const char* expr, const char* file, int line,
                              const char* message);

}  // namespace zsim

#define ZSIM_ASSERT(cond)                  \
  ((cond) ? static_cast<void>(0)           \
          : ::zsim::assert_fail(#cond, __FILE__, __LINE__, nullptr))

// Like ZSIM_ASSERT with a fixed explanation (a string literal).
#define ZSIM_ASSERT_MSG(cond, msg)         \
  ((cond) ? static_cast<void>(0)           \
          : ::zsim::assert_fail(#cond, __FILE__, __LINE__, (msg)))
