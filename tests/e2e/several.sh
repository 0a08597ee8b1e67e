#!/usr/bin/env bash
# End to end: several profilers in one attach. cpu-hotpaths + exceptions + runtime-pauses on a target with known
# exceptions, a known hot method and known GCs: each report exact, as alone; every pair that can run together runs
# together on Busy; a pair that cannot is refused before anything is attached; parameters go where they belong.
. "$(dirname "$0")/lib.sh"

# one session, three profilers, one attach
start_target Exceptions --go-file "$WORK/go" --stop-file "$WORK/stop" --gc 20 || exit 1
T=$TPID
"$DRD_BIN" profile "$T" cpu-hotpaths,exceptions,runtime-pauses --duration 6 --json >"$WORK/three.json" \
    2>"$WORK/three.err" &
PROF=$!
wait_for_line "$WORK/three.err" "attached to pid $T" 20 || fail "the tool did not attach"
touch "$WORK/go"
wait "$PROF"
check_eq "three: exit" "$?" 0
R="$WORK/three.json"
check_eq "three: status" "$(jq -r .session.status "$R")" completed
check_eq "three: detached" "$(jq -r .session.detach "$R")" detached
check_eq "three: one session lists the three" "$(jq -c '[.session.profilers[].name]' "$R")" \
    '["cpu-hotpaths","exceptions","runtime-pauses"]'
check_eq "three: a raw file each" "$(jq -c .session.files "$R")" '["cpu-hotpaths.raw","exceptions.raw","runtime-pauses.raw"]'
check_eq "three: exceptions thrown, as alone" "$(jq '.reports.exceptions.total' "$R")" 1250
check_eq "three: exceptions caught" "$(jq '.reports.exceptions.caught' "$R")" 1250
check_eq "three: InvalidOperationException" \
    "$(jq '.reports.exceptions.types[] | select(.type == "System.InvalidOperationException") | .count' "$R")" 1000
check_eq "three: nothing dropped" "$(jq '.reports.exceptions.dropped' "$R")" 0
check_eq "three: the hot method on top" "$(jq -r '.reports["cpu-hotpaths"].top[0].function' "$R")" \
    DrDotnet.Targets.Work.SumPrimesBySieve
check_eq "three: the induced full GCs" "$(jq '.reports["runtime-pauses"].gcs.gen2' "$R")" 20
check_eq "three: per-profiler counts add up" "$(jq '([.session.profilers[].events] | add) == .session.events' "$R")" true
check_contains "three: the target did its GCs" "$TOUT" "collected 20"
check_eq "three: target running" "$(kill -0 "$T" && echo yes)" yes
"$DRD_BIN" show last >"$WORK/three.txt"
check_contains "three: show prints each report" "$WORK/three.txt" "==== runtime-pauses ===="
check_contains "three: show prints the exceptions" "$WORK/three.txt" "System.InvalidOperationException"
# export: the one profiler of the session whose samples export, or the one named; another is refused
ID=$(jq -r .session.id "$R")
"$DRD_BIN" export "$ID" --format folded --output - >"$WORK/three.folded" 2>"$WORK/export.err"
check_eq "three: export exit" "$?" 0
check_contains "three: export holds the hot method" "$WORK/three.folded" "DrDotnet.Targets.Work.SumPrimesBySieve"
"$DRD_BIN" export "$ID" --format folded --profiler cpu-hotpaths --output "$WORK/named.folded" >/dev/null 2>&1
check_eq "three: export of the named profiler" "$(cmp -s "$WORK/three.folded" "$WORK/named.folded" && echo same)" same
"$DRD_BIN" export "$ID" --format folded --profiler exceptions --output - >/dev/null 2>"$WORK/export-exc.err"
check_eq "three: export of exceptions refused" "$?" 1
check_contains "three: export says why" "$WORK/export-exc.err" "has no samples of profiler 'exceptions'"
touch "$WORK/stop"

# launched with two profilers: exact counts from the start
"$DRD_BIN" launch exceptions,cpu-hotpaths --json -- dotnet "$DRD_TARGETS/Exceptions/Exceptions.dll" --work-ms 1500 \
    >"$WORK/launch.json" 2>"$WORK/launch.err"
