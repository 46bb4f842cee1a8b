#!/usr/bin/env bash
# Runs the benchmark suite several times and regenerates BENCHMARKS.md from
# criterion's estimates: every time and ratio as its median over the runs,
# with its spread (min–max), and the machine it ran on.
#
#   benches/report.sh                              # all, 5 runs, BENCHMARKS.md
#   RUNS=3 BENCHES=lock OUT=- benches/report.sh -- 'lock/contended'
#
# RUNS: runs per benchmark file (default 5; BENCHMARKS.md takes at least 5).
# BENCHES: which benchmark files (default: all of benches/*.rs).
# OUT: where the summary goes (default BENCHMARKS.md; `-` for stdout).
# Arguments after `--` go to criterion (a filter, --quick...). BENCHMARKS.md
# is only written from a whole run: all files, no arguments.
#
# Each benchmark file runs RUNS times in a row before the next one starts,
# so the implementations a group compares alternate run by run: a noisy
# minute hits all of them, and each ratio is taken within a run. Within a
# group, each run starts with another implementation (SYNCLAB_BENCH_RUN).
# Run k of every file is saved under target/bench-runs/run-k (criterion's
# HTML included); the last run's is copied to target/criterion.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
out=${OUT:-BENCHMARKS.md}
[ "${1:-}" = "--" ] && shift
fail() {
    echo "report.sh: $*" >&2
    exit 2
}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fail "RUNS must be a whole number, at least 1 (got '$runs')"
if [ "$out" = BENCHMARKS.md ]; then
    [ "$runs" -ge 5 ] || fail "BENCHMARKS.md takes at least 5 runs (RUNS=$runs); set OUT for fewer"
    [ -z "${BENCHES:-}" ] && [ $# -eq 0 ] ||
        fail "BENCHMARKS.md is written from whole runs only; set OUT for a partial one"
fi
benches=${BENCHES:-$(cd benches && ls ./*.rs | sed 's|^\./||; s|\.rs$||')}
dir=target/bench-runs
rm -rf "$dir"
mkdir -p "$dir"
cargo bench --no-run --quiet
cargo build --release --quiet

# The machine, as the runs begin: the build's load settled first (up to a
# minute), then the 1, 5 and 15 minute load averages and the frequency.
note() {
    cut -d' ' -f1-3 /proc/loadavg >"$dir/load-$1" 2>/dev/null || true
    awk -F: '/^cpu MHz/ { gsub(/ /, "", $2); print $2; exit }' /proc/cpuinfo \
        >"$dir/frequency-$1" 2>/dev/null || true
}
for _ in $(seq 1 12); do
    awk '{ exit !($1 < 0.5) }' /proc/loadavg 2>/dev/null && break
    sleep 5
done
note start
for bench in $benches; do
    for run in $(seq 1 "$runs"); do
        echo "== $bench, run $run of $runs" >&2
        CRITERION_HOME="$dir/run-$run" SYNCLAB_BENCH_RUN=$run \
            cargo bench --quiet --bench "$bench" -- "$@" >/dev/null
    done
done
note end
if [ -d "$dir/run-$runs" ]; then
    mkdir -p target/criterion
    cp -r "$dir/run-$runs/." target/criterion/
fi
if [ "$out" = "-" ]; then
    cargo run --release --quiet -- bench-summary "$dir"
else
    cargo run --release --quiet -- bench-summary "$dir" >"$out.new"
    mv "$out.new" "$out"
    echo "$out regenerated from $runs runs" >&2
fi
