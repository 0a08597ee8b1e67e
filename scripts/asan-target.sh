#!/usr/bin/env bash
# The library under AddressSanitizer and UndefinedBehaviorSanitizer inside real .NET processes: builds the tool and
# libdrdotnet.so with -DDRD_SANITIZE=ON in build-asan-target/ (or $ASAN_TARGET_BUILD) and the .NET targets, starts
# them with the ASan runtime preloaded, attaches every profiler CYCLES times to the busy self-checking target and
# to the ASP.NET Core app under HTTP load (tests/targets/Web, tests/e2e/webload.py), launches the startup profilers
# LAUNCHES times; then sorts every sanitizer report into ours (a frame in
# libdrdotnet) and foreign (the runtime's own code). Not part of scripts/test.sh: run it before each release.
# Usage: scripts/asan-target.sh [CYCLES] [LAUNCHES] (default 10 and 3). Exit status 1 on any report of ours, a
# report of the tool, a target that crashed or whose self-check failed, a failed HTTP request, a session not
# completed, or a library other than the sanitized build found loaded in a target.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${ASAN_TARGET_BUILD:-$root/build-asan-target}"
CYCLES=${1:-10}
LAUNCHES=${2:-3}
# NAME or NAME:SAMPLER (cpu-hotpaths with --param sampler=SAMPLER: the signal sampler's handler runs in the target)
PROFILERS=(exceptions cpu-hotpaths cpu-hotpaths:signal merged-stacks allocations runtime-pauses duplicated-strings
    heap-snapshot waits leaks)
started=$SECONDS

mkdir -p "$build"
echo "asan-target: building the sanitized tool and library in $build"
if ! { cmake -S "$root" -B "$build" -DDRD_SANITIZE=ON -DDRD_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
    cmake --build "$build" -j"$(nproc)" --target drdotnet drdotnet_lib; } >"$build/build.log" 2>&1; then
    cat "$build/build.log"
    echo "asan-target: FAILED: build"
    exit 1
fi
"$root/tests/targets/build.sh" "$build/targets" >"$build/targets.log" 2>&1 || {
    cat "$build/targets.log"
    echo "asan-target: FAILED: building the .NET targets"
    exit 1
}
DRD_BIN="$build/drdotnet"
LIB="$build/libdrdotnet.so"
T="$build/targets"
grep -q ' U __asan_init' < <(nm -D "$LIB") || { echo "asan-target: FAILED: $LIB is not built with ASan"; exit 1; }

ASAN_RT=$(gcc -print-file-name=libasan.so)
[ -f "$ASAN_RT" ] || { echo "asan-target: FAILED: no ASan runtime ($ASAN_RT)"; exit 1; }
ASAN_RT=$(realpath "$ASAN_RT")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/drd-asan-target.XXXXXX")
LOGS="$WORK/sanitizer"
mkdir -p "$LOGS"
export DRDOTNET_HOME="$WORK/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Every frame with its module, to tell our reports from the runtime's.
FORMAT="stack_trace_format='    #%n %p %F %L [%m]'"
# Only libasan is preloaded (it must come first); libubsan comes in as the library's dependency and starts itself.
# The options, each tried against the targets:
#   detect_leaks=0              the runtime leaves memory unfreed at exit by design; LeakSanitizer would report it
#                               and turn the target's exit status into 1
#   handle_segv=1 (default)     ASan's handler is installed first; the CLR installs its own over it (allowed by
#   allow_user_segv_handler=1   allow_user_segv_handler) and passes it any fault outside managed code, so a crash in
#                               our library gets a report with its stack; null references and divisions by zero in
#                               managed code stay the CLR's (the launched Exceptions target makes both). With
#                               handle_segv=0 such a crash is a bare SIGSEGV, without a report. handle_sigbus and
#                               handle_sigfpe stay at their defaults for the same reasons.
#   use_sigaltstack=0           ASan would give each thread it sees start an alternate signal stack of its own, which
#                               the CLR then keeps instead of the one it sets up for its handlers
#   halt_on_error=0             a report in the runtime's code (an interceptor) is logged and the process goes on;
#                               our own code is built with -fno-sanitize-recover=all and still stops at its first
#   detect_stack_use_after_return=0  no fake stack frames under the runtime's stack walks (gcc 12's default too)
#   detect_odr_violation=0      only instrumented modules register globals, our library alone here: the check could
#                               only compare two copies of it mapped at once, which is no memory error
#   log_path                    one file per process, read below
TARGET_ASAN="detect_leaks=0:handle_segv=1:allow_user_segv_handler=1:use_sigaltstack=0:halt_on_error=0"
TARGET_ASAN+=":detect_stack_use_after_return=0:detect_odr_violation=0:log_path=$LOGS/asan:$FORMAT"
TARGET_UBSAN="print_stacktrace=1:log_path=$LOGS/ubsan:$FORMAT"
TARGET_ENV=(env "LD_PRELOAD=$ASAN_RT" "ASAN_OPTIONS=$TARGET_ASAN" "UBSAN_OPTIONS=$TARGET_UBSAN")
# The tool: sanitized too, with leak checks; a report aborts it and shows in its stderr.
export ASAN_OPTIONS="abort_on_error=1:$FORMAT" UBSAN_OPTIONS="print_stacktrace=1:abort_on_error=1:$FORMAT"

