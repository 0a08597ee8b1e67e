#!/usr/bin/env bash
# End to end, the detach race: a session that ends within the attach (a snapshot of a tiny app) must still detach.
# Once, a merged-stacks session asked to detach before the runtime had finished loading the profiler, was refused
# (CORPROF_E_PROFILER_NOT_YET_INITIALIZED), and every later attach to that process failed. Here, with both cores
# kept busy, sessions as short as they can be, many rounds, against a tiny app already running, against one just
# started, and against an ASP.NET Core app under load: every session of every profiler ends `detached` (never
# `refused` or `late`) and completes, and the next attach, right after, succeeds.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-4}
# on a machine so loaded that each attach takes seconds, fewer rounds: the snapshot rounds on the running app stop
# after BUDGET seconds (each section still runs at least once)
BUDGET=${BUDGET:-40}
SNAPSHOTS=(merged-stacks heap-snapshot duplicated-strings)
TIMED=(exceptions cpu-hotpaths allocations runtime-pauses waits)

# two busy loops, one per core, for at most 3 minutes (each its own process, which the cleanup kills); the targets
# run at the lowest priority, so that every step of the runtime's attach takes longer
for _ in 1 2; do
    bash -c 'while [ $SECONDS -lt 180 ]; do :; done' &
    PIDS+=("$!")
done

declare -A OUTCOME COMPLETED
sessions=0 bad=0
# session PID PROFILER ARGS...: counts the session's detach outcome ("no session" when the tool made none) and
# whether it completed; after three sessions that did not detach, runs no more (once one is refused, every later
# attach fails)
session() {
    local pid=$1 p=$2
    shift 2
    [ "$bad" -lt 3 ] || return 0
    local r="$WORK/s.json"
    "$DRD_BIN" profile "$pid" "$p" "$@" --json >"$r" 2>"$WORK/s.err"
    local rc=$? d
    d=$(jq -r '.session.detach // empty' "$r" 2>/dev/null)
    [ -n "$d" ] || d="no session"
    OUTCOME["$p: $d"]=$((${OUTCOME["$p: $d"]:-0} + 1))
    [ "$rc" -eq 0 ] && COMPLETED[$p]=$((${COMPLETED[$p]:-0} + 1))
    sessions=$((sessions + 1))
    [ "$d" == detached ] || bad=$((bad + 1))
    if [ "$d" != detached ] || [ "$rc" -ne 0 ]; then
        echo "$p on $pid: exit $rc, detach $d: $(grep -v 'attached to pid' "$WORK/s.err" | head -3 | tr '\n' ' ')"
        cp "$r" "$WORK/failed-$sessions.json"
    fi
}

# a tiny app already running: every snapshot profiler, again and again, each attach right after the last detach
TARGET_NICE=19
start_target Idle --seconds 150 || exit 1
I=$TPID
for round in $(seq 1 "$ROUNDS"); do
    for p in "${SNAPSHOTS[@]}"; do session "$I" "$p"; done
    [ "$SECONDS" -lt "$BUDGET" ] || break
done
for p in "${TIMED[@]}"; do session "$I" "$p" --duration 1; done
session "$I" merged-stacks
check_eq "running app: library unloaded" "$(unloaded_count "$I")" 0

echo "running app: $sessions sessions at $SECONDS s"

# a tiny app attached to the moment it is ready (the runtime still starting its own threads), then once more
for round in $(seq 1 $((ROUNDS / 2))); do
    [ "$bad" -lt 3 ] || break
    [ "$round" -eq 1 ] || [ "$SECONDS" -lt $((BUDGET + 30)) ] || break
    p=${SNAPSHOTS[$((round % ${#SNAPSHOTS[@]}))]}
    start_target Idle --seconds 60 || exit 1
    session "$TPID" "$p"
    session "$TPID" merged-stacks
    kill "$TPID"
done

echo "just started apps: $sessions sessions at $SECONDS s"

# where it was seen: an ASP.NET Core app under HTTP load
if [ "$bad" -lt 3 ]; then
    # the web app starts slowly at the lowest priority on a machine both busy loops fill
    TARGET_START_S=60 start_web || exit 1
    for round in 1 2; do
        [ "$round" -eq 1 ] || [ "$SECONDS" -lt $((BUDGET + 50)) ] || break
        for p in "${SNAPSHOTS[@]}"; do session "$TPID" "$p"; done
    done
    stop_load # (requests may time out here: the app gets little CPU; tests/e2e/web_app.sh counts failures)
fi

echo "web app: $sessions sessions at $SECONDS s"
echo "$sessions sessions$([ "$bad" -lt 3 ] || echo ", then no more after three that did not detach"):"
for k in "${!OUTCOME[@]}"; do echo "  $k: ${OUTCOME[$k]}"; done | sort
for p in "${SNAPSHOTS[@]}" "${TIMED[@]}"; do
    total=0
    for k in "${!OUTCOME[@]}"; do [[ $k == "$p: "* ]] && total=$((total + OUTCOME[$k])); done
    check_eq "$p: sessions detached, of $total" "${OUTCOME["$p: detached"]:-0}" "$total"
    check_eq "$p: sessions completed, of $total" "${COMPLETED[$p]:-0}" "$total"
done
finish
