/* Source lines in the reports (hotlines.h). */
#include "report/hotlines.h"

#include <stdlib.h>
#include <string.h>

struct hot {
    const char *file, *method;
    uint32_t line;
    uint64_t samples, weight;
};

static int by_place(const void *a, const void *b)
{
    const struct hot *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int by_weight(const void *a, const void *b)
{
    const struct hot *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    if (x->samples != y->samples)
        return x->samples > y->samples ? -1 : 1;
    return by_place(a, b);
}

/* Adds each stack to the innermost frame that has a line (by frame id), then merges frames of the same line. */
static size_t gather(const struct drd_rawdata *d, const uint64_t *samples, const uint64_t *weight, struct hot *h)
{
    for (uint32_t id = 1; id <= d->n_stacks; id++) {
        const struct drd_rawread_stack *st = &d->stacks[id - 1];
        if (!samples[id - 1])
            continue;
        for (uint32_t k = 0; k < st->n; k++) {
            const struct drd_rawread_line *l = drd_rawread_line_of(d, st->frames[k]);
            if (!l)
                continue;
            struct hot *x = &h[st->frames[k] - 1];
            *x = (struct hot){l->file, l->method, l->line, x->samples + samples[id - 1], x->weight + weight[id - 1]};
            break;
        }
    }
    size_t n = 0;
    for (uint32_t i = 0; i < d->n_sites; i++)
        if (h[i].samples)
            h[n++] = h[i];
    if (n > 1)
        qsort(h, n, sizeof *h, by_place);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && by_place(&h[m - 1], &h[i]) == 0) {
            if (h[i].weight > h[m - 1].weight)
                h[m - 1].method = h[i].method; /* the line's heaviest method names it */
            h[m - 1].samples += h[i].samples;
            h[m - 1].weight += h[i].weight;
        } else {
            h[m++] = h[i];
        }
    }
    return m;
}

json_t *drd_hot_lines_json(const struct drd_rawdata *d, const uint64_t *stack_samples, const uint64_t *stack_weight,
                           size_t max)
{
    json_t *arr = json_array();
    if (!d->lines || !d->line_frames || !arr)
        return arr;
    struct hot *h = calloc(d->n_sites, sizeof *h);
    if (!h)
        return arr;
    size_t n = gather(d, stack_samples, stack_weight, h);
    if (n > 1)
        qsort(h, n, sizeof *h, by_weight);
    for (size_t i = 0; i < n && i < max; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:s,s:I,s:I}", "file", h[i].file, "line", (json_int_t)h[i].line,
                                             "method", h[i].method, "self", (json_int_t)h[i].samples, "self_ns",
                                             (json_int_t)h[i].weight));
    free(h);
    return arr;
}

json_t *drd_lines_summary_json(const struct drd_rawdata *d)
{
    if (!d->site_frames)
        return NULL;
    return json_pack("{s:I,s:I,s:s}", "frames", (json_int_t)d->site_frames, "with_line", (json_int_t)d->line_frames,
                     "why", d->lines_why);
}

json_t *drd_lines_stack_json(const struct drd_rawdata *d, uint32_t stack)
{
    const struct drd_rawread_stack *s = &d->stacks[stack - 1];
    json_t *arr = NULL;
    for (uint32_t i = 0; i < s->n; i++) {
        const struct drd_rawread_line *l = drd_rawread_line_of(d, s->frames[i]);
        if (!l)
            continue;
        if (!arr) {
            arr = json_array();
            for (uint32_t k = 0; k < s->n; k++)
                json_array_append_new(arr, json_null());
        }
        json_array_set_new(arr, i, json_pack("{s:s,s:I}", "file", l->file, "line", (json_int_t)l->line));
    }
    return arr;
}

const char *drd_path_base(const char *path)
{
    const char *s = strrchr(path, '/'), *b = strrchr(path, '\\');
    if (b && (!s || b > s))
        s = b;
    return s ? s + 1 : path;
}

void drd_lines_print_frame(FILE *out, const char *indent, json_t *frame, json_t *lines, size_t k)
{
    json_t *line = json_array_get(lines, k);
    const char *file = json_string_value(json_object_get(line, "file"));
    const char *name = json_string_value(frame);
    if (file)
        fprintf(out, "%sat %s (%s:%lld)\n", indent, name, drd_path_base(file),
                (long long)json_integer_value(json_object_get(line, "line")));
    else
        fprintf(out, "%sat %s\n", indent, name);
}

void drd_lines_summary_print(FILE *out, json_t *summary)
{
    const char *why = json_string_value(json_object_get(summary, "why"));
    if (why && *why)
        fprintf(out, "\nSource lines: %s.\n", why);
}

void drd_hot_lines_print(FILE *out, json_t *hot, json_t *summary, json_int_t whole, int by_ns, size_t max)
{
    if (json_array_size(hot)) {
        fprintf(out, "\nHot lines (self time by the innermost source line of each sample):\n");
        fprintf(out, "  %7s %10s  %s\n", "self", "self ms", "line");
        size_t i;
        json_t *v;
        json_array_foreach(hot, i, v)
        {
            if (i >= max)
                break;
            json_int_t part = json_integer_value(json_object_get(v, by_ns ? "self_ns" : "self"));
            fprintf(out, "  %6.1f%% %10.1f  %s:%lld  %s\n", whole ? 100.0 * (double)part / (double)whole : 0.0,
                    (double)json_integer_value(json_object_get(v, "self_ns")) / 1e6,
                    drd_path_base(json_string_value(json_object_get(v, "file"))),
                    (long long)json_integer_value(json_object_get(v, "line")),
                    json_string_value(json_object_get(v, "method")));
        }
    }
    drd_lines_summary_print(out, summary);
}
