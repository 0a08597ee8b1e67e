#!/usr/bin/env bash
# Builds the .NET test targets into <out>/<Name> (<out> defaults to build/targets): Exceptions, Idle, Demo,
# CpuSpin, NativeCalls, Deadlock, CpuBench, Memory, Busy, Waits, Lines, Timeline, Leak,
# the ASP.NET Core app Web, Statics
# (compiled against StaticsGone, which it then runs without), and Runtimes, for .NET 10 like the others and also
# published self-contained for .NET 8 and 9 into <out>/Runtimes-net8.0 and <out>/Runtimes-net9.0 (run as
# <out>/Runtimes-net8.0/Runtimes).
# Usage: tests/targets/build.sh [OUT_DIR]
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
out="${1:-$repo_root/build/targets}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# target LABEL STAMP SOURCE_DIRS -- DOTNET ARGS...: runs `dotnet ARGS` (build or publish) unless STAMP (the output's
# main dll) exists, with its runtimeconfig.json for a program, and no source file in SOURCE_DIRS (colon-separated;
# the first holds the project), in Shared/, or this script is newer than it.
# Intermediate files go under $out/_obj/LABEL, so nothing is written inside tests/targets.
target() {
    local label=$1 stamp=$2 dirs=$3
    shift 4
    local sources=("$script_dir/Shared")
    IFS=: read -r -a more <<<"$dirs"
    for d in "${more[@]}"; do sources+=("$script_dir/$d"); done
    local config="${stamp%.dll}.runtimeconfig.json"
    grep -q '<OutputType>Exe' "${sources[1]}"/*.csproj || config="$stamp"
    if [[ -f "$stamp" && -f "$config" ]] && [[ ! "${BASH_SOURCE[0]}" -nt "$stamp" ]] &&
        [[ -z "$(find "${sources[@]}" \( -name bin -o -name obj \) -prune -o \
            -type f \( -name '*.cs' -o -name '*.csproj' \) -newer "$stamp" -print -quit)" ]]; then
        echo "target $label: up to date ($stamp)"
        return 0
    fi
    local start=$SECONDS log="$out/$label.build.log"
    if ! dotnet "$@" -c Release -p:BaseIntermediateOutputPath="$out/_obj/$label/" -nologo -v:q >"$log" 2>&1; then
        cat "$log" >&2
        echo "target $label: BUILD FAILED (log: $log)" >&2
        exit 1
    fi
    touch "$stamp" # the copy into -o may keep an older mtime; make the skip check reliable
    echo "target $label: built in $((SECONDS - start))s ($stamp)"
}

for name in Exceptions Idle Demo CpuSpin Deadlock CpuBench Memory Busy Web Waits NativeCalls Lines Timeline Leak; do
    target "$name" "$out/$name/$name.dll" "$name" -- build "$script_dir/$name/$name.csproj" -o "$out/$name"
done

# Lines again with its PDB embedded in the dll (nothing beside it): where the tool must find the lines then
target LinesEmbedded "$out/LinesEmbedded/Lines.dll" Lines -- \
    build "$script_dir/Lines/Lines.csproj" -o "$out/LinesEmbedded" -p:DebugType=embedded

# Statics runs without StaticsGone.dll; a copy left there by an older build would make the missing assembly present
target StaticsGone "$out/StaticsGone/StaticsGone.dll" StaticsGone -- \
    build "$script_dir/StaticsGone/StaticsGone.csproj" -o "$out/StaticsGone"
target Statics "$out/Statics/Statics.dll" Statics:StaticsGone -- \
    build "$script_dir/Statics/Statics.csproj" -o "$out/Statics" -p:StaticsGoneDir="$out/StaticsGone/"
rm -f "$out/Statics/StaticsGone.dll"

target Runtimes "$out/Runtimes/Runtimes.dll" Runtimes -- \
    build "$script_dir/Runtimes/Runtimes.csproj" -f net10.0 -o "$out/Runtimes"
for tfm in net8.0 net9.0; do
    target "Runtimes-$tfm" "$out/Runtimes-$tfm/Runtimes.dll" Runtimes -- \
        publish "$script_dir/Runtimes/Runtimes.csproj" -f "$tfm" -r linux-x64 --self-contained -o "$out/Runtimes-$tfm" \
        -p:OutputPath="$out/_bin/Runtimes-$tfm/" # publish builds before it copies: not into tests/targets
done
