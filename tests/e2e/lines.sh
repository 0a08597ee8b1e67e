#!/usr/bin/env bash
# End to end: source lines of managed frames. The Lines target prints the line of its hot loop's body and of its
# throw (from [CallerLineNumber]); cpu-hotpaths' hot-lines table must name the loop's line, the exceptions report
# the throw's line and the caller's. Without the PDB, or with another build's PDB, frames keep their method names,
# get no line, and the report says why. As root, a target whose files only its own mount namespace has (as in a
# container) gets its lines through /proc/<pid>/root while it lives.
. "$(dirname "$0")/lib.sh"

T="$WORK/Lines"
cp -r "$DRD_TARGETS/Lines" "$T"
# printed VALUE FILE: what the target printed after "VALUE "
printed() { awk -v k="$1" '$1 == k { print $2; exit }' "$2"; }

# cpu-hotpaths: the loop's body is the hot line
"$DRD_BIN" launch cpu-hotpaths --json -- dotnet "$T/Lines.dll" --seconds 2 >"$WORK/cpu.json" 2>"$WORK/cpu.err"
check_eq "cpu: exit code" "$?" 0
R="$WORK/cpu.json"
loop=$(printed loop-line "$WORK/cpu.err")
check_eq "cpu: the target printed its loop's line" "$([[ "$loop" =~ ^[0-9]+$ ]] && echo yes)" yes
check_eq "cpu: hottest line" "$(jq -r '.report.hot_lines[0] | "\(.file | split("/") | last):\(.line)"' "$R")" \
    "Program.cs:$loop"
check_eq "cpu: hottest line's method" "$(jq -r '.report.hot_lines[0].method' "$R")" DrDotnet.Targets.Hot.Spin
check_eq "cpu: the loop's line has most of the time" \
    "$(jq '.report.hot_lines[0].self_ns / .report.total_ns > 0.7' "$R")" true
check_eq "cpu: functions keep their names" "$(jq -r '.report.top[0].function' "$R")" DrDotnet.Targets.Hot.Spin
"$DRD_BIN" show "$(jq -r .session.id "$R")" >"$WORK/cpu.txt" 2>&1
check_contains "cpu: the terminal's hot lines" "$WORK/cpu.txt" "Program.cs:$loop  DrDotnet.Targets.Hot.Spin"

# merged-stacks: the spinning thread's stack at the loop's line
start_target Lines --stop-file "$WORK/stop-lines" || exit 1
"$DRD_BIN" profile "$TPID" merged-stacks --json >"$WORK/merged.json" 2>"$WORK/merged.err"
check_eq "merged: the spinner at the loop's line" \
    "$(jq '.report.stacks[] | select(.name == "spinner") | .lines[0].line' "$WORK/merged.json")" "$loop"
touch "$WORK/stop-lines"
wait "$TPID"
check_eq "merged: target exit code" "$?" 0

# a target whose assembly only its own mount namespace has (bound on its /mnt, as a container's files are): its
# lines read through /proc/<pid>/root while it lives; once it is gone, no file, no line, and the report says why
if [ "$(id -u)" -eq 0 ] && unshare --mount --fork true 2>/dev/null && [ ! -e /mnt/Lines.dll ]; then
    cp -r "$DRD_TARGETS/Lines" "$WORK/ns"
    NS_OUT="$WORK/ns.out"
    unshare --mount --fork --kill-child sh -c "mount --bind '$WORK/ns' /mnt && exec dotnet /mnt/Lines.dll \
        --stop-file '$WORK/stop-ns'" >"$NS_OUT" 2>&1 &
    PIDS+=("$!")
    wait_for_line "$NS_OUT" ready 20 || fail "the target in its own mount namespace did not start"
    NS_PID=$(awk '/^ready/ { print $2 }' "$NS_OUT")
    PIDS+=("$NS_PID")
    "$DRD_BIN" profile "$NS_PID" merged-stacks --json >"$WORK/ns.json" 2>"$WORK/ns.err"
    check_eq "own mount namespace: the spinner at the loop's line, from the target's files" \
        "$(jq '.report.stacks[] | select(.name == "spinner") | .lines[0].line' "$WORK/ns.json")" "$loop"
    touch "$WORK/stop-ns"
    for _ in $(seq 1 100); do kill -0 "$NS_PID" 2>/dev/null || break; sleep 0.1; done
    "$DRD_BIN" show "$(jq -r .session.id "$WORK/ns.json")" --json >"$WORK/ns-after.json"
    check_eq "own mount namespace, target gone: no line" \
        "$(jq '.report.stacks[] | select(.name == "spinner") | .lines[0]' "$WORK/ns-after.json")" null
    check_contains "own mount namespace, target gone: the report says why" "$WORK/ns-after.json" \
        "an assembly file that could not be read"
else
    echo "skipped: a mount namespace of its own for the target needs root and unshare"
fi

