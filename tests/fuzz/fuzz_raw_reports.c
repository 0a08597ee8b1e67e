/* Fuzz target: any profiler's raw data through the report dispatch (drd_report_build), the printers and JSON; a
 * heap snapshot also through its exports by retention path. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcntl.h>

#include "fuzzutil.h"
#include "report/export.h"
#include "report/report.h"

/* The input is the raw file, and the profiler its first line names picks the file name and the report; from the
 * first GRAPH_MAGIC on, the input is the heap snapshot's binary graph file instead (heap-snapshot.graph, or for
 * leaks leaks.graph, whose several graphs the raw file's 'g' lines locate). */
#define GRAPH_MAGIC "DRDGRPH1"

/* The profiler the raw file's first line names, when it is a plain name ([a-z0-9-], as profilers are named and
 * as is safe in a file name); else "exceptions", so that the input still reaches a reader. */
static void profiler_of(const uint8_t *data, size_t size, char *out, size_t cap)
{
    static const char head[] = "drdotnet-raw\t1\t";
    snprintf(out, cap, "exceptions");
    if (size < sizeof head || memcmp(data, head, sizeof head - 1) != 0)
        return;
    size_t i = sizeof head - 1, n = 0;
    while (i + n < size && n + 1 < cap &&
           ((data[i + n] >= 'a' && data[i + n] <= 'z') || (data[i + n] >= '0' && data[i + n] <= '9') ||
            data[i + n] == '-'))
        n++;
    if (n == 0 || i + n >= size || data[i + n] != '\n')
        return;
    memcpy(out, data + i, n);
    out[n] = 0;
}

static const uint8_t *find(const uint8_t *data, size_t size, const char *what)
{
    size_t n = strlen(what);
    for (size_t i = 0; i + n <= size; i++)
        if (memcmp(data + i, what, n) == 0)
            return data + i;
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char name[64], file[80], graph[4200];
    profiler_of(data, size, name, sizeof name);
    const uint8_t *g = find(data, size, GRAPH_MAGIC);
    size_t raw_len = g ? (size_t)(g - data) : size;
    snprintf(file, sizeof file, "%s.raw", name);
    char raw[4200];
    snprintf(raw, sizeof raw, "%s", drd_fuzz_write(file, data, raw_len));
    const char *graph_name = strcmp(name, "leaks") == 0 ? "leaks.graph" : "heap-snapshot.graph";
    snprintf(graph, sizeof graph, "%s", drd_fuzz_path(graph_name));
    if (g)
        drd_fuzz_write(graph_name, g, size - raw_len);
    else
        unlink(graph);

    json_t *session = json_pack("{s:s,s:s,s:s,s:{s:s},s:I}", "id", "20261126-121504-1-fuzz", "status", "completed",
                                "reason", "", "profiler", "name", name, "duration_ms", (json_int_t)1000);
    if (!session)
        abort();
    char err[512] = "";
    json_t *r = drd_report_build(drd_fuzz_dir(), session, err, sizeof err);
    if (!r)
        DRD_FUZZ_CHECK(err[0] != 0, "no %s report and no reason", name);
    else {
        drd_report_print(drd_fuzz_devnull(), session, r);
        char *text = json_dumps(r, JSON_INDENT(2));
        DRD_FUZZ_CHECK(text != NULL, "the %s report cannot be written as JSON", name);
        free(text);
        if (strcmp(name, "heap-snapshot") == 0) {
            json_t *diff = drd_heap_diff(r, r);
            DRD_FUZZ_CHECK(diff != NULL, "no heap diff");
            json_decref(diff);
            /* and its exports by retention path: refused with a reason, or written */
            char xerr[512] = "";
            if (drd_export_folded(raw, drd_fuzz_devnull(), xerr, sizeof xerr))
                DRD_FUZZ_CHECK(xerr[0] != 0, "heap export refused without a reason");
            xerr[0] = 0;
            if (drd_export_speedscope(raw, "fuzz", drd_fuzz_devnull(), xerr, sizeof xerr))
                DRD_FUZZ_CHECK(xerr[0] != 0, "heap export refused without a reason");
            int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
            if (fd >= 0 && drd_export_pprof_fd(raw, fd, "fuzz.pb.gz", xerr, sizeof xerr))
                DRD_FUZZ_CHECK(xerr[0] != 0, "heap export refused without a reason");
        }
        json_decref(r);
    }
    json_decref(session);
    unlink(raw);
    return 0;
}
