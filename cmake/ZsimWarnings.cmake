# Warning and sanitizer flags shared by every zsim target.
#
# Assertions (ZSIM_ASSERT) are always compiled in, whatever the build type:
# the simulator's value is in catching broken invariants, so the optimized
# build keeps them too. NDEBUG is never relied on.
function(zsim_set_flags target)
  target_compile_options(${target} INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
    -Wcast-align -Wunused -Woverloaded-virtual
    -Wimplicit-fallthrough -Wformat=2
    # Source paths relative to the repo in __FILE__ (assertion reports): the
    # same in every clone and build directory.
    -fmacro-prefix-map=${PROJECT_SOURCE_DIR}/=)
  if(ZSIM_WERROR)
    target_compile_options(${target} INTERFACE -Werror)
  endif()
  if(ZSIM_FUZZ)
    # Coverage for libFuzzer on every library; the targets add the fuzzer
    # main at link time (fuzz/CMakeLists.txt).
    target_compile_options(${target} INTERFACE
      -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
    target_link_options(${target} INTERFACE -fsanitize=address,undefined)
    target_compile_definitions(${target} INTERFACE ZSIM_ASAN=1)
  elseif(ZSIM_SANITIZE)
    # GCC 12's -Wmaybe-uninitialized misfires inside libstdc++ (std::regex,
    # std::function) when sanitizers rewrite the code; the release build
    # keeps the warning.
    target_compile_options(${target} INTERFACE
      -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer -Wno-maybe-uninitialized)
    target_link_options(${target} INTERFACE -fsanitize=address,undefined)
    # Boost.Context fibers switch stacks behind ASan's back; tell ASan so it
    # does not report false stack-buffer overflows (see sim/fiber.cpp).
    target_compile_definitions(${target} INTERFACE ZSIM_ASAN=1)
  endif()
endfunction()
