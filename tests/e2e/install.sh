#!/usr/bin/env bash
# End to end: drdotnet as a user installs it. Builds the Debian package from the build folder (cpack): its name,
# its Depends (computed from the binaries' libraries), its files. Extracts it into a private root (dpkg -x) and runs
# the installed drdotnet from another folder, with no DRDOTNET_LIB: --version, profilers, ps, profile ... exceptions
# with exact counts, serve answering, a library of another version refused; the man page against the tool's own
# profilers, verbs, exit statuses and environment variables; the bash completion's words. Then, as root, the same
# with the package installed by apt, and purged: no file of it left.
# DRD_BUILD names the build folder (default: the folder of DRD_BIN).
. "$(dirname "$0")/lib.sh"
unset DRDOTNET_LIB
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${DRD_BUILD:-$(dirname "$DRD_BIN")}
if [ ! -f "$BUILD/CPackConfig.cmake" ]; then
    echo "skipped: $BUILD has no CPackConfig.cmake (a sanitized build is not packaged)"
    exit 0
fi

# --- the package ---------------------------------------------------------------------------------------------------
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
    { fail "cpack"; cat "$WORK/cpack.log"; finish; exit 1; }
VERSION=$(sed -n 's/^#define DRD_VERSION "\(.*\)"$/\1/p' "$SRC/include/drdotnet/version.h")
DEB="$WORK/pkg/drdotnet_${VERSION}_$(dpkg --print-architecture).deb"
check_eq "package named drdotnet_<version>_<arch>.deb" "$(ls "$WORK/pkg"/*.deb)" "$DEB"
[ -f "$DEB" ] || { finish; exit 1; }
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "Depends: $DEPENDS"
check_eq "package files" "$(dpkg-deb -c "$DEB" | awk '$1 !~ /^d/ { print $6 }' | sort | tr '\n' ' ')" \
    "./usr/bin/drdotnet ./usr/lib/drdotnet/libdrdotnet.so ./usr/share/bash-completion/completions/drdotnet ./usr/share/doc/drdotnet/README.md ./usr/share/man/man1/drdotnet.1 "

