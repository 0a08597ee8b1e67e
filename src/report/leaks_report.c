/* The leaks report: the types whose live count and retained bytes grew at every step from one heap snapshot to the
 * next, what holds their new instances, and (when allocations ran in the same session) where they were allocated;
 * led by a verdict sentence. Each snapshot is analysed as heap-snapshot's one is (heap_graph.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fsutil.h"
#include "report/heap_graph.h"
#include "report/rawread.h"
#include "report/report.h"

#define MAX_SNAPSHOTS 20 /* as the library takes at most */
#define TOP_GROWING 20 /* growing types in the report, most retained growth first */
#define PATH_STEPS 64 /* types kept per retention path, from the object up; a longer path is cut at its root end */
#define MAX_SIGNATURES 64 /* distinct paths counted per type; the instances of others are not told apart */
#define TOP_ALLOC_STACKS 3
#define WALK_STEPS 4096 /* objects walked up a path before it jumps to its root (a long chain of one type) */

/* One snapshot as leaks.raw's 'g' line describes it. */
struct snap {
    uint64_t offset, bytes, at_ms, objects, heap_bytes, pause_ns, gc_ns;
};

struct leaks_meta {
    struct meta heap; /* the classes and static fields, as heap-snapshot.raw has them */
    struct snap snaps[MAX_SNAPSHOTS];
    int n;
    uint64_t interval_ms, asked; /* as the library was asked (0: the file does not say) */
};

/* What the retention paths need of a snapshot's graph, kept after its analysis (the first and the last). */
struct kept {
    uint32_t n;
    uint32_t *type, *from, *rootpos; /* by node; rootpos: the preferred root of a root node, NONE for others */
    uint32_t *top; /* by node: the root node its path starts at, NONE for an unreachable one */
    struct root *roots;
};

/* Per type and snapshot: count, shallow and retained bytes. */
struct stats {
    uint32_t n_types;
    int n;
    uint64_t *count, *shallow, *retained; /* [snapshot * (n_types + 1) + type] */
};

/* One distinct path to a type's instances: the root, then the types from the root's object down (repeats of one
 * type in a row folded into one step). */
struct signature {
    uint8_t kind, cut;
    uint32_t field;
    uint32_t steps, types[PATH_STEPS], repeat[PATH_STEPS];
    uint64_t first, last; /* instances it holds in the first and the last snapshot */
};

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct leaks_meta *m = ctx;
    if (strcmp(f[0], "g") == 0) {
        uint64_t k, v[7];
        if (n != 9 || drd_rawread_u64(f[1], &k)) {
            snprintf(err, cap, "malformed snapshot record");
            return -1;
        }
        for (int i = 0; i < 7; i++)
            if (drd_rawread_u64(f[2 + i], &v[i])) {
                snprintf(err, cap, "malformed snapshot record");
                return -1;
            }
        if (k != (uint64_t)m->n + 1 || m->n == MAX_SNAPSHOTS) {
            snprintf(err, cap, "snapshot %llu out of order (or more than %d)", (unsigned long long)k, MAX_SNAPSHOTS);
            return -1;
        }
        m->snaps[m->n++] = (struct snap){v[0], v[1], v[2], v[3], v[4], v[5], v[6]};
        return 0;
    }
    if (strcmp(f[0], "m") == 0 && n == 3 && strcmp(f[1], "interval_ms") == 0)
        return drd_rawread_u64(f[2], &m->interval_ms) ? (snprintf(err, cap, "malformed fact record"), -1) : 0;
    if (strcmp(f[0], "m") == 0 && n == 3 && strcmp(f[1], "snapshots_asked") == 0)
        return drd_rawread_u64(f[2], &m->asked) ? (snprintf(err, cap, "malformed fact record"), -1) : 0;
    return drd_heap_meta_record(&m->heap, d, f, n, err, cap);
}

static void kept_free(struct kept *k)
{
    free(k->type);
    free(k->from);
    free(k->rootpos);
    free(k->top);
    free(k->roots);
    memset(k, 0, sizeof *k);
}

