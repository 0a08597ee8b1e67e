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

# allocations, attached: 4,000,000 Payload (48 bytes) and 200,000 int[256] (1,048 bytes) during the session;
# the sampled estimate must be within 10% of the truth for both
within() { # NAME ACTUAL TRUTH: |actual - truth| <= 10% of truth
    CHECKS=$((CHECKS + 1))
    awk -v a="$2" -v t="$3" 'BEGIN { d = a - t; if (d < 0) d = -d; exit !(d <= 0.10 * t) }' &&
        pass "$1: $2 within 10% of $3" || fail "$1: $2 not within 10% of $3"
}
start_target Memory --go-file "$WORK/go-alloc" --stop-file "$WORK/stop-alloc" --payloads 4000000 --arrays 200000 || exit 1
A=$TPID
profile_during alloc allocations --duration 5
R="$WORK/alloc.json"
type_field() { jq --arg t "$1" ".report.types[] | select(.type == \$t) | .$2" "$R"; }
check_eq "alloc: sampled, not exact" "$(jq .report.exact "$R")" false
within "alloc: Payload bytes" "$(type_field DrDotnet.Targets.Payload bytes)" $((4000000 * 48))
within "alloc: Payload count" "$(type_field DrDotnet.Targets.Payload count)" 4000000
within "alloc: int[] bytes" "$(type_field 'System.Int32[]' bytes)" $((200000 * 1048))
check_eq "alloc: allocation stack" "$(jq -r '.report.types[] | select(.type == "DrDotnet.Targets.Payload") | .stacks[0].frames[0]' "$R")" DrDotnet.Targets.Program.Allocate
# the runtime walked each call path once, the walk reused by frame-pointer chain, callers kept
check_eq "alloc: stacks walked once per path" "$(jq -r .report.walker "$R")" cached
check_eq "alloc: the allocating method's caller" "$(jq -r '.report.types[] | select(.type == "DrDotnet.Targets.Payload") | .stacks[0].frames[1]' "$R")" DrDotnet.Targets.Program.Main
check_contains "alloc: the target allocated" "$TOUT" "allocated 4000000 200000"
# the sampled session's folded export: Payload under Allocate under Main, with the report's bytes
"$DRD_BIN" export "$(jq -r .session.id "$R")" --format folded --output "$WORK/alloc.folded" >/dev/null
check_eq "alloc export: folded exit" "$?" 0
check_eq "alloc export: Payload's bytes by stack, as the report says" \
    "$(awk '$0 ~ /DrDotnet\.Targets\.Program\.Main;DrDotnet\.Targets\.Program\.Allocate;DrDotnet\.Targets\.Payload [0-9]+$/ { s += $NF } END { print s }' "$WORK/alloc.folded")" \
    "$(jq '[.report.types[] | select(.type == "DrDotnet.Targets.Payload") | .stacks[] | select(.frames[0] == "DrDotnet.Targets.Program.Allocate" and .frames[1] == "DrDotnet.Targets.Program.Main") | .bytes] | add' "$R")"
touch "$WORK/stop-alloc"
wait "$A"
check_eq "alloc: target exit code" "$?" 0

# allocations at launch: every object counted, exactly
"$DRD_BIN" launch allocations --json -- dotnet "$DRD_TARGETS/Memory/Memory.dll" --payloads 200000 \
    >"$WORK/exact.json" 2>"$WORK/exact.err"
check_eq "exact: exit" "$?" 0
check_eq "exact: mode" "$(jq .report.exact "$WORK/exact.json")" true
check_eq "exact: Payload count" "$(jq '.report.types[] | select(.type == "DrDotnet.Targets.Payload") | .count' "$WORK/exact.json")" 200000
check_eq "exact: Payload bytes" "$(jq '.report.types[] | select(.type == "DrDotnet.Targets.Payload") | .bytes' "$WORK/exact.json")" 9600000
# its exports: each stack under the type allocated, by bytes (pprof: alloc_objects and alloc_space)
EX=$(jq -r .session.id "$WORK/exact.json")
"$DRD_BIN" export "$EX" --format folded --output "$WORK/exact.folded" >/dev/null
check_eq "exact export: folded exit" "$?" 0
check_eq "exact export: folded, the type alone at launch (no stacks), by bytes" \
    "$(grep -c -x 'DrDotnet.Targets.Payload 9600000' "$WORK/exact.folded")" 1
