#!/usr/bin/env bash
# End to end: drdotnet serve's JSON API over a real socket. Each endpoint against real targets (an exceptions
# session started, followed to its end and read through the API; a cpu-hotpaths session's exports), then each
# refusal with its 4xx: bad JSON, unknown profiler, a pid that is not .NET, oversized bodies and headers, a wrong
# Host, a foreign Origin, a missing or wrong token, the token in a cookie (never accepted), '..' in a session id;
# the server answers the next request after every one of them.
. "$(dirname "$0")/lib.sh"

if ! start_serve; then
    finish
    exit 1
fi
echo "serving at $BASE"
check_eq "address on 127.0.0.1" "$(echo "$URL" | grep -cE '^http://127\.0\.0\.1:[0-9]+/\?token=[0-9a-f]{32}$')" 1

B="$WORK/body"
H="$WORK/headers"
# req METHOD PATH [curl options]: prints the status code; the body goes to $B, the headers to $H
req() {
    local m=$1 p=$2
    shift 2
    curl -s --path-as-is --max-time 60 -o "$B" -D "$H" -w '%{http_code}' -X "$m" "$@" "$BASE$p"
}
# api METHOD PATH [curl options]: a request as the page makes it, with the token and the page's Origin
api() {
    local m=$1 p=$2
    shift 2
    req "$m" "$p" -H "X-DrDotnet-Token: $TOKEN" -H "Origin: $BASE" "$@"
}
json() { jq -r "$@" "$B"; }
alive() {
    check_eq "server still answers after $1" "$(api GET /api/info)" 200
}
# refused NAME EXPECTED_STATUS TEXT METHOD PATH [curl options]: a 4xx with a JSON sentence, then still serving
refused() {
    local name=$1 want=$2 text=$3
    shift 3
    check_eq "$name: status" "$(req "$@")" "$want"
    check_contains "$name: message" "$B" "$text"
    alive "$name"
}

# --- the page and the token -------------------------------------------------------------------------------------
check_eq "page without token" "$(req GET /)" 200
check_contains "page loads the app" "$B" '<script src="/app.js"'
check_contains "page has a CSP" "$H" "Content-Security-Policy: default-src 'none'"
check_eq "page asset" "$(req GET /app.js)" 200
check_contains "asset type" "$H" "Content-Type: text/javascript"
# the token never becomes a cookie: browsers send 127.0.0.1's cookies to every port of 127.0.0.1
check_eq "first load with the token: the page" "$(req GET "/?token=$TOKEN")" 200
check_contains "first load with the token: the app" "$B" '<script src="/app.js"'
check_eq "first load with the token: no cookie set" "$(grep -ci '^Set-Cookie' "$H")" 0
check_eq "no cookie set anywhere" "$(for p in / /app.js /api/info; do req GET "$p" -H "X-DrDotnet-Token: $TOKEN" >/dev/null; cat "$H"; done | grep -ci '^Set-Cookie')" 0
check_eq "API with the header" "$(api GET /api/info)" 200
check_eq "API with Authorization: Bearer" "$(req GET /api/info -H "Authorization: Bearer $TOKEN")" 200
check_eq "API with a lower-case bearer scheme" "$(req GET /api/info -H "Authorization: bearer $TOKEN")" 200
check_eq "info: version" "$(json .version)" "$("$DRD_BIN" --version | cut -d' ' -f2)"

# --- profilers and processes -------------------------------------------------------------------------------------
check_eq "profilers" "$(api GET /api/profilers)" 200
check_eq "profilers: exceptions listed" "$(json '[.[] | select(.name == "exceptions")] | length')" 1
check_eq "profilers: parameters described" "$(json '.[] | select(.name == "exceptions") | .parameters[] | select(.key == "duration") | .type')" int

start_target Exceptions --go-file "$WORK/go" --stop-file "$WORK/stop" || exit 1
EXC=$TPID
check_eq "processes" "$(api GET /api/processes)" 200
check_eq "processes: target listed" "$(jq --argjson p "$EXC" '[.[] | select(.pid == $p)] | length' "$B")" 1
check_eq "processes: entry assembly" "$(jq -r --argjson p "$EXC" '.[] | select(.pid == $p) | .entry_assembly' "$B")" Exceptions

# --- an exceptions session from start to end ---------------------------------------------------------------------
check_eq "start a session" \
    "$(api POST /api/sessions -H 'Content-Type: application/json' -d "{\"pid\": $EXC, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": 6}}")" 201
ID=$(json .id)
check_eq "new session: running" "$(json .status)" running
check_contains "new session: Location" "$H" "Location: /api/sessions/$ID"
check_eq "new session: folder made" "$(test -d "$DRDOTNET_HOME/sessions/$ID" && echo yes)" yes