check_eq "launch two: exit" "$?" 0
check_eq "launch two: thrown" "$(jq '.reports.exceptions.total' "$WORK/launch.json")" 1250
check_eq "launch two: sampled" "$(jq '.reports["cpu-hotpaths"].samples > 0' "$WORK/launch.json")" true

# every pair that can run together, once, on a busy target; the target lives on
start_target Busy --seconds 120 || exit 1
B=$TPID
compatible=(exceptions cpu-hotpaths allocations runtime-pauses waits)
for ((i = 0; i < ${#compatible[@]}; i++)); do
    for ((j = i + 1; j < ${#compatible[@]}; j++)); do
        pair="${compatible[i]},${compatible[j]}"
        "$DRD_BIN" profile "$B" "$pair" --duration 1 --json >"$WORK/pair.json" 2>"$WORK/pair.err"
        check_eq "pair $pair: exit" "$?" 0
        check_eq "pair $pair: two reports" "$(jq '.reports | length' "$WORK/pair.json")" 2
        check_eq "pair $pair: no report failed" "$(jq '[.reports[] | select(.error)] | length' "$WORK/pair.json")" 0
        check_eq "pair $pair: detached" "$(jq -r .session.detach "$WORK/pair.json")" detached
    done
done
check_eq "pairs: target running" "$(kill -0 "$B" && echo yes)" yes

# what cannot run together is refused before attaching, with its sentence; the target stays free
for pair in exceptions,heap-snapshot merged-stacks,cpu-hotpaths duplicated-strings,runtime-pauses; do
    "$DRD_BIN" profile "$B" "$pair" --duration 1 >/dev/null 2>"$WORK/refused.err"
    check_eq "refused $pair: exit" "$?" 2
    check_contains "refused $pair: why" "$WORK/refused.err" "takes one snapshot and ends its session"
done
"$DRD_BIN" launch cpu-hotpaths,heap-snapshot -- true >/dev/null 2>"$WORK/startup.err"
check_eq "refused at startup: exit" "$?" 2
check_contains "refused at startup: why" "$WORK/startup.err" "'heap-snapshot' cannot be loaded at startup"
# parameters: an unknown key is refused; a key one profiler takes goes to it, a qualified key to its profiler, and a
# common key (duration, max_stack_depth, max_file_mb: declared once by the core) to every profiler that takes it
"$DRD_BIN" profile "$B" cpu-hotpaths,exceptions --param max_pauses=8 >/dev/null 2>"$WORK/unk.err"
check_eq "unknown parameter: exit" "$?" 2
"$DRD_BIN" profile "$B" cpu-hotpaths,exceptions --duration 1 --param frequency=199 \
    --param exceptions.max_stack_depth=8 --json >"$WORK/params.json" 2>/dev/null
check_eq "parameters: exit" "$?" 0
check_eq "parameters: frequency to cpu-hotpaths" "$(jq '.session.parameters["cpu-hotpaths.frequency"]' "$WORK/params.json")" 199
check_eq "parameters: depth to exceptions" "$(jq '.session.parameters["exceptions.max_stack_depth"]' "$WORK/params.json")" 8
check_eq "parameters: cpu-hotpaths keeps its depth" \
    "$(jq '.session.parameters["cpu-hotpaths.max_stack_depth"]' "$WORK/params.json")" 128
check_eq "parameters: one duration for both" "$(jq '[.session.profilers[].parameters.duration] | unique' -c "$WORK/params.json")" "[1]"
"$DRD_BIN" profile "$B" cpu-hotpaths,exceptions --duration 1 --param max_stack_depth=16 --json >"$WORK/common.json" \
    2>/dev/null
check_eq "parameters: a common depth for both" \
    "$(jq -c '[.session.profilers[].parameters.max_stack_depth] | unique' "$WORK/common.json")" "[16]"
check_eq "after all: a single profiler attaches" "$("$DRD_BIN" profile "$B" exceptions --duration 1 --quiet 2>/dev/null; echo $?)" 0
finish
