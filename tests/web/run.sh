#!/usr/bin/env bash
# Runs the web UI test (ui.test.js) in Debian's headless Chromium, first installing the test's npm packages
# (npm ci, from package-lock.json) when they are missing or older than the lock file.
# Needs DRD_BIN and DRD_TARGETS like the e2e tests; DRD_ARTIFACTS is where the screenshots go.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${DRD_BIN:?DRD_BIN must name the drdotnet executable}"
: "${DRD_TARGETS:?DRD_TARGETS must name the built .NET targets folder}"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
    echo "web test: no Chromium at $CHROMIUM (scripts/setup.sh installs Debian's chromium)" >&2
    exit 1
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ] ||
    [ ! -f "$here/node_modules/speedscope/package.json" ] ||
    [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node --test --test-reporter=spec "$here/ui.test.js"