check_eq "sessions while running" "$(api GET /api/sessions)" 200
check_eq "sessions: newest first" "$(json '.[0].id')" "$ID"
check_eq "sessions: running one listed as running" "$(json '.[0].status')" running
check_eq "session while running" "$(api GET "/api/sessions/$ID")" 200
check_eq "session while running: profiler" "$(json .profiler.name)" exceptions
check_eq "report while running" "$(api GET "/api/sessions/$ID/report")" 409
check_eq "delete while running" "$(api DELETE "/api/sessions/$ID")" 409
check_eq "second profiler on the same target" \
    "$(api POST /api/sessions -d "{\"pid\": $EXC, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": 2}}")" 409
check_contains "second profiler: message" "$B" "a profiler is already loaded in the target"
alive "a refused second profiler"


touch "$WORK/go"
# the event stream: progress while it runs, then the end, then the stream closes
curl -s -N --max-time 60 -H "X-DrDotnet-Token: $TOKEN" "$BASE/api/sessions/$ID/events" >"$WORK/events.txt"
check_eq "events: stream ended by the server" "$?" 0
check_contains "events: progress" "$WORK/events.txt" "event: progress"
check_contains "events: progress data" "$WORK/events.txt" '"elapsed_ms":'
check_contains "events: end" "$WORK/events.txt" "event: end"
check_eq "events: end says completed" "$(grep -A1 '^event: end' "$WORK/events.txt" | sed -n 's/^data: //p' | jq -r .status)" completed

check_eq "session at its end" "$(api GET "/api/sessions/$ID")" 200
check_eq "session: completed" "$(json .status)" completed
check_eq "session: target pid" "$(json .target.pid)" "$EXC"
check_eq "report" "$(api GET "/api/sessions/$ID/report")" 200
check_eq "report: total thrown" "$(json .total)" 1250
check_eq "report: total caught" "$(json .caught)" 1250
check_eq "report: IOE count" "$(json '.types[] | select(.type == "System.InvalidOperationException") | .count')" 1000
check_eq "events of a finished session: the end at once" \
    "$(curl -s -N --max-time 10 -H "X-DrDotnet-Token: $TOKEN" "$BASE/api/sessions/$ID/events" | grep -c '^event: end')" 1
check_eq "no stack export for exceptions" "$(api GET "/api/sessions/$ID/export/folded")" 400
touch "$WORK/stop"

# --- a cpu-hotpaths session and its exports ---------------------------------------------------------------------
start_target CpuSpin --stop-file "$WORK/stop-spin" || exit 1
SPIN=$TPID
check_eq "start a cpu session" \
    "$(api POST /api/sessions -d "{\"pid\": $SPIN, \"profiler\": \"cpu-hotpaths\", \"parameters\": {\"duration\": \"2\", \"mode\": \"cpu\"}}")" 201
CPU=$(json .id)
for _ in $(seq 1 150); do
    api GET "/api/sessions/$CPU" >/dev/null
    [ "$(json .status)" != running ] && break
    sleep 0.2
done
check_eq "cpu session: completed" "$(json .status)" completed
check_eq "cpu report" "$(api GET "/api/sessions/$CPU/report")" 200
SAMPLES=$(json .samples)
TOTAL_NS=$(json .total_ns)
check_eq "cpu report: hottest function" "$(json '.top[0].function')" DrDotnet.Targets.Spinner.SpinForever
check_eq "export folded" "$(api GET "/api/sessions/$CPU/export/folded")" 200
check_eq "folded: counts add up to the samples" "$(awk '{s += $NF} END {print s}' "$B")" "$SAMPLES"
check_contains "folded: a download" "$H" "Content-Disposition: attachment; filename=\"$CPU.folded\""
check_eq "export speedscope" "$(api GET "/api/sessions/$CPU/export/speedscope")" 200
check_eq "speedscope: every sample's time kept" "$(json '[.profiles[].weights | add] | add')" "$TOTAL_NS"
check_eq "speedscope: schema" "$(json '."$schema"')" "https://www.speedscope.app/file-format-schema.json"
check_eq "export pprof" "$(api GET "/api/sessions/$CPU/export/pprof")" 200
check_eq "pprof: a gzip file" "$(gzip -t "$B" && echo yes)" yes
check_eq "export: unknown format" "$(api GET "/api/sessions/$CPU/export/svg")" 404
check_eq "no temporary export left behind" "$(find "${TMPDIR:-/tmp}" -maxdepth 2 -path "*drdotnet-serve-*" -name 'export-*' 2>/dev/null | wc -l)" 0
touch "$WORK/stop-spin"

