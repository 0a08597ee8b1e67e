/* The duplicated-strings report: values held more than once, by bytes wasted. */
#include <stdlib.h>
#include <string.h>

#include "report/rawread.h"
#include "report/report.h"

struct collect {
    json_t *facts; /* the m records */
    json_t *top;
};

/* Undoes the writer's escapes (\\ \t \n \r) in place. Returns 0, or -1 on a dangling or unknown escape. */
static int unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        r++;
        switch (*r) {
        case '\\': *w++ = '\\'; break;
        case 't': *w++ = '\t'; break;
        case 'n': *w++ = '\n'; break;
        case 'r': *w++ = '\r'; break;
        default: return -1;
        }
    }
    *w = 0;
    return 0;
}

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct collect *k = ctx;
    (void)d;
    uint64_t v[4];
    if (strcmp(f[0], "m") == 0) {
        if (n != 3 || drd_rawread_u64(f[2], &v[0]) || strlen(f[1]) > 32) {
            snprintf(err, cap, "malformed fact record");
            return -1;
        }
        json_object_set_new(k->facts, f[1], json_integer((json_int_t)v[0]));
        return 0;
    }
    if (strcmp(f[0], "d") != 0) {
        snprintf(err, cap, "unknown record '%s' in a duplicated-strings file", f[0]);
        return -1;
    }
    if (n != 6 || drd_rawread_u64(f[1], &v[0]) || drd_rawread_u64(f[2], &v[1]) || drd_rawread_u64(f[3], &v[2]) ||
        drd_rawread_u64(f[4], &v[3]) || v[0] < 2 || v[0] > (1ULL << 40) || v[2] > (1ULL << 40) || v[3] > (1ULL << 50) ||
        unescape(f[5])) {
        snprintf(err, cap, "malformed duplicate record");
        return -1;
    }
    json_t *value = json_string(f[5]);
    if (!value) { /* not valid UTF-8: the writer cut a character; keep what can be shown */
        snprintf(err, cap, "a value is not valid UTF-8");
        return -1;
    }
    json_array_append_new(k->top, json_pack("{s:o,s:I,s:I,s:I,s:I}", "value", value, "count", (json_int_t)v[0],
                                            "length", (json_int_t)v[1], "size", (json_int_t)v[2], "wasted",
                                            (json_int_t)v[3]));
    return 0;
}

static json_int_t fact(json_t *facts, const char *k)
{
    return json_integer_value(json_object_get(facts, k));
}

json_t *drd_strings_report(const char *raw_path, char *err, size_t cap)
{
    struct collect k = {json_object(), json_array()};
    struct drd_rawdata d;
    char *buf = NULL;
    json_t *report = NULL;
    if (drd_rawread_load(raw_path, DRD_RAW_READ_MAX, &d, &buf, on_record, &k, err, cap))
        goto out;
    report = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:f,s:I,s:O}", "profiler", "duplicated-strings", "strings",
                       fact(k.facts, "strings"), "string_bytes", fact(k.facts, "string_bytes"), "distinct",
                       fact(k.facts, "distinct"), "duplicated_values", fact(k.facts, "duplicated_values"),
                       "wasted_bytes", fact(k.facts, "wasted_bytes"), "pause_ms",
                       (double)fact(k.facts, "pause_ns") / 1e6, "overflow", fact(k.facts, "overflow"), "top", k.top);
out:
    json_decref(k.facts);
    json_decref(k.top);
    drd_rawdata_free(&d);
    free(buf);
    return report;
}

void drd_strings_print(FILE *out, json_t *r)
{
    fprintf(out, "%lld strings (%lld bytes), %lld distinct values; %lld values held more than once waste %lld bytes\n",
            (long long)json_integer_value(json_object_get(r, "strings")),
            (long long)json_integer_value(json_object_get(r, "string_bytes")),
            (long long)json_integer_value(json_object_get(r, "distinct")),
            (long long)json_integer_value(json_object_get(r, "duplicated_values")),
            (long long)json_integer_value(json_object_get(r, "wasted_bytes")));
    fprintf(out, "the heap walk paused the target for %.1f ms\n", json_real_value(json_object_get(r, "pause_ms")));
    if (json_integer_value(json_object_get(r, "overflow")))
        fprintf(out, "%lld strings were not counted: more distinct values than max_distinct\n",
                (long long)json_integer_value(json_object_get(r, "overflow")));
    fprintf(out, "\n  %8s %12s %8s  %s\n", "count", "wasted B", "length", "value");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "top"), i, t)
    {
        char shown[128];
        snprintf(shown, sizeof shown, "%s", json_string_value(json_object_get(t, "value")));
        for (char *p = shown; *p; p++)
            if ((unsigned char)*p < 0x20)
                *p = ' ';
        fprintf(out, "  %8lld %12lld %8lld  \"%s\"%s\n", (long long)json_integer_value(json_object_get(t, "count")),
                (long long)json_integer_value(json_object_get(t, "wasted")),
                (long long)json_integer_value(json_object_get(t, "length")), shown,
                strlen(json_string_value(json_object_get(t, "value"))) >= sizeof shown ? "..." : "");
    }
}