/* Fills k->top: the root node each reachable node's path starts at, in one pass (a path's nodes are given their
 * root as it is found). Returns 0 or -1. */
static int find_tops(struct kept *k)
{
    uint32_t *stack = drd_heap_alloc(k->n, sizeof *stack);
    k->top = drd_heap_alloc(k->n, sizeof *k->top);
    if (!stack || !k->top) {
        free(stack);
        return -1;
    }
    for (uint32_t v = 0; v < k->n; v++)
        k->top[v] = NONE;
    for (uint32_t v = 0; v < k->n; v++) {
        if (k->from[v] == NONE || k->top[v] != NONE)
            continue;
        size_t sp = 0;
        uint32_t x = v;
        while (k->top[x] == NONE && k->from[x] != k->n) {
            stack[sp++] = x;
            x = k->from[x];
        }
        uint32_t r = k->top[x] != NONE ? k->top[x] : x;
        k->top[x] = r;
        while (sp)
            k->top[stack[--sp]] = r;
    }
    free(stack);
    return 0;
}

/* Takes from g and t what the paths need, and marks each root node with its preferred root. Returns 0 or -1. */
static int keep(struct graph *g, struct dom *t, struct kept *k)
{
    k->n = g->n;
    k->type = g->type;
    k->from = t->from;
    k->rootpos = drd_heap_root_pos(g);
    k->roots = g->roots;
    g->type = NULL;
    t->from = NULL;
    g->roots = NULL;
    if (!k->rootpos)
        return -1;
    return find_tops(k);
}

/* Analyses snapshot s: fills its row of st; with into, keeps what its paths need. Returns 0, or -1 with err. */
static int analyse(const char *gpath, const struct leaks_meta *lm, int s, struct stats *st, struct kept *into,
                   char *err, size_t cap)
{
    struct meta m = lm->heap;
    struct graph g = {0};
    struct dom t = {0};
    int rc = -1;
    m.objects = lm->snaps[s].objects;
    if (drd_heap_graph_load_part(gpath, lm->snaps[s].offset, lm->snaps[s].bytes, &m, &g, err, cap))
        goto out;
    free(g.slot);
    free(g.ids);
    g.slot = NULL;
    g.ids = NULL;
    if (drd_heap_bfs(&g, &t) || drd_heap_dominate(&g, &t) || drd_heap_retain(&g, st->n_types, &t)) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    size_t row = (size_t)s * (st->n_types + 1);
    for (uint32_t i = 0; i < g.n; i++) {
        st->count[row + g.type[i]]++;
        st->shallow[row + g.type[i]] += g.size[i];
    }
    for (uint32_t ty = 1; ty <= st->n_types; ty++)
        st->retained[row + ty] = t.type_retained[ty];
    if (into && keep(&g, &t, into)) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    rc = 0;
out:
    drd_heap_dom_free(&t);
    drd_heap_graph_free(&g);
    return rc;
}

static uint64_t at(const struct stats *st, const uint64_t *a, int s, uint32_t type)
{
    return a[(size_t)s * (st->n_types + 1) + type];
}

/* 1 when type's count and retained bytes grew from each snapshot to the next. */
static int grew_every_step(const struct stats *st, uint32_t type)
{
    for (int s = 1; s < st->n; s++)
        if (at(st, st->count, s, type) <= at(st, st->count, s - 1, type) ||
            at(st, st->retained, s, type) <= at(st, st->retained, s - 1, type))
            return 0;
    return 1;
}

/* A growing type with what orders it: its retained growth, then its count growth, largest first. */
struct grower {
    uint32_t type;
    uint64_t retained, count;
};

static int by_growth(const void *a, const void *b)
{
    const struct grower *x = a, *y = b;
    if (x->retained != y->retained)
        return x->retained < y->retained ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return (x->type > y->type) - (x->type < y->type);
}

