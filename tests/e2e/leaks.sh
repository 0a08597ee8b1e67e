#!/usr/bin/env bash
# End to end, the leak finder (tests/targets/Leak): the target adds a batch of Shop.Cart objects to the static
# dictionary Shop.CartStore.Carts after each full GC, so each of the leaks profiler's snapshots (a forced GC each) is
# followed by exactly one batch, beside churn of Shop.Receipt that does not grow. leaks,allocations in one session
# names Shop.Cart with its exact growth per snapshot, the static field and the dictionary that hold it, the method
# that allocated it, and not the churn; the text leads with the verdict. Without a leak (batch 0) it says so.
. "$(dirname "$0")/lib.sh"

BATCH=3000
start_target Leak --stop-file "$WORK/stop" --batch $BATCH || exit 1
L=$TPID
R="$WORK/leaks.json"
"$DRD_BIN" profile "$L" leaks,allocations --duration 4 --param snapshots=4 --json >"$R" 2>"$WORK/leaks.err"
check_eq "leaks,allocations: exit" "$?" 0
check_eq "status" "$(jq -r .session.status "$R")" completed
check_eq "snapshots" "$(jq '.reports.leaks.snapshots | length' "$R")" 4
G=$(jq -c '.reports.leaks.growing[] | select(.type == "Shop.Cart")' "$R")
check_eq "the leaking type comes first" "$(jq -r '.reports.leaks.growing[0].type' "$R")" Shop.Cart
check_eq "Shop.Cart: one batch per snapshot" "$(jq -c .count_per_step <<<"$G")" "[$BATCH,$BATCH,$BATCH]"
# each count the report gives is a total the target printed when it leaked (or 0 before its first batch)
for c in $(jq '.count[]' <<<"$G"); do
    CHECKS=$((CHECKS + 1))
    if [ "$c" -eq 0 ] || grep -qx "leaked $c gc2 [0-9]*" "$TOUT"; then pass "count $c was the target's"
    else fail "count $c: the target never held that many"; fi
done
check_eq "held by the static field" "$(jq -c '.holder.path[0]' <<<"$G")" \
    '{"root":"static","field":"Shop.CartStore.Carts"}'
check_eq "through the dictionary" "$(jq -r '.holder.path[1].type' <<<"$G")" \
    'System.Collections.Generic.Dictionary<System.Int32,Shop.Cart>'
check_eq "the path holds the new instances" "$(jq .holder.new_instances <<<"$G")" $((3 * BATCH))
check_eq "allocated in AddCarts" "$(jq -r '.allocated.stacks[0].frames[0]' <<<"$G")" Shop.Program.AddCarts
check_eq "the churn is not named" "$(jq '[.reports.leaks.growing[] | select(.type == "Shop.Receipt")] | length' "$R")" 0
V=$(jq -r .reports.leaks.verdict "$R")
CHECKS=$((CHECKS + 1))
case "$V" in
"Shop.Cart grew by 9,000 instances (+"*" MB) over 4 snapshots ("*" s), held by static field Shop.CartStore.Carts through System.Collections.Generic.Dictionary<System.Int32,Shop.Cart>; allocated mostly at Shop.Program.AddCarts ("*)
    pass "verdict: $V" ;;
*) fail "verdict: $V" ;;
esac
"$DRD_BIN" show last >"$WORK/show.txt" 2>&1
check_eq "the text leads with the verdict" "$(grep -A1 '^==== leaks ====' "$WORK/show.txt" | tail -1)" "$V"
check_eq "library unloaded" "$(unloaded_count "$L")" 0
touch "$WORK/stop"
wait "$L"
check_eq "target exit" "$?" 0

# no leak: churn only
rm -f "$WORK/stop"
start_target Leak --stop-file "$WORK/stop" --batch 0 || exit 1
N=$TPID
"$DRD_BIN" profile "$N" leaks --duration 2 --param snapshots=3 --json >"$R" 2>"$WORK/none.err"
check_eq "no leak: exit" "$?" 0
check_eq "no leak: nothing grows" "$(jq '.report.growing | length' "$R")" 0
check_eq "no leak: the verdict says so" "$(jq -r .report.verdict "$R" | sed 's/([0-9.]* s)/(T s)/')" \
    "No type grew at every step over 3 snapshots (T s): no leak in this window."
touch "$WORK/stop"
wait "$N"
finish
