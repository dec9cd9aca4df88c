#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace zsim {
namespace {
thread_local AssertContextFn g_context_fn = nullptr;
thread_local const void* g_context_arg = nullptr;
}  // namespace

void set_assert_context(AssertContextFn fn, const void* arg) {
  g_context_fn = fn;
  g_context_arg = arg;
}

std::string assert_context() {
  return g_context_fn != nullptr ? g_context_fn(g_context_arg) : std::string();
}

void assert_fail(const char* expr, const char* file, int line,
                 const char* message) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s\n", file, line, expr);
  if (message != nullptr) std::fprintf(stderr, "  %s\n", message);
  if (g_context_fn != nullptr) {
    const std::string context = g_context_fn(g_context_arg);
    if (!context.empty()) std::fprintf(stderr, "  in %s\n", context.c_str());
  }
  std::fflush(stderr);
  set_assert_context(nullptr, nullptr);  // reported: the abort need not repeat it
  std::abort();
}

}  // namespace zsim
