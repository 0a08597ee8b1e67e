#!/usr/bin/env bash
# End to end: drdotnet serve --open with fake browsers on PATH that record their arguments: an app window of
# Chromium when one is there (--app=file://...: a file of the user's only, whose form posts the token to the server,
# which answers with the page's address and token; the token never goes on a command line, where other local users
# read it), xdg-open when only it is, and a sentence and the printed address when there is neither.
. "$(dirname "$0")/lib.sh"

# fake NAME: a program NAME in $WORK/bin-NAME that writes its arguments, one a line, to $WORK/NAME.args
fake() {
    mkdir -p "$WORK/bin-$1"
    printf '#!/bin/sh\nPATH=/usr/bin:/bin\nfor a in "$@"; do echo "$a"; done >"%s/%s.args.tmp"\nmv "%s/%s.args.tmp" "%s/%s.args"\n' \
        "$WORK" "$1" "$WORK" "$1" "$WORK" "$1" >"$WORK/bin-$1/$1"
    chmod +x "$WORK/bin-$1/$1"
}
# serve_with PATH: starts serve --open with only PATH to find programs in, and sets SERVER, URL and BASE
serve_with() {
    rm -f "$WORK/serve.out" "$WORK/serve.err"
    env PATH="$1" "$DRD_BIN" serve --port 0 --open >"$WORK/serve.out" 2>"$WORK/serve.err" &
    SERVER=$!
    PIDS+=("$SERVER")
    wait_for_line "$WORK/serve.out" "http://" 10 || { fail "serve printed no address"; cat "$WORK/serve.err"; return 1; }
    URL=$(grep -m1 '^http://' "$WORK/serve.out")
    BASE=${URL%%/?token=*}
}
wait_file() { for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }
stop_serve() { kill "$SERVER"; wait "$SERVER" 2>/dev/null; }

fake chromium
fake xdg-open
cp "$WORK/bin-xdg-open/xdg-open" "$WORK/bin-chromium/xdg-open" # both there: Chromium wins
sed -i "s|xdg-open.args|chromium-lost.args|g" "$WORK/bin-chromium/xdg-open"

# Chromium on PATH: an app window on the printed address, token included
serve_with "$WORK/bin-chromium" || exit 1
wait_file "$WORK/chromium.args" || fail "chromium: not started"
OPENED=$(sed -n 's/^--app=//p' "$WORK/chromium.args")
check_eq "chromium: one argument, an app window of a file" "$(wc -l <"$WORK/chromium.args") ${OPENED%%//*}" "1 file:"
check_eq "chromium: no token on its command line" "$(grep -c "${URL##*token=}" "$WORK/chromium.args")" 0
check_eq "chromium: xdg-open not used" "$(test -e "$WORK/chromium-lost.args" && echo used || echo no)" no
check_contains "chromium: says what it did" "$WORK/serve.err" "opened the page in an app window of chromium"
check_contains "chromium: and the address by hand" "$WORK/serve.err" "open the address above by hand"
FILE=${OPENED#file://}
check_eq "the file: the user's only" "$(stat -c %a "$FILE") $(stat -c %a "$(dirname "$FILE")")" "600 700"
ACTION=$(sed -n 's/.*action="\([^"]*\)".*/\1/p' "$FILE")
POSTED=$(sed -n 's/.*name="token" value="\([^"]*\)".*/\1/p' "$FILE")
check_eq "the file: posts the token to the server" "$ACTION $POSTED" "$BASE/open ${URL##*token=}"
check_eq "a wrong token is refused" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H 'Origin: null' --data "token=${POSTED//?/0}" "$ACTION")" 403
check_eq "the file: still there after a wrong token" "$(test -e "$FILE" && echo there)" there
# as the browser posts it: from a file, Origin null
ANSWER=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Origin: null' --data "token=$POSTED" "$ACTION")
check_eq "the server answers with the page's address and token" "$ANSWER" "303 $URL"
check_eq "the file: removed once used" "$(test -e "$FILE" && echo there || echo gone)" gone
check_eq "the page's address: the page" "$(curl -s -o /dev/null -w '%{http_code}' "${ANSWER#* }")" 200
check_eq "its token opens the API" \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $POSTED" "$BASE/api/info")" 200
stop_serve

# only xdg-open: the desktop's default browser
serve_with "$WORK/bin-xdg-open" || exit 1
wait_file "$WORK/xdg-open.args" || fail "xdg-open: not started"
OPENED=$(cat "$WORK/xdg-open.args")
check_eq "xdg-open: the handoff file, no token" "${OPENED%%//*} $(grep -c "${URL##*token=}" "$WORK/xdg-open.args")" "file: 0"
check_contains "xdg-open: says what it did" "$WORK/serve.err" "asked the desktop's default browser"
stop_serve
check_eq "xdg-open: the file removed when the server stops" "$(test -e "${OPENED#file://}" && echo there || echo gone)" gone

# neither: a sentence, and the server serves the printed address all the same
mkdir -p "$WORK/empty"
serve_with "$WORK/empty" || exit 1
check_contains "no browser: says so" "$WORK/serve.err" "found no browser to open the page"
check_contains "no browser: open by hand" "$WORK/serve.err" "open the address above in a browser"
check_eq "no browser: still serving" "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" 200
stop_serve
finish
