#!/usr/bin/env bash
# End to end, the runtimes users run: every profiler attached to the same small target (tests/targets/Runtimes) on
# .NET 8 and 9 (published self-contained: no runtime installed) and on .NET 10. Each profiler either works, its
# report as right as on 10, or refuses with exit 2 and a sentence naming the .NET version it needs; on 10 every one
# works; the target survives every session, then exits 0 with its data intact. Prints which worked where.
. "$(dirname "$0")/lib.sh"

at_least() { CHECKS=$((CHECKS + 1)); awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass "$1 ($2 >= $3)" || fail "$1: $2 < $3"; }
# within NAME ACTUAL TRUTH PERCENT
within() {
    CHECKS=$((CHECKS + 1))
    awk -v a="$2" -v t="$3" -v p="$4" 'BEGIN { d = a - t; if (d < 0) d = -d; exit !(d <= p / 100 * t) }' &&
        pass "$1: $2 within $4% of $3" || fail "$1: $2 not within $4% of $3"
}

OUTCOMES=()
# session LABEL GO PROFILER ARGS...: one session against $RPID; with GO, the workload go-GO starts once attached.
# Sets R (the JSON report) and OUTCOME (worked, refused, or failed); a refusal must be exit 2 with its sentence.
session() {
    local label=$1 go=$2
    shift 2
    R="$WORK/$TFM-$label.json"
    local err="$WORK/$TFM-$label.err"
    "$DRD_BIN" profile "$RPID" "$@" --json >"$R" 2>"$err" &
    local tool=$!
    if [ -n "$go" ]; then
        wait_for_line "$err" "attached to pid $RPID" 20 && touch "$RDIR/go-$go"
    fi
    wait "$tool"
    local rc=$?
    if [ "$rc" -eq 0 ] && [ "$(jq -r .session.status "$R")" == completed ]; then
        OUTCOME=worked
        check_eq "$TFM $label: detached" "$(jq -r .session.detach "$R")" detached
    elif [ "$rc" -eq 2 ] && grep -qE "the profiler refused the session: .*needs \.NET [0-9]+ or later" "$err"; then
        OUTCOME=refused
        pass "$TFM $label: refused: $(sed -n 's/.*refused the session: //p' "$err")"
        [ "$TFM" != net10.0 ] || fail "$TFM $label: refused on .NET 10"
    else
        OUTCOME=failed
        fail "$TFM $label: exit $rc, neither a report nor a refusal: $(grep -v 'attached to pid' "$err" | head -3)"
    fi
    OUTCOMES+=("$TFM $label $OUTCOME")
    CHECKS=$((CHECKS + 1))
    kill -0 "$RPID" 2>/dev/null && pass "$TFM $label: target alive" || fail "$TFM $label: the target died"
    if [ -n "$go" ] && [ "$OUTCOME" == worked ]; then
        wait_for_line "$ROUT" "$go done" 20 || fail "$TFM $label: the workload did not finish"
    fi
    [ "$OUTCOME" == worked ]
}

