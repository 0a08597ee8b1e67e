#!/usr/bin/env bash
# Benchmarks of the memory profilers:
#  1. the cost to an allocation-heavy workload (Memory --bench: one thread allocating small short-lived objects and
#     nothing else, about 11 GB/s, the worst case; BENCH_WORKLOAD=mixed: small list and string work, about ten
#     objects per unit; BENCH_THREADS=N: N threads, 1 unless told, which leaves the machine's other core to the
#     tools, the timer and this script: with 2 threads on this 2-vCPU VM the workload's own rate swings by 40 %)
#     of `allocations` (with and without stacks), of `dotnet-trace collect --profile gc-verbose`, and of
#     dotnet-trace with nothing but the runtime's allocation-sampling keyword (what emitting the AllocationSampled
#     event costs the runtime, whoever listens), with the paired design of bench/cpu.sh (shared code in
#     bench/paired.sh). Every run is one workload process (Memory --bench --ticks, which prints the allocations
#     made in each second) that is its own baseline:
#       warm-up 2 s, then
#       phase A: nothing attached, SECONDS;
#       phase B: the tool under test attached for SECONDS+2 (drdotnet profile --duration, dotnet-trace collect -p
#                --duration); it ends when the tool has exited;
#       phase C: nothing attached, SECONDS, from 1 s after the tool exited.
#     Which seconds count (each tick covers the second since the previous tick): A the ticks that end before the
#     attach; B those whose whole second lies between the attach and the tool's exit; C those that start at
#     least 1 s after the exit. The attach is the moment the script sees drdotnet's stderr line "attached to pid"
#     or dotnet-trace's stdout line "Process        : ..." (when that line does not come: the tool's start
#     + 1 s; the notes say how many runs used that). Per run: ratio = mean(B) / mean(A and C together).
#     Configurations, runs interleaved: none (the null experiment: the same timing with nothing attached in B,
#     which shows the method's own noise), drdotnet allocations (stacks reused by frame-pointer chain), drdotnet
#     allocations walker=runtime (the runtime walks every sample's stack), drdotnet allocations stacks=false,
#     dotnet-trace gc-verbose, dotnet-trace allocation-sampling keyword only (BENCH_CONFIGS="key ..." runs a
#     subset: none drdotnet-allocations drdotnet-allocations-runtime-walk drdotnet-allocations-nostacks
#     dotnet-trace-gc-verbose dotnet-trace-keyword). Prints a Markdown table of the median ratio per
#     configuration and every run's ratio; a run whose tool fails, or whose B has fewer than SECONDS-2 ticks, or
#     whose workload stops before C is complete, is reported as failed; the script goes on.
#  2. the target's pause for a heap snapshot of a heap of about 1 GiB: drdotnet heap-snapshot against
#     dotnet-gcdump collect on the same process (its pause measured by drdotnet runtime-pauses meanwhile), in
#     SNAPSHOTS alternated rounds, medians.
# Usage: bench/memory.sh [RUNS] [SECONDS] [LEAKED_SESSIONS] [SNAPSHOTS]
#        (SECONDS: the length of each phase of part 1; defaults 5, 8, 900000, 5; SNAPSHOTS 0 skips part 2;
#        needs scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-5}
secs=${2:-8}
leak=${3:-900000}
snapshots=${4:-5}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ && $leak =~ ^[1-9][0-9]*$ &&
    $snapshots =~ ^[0-9]+$ ]] || ((secs > 3600)); then
    echo "usage: bench/memory.sh [RUNS] [SECONDS] [LEAKED_SESSIONS] [SNAPSHOTS]" >&2
    exit 2
fi
drd="$build/drdotnet"
app="$build/targets/Memory/Memory.dll"
if [ ! -f "$app" ] || [ ! -x "$drd" ]; then
    echo "bench/memory.sh: $app or $drd missing; run scripts/build.sh first" >&2
    exit 2
fi
work=$(mktemp -d)
export DRDOTNET_HOME="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bench_name=bench/memory.sh
tick_unit=allocations/s
. "$root/bench/paired.sh"
# Part 1's processes by pid (paired_cleanup); part 2's background processes are this script's children.
cleanup() {
    paired_cleanup
    pkill -P $$ 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tools="$HOME/.dotnet/tools"
for t in dotnet-trace dotnet-gcdump; do
    [ -x "$tools/$t" ] || dotnet tool install -g "$t" >/dev/null
done
wait_line() { for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# Part 1. The workload's measured window outlasts the three phases with room for a slow attach and detach; the
# script ends the workload once C is complete. Every wait is bounded.
window=$((3 * secs + 40))
bench_threads=${BENCH_THREADS:-1}
case ${BENCH_WORKLOAD:-alloc} in
alloc) bench_kind=() ;;
mixed) bench_kind=(--mixed) ;;
*)
    echo "bench/memory.sh: BENCH_WORKLOAD is alloc or mixed" >&2
    exit 2
    ;;
