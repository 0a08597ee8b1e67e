#!/usr/bin/env bash
# Builds the .NET test targets (Exceptions, Idle, Demo, CpuSpin, Deadlock, CpuBench) into <out>/<Name>;
# <out> defaults to build/targets.
# Usage: tests/targets/build.sh [OUT_DIR]
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
out="${1:-$repo_root/build/targets}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

for name in Exceptions Idle Demo CpuSpin Deadlock CpuBench Memory Busy; do
    project_dir="$script_dir/$name"
    dll="$out/$name/$name.dll"

    # Up to date when the dll exists and no source file (its own, those of Shared/, or this script) is newer
    # than it.
    if [[ -f "$dll" && -f "$out/$name/$name.runtimeconfig.json" ]] &&
        [[ ! "${BASH_SOURCE[0]}" -nt "$dll" ]] &&
        [[ -z "$(find "$project_dir" "$script_dir/Shared" \( -name bin -o -name obj \) -prune -o \
            -type f \( -name '*.cs' -o -name '*.csproj' \) -newer "$dll" -print -quit)" ]]; then
        echo "target $name: up to date ($dll)"
        continue
    fi

    start=$SECONDS
    log="$out/$name.build.log"
    # Intermediate files go under $out too, so nothing is written inside tests/targets.
    if ! dotnet build "$project_dir/$name.csproj" -c Release -o "$out/$name" \
        -p:BaseIntermediateOutputPath="$out/_obj/$name/" -nologo -v:q >"$log" 2>&1; then
        cat "$log" >&2
        echo "target $name: BUILD FAILED (log: $log)" >&2
        exit 1
    fi
    touch "$dll" # the copy into -o may keep an older mtime; make the skip check reliable
    echo "target $name: built in $((SECONDS - start))s ($dll)"
done
