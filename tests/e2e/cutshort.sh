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

finish
