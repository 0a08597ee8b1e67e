#!/usr/bin/env bash
# End to end, a real application: the ASP.NET Core target (tests/targets/Web) under steady HTTP load on loopback
# (tests/e2e/webload.py), every profiler attached in turn, twice each. Each session completes and detaches; the app
# answers every request during and after the sessions (no failed request at all); each report shows what the
# endpoints do: the exception /fail throws and catches, about as many as /fail requests during the session; the
# CPU in /compute's method; /alloc's Invoice objects, about 100 per request; the lock /lock takes; the catalog's
# 5,000 items and their 5,000 copies of one string, held by a static field.
. "$(dirname "$0")/lib.sh"

ROUNDS=${ROUNDS:-2}
at_least() { CHECKS=$((CHECKS + 1)); awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass "$1 ($2 >= $3)" || fail "$1: $2 < $3"; }
at_most() { CHECKS=$((CHECKS + 1)); awk -v a="$2" -v b="$3" 'BEGIN { exit !(a <= b) }' && pass "$1 ($2 <= $3)" || fail "$1: $2 > $3"; }

start_web || exit 1
W=$TPID

# session LABEL PROFILER ARGS...: one session under load; sets R (the JSON report) and, for each endpoint E,
# BEFORE[E] (its answers before the tool started), AT[E] (when the tool said it had attached) and AFTER[E] (when
# the tool had exited)
declare -A BEFORE AT AFTER
ENDPOINTS=(json lock fail alloc compute)
session() {
    local label=$1
    shift
    R="$WORK/$label.json"
    local e failed0
    failed0=$(load_count failed)
    for e in "${ENDPOINTS[@]}"; do BEFORE[$e]=$(load_count ok "$e"); done
    "$DRD_BIN" profile "$W" "$@" --json >"$R" 2>"$WORK/$label.err" &
    local tool=$!
    wait_for_line "$WORK/$label.err" "attached to pid $W" 30 || fail "$label: the tool did not attach"
    for e in "${ENDPOINTS[@]}"; do AT[$e]=$(load_count ok "$e"); done
    wait "$tool"
    check_eq "$label: exit" "$?" 0
    sleep 0.2 # one more write of the load's counts
    for e in "${ENDPOINTS[@]}"; do AFTER[$e]=$(load_count ok "$e"); done
    check_eq "$label: status" "$(jq -r .session.status "$R")" completed
    check_eq "$label: detached" "$(jq -r .session.detach "$R")" detached
    check_eq "$label: failed requests during the session" $(($(load_count failed) - failed0)) 0
    at_least "$label: /lock answered during the session" $((AFTER[lock] - BEFORE[lock])) 1
    CHECKS=$((CHECKS + 1))
    kill -0 "$W" 2>/dev/null && pass "$label: app alive" || { fail "$label: the app died"; exit 1; }
}

