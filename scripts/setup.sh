#!/usr/bin/env bash
# Installs what drdotnet needs to build, package and test on Debian 12: compilers, CMake, libraries, jq, curl, and for the
# web UI's test Chromium, Node.js and the test's npm packages (tests/web). The .NET SDK (dotnet) must already be on
# the machine. Quiet when everything is there.
set -euo pipefail

pkgs=(build-essential cmake pkg-config libjansson-dev libcmocka-dev libmicrohttpd-dev libdw-dev zlib1g-dev jq curl chromium
      clang libclang-rt-14-dev # clang with libFuzzer and the sanitizers, for tests/fuzz
      libc6-dbg # the C library's symbols by build-id, so that tests/e2e/native.sh sees memcmp's real name
      dpkg-dev man-db) # the Debian package's Depends (dpkg-shlibdeps) and its man page checked (tests/e2e/install.sh)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (playwright-core wants 20 or newer); Debian's only when there is none
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
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
# the web UI test's npm packages (playwright-core; speedscope, which opens the chrome-trace export in the test),
# exactly as tests/web/package-lock.json says
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/web"
if [ ! -f "$web/node_modules/playwright-core/package.json" ] || [ ! -f "$web/node_modules/speedscope/package.json" ] ||
    [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in tests/web"
    (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
