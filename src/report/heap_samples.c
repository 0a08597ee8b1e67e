/* A heap snapshot as weighted stacks, for the exporters: each reachable object is one sample weighing its shallow
 * bytes, its "stack" the retention path from its root (the root first: "static F", "GC handle", ...; then the
 * types on the shortest path from the root down to the object's own type, the leaf). Paths go through a trie, so
 * objects reached the same way share one stack; a run of one type (a linked list) is one frame, and a path past
 * MAX_DEPTH frames keeps its root end and continues under a "…" frame with only the object's type. */
#include <stdlib.h>
#include <string.h>

#include "report/heap_graph.h"
#include "report/report.h"
#include "report/samples.h"

#define MAX_DEPTH 64
#define ELLIPSIS 1 /* frame ids: 1 "…", then the four root kinds without a field, then the static fields, then types */
#define FIRST_KIND_FRAME 2

static const char *const kind_frames[] = {"other root", "stack root", "finalizer queue", "GC handle"};

struct trie {
    uint32_t *parent, *frame, *depth; /* by node; node 0 is the root of every path */
    uint32_t n, cap;
    uint64_t *keys; /* open addressing: parent << 32 | frame, with the node in vals */
    uint32_t *vals;
    uint64_t mask;
};

static uint64_t key_slot(uint64_t key, uint64_t mask)
{
    return (key * 0x9E3779B97F4A7C15ULL >> 20) & mask;
}

static int trie_grow(struct trie *t)
{
    uint32_t ncap = t->cap ? t->cap * 2 : 1024;
    uint32_t *p = realloc(t->parent, ncap * sizeof *p);
    if (p)
        t->parent = p;
    uint32_t *f = p ? realloc(t->frame, ncap * sizeof *f) : NULL;
    if (f)
        t->frame = f;
    uint32_t *d = f ? realloc(t->depth, ncap * sizeof *d) : NULL;
    if (d)
        t->depth = d;
    uint64_t slots = (uint64_t)ncap * 2;
    uint64_t *keys = d ? calloc(slots, sizeof *keys) : NULL;
    uint32_t *vals = keys ? calloc(slots, sizeof *vals) : NULL;
    if (!vals) {
        free(keys);
        return -1;
    }
    for (uint64_t i = 0; t->keys && i <= t->mask; i++)
        if (t->vals[i]) {
            uint64_t s = key_slot(t->keys[i], slots - 1);
            while (vals[s])
                s = (s + 1) & (slots - 1);
            keys[s] = t->keys[i];
            vals[s] = t->vals[i];
        }
    free(t->keys);
    free(t->vals);
    t->keys = keys;
    t->vals = vals;
    t->mask = slots - 1;
    t->cap = ncap;
    return 0;
}

/* The child of node p with frame f, made when new. Returns it, or 0 when out of memory. */
static uint32_t child(struct trie *t, uint32_t p, uint32_t f)
{
    if (t->n + 1 >= t->cap && trie_grow(t))
        return 0;
    uint64_t key = (uint64_t)p << 32 | f;
    uint64_t s = key_slot(key, t->mask);
    for (; t->vals[s]; s = (s + 1) & t->mask)
        if (t->keys[s] == key)
            return t->vals[s];
    uint32_t c = t->n++;
    t->parent[c] = p;
    t->frame[c] = f;
    t->depth[c] = t->depth[p] + 1;
    t->keys[s] = key;
    t->vals[s] = c;
    return c;
}

/* The path p continued by frame f: p itself when it ends in f (a run of one type), under "…" past MAX_DEPTH. */
static uint32_t extend(struct trie *t, uint32_t p, uint32_t f)
{
    if (p && t->frame[p] == f && t->depth[p] > 1)
        return p;
    if (t->depth[p] >= MAX_DEPTH) {
        uint32_t base = t->frame[t->parent[p]] == ELLIPSIS ? t->parent[p] : child(t, p, ELLIPSIS);
        return base ? child(t, base, f) : 0;
    }
    return child(t, p, f);
}

static void trie_free(struct trie *t)
{
    free(t->parent);
    free(t->frame);
    free(t->depth);
    free(t->keys);
    free(t->vals);
}

/* The frame of the root object v. */
static uint32_t root_frame(const struct graph *g, const uint32_t *rootpos, uint32_t v)
{
    uint32_t r = rootpos[v];
    if (r == NONE)
        return FIRST_KIND_FRAME + ROOT_OTHER;
    if (g->roots[r].kind == ROOT_STATIC)
        return FIRST_KIND_FRAME + 4 + g->roots[r].field;
    return FIRST_KIND_FRAME + g->roots[r].kind;
}

