#!/usr/bin/env bash
# End to end: the waits profiler against a target whose waits are known (tests/targets/Waits): a lock convoy of
# known count and length, SemaphoreSlim and ManualResetEventSlim waits of known counts, sync-over-async work that
# starves the thread pool; attached, launched, together with cpu-hotpaths, and a target that exits mid-session.
. "$(dirname "$0")/lib.sh"

within() { # NAME ACTUAL TRUTH: |actual - truth| <= 10% of truth
    CHECKS=$((CHECKS + 1))
    awk -v a="$2" -v t="$3" 'BEGIN { d = a - t; if (d < 0) d = -d; exit !(t > 0 && d <= 0.10 * t) }' &&
        pass "$1: $2 within 10% of $3" || fail "$1: $2 not within 10% of $3"
}

# profile_during NAME TARGET_PID PROFILERS ARGS...: attaches, then lets the target act (go file), waits for the report
profile_during() {
    local name=$1 pid=$2
    shift 2
    "$DRD_BIN" profile "$pid" "$@" --json >"$WORK/$name.json" 2>"$WORK/$name.err" &
    local prof=$!
    wait_for_line "$WORK/$name.err" "attached to pid $pid" 20 || fail "$name: the tool did not attach"
    touch "$WORK/go-$name"
    wait "$prof"
    check_eq "$name: exit" "$?" 0
}

# the target's own measure of a phase: "<phase> <count> <ms>"
measured() { awk -v p="$1" -v f="$2" '$1 == p { print $f }' "$TOUT"; }
# 1 when the tree under jq path $2 of file $1 has a node of the method $3 (named "$3", or "$3 (File.cs:N)" where the
# frame's source line is known)
in_tree() {
    jq --arg n "$3" "[$2 | .. | objects | select(.name? == \$n or (.name? // \"\" | startswith(\$n + \" (\")))] | length > 0" "$1"
}
# the line of the method $3's node in that tree ("" when it has none)
line_in_tree() {
    jq -r --arg n "$3" "[$2 | .. | objects | .name? // \"\" | select(startswith(\$n + \" (\"))][0] // \"\" | capture(\":(?<l>[0-9]+)\\\\)\$\").l" "$1"
}

# attached: every kind of wait in one session
start_target Waits --go-file "$WORK/go-all" --stop-file "$WORK/stop-all" --convoy 4 10 --lock-convoy 3 5 \
    --semaphore 30 --mres 20 --starve 16 || exit 1
A=$TPID
profile_during all "$A" waits --duration 9
wait_for_line "$TOUT" done 20 || fail "all: the target did not finish its phases in the session"
R="$WORK/all.json"
L='.report.locks[0]'
check_eq "convoy: contended acquisitions of the convoy's lock" "$(jq "$L.count" "$R")" "$(measured convoy 2)"
within "convoy: time waited (ms)" "$(jq "$L.total_ns / 1e6" "$R")" "$(measured convoy 3)"
check_eq "convoy: the waiters' method in the waiter tree" \
    "$(in_tree "$R" "$L.tree" DrDotnet.Targets.Program.ConvoyWaiter)" true
check_eq "convoy: the waiters' line (from the Waits target's PDB) in the waiter tree" \
    "$(line_in_tree "$R" "$L.tree" DrDotnet.Targets.Program.ConvoyWaiter)" "$(awk '$1 == "convoy-wait-line" { print $2; exit }' "$TOUT")"
check_eq "convoy: quantiles ordered" \
    "$(jq "$L | (.p50_ns <= .p95_ns and .p95_ns <= .p99_ns and .p99_ns <= .max_ns)" "$R")" true
check_eq "convoy: the holder named" "$(jq "$L.owners[0].owner" "$R")" "$A"
# the owner's stack, taken by a signal to it while a waiter waited: the main thread spinning in HoldLock
check_eq "convoy: the holder's method in the owner tree" \
    "$(in_tree "$R" "$L.owner_tree" DrDotnet.Targets.Program.HoldLock)" true
check_eq "convoy: owner samples, at most one per wait" "$(jq "$L | .owner_samples > 0 and .owner_samples <= .count" "$R")" true
check_eq "owners: every signal accounted for (taken or unanswered)" \
    "$(jq '.report.owner_stacks | .taken + .unanswered == .signalled and .taken > 0' "$R")" true
