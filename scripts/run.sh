#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs drdotnet. With no arguments it starts the bundled
# demo .NET program, profiles it with the exceptions profiler in the terminal, then serves the web UI on
# 127.0.0.1 with the demo still running and its session listed (Ctrl-C ends both; DRDOTNET_NO_SERVE=1 skips the
# web UI). With arguments it runs drdotnet with them (e.g. scripts/run.sh ps).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
if [ $# -gt 0 ]; then
    exec "$build/drdotnet" "$@"
fi

demo_out=$(mktemp)
dotnet "$build/targets/Demo/Demo.dll" --seconds 3600 >"$demo_out" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null; rm -f "$demo_out"' EXIT
for _ in $(seq 1 100); do grep -q '^ready' "$demo_out" && break; sleep 0.1; done
echo
echo "\$ drdotnet ps"
"$build/drdotnet" ps
echo
echo "\$ drdotnet profile $demo exceptions --duration 5"
"$build/drdotnet" profile "$demo" exceptions --duration 5
echo
echo "The demo (pid $demo) runs on after the profiler detached: $(kill -0 $demo 2>/dev/null && echo yes || echo no)."
echo "Sessions: $build/drdotnet sessions; a report again: $build/drdotnet show last"
if [ "${DRDOTNET_NO_SERVE:-0}" != 1 ]; then
    echo
    echo "\$ drdotnet serve   (open the printed address; Ctrl-C to stop)"
    "$build/drdotnet" serve || true
fi
