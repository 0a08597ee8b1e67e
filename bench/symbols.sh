#!/usr/bin/env bash
# Benchmark: what naming native frames costs `drdotnet show`, and what recording them by address costs the raw file.
# One CpuBench process (16 threads) is profiled once with cpu-hotpaths (99 Hz, 10 s, the signal sampler); then the
# same session is shown again and again, in pairs: `show` (names from the ELF files through libdwfl, folding) and
# `show --symbols=false` (no file read; folding only), the order within each pair alternating (ABBA), so that a
# drift of the machine's load touches both sides alike. Prints the median of each, in wall time and in CPU time
# (user + system: what a loaded machine disturbs least), the median of the per-pair differences, and the raw
# file's size with its count of frames, stacks and modules, and its size without the sample lines ('p', one per
# sample: their number follows the CPU the workload got, not the format). With BASE_BUILD (a build folder
# of the commit before native frames were recorded by address), the same workload is also profiled with that build,
# in the same process right after, for the raw file's size before the change.
# Usage: bench/symbols.sh [PAIRS] [BASE_BUILD]   (needs a build: scripts/build.sh)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
pairs=${1:-10}
base=${2:-}
if ! [[ $pairs =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: bench/symbols.sh [PAIRS] [BASE_BUILD]" >&2
    exit 2
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/drd-bench-symbols.XXXXXX")"
export DRDOTNET_HOME="$work/home"
mkdir -m 700 "$DRDOTNET_HOME"
app=""
trap '[[ -n $app ]] && kill "$app" 2>/dev/null; rm -rf "$work"' EXIT

dotnet "$build/targets/CpuBench/CpuBench.dll" --threads 16 --seconds 60 --warmup 0 >"$work/app.out" 2>&1 &
app=$!
for _ in $(seq 1 200); do grep -qs '^ready\|^warm\|^run' "$work/app.out" && break; sleep 0.05; done
sleep 2

# profile BUILD LABEL: one 10 s session of the workload with BUILD's tool; prints its id
profile() {
    "$1/drdotnet" profile "$app" cpu-hotpaths --duration 10 --param frequency=99 --param sampler=signal --json \
        2>"$work/$2.err" | jq -r .session.id
}
# describe LABEL ID: the raw file's size and what it holds
describe() {
    local raw="$DRDOTNET_HOME/sessions/$2/cpu-hotpaths.raw"
    printf '| %s | %d | %d | %d | %d | %d | %d |\n' "$1" "$(stat -c %s "$raw")" "$(grep -v '^p	' "$raw" | wc -c)" \
        "$(grep -c '^f	' "$raw")" \
        "$(grep -c '^s	' "$raw")" "$(grep -c '^nm	' "$raw" || true)" "$(grep -c '^p	' "$raw")"
}
id=$(profile "$build" new)
[[ -n $base ]] && base_id=$(profile "$base" base)

# ms CMD...: "<wall ms> <cpu ms>" of CMD (output discarded)
ms() {
    local TIMEFORMAT='%3R %3U %3S' t
    t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
    awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}
with=() without=() diffs=() cwith=() cwithout=() cdiffs=()
for ((i = 0; i < pairs; i++)); do
    if ((i % 2 == 0)); then
        read -r a ca < <(ms "$build/drdotnet" show "$id")
        read -r b cb < <(ms "$build/drdotnet" show "$id" --symbols=false)
    else
        read -r b cb < <(ms "$build/drdotnet" show "$id" --symbols=false)
        read -r a ca < <(ms "$build/drdotnet" show "$id")
    fi
    with+=("$a") without+=("$b") diffs+=($((a - b)))
    cwith+=("$ca") cwithout+=("$cb") cdiffs+=($((ca - cb)))
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

samples=$("$build/drdotnet" show "$id" --json | jq .report.samples)
echo "session $id: $samples samples, 16 threads, 99 Hz, 10 s; $pairs pairs"
echo
echo "| drdotnet show | median wall ms | median CPU ms |"
echo "|---|---|---|"
echo "| names from the files (default) | $(median "${with[@]}") | $(median "${cwith[@]}") |"
echo "| --symbols=false | $(median "${without[@]}") | $(median "${cwithout[@]}") |"
echo "| difference, median of pairs | $(median "${diffs[@]}") | $(median "${cdiffs[@]}") |"
echo
echo "| raw file | bytes | bytes without p lines | f lines | s lines | nm lines | p lines |"
echo "|---|---|---|---|---|---|---|"
describe "native frames by address (this build)" "$id"
[[ -n $base ]] && describe "native frames by name (base build)" "$base_id"
echo
echo "pairs, wall ms (with/without): $(for ((i = 0; i < pairs; i++)); do printf '%s/%s ' "${with[$i]}" "${without[$i]}"; done)"
echo "pairs, CPU ms (with/without): $(for ((i = 0; i < pairs; i++)); do printf '%s/%s ' "${cwith[$i]}" "${cwithout[$i]}"; done)"
