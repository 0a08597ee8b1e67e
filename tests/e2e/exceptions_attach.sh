#!/usr/bin/env bash
# End to end: attach the exceptions profiler to a running target with known exceptions; exact counts, stacks,
# catchers; a second attach refused while the session runs; the target keeps working and exits 0 after detach.
. "$(dirname "$0")/lib.sh"

start_target Exceptions --go-file "$WORK/go" --stop-file "$WORK/stop" || exit 1

# ps lists the target by pid, with the entry assembly the runtime reports
"$DRD_BIN" ps --json >"$WORK/ps.json"
check_eq "ps: target listed" "$(jq --argjson p "$TPID" '[.[] | select(.pid == $p)] | length' "$WORK/ps.json")" 1
check_eq "ps: entry assembly" "$(jq -r --argjson p "$TPID" '.[] | select(.pid == $p) | .entry_assembly' "$WORK/ps.json")" Exceptions
"$DRD_BIN" ps >"$WORK/ps.txt"
check_contains "ps text: pid and command line" "$WORK/ps.txt" "$TPID  dotnet"

"$DRD_BIN" profile "$TPID" exceptions --duration 6 --json >"$WORK/report.json" 2>"$WORK/profile.err" &
PROF=$!
wait_for_line "$WORK/profile.err" "attached to pid $TPID" 20 || fail "the tool did not attach"

# a second profiler on the same process gets the clear refusal and exit code 4
"$DRD_BIN" profile "$TPID" exceptions --duration 2 >"$WORK/second.out" 2>"$WORK/second.err"
check_eq "second attach: exit code" "$?" 4
check_contains "second attach: message" "$WORK/second.err" "a profiler is already loaded in the target"

touch "$WORK/go"
wait "$PROF"
check_eq "profile: exit code" "$?" 0
R="$WORK/report.json"
check_eq "status" "$(jq -r .session.status "$R")" completed
check_eq "total thrown" "$(jq .report.total "$R")" 1250
check_eq "total caught" "$(jq .report.caught "$R")" 1250
check_eq "uncaught" "$(jq .report.uncaught "$R")" 0
check_eq "dropped" "$(jq .report.dropped "$R")" 0
IOE='.report.types[] | select(.type == "System.InvalidOperationException")'
check_eq "IOE count" "$(jq "$IOE | .count" "$R")" 1000
check_eq "IOE caught" "$(jq "$IOE | .caught" "$R")" 1000
check_eq "IOE catcher" "$(jq -r "$IOE | .catchers[0].method" "$R")" DrDotnet.Targets.Thrower.ThrowInvalidOperations
check_eq "IOE throw frame" "$(jq -r "$IOE | .stacks[0].frames[0]" "$R")" DrDotnet.Targets.Thrower.Fail
check_eq "IOE caller frame" "$(jq -r "$IOE | .stacks[0].frames[1]" "$R")" DrDotnet.Targets.Thrower.ThrowInvalidOperations
NF='.report.types[] | select(.type == "DrDotnet.Targets.NestedWorker+WorkerFault")'
check_eq "nested type count" "$(jq "$NF | .count" "$R")" 250
check_eq "nested caught" "$(jq "$NF | .caught" "$R")" 250
check_eq "nested catcher" "$(jq -r "$NF | .catchers[0].method" "$R")" DrDotnet.Targets.NestedWorker.Run
check_eq "nested throw frame" "$(jq -r "$NF | .stacks[0].frames[0]" "$R")" DrDotnet.Targets.NestedWorker.Explode
check_eq "types" "$(jq '.report.types | length' "$R")" 2

# the session folder and the other verbs agree
ID=$(jq -r .session.id "$R")
S="$DRDOTNET_HOME/sessions/$ID"
check_eq "session.json written" "$(test -f "$S/session.json" && echo yes)" yes
check_eq "raw data listed" "$(jq -r '.files[0]' "$S/session.json")" exceptions.raw
check_eq "target pid recorded" "$(jq .target.pid "$S/session.json")" "$TPID"
check_eq "runtime version recorded" "$(jq -r '.target.runtime_version | startswith("10.")' "$S/session.json")" true
"$DRD_BIN" sessions --json >"$WORK/sessions.json"
check_eq "sessions lists it" "$(jq --arg id "$ID" '[.[] | select(.id == $id)] | length' "$WORK/sessions.json")" 1
"$DRD_BIN" show "$ID" --json >"$WORK/show.json"
check_eq "show: same total" "$(jq .report.total "$WORK/show.json")" 1250
"$DRD_BIN" show "$ID" >"$WORK/show.txt"
check_contains "show text: type line" "$WORK/show.txt" "1000     1000         0  System.InvalidOperationException"

# the library copy sits in a private folder under a content-hash name
check_eq "library folder mode" "$(stat -c %a "$DRDOTNET_HOME/lib")" 700
check_eq "library copy named by content" "$(ls "$DRDOTNET_HOME/lib" | grep -cE '^libdrdotnet-[0-9a-f]{16}\.so$')" 1

# after detach: the library is unloaded, the target still works and exits cleanly
check_eq "library unloaded after detach" "$(unloaded_count "$TPID")" 0
check_eq "target still running" "$(kill -0 "$TPID" 2>/dev/null && echo yes)" yes
touch "$WORK/stop"
wait "$TPID"
check_eq "target exit code" "$?" 0
check_contains "target finished its work" "$TOUT" "done"
check_contains "target counted its own exceptions" "$TOUT" "thrown 1250"
finish
