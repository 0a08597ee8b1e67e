#!/usr/bin/env bash
# Benchmark: the cost of the cpu-hotpaths profiler (99 Hz, cpu and wall modes) to a CPU-bound workload
# (CpuBench, 2 threads), against dotnet-trace's CPU sampling, measured with a paired design inside one process.
# drdotnet-cpu and drdotnet-wall use sampler=suspend (stop the runtime, walk every thread); drdotnet-cpu-signal
# uses sampler=signal (per-thread CPU timers, SIGPROF, a frame-pointer walk) at the same rate.
#
# Why paired: between separate processes the plain workload's throughput spreads by up to 15 % on a 2-core VM,
# far more than the cost to measure. So every run is one workload process (CpuBench --ticks, which prints the
# units completed in each second) that is its own baseline (the code shared with bench/memory.sh is in
# bench/paired.sh):
#   warm-up 2 s, then
#   phase A: nothing attached, SECONDS;
#   phase B: the tool under test attached for SECONDS+2 (drdotnet profile --duration, dotnet-trace collect -p
#            --duration); it ends when the tool has exited (drdotnet exits once the runtime unloaded its library);
#   phase C: nothing attached, SECONDS, from 1 s after the tool exited.
# Which seconds count (each tick covers the second since the previous tick):
#   A: the ticks that end before the attach;
#   B: the ticks whose whole second lies between the attach and the tool's exit. The attach is the moment the
#      script sees drdotnet's stderr line "attached to pid" (the script timestamps it), or dotnet-trace's stdout
#      line "Process        : ...", which it prints once the runtime accepted its EventPipe session (when that
#      line does not come: the tool's start + 1 s; the notes say how many runs used that);
#   C: the ticks that start at least 1 s after the tool exited.
# The ticks around the attach and the exit are left out of all three. Per run: ratio = mean(B) / mean(A and C
# together); a drift of the machine's load across the run is thus compared with both sides of B. Configurations:
# none (the null experiment: the same timing with nothing attached in B, which shows the method's own noise),
# drdotnet-cpu, drdotnet-cpu-signal, drdotnet-wall, dotnet-trace; runs interleaved (run 1 of every
# configuration, then run 2, ...).
# Prints a Markdown table of the median ratio per configuration, then how long drdotnet takes from its start to
# its first sample, then every run's ratio. A run whose tool fails, or whose B has fewer than SECONDS-2 ticks, or
# whose workload stops before C is complete, is reported as failed; the script goes on.
# Usage: bench/cpu.sh [RUNS] [SECONDS]   (SECONDS: the length of each phase; needs a build: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-5}
secs=${2:-8}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ ]] || ((secs > 3600)); then
    echo "usage: bench/cpu.sh [RUNS] [SECONDS]" >&2
    exit 2
fi
bench_dll="$build/targets/CpuBench/CpuBench.dll"
if [ ! -f "$bench_dll" ] || [ ! -x "$build/drdotnet" ]; then
    echo "bench/cpu.sh: $bench_dll or $build/drdotnet missing; run scripts/build.sh first" >&2
    exit 2
fi
export DRDOTNET_HOME=$(mktemp -d)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
trace="$HOME/.dotnet/tools/dotnet-trace"
if [ ! -x "$trace" ]; then
    dotnet tool install -g dotnet-trace >/dev/null
fi

