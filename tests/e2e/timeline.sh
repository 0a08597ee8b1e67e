#!/usr/bin/env bash
# End to end: one session of cpu-hotpaths, exceptions, runtime-pauses and waits on a target that does, at known
# moments, a burst of exceptions, a forced GC and a lock convoy (tests/targets/Timeline); its chrome-trace export
# is checked against the format and against what the target printed (tests/e2e/check_trace.py), and opened by a
# real consumer when one is installed (speedscope's importer, scripts/setup.sh).
. "$(dirname "$0")/lib.sh"

start_target Timeline --go-file "$WORK/go" --stop-file "$WORK/stop" || exit 1
"$DRD_BIN" profile "$TPID" cpu-hotpaths,exceptions,runtime-pauses,waits --duration 5 --json >"$WORK/s.json" \
    2>"$WORK/s.err" &
PROF=$!
wait_for_line "$WORK/s.err" "attached to pid $TPID" 20 || fail "the tool did not attach"
touch "$WORK/go"
wait_for_line "$TOUT" done 20 || fail "the target did not finish its phases in the session"
wait "$PROF"
check_eq "profile: exit" "$?" 0
ID=$(jq -r .session.id "$WORK/s.json")

"$DRD_BIN" export "$ID" --format chrome-trace --output "$WORK/trace.json" >/dev/null
check_eq "export: written" "$?" 0
jq '.reports["runtime-pauses"]' "$WORK/s.json" >"$WORK/pauses.json"
python3 "$(dirname "$0")/check_trace.py" "$WORK/trace.json" "$TOUT" "$WORK/pauses.json" \
    "$DRDOTNET_HOME/sessions/$ID/waits.raw"
check_eq "trace: the format and the three phases" "$?" 0
check_eq "exceptions: nothing left off the timeline" "$(jq '.reports.exceptions.timeline_left_off' "$WORK/s.json")" 0

# into the session folder by default
check_eq "export: into the session" "$("$DRD_BIN" export "$ID" --format chrome-trace)" \
    "$DRDOTNET_HOME/sessions/$ID/timeline.trace.json"

# a session without timed data: a clear error, nothing written
"$DRD_BIN" profile "$TPID" merged-stacks --json >"$WORK/m.json" 2>/dev/null
MID=$(jq -r .session.id "$WORK/m.json")
"$DRD_BIN" export "$MID" --format chrome-trace --output "$WORK/none.json" 2>"$WORK/none.err"
check_eq "no timed data: exit" "$?" 1
check_contains "no timed data: the reason" "$WORK/none.err" "holds no timed data"
check_eq "no timed data: nothing written" "$(test -e "$WORK/none.json" && echo yes || echo no)" no

touch "$WORK/stop"
wait "$TPID"
check_eq "target: exit" "$?" 0
finish
