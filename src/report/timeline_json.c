/* The session's timeline as the web page reads it (timeline.h: drd_timeline_write_json): every string once in a
 * table of labels, every stack once, then one column per field. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/report.h"
#include "report/timeline.h"

/* Strings interned by content: index + 1 in an open-addressing table (a power of two, at most half full). */
struct interner {
    const char **strings; /* by index */
    char **owned; /* the strings made here (labels), freed at the end */
    size_t n, cap, n_owned, cap_owned;
    uint32_t *slots;
    size_t n_slots;
};

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int rehash(struct interner *in)
{
    size_t n = in->n_slots ? in->n_slots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < in->n; i++)
        for (size_t j = hash_str(in->strings[i]) & (n - 1);; j = (j + 1) & (n - 1))
            if (!slots[j]) {
                slots[j] = (uint32_t)i + 1;
                break;
            }
    free(in->slots);
    in->slots = slots;
    in->n_slots = n;
    return 0;
}

/* The index of s (kept by pointer: it must outlive the interner), adding it. Returns -1 when out of memory. */
static long intern(struct interner *in, const char *s)
{
    if ((in->n + 1) * 2 > in->n_slots && rehash(in))
        return -1;
    size_t j = hash_str(s) & (in->n_slots - 1);
    for (; in->slots[j]; j = (j + 1) & (in->n_slots - 1))
        if (strcmp(in->strings[in->slots[j] - 1], s) == 0)
            return (long)in->slots[j] - 1;
    if (drd_rawread_grow((void **)&in->strings, &in->cap, in->n, sizeof *in->strings))
        return -1;
    in->strings[in->n] = s;
    in->slots[j] = (uint32_t)++in->n;
    return (long)in->n - 1;
}

/* intern() of a label made here (copied, freed with the interner). */
static long intern_copy(struct interner *in, const char *s)
{
    size_t before = in->n;
    char *copy = strdup(s);
    if (!copy || drd_rawread_grow((void **)&in->owned, &in->cap_owned, in->n_owned, sizeof *in->owned)) {
        free(copy);
        return -1;
    }
    long i = intern(in, copy);
    if (i < 0 || in->n == before) { /* known already (or no memory): this copy is not needed */
        free(copy);
        return i;
    }
    in->owned[in->n_owned++] = copy;
    return i;
}

static void interner_free(struct interner *in)
{
    for (size_t i = 0; i < in->n_owned; i++)
        free(in->owned[i]);
    free(in->owned);
    free(in->strings);
    free(in->slots);
}

/* An event's label: its leaf frame (CPU samples, waits), its type (exceptions, allocations), or a sentence (pauses,
 * locks). Returns the label's index, or -1 when out of memory. */
static long label_of(struct interner *in, const struct drd_timeline *t, const struct drd_tl_event *e)
{
    char text[160];
    uint32_t n;
    const uint32_t *frames = drd_timeline_stack(t, e, &n);
    switch (e->kind) {
    case DRD_TL_PAUSE:
        if (e->generation >= 0)
            snprintf(text, sizeof text, "GC gen %d%s", e->generation, e->induced ? " (induced)" : "");
        else
            snprintf(text, sizeof text, "pause: %s", drd_pause_reason_name((int)e->key));
        return intern_copy(in, text);
    case DRD_TL_LOCK:
        snprintf(text, sizeof text, "lock %llu", (unsigned long long)e->key);
        return intern_copy(in, text);
    case DRD_TL_THROW:
    case DRD_TL_CATCH:
    case DRD_TL_ALLOC:
        return intern(in, drd_timeline_type(t, e));
    default:
        return n ? intern(in, drd_timeline_frame_name(t, e->file, frames[0])) : intern(in, "(no stack)");
    }
}

/* The index of thread tid in the activity order. */
static long thread_index(const struct drd_timeline *t, const uint32_t *rank, uint32_t tid)
{
    const struct drd_tl_thread *th = drd_timeline_thread(t, tid);
    return th ? (long)rank[th - t->threads] : -1;
}

