#!/usr/bin/env bash
# End to end: .NET processes in "containers" made of namespaces (unshare: own mount and pid namespaces, a private
# /tmp, another user) found and profiled from the host with exact counts, results back in the host's sessions
# folder, nothing left in the container; and the clear refusals: no permission, musl, diagnostics disabled.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: building containers from namespaces needs root (CI runs as root)"
    exit 0
fi
if ! unshare --mount --pid --fork --mount-proc true 2>/dev/null; then
    echo "skipped: unshare cannot make mount and pid namespaces on this machine"
    exit 0
fi

DOTNET=$(command -v dotnet)
PY=$(python3 -c 'import sys; print(sys.executable)') # the interpreter itself, not a shim that wants our cwd
PEER="$(cd "$(dirname "$0")" && pwd)/diag_peer.py"
HOST_TMP=${TMPDIR:-/tmp}
# the target runs as nobody when that user can read the .NET install; else as root (still another mount namespace)
AS_USER="setpriv --reuid 65534 --regid 65534 --clear-groups"
if ! $AS_USER test -r "$(readlink -f "$DOTNET")"; then
    echo "note: uid 65534 cannot read $DOTNET: the targets run as root"
    AS_USER=""
fi
ENVIRONMENT="env -i PATH=/usr/bin:/bin HOME=/tmp DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1"