bench_name=bench/cpu.sh
tick_unit=units/s
. "$root/bench/paired.sh"
cleanup() {
    paired_cleanup
    rm -rf "$DRDOTNET_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The workload's measured window outlasts the three phases with room for a slow attach and detach; the script
# ends the workload once C is complete. Every wait below is bounded, so a hung workload or tool cannot stall the
# benchmark.
window=$((3 * secs + 40))
workload=(dotnet "$bench_dll" --seconds "$window" --warmup 2 --threads 2 --ticks)
app_limit=$((window + 60))
tool_secs=$((secs + 2))
tool_limit=$((tool_secs + 60))
first_sample=1 # paired_drdotnet also times the first sample
# `dotnet-trace collect --profile cpu-sampling` is refused by dotnet-trace 10 ("does not apply to collect":
# it became a kernel-sampling profile of collect-linux). These are the providers that the cpu-sampling profile
# of `collect` stood for up to dotnet-trace 9: the runtime's thread-stack sampler plus the runtime events to
# resolve the stacks. Its sampling rate is the runtime's own, not drdotnet's 99 Hz.
trace_providers="Microsoft-DotNETCore-SampleProfiler:0xF00000000000:5,Microsoft-Windows-DotNETRuntime:0x14C14FCCBD:4"
trace_duration=$(printf '%02d:%02d:%02d' $((tool_secs / 3600)) $((tool_secs / 60 % 60)) $((tool_secs % 60)))

declare -A statuses
# BENCH_CONFIGS (space-separated) runs a subset; drdotnet-exceptions, drdotnet-pauses and drdotnet-three (cpu-hotpaths
# with the signal sampler, exceptions and runtime-pauses in one session) are the multi-profiler comparison: the
# three together should cost no more than the sum of the three alone (drdotnet-cpu-signal, drdotnet-exceptions,
# drdotnet-pauses) in the same run.
read -r -a configs <<<"${BENCH_CONFIGS:-none drdotnet-cpu drdotnet-cpu-signal drdotnet-wall dotnet-trace}"
for k in "${configs[@]}"; do
    case $k in
    none | drdotnet-cpu | drdotnet-cpu-signal | drdotnet-wall | drdotnet-exceptions | drdotnet-pauses | drdotnet-three | \
        dotnet-trace) ;;
    *)
        echo "bench/cpu.sh: unknown configuration '$k' in BENCH_CONFIGS" >&2
        exit 2
        ;;
    esac
done
paired_init
for k in "${configs[@]}"; do
    statuses[$k]=""
done

# Phase B of a run (bench/paired.sh: paired_run).
phase_b() {
    local key=$1 mode sampler
    case $key in
    none)
        paired_none
        ;;
    drdotnet-exceptions | drdotnet-pauses | drdotnet-three)
        case $key in
        drdotnet-exceptions) paired_drdotnet "$build/drdotnet" exceptions ;;
        drdotnet-pauses) paired_drdotnet "$build/drdotnet" runtime-pauses ;;
        drdotnet-three)
            paired_drdotnet "$build/drdotnet" cpu-hotpaths,exceptions,runtime-pauses --param frequency=99 \
                --param sampler=signal
            ;;
        esac
        statuses[$key]+="$status/rc=$tool_rc "
        ;;
    drdotnet-*)
        mode=${key#drdotnet-}
        mode=${mode%-signal}
        sampler=suspend
        [ "$key" = "${key%-signal}" ] || sampler=signal
        paired_drdotnet "$build/drdotnet" cpu-hotpaths --param frequency=99 --param mode="$mode" \
            --param sampler="$sampler"
        statuses[$key]+="$status/rc=$tool_rc "
        # Samples: counted in session.json, or seen in progress.json (a session.json written by the tool,
        # when the profiler could not write its own, has no count).
        if [ -z "$why" ] && [ -z "$first" ] && ! [ "$events" -gt 0 ] 2>/dev/null; then
            why="no samples"
        fi
        ;;
    dotnet-trace)
        paired_dotnet_trace "$key" --providers "$trace_providers"
        ;;
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
echo "| configuration | median ms from \`drdotnet profile\` start to first sample | range | sessions (status/exit) |"
echo "|---|---|---|---|"
for k in drdotnet-cpu drdotnet-cpu-signal drdotnet-wall; do
    [[ " ${configs[*]} " == *" $k "* ]] || continue
    m=$(echo "${firsts[$k]}" | median)
    echo "| $k | ${m:-failed} | $(echo "${firsts[$k]}" | span) | ${statuses[$k]% } |"
done
echo
echo "first sample: seen in the session's progress.json, which the profiler rewrites every 0.5 s (so up to"
echo "0.5 s late). A tick is the units both threads completed in one second; B: the seconds wholly between the"
echo "attach and the tool's exit, A: those before the attach, C: those from 1 s after the exit."
if [ "${fallbacks[dotnet-trace]:-0}" -gt 0 ]; then
    echo "dotnet-trace printed no 'Process' line in ${fallbacks[dotnet-trace]} runs: there B starts 1 s after its start."
fi
paired_details
