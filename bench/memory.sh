#!/usr/bin/env bash
# Benchmarks of the memory profilers:
#  1. an allocation-heavy workload's throughput with no profiler, with `allocations` (with and without stacks),
#     under `dotnet-trace collect --profile gc-verbose`, and under dotnet-trace with nothing but the runtime's
#     allocation-sampling keyword (what emitting the AllocationSampled event costs the runtime, whoever listens),
#     runs interleaved, medians and ratios;
#  2. the target's pause for a heap snapshot of a heap of about 1 GiB: drdotnet heap-snapshot against
#     dotnet-gcdump collect on the same process (its pause measured by drdotnet runtime-pauses meanwhile), in
#     SNAPSHOTS alternated rounds, medians.
# Usage: bench/memory.sh [RUNS] [SECONDS] [LEAKED_SESSIONS] [SNAPSHOTS]
#        (defaults 5, 5, 900000, 5; needs scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-5}
seconds=${2:-5}
leak=${3:-900000}
snapshots=${4:-5}
work=$(mktemp -d)
export DRDOTNET_HOME="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
tools="$HOME/.dotnet/tools"
for t in dotnet-trace dotnet-gcdump; do
    [ -x "$tools/$t" ] || dotnet tool install -g "$t" >/dev/null
done
drd="$build/drdotnet"
app="$build/targets/Memory/Memory.dll"
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
wait_line() { for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

none="" prof="" nostack="" trace="" floor=""
for r in $(seq 1 "$runs"); do
    none+="$(dotnet "$app" --bench "$seconds" | awk '/^throughput/ {print $2}') "

    out="$work/p$r.out"
    dotnet "$app" --go-file "$work/go$r" --bench "$seconds" >"$out" &
    pid=$!
    wait_line "$out" '^ready'
    "$drd" profile "$pid" allocations --duration $((seconds + 6)) >/dev/null 2>"$work/p$r.err" &
    tool=$!
    wait_line "$work/p$r.err" attached
    touch "$work/go$r"
    wait "$pid"
    wait "$tool" || true
    prof+="$(awk '/^throughput/ {print $2}' "$out") "

    out="$work/q$r.out"
    dotnet "$app" --go-file "$work/goq$r" --bench "$seconds" >"$out" &
    pid=$!
    wait_line "$out" '^ready'
    "$drd" profile "$pid" allocations --duration $((seconds + 6)) --param stacks=false >/dev/null 2>"$work/q$r.err" &
    tool=$!
    wait_line "$work/q$r.err" attached
    touch "$work/goq$r"
    wait "$pid"
    wait "$tool" || true
    nostack+="$(awk '/^throughput/ {print $2}' "$out") "

    trace+="$("$tools/dotnet-trace" collect --profile gc-verbose --show-child-io -o "$work/t$r.nettrace" -- \
        dotnet "$app" --bench "$seconds" 2>/dev/null | awk '/^throughput/ {print $2}') "

    floor+="$("$tools/dotnet-trace" collect --providers Microsoft-Windows-DotNETRuntime:0x80000000000:4 \
        --show-child-io -o "$work/f$r.nettrace" -- dotnet "$app" --bench "$seconds" 2>/dev/null |
        awk '/^throughput/ {print $2}') "
done
b=$(echo "$none" | median)
echo "### Allocation throughput (thousand allocations/s, median of $runs runs of ${seconds} s)"
echo
echo "| run | median | ratio to no profiler | lost |"
echo "|---|---|---|---|"
for row in "none:$none" "drdotnet allocations:$prof" "drdotnet allocations stacks=false:$nostack" \
    "dotnet-trace gc-verbose:$trace" "dotnet-trace, allocation-sampling keyword only:$floor"; do
    name=${row%%:*}
    m=$(echo "${row#*:}" | median)
    awk -v n="$name" -v m="$m" -v b="$b" 'BEGIN { printf "| %s | %d | %.3f | %.1f%% |\n", n, m, m / b, 100 * (1 - m / b) }'
done
echo
echo "runs: none [$none] drdotnet [$prof] drdotnet stacks=false [$nostack] dotnet-trace [$trace]" \
    "keyword only [$floor]"

echo
echo "### Heap snapshot pause on one process holding $leak sessions of 1 KiB"
out="$work/leak.out"
dotnet "$app" --leak "$leak" --stop-file "$work/stop" >"$out" &
pid=$!
wait_line "$out" "^sessions $leak"
heap_mb=$(awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status")
ours="" theirs="" objects="" graph_mb=""
for round in $(seq 1 "$snapshots"); do
    for attempt in 1 2 3; do
        # attaching with GC monitoring waits for a background GC to end; a busy heap may need another try
        "$drd" profile "$pid" heap-snapshot --quiet >/dev/null 2>"$work/heap.err" && break
        cat "$work/heap.err" >&2
        sleep 2
    done
    s=$(ls -td "$DRDOTNET_HOME"/sessions/*heap-snapshot*/ | head -1)
    ours+="$(awk -F'\t' '$1 == "m" && $2 == "pause_ns" {printf "%.1f", $3 / 1e6}' "$s/heap-snapshot.raw") "
    objects=$(awk -F'\t' '$1 == "m" && $2 == "objects" {print $3}' "$s/heap-snapshot.raw")
    graph_mb=$(du -m "$s/heap-snapshot.graph" | cut -f1)
    rm -rf "$s"
    "$drd" profile "$pid" runtime-pauses --duration 25 --json >"$work/pauses.json" 2>"$work/pauses.err" &
    tool=$!
    wait_line "$work/pauses.err" attached
    "$tools/dotnet-gcdump" collect -p "$pid" -o "$work/x$round.gcdump" >/dev/null 2>&1 || true
    wait "$tool" || true
    theirs+="$(jq '.report.max_ms * 10 | round / 10' "$work/pauses.json") "
    rm -f "$work/x$round.gcdump"
done
touch "$work/stop"
wait "$pid" || true
echo
echo "| tool | target paused, median (ms) | each round (ms) | notes |"
echo "|---|---|---|---|"
echo "| drdotnet heap-snapshot | $(echo "$ours" | median) | $ours | $objects objects, RSS ${heap_mb} MB, graph file ${graph_mb} MB |"
echo "| dotnet-gcdump collect | $(echo "$theirs" | median) | $theirs | the longest pause runtime-pauses saw while it ran |"
