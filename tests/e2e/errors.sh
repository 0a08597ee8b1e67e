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

# a target that exits mid-session: the session is incomplete, says why, and keeps what it collected
start_target Idle --seconds 2 || exit 1
check_eq "target exits mid-session: exit" "$(run profile "$TPID" exceptions --duration 8 --json)" 1
check_eq "target exits mid-session: status" "$(jq -r .session.status "$WORK/out")" incomplete
check_contains "target exits mid-session: reason" "$WORK/out" "exited before the session's end"
check_eq "target exits mid-session: data kept" "$(jq -r '.session.files[0]' "$WORK/out")" exceptions.raw

# discovery skips a stale socket (its key is not the pid's start time) and keeps a live one
mkdir -p "$WORK/tmp"
sleep 30 &
S2=$!
PIDS+=("$S2")
start=$(awk '{sub(/.*\) /, ""); print $20}' "/proc/$S2/stat")
mksock() { python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$1"; }
mksock "$WORK/tmp/dotnet-diagnostic-$S2-$((start + 1))-socket"
TMPDIR="$WORK/tmp" "$DRD_BIN" ps --json >"$WORK/ps-stale.json"
# (ps also lists the processes found through /proc in their own temp folders: look at this pid only)
check_eq "stale socket skipped" "$(jq --argjson p "$S2" '[.[] | select(.pid == $p)] | length' "$WORK/ps-stale.json")" 0
mksock "$WORK/tmp/dotnet-diagnostic-$S2-$start-socket"
TMPDIR="$WORK/tmp" "$DRD_BIN" ps --json >"$WORK/ps-live.json"
check_eq "live socket listed" "$(jq --argjson p "$S2" '[.[] | select(.pid == $p)] | length' "$WORK/ps-live.json")" 1
finish