for round in $(seq 1 "$ROUNDS"); do
    # exceptions: each /fail request throws one OrderRejectedException in Orders.Place, caught in Orders.TryPlace
    session "exceptions.$round" exceptions --duration 2
    O='.report.types[] | select(.type == "DrDotnet.Web.OrderRejectedException")'
    n=$(jq "$O | .count" "$R")
    echo "exceptions.$round: $n thrown; /fail answered: $((AFTER[fail] - AT[fail])) from the attach to the exit," \
        "$((AFTER[fail] - BEFORE[fail])) from the tool's start to its exit"
    at_least "exceptions.$round: thrown, at least half the /fail requests from the attach to the exit" "$n" \
        $(((AFTER[fail] - AT[fail]) / 2))
    at_most "exceptions.$round: thrown, at most the /fail requests from the tool's start to its exit (+2 in flight)" \
        "$n" $((AFTER[fail] - BEFORE[fail] + 2))
    # a request in flight when the session stops was thrown inside it and caught after it: 2 at most, as above
    at_least "exceptions.$round: all caught but those in flight at the stop" "$(jq "$O | .caught" "$R")" $((n - 2))
    at_most "exceptions.$round: no more caught than thrown" "$(jq "$O | .caught" "$R")" "$n"
    check_eq "exceptions.$round: catcher" "$(jq -r "$O | .catchers[0].method" "$R")" DrDotnet.Web.Orders.TryPlace
    check_eq "exceptions.$round: thrower" "$(jq -r "$O | .stacks[0].frames[0]" "$R")" DrDotnet.Web.Orders.Place

    # cpu-hotpaths: /compute spends about a millisecond per request in Pricing.Quote
    session "cpu.$round" cpu-hotpaths --duration 2
    at_least "cpu.$round: Pricing.Quote's share of the samples" \
        "$(jq '([.report.top[] | select(.function == "DrDotnet.Web.Pricing.Quote") | .total] | add // 0) / .report.samples' "$R")" 0.05

    # merged-stacks: the app's main thread waits for the shutdown
    session "merged.$round" merged-stacks
    at_least "merged.$round: threads" "$(jq .report.threads "$R")" 5
    check_eq "merged.$round: the main thread in Program.Main" \
        "$(jq '[.report.stacks[] | select(.frames | index("DrDotnet.Web.Program.Main"))] | length' "$R")" 1

    # allocations: each /alloc request allocates 100 Invoice objects
    session "alloc.$round" allocations --duration 2
    I='.report.types[] | select(.type == "DrDotnet.Web.Invoice")'
    n=$(jq "$I | .count // 0" "$R")
    echo "alloc.$round: $n Invoice estimated; /alloc answered: $((AFTER[alloc] - AT[alloc])) from the attach to the exit"
    at_least "alloc.$round: Invoice objects, at least 100 per /alloc request from the attach to the exit, halved" \
        "$n" $(((AFTER[alloc] - AT[alloc]) * 100 / 2))
    at_most "alloc.$round: Invoice objects, at most 100 per /alloc request from the tool's start to its exit, doubled" \
        "$n" $(((AFTER[alloc] - BEFORE[alloc]) * 100 * 2))
    check_eq "alloc.$round: allocated in Billing.MakeInvoices" "$(jq -r "$I | .stacks[0].frames[0]" "$R")" \
        DrDotnet.Web.Billing.MakeInvoices

    # runtime-pauses: the load allocates enough for collections to happen in 2 s
    session "pauses.$round" runtime-pauses --duration 2
    at_least "pauses.$round: pauses" "$(jq .report.count "$R")" 1

    # duplicated-strings: the catalog's 5,000 copies of its category
    session "dup.$round" duplicated-strings
    check_eq "dup.$round: the value" "$(jq -r '.report.top[0].value' "$R")" "kitchen and garden tools, seasonal"
    check_eq "dup.$round: occurrences" "$(jq '.report.top[0].count' "$R")" 5000

    # heap-snapshot: the catalog's 5,000 items, held by the static field Catalog.Items
    session "heap.$round" heap-snapshot
    check_eq "heap.$round: catalog items" \
        "$(jq '.report.types[] | select(.type == "DrDotnet.Web.CatalogItem") | .count' "$R")" 5000
    check_eq "heap.$round: the catalog held by its static field" \
        "$(jq -c '.report.retainers[] | select(.type == "System.Collections.Generic.List<DrDotnet.Web.CatalogItem>") | .path[0]' "$R")" \
        '{"root":"static","field":"DrDotnet.Web.Catalog.Items"}'
done

# after the sessions: the app still answers, the library is gone, nothing failed
before=$(load_count ok)
sleep 1
at_least "after: requests answered in the second after the last session" $(($(load_count ok) - before)) 20
check_eq "after: library unloaded" "$(unloaded_count "$W")" 0
stop_load
check_eq "load: failed requests in all" "$(load_count failed)" 0
echo "load: $(load_count ok) requests answered in all ($(jq -c .ok "$WORK/load.json")); last error: $(jq -r .last_error "$WORK/load.json")"
kill -TERM "$W"
wait "$W"
check_eq "app: exit code after SIGTERM" "$?" 0
finish
