#!/usr/bin/env bash
# End to end, statics never touched (tests/targets/Statics): classes whose statics no code ran (not loaded, loaded
# only, with a static constructor, [ThreadStatic], a generic never instantiated over a type, a field or base type
# from an assembly missing at run time), a static constructor that threw, and copies of the assembly in
# collectible contexts, one unloaded. Every profiler attached to it with its defaults: each session completes and
# the target stays alive; heap-snapshot names the initialized statics as the roots of what they hold. (heap-snapshot
# used to kill this target: naming static roots loaded a class the app had never used.) The target then exits 0
# with its statics intact.
. "$(dirname "$0")/lib.sh"

start_target Statics --stop-file "$WORK/stop" || exit 1
S=$TPID
check_contains "the static constructor that throws failed" "$TOUT" "broken: TypeInitializationException"
check_contains "the missing assembly is missing" "$TOUT" "spare: FileNotFoundException (StaticsGone"
check_contains "the collectible context unloaded" "$TOUT" "plugin unloaded: True"

# session LABEL PROFILER ARGS...: one session with the profiler's defaults; sets R (the JSON report)
session() {
    local label=$1
    shift
    R="$WORK/$label.json"
    "$DRD_BIN" profile "$S" "$@" --json >"$R" 2>"$WORK/$label.err"
    check_eq "$label: exit" "$?" 0
    check_eq "$label: status" "$(jq -r .session.status "$R")" completed
    check_eq "$label: detached" "$(jq -r .session.detach "$R")" detached
    CHECKS=$((CHECKS + 1))
    kill -0 "$S" 2>/dev/null && pass "$label: target alive" || { fail "$label: the target died"; exit 1; }
}

session exceptions exceptions --duration 1
CHECKS=$((CHECKS + 1))
n=$(jq '.report.types[] | select(.type == "DrDotnet.Statics.ShelfEmptyException") | .caught' "$R")
[ "${n:-0}" -gt 0 ] && pass "exceptions: the worker's exceptions ($n caught)" || fail "exceptions: none seen"
session cpu-hotpaths cpu-hotpaths --duration 1
session cpu-wall cpu-hotpaths --duration 1 --param mode=wall
session merged-stacks merged-stacks
check_eq "merged-stacks: the worker thread" \
    "$(jq '[.report.stacks[] | select(.name == "work")] | length' "$R")" 1
session allocations allocations --duration 1
session runtime-pauses runtime-pauses --duration 1
session duplicated-strings duplicated-strings

# heap-snapshot, defaults (static roots named): every object an initialized static holds, and its field
session heap-snapshot heap-snapshot
count() { jq --arg t "$1" '[.report.types[] | select(.type == $t) | .count] | add // 0' "$R"; }
root_of() { jq -c --arg t "$1" '[.report.retainers[] | select(.type == $t) | .path[0]][0]' "$R"; }
check_eq "heap: the static readonly field's Shelf" "$(count DrDotnet.Statics.Shelf)" 1
check_eq "heap: Shelf held by Warehouse.Main" "$(root_of DrDotnet.Statics.Shelf)" \
    '{"root":"static","field":"DrDotnet.Statics.Warehouse.Main"}'
check_eq "heap: the static constructor's Ledger" "$(count DrDotnet.Statics.Ledger)" 1
check_eq "heap: Ledger held by Books.Current" "$(root_of DrDotnet.Statics.Ledger)" \
    '{"root":"static","field":"DrDotnet.Statics.Books.Current"}'
check_eq "heap: Pool<Token>'s tokens" "$(count DrDotnet.Statics.Token)" 10000
# a generic class's statics (Pool<Token>.Items) are not named today: the list's root is the runtime's handle to the
# statics' storage; if a static field is named, it must be that one
P=$(root_of 'System.Collections.Generic.List<DrDotnet.Statics.Token>')
if [ "$(jq -r .root <<<"$P")" == static ]; then
    check_eq "heap: the token list held by Pool<Token>.Items" \
        "$(jq -r '.field | test("^DrDotnet\\.Statics\\.Pool.*\\.Items$")' <<<"$P")" true
else
    echo "note: the token list's root is $P, not the field Pool<Token>.Items (generic statics are not named)"
fi
check_eq "heap: the main thread's [ThreadStatic] Basket" "$(count DrDotnet.Statics.Basket)" 1
check_eq "heap: the kept context's Sack, the unloaded one's gone" "$(count DrDotnet.Statics.Sack)" 1
CHECKS=$((CHECKS + 1))
n=$(jq '.report.roots.static' "$R")
[ "$n" -ge 2 ] && pass "heap: static roots named ($n)" || fail "heap: $n static roots named"

session heap-snapshot-nostatics heap-snapshot --param static_roots=false
check_eq "heap (static_roots=false): Shelf" "$(count DrDotnet.Statics.Shelf)" 1
check_eq "heap (static_roots=false): no static root" "$(jq .report.roots.static "$R")" 0

# again, now that every profiler has been loaded once
session heap-snapshot-again heap-snapshot
check_eq "heap, again: Shelf held by Warehouse.Main" "$(root_of DrDotnet.Statics.Shelf)" \
    '{"root":"static","field":"DrDotnet.Statics.Warehouse.Main"}'

check_eq "library unloaded" "$(unloaded_count "$S")" 0
touch "$WORK/stop"
wait "$S"
check_eq "target exit code" "$?" 0
check_contains "the target's statics intact" "$TOUT" "statics intact"
finish
