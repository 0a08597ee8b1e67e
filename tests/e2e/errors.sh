#!/usr/bin/env bash
# End to end: every bad input gets its own clear message and exit code, and nothing is left running.
. "$(dirname "$0")/lib.sh"

run() { "$DRD_BIN" "$@" >"$WORK/out" 2>"$WORK/err"; echo $?; }

check_eq "no such pid: exit" "$(run profile 999999 exceptions)" 3
check_contains "no such pid: message" "$WORK/err" "no process with pid 999999"

sleep 30 &
SLEEPER=$!
PIDS+=("$SLEEPER")
check_eq "not .NET: exit" "$(run profile "$SLEEPER" exceptions)" 3
check_contains "not .NET: message" "$WORK/err" "is not a .NET process"

DOTNET_EnableDiagnostics=0 start_target Idle --seconds 30 || exit 1
check_eq "diagnostics disabled: exit" "$(run profile "$TPID" exceptions)" 3
check_contains "diagnostics disabled: message" "$WORK/err" "diagnostics are disabled"

start_target Idle --seconds 30 || exit 1
check_eq "unknown profiler: exit" "$(run profile "$TPID" nosuch)" 2
check_contains "unknown profiler: message" "$WORK/err" "no profiler named 'nosuch'"
check_eq "unknown parameter: exit" "$(run profile "$TPID" exceptions --param nope=1)" 2
check_contains "unknown parameter: message" "$WORK/err" "unknown parameter 'nope'"
check_eq "bad value: exit" "$(run profile "$TPID" exceptions --duration 0)" 2
check_eq "out of range: exit" "$(run profile "$TPID" exceptions --param max_stack_depth=999)" 2
check_contains "out of range: message" "$WORK/err" "between 1 and 256"
check_eq "bad pid: exit" "$(run profile abc exceptions)" 2
check_eq "unknown verb: exit" "$(run frobnicate)" 2
check_eq "show unknown session: exit" "$(run show 19990101-000000-1-x)" 2
check_contains "show unknown session: message" "$WORK/err" "no session"
check_eq "show path escape: exit" "$(run show ../../etc)" 2
for verb in ps profilers profile launch sessions show; do
    check_eq "$verb --help" "$(run "$verb" --help)" 0
    check_contains "$verb --help: usage" "$WORK/out" "usage: drdotnet $verb"
done
# the refused sessions did not load anything into the target
check_eq "nothing loaded in the target" "$(grep -c libdrdotnet "/proc/$TPID/maps")" 0
finish