# exceptions: the stack names the line that threw and the line of the call
throws() {
    "$DRD_BIN" launch exceptions --json -- dotnet "$T/Lines.dll" --seconds 0 --throws 300 >"$WORK/$1.json" \
        2>"$WORK/$1.err"
    check_eq "$1: exit code" "$?" 0
    check_eq "$1: thrown" "$(jq .report.total "$WORK/$1.json")" 300
    check_eq "$1: throwing method" "$(jq -r '.report.types[0].stacks[0].frames[0]' "$WORK/$1.json")" \
        DrDotnet.Targets.Thrower.Fail
    "$DRD_BIN" show "$(jq -r .session.id "$WORK/$1.json")" >"$WORK/$1.txt" 2>&1
}
throws exc
R="$WORK/exc.json"
thrown_at=$(printed throw-line "$WORK/exc.err")
call=$(printed call-line "$WORK/exc.err")
check_eq "exc: the line that threw" "$(jq -r '.report.types[0].stacks[0].lines[0] | "\(.file | split("/") | last):\(.line)"' "$R")" \
    "Program.cs:$thrown_at"
check_eq "exc: the caller's line" "$(jq '.report.types[0].stacks[0].lines[1].line' "$R")" "$call"
check_contains "exc: the terminal's stack" "$WORK/exc.txt" "at DrDotnet.Targets.Thrower.Fail (Program.cs:$thrown_at)"
check_eq "exc: every frame of Lines.dll has its line" "$(jq -r '.report.lines.why' "$R")" ""

# allocations, attached (sampled, with stacks): the allocating frame's line and its caller's, never a wrong one;
# through the runtime's own walk of every sample (walker=runtime) and through the stack cache (auto), which keeps a
# site only where the frame-pointer chain fixes it (elsewhere the frame names its method alone)
for walker in auto runtime; do
    start_target Lines --stop-file "$WORK/stop-alloc-$walker" --allocate 200 || exit 1
    "$DRD_BIN" profile "$TPID" allocations --duration 3 --param walker=$walker --json >"$WORK/alloc-$walker.json" \
        2>"$WORK/alloc-$walker.err"
    check_eq "alloc ($walker): exit code" "$?" 0
    touch "$WORK/stop-alloc-$walker"
    wait "$TPID"
    ALLOC_LINE=$(printed alloc-line "$TOUT")
    CALL_LINE=$(printed alloc-call-line "$TOUT")
    stacks='[.report.types[] | select(.type == "System.Int64[]") | .stacks[] | select(.frames[0] == "DrDotnet.Targets.Allocator.One") | .lines // [null, null]]'
    check_eq "alloc ($walker): the arrays' stacks" "$(jq "$stacks | length > 0" "$WORK/alloc-$walker.json")" true
    check_eq "alloc ($walker): no wrong line (the allocating frame's, its caller's, or none)" \
        "$(jq --argjson a "$ALLOC_LINE" --argjson c "$CALL_LINE" \
            "$stacks | all(((.[0].line // \$a) == \$a) and ((.[1].line // \$c) == \$c))" "$WORK/alloc-$walker.json")" true
    "$DRD_BIN" show "$(jq -r .session.id "$WORK/alloc-$walker.json")" >"$WORK/alloc-$walker.txt" 2>&1
done
# the runtime's walk of every sample: the allocating frame's line (its tier-0 code maps the call; optimized code may
# give no IL offset there, never a wrong one) and the caller's
check_eq "alloc (runtime): the allocating frame's line and its caller's" \
    "$(jq --argjson a "$ALLOC_LINE" --argjson c "$CALL_LINE" "$stacks | any(.[0].line == \$a and .[1].line == \$c)" \
        "$WORK/alloc-runtime.json")" true
check_contains "alloc (runtime): the terminal's stack" "$WORK/alloc-runtime.txt" \
    "at DrDotnet.Targets.Allocator.AllocateMany (Program.cs:$CALL_LINE)"

# the PDB embedded in the dll
"$DRD_BIN" launch exceptions --json -- dotnet "$DRD_TARGETS/LinesEmbedded/Lines.dll" --seconds 0 --throws 10 \
    >"$WORK/emb.json" 2>"$WORK/emb.err"
check_eq "embedded: no PDB beside the dll" "$(ls "$DRD_TARGETS/LinesEmbedded/"*.pdb 2>/dev/null)" ""
check_eq "embedded: the line that threw" "$(jq '.report.types[0].stacks[0].lines[0].line' "$WORK/emb.json")" \
    "$(printed throw-line "$WORK/emb.err")"

# no PDB: names, no line, and why
rm "$T/Lines.pdb"
throws nopdb
R="$WORK/nopdb.json"
check_eq "nopdb: no lines" "$(jq '.report.types[0].stacks[0].lines' "$R")" null
check_eq "nopdb: no frame has a line" "$(jq '.report.lines.with_line' "$R")" 0
check_contains "nopdb: the report says why" "$WORK/nopdb.txt" "Source lines: no source line for"
check_contains "nopdb: the cause" "$WORK/nopdb.txt" "no PDB beside the assembly or in it"

# another build's PDB: never used
cp "$DRD_TARGETS/Exceptions/Exceptions.pdb" "$T/Lines.pdb"
throws otherpdb
check_eq "otherpdb: no lines" "$(jq '.report.types[0].stacks[0].lines' "$WORK/otherpdb.json")" null
check_contains "otherpdb: the cause" "$WORK/otherpdb.txt" "a PDB that does not match the assembly"

finish
