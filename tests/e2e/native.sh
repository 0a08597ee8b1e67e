#!/usr/bin/env bash
# End to end: native frames by function name. A thread spends its CPU in libc's memcmp through P/Invoke; the
# cpu-hotpaths report names that function as the C library's symbol table does, the runtime's unnamed frames fold
# into one ("libcoreclr.so (N frames)") unless --fold-native=false, a file whose build-id differs from the one
# the target loaded names nothing, and the pprof export carries the C library's Mapping (file, build-id, range)
# with the function's address inside it.
. "$(dirname "$0")/lib.sh"

at_least() { awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= b) }' && pass "$1 ($2 >= $3)" || fail "$1: $2 < $3"; CHECKS=$((CHECKS + 1)); }

start_target NativeCalls --stop-file "$WORK/stop" || exit 1
PID=$TPID
"$DRD_BIN" profile "$PID" cpu-hotpaths --duration 3 --json >"$WORK/cpu.json" 2>"$WORK/cpu.err"
check_eq "profile: exit" "$?" 0
ID=$(jq -r .session.id "$WORK/cpu.json")

# the C library's file as the target mapped it, its build-id, and its symbols (from its debug file when it has one)
LIBC=$(awk '$6 ~ /\/libc\.so\.6$/ { print $6; exit }' "/proc/$PID/maps")
BUILD_ID=$(readelf -n "$LIBC" | awk '/Build ID/ { print $3 }')
DEBUG=/usr/lib/debug/.build-id/${BUILD_ID:0:2}/${BUILD_ID:2}.debug
[[ -f "$DEBUG" ]] || DEBUG=$LIBC
echo "libc: $LIBC, build-id $BUILD_ID, symbols from $DEBUG"

HOT=$(jq -r '.report.top[0].function' "$WORK/cpu.json")
echo "hottest function: $HOT"
check_eq "the hottest function is memcmp's code in the C library" \
    "$(echo "$HOT" | grep -cE '^(__)?memcmp[A-Za-z0-9_]* \(libc\.so\.6\)$')" 1
FN=${HOT% (libc.so.6)}
check_eq "its name is a function of the C library's symbol table" \
    "$(readelf -sW "$DEBUG" 2>/dev/null | awk -v f="$FN" '$4 == "FUNC" && $8 == f { n++ } END { print n + 0 }' | awk '{ print ($1 > 0) }')" 1
at_least "it holds most of the samples (self)" \
    "$(jq '.report.top[0].self / .report.samples' "$WORK/cpu.json")" 0.8

# folding: the runtime's frames between the thread's start and the managed code are one frame of N
FOLDED=$(jq -r '[.report.tree | .. | objects | .name? // empty | select(test("^libcoreclr\\.so \\([0-9]+ frames\\)$"))] | first // ""' "$WORK/cpu.json")
echo "folded frame: $FOLDED"
check_eq "libcoreclr's unnamed frames fold into one" "$(echo "$FOLDED" | grep -cE '^libcoreclr\.so \([0-9]+ frames\)$')" 1
N=$(echo "$FOLDED" | sed -E 's/.*\(([0-9]+) frames\)/\1/')
"$DRD_BIN" show "$ID" --json --fold-native=false >"$WORK/apart.json"
check_eq "--fold-native=false: nothing folded" \
    "$(jq '[.report.tree | .. | objects | .name? // empty | select(test("frames\\)$"))] | length' "$WORK/apart.json")" 0
APART=$(jq -r '.report.tree.children[0] | [recurse(.children[0]? // empty) | .name] | map(select(startswith("libcoreclr.so+0x"))) | length' "$WORK/apart.json")
check_eq "--fold-native=false: the $N frames apart, each at its address" "$APART" "$N"
"$DRD_BIN" show "$ID" --fold-native=sometimes >/dev/null 2>"$WORK/bad.err"
check_eq "--fold-native takes true or false" "$?" 2

# never a wrong name: the same session with another build-id for the C library names none of its functions
WRONG="$DRDOTNET_HOME/sessions/$ID-wrongid"
cp -r "$DRDOTNET_HOME/sessions/$ID" "$WRONG"
sed -i "s/\t$BUILD_ID\t/\t$(printf '%040d' 0)\t/" "$WRONG/cpu-hotpaths.raw"
"$DRD_BIN" show "$ID-wrongid" --json >"$WORK/wrong.json"
check_eq "a file of another build-id: the frame keeps the library's name" \
    "$(jq -r '.report.top[0].function' "$WORK/wrong.json")" "libc.so.6"
check_eq "a file of another build-id: no C library function named" \
    "$(jq '[.report.top[].function | select(endswith(" (libc.so.6)"))] | length' "$WORK/wrong.json")" 0

# pprof: the C library's Mapping and memcmp's address inside it
"$DRD_BIN" export "$ID" --format pprof --output "$WORK/cpu.pb.gz" >/dev/null
python3 "$(dirname "$0")/pprof_mappings.py" "$WORK/cpu.pb.gz" >"$WORK/pprof.json"
check_eq "pprof: a Mapping of the C library with its build-id" \
    "$(jq -r '[.mappings[] | select(.file | endswith("/libc.so.6")) | .build_id] | first // ""' "$WORK/pprof.json")" "$BUILD_ID"
check_eq "pprof: memcmp's location lies in that Mapping" \
    "$(jq --arg h "$HOT" '(.mappings[] | select(.file | endswith("/libc.so.6"))) as $m |
        [.locations[] | select(.functions == [$h] and .mapping == $m.id and .address >= $m.start and .address < $m.limit)] | length > 0' "$WORK/pprof.json")" true
check_eq "pprof: libcoreclr's unnamed frames are addresses without a function" \
    "$(jq '(.mappings[] | select(.file | endswith("/libcoreclr.so"))) as $m | [.locations[] | select(.mapping == $m.id and .functions == [])] | length >= 2' "$WORK/pprof.json")" true

touch "$WORK/stop"
wait "$PID"
check_eq "target: exit code" "$?" 0
check_contains "target: every comparison equal" "$TOUT" "all equal: True"
finish
