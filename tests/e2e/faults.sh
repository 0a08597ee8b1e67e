#!/usr/bin/env bash
# End to end, faults: the tool killed mid-session, the target killed mid-session, the output folder filling up,
# and a symlink planted where the library copy goes. The target must never suffer, nothing may be lost.
. "$(dirname "$0")/lib.sh"

newest_session() { ls -td "$DRDOTNET_HOME"/sessions/*/ | head -1; }

# the tool is killed mid-session: the profiler still ends at its deadline, writes its files and detaches itself
start_target Idle --seconds 60 || exit 1
I=$TPID
"$DRD_BIN" profile "$I" exceptions --duration 2 >"$WORK/killed.out" 2>"$WORK/killed.err" &
TOOL=$!
wait_for_line "$WORK/killed.err" "attached to pid $I" 20 || fail "the tool did not attach"
kill -9 "$TOOL"
S=$(newest_session)
for _ in $(seq 1 80); do [ -f "$S/session.json" ] && break; sleep 0.1; done
check_eq "tool killed: the profiler completed alone" "$(jq -r .status "$S/session.json")" completed
check_eq "tool killed: the profiler detached alone" "$(unloaded_count "$I")" 0
check_eq "tool killed: target running" "$(kill -0 "$I" && echo yes)" yes

# the target is killed mid-session: the tool says so, the session is incomplete, the data is kept
start_target Busy --seconds 60 || exit 1
B=$TPID
"$DRD_BIN" profile "$B" exceptions --duration 8 --json >"$WORK/dead.json" 2>"$WORK/dead.err" &
TOOL=$!
wait_for_line "$WORK/dead.err" "attached to pid $B" 20 || fail "the tool did not attach"
sleep 1.5
kill -9 "$B"
wait "$TOOL"
check_eq "target killed: exit" "$?" 1
check_eq "target killed: status" "$(jq -r .session.status "$WORK/dead.json")" incomplete
check_contains "target killed: the tool says why" "$WORK/dead.err" "the target process exited during the session"
check_eq "target killed: what was collected is kept" "$(jq '.report.total > 0' "$WORK/dead.json")" true

# the output folder fills up (a 1 MiB tmpfs): the profiler stops writing, says why, detaches; the target runs on
if [ "$(id -u)" -eq 0 ] && mkdir -p "$DRDOTNET_HOME/sessions" && mount -t tmpfs -o size=1m tmpfs "$DRDOTNET_HOME/sessions" 2>/dev/null; then
    start_target Busy --seconds 60 || exit 1
    F=$TPID
    "$DRD_BIN" profile "$F" cpu-hotpaths --duration 20 --param mode=wall --param frequency=1000 --json \
        >"$WORK/full.json" 2>"$WORK/full.err"
    check_eq "disk full: exit" "$?" 1
    check_contains "disk full: the session says why" "$WORK/full.json" "almost full"
    check_eq "disk full: the profiler detached" "$(unloaded_count "$F")" 0
    check_eq "disk full: target running" "$(kill -0 "$F" && echo yes)" yes
    kill "$F"
    umount "$DRDOTNET_HOME/sessions"
else
    echo "note: the full-disk check needs root (tmpfs mount); not run"
fi

# a symlink planted where the library copy goes is replaced, never followed
echo "precious" >"$WORK/victim"
"$DRD_BIN" profile "$I" exceptions --duration 1 --quiet >/dev/null 2>&1 # places the library once
COPY=$(ls "$DRDOTNET_HOME"/lib/libdrdotnet-*.so | head -1)
rm -f "$COPY"
ln -s "$WORK/victim" "$COPY"
"$DRD_BIN" profile "$I" exceptions --duration 1 --quiet >/dev/null 2>"$WORK/sym.err"
check_eq "symlink: the session ran" "$?" 0
check_eq "symlink: the victim is untouched" "$(cat "$WORK/victim")" precious
check_eq "symlink: the copy is a regular file again" "$(test -f "$COPY" && ! test -L "$COPY" && echo yes)" yes
finish
