#!/usr/bin/env bash
# Soak: attach, profile and detach every attachable profiler against a busy, self-checking target and against an
# ASP.NET Core app under HTTP load (tests/targets/Web, tests/e2e/webload.py), again and again; count crashes,
# changed results, sessions not completed, failed HTTP requests, and what is left behind in the targets.
# Usage: tests/soak/soak.sh [CYCLES] (default 3). Needs DRD_BIN and DRD_TARGETS (tests/e2e/lib.sh).
. "$(dirname "$0")/../e2e/lib.sh"
CYCLES=${1:-3}
# NAME or NAME:SAMPLER (cpu-hotpaths with --param sampler=SAMPLER)
PROFILERS=(exceptions cpu-hotpaths cpu-hotpaths:signal merged-stacks allocations runtime-pauses duplicated-strings
    heap-snapshot)

start_web || exit 1
WEBPID=$TPID
start_target Busy --stop-file "$WORK/stop" || exit 1
B=$TPID
fds() { ls "/proc/$B/fd" | wc -l; }
threads() { awk '/^Threads:/ {print $2}' "/proc/$B/status"; }
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$B/status"; }

sessions=0 incomplete=0 crashes=0
for cycle in $(seq 1 "$CYCLES"); do
    for target in "$B" "$WEBPID"; do
        for p in "${PROFILERS[@]}"; do
            args=()
            case $p in merged-stacks | duplicated-strings | heap-snapshot) ;; *) args=(--duration 1) ;; esac
            case $p in *:*) args+=(--param "sampler=${p#*:}") ;; esac
            "$DRD_BIN" profile "$target" "${p%%:*}" "${args[@]}" --quiet >/dev/null 2>"$WORK/err"
            rc=$?
            sessions=$((sessions + 1))
            if [ "$rc" -ne 0 ]; then
                incomplete=$((incomplete + 1))
                echo "cycle $cycle $p on $target: exit $rc: $(head -c 300 "$WORK/err")"
            fi
            if ! kill -0 "$target" 2>/dev/null; then
                crashes=$((crashes + 1))
                echo "cycle $cycle $p: the target $target died"
                break 3
            fi
        done
    done
    web_left=$(unloaded_count "$WEBPID")
    echo "cycle $cycle: web app: $(load_count ok) requests answered, $(load_count failed) failed," \
        "library mappings left $web_left"
    left=$(unloaded_count "$B")
    if [ "$cycle" -eq 1 ]; then
        fd1=$(fds) th1=$(threads) rss1=$(rss_kb)
    fi
    echo "cycle $cycle: fds $(fds) threads $(threads) rss $(rss_kb) kB, library mappings left $left"
done
fdN=$(fds) thN=$(threads) rssN=$(rss_kb)
touch "$WORK/stop"
wait "$B"
target_rc=$?
stop_load
kill -TERM "$WEBPID"
wait "$WEBPID"
web_rc=$?
echo "soak: $CYCLES cycles, $sessions sessions, $crashes crashes, $incomplete not completed," \
    "target exit $target_rc ($(tail -1 "$TOUT")); after the first cycle -> after the last:" \
    "fds $fd1 -> $fdN, threads $th1 -> $thN, rss $rss1 -> $rssN kB"
check_eq "soak: crashes" "$crashes" 0
check_eq "soak: sessions not completed" "$incomplete" 0
check_eq "soak: target results unchanged (its own self-check)" "$target_rc" 0
check_eq "soak: library unloaded at the end" "$left" 0
check_eq "soak: web app: failed requests" "$(load_count failed)" 0
check_eq "soak: web app: library unloaded at the end" "$web_left" 0
check_eq "soak: web app: exit after SIGTERM" "$web_rc" 0
at_most() { CHECKS=$((CHECKS + 1)); [ "$2" -le "$3" ] && pass "$1 ($2 <= $3)" || fail "$1: $2 > $3"; }
at_most "soak: file descriptors left behind" $((fdN - fd1)) 2
at_most "soak: threads left behind" $((thN - th1)) 2
finish
