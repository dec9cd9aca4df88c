#!/usr/bin/env bash
# Runs the libFuzzer targets of the fuzz build (docs/fuzzing.md), two at a
# time, and fails if any finds a crash, a sanitizer report, a leak, a
# timeout or an out-of-memory. Each target starts from its seed corpus in
# fuzz/corpus/<name>/ (read only: new inputs go to a temporary directory).
# Findings are saved as build/fuzz/findings/<name>-*.
#
#   tools/run-fuzzers.sh --ci [TARGET...]         pinned: what CI runs
#   tools/run-fuzzers.sh --runs N [--seed S] [TARGET...]
#   tools/run-fuzzers.sh [--seconds S] [TARGET...] (default: 30 s, fresh seed)
#
# --ci and --runs are deterministic: libFuzzer's -seed (default 1), a fixed
# number of executions, no time-driven corpus reloads (-reload=0), the seed
# files handed over in name order (-seed_inputs), and address-space layout
# randomisation off (setarch -R: libstdc++ compares pointers, so addresses
# steer branches and libFuzzer's comparison dictionary) and a fixed minimal
# environment (env -i; its size moves the stack). The same commit then gives
# the same executions, coverage and verdict on every run, in any checkout.
# --ci uses each target's own count (ci_runs below: about 15-40 s each on a
# 2-core machine). --seconds is for exploring by hand: a
# wall-clock budget and a new seed each run.
#
# Build first: cmake --workflow --preset fuzz
# Environment: ZSIM_FUZZ_BUILD (default build/fuzz), ZSIM_FUZZ_JOBS (2).
set -euo pipefail
cd "$(dirname "$0")/.."

all=(fault_plan shell_line wire quorum disk_records history_edn history_jepsen history_jsonl)
# Executions per target in CI. Chosen from a timed pinned run (docs/fuzzing.md);
# retune when a target gets much slower or faster.
declare -A ci_runs=(
  [fault_plan]=150000 [shell_line]=80000 [wire]=400000 [quorum]=600000
  [disk_records]=400000 [history_edn]=60000 [history_jepsen]=100000 [history_jsonl]=100000
)

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

mode=seconds
seconds=30
runs=
seed=1
targets=()
while (($#)); do
  case "$1" in
    --ci) mode=ci ;;
    --runs) mode=runs; runs=${2:?--runs needs a number}; shift ;;
    --seed) seed=${2:?--seed needs a number}; shift ;;
    --seconds) mode=seconds; seconds=${2:?--seconds needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run-fuzzers: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
for n in "$seconds" "$seed" ${runs:+"$runs"}; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "run-fuzzers: '$n' is not a number" >&2; exit 2; }
done
((${#targets[@]})) || targets=("${all[@]}")

build=${ZSIM_FUZZ_BUILD:-build/fuzz}
jobs=${ZSIM_FUZZ_JOBS:-2}
logs="$build/fuzz-logs"
findings="$build/findings"
work=$(mktemp -d /tmp/zsim-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$logs" "$findings"

for t in "${targets[@]}"; do
  if [[ -z "${ci_runs[$t]:-}" ]]; then
    echo "run-fuzzers: no target '$t' (targets: ${all[*]})" >&2
    exit 2
  fi
  if [[ ! -x "$build/fuzz/fuzz_$t" ]]; then
    echo "run-fuzzers: no $build/fuzz/fuzz_$t (build it: cmake --workflow --preset fuzz)" >&2
    exit 2
  fi
done

# How long a target runs, as libFuzzer flags.
budget_flags() {
  case "$mode" in
    ci) echo "-seed=$seed -runs=${ci_runs[$1]} -reload=0" ;;
    runs) echo "-seed=$seed -runs=$runs -reload=0" ;;
    seconds) echo "-max_total_time=$seconds" ;;
  esac
}

# Pinned runs need fixed addresses: ASLR off (a container may forbid it) and
# a fixed environment, whose size moves the stack (checkout path in $PWD...).
pinned=()
if [[ "$mode" != seconds ]]; then
  pinned=(env -i PATH=/usr/bin:/bin LC_ALL=C)
  if setarch "$(uname -m)" -R true 2>/dev/null; then
    pinned+=(setarch "$(uname -m)" -R)
  else
    echo "run-fuzzers: warning: cannot turn address randomisation off (setarch -R);" \
      "coverage may differ between runs" >&2
  fi
fi

run_one() {
  local t=$1
  local bin="$build/fuzz/fuzz_$t"
  mkdir -p "$work/$t"
  local corpus_args=("fuzz/corpus/$t")
  if [[ "$mode" != seconds ]]; then
    # A corpus directory is read in directory order, which differs between
    # file systems; a list in name order is the same everywhere.
    # No trailing newline: libFuzzer would take it as part of the last name.
    find "fuzz/corpus/$t" -type f | LC_ALL=C sort | paste -sd, | tr -d '\n' >"$work/$t.seeds"
    corpus_args=(-seed_inputs="@$work/$t.seeds")
  fi
  # -timeout: one input may take at most 10 s; -rss_limit_mb: 2 GB;
  # -max_len: inputs up to 64 KiB (deep nesting needs long inputs).
  # shellcheck disable=SC2046
  "${pinned[@]}" "$bin" $(budget_flags "$t") -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$findings/$t-" "$work/$t" "${corpus_args[@]}" >"$logs/$t.log" 2>&1
}

case "$mode" in
  ci) echo "run-fuzzers: pinned (-seed=$seed, each target's CI run count)" ;;
  runs) echo "run-fuzzers: pinned (-seed=$seed -runs=$runs)" ;;
  seconds) echo "run-fuzzers: ${seconds} s per target, fresh seeds (not reproducible; use --ci or --runs for that)" ;;
esac
declare -A pid_of
failed=()
start=$SECONDS
for t in "${targets[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
  run_one "$t" &
  pid_of[$t]=$!
done
for t in "${targets[@]}"; do
  if wait "${pid_of[$t]}"; then
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$t.log" | grep -o '[0-9]*$' || echo "?")
    final=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' || echo "cov: ?")
    seed_used=$(grep -o 'Seed: [0-9]*' "$logs/$t.log" | head -1 | grep -o '[0-9]*$' || echo "?")
    echo "fuzz_$t: ok, $execs inputs, $final, seed $seed_used"
  else
    failed+=("$t")
    echo "fuzz_$t: FINDING (log: $logs/$t.log)"
    grep -E '^==[0-9]+==.*ERROR|^SUMMARY|runtime error|what\(\)|Test unit written' "$logs/$t.log" | head -8 | sed 's/^/  /'
  fi
done
echo "run-fuzzers: ${#targets[@]} targets, $((SECONDS - start)) s"
if ((${#failed[@]})); then
  echo "run-fuzzers: findings in: ${failed[*]} (reproduce: $build/fuzz/fuzz_<name> <file>; see docs/fuzzing.md)" >&2
  exit 1
fi