PIDS=()
WATCH=
cleanup() {
    [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
}
trap cleanup EXIT

declare -A RUN DONE SEEN
failures=()
wrong_lib=0
crashes=0

# watch_maps PID FILE: until killed, appends to FILE every libdrdotnet and libasan file mapped in PID
watch_maps() {
    while :; do
        awk '$6 ~ /libdrdotnet|libasan/ {print $6}' "/proc/$1/maps" >>"$2" 2>/dev/null
        sleep 0.02
    done
}

# session NAME PID -- COMMAND...: runs one session of the tool while watching PID's mappings (PID 0: the launched
# target, found from its "ready <pid>" line); counts it for NAME
session() {
    local name=$1 pid=$2
    shift 3
    local n=$((${RUN[$name]:-0} + 1)) out="$WORK/$name.${RUN[$name]:-0}"
    RUN[$name]=$n
    : >"$out.out"
    : >"$out.err"
    "$@" >"$out.out" 2>"$out.err" &
    local tool=$!
    if [ "$pid" -eq 0 ]; then
        for _ in $(seq 1 600); do
            pid=$(sed -n 's/^ready \([0-9]*\)$/\1/p' "$out.out" "$out.err" | head -1)
            [ -n "$pid" ] && break
            kill -0 "$tool" 2>/dev/null || break
            sleep 0.02
        done
        pid=${pid:-0}
    fi
    : >"$out.maps"
    if [ "$pid" -gt 0 ]; then
        watch_maps "$pid" "$out.maps" &
        WATCH=$!
    fi
    wait "$tool"
    local rc=$?
    [ -n "$WATCH" ] && kill "$WATCH" 2>/dev/null && { wait "$WATCH"; } 2>/dev/null
    WATCH=
    if [ "$rc" -eq 0 ]; then
        DONE[$name]=$((${DONE[$name]:-0} + 1))
    else
        echo "$name session $n: exit $rc: $(grep -v '^ready' "$out.err" | head -c 300)"
    fi
    local lib asan_seen=0 ours=0
    grep -q libasan "$out.maps" && asan_seen=1
    while read -r lib; do
        if cmp -s "$lib" "$LIB"; then
            ours=1
        else
            wrong_lib=$((wrong_lib + 1))
            echo "$name session $n: $lib, not the sanitized build, was loaded"
        fi
    done < <(grep libdrdotnet "$out.maps" | sort -u)
    [ "$asan_seen" -eq 1 ] && [ "$ours" -eq 1 ] && SEEN[$name]=$((${SEEN[$name]:-0} + 1))
    return "$rc"
}

# --- attached: every profiler, CYCLES times, against Busy
BUSY_OUT="$WORK/busy.out"
"${TARGET_ENV[@]}" dotnet "$T/Busy/Busy.dll" --stop-file "$WORK/stop" >"$BUSY_OUT" 2>&1 &
B=$!
PIDS+=("$B")
for _ in $(seq 1 600); do grep -q '^ready' "$BUSY_OUT" && break; sleep 0.05; done
grep -q '^ready' "$BUSY_OUT" || { cat "$BUSY_OUT"; echo "asan-target: FAILED: Busy did not start"; exit 1; }
grep -q "$ASAN_RT" "/proc/$B/maps" || { echo "asan-target: FAILED: $ASAN_RT is not mapped in Busy"; exit 1; }
echo "asan-target: Busy (pid $B) runs with $ASAN_RT; $CYCLES cycles of ${#PROFILERS[@]} profilers"
for cycle in $(seq 1 "$CYCLES"); do
    for p in "${PROFILERS[@]}"; do
        args=()
        case $p in merged-stacks | duplicated-strings | heap-snapshot) ;; *) args=(--duration 1) ;; esac
        case $p in *:*) args+=(--param "sampler=${p#*:}") ;; esac
        session "$p" "$B" -- "$DRD_BIN" profile "$B" "${p%%:*}" "${args[@]}" --quiet
        if ! kill -0 "$B" 2>/dev/null; then
            crashes=$((crashes + 1))
            echo "cycle $cycle $p: Busy died"
            break 2
        fi
    done
    echo "cycle $cycle: done ($((SECONDS - started)) s)"