for TFM in net8.0 net9.0 net10.0; do
    RDIR="$WORK/$TFM"
    ROUT="$WORK/$TFM.out"
    mkdir -p "$RDIR"
    if [ "$TFM" == net10.0 ]; then
        dotnet "$DRD_TARGETS/Runtimes/Runtimes.dll" --dir "$RDIR" >"$ROUT" 2>&1 &
    else
        "$DRD_TARGETS/Runtimes-$TFM/Runtimes" --dir "$RDIR" >"$ROUT" 2>&1 &
    fi
    RPID=$!
    PIDS+=("$RPID")
    wait_for_line "$ROUT" "ready" 20 || { fail "$TFM: the target did not start: $(head -5 "$ROUT")"; continue; }
    check_eq "$TFM: the runtime's major version" "$(awk '/^ready/ {split($3, v, "."); print "net" v[1] ".0"}' "$ROUT")" "$TFM"

    if session exceptions exceptions exceptions --duration 3; then
        I='.report.types[] | select(.type == "System.InvalidOperationException")'
        check_eq "$TFM exceptions: thrown" "$(jq "$I | .count" "$R")" 1000
        check_eq "$TFM exceptions: caught" "$(jq "$I | .caught" "$R")" 1000
        check_eq "$TFM exceptions: catcher" "$(jq -r "$I | .catchers[0].method" "$R")" DrDotnet.Targets.Thrower.ThrowAndCatch
    fi
    if session cpu-hotpaths cpu cpu-hotpaths --duration 2; then
        check_eq "$TFM cpu-hotpaths: hottest function" "$(jq -r '.report.top[0].function' "$R")" DrDotnet.Targets.Spinner.Spin
        at_least "$TFM cpu-hotpaths: its share" \
            "$(jq '([.report.top[] | select(.function == "DrDotnet.Targets.Spinner.Spin") | .total] | add // 0) / .report.samples' "$R")" 0.7
    fi
    if session allocations alloc allocations --duration 3; then
        # 2,000,000 Payload (48 bytes) and 100,000 int[256] (1,048 bytes): the sampled estimate within 10 % on .NET 10
        # (AllocationSampled events); within 25 % on 8 and 9, whose estimate comes from AllocationTick events
        # (one every ~100 KB, biased towards the larger objects)
        tol=10
        [ "$TFM" == net10.0 ] || tol=25
        T='.report.types[] | select(.type == $t)'
        within "$TFM allocations: Payload bytes" "$(jq --arg t DrDotnet.Targets.Payload "$T | .bytes" "$R")" 96000000 $tol
        within "$TFM allocations: int[] bytes" "$(jq --arg t 'System.Int32[]' "$T | .bytes" "$R")" 104800000 $tol
        check_eq "$TFM allocations: allocating method" \
            "$(jq -r --arg t DrDotnet.Targets.Payload "$T | .stacks[0].frames[0]" "$R")" DrDotnet.Targets.Program.Allocate
    fi
    if session runtime-pauses gc runtime-pauses --duration 2; then
        at_least "$TFM runtime-pauses: gen2 GCs" "$(jq .report.gcs.gen2 "$R")" 20
        check_eq "$TFM runtime-pauses: induced gen2 in the longest" \
            "$(jq -r '.report.longest[0] | "\(.reason) \(.generation) \(.kind)"' "$R")" "gc 2 induced"
    fi
    if session merged-stacks "" merged-stacks; then
        check_eq "$TFM merged-stacks: the waiter's stack" \
            "$(jq -r '.report.stacks[] | select(.name == "waiter") | .frames[0:2] | join(" < ")' "$R")" \
            "System.Threading.Monitor.Wait < DrDotnet.Targets.Waiter.WaitForever"
    fi
    if session duplicated-strings "" duplicated-strings; then
        check_eq "$TFM duplicated-strings: the value" "$(jq -r '.report.top[0].value' "$R")" "a value this program holds two thousand times"
        check_eq "$TFM duplicated-strings: occurrences" "$(jq '.report.top[0].count' "$R")" 2000
    fi
    S='.report.types[] | select(.type == "DrDotnet.Targets.Session") | .count'
    # waits: works everywhere; before .NET 9 the runtime has no wait-handle events, and the report says so
    if session waits "" waits --duration 2; then
        if [ "$TFM" == net8.0 ]; then
            check_eq "$TFM waits: wait handles not seen" "$(jq .report.wait_handles_seen "$R")" false
            check_eq "$TFM waits: says why" "$(jq '[.report.unseen[] | select(test("from .NET 9"))] | length' "$R")" 1
        else
            check_eq "$TFM waits: wait handles seen" "$(jq .report.wait_handles_seen "$R")" true
        fi
    fi
    if session heap-snapshot:no-static-roots "" heap-snapshot --param static_roots=false; then
        check_eq "$TFM heap-snapshot (static_roots=false): sessions" "$(jq "$S" "$R")" 20000
    fi
    if session heap-snapshot "" heap-snapshot; then
        check_eq "$TFM heap-snapshot: sessions" "$(jq "$S" "$R")" 20000
        check_eq "$TFM heap-snapshot: held by the static field" "$(jq -c '.report.retainers[0].path[0]' "$R")" \
            '{"root":"static","field":"DrDotnet.Targets.Program.Sessions"}'
    fi
    # leaks: its snapshots on every runtime, each holding the target's 20,000 sessions, which do not grow
    if session leaks "" leaks --duration 2 --param snapshots=2; then
        check_eq "$TFM leaks: snapshots" "$(jq '.report.snapshots | length' "$R")" 2
        check_eq "$TFM leaks: the sessions in each" "$(jq -c '[.report.snapshots[].objects > 20000] | unique' "$R")" "[true]"
        check_eq "$TFM leaks: the sessions do not grow" \
            "$(jq '[.report.growing[] | select(.type == "DrDotnet.Targets.Session")] | length' "$R")" 0
    fi

    kill -0 "$RPID" 2>/dev/null && check_eq "$TFM: library unloaded" "$(unloaded_count "$RPID")" 0
    touch "$RDIR/stop"
    wait "$RPID"
    check_eq "$TFM: target exit code (its data intact)" "$?" 0
done

echo "what worked where:"
for o in "${OUTCOMES[@]}"; do
    read -r tfm label outcome <<<"$o"
    printf '  %-8s %-32s %s\n' "$tfm" "$label" "$outcome"
done
finish
