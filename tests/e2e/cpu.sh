#!/usr/bin/env bash
# End to end: cpu-hotpaths in cpu and wall mode against a spinning and a sleeping thread, with both samplers
# (suspend: stop the runtime; signal: per-thread CPU timers and a frame-pointer walk), generic frames, exports,
# and merged-stacks on a deadlock. The targets keep working and exit 0 afterwards.
. "$(dirname "$0")/lib.sh"

# share NAME FILE: the share of samples whose stack holds function NAME (0 when absent)
share() {
    jq -r --arg f "$1" '([.report.top[] | select(.function == $f) | .total] | add // 0) / .report.samples' "$2"
}
at_least() { awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass "$1 ($2 >= $3)" || fail "$1: $2 < $3"; CHECKS=$((CHECKS + 1)); }
at_most() { awk -v a="$2" -v b="$3" 'BEGIN { exit !(a <= b) }' && pass "$1 ($2 <= $3)" || fail "$1: $2 > $3"; CHECKS=$((CHECKS + 1)); }

# cpu_checks LABEL REPORT: where the CPU time of CpuSpin goes, in cpu mode
cpu_checks() {
    check_eq "$1: mode" "$(jq -r .report.mode "$2")" cpu
    at_least "$1: samples" "$(jq .report.samples "$2")" 40
    at_least "$1: spinning method's share" "$(share DrDotnet.Targets.Spinner.SpinForever "$2")" 0.70
    at_most "$1: sleeping thread's share" "$(share DrDotnet.Targets.Sleeper.SleepForever "$2")" 0.02
    check_eq "$1: hottest function" "$(jq -r '.report.top[0].function' "$2")" DrDotnet.Targets.Spinner.SpinForever
}
# caller_share FOLDED: the share of the samples whose stack has SpinForever right under its caller RunSpinner
caller_share() {
    awk '{ n = $NF; all += n; if (index($0, "DrDotnet.Targets.Program.RunSpinner;DrDotnet.Targets.Spinner.SpinForever")) hit += n }
         END { print (all ? hit / all : 0) }' "$1"
}
start_target CpuSpin --stop-file "$WORK/stop-spin" --seconds 300 || exit 1
SPIN=$TPID
SPIN_OUT=$TOUT
"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 4 --json >"$WORK/cpu.json" 2>"$WORK/cpu.err"
check_eq "cpu mode: exit" "$?" 0
cpu_checks "cpu mode" "$WORK/cpu.json"
check_eq "cpu mode: the signal sampler by default (sampler=auto)" "$(jq -r .report.sampler "$WORK/cpu.json")" signal

"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 4 --param sampler=suspend --json >"$WORK/cpu-suspend.json" 2>"$WORK/cpu-suspend.err"
check_eq "cpu mode, sampler=suspend: exit" "$?" 0
cpu_checks "cpu mode, sampler=suspend" "$WORK/cpu-suspend.json"
check_eq "cpu mode, sampler=suspend: recorded" "$(jq -r .report.sampler "$WORK/cpu-suspend.json")" suspend

"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 2 --param mode=wall --json >"$WORK/wall.json" 2>"$WORK/wall.err"
check_eq "wall mode: exit" "$?" 0
check_eq "wall mode: the runtime stopped by default (sampler=auto)" "$(jq -r .report.sampler "$WORK/wall.json")" suspend
at_least "wall mode: sleeping thread present" "$(share DrDotnet.Targets.Sleeper.SleepForever "$WORK/wall.json")" 0.05

# exports of the cpu session
ID=$(jq -r .session.id "$WORK/cpu.json")
SAMPLES=$(jq .report.samples "$WORK/cpu.json")
"$DRD_BIN" export "$ID" --format folded --output "$WORK/cpu.folded" >/dev/null
check_eq "folded: counts add up to the samples" "$(awk '{s += $NF} END {print s}' "$WORK/cpu.folded")" "$SAMPLES"
check_contains "folded: root-first stack" "$WORK/cpu.folded" "System.Threading.Thread.StartCallback;"
"$DRD_BIN" export "$ID" --format speedscope --output "$WORK/cpu.speedscope.json" >/dev/null
check_eq "speedscope: required keys" \
    "$(jq '[has("$schema"), has("shared"), has("profiles"), (.shared | has("frames")), (.profiles[0] | has("type") and has("samples") and has("weights") and has("unit") and has("startValue") and has("endValue"))] | all' "$WORK/cpu.speedscope.json")" true
check_eq "speedscope: weights add up to the CPU time" "$(jq '[.profiles[].weights[]] | add' "$WORK/cpu.speedscope.json")" "$(jq .report.total_ns "$WORK/cpu.json")"
"$DRD_BIN" export "$ID" --format pprof --output "$WORK/cpu.pb.gz" >/dev/null
check_eq "pprof: a gzip file" "$(gzip -t "$WORK/cpu.pb.gz" && echo yes)" yes
at_least "folded: SpinForever under its caller" "$(caller_share "$WORK/cpu.folded")" 0.70
check_eq "target unharmed: library unloaded" "$(unloaded_count "$SPIN")" 0

