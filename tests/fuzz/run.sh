#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan and UBSan) and runs each one: first its committed crash regressions
# (tests/fuzz/regressions/<target>/, once each), then SECONDS_PER_TARGET seconds of fuzzing from a scratch copy
# of its seed corpus (tests/fuzz/corpus/<target>/, left as it is). Prints the executions per target; exits 1 on
# any crash, leak, sanitizer report or failed check, keeping the input in <build>/fuzz-artifacts/<target>/.
# Usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]    (default 20; the build folder is $FUZZ_BUILD_DIR or build-fuzz/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
fuzz_src="$root/tests/fuzz"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${1:-20}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: tests/fuzz/run.sh [SECONDS_PER_TARGET]" >&2
    exit 2
fi
if ! command -v clang >/dev/null; then
    echo "fuzz: clang is needed (scripts/setup.sh installs it with the libFuzzer runtime)" >&2
    exit 1
fi

# clang does not know some of gcc's warning options that the project turns off
log="$(mktemp)"
if ! CC=clang cmake -S "$root" -B "$build" -DDRD_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS=-Wno-unknown-warning-option >"$log" 2>&1 ||
    ! cmake --build "$build" --target fuzz -j"$(nproc)" >>"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    echo "fuzz: the build failed" >&2
    exit 1
fi
rm -f "$log"

# the inputs that must be files go to memory when it can: tens of thousands of small files a second
scratch_root="${TMPDIR:-/tmp}"
[ -d /dev/shm ] && [ -w /dev/shm ] && scratch_root=/dev/shm
work="$(mktemp -d "$scratch_root/drd-fuzz-run.XXXXXX")"
trap 'rm -rf "$work"' EXIT

export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

failed=0
summary=()
printf '%-22s %12s %8s %14s  %s\n' target executions exec/s "corpus" result
for src in "$fuzz_src"/fuzz_*.c; do
    t="$(basename "$src" .c)"
    exe="$build/tests/fuzz/$t"
    if [ ! -x "$exe" ]; then
        # tests/fuzz/CMakeLists.txt leaves out a target whose code this build does not have (the web UI)
        printf '%-22s %12s %8s %14s  %s\n' "$t" - - - "not built"
        continue
    fi
    dir="$work/$t"
    artifacts="$build/fuzz-artifacts/$t"
    mkdir -p "$dir/corpus" "$dir/tmp" "$artifacts"
    result=ok

    regressions=()
    if [ -d "$fuzz_src/regressions/$t" ]; then
        for f in "$fuzz_src/regressions/$t"/*; do [ -f "$f" ] && regressions+=("$f"); done
    fi
    if [ ${#regressions[@]} -gt 0 ] &&
        ! (cd "$dir" && TMPDIR="$dir/tmp" "$exe" "${regressions[@]}") >"$dir/regressions.log" 2>&1; then
        result="REGRESSION"
        failed=1
        echo "--- $t: a committed regression input fails again:" >&2
        grep -E 'Running:|ERROR|SUMMARY|check failed|runtime error' "$dir/regressions.log" | tail -20 >&2 || true
    fi

    seeds=0
    if [ -d "$fuzz_src/corpus/$t" ]; then
        cp "$fuzz_src/corpus/$t"/* "$dir/corpus/" 2>/dev/null || true
        seeds=$(find "$dir/corpus" -type f | wc -l)
    fi
    rc=0
    (cd "$dir" && TMPDIR="$dir/tmp" "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" corpus) >"$dir/fuzz.log" 2>&1 || rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/fuzz.log" | tail -1)
    [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$dir/fuzz.log" | tail -1 | tr -d '#')
    runs=${runs:-0}
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/fuzz.log" | tail -1)
    grown=$(find "$dir/corpus" -type f | wc -l)
    if [ "$rc" -ne 0 ]; then
        result="FINDING (exit $rc)"
        failed=1
        echo "--- $t: libFuzzer stopped with status $rc:" >&2
        grep -E 'ERROR|SUMMARY|check failed|runtime error|Test unit written|^    #[0-9]' "$dir/fuzz.log" | head -30 >&2 || true
        echo "--- once fixed, keep that input in tests/fuzz/regressions/$t/" >&2
    fi
    printf '%-22s %12s %8s %14s  %s\n' "$t" "$runs" "${speed:-?}" "$seeds -> $grown" "$result"
    summary+=("$t $runs $result")
done
printf '%s\n' "${summary[@]}" >"$build/fuzz-summary.txt"
echo "fuzz: $seconds s per target, $(date -u +%Y-%m-%dT%H:%MZ); summary in $build/fuzz-summary.txt"
exit "$failed"
