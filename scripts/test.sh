#!/usr/bin/env bash
# Runs every test: installs what is missing, builds, then unit, end-to-end, web and soak tests under CTest; then the
# unit tests and the end-to-end tests again with the tool under AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan/, or $ASAN_BUILD_DIR), and a short fuzz run of every parser of outside input (tests/fuzz/run.sh:
# build-fuzz/, $FUZZ_SECONDS per target, default 15). Every part runs even when an earlier one failed; the exit
# status is 1 if any did.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
asan="${ASAN_BUILD_DIR:-$root/build-asan}"
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
failed=()

(cd "$build" && ctest --output-on-failure --timeout 300) || failed+=(ctest)

echo
echo "test: unit and end-to-end tests under ASan and UBSan in $asan"
mkdir -p "$asan"
if cmake -S "$root" -B "$asan" -DDRD_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$asan/build.log" 2>&1 &&
    cmake --build "$asan" -j"$(nproc)" >>"$asan/build.log" 2>&1; then
    (cd "$asan" && ctest --output-on-failure --timeout 300 -R '^unit\.') || failed+=(sanitized-unit)

    # The sanitized tool beside the normal library: the library runs inside .NET processes, which have no
    # sanitizer runtime. A sanitizer report (an error, or a leak at exit) aborts the tool: no test expects the
    # status of SIGABRT, and bash says "Aborted" in the test's log for a command it ran directly. (No log_path:
    # the runtime would make its folders in the private /tmp of e2e.containers' namespaces.)
    tool="$asan/e2e-tool"
    rm -rf "$tool"
    mkdir -p "$tool"
    cp "$asan/drdotnet" "$tool/drdotnet"
    cp "$build/libdrdotnet.so" "$tool/libdrdotnet.so"
    # e2e.detach_race and e2e.runtimes drive the library (many short sessions, three runtimes) through the tool's
    # paths the other scripts already take: the sanitized tool adds nothing there but 2.5 minutes
    for t in $(cd "$build" && ctest -N -R '^e2e\.' -E '^e2e\.(detach_race|runtimes)$' |
        sed -n 's/^ *Test *#[0-9]*: e2e\.//p'); do
        if ASAN_OPTIONS="abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:abort_on_error=1" \
            DRD_BIN="$tool/drdotnet" DRD_TARGETS="$build/targets" timeout 300 bash "$root/tests/e2e/$t.sh" \
            >"$asan/e2e-$t.log" 2>&1; then
            echo "sanitized e2e.$t: passed"
        else
            echo "sanitized e2e.$t: FAILED ($asan/e2e-$t.log)"
            grep -E '^FAIL' "$asan/e2e-$t.log" | head -20 || true
            failed+=("sanitized-e2e.$t")
        fi
    done
    if grep -lE 'Sanitizer|runtime error:|Aborted' "$asan"/e2e-*.log >/dev/null; then
        echo "a sanitizer report, or a process that aborted, during the sanitized end-to-end tests:"
        grep -E -A12 'Sanitizer|runtime error:|Aborted' "$asan"/e2e-*.log | head -60 || true
        failed+=(sanitizer-reports)
    fi
else
    cat "$asan/build.log"
    failed+=(sanitizer-build)
fi

echo
echo "test: fuzzing, ${FUZZ_SECONDS:-15} s per target"
"$root/tests/fuzz/run.sh" "${FUZZ_SECONDS:-15}" || failed+=(fuzz)

if [ ${#failed[@]} -gt 0 ]; then
    echo "test: FAILED: ${failed[*]}"
    exit 1
fi
echo "test: all passed"
