#!/usr/bin/env bash
# Benchmark: the cost of the exceptions profiler to a target that throws a lot, against no profiler and
# against dotnet-trace collecting exception events, runs interleaved. Prints a Markdown table.
# Usage: bench/exceptions.sh [RUNS] [EXTRA_THROWS]   (needs a build: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs=${1:-5}
extra=${2:-100000}
export DRDOTNET_HOME=$(mktemp -d)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
trace="$HOME/.dotnet/tools/dotnet-trace"
if [ ! -x "$trace" ]; then
    dotnet tool install -g dotnet-trace >/dev/null
fi
app=(dotnet "$build/targets/Exceptions/Exceptions.dll" --work-ms 0 --extra-throws "$extra")
ms() { date +%s%N | cut -c1-13; }
declare -A times
dropped_all=""
for r in $(seq 1 "$runs"); do
    t0=$(ms); "${app[@]}" >/dev/null; t1=$(ms)
    times[none]+="$((t1 - t0)) "
    t0=$(ms); "$build/drdotnet" launch exceptions --json -- "${app[@]}" >"$DRDOTNET_HOME/r.json" 2>/dev/null; t1=$(ms)
    times[drdotnet]+="$((t1 - t0)) "
    dropped_all+="$(jq .report.dropped "$DRDOTNET_HOME/r.json")/$(jq .report.total "$DRDOTNET_HOME/r.json") "
    t0=$(ms); "$trace" collect --providers Microsoft-Windows-DotNETRuntime:0x8000:5 -o "$DRDOTNET_HOME/t.nettrace" \
        -- "${app[@]}" >/dev/null 2>&1; t1=$(ms)
    times[dotnet-trace]+="$((t1 - t0)) "
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${times[none]}" | median)
echo "| run | median wall ms ($runs runs) | ratio to no profiler |"
echo "|---|---|---|"
for k in none drdotnet dotnet-trace; do
    m=$(echo "${times[$k]}" | median)
    echo "| $k | $m | $(awk -v a="$m" -v b="$base" 'BEGIN{printf "%.2f", a/b}') |"
done
echo
echo "exceptions thrown per run: $((1250 + extra)); drdotnet dropped/recorded per run: $dropped_all"
rm -rf "$DRDOTNET_HOME"
