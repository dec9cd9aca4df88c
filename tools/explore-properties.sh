#!/usr/bin/env bash
# Runs the RapidCheck properties with fresh random seeds. ctest pins
# RapidCheck's seed (ZSIM_RC_PARAMS in tests/CMakeLists.txt) so the suite is
# reproducible; this explores new cases instead. A failure prints the
# RC_PARAMS that reproduces it (RapidCheck's "reproduce" string, with the
# seed) and the command to rerun it.
#
#   tools/explore-properties.sh [ROUNDS] [BUILD_DIR]     (default: 10, build/release)
#
# Each round runs every test program once, with a new seed and 500 cases
# per property (RapidCheck's default is 100).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${1:-10}
build=${2:-build/release}
# Every test program (those without properties ignore RC_PARAMS).
mapfile -t programs < <(find "$build/tests" -type f -executable -name '*_test' 2>/dev/null | sort)
if ((${#programs[@]} == 0)); then
  echo "explore-properties: no test programs under $build (build first: cmake --workflow --preset release)" >&2
  exit 2
fi

failed=0
for ((round = 1; round <= rounds; round++)); do
  seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
  for p in "${programs[@]}"; do
    if ! RC_PARAMS="seed=$seed max_success=500" "$p" --gtest_brief=1 >/tmp/zsim-explore.log 2>&1; then
      failed=1
      echo "round $round: $p FAILED with seed $seed; rerun:"
      echo "  RC_PARAMS=\"seed=$seed max_success=500\" $p"
      grep -E 'Falsifiable|reproduce|Failure|FAILED' /tmp/zsim-explore.log | head -10 | sed 's/^/    /'
    fi
  done
  echo "round $round/$rounds: seed $seed, ${#programs[@]} programs done"
done
exit $failed
