#!/usr/bin/env bash
# heap-snapshot's object counts against dotnet-gcdump's on the same process: the ASP.NET Core target
# (tests/targets/Web), first quiet, then under steady HTTP load on loopback (tests/e2e/webload.py). In each round
# drdotnet heap-snapshot and `dotnet-gcdump collect` + `dotnet-gcdump report` run one after the other on the same
# process, and the script prints, for each: all objects (heap-snapshot: all those its heap walk found, and of those
# the ones it reached from the roots it knows; dotnet-gcdump: the sum of its report's rows by type, and the "GC Heap
# objects" figure at the report's top, which counts about a thousand more than its rows), System.String objects,
# and the app's DrDotnet.Web.CatalogItem (exactly 5,000 held by a static list).
# Quiet, the two should agree but for what either tool's own work allocates; under load, within the heap's churn
# between the two snapshots. Usage: bench/gcdump_compare.sh [ROUNDS] (default 3; needs scripts/build.sh; installs
# dotnet-gcdump as a global .NET tool when missing)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
rounds=${1:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/drd-gcdump.XXXXXX")
export DRDOTNET_HOME="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
gcdump="$HOME/.dotnet/tools/dotnet-gcdump"
[ -x "$gcdump" ] || dotnet tool install -g dotnet-gcdump >/dev/null || { echo "cannot install dotnet-gcdump"; exit 1; }
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
wait_line() { for _ in $(seq 1 400); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

dotnet "$build/targets/Web/Web.dll" --urls http://127.0.0.1:0 >"$work/web.out" 2>&1 &
app=$!
pids+=("$app")
wait_line "$work/web.out" '^ready' || { cat "$work/web.out"; echo "the web app did not start"; exit 1; }
url=$(awk '/^ready/ {print $3; exit}' "$work/web.out")
# a short load first, so that every endpoint has run (their code and types loaded) before the quiet rounds
python3 "$root/tests/e2e/webload.py" "$url" "$work/warm.json" --max-seconds 3

echo "dotnet-gcdump $("$gcdump" --version 2>/dev/null | head -1); drdotnet heap-snapshot (static_roots default)"
echo
echo "| load | round | heap-snapshot objects (reached from roots) | dotnet-gcdump objects, rows by type (\"GC Heap objects\") | difference | strings: heap-snapshot / gcdump | CatalogItem: heap-snapshot / gcdump |"
echo "|---|---|---|---|---|---|---|"
for load in quiet loaded; do
    if [ "$load" == loaded ]; then
        python3 "$root/tests/e2e/webload.py" "$url" "$work/load.json" --stop-file "$work/stop-load" \
            --max-seconds 600 >/dev/null 2>&1 &
        pids+=("$!")
        sleep 3
    fi
    for r in $(seq 1 "$rounds"); do
        j="$work/heap.$load.$r.json"
        "$build/drdotnet" profile "$app" heap-snapshot --json >"$j" 2>"$j.err" || {
            echo "heap-snapshot failed: $(tail -1 "$j.err")"
            continue
        }
        g="$work/x.$load.$r.gcdump"
        "$gcdump" collect -p "$app" -o "$g" >"$g.log" 2>&1 || { echo "gcdump failed: $(tail -1 "$g.log")"; continue; }
        "$gcdump" report "$g" >"$g.txt" 2>&1
        read -r all unreachable hs_str hs_cat < <(jq -r '.report as $r | [$r.objects, $r.unreachable_objects,
            ([$r.types[] | select(.type == "System.String") | .count] | add // 0),
            ([$r.types[] | select(.type == "DrDotnet.Web.CatalogItem") | .count] | add // 0)] | @tsv' "$j")
        gd_head=$(awk '/GC Heap objects/ {gsub(",", "", $1); print $1}' "$g.txt")
        gd_all=$(awk '/Object Bytes +Count +Type/ {rows = 1; next}
            rows && $1 ~ /^[0-9,]+$/ && $2 ~ /^[0-9,]+$/ {gsub(",", "", $2); s += $2} END {print s + 0}' "$g.txt")
        gd_str=$(awk '$3 == "System.String" {gsub(",", "", $2); s += $2} END {print s + 0}' "$g.txt")
        gd_cat=$(awk '$3 == "DrDotnet.Web.CatalogItem" {gsub(",", "", $2); s += $2} END {print s + 0}' "$g.txt")
        reach=$((all - unreachable))
        diff=$(awk -v a="$all" -v b="$gd_all" 'BEGIN { printf "%+d (%+.2f %%)", a - b, 100 * (a - b) / b }')
        echo "| $load | $r | $all ($reach) | $gd_all ($gd_head) | $diff | $hs_str / $gd_str | $hs_cat / $gd_cat |"
    done
done
touch "$work/stop-load"
failed=$(jq '.failed | add' "$work/load.json" 2>/dev/null)
echo
echo "HTTP requests during the loaded rounds: $(jq '.ok | add' "$work/load.json" 2>/dev/null) answered, $failed failed"