ROOT="$WORK/root"
dpkg -x "$DEB" "$ROOT"
P="$ROOT/usr"
# every library the binaries ask for (DT_NEEDED) comes from a package that Depends names
for bin in "$P/bin/drdotnet" "$P/lib/drdotnet/libdrdotnet.so"; do
    for needed in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
        path=$(ldconfig -p | awk -v n="$needed" '$1 == n && /x86-64|x32|AArch64|64bit/ { print $NF; exit }')
        [ -n "$path" ] || path=$(ldconfig -p | awk -v n="$needed" '$1 == n { print $NF; exit }')
        pkg=$(dpkg -S "$(realpath "$path")" 2>/dev/null | head -1 | cut -d: -f1)
        [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
        CHECKS=$((CHECKS + 1))
        if [ -n "$pkg" ] && [[ ", $DEPENDS" == *", $pkg "* || ", $DEPENDS," == *", $pkg,"* ]]; then
            pass "Depends names $pkg ($needed of $(basename "$bin"))"
        else
            fail "Depends lacks the package of $needed ('$pkg') needed by $(basename "$bin")"
        fi
    done
done

# exercise LABEL TOOL LIB: the installed tool, run from a folder of its own, against an Exceptions target
exercise() {
    local label=$1 tool=$2 lib=$3 out="$WORK/$1"
    mkdir -p "$out/cwd"
    pushd "$out/cwd" >/dev/null || return
    "$tool" --version >"$out/version" 2>&1
    check_eq "$label: --version exit" "$?" 0
    check_eq "$label: --version says the tool's and the library's version" \
        "$(grep -cE "^drdotnet $VERSION \(commit [^ ;]+; libdrdotnet.so $VERSION, ${lib//./\\.}\)$" "$out/version")" 1
    "$tool" profilers --json >"$out/profilers.json"
    check_eq "$label: profilers as the build lists them" "$(cmp -s "$out/profilers.json" "$WORK/profilers.json" &&
        echo same)" same

    start_target Exceptions --go-file "$out/go" --stop-file "$out/stop" || { popd >/dev/null; return; }
    "$tool" ps --json >"$out/ps.json"
    check_eq "$label: ps lists the target" "$(jq --argjson p "$TPID" '[.[] | select(.pid == $p)] | length' \
        "$out/ps.json")" 1
    "$tool" profile "$TPID" exceptions --duration 4 --json >"$out/report.json" 2>"$out/profile.err" &
    local prof=$!
    wait_for_line "$out/profile.err" "attached to pid $TPID" 20 || fail "$label: the tool did not attach"
    touch "$out/go"
    wait "$prof"
    check_eq "$label: profile exit" "$?" 0
    local r="$out/report.json"
    check_eq "$label: status" "$(jq -r .session.status "$r")" completed
    check_eq "$label: thrown" "$(jq .report.total "$r")" 1250
    check_eq "$label: caught" "$(jq .report.caught "$r")" 1250
    check_eq "$label: dropped" "$(jq .report.dropped "$r")" 0
    check_eq "$label: InvalidOperationException" \
        "$(jq '.report.types[] | select(.type == "System.InvalidOperationException") | .count' "$r")" 1000
    check_eq "$label: WorkerFault" \
        "$(jq '.report.types[] | select(.type == "DrDotnet.Targets.NestedWorker+WorkerFault") | .count' "$r")" 250
    check_eq "$label: the target loaded the installed library" \
        "$(for f in "$DRDOTNET_HOME"/lib/libdrdotnet-*.so; do cmp -s "$f" "$lib" && echo yes; done | head -1)" yes
    SESSION=$(jq -r .session.id "$r")

    # completion, with the installed tool found on PATH as a user types it
    local comp="$out/completion"
    PATH="$(dirname "$tool"):$PATH" bash -c '
        source "$1"
        words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _drdotnet; printf "%s\n" "${COMPREPLY[@]}" | sort; }
        echo "== verbs"; words drdotnet ""
        echo "== profile <pid>"; words drdotnet profile "$2" ""
        echo "== pids"; words drdotnet profile ""
        echo "== params"; words drdotnet profile "$2" cpu-hotpaths --param ""
        echo "== sessions"; words drdotnet show ""' _ "$COMPLETION" "$TPID" >"$comp" 2>&1
    section() { awk -v s="== $1" '/^== / { on = ($0 == s); next } on' "$comp" | tr '\n' ' '; }
    check_eq "$label: completion after 'drdotnet profile <pid> '" "$(section "profile <pid>")" \
        "$(jq -r '.[] | select(.attach) | .name' "$WORK/profilers.json" | sort | tr '\n' ' ')"
    check_eq "$label: completion of verbs" "$(section verbs)" \
        "$(printf '%s\n' --help --version $("$tool" --help | awk '/^verbs:$/ { v = 1; next } v && /^  [a-z]/ { print $1 }
            v && !/^ / { v = 0 }') | sort | tr '\n' ' ')"
    check_eq "$label: completion offers the target's pid" "$(section pids | tr ' ' '\n' | grep -cx "$TPID")" 1
    check_eq "$label: completion of --param keys" "$(section params)" \
        "$(jq -r '.[] | select(.name == "cpu-hotpaths") | .parameters[] | .key + "="' "$WORK/profilers.json" | sort |
            tr '\n' ' ')"
    check_eq "$label: completion of session ids" "$(section sessions | tr ' ' '\n' | grep -cx "$SESSION")" 1

    touch "$out/stop"
    wait "$TPID"
    check_eq "$label: target exit" "$?" 0

    # serve answers: the page, and the API with the printed token
    "$tool" serve --port 0 >"$out/serve.out" 2>"$out/serve.err" &
    local server=$!
    PIDS+=("$server")
    if wait_for_line "$out/serve.out" "http://" 10; then
        local url base token
        url=$(grep -m1 '^http://' "$out/serve.out")
        base=${url%%/?token=*}
        token=${url##*token=}
        check_eq "$label: serve: the page" "$(curl -s -o "$out/page" -w '%{http_code}' --max-time 10 "$base/")" 200
        check_contains "$label: serve: the page's script" "$out/page" '<script src="/app.js"'
        check_eq "$label: serve: the API" "$(curl -s -o "$out/api.json" -w '%{http_code}' --max-time 10 \
            -H "X-DrDotnet-Token: $token" "$base/api/profilers")" 200
        check_eq "$label: serve: profilers from the installed library" "$(jq length "$out/api.json")" \
            "$(jq length "$WORK/profilers.json")"
    else
        fail "$label: serve printed no address"
        cat "$out/serve.err"
    fi
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    popd >/dev/null || return
}

"$DRD_BIN" profilers --json >"$WORK/profilers.json"
check_eq "no library beside the installed tool" "$(test -e "$P/bin/libdrdotnet.so" || echo none)" none
COMPLETION="$P/share/bash-completion/completions/drdotnet"
exercise extracted "$P/bin/drdotnet" "$P/lib/drdotnet/libdrdotnet.so"

# --- a library of another version: refused by the tool, with a sentence --------------------------------------------
OTHER=${VERSION//[0-8]/9}
[ "$OTHER" != "$VERSION" ] || OTHER=${VERSION//9/8}
perl -0777 -pe "s/\\x00\\Q$VERSION\\E\\x00/\\x00$OTHER\\x00/g" "$P/lib/drdotnet/libdrdotnet.so" >"$WORK/other.so"
check_eq "a library of version $OTHER made" "$(cmp -s "$WORK/other.so" "$P/lib/drdotnet/libdrdotnet.so" || echo differs)" \
    differs
DRDOTNET_LIB="$WORK/other.so" "$P/bin/drdotnet" profilers >"$WORK/other.out" 2>"$WORK/other.err"
check_eq "another version: profilers exit" "$?" 1
check_contains "another version: the sentence" "$WORK/other.err" \
    "$WORK/other.so is version $OTHER but this drdotnet is version $VERSION"
DRDOTNET_LIB="$WORK/other.so" "$P/bin/drdotnet" --version >"$WORK/other.out" 2>"$WORK/other.err"
check_eq "another version: --version exit" "$?" 1
check_contains "another version: --version names it" "$WORK/other.err" "is version $OTHER"

# --- the man page: every profiler and parameter, verb, exit status and environment variable of the tool ------------
MAN="$P/share/man/man1/drdotnet.1"
check_eq "man -w finds the page under the prefix" "$(MANPATH="$P/share/man" man -w drdotnet)" "$MAN"
LC_ALL=C MANWIDTH=1000 man --warnings -l "$MAN" >"$WORK/man.txt" 2>"$WORK/man.warnings"
check_eq "man: no groff warning" "$(cat "$WORK/man.warnings")" ""
# section NAME: the rendered lines of one section of the page
man_section() { awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on' "$WORK/man.txt"; }
check_eq "man: the profilers and their parameters" \
    "$(man_section PROFILERS | awk '/^   [a-z][a-z0-9-]*$/ { p = $1; print p } /^       [a-z_0-9]+=(int|enum|bool)$/ {
        sub(/=.*/, "", $1); print p ":" $1 }' | sort | tr '\n' ' ')" \
    "$(jq -r '.[] | .name, (.name + ":" + .parameters[].key)' "$WORK/profilers.json" | sort | tr '\n' ' ')"
check_eq "man: the verbs" "$(man_section VERBS | awk '/^   [a-z]+$/ { print $1 }' | sort | tr '\n' ' ')" \
    "$("$DRD_BIN" --help | awk '/^verbs:$/ { v = 1; next } v && /^  [a-z]/ { print $1 } v && !/^ / { v = 0 }' | sort |
        tr '\n' ' ')"
check_eq "man: the exit statuses of src/cli/cli.h" \
    "$(man_section "EXIT STATUS" | awk '/^       [0-9]+ / { print $1 }' | sort -n | tr '\n' ' ')" \
    "$(grep -oE 'DRD_EXIT_[A-Z]+ = [0-9]+' "$SRC/src/cli/cli.h" | awk '{ print $3 }' | sort -n | tr '\n' ' ')"
for var in $(grep -rhoE 'getenv\("DRDOTNET_[A-Z_]+"\)' "$SRC/src" | sort -u | sed 's/getenv("\(.*\)")/\1/'); do
    check_eq "man: environment variable $var" "$(man_section ENVIRONMENT | grep -cx "       $var")" 1
done

# --- the package really installed (apt) and purged, when this test runs as root -------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
    echo "skipped: installing the package for real (needs root and apt)"
elif dpkg-query -W -f='${Status}' drdotnet 2>/dev/null | grep -q installed || [ -e /usr/bin/drdotnet ] ||
    [ -e /usr/lib/drdotnet ]; then
    echo "skipped: installing the package for real: a drdotnet is already installed in /usr"
else
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=60 --no-install-recommends "$DEB" \
        >"$WORK/apt-install.log" 2>&1
    check_eq "apt install ./drdotnet_*.deb" "$?" 0
    check_eq "installed" "$(dpkg-query -W -f='${Status}' drdotnet 2>/dev/null)" "install ok installed"
    check_eq "drdotnet on PATH" "$(command -v drdotnet)" /usr/bin/drdotnet
    dpkg -L drdotnet >"$WORK/installed-files"
    COMPLETION=/usr/share/bash-completion/completions/drdotnet
    exercise installed /usr/bin/drdotnet /usr/lib/drdotnet/libdrdotnet.so
    if grep -qs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/*; then
        echo "skipped: man drdotnet: dpkg here leaves man pages out (path-exclude in /etc/dpkg/dpkg.cfg.d)"
    else
        check_eq "man drdotnet finds the installed page" "$(man -w drdotnet)" /usr/share/man/man1/drdotnet.1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o DPkg::Lock::Timeout=60 drdotnet >"$WORK/apt-purge.log" 2>&1
    check_eq "apt purge drdotnet" "$?" 0
    check_eq "removed" "$(dpkg-query -W -f='${Status}' drdotnet 2>/dev/null | grep -c installed)" 0
    # what the package listed, left behind and owned by no other package
    left=$(while read -r f; do
        [ "$f" != /. ] || continue
        [ -e "$f" ] || [ -L "$f" ] || continue
        dpkg -S "$f" >/dev/null 2>&1 || echo "$f"
    done <"$WORK/installed-files")
    check_eq "no file of the package left after the purge" "$left" ""
fi
finish