/* The path from a root down to node v in sig (types only; first/last left as they are). */
static void path_of(const struct kept *k, uint32_t v, struct signature *sig)
{
    uint32_t up[PATH_STEPS], rep[PATH_STEPS];
    uint32_t n = 0, walked = 0;
    sig->cut = 0;
    for (;;) {
        uint32_t ty = k->type[v];
        if (n > 0 && up[n - 1] == ty)
            rep[n - 1]++;
        else if (n < PATH_STEPS) {
            up[n] = ty;
            rep[n++] = 1;
        } else {
            sig->cut = 1; /* the steps nearest the root are left out: the root itself is still named */
        }
        if (k->from[v] == k->n || k->from[v] == NONE)
            break;
        if (++walked == WALK_STEPS) {
            sig->cut = 1;
            v = k->top[v];
            break;
        }
        v = k->from[v];
    }
    uint32_t r = k->rootpos[v];
    sig->kind = r == NONE ? ROOT_OTHER : k->roots[r].kind;
    sig->field = r == NONE || sig->kind != ROOT_STATIC ? 0 : k->roots[r].field;
    sig->steps = n;
    for (uint32_t i = 0; i < n; i++) {
        sig->types[i] = up[n - 1 - i];
        sig->repeat[i] = rep[n - 1 - i];
    }
}

static int same_path(const struct signature *a, const struct signature *b)
{
    return a->kind == b->kind && a->field == b->field && a->cut == b->cut && a->steps == b->steps &&
           memcmp(a->types, b->types, a->steps * sizeof *a->types) == 0;
}

/* Counts type's reachable instances in k by path into sigs (*n of them, at most MAX_SIGNATURES), adding to first
 * or last. */
static void count_paths(const struct kept *k, uint32_t type, int last, struct signature *sigs, size_t *n)
{
    struct signature cur;
    for (uint32_t v = 0; v < k->n; v++) {
        if (k->type[v] != type || k->from[v] == NONE)
            continue;
        path_of(k, v, &cur);
        size_t i = 0;
        while (i < *n && !same_path(&sigs[i], &cur))
            i++;
        if (i == *n) {
            if (*n == MAX_SIGNATURES)
                continue;
            cur.first = cur.last = 0;
            sigs[(*n)++] = cur;
        }
        if (last)
            sigs[i].last++;
        else
            sigs[i].first++;
    }
}

static json_t *path_json(const struct signature *s, const struct meta *m, const struct drd_rawdata *d)
{
    json_t *path = json_array();
    if (s->kind == ROOT_STATIC)
        json_array_append_new(path, json_pack("{s:s,s:s}", "root", "static", "field", m->fields[s->field].name));
    else
        json_array_append_new(path, json_pack("{s:s}", "root", drd_heap_root_names[s->kind]));
    if (s->cut)
        json_array_append_new(path, json_pack("{s:I}", "skipped", (json_int_t)1));
    for (uint32_t i = 0; i < s->steps; i++) {
        json_t *step = json_pack("{s:s}", "type", d->types[s->types[i] - 1]);
        if (step && s->repeat[i] > 1)
            json_object_set_new(step, "repeat", json_integer((json_int_t)s->repeat[i]));
        json_array_append_new(path, step);
    }
    return path;
}

/* The path that gained the most of type's instances from the first snapshot to the last:
 * {"path","instances","new_instances"}, or NULL when none reaches them. */
static json_t *holder_json(const struct kept *first, const struct kept *last, uint32_t type, const struct meta *m,
                           const struct drd_rawdata *d)
{
    struct signature *sigs = calloc(MAX_SIGNATURES, sizeof *sigs);
    size_t n = 0;
    json_t *j = NULL;
    if (!sigs)
        return NULL;
    count_paths(last, type, 1, sigs, &n);
    count_paths(first, type, 0, sigs, &n);
    size_t best = n;
    for (size_t i = 0; i < n; i++)
        if (best == n || (int64_t)(sigs[i].last - sigs[i].first) > (int64_t)(sigs[best].last - sigs[best].first))
            best = i;
    if (best < n)
        j = json_pack("{s:o,s:I,s:I}", "path", path_json(&sigs[best], m, d), "instances",
                      (json_int_t)sigs[best].last, "new_instances",
                      (json_int_t)sigs[best].last - (json_int_t)sigs[best].first);
    free(sigs);
    return j;
}

