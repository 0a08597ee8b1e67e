#!/usr/bin/env bash
# End to end: cpu-hotpaths in cpu and wall mode against a spinning and a sleeping thread, generic frames,
# exports, and merged-stacks on a deadlock. The targets keep working and exit 0 afterwards.
. "$(dirname "$0")/lib.sh"

# share NAME FILE: the share of samples whose stack holds function NAME (0 when absent)
share() {
    jq -r --arg f "$1" '([.report.top[] | select(.function == $f) | .total] | add // 0) / .report.samples' "$2"
}
at_least() { awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass "$1 ($2 >= $3)" || fail "$1: $2 < $3"; CHECKS=$((CHECKS + 1)); }
at_most() { awk -v a="$2" -v b="$3" 'BEGIN { exit !(a <= b) }' && pass "$1 ($2 <= $3)" || fail "$1: $2 > $3"; CHECKS=$((CHECKS + 1)); }

start_target CpuSpin --stop-file "$WORK/stop-spin" || exit 1
SPIN=$TPID
SPIN_OUT=$TOUT
"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 4 --json >"$WORK/cpu.json" 2>"$WORK/cpu.err"
check_eq "cpu mode: exit" "$?" 0
check_eq "cpu mode: mode" "$(jq -r .report.mode "$WORK/cpu.json")" cpu
at_least "cpu mode: samples" "$(jq .report.samples "$WORK/cpu.json")" 40
at_least "cpu mode: spinning method's share" "$(share DrDotnet.Targets.Spinner.SpinForever "$WORK/cpu.json")" 0.70
at_most "cpu mode: sleeping thread's share" "$(share DrDotnet.Targets.Sleeper.SleepForever "$WORK/cpu.json")" 0.02
check_eq "cpu mode: hottest function" "$(jq -r '.report.top[0].function' "$WORK/cpu.json")" DrDotnet.Targets.Spinner.SpinForever

"$DRD_BIN" profile "$SPIN" cpu-hotpaths --duration 2 --param mode=wall --json >"$WORK/wall.json" 2>"$WORK/wall.err"
check_eq "wall mode: exit" "$?" 0
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
check_eq "target unharmed: library unloaded" "$(unloaded_count "$SPIN")" 0
touch "$WORK/stop-spin"
wait "$SPIN"
check_eq "spinning target: exit code" "$?" 0
check_contains "spinning target: finished" "$SPIN_OUT" "done"

# a hot method of a generic type shows its type argument
start_target CpuSpin --generic --seconds 20 || exit 1
"$DRD_BIN" profile "$TPID" cpu-hotpaths --duration 2 --json >"$WORK/generic.json" 2>"$WORK/generic.err"
at_least "generic frame named with its type argument" "$(share 'DrDotnet.Targets.Hot<System.Int32>.Spin' "$WORK/generic.json")" 0.10

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