# --- refusals ------------------------------------------------------------------------------------------------------
START=(POST /api/sessions -H "X-DrDotnet-Token: $TOKEN" -H "Origin: $BASE" -H 'Content-Type: application/json')
refused "bad JSON" 400 "not valid JSON" "${START[@]}" -d '{"pid": 1,'
refused "not an object" 400 'the body must be' "${START[@]}" -d '[1, 2]'
refused "pid not a number" 400 'the body must be' "${START[@]}" -d '{"pid": "12", "profiler": "exceptions"}'
refused "negative pid" 400 "is not a pid" "${START[@]}" -d '{"pid": -5, "profiler": "exceptions"}'
refused "unknown profiler" 400 "no profiler named 'nosuch'" "${START[@]}" -d "{\"pid\": $SPIN, \"profiler\": \"nosuch\"}"
refused "unknown parameter" 400 "unknown parameter 'nope'" "${START[@]}" -d "{\"pid\": $SPIN, \"profiler\": \"exceptions\", \"parameters\": {\"nope\": 1}}"
refused "parameter out of range" 400 "between 1 and 256" "${START[@]}" \
    -d "{\"pid\": $SPIN, \"profiler\": \"exceptions\", \"parameters\": {\"max_stack_depth\": 999}}"
refused "parameter of the wrong type" 400 "must be a string, an integer or a boolean" "${START[@]}" \
    -d "{\"pid\": $SPIN, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": [1]}}"
refused "duration 0 on attach" 400 "drdotnet launch" "${START[@]}" \
    -d "{\"pid\": $SPIN, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": 0}}"
sleep 30 &
SLEEPER=$!
PIDS+=("$SLEEPER")
refused "a pid that is not .NET" 422 "is not a .NET process" "${START[@]}" -d "{\"pid\": $SLEEPER, \"profiler\": \"exceptions\"}"
refused "no such pid" 422 "no process with pid 999999" "${START[@]}" -d '{"pid": 999999, "profiler": "exceptions"}'
head -c 70000 /dev/zero | tr '\0' ' ' >"$WORK/big.json"
refused "oversized body" 413 "larger than 64 KiB" "${START[@]}" --data-binary @"$WORK/big.json"
refused "oversized chunked body" 413 "larger than 64 KiB" "${START[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$WORK/big.json"
refused "oversized header" 431 "more than the 32 KiB this server reads" GET /api/info -H "X-DrDotnet-Token: $TOKEN" \
    -H "X-Filler: $(head -c 40000 /dev/zero | tr '\0' a)"
# cookies that other local web apps set on 127.0.0.1 come with every request: 16 KiB of them are read past, 40 KiB
# are answered with a 431 that says what to do (libmicrohttpd's own answer, when its memory ran out, was broken)
COOKIES16=$(for i in $(seq 1 160); do printf 'app%d=%090d; ' "$i" 0; done)
COOKIES40=$(for i in $(seq 1 400); do printf 'app%d=%090d; ' "$i" 0; done)
check_eq "16 KiB of cookies: the page" "$(req GET / -H "Cookie: $COOKIES16")" 200
check_eq "16 KiB of cookies: the API" "$(api GET /api/info -H "Cookie: $COOKIES16")" 200
refused "40 KiB of cookies" 431 "cookies that other local web apps set" GET / -H "Cookie: $COOKIES40"
refused "wrong Host" 403 "Host header must be 127.0.0.1:$PORT" GET /api/sessions -H "X-DrDotnet-Token: $TOKEN" -H "Host: evil.example:$PORT"
refused "wrong Host port" 403 "Host header must be" GET /api/info -H "X-DrDotnet-Token: $TOKEN" -H "Host: 127.0.0.1:1"
refused "wrong Host for the page" 403 "Host header must be" GET / -H "Host: rebind.example"
check_eq "localhost is a right Host" "$(api GET /api/info -H "Host: localhost:$PORT")" 200
refused "foreign Origin" 403 "from other sites" POST /api/sessions -H "X-DrDotnet-Token: $TOKEN" -H "Origin: http://evil.example" \
    -d "{\"pid\": $SPIN, \"profiler\": \"exceptions\"}"
refused "foreign Origin on a read" 403 "from other sites" GET /api/sessions -H "X-DrDotnet-Token: $TOKEN" -H "Origin: http://evil.example"
refused "no Origin on a change" 403 "must come from the page itself" DELETE "/api/sessions/$CPU" -H "X-DrDotnet-Token: $TOKEN"
refused "missing token" 403 "the API needs the token" GET /api/sessions
refused "wrong token" 403 "wrong token" GET /api/sessions -H "X-DrDotnet-Token: 0123456789abcdef0123456789abcdef"
refused "the right token, but in a cookie" 403 "the API needs the token" GET /api/sessions -H "Cookie: drdotnet-$PORT=$TOKEN"
refused "the right token in a cookie, with the page's Origin" 403 "the API needs the token" POST /api/sessions \
    -H "Cookie: drdotnet-$PORT=$TOKEN; token=$TOKEN" -H "Origin: $BASE" -d "{\"pid\": $SPIN, \"profiler\": \"exceptions\"}"