# the signal sampler: the same picture, callers found by the frame-pointer walk through JIT code, nothing left
FDS_BEFORE=$(ls "/proc/$SPIN/fd" | wc -l)
"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 4 --param sampler=signal --json >"$WORK/sig.json" 2>"$WORK/sig.err"
check_eq "signal sampler: exit" "$?" 0
cpu_checks "signal sampler" "$WORK/sig.json"
"$DRD_BIN" export "$(jq -r .session.id "$WORK/sig.json")" --format folded --output "$WORK/sig.folded" >/dev/null
at_least "signal sampler: SpinForever under its caller" "$(caller_share "$WORK/sig.folded")" 0.70
check_eq "signal sampler: weights are CPU time" \
    "$(jq '.report.total_ns >= .report.samples * (1000000000 / 99 | floor)' "$WORK/sig.json")" true
check_eq "signal sampler: library unloaded" "$(unloaded_count "$SPIN")" 0
check_eq "signal sampler: no SIGPROF handler, ignore or timer left" "$(sigprof_left "$SPIN")" ""
check_eq "signal sampler: no file descriptor left" "$(ls "/proc/$SPIN/fd" | wc -l)" "$FDS_BEFORE"

"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 2 --param mode=wall --param sampler=signal >"$WORK/sigwall.out" 2>&1
check_eq "signal sampler with mode=wall: refused" "$([ $? -ne 0 ] && echo refused)" refused
check_contains "signal sampler with mode=wall: reason" "$WORK/sigwall.out" \
    "sampler=signal samples CPU time only (a waiting thread is never signalled), so it cannot run with mode=wall"
check_eq "signal sampler with mode=wall: library unloaded" "$(unloaded_count "$SPIN")" 0
touch "$WORK/stop-spin"
wait "$SPIN"
check_eq "spinning target: exit code" "$?" 0
check_contains "spinning target: finished" "$SPIN_OUT" "done"

# a hot method of a generic type shows its type argument
start_target CpuSpin --generic --seconds 20 || exit 1
"$DRD_BIN" profile "$TPID" cpu-hotpaths --duration 2 --param sampler=suspend --json >"$WORK/generic.json" 2>"$WORK/generic.err"
at_least "suspend sampler: generic frame named with its type argument" "$(share 'DrDotnet.Targets.Hot<System.Int32>.Spin' "$WORK/generic.json")" 0.10
"$DRD_BIN" profile "$TPID" cpu-hotpaths --duration 2 --param sampler=signal --json >"$WORK/generic-sig.json" 2>"$WORK/generic-sig.err"
at_least "signal sampler: generic frame named with its type argument" \
    "$(share 'DrDotnet.Targets.Hot<System.Int32>.Spin' "$WORK/generic-sig.json")" 0.10

# a process that handles SIGPROF itself: the signal sampler refuses rather than take the signal over
start_target CpuSpin --handle-sigprof --seconds 20 || exit 1
"$DRD_BIN" profile "$TPID" cpu-hotpaths --duration 2 --param sampler=signal >"$WORK/sigprof.out" 2>&1
check_eq "signal sampler with a SIGPROF handler in place: refused" "$([ $? -ne 0 ] && echo refused)" refused
check_contains "signal sampler with a SIGPROF handler in place: reason" "$WORK/sigprof.out" \
    "the process already handles SIGPROF"
check_eq "signal sampler with a SIGPROF handler in place: library unloaded" "$(unloaded_count "$TPID")" 0
check_eq "signal sampler with a SIGPROF handler in place: the app's handler stays" "$(sigprof_left "$TPID")" "handler "
# sampler=auto (the default) in such a process falls back to stopping the runtime, and leaves the handler alone
"$DRD_BIN" profile "$TPID" cpu-hotpaths --duration 2 --json >"$WORK/sigprof-auto.json" 2>"$WORK/sigprof-auto.err"
check_eq "auto with a SIGPROF handler in place: completed" "$(jq -r .session.status "$WORK/sigprof-auto.json")" completed
check_eq "auto with a SIGPROF handler in place: runtime stopped instead" "$(jq -r .report.sampler "$WORK/sigprof-auto.json")" suspend
check_eq "auto with a SIGPROF handler in place: the app's handler stays" "$(sigprof_left "$TPID")" "handler "

# merged-stacks: both deadlocked threads wait under the methods that took the locks
start_target Deadlock --stop-file "$WORK/stop-dead" || exit 1
DEAD=$TPID
wait_for_line "$TOUT" deadlocked 10 || fail "the target did not deadlock"
"$DRD_BIN" profile "$DEAD" merged-stacks --json >"$WORK/merged.json" 2>"$WORK/merged.err"
check_eq "merged-stacks: exit" "$?" 0
frames_of() { jq -r --arg t "$1" '.report.stacks[] | select(.name == $t) | .frames | join(" < ")' "$WORK/merged.json"; }
A=$(frames_of locker-a)
B=$(frames_of locker-b)
echo "locker-a: $A"
echo "locker-b: $B"
check_eq "locker-a waits in Monitor.Enter under TakeAThenB" \
    "$(echo "$A" | grep -c 'System.Threading.Monitor.Enter.*DrDotnet.Targets.LockOrder.TakeAThenB')" 1
check_eq "locker-b waits in Monitor.Enter under TakeBThenA" \
    "$(echo "$B" | grep -c 'System.Threading.Monitor.Enter.*DrDotnet.Targets.LockOrder.TakeBThenA')" 1
at_least "merged tree counts the threads" "$(jq .report.tree.threads "$WORK/merged.json")" 3
touch "$WORK/stop-dead"
wait "$DEAD"
check_eq "deadlocked target: exit code" "$?" 0
finish
