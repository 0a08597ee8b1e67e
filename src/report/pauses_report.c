/* The runtime-pauses report: how often and how long the runtime stopped the app, and why. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/rawread.h"
#include "report/report.h"

#define LONGEST 10

struct pause {
    uint64_t start_ns, duration_ns;
    int reason, generation, induced;
};

struct collect {
    struct pause *p;
    size_t n, cap;
};

static int parse_int(const char *s, long long lo, long long hi, int *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct collect *k = ctx;
    (void)d;
    if (strcmp(f[0], "m") == 0 || strcmp(f[0], "n") == 0) /* facts; thread names, for the timeline */
        return 0;
    if (strcmp(f[0], "u") != 0) {
        snprintf(err, cap, "unknown record '%s' in a runtime-pauses file", f[0]);
        return -1;
    }
    struct pause p;
    uint64_t tid = 0; /* the 7th field, since the timeline: who suspended the runtime */
    if ((n != 6 && n != 7) || (n == 7 && (drd_rawread_u64(f[6], &tid) || tid > UINT32_MAX)) ||
        drd_rawread_u64(f[1], &p.start_ns) || drd_rawread_u64(f[2], &p.duration_ns) ||
        parse_int(f[3], 0, 64, &p.reason) || parse_int(f[4], -1, 2, &p.generation) ||
        parse_int(f[5], 0, 1, &p.induced) || p.duration_ns > (1ULL << 50)) {
        snprintf(err, cap, "malformed pause record");
        return -1;
    }
    if (k->n == k->cap) {
        size_t ncap = k->cap ? k->cap * 2 : 1024;
        struct pause *np = realloc(k->p, ncap * sizeof *np);
        if (!np) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        k->p = np;
        k->cap = ncap;
    }
    k->p[k->n++] = p;
    return 0;
}

const char *drd_pause_reason_name(int reason)
{
    switch (reason) {
    case 1: return "gc";
    case 7: return "gc-prep";
    case 9: return "profiler";
    case 2: return "appdomain-shutdown";
    case 3: return "code-pitching";
    case 4: return "shutdown";
    case 6: return "debugger";
    case 8: return "rejit";
    default: return "other";
    }
}

static int by_duration(const void *a, const void *b)
{
    const struct pause *x = *(struct pause *const *)a, *y = *(struct pause *const *)b;
    return (x->duration_ns < y->duration_ns) - (x->duration_ns > y->duration_ns);
}

/* The q-quantile of sorted durations (nearest rank), in ms. */
static double quantile(struct pause **sorted_desc, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t)ceil(q * (double)n); /* 1-based, ascending */
    if (rank < 1)
        rank = 1;
    return (double)sorted_desc[n - rank]->duration_ns / 1e6;
}

static json_t *pause_json(const struct pause *p)
{
    return json_pack("{s:f,s:f,s:s,s:i,s:s}", "start_ms", (double)p->start_ns / 1e6, "duration_ms",
                     (double)p->duration_ns / 1e6, "reason", drd_pause_reason_name(p->reason), "generation",
                     p->generation, "kind", p->generation < 0 ? "" : p->induced ? "induced" : "automatic");
}

