# The paired A-B-A method of bench/cpu.sh and bench/memory.sh, sourced by both (not run on its own).
# A run is one workload process that prints `ready <pid>`, then `tick <unix ms at the end of a second> <count in
# that second> [<the process's CPU time so far, us>]` once a second; it is its own baseline: phase A nothing attached, phase B the tool under test
# attached, phase C after the tool left (the scripts' header comments tell the windows' rules).
#
# The sourcing script sets, before it calls anything here:
#   bench_name  its name, for messages;        secs      each phase's length in seconds;
#   workload    the workload's command (array); app_limit the most seconds it may run;
#   tool_secs   how long B's tool is attached;  tool_limit the most seconds a tool may run;
#   tick_unit   what a tick counts, per second ("units/s");
#   configs     the configuration keys in table order, and labels[KEY] where a row should read otherwise;
#   for paired_dotnet_trace: trace (dotnet-trace's path) and trace_duration (hh:mm:ss).
#   paired_dir  the folder under which each run gets its own (KEY-RUN);
#   phase_b     a function: `phase_b KEY`, phase B of one configuration, which sets attach and gone (the window
#               of B) through paired_none, paired_drdotnet or paired_dotnet_trace, and why when it failed.
# A run is `paired_run KEY RUN`: paired_start, phase_b, paired_phase_c, paired_stop, then paired_score.

# Background processes of the run under way, ended (by pid) by paired_cleanup if the script stops early.
live_pids=()
paired_cleanup() {
    local p
    for p in "${live_pids[@]}"; do
        kill "$p" 2>/dev/null || true
    done
}

