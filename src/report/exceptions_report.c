/* The exceptions report: counts by type, caught or not, catching methods, and the top throw stacks. */
#include <stdlib.h>
#include <string.h>

#include "report/hotlines.h"
#include "report/rawread.h"
#include "report/report.h"
#include "symbols/symbols.h"

#define TOP_STACKS 5

/* Counts per (type, stack), and per (type, stack, catcher). */
struct group {
    uint32_t type, stack;
    uint64_t thrown, caught;
};

struct catch_count {
    uint32_t type, stack, frame;
    uint64_t count;
};

struct collect {
    struct group *g;
    size_t ng, cg;
    struct catch_count *c;
    size_t nc, cc;
    uint64_t timeline_kept, timeline_left_off; /* 'e' records, and those the library left off the timeline */
};

static struct group *group_for(struct collect *k, uint32_t type, uint32_t stack)
{
    for (size_t i = k->ng; i-- > 0;)
        if (k->g[i].type == type && k->g[i].stack == stack)
            return &k->g[i];
    if (drd_rawread_grow((void **)&k->g, &k->cg, k->ng, sizeof *k->g))
        return NULL;
    k->g[k->ng] = (struct group){type, stack, 0, 0};
    return &k->g[k->ng++];
}

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct collect *k = ctx;
    uint64_t type, stack, frame = 0, count;
    if (strcmp(f[0], "n") == 0) /* a thread's name: for the timeline */
        return 0;
    if (strcmp(f[0], "m") == 0) {
        if (n == 3 && strcmp(f[1], "timeline_left_off") == 0 && drd_rawread_u64(f[2], &k->timeline_left_off)) {
            snprintf(err, cap, "malformed 'm' record");
            return -1;
        }
        return 0; /* other facts are for newer tools */
    }
    if (strcmp(f[0], "e") == 0) { /* one throw or catch with its time: checked by the timeline's reader */
        k->timeline_kept++;
        return 0;
    }
    int is_x = strcmp(f[0], "x") == 0, is_c = strcmp(f[0], "c") == 0;
    if (!is_x && !is_c) {
        snprintf(err, cap, "unknown record '%s' in an exceptions file", f[0]);
        return -1;
    }
    if (n != (is_x ? 4 : 5) || drd_rawread_u64(f[1], &type) || drd_rawread_u64(f[2], &stack) ||
        drd_rawread_u64(f[n - 1], &count) || (is_c && drd_rawread_u64(f[3], &frame)) || type == 0 ||
        type > d->n_types || stack == 0 || stack > d->n_stacks || (is_c && (frame == 0 || frame > d->n_frames)) ||
        count > (1ULL << 48)) {
        snprintf(err, cap, "malformed '%s' record", f[0]);
        return -1;
    }
    struct group *g = group_for(k, (uint32_t)type, (uint32_t)stack);
    if (!g) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    if (is_x) {
        g->thrown += count;
        return 0;
    }
    g->caught += count;
    for (size_t i = 0; i < k->nc; i++)
        if (k->c[i].type == type && k->c[i].stack == stack && k->c[i].frame == frame) {
            k->c[i].count += count;
            return 0;
        }
    if (drd_rawread_grow((void **)&k->c, &k->cc, k->nc, sizeof *k->c)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    k->c[k->nc++] = (struct catch_count){(uint32_t)type, (uint32_t)stack, (uint32_t)frame, count};
    return 0;
}

static int by_type_stack(const void *a, const void *b)
{
    const struct group *x = a, *y = b;
    if (x->type != y->type)
        return (x->type > y->type) - (x->type < y->type);
    return (x->stack > y->stack) - (x->stack < y->stack);
}

static json_t *frames_of(const struct drd_rawdata *d, uint32_t stack)
{
    json_t *arr = json_array();
    const struct drd_rawread_stack *s = &d->stacks[stack - 1];
    for (uint32_t i = 0; i < s->n; i++)
        json_array_append_new(arr, json_string(d->frames[s->frames[i] - 1]));
    return arr;
}

