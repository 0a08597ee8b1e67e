#!/usr/bin/env bash
# End to end: the address drdotnet serve prints works for the address it listens on (:: is an IPv6-only socket,
# reached at [::1]; 0.0.0.0 at 127.0.0.1), and --allow-host names the Host headers it accepts besides the loopback
# names: needed when other machines reach a server on 0.0.0.0 by the machine's name.
. "$(dirname "$0")/lib.sh"

# serve_with NAME ARGS...: starts drdotnet serve ARGS, waits for its address; sets URL, BASE, TOKEN, PORT and SERVER
serve_with() {
    local name=$1
    shift
    "$DRD_BIN" serve --port 0 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
    SERVER=$!
    PIDS+=("$SERVER")
    if ! wait_for_line "$WORK/$name.out" "http://" 10; then
        fail "$name: serve printed no address"
        cat "$WORK/$name.err"
        return 1
    fi
    URL=$(grep -m1 '^http://' "$WORK/$name.out")
    BASE=${URL%%/?token=*}
    TOKEN=${URL##*token=}
    PORT=${BASE##*:}
}
# get URL [curl options]: the status of GET URL with the token
get() {
    local u=$1
    shift
    curl -s -g --max-time 5 -o "$WORK/body" -w '%{http_code}' -H "X-DrDotnet-Token: $TOKEN" "$@" "$u" || true
}
stop() {
    kill -TERM "$SERVER"
    wait "$SERVER"
}

# --- :: (IPv6 only): the printed address must be an IPv6 one, and answer -------------------------------------------
if serve_with v6 --listen ::; then
    check_eq ":: prints an [::1] address" "$(echo "$URL" | grep -cE '^http://\[::1\]:[0-9]+/\?token=[0-9a-f]{32}$')" 1
    check_eq ":: the printed address answers" "$(get "$BASE/api/info")" 200
    check_eq ":: the printed address serves the page" "$(get "$URL")" 200
    stop
fi

# --- 0.0.0.0 with --allow-host ------------------------------------------------------------------------------------
if serve_with any --listen 0.0.0.0 --allow-host build-box.example --allow-host 127.0.0.2; then
    check_eq "0.0.0.0 prints a 127.0.0.1 address" "$(echo "$URL" | grep -cE '^http://127\.0\.0\.1:[0-9]+/\?token=')" 1
    check_eq "0.0.0.0: the printed address answers" "$(get "$BASE/api/info")" 200
    check_contains "0.0.0.0: the warning" "$WORK/any.err" "WARNING: listening on 0.0.0.0"
    check_contains "0.0.0.0: the names to use from other machines" "$WORK/any.err" "build-box.example 127.0.0.2"
    check_eq "an allowed name" "$(get "$BASE/api/info" -H "Host: build-box.example:$PORT")" 200
    check_eq "an allowed name in the Origin of a change" \
        "$(get "$BASE/api/sessions/19990101-000000-1-x" -X DELETE -H "Host: build-box.example:$PORT" \
            -H "Origin: http://build-box.example:$PORT")" 404
    check_eq "an allowed address, reached at it" "$(get "http://127.0.0.2:$PORT/api/info")" 200
    check_eq "a name not allowed" "$(get "$BASE/api/info" -H "Host: other.example:$PORT")" 403
    check_contains "a name not allowed: the sentence names --allow-host" "$WORK/body" "a name given with --allow-host"
    check_eq "an allowed name at another port" "$(get "$BASE/api/info" -H "Host: build-box.example:1")" 403
    stop
fi

# --- 0.0.0.0 without: the way to let names in is said ---------------------------------------------------------------
if serve_with bare --listen 0.0.0.0; then
    check_contains "0.0.0.0 alone: --allow-host suggested" "$WORK/bare.err" "with --allow-host NAME"
    stop
fi

# --- refusals -----------------------------------------------------------------------------------------------------
"$DRD_BIN" serve --port 0 --allow-host 'box:8080' >"$WORK/bad.out" 2>"$WORK/bad.err"
check_eq "a name with a port: usage error" "$?" 2
check_contains "a name with a port: the sentence" "$WORK/bad.err" "--allow-host takes a host name or an IP address"
"$DRD_BIN" serve --port 0 --allow-host >"$WORK/bad.out" 2>"$WORK/bad.err"
check_eq "--allow-host without a name: usage error" "$?" 2
"$DRD_BIN" serve --help >"$WORK/help.out"
check_contains "--help tells of --allow-host" "$WORK/help.out" "--allow-host NAME"
finish