/* The allocations report of the session's allocations profiler, or NULL when it did not run (or its data is
 * unreadable: the leak report stands without it). */
static json_t *allocations_of(const char *dir)
{
    char path[4200], err[256];
    struct stat sb;
    if (drd_report_raw_path(dir, "allocations", path, sizeof path) || stat(path, &sb) != 0)
        return NULL;
    return drd_allocations_report(path, err, sizeof err);
}

/* The allocation row of type name in an allocations report, trimmed to its top stacks: {"bytes","samples",
 * "stacks"}, or NULL. */
static json_t *allocated_json(json_t *alloc, const char *name)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(alloc, "types"), i, t)
    {
        const char *tn = json_string_value(json_object_get(t, "type"));
        if (!tn || strcmp(tn, name) != 0)
            continue;
        json_t *stacks = json_deep_copy(json_object_get(t, "stacks"));
        while (json_array_size(stacks) > TOP_ALLOC_STACKS)
            json_array_remove(stacks, TOP_ALLOC_STACKS);
        return json_pack("{s:O,s:O,s:O,s:o}", "bytes", json_object_get(t, "bytes"), "count",
                         json_object_get(t, "count"), "samples", json_object_get(t, "samples"), "stacks",
                         stacks ? stacks : json_array());
    }
    return NULL;
}

static json_t *series(const struct stats *st, const uint64_t *a, uint32_t type)
{
    json_t *arr = json_array();
    for (int s = 0; s < st->n; s++)
        json_array_append_new(arr, json_integer((json_int_t)at(st, a, s, type)));
    return arr;
}

/* One growing type's entry. */
static json_t *growing_json(const struct stats *st, uint32_t type, const struct kept *first, const struct kept *last,
                            const struct meta *m, const struct drd_rawdata *d, json_t *alloc)
{
    int l = st->n - 1;
    json_t *j = json_pack("{s:s,s:o,s:o,s:o,s:I,s:I,s:I}", "type", d->types[type - 1], "count",
                          series(st, st->count, type), "shallow", series(st, st->shallow, type), "retained",
                          series(st, st->retained, type), "count_growth",
                          (json_int_t)(at(st, st->count, l, type) - at(st, st->count, 0, type)), "shallow_growth",
                          (json_int_t)(at(st, st->shallow, l, type) - at(st, st->shallow, 0, type)),
                          "retained_growth",
                          (json_int_t)(at(st, st->retained, l, type) - at(st, st->retained, 0, type)));
    if (!j)
        return NULL;
    json_t *per_step = json_array();
    for (int s = 1; s < st->n; s++)
        json_array_append_new(per_step,
                              json_integer((json_int_t)(at(st, st->count, s, type) - at(st, st->count, s - 1, type))));
    json_object_set_new(j, "count_per_step", per_step);
    json_t *holder = holder_json(first, last, type, m, d);
    if (holder)
        json_object_set_new(j, "holder", holder);
    json_t *a = alloc ? allocated_json(alloc, d->types[type - 1]) : NULL;
    if (a)
        json_object_set_new(j, "allocated", a);
    return j;
}

void drd_report_bytes(json_int_t v, int plus, char *buf, size_t cap)
{
    const char *sign = v > 0 && plus ? "+" : v < 0 ? "-" : "";
    double a = v < 0 ? -(double)v : (double)v;
    if (a < 1024)
        snprintf(buf, cap, "%s%.0f B", sign, a);
    else if (a < 1024.0 * 1024)
        snprintf(buf, cap, "%s%.1f KB", sign, a / 1024);
    else if (a < 1024.0 * 1024 * 1024)
        snprintf(buf, cap, "%s%.1f MB", sign, a / (1024.0 * 1024));
    else
        snprintf(buf, cap, "%s%.2f GB", sign, a / (1024.0 * 1024 * 1024));
}

