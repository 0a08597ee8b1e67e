#!/usr/bin/env bash
# End to end: the memory and GC profilers against a target with known memory behaviour (tests/targets/Memory).
. "$(dirname "$0")/lib.sh"

at_least() { CHECKS=$((CHECKS + 1)); awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass "$1 ($2 >= $3)" || fail "$1: $2 < $3"; }

# profile_during NAME PROFILER ARGS...: attaches, then lets the target act (go file), waits for the report
profile_during() {
    local name=$1
    shift
    "$DRD_BIN" profile "$TPID" "$@" --json >"$WORK/$name.json" 2>"$WORK/$name.err" &
    local prof=$!
    wait_for_line "$WORK/$name.err" "attached to pid $TPID" 20 || fail "$name: the tool did not attach"
    touch "$WORK/go-$name"
    wait "$prof"
    check_eq "$name: exit" "$?" 0
}

# runtime-pauses: 50 induced gen2 collections during the session
start_target Memory --go-file "$WORK/go-pauses" --stop-file "$WORK/stop-pauses" --gc 50 || exit 1
P=$TPID
profile_during pauses runtime-pauses --duration 5
R="$WORK/pauses.json"
at_least "pauses: count" "$(jq .report.count "$R")" 50
at_least "pauses: gen2 GCs" "$(jq .report.gcs.gen2 "$R")" 50
at_least "pauses: reason gc" "$(jq '.report.by_reason.gc.count' "$R")" 50
check_eq "pauses: induced gen2 in the longest" "$(jq -r '.report.longest[0] | "\(.reason) \(.generation) \(.kind)"' "$R")" "gc 2 induced"
check_eq "pauses: timeline as data" "$(jq '.report.timeline | length' "$R")" "$(jq .report.count "$R")"
check_eq "pauses: quantiles ordered" "$(jq '.report | (.p50_ms <= .p95_ms and .p95_ms <= .p99_ms and .p99_ms <= .max_ms)' "$R")" true
check_contains "pauses: the target did its GCs" "$TOUT" "collected 50"
touch "$WORK/stop-pauses"
wait "$P"
check_eq "pauses: target exit code" "$?" 0

# duplicated-strings: 5,000 distinct string objects with the same 47-character value (120 bytes each on x64)
start_target Memory --stop-file "$WORK/stop-dup" --dup 5000 || exit 1
D=$TPID
wait_for_line "$TOUT" "strings 5000" 10 || fail "the target did not make its strings"
"$DRD_BIN" profile "$D" duplicated-strings --json >"$WORK/dup.json" 2>"$WORK/dup.err"
check_eq "dup: exit" "$?" 0
TOP='.report.top[0]'
check_eq "dup: the value" "$(jq -r "$TOP.value" "$WORK/dup.json")" "a value that this program holds many times over"
check_eq "dup: occurrences" "$(jq "$TOP.count" "$WORK/dup.json")" 5000
check_eq "dup: object size" "$(jq "$TOP.size" "$WORK/dup.json")" 120
check_eq "dup: wasted bytes" "$(jq "$TOP.wasted" "$WORK/dup.json")" $((4999 * 120))
check_eq "dup: short values cut" "$("$DRD_BIN" show "$(jq -r .session.id "$WORK/dup.json")" >"$WORK/dup.txt"; grep -c '5000       599880' "$WORK/dup.txt")" 1
check_eq "dup: library unloaded" "$(unloaded_count "$D")" 0
touch "$WORK/stop-dup"
wait "$D"
check_eq "dup: target exit code (its strings intact)" "$?" 0
finish