"$DRD_BIN" export "$EX" --format speedscope --output "$WORK/exact.speedscope.json" >/dev/null
check_eq "exact export: speedscope in bytes, Payload's weight" "$(jq -r '.profiles[0] as $p | .shared.frames as $f |
    [range($p.samples | length) | select($f[$p.samples[.][-1]].name == "DrDotnet.Targets.Payload") | $p.weights[.]] |
    "\($p.unit) \(add)"' "$WORK/exact.speedscope.json")" "bytes 9600000"
"$DRD_BIN" export "$EX" --format pprof >"$WORK/exact.pprof.out"
check_eq "exact export: pprof exit" "$?" 0
PB=$(cat "$WORK/exact.pprof.out")
check_eq "exact export: pprof sample types" "$(gzip -dc "$PB" | grep -a -o -e alloc_objects -e alloc_space | sort -u | tr '\n' ' ')" \
    "alloc_objects alloc_space "
check_eq "exact export: pprof names the type" "$(gzip -dc "$PB" | grep -a -c DrDotnet.Targets.Payload)" 1

# heap-snapshot: a static list holds 20,000 Session objects of 1 KiB each; then 10,000 more
start_target Memory --leak 20000 --grow-file "$WORK/grow" --stop-file "$WORK/stop-leak" || exit 1
L=$TPID
wait_for_line "$TOUT" "sessions 20000" 20 || fail "the target did not make its sessions"
"$DRD_BIN" profile "$L" heap-snapshot --json >"$WORK/heap1.json" 2>"$WORK/heap1.err"
check_eq "heap: exit" "$?" 0
H='.report.types[] | select(.type == "DrDotnet.Targets.Session")'
check_eq "heap: exactly 20,000 sessions" "$(jq "$H | .count" "$WORK/heap1.json")" 20000
at_least "heap: the list retains at least 20 MiB" \
    "$(jq '.report.types[] | select(.type == "System.Collections.Generic.List<DrDotnet.Targets.Session>") | .retained' "$WORK/heap1.json")" \
    $((20 * 1024 * 1024))
check_eq "heap: the biggest retainer's path starts at the static field" \
    "$(jq -c '.report.retainers[0].path[0]' "$WORK/heap1.json")" '{"root":"static","field":"DrDotnet.Targets.Program.Sessions"}'
at_least "heap: the pause is recorded" "$(jq .report.pause_ms "$WORK/heap1.json")" 0.001
touch "$WORK/grow"
wait_for_line "$TOUT" "sessions 30000" 20 || fail "the target did not grow"
"$DRD_BIN" profile "$L" heap-snapshot --json >"$WORK/heap2.json" 2>"$WORK/heap2.err"
check_eq "heap: second snapshot" "$?" 0
"$DRD_BIN" diff "$(jq -r .session.id "$WORK/heap1.json")" "$(jq -r .session.id "$WORK/heap2.json")" --json >"$WORK/diff.json"
check_eq "diff: exit" "$?" 0
check_eq "diff: 10,000 more sessions" \
    "$(jq '.types[] | select(.type == "DrDotnet.Targets.Session") | .count_delta' "$WORK/diff.json")" 10000
check_eq "diff: the sessions grew the most" "$(jq -r '.types[0].type' "$WORK/diff.json" | grep -c 'Session')" 1
check_eq "heap: library unloaded" "$(unloaded_count "$L")" 0
touch "$WORK/stop-leak"
wait "$L"
check_eq "heap: target exit code" "$?" 0

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
