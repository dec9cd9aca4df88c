#!/usr/bin/env bash
# The testing API from outside: installs a zsim build into a temporary
# prefix, builds docs/examples/my-recipe/ (a separate CMake project that does
# find_package(zsim) and links zsim::testing) against it, and runs its tests:
# the sound latch's property passes, the broken latch fails it with a fault
# plan shrunk to at most 5 events.
#
#   tools/check-example.sh [BUILD_DIR]      (default: build/release)
#
# Exit status 0 when the example builds and its tests pass.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
if [[ ! -f "$build/CMakeCache.txt" ]]; then
  echo "check-example: $build is not a configured zsim build (cmake --workflow --preset release first)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "check-example: installing $build into $tmp/prefix"
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
echo "check-example: building docs/examples/my-recipe against it"
# The example's own flags: none of zsim's warnings leak into a user's build.
cmake -S docs/examples/my-recipe -B "$tmp/example" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log" || { cat "$tmp/configure.log" >&2; exit 1; }
cmake --build "$tmp/example" -j2
(cd "$tmp/example" && ctest --output-on-failure)
echo "check-example: the example builds against the installed package and its tests pass"
