#!/usr/bin/env bash
# End to end, the leak finder (tests/targets/Leak): the target adds a batch of Shop.Cart objects to the static
# dictionary Shop.CartStore.Carts after each full GC, so each of the leaks profiler's snapshots (a forced GC each) is
# followed by exactly one batch, beside churn of Shop.Receipt that does not grow. leaks,allocations in one session
# names Shop.Cart with its exact growth per snapshot, the static field and the dictionary that hold it, the method
# that allocated it, and not the churn; the text leads with the verdict. A heap snapshot of it exports by retention
# path (pprof inuse_space, folded, speedscope) with the carts' exact bytes. Without a leak (batch 0) it says so; with
# an interval, the snapshots are that far apart (and a duration without room for them is refused).
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
# Each count the report gives is a total the target printed when it leaked (or 0 before its first batch), and each
# step grew by one batch per full GC the target saw between the two snapshots: one, the snapshot's own, unless the
# collector ran a full GC of its own in between (rare, on a loaded machine), which the target's lines show.
gc_of() { # the gen-2 count the target had seen when it held $1 carts
    if [ "$1" -eq 0 ]; then
        awk '/^ready/ {print $4}' "$TOUT"
    else
        awk -v c="$1" '$1 == "leaked" && $2 == c {print $4}' "$TOUT"
    fi
}
COUNTS=($(jq '.count[]' <<<"$G"))
EXPECT=()
for i in "${!COUNTS[@]}"; do
    k=$(gc_of "${COUNTS[$i]}")
    CHECKS=$((CHECKS + 1))
    [ -n "$k" ] && pass "count ${COUNTS[$i]} was the target's (after full GC $k)" ||
        fail "count ${COUNTS[$i]}: the target never held that many"
    [ "$i" -gt 0 ] && EXPECT+=($((BATCH * (k - prev))))
    prev=${k:-0}
done
check_eq "Shop.Cart: the batches leaked between snapshots" "$(jq -c .count_per_step <<<"$G")" \
    "[$(IFS=,; echo "${EXPECT[*]}")]"
[ "$(jq -c .count_per_step <<<"$G")" == "[$BATCH,$BATCH,$BATCH]" ] ||
    echo "note: the collector ran a full GC of its own between two snapshots: $(jq -c .count_per_step <<<"$G")"
GROWTH=$((COUNTS[3] - COUNTS[0]))
check_eq "held by the static field" "$(jq -c '.holder.path[0]' <<<"$G")" \
    '{"root":"static","field":"Shop.CartStore.Carts"}'
check_eq "through the dictionary" "$(jq -r '.holder.path[1].type' <<<"$G")" \
    'System.Collections.Generic.Dictionary<System.Int32,Shop.Cart>'
check_eq "the path holds the new instances" "$(jq .holder.new_instances <<<"$G")" $GROWTH
check_eq "allocated in AddCarts" "$(jq -r '.allocated.stacks[0].frames[0]' <<<"$G")" Shop.Program.AddCarts
check_eq "the churn is not named" "$(jq '[.reports.leaks.growing[] | select(.type == "Shop.Receipt")] | length' "$R")" 0
V=$(jq -r .reports.leaks.verdict "$R")
CHECKS=$((CHECKS + 1))
case "$V" in
"Shop.Cart grew by $(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$GROWTH") instances (+"*" MB) over 4 snapshots ("*" s), held by static field Shop.CartStore.Carts through System.Collections.Generic.Dictionary<System.Int32,Shop.Cart>; allocated mostly at Shop.Program.AddCarts ("*)
    pass "verdict: $V" ;;
*) fail "verdict: $V" ;;
esac
"$DRD_BIN" show last >"$WORK/show.txt" 2>&1
check_eq "the text leads with the verdict" "$(grep -A1 '^==== leaks ====' "$WORK/show.txt" | tail -1)" "$V"
check_eq "library unloaded" "$(unloaded_count "$L")" 0

# heap-snapshot's export by retention path: pprof inuse_objects and inuse_space, read back by our own decoder; the
# carts' stack is their path from the static field, 144 bytes each (16 longs and the header)
H="$WORK/heap.json"
"$DRD_BIN" profile "$L" heap-snapshot --json >"$H" 2>"$WORK/heap.err"
check_eq "heap-snapshot: exit" "$?" 0
CARTS=$(jq '[.report.types[] | select(.type == "Shop.Cart") | .count] | add // 0' "$H")
CHECKS=$((CHECKS + 1))
grep -qx "leaked $CARTS gc2 [0-9]*" "$TOUT" && pass "the snapshot's $CARTS carts were the target's" ||
    fail "the snapshot holds $CARTS carts, a total the target never printed"
