#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs drdotnet. With no arguments it starts the bundled
# demo .NET program and profiles it with the exceptions profiler; with arguments it runs drdotnet with them
# (e.g. scripts/run.sh ps, scripts/run.sh profile <pid> exceptions --duration 10).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
if [ $# -gt 0 ]; then
    exec "$build/drdotnet" "$@"
fi

demo_out=$(mktemp)
dotnet "$build/targets/Demo/Demo.dll" --seconds 30 >"$demo_out" 2>&1 &
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