json_t *drd_pauses_report(const char *raw_path, double wall_ms, char *err, size_t cap)
{
    struct collect k = {0};
    struct drd_rawdata d;
    char *buf = NULL;
    json_t *report = NULL;
    struct pause **order = NULL;
    if (drd_rawread_load(raw_path, DRD_RAW_READ_MAX, &d, &buf, on_record, &k, err, cap))
        goto out;
    order = malloc((k.n ? k.n : 1) * sizeof *order);
    if (!order) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    uint64_t total_ns = 0;
    long long gens[3] = {0, 0, 0};
    json_t *by_reason = json_object(), *timeline = json_array();
    for (size_t i = 0; i < k.n; i++) {
        struct pause *p = &k.p[i];
        order[i] = p;
        total_ns += p->duration_ns;
        if (p->generation >= 0)
            gens[p->generation]++;
        const char *r = drd_pause_reason_name(p->reason);
        json_t *e = json_object_get(by_reason, r);
        if (!e) {
            e = json_pack("{s:I,s:f}", "count", (json_int_t)0, "total_ms", 0.0);
            json_object_set_new(by_reason, r, e);
        }
        json_object_set_new(e, "count", json_integer(json_integer_value(json_object_get(e, "count")) + 1));
        json_object_set_new(e, "total_ms",
                            json_real(json_real_value(json_object_get(e, "total_ms")) + (double)p->duration_ns / 1e6));
        json_array_append_new(timeline, json_pack("[f,f,s,i]", (double)p->start_ns / 1e6,
                                                  (double)p->duration_ns / 1e6, r, p->generation));
    }
    qsort(order, k.n, sizeof *order, by_duration);
    json_t *longest = json_array();
    for (size_t i = 0; i < k.n && i < LONGEST; i++)
        json_array_append_new(longest, pause_json(order[i]));
    double paused_ms = (double)total_ns / 1e6;
    report = json_pack("{s:s,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I,s:{s:I,s:I,s:I},s:o,s:o,s:o}", "profiler",
                       "runtime-pauses", "count", (json_int_t)k.n, "paused_ms", paused_ms, "wall_ms", wall_ms,
                       "paused_share", wall_ms > 0 ? paused_ms / wall_ms : 0.0, "p50_ms", quantile(order, k.n, 0.50),
                       "p95_ms", quantile(order, k.n, 0.95), "p99_ms", quantile(order, k.n, 0.99), "max_ms",
                       k.n ? (double)order[0]->duration_ns / 1e6 : 0.0, "dropped", (json_int_t)d.dropped, "gcs",
                       "gen0", (json_int_t)gens[0], "gen1", (json_int_t)gens[1], "gen2", (json_int_t)gens[2],
                       "by_reason", by_reason, "longest", longest, "timeline", timeline);
out:
    free(order);
    drd_rawdata_free(&d);
    free(buf);
    free(k.p);
    return report;
}

void drd_pauses_print(FILE *out, json_t *r)
{
    fprintf(out, "%lld pauses, %.1f ms in all: %.2f%% of %.1f s\n",
            (long long)json_integer_value(json_object_get(r, "count")),
            json_real_value(json_object_get(r, "paused_ms")),
            100.0 * json_real_value(json_object_get(r, "paused_share")),
            json_real_value(json_object_get(r, "wall_ms")) / 1000.0);
    fprintf(out, "p50 %.3f ms, p95 %.3f ms, p99 %.3f ms, max %.3f ms\n", json_real_value(json_object_get(r, "p50_ms")),
            json_real_value(json_object_get(r, "p95_ms")), json_real_value(json_object_get(r, "p99_ms")),
            json_real_value(json_object_get(r, "max_ms")));
    json_t *g = json_object_get(r, "gcs");
    fprintf(out, "GCs: gen0 %lld, gen1 %lld, gen2 %lld\n\n", (long long)json_integer_value(json_object_get(g, "gen0")),
            (long long)json_integer_value(json_object_get(g, "gen1")),
            (long long)json_integer_value(json_object_get(g, "gen2")));
    fprintf(out, "  %-20s %8s %12s\n", "reason", "count", "total ms");
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(r, "by_reason"), name, v)
    {
        fprintf(out, "  %-20s %8lld %12.3f\n", name, (long long)json_integer_value(json_object_get(v, "count")),
                json_real_value(json_object_get(v, "total_ms")));
    }
    fprintf(out, "\nlongest pauses:\n  %10s %12s  %-10s %s\n", "at ms", "duration ms", "reason", "generation");
    size_t i;
    json_array_foreach(json_object_get(r, "longest"), i, v)
    {
        int gen = (int)json_integer_value(json_object_get(v, "generation"));
        fprintf(out, "  %10.1f %12.3f  %-10s %s%s%s\n", json_real_value(json_object_get(v, "start_ms")),
                json_real_value(json_object_get(v, "duration_ms")), json_string_value(json_object_get(v, "reason")),
                gen < 0 ? "-" : gen == 0 ? "gen0" : gen == 1 ? "gen1" : "gen2", gen < 0 ? "" : " ",
                json_string_value(json_object_get(v, "kind")));
    }
}