PB=$("$DRD_BIN" export last --format pprof 2>"$WORK/export.err")
check_eq "export pprof: exit" "$?" 0
python3 "$(dirname "$0")/pprof_read.py" "$PB" >"$WORK/heap.pprof.txt"
check_eq "pprof: sample types" "$(head -1 "$WORK/heap.pprof.txt")" "types inuse_objects/count inuse_space/bytes"
check_eq "pprof: the carts by their path" "$(grep ';Shop.Cart ' "$WORK/heap.pprof.txt")" \
    "static Shop.CartStore.Carts;System.Collections.Generic.Dictionary<System.Int32,Shop.Cart>;System.Collections.Generic.Dictionary+Entry<System.Int32,Shop.Cart>[];Shop.Cart $CARTS $((CARTS * 144))"
"$DRD_BIN" export last --format folded --output "$WORK/heap.folded" 2>>"$WORK/export.err"
check_eq "folded: the carts' bytes" "$(grep -c ";Shop.Cart $((CARTS * 144))\$" "$WORK/heap.folded")" 1
"$DRD_BIN" export last --format speedscope --output "$WORK/heap.speedscope.json" 2>>"$WORK/export.err"
check_eq "speedscope: live bytes" "$(jq -r '.profiles[0].name + " " + .profiles[0].unit' "$WORK/heap.speedscope.json")" \
    "live bytes by retention path bytes"
check_eq "speedscope: all the heap's reachable bytes" "$(jq '.profiles[0].weights | add' "$WORK/heap.speedscope.json")" \
    "$(($(jq .report.heap_bytes "$H") - $(jq .report.unreachable_bytes "$H")))"
# the dominator tree a node at a time through the API: the carts under the dictionary's entries, 200 per answer,
# largest first, the report's ids naming the same nodes
start_serve || exit 1
HID=$(jq -r .session.id "$H")
dom() { curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/sessions/$HID/dominators/$1"; }
DICT=$(jq '.report.dominators.children[] | select(.type == "System.Collections.Generic.Dictionary<System.Int32,Shop.Cart>") | .id' "$H")
check_eq "dominators: the roots' children as the report lists them" "$(dom 1 | jq -c '[.children[0:5][] | .id]')" \
    "$(jq -c '[.report.dominators.children[0:5][] | .id]' "$H")"
ENTRIES=$(dom "$DICT" | jq '.children[] | select(.type == "System.Collections.Generic.Dictionary+Entry<System.Int32,Shop.Cart>[]") | .id')
check_eq "dominators: the entries hold every cart" "$(dom "$ENTRIES" | jq -c '[.kids, (.children | length), .more, .more_retained]')" \
    "[$CARTS,200,$((CARTS - 200)),$(((CARTS - 200) * 144))]"
check_eq "dominators: the last page" "$(dom "$ENTRIES/$((CARTS - 5))" | jq -c '[(.children | length), .more, ([.children[].type] | unique)]')" \
    '[5,0,["Shop.Cart"]]'
check_eq "dominators: no such node" "$(dom 4000000000 | jq -r .error)" \
    "session $HID's dominator tree has no node 4000000000"
touch "$WORK/stop"
wait "$L"
check_eq "target exit" "$?" 0

# no leak: churn only
rm -f "$WORK/stop"
start_target Leak --stop-file "$WORK/stop" --batch 0 || exit 1
N=$TPID
"$DRD_BIN" profile "$N" leaks --duration 2 --param snapshots=3 --param interval=1 --json >"$R" 2>"$WORK/short.err"
check_eq "interval: a duration without room for the snapshots is refused" "$?" 2
check_contains "interval: says why" "$WORK/short.err" \
    "3 snapshots 1 s apart need a duration of more than 2 s (--duration)"
"$DRD_BIN" profile "$N" leaks --duration 5 --param snapshots=3 --param interval=1 --json >"$R" 2>"$WORK/none.err"
check_eq "no leak: exit" "$?" 0
check_eq "interval: the snapshots a second apart" \
    "$(jq -c '[.report.snapshots | to_entries[] | .value.at_ms - .key * 1000 | . >= 0 and . < 500]' "$R")" \
    '[true,true,true]'
CHECKS=$((CHECKS + 1))
[ "$(jq .session.duration_ms "$R")" -lt 4500 ] && pass "interval: the session ends after the last snapshot" ||
    fail "interval: the session ran $(jq .session.duration_ms "$R") ms"
check_eq "no leak: nothing grows" "$(jq '.report.growing | length' "$R")" 0
check_eq "no leak: the verdict says so" "$(jq -r .report.verdict "$R" | sed 's/([0-9.]* s)/(T s)/')" \
    "No type grew at every step over 3 snapshots (T s): no leak in this window."
touch "$WORK/stop"
wait "$N"
finish
