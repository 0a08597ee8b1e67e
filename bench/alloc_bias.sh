#!/usr/bin/env bash
# The bias of the attached allocations estimate on each runtime: on .NET 10 it comes from the runtime's
# AllocationSampled events, on .NET 8 and 9 from AllocationTick events (one per ~100 KB allocated, naming the
# type of the object that crossed the mark). The workload (tests/targets/Runtimes --interleave 1) allocates two
# object sizes in turn with a known byte ratio: PAYLOADS Payload objects of 48 bytes and ARRAYS int[256] of 1,048
# bytes, so Payload bytes / int[] bytes = 48 * PAYLOADS / (1048 * ARRAYS). Each run is one process, one
# `allocations` session of SECONDS that covers the whole workload (which takes 1-2 s); the error of a run is estimated ratio / true ratio - 1.
# Prints, per runtime, every run's error and their mean, and each type's bytes error.
# Usage: bench/alloc_bias.sh [RUNS] [PAYLOADS] [ARRAYS] [SECONDS] (defaults 5, 20000000, 1000000, 6; needs
# scripts/build.sh)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-5}
payloads=${2:-20000000}
arrays=${3:-1000000}
secs=${4:-6}
work=$(mktemp -d "${TMPDIR:-/tmp}/drd-alloc-bias.XXXXXX")
export DRDOTNET_HOME="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
wait_line() { for _ in $(seq 1 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

truth=$(awk -v p="$payloads" -v a="$arrays" 'BEGIN { printf "%.6f", 48 * p / (1048 * a) }')
echo "workload: $payloads x 48 B and $arrays x 1,048 B, interleaved; true byte ratio $truth; $runs runs per runtime"
echo
echo "| runtime | event | byte ratio error, mean | per run | Payload bytes error, mean | int[] bytes error, mean |"
echo "|---|---|---|---|---|---|"
for tfm in net8.0 net9.0 net10.0; do
    errs=() perr=() aerr=() mode=
    for run in $(seq 1 "$runs"); do
        dir="$work/$tfm.$run"
        mkdir -p "$dir"
        if [ "$tfm" == net10.0 ]; then
            cmd=(dotnet "$build/targets/Runtimes/Runtimes.dll")
        else
            cmd=("$build/targets/Runtimes-$tfm/Runtimes")
        fi
        "${cmd[@]}" --dir "$dir" --payloads "$payloads" --arrays "$arrays" --interleave 1 >"$dir.out" 2>&1 &
        pid=$!
        wait_line "$dir.out" '^ready' || { echo "$tfm run $run: the target did not start" >&2; continue; }
        "$build/drdotnet" profile "$pid" allocations --duration "$secs" --param stacks=false --json >"$dir.json" \
            2>"$dir.err" &
        tool=$!
        wait_line "$dir.err" "attached to pid $pid" && touch "$dir/go-alloc"
        wait "$tool" || echo "$tfm run $run: the session did not complete: $(tail -1 "$dir.err")" >&2
        grep -q 'alloc done' "$dir.out" || echo "$tfm run $run: the workload did not finish within the session" >&2
        touch "$dir/stop"
        wait "$pid"
        pid=
        mode=$(jq -r .report.mode "$dir.json")
        read -r e pe ae < <(jq -r --argjson p "$payloads" --argjson a "$arrays" '
            [.report.types[] | {(.type): .bytes}] | add as $b
            | ($b["DrDotnet.Targets.Payload"] // 0) as $pb | ($b["System.Int32[]"] // 0) as $ab
            | "\(if $ab > 0 then ($pb / $ab) / (48 * $p / (1048 * $a)) - 1 else "nan" end) \($pb / (48 * $p) - 1) \($ab / (1048 * $a) - 1)"' \
            "$dir.json")
        errs+=("$e") perr+=("$pe") aerr+=("$ae")
    done
    pct() { awk '{ printf "%+.1f %%", 100 * $1 }'; }
    mean() { printf '%s\n' "$@" | awk '{ s += $1; n++ } END { if (n) printf "%+.1f %%", 100 * s / n }'; }
    each=$(for e in "${errs[@]}"; do echo "$e" | pct; echo -n ", "; done | sed 's/, $//')
    echo "| $tfm | $mode | $(mean "${errs[@]}") | $each | $(mean "${perr[@]}") | $(mean "${aerr[@]}") |"
done
