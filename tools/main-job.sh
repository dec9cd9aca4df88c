#!/usr/bin/env bash
# The main job: lesson 1 of the fallacies course ("the network is reliable"),
# as a seeded fault sweep. The naive ledger loses and double-applies
# acknowledged work on many seeds; the fixed one (request ids, retries,
# idempotent apply) passes on every seed under the same faults.
#
#   tools/main-job.sh [BUILD_DIR] [SEEDS]     (defaults: build/release 1..200)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
seeds=${2:-1..200}
zsim="$build/tools/zsim"
if [[ ! -x "$zsim" ]]; then
  echo "main-job: $zsim not found; build first: cmake --workflow --preset release" >&2
  exit 2
fi

echo "== reliable-network-naive: trusts the network (expect failures) =="
"$zsim" sweep --scenario reliable-network-naive --seeds "$seeds"
naive=$?
echo
echo "== reliable-network-fixed: ids, retries, idempotent apply (expect none) =="
"$zsim" sweep --scenario reliable-network-fixed --seeds "$seeds"
fixed=$?
echo
if [[ $naive -eq 1 && $fixed -eq 0 ]]; then
  echo "main-job: as expected: the naive protocol failed, the fixed one held. Reproduce any"
  echo "failing seed with the 'zsim run' line printed next to it; add --trace to watch it."
  exit 0
fi
echo "main-job: unexpected: naive exit $naive (want 1), fixed exit $fixed (want 0)" >&2
exit 1
