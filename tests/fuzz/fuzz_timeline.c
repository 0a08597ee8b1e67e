/* Fuzz target: a timed profiler's raw file through the timeline's reader, the chrome-trace export and the web
 * page's timeline document. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzzutil.h"
#include "report/export.h"
#include "report/timeline.h"

/* The profiler the raw file's first line names, when it is one of the timed ones; else "cpu-hotpaths". */
static const char *profiler_of(const uint8_t *data, size_t size)
{
    static const char *const timed[] = {"exceptions", "runtime-pauses", "waits", "allocations", "cpu-hotpaths"};
    static const char head[] = "drdotnet-raw\t1\t";
    for (size_t i = 0; i < sizeof timed / sizeof timed[0]; i++) {
        size_t n = strlen(timed[i]);
        if (size >= sizeof head + n && memcmp(data, head, sizeof head - 1) == 0 &&
            memcmp(data + sizeof head - 1, timed[i], n) == 0 && data[sizeof head - 1 + n] == '\n')
            return timed[i];
    }
    return "cpu-hotpaths";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *name = profiler_of(data, size);
    char file[80], raw[4200];
    snprintf(file, sizeof file, "%s.raw", name);
    snprintf(raw, sizeof raw, "%s", drd_fuzz_write(file, data, size));
    char err[512] = "";
    if (drd_export_chrome_trace(drd_fuzz_dir(), drd_fuzz_devnull(), err, sizeof err))
        DRD_FUZZ_CHECK(err[0] != 0, "no %s trace and no reason", name);
    err[0] = 0;
    if (drd_timeline_write_json(drd_fuzz_dir(), drd_fuzz_devnull(), err, sizeof err))
        DRD_FUZZ_CHECK(err[0] != 0, "no %s timeline document and no reason", name);
    unlink(raw);
    return 0;
}