refused "wrong Bearer token" 403 "wrong token" GET /api/sessions -H "Authorization: Bearer 0123456789abcdef0123456789abcdef"
refused "another scheme" 403 "the API needs the token" GET /api/sessions -H "Authorization: Basic $(printf 'x:%s' "$TOKEN" | base64 -w0)"
refused "a right and a wrong token" 403 "wrong token" GET /api/sessions -H "X-DrDotnet-Token: $TOKEN" \
    -H "Authorization: Bearer 0123456789abcdef0123456789abcdef"
refused "short token" 403 "wrong token" GET /api/sessions -H "X-DrDotnet-Token: 0"
refused "wrong token on the page" 403 "wrong token" GET "/?token=0123456789abcdef0123456789abcdef"
AUTH=(-H "X-DrDotnet-Token: $TOKEN" -H "Origin: $BASE")
refused "'..' as a session id" 400 "is not a session id" GET /api/sessions/.. "${AUTH[@]}"
refused "'%2e%2e' as a session id" 400 "is not a session id" GET /api/sessions/%2e%2e "${AUTH[@]}"
refused "'%2e%2e' before report" 400 "is not a session id" GET /api/sessions/%2e%2e/report "${AUTH[@]}"
refused "'..' in a delete" 400 "is not a session id" DELETE /api/sessions/.. "${AUTH[@]}"
refused "escaped slashes" 400 "is not a session id" GET /api/sessions/..%2F..%2Fetc%2Fpasswd "${AUTH[@]}"
refused "a dot file" 400 "is not a session id" GET /api/sessions/.hidden/report "${AUTH[@]}"
refused "unknown session" 404 "no session '19990101-000000-1-x'" GET /api/sessions/19990101-000000-1-x "${AUTH[@]}"
refused "unknown address" 404 "no such address" GET /api/nothing "${AUTH[@]}"
refused "wrong method" 405 "does not take that method" PUT /api/sessions "${AUTH[@]}"
refused "a change to the page's files" 405 "only read" POST /index.html -H "Origin: $BASE"
# requests that are not HTTP, or broken: a 4xx (or, for no HTTP at all, a closed connection), then still serving
raw() { # raw TEXT: sends TEXT (printf escapes) on a new connection; prints the status line of the answer
    exec 3<>"/dev/tcp/127.0.0.1/$PORT"
    printf "$1" >&3
    timeout 5 head -n 1 <&3 | tr -d '\r'
    exec 3<&-
}
check_eq "malformed request line" "$(raw 'GET / FOO/1.1\r\n\r\n' | cut -d' ' -f2)" 400
alive "a malformed request line"
check_eq "header without a colon" "$(raw "GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nNoColon\r\n\r\n" | cut -d' ' -f2)" 400
alive "a header without a colon"
check_eq "two Host headers" "$(raw "GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:$PORT\r\nHost: evil.example\r\nX-DrDotnet-Token: $TOKEN\r\n\r\n" | cut -d' ' -f2)" 400
alive "two Host headers"
raw 'GARBAGE\r\n\r\n' >/dev/null
alive "a line that is not HTTP"
exec 3<>"/dev/tcp/127.0.0.1/$PORT"
printf 'GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nX-Half' "$PORT" >&3
exec 3<&-
alive "a request broken off"
check_eq "session files are still there" "$(test -f "$DRDOTNET_HOME/sessions/$CPU/session.json" && echo yes)" yes

# --- delete ---------------------------------------------------------------------------------------------------------
check_eq "delete" "$(api DELETE "/api/sessions/$ID")" 200
check_eq "delete: folder gone" "$(test -e "$DRDOTNET_HOME/sessions/$ID" && echo still || echo gone)" gone
check_eq "deleted session: 404" "$(api GET "/api/sessions/$ID")" 404
check_eq "sessions after the delete" "$(api GET /api/sessions)" 200
check_eq "sessions: the deleted one is not listed" "$(json --arg id "$ID" '[.[] | select(.id == $id)] | length')" 0
check_eq "sessions: the cpu one still is" "$(json --arg id "$CPU" '[.[] | select(.id == $id)] | length')" 1

# --- stopping -------------------------------------------------------------------------------------------------------
kill -TERM "$SERVER"
for _ in $(seq 1 50); do kill -0 "$SERVER" 2>/dev/null || break; sleep 0.1; done
wait "$SERVER"
check_eq "server: exit status after SIGTERM" "$?" 0
check_eq "server: temporary folder removed" "$(find "${TMPDIR:-/tmp}" -maxdepth 1 -name "drdotnet-serve-*" -user "$(id -u)" -newer "$WORK/serve.out" | wc -l)" 0
finish
