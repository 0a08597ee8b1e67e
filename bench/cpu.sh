#!/usr/bin/env bash
# Benchmark: the cost of the cpu-hotpaths profiler (99 Hz, cpu and wall modes) to a CPU-bound workload
# (CpuBench, 2 threads), against no profiler and against dotnet-trace's CPU sampling, runs interleaved.
# drdotnet-cpu and drdotnet-wall use sampler=suspend (stop the runtime, walk every thread); drdotnet-cpu-signal
# uses sampler=signal (per-thread CPU timers, SIGPROF, a frame-pointer walk) at the same rate.
# Prints a Markdown table of median throughputs, then how long drdotnet takes from its start to its first
# sample. A drdotnet run that fails is reported as failed; the script goes on.
# Usage: bench/cpu.sh [RUNS] [SECONDS]   (needs a build: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-5}
secs=${2:-10}
if ! [[ $runs =~ ^[1-9][0-9]*$ && $secs =~ ^[1-9][0-9]*$ ]]; then
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

# Background processes of the run under way, ended (by pid) if the script stops early.
live_pids=()
cleanup() {
    for p in "${live_pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
    rm -rf "$DRDOTNET_HOME"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

app=(dotnet "$bench_dll" --seconds "$secs" --warmup 2 --threads 2)
# Every run is bounded, so a hung workload or tool cannot stall the benchmark.
limit=$((secs + 60))
# `dotnet-trace collect --profile cpu-sampling` is refused by dotnet-trace 10 ("does not apply to collect":
# it became a kernel-sampling profile of collect-linux). These are the providers that the cpu-sampling profile
# of `collect` stood for up to dotnet-trace 9: the runtime's thread-stack sampler plus the runtime events to
# resolve the stacks. Its sampling rate is the runtime's own, not drdotnet's 99 Hz.
trace_providers="Microsoft-DotNETCore-SampleProfiler:0xF00000000000:5,Microsoft-Windows-DotNETRuntime:0x14C14FCCBD:4"

# A sleep that forks nothing (read timing out on a pipe nobody writes to), so that polling while the
# workload runs costs it as little CPU as possible.
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }
# Milliseconds since the epoch, into $now_ms, without a fork.
stamp() {
    local t=${EPOCHREALTIME//[.,]/}
    now_ms=$((t / 1000))
}
throughput_of() { sed -n 's/^throughput \([0-9][0-9]*\)$/\1/p' "$1" | tail -n 1; }

declare -A tput fails firsts statuses
configs=(none drdotnet-cpu drdotnet-cpu-signal drdotnet-wall dotnet-trace)
for k in "${configs[@]}"; do
    tput[$k]="" fails[$k]=0 firsts[$k]="" statuses[$k]=""
done

record() { # record CONFIG OUTPUT_FILE: the workload's throughput, or a failure
    local t
    t=$(throughput_of "$2")
    if [ -n "$t" ]; then
        tput[$1]+="$t "
    else
        fails[$1]=$((fails[$1] + 1))
    fi
}

run_plain() {
    local out="$DRDOTNET_HOME/none.out"
    if timeout "$limit" "${app[@]}" >"$out" 2>&1; then
        record none "$out"
    else
        fails[none]=$((fails[none] + 1))
    fi
}

run_trace() {
    local out="$DRDOTNET_HOME/trace.out"
    # --show-child-io: without it dotnet-trace swallows the workload's output (and its throughput line).
    if timeout $((limit + 60)) "$trace" collect --providers "$trace_providers" --show-child-io \
        -o "$DRDOTNET_HOME/t.nettrace" -- "${app[@]}" >"$out" 2>&1; then
        record dotnet-trace "$out"
    else
        fails[dotnet-trace]=$((fails[dotnet-trace] + 1))
    fi
    rm -f "$DRDOTNET_HOME/t.nettrace"
}

run_drdotnet() { # run_drdotnet MODE SAMPLER RUN
    local key="drdotnet-$1"
    [ "$2" = suspend ] || key+="-$2"
    local home="$DRDOTNET_HOME/$key-$3"
    local out="$home/workload.out" tool_out="$home/tool.out"
    local app_pid tool_pid pid="" dir="" d line first="" launched app_rc=0 tool_rc=0 status events stopped=""
    mkdir -p "$home"
    timeout "$limit" "${app[@]}" >"$out" 2>&1 &
    app_pid=$!
    live_pids=("$app_pid")
    for _ in $(seq 1 1500); do # up to 30 s for `ready <pid>`
        if read -r line <"$out" && [[ $line =~ ^ready\ ([0-9]+) ]]; then
            pid=${BASH_REMATCH[1]}
            break
        fi
        kill -0 "$app_pid" 2>/dev/null || break
        nap 0.02
    done
    if [ -z "$pid" ]; then
        kill "$app_pid" 2>/dev/null || true
        wait "$app_pid" 2>/dev/null || true
        live_pids=()
        fails[$key]=$((fails[$key] + 1))
        statuses[$key]+="no-ready "
        return
    fi

    # Its own DRDOTNET_HOME per run, so the newest session folder there is this run's.
    stamp
    launched=$now_ms
    DRDOTNET_HOME="$home" timeout "$limit" "$build/drdotnet" profile "$pid" cpu-hotpaths \
        --duration $((secs + 3)) --param frequency=99 --param mode="$1" --param sampler="$2" --quiet \
        >"$tool_out" 2>&1 &
    tool_pid=$!
    live_pids=("$app_pid" "$tool_pid")

    # First sample: the first time the session's progress.json counts an event.
    while kill -0 "$tool_pid" 2>/dev/null; do
        if [ -z "$dir" ]; then
            for d in "$home"/sessions/*/; do
                if [ -d "$d" ] && { [ -z "$dir" ] || [ "$d" -nt "$dir" ]; }; then
                    dir=$d
                fi
            done
        fi
        if [ -n "$dir" ] && [ -f "$dir/progress.json" ] && read -r line <"$dir/progress.json" &&
            [[ $line =~ \"events\":([0-9]+) ]] && ((BASH_REMATCH[1] > 0)); then
            stamp
            first=$((now_ms - launched))
            break
        fi
        nap 0.02
    done
    # A tool that is gone while the workload still runs has failed early: no use waiting for the workload.
    if ! kill -0 "$tool_pid" 2>/dev/null && kill -0 "$app_pid" 2>/dev/null; then
        kill "$app_pid" 2>/dev/null || true
        stopped=" (stopped: the tool had ended)"
    fi

    wait "$app_pid" || app_rc=$?
    wait "$tool_pid" || tool_rc=$?
    live_pids=()
    [ -n "$dir" ] || for d in "$home"/sessions/*/; do [ -d "$d" ] && dir=$d; done
    status=$(jq -r '.status // "?"' "$dir/session.json" 2>/dev/null || echo none)
    events=$(jq -r '.events // 0' "$dir/session.json" 2>/dev/null || echo 0)
    statuses[$key]+="$status/rc=$tool_rc "
    # The workload ends a little before the profiler's duration (which must cover its whole measured
    # window): a session that is incomplete only because the target exited, with samples, is a good run.
    # Samples: counted in session.json, or seen in progress.json (a session.json written by the tool, when
    # the profiler could not write its own, has no count).
    if [ "$app_rc" -eq 0 ] && { [ -n "$first" ] || [ "$events" -gt 0 ] 2>/dev/null; } &&
        { [ "$tool_rc" -eq 0 ] || { [ "$tool_rc" -eq 1 ] && [ "$status" = incomplete ]; }; }; then
        record "$key" "$out"
        [ -z "$first" ] || firsts[$key]+="$first "
    else
        fails[$key]=$((fails[$key] + 1))
        if [ "${fails[$key]}" -eq 1 ]; then
            echo "bench/cpu.sh: $key run $3 failed (workload status $app_rc$stopped, drdotnet status $tool_rc):" >&2
            sed 's/^/    /' "$tool_out" | head -n 5 >&2
        fi
    fi
}

for r in $(seq 1 "$runs"); do
    run_plain
    run_drdotnet cpu suspend "$r"
    run_drdotnet cpu signal "$r"
    run_drdotnet wall suspend "$r"
    run_trace
done

median() { tr ' ' '\n' | awk NF | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
span() { tr ' ' '\n' | awk NF | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {if (NR) print lo " .. " hi}'; }
base=$(echo "${tput[none]}" | median)
echo "| configuration | median throughput, units/s ($runs runs of ${secs} s) | ratio to none | throughput lost |"
echo "|---|---|---|---|"
for k in "${configs[@]}"; do
    m=$(echo "${tput[$k]}" | median)
    if [ -z "$m" ]; then
        echo "| $k | failed | - | - |"
        continue
    fi
    note=""
    [ "${fails[$k]}" -eq 0 ] || note=" (${fails[$k]} of $runs runs failed)"
    if [ -n "$base" ]; then
        ratio=$(awk -v a="$m" -v b="$base" 'BEGIN{printf "%.3f", a/b}')
        lost=$(awk -v a="$m" -v b="$base" 'BEGIN{printf "%.1f %%", 100*(b-a)/b}')
    else
        ratio=- lost=-
    fi
    echo "| $k | $m$note | $ratio | $lost |"
done
echo
echo "| configuration | median ms from \`drdotnet profile\` start to first sample | range | sessions (status/exit) |"
echo "|---|---|---|---|"
for k in drdotnet-cpu drdotnet-cpu-signal drdotnet-wall; do
    m=$(echo "${firsts[$k]}" | median)
    echo "| $k | ${m:-failed} | $(echo "${firsts[$k]}" | span) | ${statuses[$k]% } |"
done
echo
echo "first sample: seen in the session's progress.json, which the profiler rewrites every 0.5 s (so up to"
echo "0.5 s late). Throughput per run, in run order:"
for k in "${configs[@]}"; do
    t=${tput[$k]% }
    echo "- $k: ${t:-none}"
done
