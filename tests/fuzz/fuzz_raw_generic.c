/* Fuzz target: the raw data reader's common part (header, frames, types, stacks, end) with any record allowed. */
#include <stdlib.h>
#include <string.h>

#include "drdotnet/raw.h"
#include "fuzzutil.h"
#include "symbols/symbols.h"
#include "report/rawread.h"

/* Accepts every profiler record, after looking at each field as the profilers' readers do. */
static int any_record(void *ctx, const struct drd_rawdata *d, char **fields, int n, char *err, size_t cap)
{
    (void)ctx;
    (void)d;
    (void)err;
    (void)cap;
    DRD_FUZZ_CHECK(n >= 1 && n <= 16, "a record with %d fields", n);
    for (int i = 0; i < n; i++) {
        size_t len = strlen(fields[i]);
        DRD_FUZZ_CHECK(memchr(fields[i], '\t', len) == NULL && memchr(fields[i], '\n', len) == NULL,
                       "field %d holds a separator", i);
        uint64_t v;
        (void)drd_rawread_u64(fields[i], &v);
    }
    return 0;
}

/* A name fit for a terminal and for JSON: valid UTF-8 without control characters. */
static void check_name(const char *what, uint32_t id, const char *s)
{
    DRD_FUZZ_CHECK(s != NULL, "%s %u has no name", what, id);
    size_t n = strlen(s);
    DRD_FUZZ_CHECK(drd_fuzz_utf8_valid(s, n), "%s %u is not valid UTF-8", what, id);
    for (size_t i = 0; i < n; i++)
        DRD_FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f, "%s %u holds a control character", what, id);
}

/* What a report may rely on once the file is accepted: clean names, and every id a stack names is a known frame. */
static void check_tables(const struct drd_rawdata *d)
{
    DRD_FUZZ_CHECK(memchr(d->profiler, 0, sizeof d->profiler) != NULL, "profiler name not terminated");
    check_name("profiler", 0, d->profiler);
    for (uint32_t i = 0; i < d->n_frames; i++)
        check_name("frame", i + 1, d->frames[i]);
    for (uint32_t i = 0; i < d->n_types; i++)
        check_name("type", i + 1, d->types[i]);
    for (uint32_t i = 0; i < d->n_stacks; i++) {
        const struct drd_rawread_stack *s = &d->stacks[i];
        DRD_FUZZ_CHECK(s->n <= DRD_RAW_MAX_DEPTH, "stack %u has %u frames", i + 1, s->n);
        for (uint32_t k = 0; k < s->n; k++)
            DRD_FUZZ_CHECK(s->frames[k] >= 1 && s->frames[k] <= d->n_frames, "stack %u names frame %u of %u", i + 1,
                           s->frames[k], d->n_frames);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exactly sized and not terminated, as the reader is promised nothing after len */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    struct drd_rawdata d;
    char err[256] = "";
    if (drd_rawread_parse(buf, size, &d, any_record, NULL, err, sizeof err) == 0)
        check_tables(&d);
    else
        DRD_FUZZ_CHECK(err[0] != 0, "file refused without a reason");
    drd_rawdata_free(&d);

    /* and with no profiler hook, as a reader that knows no record of its own; then native frames folded (or
     * named apart, by the input's size) as the reports do, which must leave every table as consistent */
    if (size)
        memcpy(buf, data, size);
    err[0] = 0;
    if (drd_rawread_parse(buf, size, &d, NULL, NULL, err, sizeof err) == 0) {
        check_tables(&d);
        DRD_FUZZ_CHECK(d.n_native <= d.n_frames, "%u native records for %u frames", d.n_native, d.n_frames);
        if (drd_symbols_fold(&d, (int)(size & 1)) == 0) {
            check_tables(&d);
            DRD_FUZZ_CHECK(d.n_native <= d.n_frames, "folding: %u native records for %u frames", d.n_native,
                           d.n_frames);
        }
    } else
        DRD_FUZZ_CHECK(err[0] != 0, "file refused without a reason");
    drd_rawdata_free(&d);
    free(buf);
    return 0;
}