done
for _ in $(seq 1 100); do # the runtime unloads the library a moment after the last detach
    left=$(awk '$6 ~ /libdrdotnet/' "/proc/$B/maps" 2>/dev/null | wc -l)
    [ "$left" -eq 0 ] && break
    sleep 0.1
done
touch "$WORK/stop"
wait "$B"
busy_rc=$?
busy_line=$(tail -1 "$BUSY_OUT")
[ "$busy_rc" -eq 0 ] || failures+=("Busy exit $busy_rc")
[ "$left" -eq 0 ] || failures+=("library still mapped in Busy")

# --- attached: every profiler, CYCLES times, against the web app under steady HTTP load on loopback
WEB_OUT="$WORK/web.out"
"${TARGET_ENV[@]}" dotnet "$T/Web/Web.dll" --urls http://127.0.0.1:0 >"$WEB_OUT" 2>&1 &
W=$!
PIDS+=("$W")
for _ in $(seq 1 1200); do grep -q '^ready' "$WEB_OUT" && break; sleep 0.05; done
grep -q '^ready' "$WEB_OUT" || { cat "$WEB_OUT"; echo "asan-target: FAILED: Web did not start"; exit 1; }
python3 "$root/tests/e2e/webload.py" "$(awk '/^ready/ {print $3; exit}' "$WEB_OUT")" "$WORK/load.json" \
    --stop-file "$WORK/stop-load" --max-seconds 1800 >"$WORK/load.out" 2>&1 &
LOAD=$!
PIDS+=("$LOAD")
echo "asan-target: Web (pid $W) under load; $CYCLES cycles of ${#PROFILERS[@]} profilers"
for cycle in $(seq 1 "$CYCLES"); do
    for p in "${PROFILERS[@]}"; do
        args=()
        case $p in merged-stacks | duplicated-strings | heap-snapshot) ;; *) args=(--duration 1) ;; esac
        case $p in *:*) args+=(--param "sampler=${p#*:}") ;; esac
        session "web:$p" "$W" -- "$DRD_BIN" profile "$W" "${p%%:*}" "${args[@]}" --quiet
        if ! kill -0 "$W" 2>/dev/null; then
            crashes=$((crashes + 1))
            echo "cycle $cycle $p: Web died"
            break 2
        fi
    done
    echo "cycle $cycle (web): done ($((SECONDS - started)) s)"
done
for _ in $(seq 1 100); do
    web_left=$(awk '$6 ~ /libdrdotnet/' "/proc/$W/maps" 2>/dev/null | wc -l)
    [ "$web_left" -eq 0 ] && break
    sleep 0.1
done
touch "$WORK/stop-load"
wait "$LOAD"
web_answered=$(jq '.ok | add' "$WORK/load.json" 2>/dev/null)
web_failed=$(jq '.failed | add' "$WORK/load.json" 2>/dev/null)
kill -TERM "$W"
wait "$W"
web_rc=$?
[ "$web_rc" -eq 0 ] || failures+=("Web exit $web_rc")
[ "$web_left" -eq 0 ] || failures+=("library still mapped in Web")
[ "${web_failed:-1}" -eq 0 ] || failures+=("${web_failed:-unknown} HTTP requests failed ($(jq -r .last_error "$WORK/load.json" 2>/dev/null))")

# --- launched: exceptions (with null references and divisions by zero) and allocations, from the start
declare -A LAUNCH_RC LAUNCH_CHECK
for i in $(seq 1 "$LAUNCHES"); do
    name=launch-exceptions
    session "$name" 0 -- "$DRD_BIN" launch exceptions --json -- "${TARGET_ENV[@]}" dotnet \
        "$T/Exceptions/Exceptions.dll" --work-ms 300 --hardware 100
    rc=$?
    out="$WORK/$name.$((i - 1))"
    LAUNCH_RC[$name]+="$rc "
    got=$(jq -r '[.report.total, ([.report.types[] | select(.type == "System.NullReferenceException" or
        .type == "System.DivideByZeroException") | .count] | add)] | @tsv' "$out.out" 2>/dev/null)
    if [ "$got" == $'1450\t200' ] && grep -q "the command exited with status 0" "$out.err" &&
        grep -q '^hardware 200' "$out.err"; then
        LAUNCH_CHECK[$name]=$((${LAUNCH_CHECK[$name]:-0} + 1))
    else
        echo "$name $i: counts '$got', expected 1450 thrown of which 200 from signals; target: $(grep -E 'exited|MISMATCH' "$out.err")"
    fi
    grep -q "the command exited with status 0" "$out.err" || crashes=$((crashes + 1))

    name=launch-allocations
    session "$name" 0 -- "$DRD_BIN" launch allocations --json -- "${TARGET_ENV[@]}" dotnet \
        "$T/Memory/Memory.dll" --payloads 200000
    rc=$?
    out="$WORK/$name.$((i - 1))"
    LAUNCH_RC[$name]+="$rc "
    got=$(jq '.report.types[] | select(.type == "DrDotnet.Targets.Payload") | .count' "$out.out" 2>/dev/null)
    if [ "$got" == 200000 ] && grep -q "the command exited with status 0" "$out.err"; then
        LAUNCH_CHECK[$name]=$((${LAUNCH_CHECK[$name]:-0} + 1))
    else
        echo "$name $i: Payload count '$got', expected 200000; target: $(grep -E 'exited' "$out.err")"
    fi
    grep -q "the command exited with status 0" "$out.err" || crashes=$((crashes + 1))
