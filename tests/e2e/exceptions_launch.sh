#!/usr/bin/env bash
# End to end: drdotnet launch loads the exceptions profiler at startup and gives the same exact counts.
. "$(dirname "$0")/lib.sh"

"$DRD_BIN" launch exceptions --json -- dotnet "$DRD_TARGETS/Exceptions/Exceptions.dll" --work-ms 300 \
    >"$WORK/report.json" 2>"$WORK/launch.err"
check_eq "launch: exit code" "$?" 0
R="$WORK/report.json"
check_eq "status" "$(jq -r .session.status "$R")" completed
check_eq "mode" "$(jq -r .session.mode "$R")" startup
check_eq "total" "$(jq .report.total "$R")" 1250
check_eq "IOE count" "$(jq '.report.types[] | select(.type == "System.InvalidOperationException") | .count' "$R")" 1000
check_eq "nested count" "$(jq '.report.types[] | select(.type == "DrDotnet.Targets.NestedWorker+WorkerFault") | .count' "$R")" 250
check_eq "caught" "$(jq .report.caught "$R")" 1250
check_contains "the command's output goes to stderr with --json" "$WORK/launch.err" "thrown 1250"
check_contains "the command exit status is reported" "$WORK/launch.err" "the command exited with status 0"

# a command that is not .NET: the session says the runtime never loaded the profiler
"$DRD_BIN" launch exceptions -- /bin/true >"$WORK/true.out" 2>"$WORK/true.err"
check_eq "non-.NET command: exit code" "$?" 1
check_contains "non-.NET command: reason" "$WORK/true.err" "never loaded the profiler"
finish
