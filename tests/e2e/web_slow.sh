#!/usr/bin/env bash
# End to end: drdotnet serve under a slow-headers attack (slowloris) from a local process. First 80 connections (more
# than the old cap of 64, and than the 32 that may wait for a head at once), each sending a request line and then
# one header line every 2 s, opened again whenever the server closes one; meanwhile the page's user asks for
# /api/info every 2 s and must be answered within 2 s, every time. Then 20 such connections, fewer than may wait:
# the server must cut each at the deadline for a whole head (10 s), not let them trickle on.
. "$(dirname "$0")/lib.sh"
SLOWLORIS="$(cd "$(dirname "$0")" && pwd)/slowloris.py"

if ! start_serve; then
    finish
    exit 1
fi

python3 "$SLOWLORIS" "$PORT" "$TOKEN" 80 16 >"$WORK/attack.txt" 2>&1
sed 's/^/    | /' "$WORK/attack.txt"
read -r _ PROBES _ ANSWERED _ SLOWEST < <(grep '^probes ' "$WORK/attack.txt")
read -r _ _ OPENED _ CUT _ < <(grep '^attack ' "$WORK/attack.txt")
check_eq "probes made during the attack" "$([ "${PROBES:-0}" -ge 5 ] && echo yes)" yes
check_eq "every probe answered 200" "${ANSWERED:-0}" "${PROBES:-none}"
check_eq "slowest answer within 2 s (was ${SLOWEST:-?} ms)" "$([ "${SLOWEST:-99999}" -le 2000 ] && echo yes)" yes
check_eq "the oldest waiting heads gave way (${CUT:-0} of ${OPENED:-0} connections cut)" \
    "$([ "${CUT:-0}" -gt 0 ] && echo yes)" yes

python3 "$SLOWLORIS" "$PORT" "$TOKEN" 20 13 >"$WORK/trickle.txt" 2>&1
sed 's/^/    | /' "$WORK/trickle.txt"
read -r _ PROBES _ ANSWERED _ _ < <(grep '^probes ' "$WORK/trickle.txt")
read -r _ _ OPENED _ CUT _ LONGEST < <(grep '^attack ' "$WORK/trickle.txt")
check_eq "trickling heads: every probe answered 200" "${ANSWERED:-0}" "${PROBES:-none}"
check_eq "trickling heads cut at the deadline (${CUT:-0} of ${OPENED:-0})" "$([ "${CUT:-0}" -ge 20 ] && echo yes)" yes
check_eq "trickling heads held 10 s, not more (longest ${LONGEST:-?} s)" \
    "$(awk -v l="${LONGEST:-99}" 'BEGIN { print (l >= 9 && l <= 11.5) ? "yes" : "no" }')" yes

curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H "X-DrDotnet-Token: $TOKEN" "$BASE/api/info" >"$WORK/after"
check_eq "answers after the attack" "$(cat "$WORK/after")" 200
kill -TERM "$SERVER"
wait "$SERVER"
check_eq "server: exit status after SIGTERM" "$?" 0
finish
