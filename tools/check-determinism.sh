#!/usr/bin/env bash
# Same seed, same fingerprint, in every build type: runs the same seeds of
# every scenario with two zsim binaries (e.g. the release and the ASan
# build) and compares the fingerprints seed by seed.
#
#   tools/check-determinism.sh BUILD_A/tools/zsim BUILD_B/tools/zsim [SEEDS]
#
# SEEDS defaults to 1..20. Exit status 0 if every fingerprint matches.
set -euo pipefail
a=${1:?usage: $0 ZSIM_A ZSIM_B [SEEDS]}
b=${2:?usage: $0 ZSIM_A ZSIM_B [SEEDS]}
seeds=${3:-1..20}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

status=0
for scenario in $("$a" list | awk '{print $1}'); do
  # A sweep exits 1 when a seed fails its checks; that is fine here (the
  # lesson scenarios fail on purpose): only the fingerprints matter.
  "$a" sweep --scenario "$scenario" --seeds "$seeds" --jobs 2 --json 2>"$tmp/a.err" \
    | grep -v '"summary"' | sed -E 's/.*"seed":([0-9]+).*"fingerprint":("[0-9a-fx]+"|null).*/\1 \2/' \
    > "$tmp/a" || true
  "$b" sweep --scenario "$scenario" --seeds "$seeds" --jobs 2 --json 2>"$tmp/b.err" \
    | grep -v '"summary"' | sed -E 's/.*"seed":([0-9]+).*"fingerprint":("[0-9a-fx]+"|null).*/\1 \2/' \
    > "$tmp/b" || true
  if [[ ! -s "$tmp/a" ]]; then
    echo "check-determinism: $scenario: no results from $a" >&2
    status=1
  elif cmp -s "$tmp/a" "$tmp/b"; then
    echo "check-determinism: $scenario: $(wc -l < "$tmp/a") seeds, same fingerprints"
  else
    echo "check-determinism: $scenario: fingerprints differ between the two builds:" >&2
    diff "$tmp/a" "$tmp/b" | head -10 >&2
    # A seed whose process died has a null fingerprint; the sweep's stderr
    # (and its output's message) say why.
    grep -hv '^sweep ' "$tmp/a.err" "$tmp/b.err" | head -20 >&2
    status=1
  fi
done
exit $status