/* "12,345" */
static void grouped(json_int_t v, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)(v < 0 ? -v : v));
    size_t o = 0;
    if (v < 0 && o + 1 < cap)
        buf[o++] = '-';
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = 0;
}

/* What holds the path's instances, for the verdict: "static field X.Y through T", "a GC handle", ... */
static void held_by(json_t *holder, const char *type, char *buf, size_t cap)
{
    json_t *path = json_object_get(holder, "path");
    json_t *root = json_array_get(path, 0);
    const char *kind = json_string_value(json_object_get(root, "root"));
    const char *through = NULL;
    for (size_t i = 1; i < json_array_size(path); i++) {
        const char *t = json_string_value(json_object_get(json_array_get(path, i), "type"));
        if (t && strcmp(t, type) != 0) {
            through = t;
            break;
        }
    }
    if (!kind)
        snprintf(buf, cap, "no root");
    else if (strcmp(kind, "static") == 0)
        snprintf(buf, cap, "static field %s", json_string_value(json_object_get(root, "field")));
    else if (strcmp(kind, "handle") == 0)
        snprintf(buf, cap, "a GC handle");
    else if (strcmp(kind, "stack") == 0)
        snprintf(buf, cap, "a thread's stack");
    else if (strcmp(kind, "finalizer") == 0)
        snprintf(buf, cap, "the finalizer queue");
    else
        snprintf(buf, cap, "a root of the runtime's own");
    if (through) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, " through %s", through);
    }
}

/* The verdict sentence that leads the report. */
static json_t *verdict(json_t *growing, int n_snaps, uint64_t span_ms, int had_alloc)
{
    char text[2048], count[32], bytes[32], holder[1024];
    json_t *top = json_array_get(growing, 0);
    if (!top) {
        snprintf(text, sizeof text,
                 "No type grew at every step over %d snapshots (%.1f s): no leak in this window.", n_snaps,
                 (double)span_ms / 1000);
        return json_string(text);
    }
    const char *type = json_string_value(json_object_get(top, "type"));
    grouped(json_integer_value(json_object_get(top, "count_growth")), count, sizeof count);
    drd_report_bytes(json_integer_value(json_object_get(top, "retained_growth")), 1, bytes, sizeof bytes);
    int n = snprintf(text, sizeof text, "%s grew by %s instances (%s) over %d snapshots (%.1f s)", type, count, bytes,
                     n_snaps, (double)span_ms / 1000);
    json_t *h = json_object_get(top, "holder");
    if (h && n > 0 && (size_t)n < sizeof text) {
        held_by(h, type, holder, sizeof holder);
        n += snprintf(text + n, sizeof text - (size_t)n, ", held by %s", holder);
    }
    json_t *stack = json_array_get(json_object_get(json_object_get(top, "allocated"), "stacks"), 0);
    json_t *frames = json_object_get(stack, "frames");
    if (n > 0 && (size_t)n < sizeof text) {
        if (json_array_size(frames)) {
            json_int_t all = json_integer_value(json_object_get(json_object_get(top, "allocated"), "bytes"));
            json_int_t mine = json_integer_value(json_object_get(stack, "bytes"));
            n += snprintf(text + n, sizeof text - (size_t)n, "; allocated mostly at %s (%.0f %% of its sampled bytes)",
                          json_string_value(json_array_get(frames, 0)), all ? 100.0 * (double)mine / (double)all : 0);
        } else if (had_alloc)
            n += snprintf(text + n, sizeof text - (size_t)n, "; the allocations profiler saw none of its allocations");
    }
    if (n > 0 && (size_t)n < sizeof text - 1)
        snprintf(text + n, sizeof text - (size_t)n, ".");
    return json_string(text);
}

static void stats_free(struct stats *st)
{
    free(st->count);
    free(st->shallow);
    free(st->retained);
}

