// CHECKERS_ASSERT: invariant checks for checkers/, on in every build type.
//
// checkers/ stands alone (it must not include core/ or sim/), so it carries
// its own tiny assertion macro. A broken invariant is a bug in the checker,
// never an operating error: malformed input is reported as a value (see
// ParseError), while a failed assertion prints where it failed and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace zsim::checkers::detail {

[[noreturn]] inline void assert_fail(const char* expr, const char* file,
                                     int line) {
  std::fprintf(stderr, "checkers: assertion failed: %s at %s:%d\n", expr,
               file, line);
  std::abort();
}

}  // namespace zsim::checkers::detail

#define CHECKERS_ASSERT(cond)                                              \
  do {                                                                     \
    if (!(cond)) [[unlikely]] {                                            \
      ::zsim::checkers::detail::assert_fail(#cond, __FILE__, __LINE__);    \
    }                                                                      \
  } while (false)
