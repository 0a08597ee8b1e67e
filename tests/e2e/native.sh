#!/usr/bin/env bash
# End to end: native frames by function name. A thread spends its CPU in libc's memcmp through P/Invoke; the
# cpu-hotpaths report names that function as the C library's symbol table does, the runtime's unnamed frames fold
# into one ("libcoreclr.so (N frames)") unless --fold-native=false, a file whose build-id differs from the one
# the target loaded names nothing, and the pprof export carries the C library's Mapping (file, build-id, range)
# with the function's address inside it. As root, a library that only the target's mount namespace has is named
# through /proc/<pid>/root while the target lives, and keeps its library's name alone once it is gone.
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

# the report's "native" member: each module read, and the module and address of every frame left unnamed
check_eq "JSON: libcoreclr's file was read" \
    "$(jq -r '.report.native.modules[] | select(.path | endswith("/libcoreclr.so")) | .symbols' "$WORK/cpu.json")" read
check_eq "JSON: each unnamed frame with its module and offset" \
    "$(jq '.report.native | (.modules | map(.frames - .named) | add) == .unnamed_total and
        ([.unnamed[] | select((.offset | test("^0x[0-9a-f]+$")) and .module >= 0)] | length) == .unnamed_total' "$WORK/cpu.json")" true

# never a wrong name: the same session with another build-id for the C library names none of its functions
WRONG="$DRDOTNET_HOME/sessions/$ID-wrongid"
cp -r "$DRDOTNET_HOME/sessions/$ID" "$WRONG"
sed -i "s/\t$BUILD_ID\t/\t$(printf '%040d' 0)\t/" "$WRONG/cpu-hotpaths.raw"
"$DRD_BIN" show "$ID-wrongid" --json >"$WORK/wrong.json"
check_eq "a file of another build-id: the frame keeps the library's name" \
    "$(jq -r '.report.top[0].function' "$WORK/wrong.json")" "libc.so.6"
check_eq "a file of another build-id: the report says so" \
    "$(jq -r '.report.native.modules[] | select(.path | endswith("/libc.so.6")) | .symbols' "$WORK/wrong.json")" \
    "the file's build-id differs from the one the target loaded"
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

# a library that only the target's mount namespace has (bound on its /mnt): named from the file through
# /proc/<pid>/root while the target lives; once it is gone, the library's name alone (no file to check it by)
if [ "$(id -u)" -ne 0 ] || ! unshare --mount --fork true 2>/dev/null || [ -e /mnt/libnativespin.so ]; then
    echo "skipped: a mount namespace of its own for the target needs root and unshare"
    finish
fi
mkdir -p "$WORK/ns"
cc -O1 -shared -fPIC -Wl,--build-id -o "$WORK/ns/libnativespin.so" "$(dirname "$0")/native_spin.c"
NS_OUT="$WORK/ns.out"
unshare --mount --fork --kill-child sh -c "mount --bind '$WORK/ns' /mnt && exec dotnet '$DRD_TARGETS/NativeCalls/NativeCalls.dll' \
    --spin-lib /mnt/libnativespin.so --stop-file '$WORK/stop-ns'" >"$NS_OUT" 2>&1 &
PIDS+=("$!")
wait_for_line "$NS_OUT" ready 20 || fail "the target in its own mount namespace did not start"
NS_PID=$(awk '/^ready/ { print $2 }' "$NS_OUT")
PIDS+=("$NS_PID")
"$DRD_BIN" profile "$NS_PID" cpu-hotpaths --duration 3 --json >"$WORK/ns.json" 2>"$WORK/ns.err"
check_eq "own mount namespace: exit" "$?" 0
check_eq "own mount namespace: the library's function named from the target's file" \
    "$(jq -r '.report.top[0].function' "$WORK/ns.json")" "drd_native_spin (libnativespin.so)"
touch "$WORK/stop-ns"
for _ in $(seq 1 100); do kill -0 "$NS_PID" 2>/dev/null || break; sleep 0.1; done
check_contains "own mount namespace: the target ran its library" "$NS_OUT" "spun "
"$DRD_BIN" show "$(jq -r .session.id "$WORK/ns.json")" --json >"$WORK/ns-after.json"
check_eq "own mount namespace, target gone: the library's name, no function" \
    "$(jq -r '.report.top[0].function' "$WORK/ns-after.json")" "libnativespin.so"
check_eq "own mount namespace, target gone: the report says why" \
    "$(jq -r '.report.native.modules[] | select(.path == "/mnt/libnativespin.so") | .symbols' "$WORK/ns-after.json")" \
    "no such regular file where the target sees it, nor here"
"$DRD_BIN" show "$(jq -r .session.id "$WORK/ns.json")" >"$WORK/ns-after.txt"
check_contains "own mount namespace, target gone: the text report says why" "$WORK/ns-after.txt" \
    "native frames of libnativespin.so have no function name: no such regular file where the target sees it, nor here."
finish
