#!/usr/bin/env bash
# Installs what drdotnet needs to build and test on Debian 12: compilers, CMake, libraries, jq.
# The .NET SDK (dotnet) must already be on the machine. Quiet when everything is there.
set -euo pipefail

pkgs=(build-essential cmake pkg-config libjansson-dev libcmocka-dev libmicrohttpd-dev zlib1g-dev jq)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v dotnet >/dev/null; then
    echo "setup: the .NET SDK (dotnet) is needed to build the test and demo targets" >&2
    exit 1
fi
