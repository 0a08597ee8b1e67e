#!/usr/bin/env bash
# End to end: sessions cut short. The tool and the target both killed (no session.json: sessions says running,
# then abandoned, by the web API's rule; show prints the samples that were written, marked as such); the target
# killed mid-session (session.json keeps what was known at the start and the real collection window); the
# target stopped mid-session past the tool's patience (the tool's "incomplete" stays when the profiler ends later).
. "$(dirname "$0")/lib.sh"

run() { "$DRD_BIN" "$@" >"$WORK/out" 2>"$WORK/err"; echo $?; }
newest_session() { ls -td "$DRDOTNET_HOME"/sessions/*/ | head -1; }

# --- the tool and the target both killed: what was written is still shown ---
start_target Busy --seconds 60 || exit 1
B=$TPID
"$DRD_BIN" profile "$B" cpu-hotpaths --duration 20 --param mode=wall >"$WORK/both.out" 2>"$WORK/both.err" &
TOOL=$!
wait_for_line "$WORK/both.err" "attached to pid $B" 20 || fail "the tool did not attach"
sleep 2
kill -9 "$TOOL" "$B"
wait "$TOOL" 2>/dev/null
S=$(newest_session)
ID=$(basename "$S")
check_eq "both killed: no session.json" "$(test -e "$S/session.json" && echo there || echo none)" none
"$DRD_BIN" sessions >"$WORK/list"
check_contains "both killed: listed as running at first, with its pid" "$WORK/list" "running      (pid $B)"
check_eq "both killed: show exit" "$(run show "$ID")" 0
check_contains "both killed: show says what it shows" "$WORK/out" "No session.json: what follows is the data written"
check_contains "both killed: show prints the samples" "$WORK/out" "samples"
touch -d '2 minutes ago' "$S" "$S"/*
"$DRD_BIN" sessions >"$WORK/list"
check_contains "both killed: abandoned after a minute" "$WORK/list" "abandoned    (pid $B)"
check_eq "both killed: sessions --json says why" "$("$DRD_BIN" sessions --json | jq -r --arg id "$ID" \
    '.[] | select(.id == $id) | .reason')" "no session.json, and nothing in the folder changed for a minute: the session stopped before its end"
check_eq "both killed: export the samples" "$(run export "$ID" --format folded --output -)" 0

# --- the target killed 2 s into a 5 s session: what was known at the start stays, the window is the real one ---
start_target Busy --seconds 60 || exit 1
K=$TPID
"$DRD_BIN" profile "$K" exceptions --duration 5 --json >"$WORK/killed.json" 2>"$WORK/killed.err" &
TOOL=$!
wait_for_line "$WORK/killed.err" "attached to pid $K" 20 || fail "the tool did not attach"
sleep 2
kill -9 "$K"
wait "$TOOL"
check_eq "target killed: exit" "$?" 1
check_eq "target killed: status" "$(jq -r .session.status "$WORK/killed.json")" incomplete
check_eq "target killed: its name kept" "$(jq -r .session.target.name "$WORK/killed.json")" dotnet
check_eq "target killed: its command line kept" "$(jq -r '.session.target.command_line | test("Busy.dll")' "$WORK/killed.json")" true
check_eq "target killed: its runtime kept" "$(jq -r '.session.target.runtime_version | test("^[0-9]")' "$WORK/killed.json")" true
check_eq "target killed: collected for about 2 s, not 5" \
    "$(jq '.session.duration_ms | . > 1000 and . < 3500' "$WORK/killed.json")" true

# --- the target stopped 1 s into a 3 s session, resumed after the tool gave up: the tool's record stands ---
start_target Idle --seconds 120 || exit 1
P=$TPID
DRDOTNET_END_GRACE_MS=2000 "$DRD_BIN" profile "$P" exceptions --duration 3 --json >"$WORK/stopped.json" \
    2>"$WORK/stopped.err" &
TOOL=$!
wait_for_line "$WORK/stopped.err" "attached to pid $P" 20 || fail "the tool did not attach"
sleep 1
kill -STOP "$P"
wait "$TOOL"
check_eq "target stopped: exit" "$?" 1
check_eq "target stopped: incomplete" "$(jq -r .session.status "$WORK/stopped.json")" incomplete
check_contains "target stopped: the tool says so" "$WORK/stopped.err" "the target was stopped (SIGSTOP, or a debugger)"
check_eq "target stopped: the window ends at the stop" "$(jq '.session.duration_ms | . > 500 and . < 2500' "$WORK/stopped.json")" true
S=$(newest_session)
kill -CONT "$P"
# the profiler's deadline has long passed: it ends at once, finds the tool's record and leaves it
check_eq "target stopped: the profiler detached once resumed" "$(unloaded_count "$P")" 0
check_eq "target stopped: still incomplete" "$(jq -r .status "$S/session.json")" incomplete
check_eq "target stopped: still the tool's record" "$(jq -r .written_by "$S/session.json")" tool
check_eq "target stopped: the window unchanged" "$(jq '.duration_ms < 2500' "$S/session.json")" true
check_contains "target stopped: the profiler left it" "$S/profiler.log" "session.json: File exists"

finish
