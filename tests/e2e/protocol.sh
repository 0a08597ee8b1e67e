#!/usr/bin/env bash
# End to end: the IPC client against misbehaving peers (silent, garbage, oversized, error answers), the
# library refusing a bad request sent by an independent client, and a permission refusal.
. "$(dirname "$0")/lib.sh"
PEER="$(dirname "$0")/diag_peer.py"

run() { "$DRD_BIN" "$@" >"$WORK/out" 2>"$WORK/err"; echo $?; }

# a fake runtime: a real pid (sleep) whose diagnostics socket is answered by diag_peer.py
fake_runtime() {
    local mode=$1
    FAKE_TMP="$WORK/tmp-$mode"
    mkdir -p "$FAKE_TMP"
    sleep 60 &
    FAKE_PID=$!
    PIDS+=("$FAKE_PID")
    local start
    start=$(awk '{sub(/.*\) /, ""); print $20}' "/proc/$FAKE_PID/stat")
    python3 "$PEER" serve "$FAKE_TMP/dotnet-diagnostic-$FAKE_PID-$start-socket" "$mode" >"$WORK/peer-$mode" 2>&1 &
    PIDS+=("$!")
    wait_for_line "$WORK/peer-$mode" listening 10
}

export DRDOTNET_IPC_TIMEOUT_MS=1500
fake_runtime silent
check_eq "silent runtime: exit" "$(TMPDIR=$FAKE_TMP run profile "$FAKE_PID" exceptions)" 1
check_contains "silent runtime: message" "$WORK/err" "did not answer in time"
fake_runtime garbage
check_eq "garbage answer: exit" "$(TMPDIR=$FAKE_TMP run profile "$FAKE_PID" exceptions)" 1
check_contains "garbage answer: message" "$WORK/err" "does not start with the diagnostics IPC header"
fake_runtime oversized
check_eq "truncated oversized answer: exit" "$(TMPDIR=$FAKE_TMP run profile "$FAKE_PID" exceptions)" 1
check_contains "truncated oversized answer: message" "$WORK/err" "closed the connection after 16 of 65515 bytes"
fake_runtime error
check_eq "error answer: exit" "$(TMPDIR=$FAKE_TMP run profile "$FAKE_PID" exceptions)" 1
check_contains "error answer: message" "$WORK/err" "0x80131515 NOTSUPPORTED"
check_eq "ps survives a bad peer" "$(TMPDIR=$FAKE_TMP run ps)" 0
unset DRDOTNET_IPC_TIMEOUT_MS

# the library itself refuses a request with an unknown parameter, says why in session.json, target unharmed
LIB="$(dirname "$DRD_BIN")/libdrdotnet.so"
CLSID=$("$DRD_BIN" profilers --json | jq -r '.[] | select(.name == "exceptions") | .clsid')
start_target Idle --seconds 60 || exit 1
SOCK=$(ls "${TMPDIR:-/tmp}"/dotnet-diagnostic-"$TPID"-*-socket)
mkdir -p "$WORK/bad" "$WORK/good"
printf 'v=1\nsession=bad-1\nout=%s\nprofiler=exceptions\nmode=attach\nparam.nope=1\n' "$WORK/bad" >"$WORK/bad.cd"
python3 "$PEER" attach "$SOCK" "$CLSID" "$LIB" "$WORK/bad.cd" >"$WORK/bad.reply"
check_contains "library refusal: error reply" "$WORK/bad.reply" "error 0x80004005"
check_eq "library refusal: status" "$(jq -r .status "$WORK/bad/session.json")" failed
check_contains "library refusal: reason" "$WORK/bad/session.json" "unknown parameter 'nope'"
check_eq "library refusal: no raw data left" "$(ls "$WORK/bad" | grep -c raw)" 0
check_eq "library refusal: target running" "$(kill -0 "$TPID" && echo yes)" yes

# a request from a tool of another version is refused by the library with the sentence (the tool refuses a library
# of another version before it attaches: e2e.install)
mkdir -p "$WORK/old"
printf 'v=1\nsession=old-1\nout=%s\nprofiler=exceptions\nmode=attach\ntool=0.0.1\n' "$WORK/old" >"$WORK/old.cd"
python3 "$PEER" attach "$SOCK" "$CLSID" "$LIB" "$WORK/old.cd" >"$WORK/old.reply"
check_contains "another tool's version: error reply" "$WORK/old.reply" "error 0x80004005"
check_contains "another tool's version: reason" "$WORK/old/session.json" "the tool is drdotnet 0.0.1 but this library is"
check_eq "another tool's version: target running" "$(kill -0 "$TPID" && echo yes)" yes

# a good request from the independent client is accepted and the session completes
printf 'v=1\nsession=good-1\nout=%s\nprofiler=exceptions\nmode=attach\nparam.duration=1\n' "$WORK/good" >"$WORK/good.cd"
python3 "$PEER" attach "$SOCK" "$CLSID" "$LIB" "$WORK/good.cd" >"$WORK/good.reply"
check_contains "independent attach: ok reply" "$WORK/good.reply" "ok 0x00000000"
for _ in $(seq 1 60); do [ -f "$WORK/good/session.json" ] && break; sleep 0.1; done
check_eq "independent attach: completed" "$(jq -r .status "$WORK/good/session.json")" completed
check_eq "independent attach: library unloaded" "$(unloaded_count "$TPID")" 0

# another user cannot reach a root target's socket (mode 0600): a clear permission error
if [ "$(id -u)" -eq 0 ] && setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$DRD_BIN" 2>/dev/null &&
    setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$LIB" 2>/dev/null; then
    mkdir -p "$WORK/nobody" && chmod 777 "$WORK/nobody"
    setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK/nobody" DRDOTNET_HOME="$WORK/nobody" \
        "$DRD_BIN" profile "$TPID" exceptions >"$WORK/out" 2>"$WORK/err"
    check_eq "other user: exit" "$?" 3
    check_contains "other user: message" "$WORK/err" "permission denied"
else
    echo "note: permission check not run (needs root and a build that user 65534 can read)"
fi
finish