done

# --- the reports: the targets' log files, and their output (UBSan writes to stderr even with a log_path), and the
# tool's stderr (in launch sessions also the target's). One record per report: ours when a frame lies in
# libdrdotnet, the tool's when one lies in the drdotnet executable, foreign otherwise.
reports_file="$WORK/reports.txt"
for f in "$LOGS"/* "$BUSY_OUT" "$WEB_OUT" "$WORK"/*.err; do
    [ -f "$f" ] || continue
    awk -v file="$f" -v tool="[$DRD_BIN]" '
        function flush() {
            if (head != "") print kind "\t" file "\t" head "\t" frames
            head = ""; kind = "FOREIGN"; frames = ""; nframes = 0
        }
        /==[0-9]+==ERROR:|==[0-9]+==WARNING:|runtime error:/ { flush(); head = $0; next }
        head != "" && /^ *#[0-9]+ / {
            if ($0 ~ /libdrdotnet/) kind = "OURS"
            else if (index($0, tool) && kind != "OURS") kind = "TOOL"
            if (nframes++ < 6) { sub(/^ +/, ""); frames = frames " | " $0 }
        }
        END { flush() }' "$f"
done >"$reports_file"
ours=$(grep -c '^OURS' "$reports_file")
tool_reports=$(grep -c '^TOOL' "$reports_file")
foreign=$(grep -c '^FOREIGN' "$reports_file")

echo
echo "asan-target: $(( SECONDS - started )) s; sanitizer runtime $ASAN_RT; library $LIB"
printf '%-24s %9s %10s %22s\n' profiler sessions completed "seen loaded, sanitized"
for p in "${PROFILERS[@]}" "${PROFILERS[@]/#/web:}" launch-exceptions launch-allocations; do
    printf '%-24s %9s %10s %22s\n' "$p" "${RUN[$p]:-0}" "${DONE[$p]:-0}" "${SEEN[$p]:-0}"
    [ "${DONE[$p]:-0}" -eq "${RUN[$p]:-0}" ] || failures+=("$p: $((${RUN[$p]:-0} - ${DONE[$p]:-0})) not completed")
    [ "${SEEN[$p]:-0}" -gt 0 ] || failures+=("$p: the sanitized library never seen in the target's mappings")
done
for p in launch-exceptions launch-allocations; do
    echo "$p: ${LAUNCH_CHECK[$p]:-0} of ${RUN[$p]:-0} with the exact counts and target exit 0"
    [ "${LAUNCH_CHECK[$p]:-0}" -eq "${RUN[$p]:-0}" ] || failures+=("$p: counts or target exit")
done
echo "Busy: exit $busy_rc ($busy_line), library mappings left $left"
echo "Web: exit $web_rc, library mappings left $web_left, HTTP requests answered $web_answered, failed $web_failed"
echo "sanitizer reports: $ours ours, $foreign foreign, $tool_reports of the tool; crashes $crashes; other libraries loaded $wrong_lib"
if [ $((ours + foreign)) -gt 0 ]; then
    echo "reports (kind, log, first line, first frames):"
    cut -c1-600 "$reports_file"
fi
[ "$ours" -eq 0 ] || failures+=("$ours sanitizer reports of ours")
[ "$tool_reports" -eq 0 ] || failures+=("$tool_reports sanitizer reports of the tool")
[ "$crashes" -eq 0 ] || failures+=("$crashes crashes")
[ "$wrong_lib" -eq 0 ] || failures+=("another library loaded $wrong_lib times")
if [ ${#failures[@]} -gt 0 ]; then
    echo "asan-target: FAILED: ${failures[*]} (logs kept in $WORK)"
    exit 1
fi
rm -rf "$WORK"
echo "asan-target: passed"
