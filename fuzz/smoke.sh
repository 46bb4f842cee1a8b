#!/usr/bin/env bash
# The fuzz smoke step (run by .ci/run): every schedule target finds each of
# its scenario's broken variants (those the catalogue expects shuttle to
# catch) within $RUNS runs from the committed corpus with a fixed seed, and
# its other variants survive $SURVIVE runs; every operations target does the
# same with the variants the model test must catch or pass. The catalogue
# decides which is which (`synclab fuzz-plan`).
#
#   fuzz/smoke.sh           check, exit non-zero on a mismatch
#   fuzz/smoke.sh --table   also print a Markdown table: runs and seconds
#                           until each crash, beside shuttle's schedules
#   ONLY='*pool*' fuzz/smoke.sh   only the targets whose names match
set -euo pipefail
cd "$(dirname "$0")"

RUNS=${RUNS:-50000}
SURVIVE=${SURVIVE:-2000}
TABLE=${1:-}
host=$(rustc -vV | sed -n 's/^host: //p')
bins=target/$host/release
lab() { cargo run --quiet --manifest-path ../Cargo.toml -- "$@"; }

cargo +nightly fuzz build >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
rows=()
for source in fuzz_targets/${ONLY:-*}.rs; do
    target=$(basename "$source" .rs)
    id=$(grep -o '"[^"]*"' "$source" | tr -d '"')
    case $target in ops_*) kind=ops ;; *) kind=schedule ;; esac
    while read -r variant expect; do
        rm -rf "$work/corpus" "$work/log" && mkdir "$work/corpus"
        limit=$SURVIVE
        [ "$expect" = crash ] && limit=$RUNS
        start=$(date +%s%N)
        if SYNCLAB_VARIANT=$variant "$bins/$target" -runs="$limit" -seed=1 -print_final_stats=1 \
            -artifact_prefix="$work/" "$work/corpus" "corpus/$target" >"$work/log" 2>&1; then
            result=survive
        elif grep -q "$variant: " "$work/log"; then
            result=crash
        else
            result=error
        fi
        millis=$((($(date +%s%N) - start) / 1000000))
        seconds=$(printf '%d.%02d' $((millis / 1000)) $((millis % 1000 / 10)))
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
        printf '%-32s %-40s %-8s (expected %s) %s runs %ss\n' "$target" "$variant" "$result" "$expect" "${runs:-?}" "$seconds"
        if [ "$result" != "$expect" ]; then
            failures=$((failures + 1))
            tail -n 20 "$work/log"
        fi
        if [ "$kind" = schedule ] && [ "$expect" = crash ]; then
            rows+=("$variant $runs $seconds")
        fi
    done < <(lab fuzz-plan "$kind" "$id")
done

if [ "$TABLE" = --table ]; then
    echo
    echo "| broken variant | fuzzer runs until found | seconds | shuttle-random schedules | shuttle-pct schedules |"
    echo "|---|---|---|---|---|"
    for row in "${rows[@]}"; do
        read -r variant runs seconds <<<"$row"
        shuttle=$(lab run "$variant" --checker shuttle-random --checker shuttle-pct --json 2>/dev/null |
            python3 -c 'import json,sys; print(" ".join(str(r["schedules"]) for r in json.load(sys.stdin)))')
        read -r random pct <<<"$shuttle"
        printf '| %s | %s | %s | %s | %s |\n' "$variant" "$runs" "$seconds" "$random" "$pct"
    done
fi

if [ "$failures" -ne 0 ]; then
    echo "fuzz smoke: $failures target/variant pair(s) did not behave as the catalogue expects"
    exit 1
fi
echo "fuzz smoke: every target behaved as the catalogue expects"
