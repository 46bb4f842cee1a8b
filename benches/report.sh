#!/usr/bin/env bash
# Runs the benchmark suite several times and regenerates BENCHMARKS.md from
# criterion's estimates: every time and ratio as its median over the runs,
# with its spread (min–max), and the machine it ran on.
#
#   benches/report.sh                              # all, 5 runs, BENCHMARKS.md
#   RUNS=3 BENCHES=lock OUT=- benches/report.sh -- 'lock/contended'
#
# RUNS: runs per benchmark file (at least 5 for the report; default 5).
# BENCHES: which benchmark files (default: all of benches/*.rs).
# OUT: where the summary goes (default BENCHMARKS.md; `-` for stdout).
# Arguments after `--` go to criterion (a filter, --quick...).
#
# Each benchmark file runs RUNS times in a row before the next one starts,
# so the implementations a group compares alternate run by run: a noisy
# minute hits all of them, and each ratio is taken within a run. Run k of
# every file is saved under target/bench-runs/run-k (criterion's HTML
# included); the last run's is copied to target/criterion.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
out=${OUT:-BENCHMARKS.md}
benches=${BENCHES:-$(cd benches && ls ./*.rs | sed 's|^\./||; s|\.rs$||')}
[ "${1:-}" = "--" ] && shift
if ! [ "$runs" -ge 1 ] 2>/dev/null; then
    echo "report.sh: RUNS must be a whole number, at least 1 (got '$runs')" >&2
    exit 2
fi
dir=target/bench-runs
rm -rf "$dir"
mkdir -p "$dir"
cargo bench --no-run --quiet
cargo build --release --quiet
cat /proc/loadavg >"$dir/load-start" 2>/dev/null || true
for bench in $benches; do
    for run in $(seq 1 "$runs"); do
        echo "== $bench, run $run of $runs" >&2
        CRITERION_HOME="$dir/run-$run" cargo bench --quiet --bench "$bench" -- "$@" >/dev/null
    done
done
cat /proc/loadavg >"$dir/load-end" 2>/dev/null || true
mkdir -p target/criterion
cp -r "$dir/run-$runs/." target/criterion/
if [ "$out" = "-" ]; then
    cargo run --release --quiet -- bench-summary "$dir"
else
    cargo run --release --quiet -- bench-summary "$dir" >"$out"
    echo "$out regenerated from $runs runs" >&2
fi