# child_of PID: the pid of a child of PID (from /proc, without procps)
child_of() {
    local f line ppid
    for f in /proc/[0-9]*/stat; do
        read -r line 2>/dev/null <"$f" || continue
        read -r _ ppid _ <<<"${line##*) }"
        if [ "$ppid" = "$1" ]; then
            f=${f#/proc/}
            echo "${f%/stat}"
            return
        fi
    done
}

# container NAME COMMAND: runs COMMAND as pid 1 of new mount and pid namespaces, with $WORK/NAME (world-readable)
# bound on /mnt and a private tmpfs on /tmp. Sets CPID (its pid on the host), CUNSHARE and COUT.
container() {
    local name=$1 cmd=$2
    chmod -R a+rX "$WORK/$name"
    COUT="$WORK/$name.out"
    unshare --mount --pid --fork --mount-proc --kill-child \
        sh -c "cd / && mount --bind '$WORK/$name' /mnt && mount -t tmpfs -o mode=1777 tmpfs /tmp && exec $cmd" \
        >"$COUT" 2>&1 &
    CUNSHARE=$!
    PIDS+=("$CUNSHARE")
    CPID=
    for _ in $(seq 1 100); do
        CPID=$(child_of "$CUNSHARE")
        [ -n "$CPID" ] && break
        sleep 0.05
    done
    PIDS+=("$CPID")
}

# tmp_listing PID: what the container's /tmp holds (names, types, owners), sorted, on one line
tmp_listing() { find "/proc/$1/root/tmp" -mindepth 1 -printf '%P %y %u\n' | sort | paste -sd ' '; }

# --- A: the exceptions target in a container, as another user ---------------------------------------------------
mkdir -p "$WORK/a/bin"
cp -r "$DRD_TARGETS/Exceptions/." "$WORK/a/"
cp "$DRD_BIN" "$WORK/a/bin/"
container a "$AS_USER $ENVIRONMENT $DOTNET /mnt/Exceptions.dll --go-file /mnt/go --stop-file /mnt/stop"
A=$CPID
A_UNSHARE=$CUNSHARE
A_OUT=$COUT
wait_for_line "$A_OUT" ready 20 || { fail "container A did not start"; cat "$A_OUT"; exit 1; }
KEY=$(awk '{sub(/.*\) /, ""); print $20}' "/proc/$A/stat")
check_eq "A: pid inside is 1" "$(awk '/^NSpid:/ {print $NF}' "/proc/$A/status")" 1
check_eq "A: its socket is in its own /tmp" "$(ls "/proc/$A/root/tmp" | grep -c "^dotnet-diagnostic-1-$KEY-socket$")" 1
check_eq "A: not visible through the host's temp folder" \
    "$(ls "$HOST_TMP" | grep -cE "^dotnet-diagnostic-($A|1)-$KEY-socket$")" 0
BEFORE=$(tmp_listing "$A")

"$DRD_BIN" ps --json >"$WORK/ps.json"
PSA=".[] | select(.pid == $A)"
check_eq "ps: A listed by its host pid" "$(jq "[$PSA] | length" "$WORK/ps.json")" 1
check_eq "ps: A's pid inside" "$(jq "$PSA | .ns_pid" "$WORK/ps.json")" 1
check_eq "ps: A in another mount namespace" "$(jq "$PSA | .other_mount_ns" "$WORK/ps.json")" true
check_eq "ps: A's entry assembly" "$(jq -r "$PSA | .entry_assembly" "$WORK/ps.json")" Exceptions
"$DRD_BIN" ps >"$WORK/ps.txt"
check_eq "ps text: host pid, pid inside, other mount namespace" \
    "$(grep -cE "^ *$A  dotnet +[0-9.]+ +1 other +/" "$WORK/ps.txt")" 1

# inside the container, the tool sees the target as on a plain host
nsenter -t "$A" -m -p /mnt/bin/drdotnet ps --json >"$WORK/ps-inside.json" 2>"$WORK/ps-inside.err"
check_eq "ps inside the container: pid 1 listed" "$(jq '[.[] | select(.pid == 1)] | length' "$WORK/ps-inside.json")" 1
check_eq "ps inside the container: same namespaces" \
    "$(jq -c '.[] | select(.pid == 1) | [.ns_pid, .other_mount_ns]' "$WORK/ps-inside.json")" '[null,false]'

# another user than the target's, without root: told to run as root or as that user
if [ -n "$AS_USER" ]; then
    setpriv --reuid 1000 --regid 1000 --clear-groups env DRDOTNET_HOME="$WORK/nobody-home" \
        "$DRD_BIN" profile "$A" exceptions --duration 2 >"$WORK/perm.out" 2>"$WORK/perm.err"
    check_eq "no permission: exit" "$?" 3
    check_contains "no permission: message" "$WORK/perm.err" "run drdotnet as root or as that user"
    check_contains "no permission: the target's user" "$WORK/perm.err" "uid 65534"
fi

"$DRD_BIN" profile "$A" exceptions --duration 6 --json >"$WORK/report.json" 2>"$WORK/profile.err" &
PROF=$!
wait_for_line "$WORK/profile.err" "attached to pid $A" 20 || fail "the tool did not attach to A"
# while the session runs: the library and the session folder are inside the container's /tmp, with safe modes
TOP=$(find "/proc/$A/root/tmp" -mindepth 1 -maxdepth 1 -name 'drdotnet-*' | head -1)
check_eq "session place: folder made in the container's /tmp" "$(test -d "$TOP" && echo yes)" yes
check_eq "session place: folder mode and owner" "$(stat -c '%a %U' "$TOP")" "711 root"
check_eq "session place: library copy" "$(stat -c '%a %U' "$TOP/libdrdotnet.so")" "755 root"
check_eq "session place: session folder given to the target's user" \
    "$(stat -c '%a %u' "$TOP"/2*)" "700 $([ -n "$AS_USER" ] && echo 65534 || echo 0)"
check_eq "session place: the target maps the copy" \
    "$(grep -q "${TOP##*/}/libdrdotnet.so" "/proc/$A/maps" && echo yes)" yes
touch "$WORK/a/go"
wait "$PROF"
check_eq "profile: exit code" "$?" 0
R="$WORK/report.json"
check_eq "status" "$(jq -r .session.status "$R")" completed
check_eq "total thrown" "$(jq .report.total "$R")" 1250
check_eq "total caught" "$(jq .report.caught "$R")" 1250
check_eq "dropped" "$(jq .report.dropped "$R")" 0
IOE='.report.types[] | select(.type == "System.InvalidOperationException")'
check_eq "IOE count" "$(jq "$IOE | .count" "$R")" 1000
check_eq "IOE caught" "$(jq "$IOE | .caught" "$R")" 1000
check_eq "IOE throw frame" "$(jq -r "$IOE | .stacks[0].frames[0]" "$R")" DrDotnet.Targets.Thrower.Fail
NF='.report.types[] | select(.type == "DrDotnet.Targets.NestedWorker+WorkerFault")'
check_eq "nested type count" "$(jq "$NF | .count" "$R")" 250
check_eq "nested catcher" "$(jq -r "$NF | .catchers[0].method" "$R")" DrDotnet.Targets.NestedWorker.Run
check_eq "types" "$(jq '.report.types | length' "$R")" 2

# the session came back to the host's sessions folder, with both pids
ID=$(jq -r .session.id "$R")
S="$DRDOTNET_HOME/sessions/$ID"
check_eq "session id names the host pid" "$(echo "$ID" | grep -c -- "-$A-exceptions$")" 1
check_eq "session.json in the host's folder" "$(test -f "$S/session.json" && echo yes)" yes
check_eq "raw data in the host's folder" "$(test -s "$S/exceptions.raw" && echo yes)" yes
check_eq "target pid recorded (host)" "$(jq .target.pid "$S/session.json")" "$A"
check_eq "target pid recorded (inside)" "$(jq .target.ns_pid "$S/session.json")" 1
"$DRD_BIN" show "$ID" --json >"$WORK/show.json"
check_eq "show: same total" "$(jq .report.total "$WORK/show.json")" 1250

# nothing left in the container: its /tmp is as before the session, the library unloaded
check_eq "library unloaded" "$(unloaded_count "$A")" 0
check_eq "nothing left in the container's /tmp" "$(tmp_listing "$A")" "$BEFORE"

# the target keeps working and exits 0 when told
check_eq "A still running" "$(kill -0 "$A" 2>/dev/null && echo yes)" yes
touch "$WORK/a/stop"
wait "$A_UNSHARE"
check_eq "A exit code" "$?" 0
check_contains "A finished its work" "$A_OUT" "done"
check_contains "A counted its own exceptions" "$A_OUT" "thrown 1250"

# --- B: a TMPDIR so long that /proc/<pid>/root/... does not fit in a socket address -----------------------------
LONG="/tmp/$(printf 'l%.0s' $(seq 1 61))"
mkdir -p "$WORK/b"
cp -r "$DRD_TARGETS/Idle/." "$WORK/b/"
container b "sh -c 'mkdir -m 1777 $LONG && exec $AS_USER $ENVIRONMENT TMPDIR=$LONG $DOTNET /mnt/Idle.dll --seconds 60'"
B=$CPID
wait_for_line "$COUT" ready 20 || { fail "container B did not start"; cat "$COUT"; }
"$DRD_BIN" ps --json >"$WORK/ps-b.json"
check_eq "long path: B listed" "$(jq "[.[] | select(.pid == $B)] | length" "$WORK/ps-b.json")" 1
check_eq "long path: its socket path is longer than a socket address" \
    "$(jq ".[] | select(.pid == $B) | .socket | length > 107" "$WORK/ps-b.json")" true
check_eq "long path: ProcessInfo through it" \
    "$(jq -r ".[] | select(.pid == $B) | .entry_assembly" "$WORK/ps-b.json")" Idle
BEFORE=$(tmp_listing "$B")
"$DRD_BIN" profile "$B" exceptions --duration 2 --json >"$WORK/report-b.json" 2>"$WORK/profile-b.err" &
PROF=$!
wait_for_line "$WORK/profile-b.err" "attached to pid $B" 20 || fail "the tool did not attach to B"
check_eq "long path: session placed in the target's TMPDIR" \
    "$(find "/proc/$B/root$LONG" -mindepth 1 -maxdepth 1 -name 'drdotnet-*' | wc -l)" 1
wait "$PROF"
check_eq "long path: profile exit" "$?" 0
check_eq "long path: status" "$(jq -r .session.status "$WORK/report-b.json")" completed
check_eq "long path: session back on the host" \
    "$(test -f "$DRDOTNET_HOME/sessions/$(jq -r .session.id "$WORK/report-b.json")/session.json" && echo yes)" yes
check_eq "long path: nothing left" "$(tmp_listing "$B")" "$BEFORE"
kill -9 "$B" 2>/dev/null

# --- C: diagnostics disabled inside the container ------------------------------------------------------------
mkdir -p "$WORK/c"
cp -r "$DRD_TARGETS/Idle/." "$WORK/c/"
container c "$AS_USER $ENVIRONMENT DOTNET_EnableDiagnostics=0 $DOTNET /mnt/Idle.dll --seconds 60"
C=$CPID
wait_for_line "$COUT" ready 20 || { fail "container C did not start"; cat "$COUT"; }
"$DRD_BIN" profile "$C" exceptions --duration 1 >"$WORK/disabled.out" 2>"$WORK/disabled.err"
check_eq "diagnostics disabled: exit" "$?" 3
check_contains "diagnostics disabled: message" "$WORK/disabled.err" "diagnostics are disabled"
check_contains "diagnostics disabled: pid inside" "$WORK/disabled.err" "pid 1 in its own namespace"
"$DRD_BIN" ps --json >"$WORK/ps-c.json"
check_eq "diagnostics disabled: not listed" "$(jq "[.[] | select(.pid == $C)] | length" "$WORK/ps-c.json")" 0
check_eq "diagnostics disabled: nothing placed" "$(find "/proc/$C/root/tmp" -name 'drdotnet-*' | wc -l)" 0
kill -9 "$C" 2>/dev/null

# --- D: a musl process (a fake runtime that maps a file named like musl's loader) -----------------------------
mkdir -p "$WORK/d"
head -c 4096 /dev/zero >"$WORK/d/ld-musl-x86_64.so.1"
cp "$PEER" "$WORK/d/" # the container's /tmp is its own: the script must come from the bound folder
container d "$ENVIRONMENT $PY /mnt/$(basename "$PEER") runtime /tmp /mnt/ld-musl-x86_64.so.1"
D=$CPID
wait_for_line "$COUT" listening 20 || { fail "container D did not start"; cat "$COUT"; }
"$DRD_BIN" profile "$D" exceptions --duration 1 >"$WORK/musl.out" 2>"$WORK/musl.err"
check_eq "musl: exit" "$?" 3
check_contains "musl: says what the library is built for" "$WORK/musl.err" "libdrdotnet.so is built for glibc"
check_contains "musl: says what is needed" "$WORK/musl.err" "a musl build of drdotnet is needed"
check_eq "musl: nothing placed" "$(find "/proc/$D/root/tmp" -name 'drdotnet-*' | wc -l)" 0
kill -9 "$D" 2>/dev/null

# --- E: the README's startup recipe: the profiler loaded from the container's start, the session folder mounted in
mkdir -p "$WORK/e/lib" "$WORK/e/session"
cp -r "$DRD_TARGETS/Exceptions/." "$WORK/e/"
cp "${DRDOTNET_LIB:-$(dirname "$DRD_BIN")/libdrdotnet.so}" "$WORK/e/lib/"
CLSID=$("$DRD_BIN" profilers --json | jq -r '.[] | select(.name == "exceptions") | .clsid')
ID_E="$(date +%Y%m%d-%H%M%S)-1-exceptions"
printf 'v=1\nsession=%s\nout=/mnt/session\nprofiler=exceptions\nmode=startup\nparam.duration=0\n' "$ID_E" \
    >"$WORK/e/session/request.txt"
[ -n "$AS_USER" ] && chown 65534:65534 "$WORK/e/session"
container e "$AS_USER $ENVIRONMENT CORECLR_ENABLE_PROFILING=1 CORECLR_PROFILER=$CLSID \
    CORECLR_PROFILER_PATH=/mnt/lib/libdrdotnet.so DRDOTNET_SESSION_FILE=/mnt/session/request.txt \
    DRDOTNET_SESSION_PID=1 $DOTNET /mnt/Exceptions.dll --work-ms 300"
wait "$CUNSHARE"
check_eq "startup recipe: the app exits 0" "$?" 0
check_eq "startup recipe: status" "$(jq -r .status "$WORK/e/session/session.json")" completed
mv "$WORK/e/session" "$DRDOTNET_HOME/sessions/$ID_E"
"$DRD_BIN" show "$ID_E" --json >"$WORK/show-e.json"
check_eq "startup recipe: mode" "$(jq -r .session.mode "$WORK/show-e.json")" startup
check_eq "startup recipe: total" "$(jq .report.total "$WORK/show-e.json")" 1250
check_eq "startup recipe: IOE count" "$(jq "$IOE | .count" "$WORK/show-e.json")" 1000
check_eq "startup recipe: nested count" "$(jq "$NF | .count" "$WORK/show-e.json")" 250
finish
