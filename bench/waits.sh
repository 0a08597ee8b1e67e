#!/usr/bin/env bash
# Benchmark: the cost of the waits profiler to a contention-heavy workload (the Waits target's --bench: 24 pairs of
# threads taking a lock in turn, about 10,000 contended acquisitions a second), against dotnet-trace collecting the
# same events (the runtime provider's contention, threading and wait-handle keywords, at Verbose: the level the
# wait-handle events need), with the paired design of bench/cpu.sh (bench/paired.sh): every run is one workload
# process that is its own baseline, phase A nothing attached, phase B the tool attached for SECONDS+2, phase C after
# the tool left. The workload mostly sleeps, so the cost shows less in its throughput (acquisitions a second) than
# in its CPU time: the second table gives the acquisitions per CPU second of the whole process, B against A and C.
# Configurations: none (the method's own noise), drdotnet-waits (the defaults: stacks for waits of 100 us or more,
# at most 2,000 stack walks a second), drdotnet-waits-nostacks (min_wait_us past any wait: counts and times only),
# dotnet-trace. Prints Markdown tables, then how many contended acquisitions drdotnet saw in each session.
# The contention rate: BENCH_PAIRS thread pairs (default 24: about 10,000 contended acquisitions a second on the 2-core
# machine, about 420 a pair); BENCH_PAIRS=240 is the storm (as many as the machine can make: it is CPU-bound there).
# Usage: [BENCH_PAIRS=N] bench/waits.sh [RUNS] [SECONDS]   (needs a build: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-3}
secs=${2:-8}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ ]] || ((secs > 3600)); then
    echo "usage: bench/waits.sh [RUNS] [SECONDS]" >&2
    exit 2
fi
bench_dll="$build/targets/Waits/Waits.dll"
if [ ! -f "$bench_dll" ] || [ ! -x "$build/drdotnet" ]; then
    echo "bench/waits.sh: $bench_dll or $build/drdotnet missing; run scripts/build.sh first" >&2
    exit 2
fi
export DRDOTNET_HOME=$(mktemp -d)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
trace="$HOME/.dotnet/tools/dotnet-trace"
if [ ! -x "$trace" ]; then
    dotnet tool install -g dotnet-trace >/dev/null
fi

bench_name=bench/waits.sh
tick_unit=acquisitions/s
. "$root/bench/paired.sh"
cleanup() {
    paired_cleanup
    rm -rf "$DRDOTNET_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

window=$((3 * secs + 40))
pairs=${BENCH_PAIRS:-24}
if ! [[ $pairs =~ ^[1-9][0-9]*$ ]] || ((pairs > 2000)); then
    echo "bench/waits.sh: BENCH_PAIRS must be 1 to 2000" >&2
    exit 2
fi
workload=(dotnet "$bench_dll" --bench "$window" --warmup 2 --ticks --pairs "$pairs")
app_limit=$((window + 60))
tool_secs=$((secs + 2))
tool_limit=$((tool_secs + 60))
# contention 0x4000, threading 0x10000, wait handles 0x40000000000; level 5 (Verbose)
trace_providers="Microsoft-Windows-DotNETRuntime:0x40000014000:5"
trace_duration=$(printf '%02d:%02d:%02d' $((tool_secs / 3600)) $((tool_secs / 60 % 60)) $((tool_secs % 60)))

declare -A statuses seen
read -r -a configs <<<"${BENCH_CONFIGS:-none drdotnet-waits drdotnet-waits-nostacks dotnet-trace}"
for k in "${configs[@]}"; do
    case $k in
    none | drdotnet-waits | drdotnet-waits-nostacks | dotnet-trace) ;;
    *)
        echo "bench/waits.sh: unknown configuration '$k' in BENCH_CONFIGS" >&2
        exit 2
        ;;
    esac
done
paired_init
for k in "${configs[@]}"; do
    statuses[$k]=""
    seen[$k]=""
done

# Phase B of a run (bench/paired.sh: paired_run).
phase_b() {
    local key=$1
    case $key in
    none) paired_none ;;
    drdotnet-waits | drdotnet-waits-nostacks)
        if [ "$key" = drdotnet-waits ]; then
            paired_drdotnet "$build/drdotnet" waits
        else
            paired_drdotnet "$build/drdotnet" waits --param min_wait_us=10000000
        fi
        statuses[$key]+="$status/rc=$tool_rc "
        seen[$key]+="$events "
        ;;
    dotnet-trace) paired_dotnet_trace "$key" --providers "$trace_providers" ;;
    esac
}
paired_dir=$DRDOTNET_HOME

for r in $(seq 1 "$runs"); do
    for k in "${configs[@]}"; do
        paired_run "$k" "$r"
    done
done

paired_table "$runs" "throughput lost"
echo
paired_cpu_table "$runs"
echo
for k in drdotnet-waits drdotnet-waits-nostacks; do
    [[ " ${configs[*]} " == *" $k "* ]] || continue
    echo "$k: waits recorded per session (${tool_secs} s, $pairs pairs): ${seen[$k]% }; sessions (status/exit):" \
        "${statuses[$k]% }"
done
if [ "${fallbacks[dotnet-trace]:-0}" -gt 0 ]; then
    echo "dotnet-trace printed no 'Process' line in ${fallbacks[dotnet-trace]} runs: there B starts 1 s after"
    echo "its start."
fi
paired_details