esac
[[ $bench_threads =~ ^[1-9][0-9]?$ ]] || {
    echo "bench/memory.sh: BENCH_THREADS is 1 to 99" >&2
    exit 2
}
workload=(dotnet "$app" --bench "$window" --ticks --threads "$bench_threads" "${bench_kind[@]}")
# The workload's rates on its own (5 s), for the notes.
rates=$(dotnet "$app" --bench 5 --threads "$bench_threads" "${bench_kind[@]}" |
    awk '/^throughput/ {t = $2} /^allocated/ {a = $2} END {printf "%s thousand units/s, %s MB/s allocated", t, a}')
app_limit=$((window + 60))
tool_secs=$((secs + 2))
tool_limit=$((tool_secs + 60))
trace="$tools/dotnet-trace"
trace_duration=$(printf '%02d:%02d:%02d' $((tool_secs / 3600)) $((tool_secs / 60 % 60)) $((tool_secs % 60)))
configs=(none drdotnet-allocations drdotnet-allocations-runtime-walk drdotnet-allocations-nostacks
    dotnet-trace-gc-verbose dotnet-trace-keyword)
if [ -n "${BENCH_CONFIGS:-}" ]; then
    read -r -a configs <<<"$BENCH_CONFIGS"
fi
labels=([none]="none" [drdotnet-allocations]="drdotnet allocations"
    [drdotnet-allocations-runtime-walk]="drdotnet allocations walker=runtime"
    [drdotnet-allocations-nostacks]="drdotnet allocations stacks=false"
    [dotnet-trace-gc-verbose]="dotnet-trace gc-verbose"
    [dotnet-trace-keyword]="dotnet-trace allocation-sampling keyword only")
paired_init
declare -A statuses=([drdotnet-allocations]="" [drdotnet-allocations-runtime-walk]="" [drdotnet-allocations-nostacks]="")

# Phase B of a run (bench/paired.sh: paired_run).
phase_b() {
    local key=$1 extra=()
    case $key in
    none)
        paired_none
        ;;
    drdotnet-*)
        case $key in
        drdotnet-allocations-nostacks) extra=(--param stacks=false) ;;
        drdotnet-allocations-runtime-walk) extra=(--param walker=runtime) ;;
        esac
        paired_drdotnet "$drd" allocations "${extra[@]}"
        statuses[$key]+="$status/rc=$tool_rc "
        ;;
    dotnet-trace-gc-verbose)
        paired_dotnet_trace "$key" --profile gc-verbose
        ;;
    dotnet-trace-keyword)
        paired_dotnet_trace "$key" --providers Microsoft-Windows-DotNETRuntime:0x80000000000:4
        ;;
    esac
}
paired_dir=$work/paired

for r in $(seq 1 "$runs"); do
    for k in "${configs[@]}"; do
        paired_run "$k" "$r"
    done
done

echo "### Allocation throughput, paired: B (tool attached) against A and C (nothing attached) in one process"
echo
paired_table "$runs" "allocation throughput lost"
echo
paired_cpu_table "$runs"
echo
echo "Workload: Memory --bench ${BENCH_WORKLOAD:-alloc}, $bench_threads thread(s); on its own: $rates."
echo "A tick is the units of work the workload's threads did in one second; B: the seconds wholly between the"
echo "attach and the tool's exit, A: those before the attach, C: those from 1 s after the exit."
echo "drdotnet sessions (status/exit): allocations ${statuses[drdotnet-allocations]% };" \
    "walker=runtime ${statuses[drdotnet-allocations-runtime-walk]% };" \
    "stacks=false ${statuses[drdotnet-allocations-nostacks]% }"
for k in dotnet-trace-gc-verbose dotnet-trace-keyword; do
    if [ "${fallbacks[$k]:-0}" -gt 0 ]; then
        echo "${labels[$k]} printed no 'Process' line in ${fallbacks[$k]} runs: there B starts 1 s after its start."
    fi
done
paired_details

[ "$snapshots" -gt 0 ] || exit 0
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