json_t *drd_exceptions_report(const char *raw_path, char *err, size_t cap)
{
    struct collect k = {0};
    struct drd_rawdata d;
    char *buf = NULL;
    json_t *report = NULL;
    if (drd_rawread_load(raw_path, DRD_RAW_READ_MAX, &d, &buf, on_record, &k, err, cap))
        goto out;
    if (k.ng > 1) /* a file without any throw leaves k.g NULL, which qsort must not be given */
        qsort(k.g, k.ng, sizeof *k.g, by_type_stack);
    json_t *types = json_array();
    uint64_t total = 0, total_caught = 0;
    for (size_t i = 0; i < k.ng;) {
        uint32_t type = k.g[i].type;
        json_t *stacks = json_array(), *catchers = json_object();
        uint64_t count = 0, caught = 0;
        size_t j = i;
        for (; j < k.ng && k.g[j].type == type; j++) {
            count += k.g[j].thrown;
            caught += k.g[j].caught;
            json_array_append_new(stacks, json_pack("{s:I,s:o,s:o*}", "count", (json_int_t)k.g[j].thrown, "frames",
                                                    frames_of(&d, k.g[j].stack), "lines",
                                                    drd_lines_stack_json(&d, k.g[j].stack)));
        }
        for (size_t c = 0; c < k.nc; c++) {
            if (k.c[c].type != type)
                continue;
            const char *name = d.frames[k.c[c].frame - 1];
            json_t *cnt = json_object_get(catchers, name);
            json_object_set_new(catchers, name,
                                json_integer((cnt ? json_integer_value(cnt) : 0) + (json_int_t)k.c[c].count));
        }
        drd_report_sort_desc(stacks, "count");
        while (json_array_size(stacks) > TOP_STACKS)
            json_array_remove(stacks, TOP_STACKS);
        json_t *catcher_list = json_array();
        const char *name;
        json_t *v;
        json_object_foreach(catchers, name, v)
        {
            json_array_append_new(catcher_list, json_pack("{s:s,s:I}", "method", name, "count", json_integer_value(v)));
        }
        json_decref(catchers);
        drd_report_sort_desc(catcher_list, "count");
        json_array_append_new(types, json_pack("{s:s,s:I,s:I,s:I,s:o,s:o}", "type", d.types[type - 1], "count",
                                               (json_int_t)count, "caught", (json_int_t)caught, "uncaught",
                                               (json_int_t)(count - caught), "catchers", catcher_list, "stacks",
                                               stacks));
        total += count;
        total_caught += caught;
        i = j;
    }
    drd_report_sort_desc(types, "count");
    report = json_pack("{s:s,s:I,s:I,s:I,s:I,s:b,s:o,s:I,s:I}", "profiler", "exceptions", "total", (json_int_t)total,
                       "caught", (json_int_t)total_caught, "uncaught", (json_int_t)(total - total_caught), "dropped",
                       (json_int_t)d.dropped, "complete", d.ended, "types", types, "timeline_events",
                       (json_int_t)k.timeline_kept, "timeline_left_off", (json_int_t)k.timeline_left_off);
    json_t *lines = report ? drd_lines_summary_json(&d) : NULL;
    if (lines)
        json_object_set_new(report, "lines", lines);
    drd_symbols_attach(report, &d);
out:
    drd_rawdata_free(&d);
    free(buf);
    free(k.g);
    free(k.c);
    return report;
}

void drd_exceptions_print(FILE *out, json_t *r)
{
    json_int_t total = json_integer_value(json_object_get(r, "total"));
    fprintf(out, "%lld exceptions thrown: %lld caught, %lld not caught (unhandled, or still in flight at the end)",
            (long long)total, (long long)json_integer_value(json_object_get(r, "caught")),
            (long long)json_integer_value(json_object_get(r, "uncaught")));
    json_int_t dropped = json_integer_value(json_object_get(r, "dropped"));
    if (dropped)
        fprintf(out, "; %lld more were not recorded (table of distinct stacks full)", (long long)dropped);
    fprintf(out, "\n");
    json_int_t left_off = json_integer_value(json_object_get(r, "timeline_left_off"));
    if (left_off)
        fprintf(out, "The timeline holds %lld throws and catches with their time; %lld more were left off it (its "
                     "share per second or per session was used up; the counts above hold them all)\n",
                (long long)json_integer_value(json_object_get(r, "timeline_events")), (long long)left_off);
    json_t *types = json_object_get(r, "types");
    if (!json_array_size(types))
        return;
    fprintf(out, "\n  %8s %8s %9s  %s\n", "thrown", "caught", "uncaught", "type");
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        fprintf(out, "  %8lld %8lld %9lld  %s\n", (long long)json_integer_value(json_object_get(t, "count")),
                (long long)json_integer_value(json_object_get(t, "caught")),
                (long long)json_integer_value(json_object_get(t, "uncaught")),
                json_string_value(json_object_get(t, "type")));
    }
    json_array_foreach(types, i, t)
    {
        json_int_t count = json_integer_value(json_object_get(t, "count"));
        fprintf(out, "\n%s: %lld thrown\n", json_string_value(json_object_get(t, "type")), (long long)count);
        size_t k;
        json_t *c;
        json_array_foreach(json_object_get(t, "catchers"), k, c)
        {
            fprintf(out, "  caught in %s (%lld)\n", json_string_value(json_object_get(c, "method")),
                    (long long)json_integer_value(json_object_get(c, "count")));
        }
        json_t *s;
        json_array_foreach(json_object_get(t, "stacks"), k, s)
        {
            json_int_t n = json_integer_value(json_object_get(s, "count"));
            fprintf(out, "  thrown %lld times (%.1f%%) from:\n", (long long)n,
                    count ? 100.0 * (double)n / (double)count : 0);
            size_t f;
            json_t *frame;
            json_array_foreach(json_object_get(s, "frames"), f, frame)
            {
                if (f >= 12) {
                    fprintf(out, "      ... %zu more frames\n", json_array_size(json_object_get(s, "frames")) - f);
                    break;
                }
                drd_lines_print_frame(out, "      ", frame, json_object_get(s, "lines"), f);
            }
        }
    }
    drd_lines_summary_print(out, json_object_get(r, "lines"));
}
