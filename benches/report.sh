#!/usr/bin/env bash
# Runs the whole benchmark suite and regenerates BENCHMARKS.md from
# criterion's estimates. Pass criterion options after `--` (e.g. -- --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench "$@"
cargo run --release --quiet -- bench-summary > BENCHMARKS.md
echo "BENCHMARKS.md regenerated"
