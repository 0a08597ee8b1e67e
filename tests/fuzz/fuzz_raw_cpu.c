/* Fuzz target: a cpu-hotpaths, merged-stacks or waits raw data file through the reports and the three exporters
 * (which take waits as stacks weighted by the time waited). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "fuzzutil.h"
#include "report/export.h"
#include "report/report.h"

/* Each output must be well-formed: the reports serialise, folded lines end in a count, speedscope is JSON and
 * pprof is gzip of a well-formed protobuf. */
typedef json_t *(*report_fn)(const char *, char *, size_t);
typedef void (*print_fn)(FILE *, json_t *);

static void report(const char *path, report_fn build, print_fn print)
{
    char err[512] = "";
    json_t *r = build(path, err, sizeof err);
    if (!r) {
        DRD_FUZZ_CHECK(err[0] != 0, "no report and no reason");
        return;
    }
    DRD_FUZZ_CHECK(json_is_object(json_object_get(r, "tree")), "a report without its tree");
    print(drd_fuzz_devnull(), r);
    char *text = json_dumps(r, JSON_INDENT(2));
    DRD_FUZZ_CHECK(text != NULL, "the report cannot be written as JSON");
    free(text);
    json_decref(r);
}

/* Runs an exporter into memory; returns its text (caller frees) or NULL when it refused, with a reason. */
static char *to_memory(const char *path, int speedscope, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        abort();
    char err[512] = "";
    int rc = speedscope ? drd_export_speedscope(path, "fuzz", f, err, sizeof err)
                        : drd_export_folded(path, f, err, sizeof err);
    fclose(f);
    if (rc) {
        DRD_FUZZ_CHECK(err[0] != 0, "export refused without a reason");
        free(text);
        return NULL;
    }
    return text;
}

/* Every folded line is "frames count\n" with frames free of line breaks. */
static void check_folded(const char *text, size_t len)
{
    DRD_FUZZ_CHECK(len > 0 && text[len - 1] == '\n', "folded output does not end with a line");
    for (const char *line = text; line < text + len;) {
        const char *nl = memchr(line, '\n', (size_t)(text + len - line));
        const char *sp = nl;
        while (sp > line && sp[-1] >= '0' && sp[-1] <= '9')
            sp--;
        DRD_FUZZ_CHECK(sp < nl && sp > line + 1 && sp[-1] == ' ', "folded line without its count: %.*s",
                       (int)(nl - line), line);
        line = nl + 1;
    }
}

/* Reads a protobuf varint at *p (before end). Returns 0, or -1 when it runs past end or past 10 bytes. */
static int varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (*p >= end)
            return -1;
        unsigned char b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return 0;
    }
    return -1;
}

/* A protobuf message at the wire level: only varint and length-delimited fields (all pprof uses), the
 * sub-messages of a Profile walked too. Returns 0 when well-formed. */
static int check_message(const unsigned char *p, const unsigned char *end, int depth)
{
    while (p < end) {
        uint64_t key, v;
        if (varint(&p, end, &key) || (key >> 3) == 0)
            return -1;
        if ((key & 7) == 0) {
            if (varint(&p, end, &v))
                return -1;
        } else if ((key & 7) == 2) {
            if (varint(&p, end, &v) || v > (uint64_t)(end - p))
                return -1;
            /* Profile: sample_type 1, sample 2, mapping 3, location 4, function 5, period_type 11 */
            uint64_t field = key >> 3;
            int sub = depth == 0 && (field == 1 || field == 2 || field == 4 || field == 5 || field == 11);
            if (sub && check_message(p, p + v, depth + 1))
                return -1;
            p += v;
        } else
            return -1;
    }
    return 0;
}

static void check_pprof(const char *gz_path)
{
    gzFile gz = gzopen(gz_path, "rb");
    DRD_FUZZ_CHECK(gz != NULL, "the pprof file cannot be opened");
    size_t cap = 1 << 16, len = 0;
    unsigned char *buf = malloc(cap);
    int n;
    while (buf && (n = gzread(gz, buf + len, (unsigned)(cap - len))) > 0) {
        len += (size_t)n;
        if (len == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
    }
    int gzerr = 0;
    gzerror(gz, &gzerr);
    DRD_FUZZ_CHECK(gzerr == Z_OK || gzerr == Z_STREAM_END, "the pprof file is not valid gzip");
    gzclose(gz);
    DRD_FUZZ_CHECK(buf && check_message(buf, buf + len, 0) == 0, "the pprof file is not a well-formed protobuf");
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4200];
    snprintf(path, sizeof path, "%s", drd_fuzz_write("samples.raw", data, size));
    report(path, drd_cpu_report, drd_cpu_print);
    report(path, drd_merged_report, drd_merged_print);
    char werr[512] = "";
    json_t *w = drd_waits_report(path, werr, sizeof werr);
    if (!w)
        DRD_FUZZ_CHECK(werr[0] != 0, "no waits report and no reason");
    else {
        DRD_FUZZ_CHECK(json_is_array(json_object_get(w, "locks")), "a waits report without its locks");
        drd_waits_print(drd_fuzz_devnull(), w);
        char *text = json_dumps(w, JSON_INDENT(2));
        DRD_FUZZ_CHECK(text != NULL, "the waits report cannot be written as JSON");
        free(text);
        json_decref(w);
    }

    size_t len = 0;
    char *folded = to_memory(path, 0, &len);
    if (folded)
        check_folded(folded, len);
    free(folded);

    char *scope = to_memory(path, 1, &len);
    if (scope) {
        json_error_t je;
        json_t *j = json_loadb(scope, len, 0, &je);
        DRD_FUZZ_CHECK(j != NULL, "speedscope output is not JSON: %s at %d", je.text, je.position);
        DRD_FUZZ_CHECK(json_is_array(json_object_get(j, "profiles")), "speedscope output without profiles");
        json_decref(j);
    }
    free(scope);

    char gz[4200], err[512] = "";
    snprintf(gz, sizeof gz, "%s", drd_fuzz_path("out.pb.gz"));
    if (drd_export_pprof(path, gz, err, sizeof err) == 0)
        check_pprof(gz);
    else
        DRD_FUZZ_CHECK(err[0] != 0, "pprof export refused without a reason");
    return 0;
}
