#!/usr/bin/env bash
# Builds drdotnet (the tool and libdrdotnet.so) and the .NET targets into build/ (or $BUILD_DIR).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
"$root/tests/targets/build.sh" "$build/targets"
echo "build: $build/drdotnet and $build/libdrdotnet.so"
