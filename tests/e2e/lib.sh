# Helpers for the end-to-end tests: a private DRDOTNET_HOME, targets that are always cleaned up, assertions.
# Needs DRD_BIN (the drdotnet executable) and DRD_TARGETS (the built .NET targets).
set -uo pipefail

: "${DRD_BIN:?DRD_BIN must name the drdotnet executable}"
: "${DRD_TARGETS:?DRD_TARGETS must name the built .NET targets folder}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/drd-e2e.XXXXXX")
export DRDOTNET_HOME="$WORK/home"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
PIDS=()
FAILS=0
CHECKS=0

cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    if [ "$FAILS" -eq 0 ]; then rm -rf "$WORK"; else echo "kept $WORK for inspection"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; }

# check_eq NAME ACTUAL EXPECTED
check_eq() {
    CHECKS=$((CHECKS + 1))
    if [ "$2" == "$3" ]; then pass "$1 = $3"; else fail "$1: expected '$3', got '$2'"; fi
}

# check_contains NAME FILE TEXT
check_contains() {
    CHECKS=$((CHECKS + 1))
    if grep -qF -- "$3" "$2"; then pass "$1"; else fail "$1: '$3' not in $2:"; sed 's/^/    | /' "$2" | head -20; fi
}

# start_target NAME ARGS... : starts build/targets/NAME (at the niceness $TARGET_NICE when set), waits for its
# "ready" line, sets TPID and TOUT.
start_target() {
    local name=$1
    shift
    TOUT="$WORK/$name.$RANDOM.out"
    nice -n "${TARGET_NICE:-0}" dotnet "$DRD_TARGETS/$name/$name.dll" "$@" >"$TOUT" 2>&1 &
    TPID=$!
    PIDS+=("$TPID")
    # TARGET_START_S: how long a target may take to say "ready" (default 10 s; a loaded machine needs more)
    for _ in $(seq 1 $((${TARGET_START_S:-10} * 20))); do
        grep -qs '^ready' "$TOUT" && return 0
        sleep 0.05
    done
    fail "target $name did not start within ${TARGET_START_S:-10} s"
    cat "$TOUT"
    return 1
}

# start_serve [ARGS...]: starts `drdotnet serve --port 0 ARGS` and sets SERVER, URL, BASE, TOKEN and PORT from the
# address it prints; on failure says so and returns 1.
start_serve() {
    "$DRD_BIN" serve --port 0 "$@" >"$WORK/serve.out" 2>"$WORK/serve.err" &
    SERVER=$!
    PIDS+=("$SERVER")
    if ! wait_for_line "$WORK/serve.out" "http://" 10; then
        fail "serve printed no address"
        cat "$WORK/serve.err"
        return 1
    fi
    URL=$(grep -m1 '^http://' "$WORK/serve.out")
    BASE=${URL%%/?token=*}
    TOKEN=${URL##*token=}
    PORT=${BASE##*:}
}

# wait_for_line FILE TEXT SECONDS
wait_for_line() {
    for _ in $(seq 1 $(($3 * 20))); do
        grep -qF -- "$2" "$1" && return 0
        sleep 0.05
    done
    return 1
}

# sigprof_left PID: what of SIGPROF the process still has: a handler, an ignore, a timer ("" when nothing)
sigprof_left() {
    local cgt ign
    cgt=$(awk '/^SigCgt:/ {print $2}' "/proc/$1/status")
    ign=$(awk '/^SigIgn:/ {print $2}' "/proc/$1/status")
    (((0x$cgt >> 26) & 1)) && echo -n "handler "
    (((0x$ign >> 26) & 1)) && echo -n "ignored "
    grep -q '^signal: 27/' "/proc/$1/timers" && echo -n "timer "
    echo
}

# unloaded_count PID: waits up to 10 s for libdrdotnet to leave the process's mappings; prints the count left
unloaded_count() {
    for _ in $(seq 1 100); do
        grep -q libdrdotnet "/proc/$1/maps" || break
        sleep 0.1
    done
    grep -c libdrdotnet "/proc/$1/maps"
}

finish() {
    echo "$CHECKS checks, $FAILS failed"
    [ "$FAILS" -eq 0 ]
}

# start_web: starts the ASP.NET Core target (tests/targets/Web) on a free loopback port, then a steady HTTP load on
# it (tests/e2e/webload.py: 2 connections, until $WORK/stop-load exists, 10 minutes at most); sets TPID and TOUT
# (the app), WEB (its address) and LOAD (the load's pid), and waits for the first answers
start_web() {
    start_target Web --urls http://127.0.0.1:0 || return 1
    WEB=$(awk '/^ready/ {print $3; exit}' "$TOUT")
    rm -f "$WORK/stop-load" "$WORK/load.json"
    python3 "$(dirname "${BASH_SOURCE[0]}")/webload.py" "$WEB" "$WORK/load.json" --stop-file "$WORK/stop-load" \
        --max-seconds 600 >"$WORK/load.out" 2>&1 &
    LOAD=$!
    PIDS+=("$LOAD")
    for _ in $(seq 1 100); do
        [ "$(load_count ok)" -gt 0 ] 2>/dev/null && return 0
        sleep 0.1
    done
    fail "no answer from the web app at $WEB: $(cat "$WORK/load.out" "$WORK/load.json" 2>/dev/null | head -5)"
    return 1
}

# load_count ok|failed [ENDPOINT]: the load's requests answered (ok) or failed so far, for one endpoint or all
load_count() {
    jq --arg k "$1" --arg e "${2:-}" 'if $e == "" then (.[$k] | add) else .[$k][$e] end' "$WORK/load.json" 2>/dev/null ||
        echo 0
}

# stop_load: stops the load and waits for its last counts
stop_load() {
    touch "$WORK/stop-load"
    wait "$LOAD"
}