/* Gives every reachable object its path (sid, by node; 0 for none). Returns 0 or -1 (out of memory). */
static int assign(const struct graph *g, const struct dom *t, const uint32_t *rootpos, uint32_t types_base,
                  struct trie *tr, uint32_t *sid)
{
    uint32_t *stack = drd_heap_alloc(g->n, sizeof *stack);
    if (!stack)
        return -1;
    for (uint32_t v = 0; v < g->n; v++) {
        if (t->from[v] == NONE || sid[v])
            continue;
        size_t sp = 0;
        uint32_t x = v;
        while (!sid[x] && t->from[x] != g->n) {
            stack[sp++] = x;
            x = t->from[x];
        }
        if (!sid[x]) {
            uint32_t r = child(tr, 0, root_frame(g, rootpos, x));
            sid[x] = r ? extend(tr, r, types_base + g->type[x]) : 0;
        }
        while (sp > 0 && sid[x]) {
            uint32_t y = stack[--sp];
            sid[y] = extend(tr, sid[t->from[y]], types_base + g->type[y]);
            x = y;
        }
        if (!sid[x]) {
            free(stack);
            return -1;
        }
    }
    free(stack);
    return 0;
}

/* The frame names into one buffer (s->buf) and s->d.frames. Returns 0 or -1. */
static int name_frames(struct drd_samples *s, const struct meta *m, const struct drd_rawdata *hd, uint32_t n_frames)
{
    size_t len = strlen("…") + 1;
    for (size_t i = 0; i < 4; i++)
        len += strlen(kind_frames[i]) + 1;
    for (size_t i = 0; i < m->n_fields; i++)
        len += strlen("static ") + strlen(m->fields[i].name) + 1;
    for (uint32_t i = 0; i < hd->n_types; i++)
        len += strlen(hd->types[i]) + 1;
    s->buf = malloc(len);
    s->d.frames = calloc(n_frames, sizeof *s->d.frames);
    if (!s->buf || !s->d.frames)
        return -1;
    char *p = s->buf;
    uint32_t f = 0;
#define PUT(...) (s->d.frames[f++] = p, p += sprintf(p, __VA_ARGS__) + 1)
    PUT("%s", "…");
    for (size_t i = 0; i < 4; i++)
        PUT("%s", kind_frames[i]);
    for (size_t i = 0; i < m->n_fields; i++)
        PUT("static %s", m->fields[i].name);
    for (uint32_t i = 0; i < hd->n_types; i++)
        PUT("%s", hd->types[i]);
#undef PUT
    s->d.n_frames = n_frames;
    return 0;
}

/* Each trie node becomes the stack of its id: its frames leaf first. Returns 0 or -1. */
static int make_stacks(struct drd_samples *s, const struct trie *tr)
{
    s->d.n_stacks = tr->n - 1;
    s->d.stacks = calloc(tr->n, sizeof *s->d.stacks);
    s->stack_samples = calloc(tr->n, sizeof *s->stack_samples);
    s->stack_weight = calloc(tr->n, sizeof *s->stack_weight);
    if (!s->d.stacks || !s->stack_samples || !s->stack_weight)
        return -1;
    s->n_stack_slots = tr->n;
    for (uint32_t id = 1; id < tr->n; id++) {
        struct drd_rawread_stack *st = &s->d.stacks[id - 1];
        st->frames = malloc(tr->depth[id] * sizeof *st->frames);
        if (!st->frames)
            return -1;
        for (uint32_t x = id; x; x = tr->parent[x])
            st->frames[st->n++] = tr->frame[x];
    }
    return 0;
}

int drd_heap_samples_load(const char *raw_path, const char *graph_path, struct drd_samples *s, char *err, size_t cap)
{
    struct meta m = {0};
    struct graph g = {0};
    struct dom t = {0};
    struct trie tr = {0};
    struct drd_rawdata hd;
    char *hbuf = NULL;
    uint32_t *rootpos = NULL, *sid = NULL;
    int rc = -1;
    memset(s, 0, sizeof *s);
    if (drd_rawread_load(raw_path, DRD_RAW_READ_MAX, &hd, &hbuf, drd_heap_meta_record, &m, err, cap) ||
        drd_heap_meta_index(&m, err, cap) || drd_heap_graph_load(graph_path, &m, &g, err, cap))
        goto out;
    snprintf(s->d.profiler, sizeof s->d.profiler, "%s", hd.profiler);
    s->alloc = s->heap = 1;
    uint32_t types_base = FIRST_KIND_FRAME + 4 + (uint32_t)m.n_fields - 1; /* type id k is frame types_base + k */
    if (drd_heap_bfs(&g, &t) || !(rootpos = drd_heap_root_pos(&g)) ||
        !(sid = calloc(g.n ? g.n : 1, sizeof *sid)) || trie_grow(&tr))
        goto oom;
    tr.n = 1; /* node 0: the root of every path */
    tr.depth[0] = 0;
    tr.frame[0] = 0;
    if (assign(&g, &t, rootpos, types_base, &tr, sid) || name_frames(s, &m, &hd, types_base + hd.n_types) ||
        make_stacks(s, &tr))
        goto oom;
    for (uint32_t v = 0; v < g.n; v++)
        if (sid[v]) {
            s->stack_samples[sid[v] - 1]++;
            s->stack_weight[sid[v] - 1] += g.size[v];
            s->samples++;
            s->weight += g.size[v];
        }
    rc = 0;
    goto out;
oom:
    snprintf(err, cap, "out of memory");
out:
    free(rootpos);
    free(sid);
    trie_free(&tr);
    drd_heap_dom_free(&t);
    drd_heap_graph_free(&g);
    free(m.cls);
    free(m.fields);
    drd_rawdata_free(&hd);
    free(hbuf);
    return rc;
}