check_contains "text: the owners' tree" <("$DRD_BIN" show "$(jq -r .session.id "$R")") "owners (what the holder was doing"
check_eq "all: no SIGPROF handler left after the session" "$(sigprof_left "$A")" ""
# System.Threading.Lock (its events come from managed code): the owner is an OS thread id there too
LL='.report.locks[1]'
check_eq "lock convoy: contended acquisitions" "$(jq "$LL.count" "$R")" "$(measured lockconvoy 2)"
check_eq "lock convoy: the holder named by its OS thread id" "$(jq "$LL.owners[0].owner" "$R")" "$A"
check_eq "lock convoy: its type, known without reading the object" "$(jq -r "$LL.type" "$R")" System.Threading.Lock
check_eq "convoy: a Monitor, its object's type not read" "$(jq -r "$L | .kind + \" \" + (.type | tostring)" "$R")" \
    "Monitor null"
check_eq "lock convoy: the holder's method in the owner tree" \
    "$(in_tree "$R" "$LL.owner_tree" DrDotnet.Targets.Program.HoldLock)" true
K() { echo ".report.waits[] | select(.kind == \"$1\")"; }
check_eq "semaphore: waits" "$(jq "$(K SemaphoreSlim.Wait).count" "$R")" "$(measured semaphore 2)"
check_eq "semaphore: the waiting method" \
    "$(in_tree "$R" "$(K SemaphoreSlim.Wait).tree" DrDotnet.Targets.Program.WaitOnSemaphore)" true
check_eq "mres: waits" "$(jq "$(K ManualResetEventSlim.Wait).count" "$R")" "$(measured mres 2)"
check_eq "starvation: the verdict" "$(jq .report.thread_pool.starved "$R")" true
check_contains "starvation: the verdict sentence" <(jq -r .report.thread_pool.verdict "$R") "Thread-pool starvation"
check_eq "starvation: the blocking stack" \
    "$(in_tree "$R" "$(K 'Task.Wait / .Result').tree" DrDotnet.Targets.Program.BlockOnResult)" true
check_eq "threads: the convoy's waiters listed" \
    "$(jq '[.report.threads[] | select(.name | startswith("convoy-"))] | length > 0' "$R")" true
check_eq "nothing lost" "$(jq '.report.left_out | .records_dropped + .table_full' "$R")" 0
ID=$(jq -r .session.id "$R")
"$DRD_BIN" show "$ID" >"$WORK/all.txt"
check_contains "text: locks" "$WORK/all.txt" "Locks by time waited"
check_contains "text: the waiter" "$WORK/all.txt" "DrDotnet.Targets.Program.ConvoyWaiter"
# exports: wait time as the value
"$DRD_BIN" export "$ID" --format folded --output "$WORK/all.folded" >/dev/null
within "folded: the convoy's stacks weigh its wait (ms)" \
    "$(awk '/ConvoyWaiter/ { s += $NF } END { printf "%.3f", s / 1e6 }' "$WORK/all.folded")" "$(measured convoy 3)"
"$DRD_BIN" export "$ID" --format pprof --output "$WORK/all.pb.gz" >/dev/null
check_eq "pprof: written" "$(gzip -t "$WORK/all.pb.gz" && echo ok)" ok
# the string table holds "wait" then "nanoseconds" (field 6, length-delimited: 0x32, the length, the text)
check_eq "pprof: sample type wait/nanoseconds" \
    "$(zcat "$WORK/all.pb.gz" | LC_ALL=C grep -caP '\x32\x04wait\x32\x0bnanoseconds')" 1
"$DRD_BIN" export "$ID" --format speedscope --output "$WORK/all.speedscope.json" >/dev/null
check_eq "speedscope: one profile in nanoseconds" "$(jq -r '.profiles[0].unit' "$WORK/all.speedscope.json")" nanoseconds
touch "$WORK/stop-all"
wait "$A"
check_eq "all: target exit code" "$?" 0

# launched: the session lasts as long as the process
"$DRD_BIN" launch waits --param duration=0 --json -- dotnet "$DRD_TARGETS/Waits/Waits.dll" --convoy 3 5 \
    >"$WORK/launch.json" 2>"$WORK/launch.err"
check_eq "launch: exit" "$?" 0
check_eq "launch: contended acquisitions" "$(jq '.report.locks[0].count' "$WORK/launch.json")" 15
check_eq "launch: the waiters' method" \
    "$(in_tree "$WORK/launch.json" '.report.locks[0].tree' DrDotnet.Targets.Program.ConvoyWaiter)" true

# with cpu-hotpaths in one session
start_target Waits --go-file "$WORK/go-two" --stop-file "$WORK/stop-two" --convoy 3 5 || exit 1
T=$TPID
profile_during two "$T" waits,cpu-hotpaths --duration 4
R="$WORK/two.json"
check_eq "two: waits' contended acquisitions" "$(jq '.reports.waits.locks[0].count' "$R")" "$(measured convoy 2)"
check_eq "two: cpu-hotpaths sampled" "$(jq '.reports."cpu-hotpaths".samples > 0' "$R")" true
check_eq "two: the holder's spin in the CPU profile" \
    "$(jq '[.reports."cpu-hotpaths".top[] | select(.function == "DrDotnet.Targets.Program.HoldLock")] | length' "$R")" 1
