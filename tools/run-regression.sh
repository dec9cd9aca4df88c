#!/usr/bin/env bash
# Replays one regression file and checks it still gives the verdict it
# records. A regression file is a fault plan whose comment lines say what
# it reproduces, as `zsim shrink` and `zsim run --save-regression` write it
# (tools/regression_file.h):
#
#   # zsim regression: scenario S, seed N[, bug B]
#   # expect: VERDICT [INVARIANT]        (ok, invariant, linearizability, ...)
#   at 500ms pause @leader 700ms
#   ...
#
# The run must end with VERDICT (and for an invariant with a name, that
# invariant). A file with a planted bug must also pass with the bug off:
# the faults alone break nothing, the bug is what the checks catch.
#
#   tools/run-regression.sh build/release/tools/zsim tests/regressions/X.plan
#
# Every file under tests/regressions/ is a ctest case (tests/regressions/
# CMakeLists.txt). Exit status: 0 as recorded, 1 not, 2 a malformed file.
set -euo pipefail
zsim=${1:?usage: $0 ZSIM FILE}
file=${2:?usage: $0 ZSIM FILE}
[[ -r "$file" ]] || { echo "run-regression: cannot read '$file'" >&2; exit 2; }

header=$(grep -m1 '^# zsim regression: ' "$file" || true)
expect=$(grep -m1 '^# expect: ' "$file" || true)
[[ -n "$header" && -n "$expect" ]] || {
  echo "run-regression: $file: needs '# zsim regression: scenario S, seed N[, bug B]' and '# expect: VERDICT' lines" >&2
  exit 2
}
scenario=$(sed -n 's/.*scenario \([a-z0-9-]*\).*/\1/p' <<<"$header")
seed=$(sed -n 's/.*seed \([0-9]*\).*/\1/p' <<<"$header")
bug=$(sed -n 's/.*, bug \([a-z0-9-]*\).*/\1/p' <<<"$header")
read -r _ _ verdict invariant <<<"$expect"
[[ -n "$scenario" && -n "$seed" && -n "$verdict" ]] || { echo "run-regression: $file: malformed header" >&2; exit 2; }

# run [BUG]: prints "VERDICT<TAB>MESSAGE" of the file's plan.
run() {
  local args=(run --scenario "$scenario" --seed "$seed" --plan "$file" --json)
  [[ -n "${1:-}" ]] && args+=(--bug "$1")
  # A failing run exits 1: that is the point here, not an error.
  local line
  line=$({ "$zsim" "${args[@]}" || true; } | tail -1)
  printf '%s\t%s\n' "$(sed -n 's/.*"verdict":"\([a-z]*\)".*/\1/p' <<<"$line")" \
    "$(sed -n 's/.*"message":"\([^"]*\).*/\1/p' <<<"$line")"
}

got=$(run "$bug")
got_verdict=${got%%$'\t'*}
got_message=${got#*$'\t'}
status=0
if [[ "$got_verdict" != "$verdict" ]]; then
  echo "run-regression: $file: expected $verdict${invariant:+ $invariant}, got $got_verdict: $got_message" >&2
  status=1
elif [[ -n "${invariant:-}" && "$got_message" != "$invariant:"* ]]; then
  echo "run-regression: $file: expected invariant $invariant, got: $got_message" >&2
  status=1
else
  echo "run-regression: $file: $got_verdict${invariant:+ $invariant}${bug:+ with $bug}, as recorded"
fi
if [[ -n "$bug" ]]; then
  clean=$(run "")
  if [[ "${clean%%$'\t'*}" != ok ]]; then
    echo "run-regression: $file: fails without $bug too: ${clean#*$'\t'}" >&2
    status=1
  else
    echo "run-regression: $file: ok without $bug"
  fi
fi
exit $status
