#!/usr/bin/env bash
# How long the page takes to draw a large heap's views: the Leak target builds about MB megabytes of live objects
# (tests/targets/Leak --heap-mb: a tree of Shop.Shelf nodes, each with 64 Shop.Product and their 1,000-byte buffers),
# drdotnet takes one heap-snapshot of it, and headless Chromium (as tests/web runs it) opens the session page:
# the script prints the snapshot's cost to the target (its pause) and to the tool, the report's build time and size
# through the API, and the page's times to first draw the types table, the dominator tree (from its tab), the
# children of a "… more" node (which the server answers from its own copy of the tree, made at the first such
# request) and a type's retention paths, each from a fresh load of the page, ROUNDS times.
# Usage: bench/heap_page.sh [MB] [ROUNDS]
# (default 1024 and 3; needs scripts/build.sh and the web test's npm packages, which tests/web/run.sh installs)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
mb=${1:-1024}
rounds=${2:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/drd-heap-page.XXXXXX")
export DRDOTNET_HOME="$work/home" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$work"
}
trap cleanup EXIT
wait_line() { for _ in $(seq 1 "$3"); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

dotnet "$build/targets/Leak/Leak.dll" --heap-mb "$mb" --batch 0 --stop-file "$work/stop" >"$work/leak.out" 2>&1 &
pids+=($!)
wait_line "$work/leak.out" '^ready' 1200 || { echo "the target did not start"; cat "$work/leak.out"; exit 1; }
pid=$(awk '/^ready/ {print $2}' "$work/leak.out")
echo "target: $(grep '^catalog' "$work/leak.out"), RSS $(($(awk '/VmRSS/ {print $2}' /proc/$pid/status) / 1024)) MB"
t0=$(date +%s%N)
"$build/drdotnet" profile "$pid" heap-snapshot >"$work/heap.txt" 2>"$work/heap.err" || { cat "$work/heap.err"; exit 1; }
t1=$(date +%s%N)
id=$(sed -n 's/^drdotnet: session //p' "$work/heap.err")
echo "snapshot: $(grep -m1 '^Heap snapshot' "$work/heap.txt"); $(grep -m1 'paused the target' "$work/heap.txt")"
echo "profile (attach, snapshot, report, print): $(((t1 - t0) / 1000000)) ms; graph file" \
    "$(($(stat -c %s "$DRDOTNET_HOME/sessions/$id/heap-snapshot.graph") / 1048576)) MB"
touch "$work/stop"

"$build/drdotnet" serve --port 0 >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
wait_line "$work/serve.out" 'http://' 100 || { echo "serve printed no address"; exit 1; }
url=$(grep -m1 '^http://' "$work/serve.out")
base=${url%%/?token=*}
token=${url##*token=}
for r in $(seq 1 "$rounds"); do
    t0=$(date +%s%N)
    curl -s -o "$work/report.json" -H "Authorization: Bearer $token" "$base/api/sessions/$id/report"
    t1=$(date +%s%N)
    echo "API report, round $r: $(((t1 - t0) / 1000000)) ms, $(($(stat -c %s "$work/report.json") / 1024)) KB"
done
NODE_PATH="$root/tests/web/node_modules" node "$root/bench/heap_page.js" "$url" "$id" "$rounds" Shop.Product