static int busier(const void *a, const void *b)
{
    const struct drd_tl_thread *x = *(const struct drd_tl_thread *const *)a;
    const struct drd_tl_thread *y = *(const struct drd_tl_thread *const *)b;
    if (x->busy_ns != y->busy_ns)
        return (x->busy_ns < y->busy_ns) - (x->busy_ns > y->busy_ns);
    if (x->events != y->events)
        return (x->events < y->events) - (x->events > y->events);
    return (x->tid > y->tid) - (x->tid < y->tid);
}

/* The threads, busiest first; rank[i] is the place of t->threads[i]. Returns 0 or -1 (out of memory). */
static int put_threads(FILE *out, const struct drd_timeline *t, uint32_t *rank)
{
    const struct drd_tl_thread **order = malloc((t->n_threads ? t->n_threads : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < t->n_threads; i++)
        order[i] = &t->threads[i];
    qsort(order, t->n_threads, sizeof *order, busier);
    fputs("\"threads\":[", out);
    for (size_t i = 0; i < t->n_threads; i++) {
        rank[order[i] - t->threads] = (uint32_t)i;
        fprintf(out, "%s{\"tid\":%u,\"name\":", i ? "," : "", order[i]->tid);
        drd_report_put_json_str(out, order[i]->name);
        fprintf(out, ",\"events\":%llu,\"busy_ns\":%llu}", (unsigned long long)order[i]->events,
                (unsigned long long)order[i]->busy_ns);
    }
    fputs("]", out);
    free(order);
    return 0;
}

/* Labels and stacks for every event: lab[i] and stk[i] (-1: none). Returns 0 or -1 (out of memory). */
static int index_events(const struct drd_timeline *t, struct interner *in, long *lab, long *stk, long *n_stacks,
                        long **stack_ids)
{
    long *first[DRD_TL_MAX_FILES] = {0}; /* per file, stack id -> index + 1 */
    int rc = -1;
    for (int f = 0; f < t->n_files; f++)
        if (!(first[f] = calloc(t->files[f].d.n_stacks + 1, sizeof **first)))
            goto out;
    *n_stacks = 0;
    for (size_t i = 0; i < t->n; i++) {
        const struct drd_tl_event *e = &t->ev[i];
        if ((lab[i] = label_of(in, t, e)) < 0)
            goto out;
        stk[i] = -1;
        if (!e->stack)
            continue;
        long *slot = &first[e->file][e->stack];
        if (!*slot) {
            *slot = ++*n_stacks;
            stack_ids[e->file][e->stack] = *slot - 1;
        }
        stk[i] = *slot - 1;
    }
    rc = 0;
out:
    for (int f = 0; f < t->n_files; f++)
        free(first[f]);
    return rc;
}

/* The stacks in index order: each a list of label indices, leaf first. Returns 0 or -1. */
static int put_stacks(FILE *out, const struct drd_timeline *t, struct interner *in, long n_stacks, long **stack_ids)
{
    struct {
        int file;
        uint32_t stack;
    } *by_index = calloc((size_t)n_stacks + 1, sizeof *by_index);
    if (!by_index)
        return -1;
    for (int f = 0; f < t->n_files; f++)
        for (uint32_t s = 1; s <= t->files[f].d.n_stacks; s++)
            if (stack_ids[f][s] >= 0)
                by_index[stack_ids[f][s]].file = f, by_index[stack_ids[f][s]].stack = s;
    fputs("\"stacks\":[", out);
    for (long i = 0; i < n_stacks; i++) {
        const struct drd_rawread_stack *st = &t->files[by_index[i].file].d.stacks[by_index[i].stack - 1];
        fputs(i ? ",[" : "[", out);
        for (uint32_t k = 0; k < st->n; k++) {
            long l = intern(in, drd_timeline_frame_name(t, by_index[i].file, st->frames[k]));
            if (l < 0) {
                free(by_index);
                return -1;
            }
            fprintf(out, "%s%ld", k ? "," : "", l);
        }
        fputs("]", out);
    }
    fputs("]", out);
    free(by_index);
    return 0;
}

static void put_column(FILE *out, const char *name, const struct drd_timeline *t, const long *v, int which)
{
    fprintf(out, ",\n\"%s\":[", name);
    for (size_t i = 0; i < t->n; i++) {
        const struct drd_tl_event *e = &t->ev[i];
        if (i)
            fputc(',', out);
        switch (which) {
        case 0: fprintf(out, "%d", e->kind); break;
        case 1: fprintf(out, "%llu", (unsigned long long)e->ns); break;
        case 2: fprintf(out, "%llu", (unsigned long long)e->dur); break;
        case 3: fprintf(out, "%u", e->owner); break;
        default: fprintf(out, "%ld", v[i]); break;
        }
    }
    fputc(']', out);
}

/* Writes the document of a loaded timeline. Returns 0 or -1 (out of memory). */
static int put_document(FILE *out, const struct drd_timeline *t, json_t *session)
{
    struct interner in = {0};
    long *lab = malloc((t->n + 1) * sizeof *lab), *stk = malloc((t->n + 1) * sizeof *stk);
    long *thr = malloc((t->n + 1) * sizeof *thr), n_stacks = 0;
    uint32_t *rank = calloc(t->n_threads + 1, sizeof *rank);
    long *stack_ids[DRD_TL_MAX_FILES] = {0};
    int rc = -1;
    if (!lab || !stk || !thr || !rank)
        goto out;
    for (int f = 0; f < t->n_files; f++) {
        if (!(stack_ids[f] = malloc((t->files[f].d.n_stacks + 1) * sizeof **stack_ids)))
            goto out;
        memset(stack_ids[f], 0xff, (t->files[f].d.n_stacks + 1) * sizeof **stack_ids); /* -1: unused */
    }
    if (index_events(t, &in, lab, stk, &n_stacks, stack_ids))
        goto out;
    fputs("{\"session\":", out);
    drd_report_put_json_str(out, json_string_value(json_object_get(session, "id")));
    fprintf(out, ",\"zero_wall_ns\":%lld,\"zero_monotonic_ns\":%llu,\"end_ns\":%llu,\"left_off\":%llu,\"kinds\":[",
            (long long)t->zero_wall_ns, (unsigned long long)t->zero_mono_ns, (unsigned long long)t->end_ns,
            (unsigned long long)t->left_off);
    for (int k = 0; k < DRD_TL_KINDS; k++)
        fprintf(out, "%s\"%s\"", k ? "," : "", drd_timeline_kind_name(k));
    fputs("],\n", out);
    if (put_threads(out, t, rank))
        goto out;
    for (size_t i = 0; i < t->n; i++)
        thr[i] = thread_index(t, rank, t->ev[i].tid);
    fputs(",\n", out);
    if (put_stacks(out, t, &in, n_stacks, stack_ids))
        goto out;
    fputs(",\n\"labels\":[", out);
    for (size_t i = 0; i < in.n; i++) {
        if (i)
            fputc(',', out);
        drd_report_put_json_str(out, in.strings[i]);
    }
    fputc(']', out);
    put_column(out, "kind", t, NULL, 0);
    put_column(out, "thread", t, thr, 4);
    put_column(out, "start", t, NULL, 1);
    put_column(out, "dur", t, NULL, 2);
    put_column(out, "label", t, lab, 4);
    put_column(out, "stack", t, stk, 4);
    put_column(out, "owner", t, NULL, 3);
    fputs("}\n", out);
    rc = 0;
out:
    for (int f = 0; f < t->n_files; f++)
        free(stack_ids[f]);
    interner_free(&in);
    free(lab);
    free(stk);
    free(thr);
    free(rank);
    return rc;
}

int drd_timeline_write_json(const char *dir, FILE *out, char *err, size_t cap)
{
    json_t *session = drd_session_load_any(dir, err, cap);
    if (!session)
        return -1;
    struct drd_timeline t;
    int rc = drd_timeline_load(dir, session, &t, err, cap);
    if (rc == 0 && (rc = put_document(out, &t, session)) != 0)
        snprintf(err, cap, "out of memory");
    if (rc == 0 && ferror(out)) {
        snprintf(err, cap, "write error");
        rc = -1;
    }
    drd_timeline_free(&t);
    json_decref(session);
    return rc;
}