# A sleep that forks nothing (read timing out on a pipe nobody writes to), so that polling while the
# workload runs costs it as little CPU as possible.
exec {nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$nap_fd" _ || true; }
# Milliseconds since the epoch, into $now_ms, without a fork.
stamp() {
    local t=${EPOCHREALTIME//[.,]/}
    now_ms=$((t / 1000))
}

# The workload's output, read as it grows through a descriptor kept open (no fork): `ready <pid>` into
# $app_ready, every `tick <end ms> <count> [cpu us]` into tick_end/tick_units/tick_cpu (cpu: "" when the
# workload does not print it). A line still being written is kept in
# $wl_part until its end arrives.
wl_fd="" wl_part="" app_ready="" tick_end=() tick_units=() tick_cpu=()
pump() {
    local line=""
    while IFS= read -r -u "$wl_fd" line; do
        line=$wl_part$line
        wl_part=""
        if [[ $line =~ ^tick\ ([0-9]+)\ ([0-9]+)(\ [0-9]+)?$ ]]; then
            tick_end+=("${BASH_REMATCH[1]}")
            tick_units+=("${BASH_REMATCH[2]}")
            tick_cpu+=("${BASH_REMATCH[3]# }")
        elif [[ $line =~ ^ready\ ([0-9]+)$ ]]; then
            app_ready=${BASH_REMATCH[1]}
        fi
        line=""
    done
    wl_part+=$line
}
# c_ticks FROM_MS: how many ticks so far start at or after FROM_MS, into $n_after
c_ticks() {
    local i start
    n_after=0
    for ((i = 0; i < ${#tick_end[@]}; i++)); do
        start=$((i > 0 ? tick_end[i - 1] : tick_end[i] - 1000))
        ((start < $1)) || n_after=$((n_after + 1))
    done
}

declare -A ratios cpu_ratios bticks fails fallbacks labels firsts
details=()
paired_init() {
    local k
    for k in "${configs[@]}"; do
        ratios[$k]="" cpu_ratios[$k]="" bticks[$k]="" fails[$k]=0 fallbacks[$k]=0 firsts[$k]=""
    done
}

# failed CONFIG RUN WHY [LOG]: counts a failed run; the first failure of a configuration is told on stderr, with the start of LOG
failed() {
    fails[$1]=$((fails[$1] + 1))
    details+=("- $1 run $2: failed ($3)")
    if [ "${fails[$1]}" -eq 1 ]; then
        echo "$bench_name: $1 run $2 failed: $3" >&2
        if [ -n "${4:-}" ] && [ -s "$4" ]; then
            sed 's/^/    /' "$4" | head -n 5 >&2 || true
        fi
    fi
}

# paired_start OUT: starts the workload, its output into OUT, and waits for the warm-up and phase A (up to 30 s
# for `ready`, then the warm-up, then SECONDS ticks). Sets app_pid, pid (from the ready line) and why (empty
# when all went well).
paired_start() {
    local out=$1 deadline
    : >"$out"
    exec {wl_fd}<"$out"
    wl_part="" app_ready="" tick_end=() tick_units=() tick_cpu=()
    timeout "$app_limit" "${workload[@]}" >>"$out" 2>&1 &
    app_pid=$!
    live_pids=("$app_pid")
    stamp
    deadline=$((now_ms + (32 + secs + 15) * 1000))
    while pump; ((${#tick_end[@]} < secs)); do
        stamp
        if ! kill -0 "$app_pid" 2>/dev/null || ((now_ms > deadline)); then
            why="the workload gave ${#tick_end[@]} of $secs ticks of phase A"
            break
        fi
        nap 0.05
    done
    pid=$app_ready
    [ -n "$pid" ] || why="the workload printed no ready line"
}

# paired_none: phase B of the null experiment, the same timing as a tool attached for tool_secs, with nothing
# attached. Sets launched, attach and gone.
paired_none() {
    stamp
    launched=$now_ms
    attach=$launched
    while pump; stamp; ((now_ms < launched + tool_secs * 1000)); do
        nap 0.05
    done
    gone=$now_ms
}

# seen_line FD REGEX: reads what FD has (no wait) until a line matches REGEX; 0 when one did.
seen_line() {
    local line
    while IFS= read -r -u "$1" line; do
        [[ $line =~ $2 ]] && return 0
    done
    return 1
}

# tool_exited FD: the tool under test has exited: the end of B ($gone), its exit status ($tool_rc), FD closed.
tool_exited() {
    local fd=$1
    stamp
    gone=$now_ms
    wait "$tool_pid" || tool_rc=$?
    exec {fd}<&-
}

# paired_drdotnet DRDOTNET PROFILER ARG...: phase B under `DRDOTNET profile $pid PROFILER --duration $tool_secs
# ARG...` with its own DRDOTNET_HOME ($home), its stderr into $tool_err. The attach: its stderr line "attached to
# pid"; with first_sample=1, also the first time the session's progress.json counts an event (into $first, ms
# after the start). Polled every 20 ms until seen, then every 50 ms until the tool exits. Sets launched, attach,
# gone, tool_rc, dir, status, events, and why when it failed.
paired_drdotnet() {
    local drd=$1 profiler=$2 err_fd line d
    shift 2
    stamp
    launched=$now_ms
    : >"$tool_err"
    exec {err_fd}<"$tool_err"
    DRDOTNET_HOME="$home" timeout "$tool_limit" "$drd" profile "$pid" "$profiler" --duration "$tool_secs" "$@" \
        >"$tool_out" 2>>"$tool_err" &
    tool_pid=$!
    live_pids=("$app_pid" "$tool_pid")
    while kill -0 "$tool_pid" 2>/dev/null; do
        stamp
        if [ -z "$attach" ]; then
            if seen_line "$err_fd" 'attached to pid'; then attach=$now_ms; fi
        fi
        if [ "${first_sample:-0}" = 1 ] && [ -z "$first" ]; then
            [ -n "$dir" ] || for d in "$home"/sessions/*/; do [ -d "$d" ] && dir=$d; done
            if [ -n "$dir" ] && [ -f "$dir/progress.json" ] && read -r line <"$dir/progress.json" &&
                [[ $line =~ \"events\":([0-9]+) ]] && ((BASH_REMATCH[1] > 0)); then
                first=$((now_ms - launched))
            fi
        fi
        if [ -z "$attach" ] || { [ "${first_sample:-0}" = 1 ] && [ -z "$first" ]; }; then
            nap 0.02
        else
            nap 0.05
        fi
    done
    tool_exited "$err_fd"
    [ -n "$dir" ] || for d in "$home"/sessions/*/; do [ -d "$d" ] && dir=$d; done
    status=$(jq -r '.status // "?"' "$dir/session.json" 2>/dev/null || echo none)
    events=$(jq -r '.events // 0' "$dir/session.json" 2>/dev/null || echo 0)
    if [ "$tool_rc" -ne 0 ]; then
        why="drdotnet exit status $tool_rc, session $status"
    elif [ -z "$attach" ]; then
        why="no 'attached to pid' line from drdotnet"
    fi
}

# paired_dotnet_trace KEY ARG...: phase B under `dotnet-trace collect -p $pid ARG... --duration` (its output
# into $tool_out, its trace into $home, deleted after). The attach: its stdout line "Process        : ...",
# which it prints once the runtime accepted its EventPipe session; when that line does not come, its start + 1 s
# (counted in fallbacks[KEY]). Sets launched, attach, gone, tool_rc, and why when it failed.
paired_dotnet_trace() {
    local key=$1 deadline line err_fd
    shift
    stamp
    launched=$now_ms
    : >"$tool_out"
    exec {err_fd}<"$tool_out"
    "$trace" collect -p "$pid" "$@" --duration "$trace_duration" \
        -o "$home/t.nettrace" </dev/null >>"$tool_out" 2>&1 &
    tool_pid=$!
    live_pids=("$app_pid" "$tool_pid")
    stamp
    deadline=$((now_ms + tool_limit * 1000))
    while kill -0 "$tool_pid" 2>/dev/null; do
        stamp
        if ((now_ms > deadline)); then
            kill "$tool_pid" 2>/dev/null || true
            break
        fi
        if [ -z "$attach" ]; then
            if seen_line "$err_fd" '^Process +:'; then attach=$now_ms; fi
            nap 0.02
        else
            nap 0.05
        fi
    done
    tool_exited "$err_fd"
    live_pids=("$app_pid")
    rm -f "$home/t.nettrace"
    if [ -z "$attach" ]; then
        attach=$((launched + 1000))
        fallbacks[$key]=$((fallbacks[$key] + 1))
    fi
    [ "$tool_rc" -eq 0 ] || why="dotnet-trace exit status $tool_rc"
}

# paired_phase_c: unless $why is set, waits for SECONDS ticks that start at least 1 s after $gone (up to 20 s
# more than that takes); sets why when they do not come.
paired_phase_c() {
    local deadline
    [ -z "$why" ] || return 0
    deadline=$((gone + (secs + 1 + 20) * 1000))
    while pump; c_ticks $((gone + 1000)); ((n_after < secs)); do
        stamp
        if ! kill -0 "$app_pid" 2>/dev/null || ((now_ms > deadline)); then
            why="the workload gave $n_after of $secs ticks of phase C"
            break
        fi
        nap 0.05
    done
}

# paired_stop: ends the workload and reads the rest of its output.
paired_stop() {
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    live_pids=()
    pump
    exec {wl_fd}<&-
}

# paired_score KEY RUN: from the ticks, $attach and $gone, the three windows and the run's ratio
# mean(B) / mean(A and C together), added to ratios[KEY] and bticks[KEY]; or the run counted as failed when B
# has fewer than SECONDS-2 ticks. Returns 1 when it failed. When the ticks carry the process's CPU time, also the
# ratio of work per CPU second, B against A and C (into cpu_ratios[KEY]): it charges every thread of the process
# (a profiler's own threads too, which a core left idle would hide from the throughput).
#   A: the ticks that end before the attach; B: those whose whole second lies between the attach and the
#   tool's exit; C: the first SECONDS of those that start at least 1 s after the exit.
paired_score() {
    local key=$1 r=$2 i start end na=0 nb=0 nc=0 sa=0 sb=0 sc=0 ratio cpu_ratio="" cpu
    # work and CPU us of the ticks that have a CPU time and a previous one, in A and C together (o) and in B (b)
    local wo=0 co=0 wb=0 cb=0 nco=0 ncb=0
    for ((i = 0; i < ${#tick_end[@]}; i++)); do
        end=${tick_end[i]}
        start=$((i > 0 ? tick_end[i - 1] : end - 1000))
        cpu=""
        if ((i > 0)) && [ -n "${tick_cpu[i]:-}" ] && [ -n "${tick_cpu[i - 1]:-}" ]; then
            cpu=$((tick_cpu[i] - tick_cpu[i - 1]))
        fi
        if ((end <= attach)); then
            na=$((na + 1)) sa=$((sa + tick_units[i]))
            [ -z "$cpu" ] || wo=$((wo + tick_units[i])) co=$((co + cpu)) nco=$((nco + 1))
        elif ((start >= attach && end <= gone)); then
            nb=$((nb + 1)) sb=$((sb + tick_units[i]))
            [ -z "$cpu" ] || wb=$((wb + tick_units[i])) cb=$((cb + cpu)) ncb=$((ncb + 1))
        elif ((start >= gone + 1000 && nc < secs)); then
            nc=$((nc + 1)) sc=$((sc + tick_units[i]))
            [ -z "$cpu" ] || wo=$((wo + tick_units[i])) co=$((co + cpu)) nco=$((nco + 1))
        fi
    done
    if ((nb < secs - 2 || nb == 0)); then
        failed "$key" "$r" "phase B has $nb ticks, fewer than $((secs - 2))"
        return 1
    fi
    ratio=$(awk -v sb="$sb" -v nb="$nb" -v s="$((sa + sc))" -v n="$((na + nc))" 'BEGIN{printf "%.4f", (sb / nb) / (s / n)}')
    ratios[$key]+="$ratio "
    bticks[$key]+="$nb "
    if ((co > 0 && cb > 0 && wo > 0 && nco > 0 && ncb > 0)); then
        cpu_ratio=$(awk -v wb="$wb" -v cb="$cb" -v wo="$wo" -v co="$co" 'BEGIN{printf "%.4f", (wb / cb) / (wo / co)}')
        cpu_ratios[$key]+="$cpu_ratio "
        cpu_ratio="; work per CPU second B / (A+C) $cpu_ratio, CPU used A+C $((co / nco / 1000)) ms/s, B $((cb / ncb / 1000)) ms/s"
    fi
    details+=("- $key run $r: $ratio (ticks A $na, B $nb, C $nc; means A $((na ? sa / na : 0)), B $((sb / nb)), C $((nc ? sc / nc : 0)) $tick_unit$cpu_ratio)")
}

# paired_run KEY RUN: one run of configuration KEY: the workload, phase A, the script's phase_b, phase C, then the
# run scored, or counted as failed (with the tool's log, or the workload's output when its self-check failed).
# Its locals are the variables phase_b and the paired_* functions set. When phase_b measured the first sample
# ($first), it is added to firsts[KEY].
paired_run() {
    local key=$1 r=$2
    local home="$paired_dir/$key-$r"
    local out="$home/workload.out" tool_out="$home/tool.out" tool_err="$home/tool.err"
    local app_pid tool_pid="" pid launched attach="" gone="" first="" dir=""
    local tool_rc=0 status="" events=0 why="" log=""
    case $key in
    drdotnet-*) log=$tool_err ;;
    dotnet-trace*) log=$tool_out ;;
    esac
    mkdir -p "$home"
    paired_start "$out"
    # Phase B: the tool under test, from its attach until it exited.
    if [ -z "$why" ]; then
        phase_b "$key"
        live_pids=("$app_pid")
    fi
    # Phase C: SECONDS ticks that start at least 1 s after the tool exited.
    paired_phase_c
    paired_stop
    if [ -n "$why" ]; then
        failed "$key" "$r" "$why" "$log"
        return 0
    fi
    if grep -q '^SELFCHECK FAILED' "$out"; then
        failed "$key" "$r" "the workload's self-check failed" "$out"
        return 0
    fi
    paired_score "$key" "$r" || return 0
    [ -z "$first" ] || firsts[$key]+="$first "
}

median() { tr ' ' '\n' | awk NF | sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR+1)/2)]}'; }
span() { tr ' ' '\n' | awk NF | sort -n | awk 'NR==1{lo=$1} {hi=$1} END {if (NR) print lo " .. " hi}'; }

# paired_table RUNS LOST: the Markdown table of the median ratio per configuration; LOST heads the column of
# what the median ratio loses.
paired_table() {
    local runs=$1 k m note lost
    echo "| configuration | median ratio B / (A+C) ($runs runs, phases of ${secs} s) | $2 | per-run ratios, min .. max | B ticks per run |"
    echo "|---|---|---|---|---|"
    for k in "${configs[@]}"; do
        m=$(echo "${ratios[$k]}" | median)
        if [ -z "$m" ]; then
            echo "| ${labels[$k]:-$k} | failed | - | - | - |"
            continue
        fi
        note=""
        [ "${fails[$k]}" -eq 0 ] || note=" (${fails[$k]} of $runs runs failed)"
        lost=$(awk -v m="$m" 'BEGIN{printf "%.1f %%", 100 * (1 - m)}')
        echo "| ${labels[$k]:-$k} | $m$note | $lost | $(echo "${ratios[$k]}" | span) | ${bticks[$k]% } |"
    done
}

# paired_cpu_table RUNS: when the workload printed its CPU time, the Markdown table of the median ratio of work
# per CPU second of the whole process (B against A and C) per configuration; nothing otherwise.
paired_cpu_table() {
    local runs=$1 k m any=""
    for k in "${configs[@]}"; do
        [ -z "${cpu_ratios[$k]}" ] || any=1
    done
    [ -n "$any" ] || return 0
    echo "| configuration | median work per CPU second, B / (A+C) ($runs runs) | more CPU per unit of work | per-run, min .. max |"
    echo "|---|---|---|---|"
    for k in "${configs[@]}"; do
        m=$(echo "${cpu_ratios[$k]}" | median)
        if [ -z "$m" ]; then
            echo "| ${labels[$k]:-$k} | - | - | - |"
            continue
        fi
        echo "| ${labels[$k]:-$k} | $m | $(awk -v m="$m" 'BEGIN{printf "%.1f %%", 100 * (1 / m - 1)}') | $(echo "${cpu_ratios[$k]}" | span) |"
    done
}

# paired_details: every run's ratio (or failure), by configuration, in run order.
paired_details() {
    local k d
    echo "Per run, in run order:"
    for k in "${configs[@]}"; do
        for d in "${details[@]}"; do
            [[ $d != "- $k run "* ]] || echo "$d"
        done
    done
}