check_eq "two: owners' stacks through the SIGPROF handler the CPU sampler shares" \
    "$(in_tree "$R" '.reports.waits.locks[0].owner_tree' DrDotnet.Targets.Program.HoldLock)" true
check_eq "two: no SIGPROF handler left after the session" "$(sigprof_left "$T")" ""
touch "$WORK/stop-two"
wait "$T"

# with allocations: one set of EventPipe sessions for both (grouped by level), each profiler keeping its own events
start_target Waits --go-file "$WORK/go-alloc" --stop-file "$WORK/stop-alloc" --convoy 3 5 || exit 1
T=$TPID
profile_during alloc "$T" waits,allocations --duration 4
R="$WORK/alloc.json"
check_eq "alloc: waits' contended acquisitions" "$(jq '.reports.waits.locks[0].count' "$R")" "$(measured convoy 2)"
check_eq "alloc: allocations sampled through the same sessions" \
    "$(jq -r '.reports.allocations.mode' "$R")" allocation-sampled
LOG="$DRDOTNET_HOME/sessions/$(jq -r .session.id "$R")/profiler.log"
check_eq "alloc: two EventPipe sessions in all" "$(grep -c 'EventPipe session [0-9]*:' "$LOG")" 2
check_eq "alloc: Informational: allocation sampling, contention, threading" \
    "$(grep -c 'level 4, keywords 0x80000014000$' "$LOG")" 1
check_eq "alloc: Verbose: wait handles" "$(grep -c 'level 5, keywords 0x40000000000$' "$LOG")" 1
touch "$WORK/stop-alloc"
wait "$T"

# a storm that would fill a small raw file: the waits past three quarters of max_file_mb are counted, not recorded one
# by one; the session completes, says so, and the target goes on
start_target Waits --bench 9 --warmup 1 || exit 1
S=$TPID
"$DRD_BIN" profile "$S" waits --duration 4 --param max_file_mb=1 --json >"$WORK/storm.json" 2>"$WORK/storm.err"
check_eq "storm: exit" "$?" 0
R="$WORK/storm.json"
check_eq "storm: completed" "$(jq -r .session.status "$R")" completed
check_eq "storm: waits left out of the records past the file's limit" "$(jq '.report.left_out.records_size_capped > 0' "$R")" true
check_eq "storm: the counts exact all the same (the threads' totals add up to them)" \
    "$(jq '.report | ([.threads[].waits] | add) == .contended + .blocking_waits' "$R")" true
check_eq "storm: session.json counts what was left out" \
    "$(jq '.session.dropped >= .report.left_out.records_size_capped' "$R")" true
check_contains "storm: the sentence" <("$DRD_BIN" show "$(jq -r .session.id "$R")") "past three quarters of max_file_mb"
wait "$S"
check_eq "storm: the target finished its work" "$?" 0
check_contains "storm: the target's own count" "$TOUT" "acquired"

# a process that handles SIGPROF itself: no owner stacks (said so), its handler untouched, the waits all the same
start_target CpuSpin --handle-sigprof --seconds 20 || exit 1
"$DRD_BIN" profile "$TPID" waits --duration 1 --json >"$WORK/sigprof.json" 2>"$WORK/sigprof.err"
check_eq "app's SIGPROF: completed" "$(jq -r .session.status "$WORK/sigprof.json")" completed
check_contains "app's SIGPROF: said why no owner stacks" <(jq -r '.report.unseen[]' "$WORK/sigprof.json") \
    "the process handles SIGPROF itself"
check_eq "app's SIGPROF: the app's handler stays" "$(sigprof_left "$TPID")" "handler "
kill "$TPID" 2>/dev/null
wait "$TPID" 2>/dev/null

# a target that exits mid-session: the session ends, incomplete, with the reason
start_target Waits --go-file "$WORK/go-gone" --exit-after-ms 300 || exit 1
G=$TPID
"$DRD_BIN" profile "$G" waits --duration 10 >"$WORK/gone.txt" 2>"$WORK/gone.err" &
P=$!
wait_for_line "$WORK/gone.err" "attached to pid $G" 20 || fail "gone: the tool did not attach"
touch "$WORK/go-gone"
wait "$P"
check_eq "gone: exit" "$?" 1
check_contains "gone: the sentence" "$WORK/gone.err" "the target process exited before the session's end"
check_contains "gone: nothing waited, said so" "$WORK/gone.txt" "none: no thread waited for a lock"

finish