static json_t *snapshots_json(const struct leaks_meta *lm, int n)
{
    json_t *arr = json_array();
    for (int s = 0; s < n; s++)
        json_array_append_new(arr, json_pack("{s:I,s:I,s:I,s:f}", "at_ms", (json_int_t)lm->snaps[s].at_ms, "objects",
                                             (json_int_t)lm->snaps[s].objects, "heap_bytes",
                                             (json_int_t)lm->snaps[s].heap_bytes, "pause_ms",
                                             (double)lm->snaps[s].pause_ns / 1e6));
    return arr;
}

/* The growing types, most retained growth first. Returns a new array, or NULL when out of memory. */
static json_t *growing_types(const struct stats *st, const struct kept *k, const struct leaks_meta *lm,
                             const struct drd_rawdata *d, json_t *alloc, json_int_t *total)
{
    struct grower *cand = drd_heap_alloc(st->n_types, sizeof *cand);
    json_t *arr = json_array();
    if (!cand || !arr) {
        free(cand);
        json_decref(arr);
        return NULL;
    }
    uint32_t n = 0;
    int l = st->n - 1;
    for (uint32_t ty = 1; ty <= st->n_types; ty++)
        if (at(st, st->count, l, ty) && grew_every_step(st, ty))
            cand[n++] = (struct grower){ty, at(st, st->retained, l, ty) - at(st, st->retained, 0, ty),
                                        at(st, st->count, l, ty) - at(st, st->count, 0, ty)};
    if (n > 1)
        qsort(cand, n, sizeof *cand, by_growth);
    for (uint32_t i = 0; i < n && i < TOP_GROWING; i++)
        json_array_append_new(arr, growing_json(st, cand[i].type, &k[0], &k[1], &lm->heap, d, alloc));
    *total = n;
    free(cand);
    return arr;
}

json_t *drd_leaks_report(const char *dir, char *err, size_t cap)
{
    struct leaks_meta lm = {0};
    struct drd_rawdata d;
    struct stats st = {0};
    struct kept k[2] = {{0}, {0}};
    char *buf = NULL, path[4200];
    json_t *report = NULL, *alloc = NULL;
    drd_fs_path(path, sizeof path, "%s/leaks.raw", dir);
    if (drd_rawread_load(path, DRD_RAW_READ_MAX, &d, &buf, on_record, &lm, err, cap))
        goto out;
    if (strcmp(d.profiler, "leaks") != 0) {
        snprintf(err, cap, "%s is a '%s' file, not a leaks session's", path, d.profiler);
        goto out;
    }
    if (drd_heap_meta_index(&lm.heap, err, cap))
        goto out;
    if (lm.n < 2) {
        snprintf(err, cap, "the session took %d heap snapshot%s: it takes two to see growth", lm.n,
                 lm.n == 1 ? "" : "s");
        goto out;
    }
    st.n_types = d.n_types;
    st.n = lm.n;
    size_t cells = (size_t)lm.n * (d.n_types + 1);
    st.count = calloc(cells, sizeof *st.count);
    st.shallow = calloc(cells, sizeof *st.shallow);
    st.retained = calloc(cells, sizeof *st.retained);
    if (!st.count || !st.shallow || !st.retained) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    drd_fs_path(path, sizeof path, "%s/leaks.graph", dir);
    for (int s = 0; s < lm.n; s++)
        if (analyse(path, &lm, s, &st, s == 0 ? &k[0] : s == lm.n - 1 ? &k[1] : NULL, err, cap))
            goto out;
    alloc = allocations_of(dir);
    json_int_t total = 0;
    json_t *growing = growing_types(&st, k, &lm, &d, alloc, &total);
    if (!growing) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    uint64_t span = lm.snaps[lm.n - 1].at_ms - lm.snaps[0].at_ms;
    report = json_pack("{s:s,s:b,s:o,s:b,s:o,s:I,s:I,s:o}", "profiler", "leaks", "complete", d.ended, "verdict",
                       verdict(growing, lm.n, span, alloc != NULL), "allocations", alloc != NULL, "snapshots",
                       snapshots_json(&lm, lm.n), "snapshots_asked", (json_int_t)(lm.asked ? lm.asked : (uint64_t)lm.n),
                       "growing_total", total, "growing", growing);
    if (!report)
        snprintf(err, cap, "out of memory");
out:
    json_decref(alloc);
    kept_free(&k[0]);
    kept_free(&k[1]);
    stats_free(&st);
    free(lm.heap.cls);
    free(lm.heap.fields);
    drd_rawdata_free(&d);
    free(buf);
    return report;
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void print_type(FILE *out, json_t *t)
{
    char b[32];
    size_t i;
    json_t *v;
    drd_report_bytes(num(t, "retained_growth"), 1, b, sizeof b);
    fprintf(out, "\n%s: %+lld instances, %s retained\n  instances:", json_string_value(json_object_get(t, "type")),
            (long long)num(t, "count_growth"), b);
    json_array_foreach(json_object_get(t, "count"), i, v) fprintf(out, " %lld", (long long)json_integer_value(v));
    fputs("\n  retained: ", out);
    json_array_foreach(json_object_get(t, "retained"), i, v)
    {
        drd_report_bytes(json_integer_value(v), 0, b, sizeof b);
        fprintf(out, "%s%s", i ? ", " : "", b);
    }
    json_t *h = json_object_get(t, "holder");
    if (h) {
        fprintf(out, "\n  held (%lld new of %lld) by: ", (long long)num(h, "new_instances"),
                (long long)num(h, "instances"));
        drd_heap_print_path(out, json_object_get(h, "path"));
    } else
        fputc('\n', out);
    json_t *stack = json_array_get(json_object_get(json_object_get(t, "allocated"), "stacks"), 0);
    json_array_foreach(json_object_get(stack, "frames"), i, v)
    {
        if (i == 0)
            fprintf(out, "  allocated mostly from:\n");
        if (i >= 8)
            break;
        fprintf(out, "      at %s\n", json_string_value(v));
    }
}

void drd_leaks_print(FILE *out, json_t *r)
{
    fprintf(out, "%s\n\n", json_string_value(json_object_get(r, "verdict")));
    if (!json_is_true(json_object_get(r, "complete")))
        fprintf(out, "The session did not end normally: this covers the snapshots it wrote\n");
    size_t i;
    json_t *s;
    fprintf(out, "Snapshots:");
    json_array_foreach(json_object_get(r, "snapshots"), i, s)
    {
        char b[32];
        drd_report_bytes(num(s, "heap_bytes"), 0, b, sizeof b);
        fprintf(out, "%s %.1f s %lld objects %s", i ? "," : "", (double)num(s, "at_ms") / 1000,
                (long long)num(s, "objects"), b);
    }
    fputc('\n', out);
    size_t taken = json_array_size(json_object_get(r, "snapshots"));
    if (num(r, "snapshots_asked") > (json_int_t)taken) {
        json_t *last = json_array_get(json_object_get(r, "snapshots"), taken - 1);
        fprintf(out, "%zu of the %lld snapshots asked were taken before the session's end (the last at %.1f s, "
                     "pausing the target %.0f ms): a longer --duration gives them room\n",
                taken, (long long)num(r, "snapshots_asked"), (double)num(last, "at_ms") / 1000,
                json_real_value(json_object_get(last, "pause_ms")));
    }
    json_t *growing = json_object_get(r, "growing");
    if (json_array_size(growing))
        fprintf(out, "%lld type%s grew at every step%s:\n", (long long)num(r, "growing_total"),
                num(r, "growing_total") == 1 ? "" : "s",
                num(r, "growing_total") > (json_int_t)json_array_size(growing) ? " (the first ones)" : "");
    json_t *t;
    json_array_foreach(growing, i, t)
    {
        if (i >= 10)
            break;
        print_type(out, t);
    }
}
