/* The cpu-hotpaths and merged-stacks reports: functions by self and total time, call trees from the root. */
#include <stdlib.h>
#include <string.h>

#include "report/hotlines.h"
#include "report/report.h"
#include "report/samples.h"
#include "symbols/symbols.h"

#define TOP_FUNCTIONS 100     /* in the JSON */
#define TREE_MAX_NODES 200000 /* in the JSON; the lighter nodes fold into "(other)" */
#define PRINT_FUNCTIONS 20
#define HOT_LINES 100 /* in the JSON */
#define PRINT_HOT_LINES 15
#define PRINT_MIN_PERCENT 1.0
#define PRINT_MAX_DEPTH 40
#define OTHER UINT32_MAX /* stands for the "(other)" child while sorting */

/* A call-tree node: one path from the root. Node 0 is the root; child and sibling are 0 when absent. */
struct node {
    uint32_t name; /* index into the distinct names */
    uint32_t parent, child, sibling;
    uint32_t depth;
    uint32_t tids; /* merged stacks: head of the node's list of threads, 1-based, 0 when empty */
    uint64_t total, self, total_w, self_w; /* samples and weights through and ending in the node */
};

struct tid_link {
    uint64_t tid;
    uint32_t next;
};

struct tree {
    struct node *n;
    uint32_t count, cap;
    uint32_t *slots; /* (parent, name) -> node index; 0 is empty (the root is nobody's child) */
    size_t nslots;
    struct tid_link *links;
    uint32_t nlinks, caplinks;
};

static size_t slot_of(uint32_t parent, uint32_t name, size_t nslots)
{
    uint64_t x = ((uint64_t)parent << 32 | name) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(x >> 20) & (nslots - 1);
}

/* Stores node i (not the root) in the hash. */
static void slot_put(struct tree *t, uint32_t i)
{
    size_t h = slot_of(t->n[i].parent, t->n[i].name, t->nslots);
    while (t->slots[h])
        h = (h + 1) & (t->nslots - 1);
    t->slots[h] = i;
}

/* Grows the hash to twice its size. */
static int rehash(struct tree *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 1024;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    for (uint32_t i = 1; i < t->count; i++)
        slot_put(t, i);
    return 0;
}

static int tree_init(struct tree *t)
{
    memset(t, 0, sizeof *t);
    t->cap = 1024;
    t->n = calloc(t->cap, sizeof *t->n);
    if (!t->n)
        return -1;
    t->count = 1;
    return rehash(t);
}

static void tree_free(struct tree *t)
{
    free(t->n);
    free(t->slots);
    free(t->links);
    memset(t, 0, sizeof *t);
}

/* The child of parent named name, added when new. Returns 0 when out of memory. */
static uint32_t child_of(struct tree *t, uint32_t parent, uint32_t name)
{
    size_t h = slot_of(parent, name, t->nslots);
    for (uint32_t i; (i = t->slots[h]); h = (h + 1) & (t->nslots - 1))
        if (t->n[i].parent == parent && t->n[i].name == name)
            return i;
    if (t->count == UINT32_MAX - 1)
        return 0;
    if (t->count == t->cap) {
        uint32_t ncap = t->cap > UINT32_MAX / 2 ? UINT32_MAX : t->cap * 2;
        struct node *nn = realloc(t->n, (size_t)ncap * sizeof *nn);
        if (!nn)
            return 0;
        t->n = nn;
        t->cap = ncap;
    }
    uint32_t i = t->count++;
    t->n[i] =
        (struct node){.name = name, .parent = parent, .sibling = t->n[parent].child, .depth = t->n[parent].depth + 1};
    t->n[parent].child = i;
    if ((size_t)t->count * 2 > t->nslots) {
        if (rehash(t))
            return 0;
    } else
        slot_put(t, i);
    return i;
}

static int add_tid(struct tree *t, uint32_t node, uint64_t tid)
{
    if (t->nlinks >= t->caplinks) {
        uint32_t ncap = t->caplinks ? t->caplinks * 2 : 256;
        struct tid_link *nl = realloc(t->links, (size_t)ncap * sizeof *nl);
        if (!nl)
            return -1;
        t->links = nl;
        t->caplinks = ncap;
        if (t->nlinks == 0)
            t->nlinks = 1; /* index 0 means the end of a list */
    }
    t->links[t->nlinks] = (struct tid_link){tid, t->n[node].tids};
    t->n[node].tids = t->nlinks++;
    return 0;
}

/* Adds count samples of weight w in stack (an id) to the tree, from the root (last frame) to the leaf;
 * tid is recorded on every node when with_tid. Returns 0 or -1 when out of memory. */
static int tree_add(struct tree *t, const struct drd_samples *s, uint32_t stack, uint64_t count, uint64_t w,
                    int with_tid, uint64_t tid)
{
    const struct drd_rawread_stack *st = &s->d.stacks[stack - 1];
    uint32_t node = 0;
    t->n[0].total += count;
    t->n[0].total_w += w;
    if (with_tid && add_tid(t, 0, tid))
        return -1;
    for (uint32_t i = st->n; i-- > 0;) {
        node = child_of(t, node, s->name_of[st->frames[i] - 1]);
        if (!node)
            return -1;
        t->n[node].total += count;
        t->n[node].total_w += w;
        if (with_tid && add_tid(t, node, tid))
            return -1;
    }
    t->n[node].self += count;
    t->n[node].self_w += w;
    return 0;
}

/* A child while sorting siblings: a real node, or the "(other)" that the dropped ones fold into. */
struct entry {
    uint64_t total_w, total;
    uint32_t depth, idx;
    const char *name;
};

/* Heaviest first (by weight, then samples), parents before children on a tie, then by name and index. */
static int heavier(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->total_w != y->total_w)
        return x->total_w > y->total_w ? -1 : 1;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    if (x->depth != y->depth)
        return x->depth < y->depth ? -1 : 1;
    int c = x->name && y->name ? strcmp(x->name, y->name) : 0;
    if (c)
        return c;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Marks the TREE_MAX_NODES heaviest nodes (always a connected tree from the root, as no child outweighs its
 * parent). Returns NULL when every node is kept, or when out of memory (then everything is kept too). */
static uint8_t *keep_heaviest(const struct tree *t)
{
    if (t->count <= TREE_MAX_NODES)
        return NULL;
    struct entry *e = malloc((size_t)t->count * sizeof *e);
    uint8_t *keep = calloc(t->count, 1);
    if (!e || !keep) {
        free(e);
        free(keep);
        return NULL;
    }
    for (uint32_t i = 0; i < t->count; i++)
        e[i] = (struct entry){t->n[i].total_w, t->n[i].total, t->n[i].depth, i, NULL};
    qsort(e, t->count, sizeof *e, heavier);
    for (uint32_t i = 0; i < TREE_MAX_NODES; i++)
        keep[e[i].idx] = 1;
    free(e);
    return keep;
}

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The sorted tids of the listed nodes, as a JSON array. */
static json_t *tids_json(const struct tree *t, const uint32_t *nodes, size_t n, size_t count)
{
    json_t *arr = json_array();
    uint64_t *v = malloc((count ? count : 1) * sizeof *v);
    if (!v) {
        json_decref(arr);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (uint32_t l = t->n[nodes[i]].tids; l && k < count; l = t->links[l].next)
            v[k++] = t->links[l].tid;
    qsort(v, k, sizeof *v, by_u64);
    for (size_t i = 0; i < k; i++)
        json_array_append_new(arr, json_integer((json_int_t)v[i]));
    free(v);
    return arr;
}

static json_t *node_json(const struct tree *t, const struct drd_samples *s, uint32_t i, const uint8_t *keep,
                         int merged);

/* The children of node i, heaviest first, with the ones not kept folded into one "(other)". */
static json_t *children_json(const struct tree *t, const struct drd_samples *s, uint32_t i, const uint8_t *keep,
                             int merged)
{
    json_t *arr = json_array();
    size_t n = 0;
    for (uint32_t c = t->n[i].child; c; c = t->n[c].sibling)
        n++;
    if (n == 0)
        return arr;
    struct entry *e = malloc((n + 1) * sizeof *e);
    uint32_t *dropped = malloc(n * sizeof *dropped);
    if (!e || !dropped) {
        free(e);
        free(dropped);
        json_decref(arr);
        return NULL;
    }
    size_t ne = 0, nd = 0;
    struct entry other = {0, 0, 0, OTHER, "(other)"};
    for (uint32_t c = t->n[i].child; c; c = t->n[c].sibling) {
        if (keep && !keep[c]) {
            other.total_w += t->n[c].total_w;
            other.total += t->n[c].total;
            dropped[nd++] = c;
        } else
            e[ne++] = (struct entry){t->n[c].total_w, t->n[c].total, 0, c, s->names[t->n[c].name]};
    }
    if (nd)
        e[ne++] = other;
    qsort(e, ne, sizeof *e, heavier);
    for (size_t k = 0; k < ne; k++) {
        json_t *child;
        if (e[k].idx != OTHER)
            child = node_json(t, s, e[k].idx, keep, merged);
        else if (merged)
            child = json_pack("{s:s,s:I,s:o,s:[]}", "name", "(other)", "threads", (json_int_t)other.total, "tids",
                              tids_json(t, dropped, nd, (size_t)other.total), "children");
        else
            child = json_pack("{s:s,s:I,s:I,s:I,s:I,s:[]}", "name", "(other)", "total", (json_int_t)other.total, "self",
                              (json_int_t)other.total, "total_ns", (json_int_t)other.total_w, "self_ns",
                              (json_int_t)other.total_w, "children");
        if (!child || json_array_append_new(arr, child)) {
            json_decref(arr);
            arr = NULL;
            break;
        }
    }
    free(e);
    free(dropped);
    return arr;
}

static json_t *node_json(const struct tree *t, const struct drd_samples *s, uint32_t i, const uint8_t *keep, int merged)
{
    const struct node *n = &t->n[i];
    const char *name = i == 0 ? "all" : s->names[n->name];
    json_t *children = children_json(t, s, i, keep, merged);
    if (merged)
        return json_pack("{s:s,s:I,s:o,s:o}", "name", name, "threads", (json_int_t)n->total, "tids",
                         tids_json(t, &i, 1, (size_t)n->total), "children", children);
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:o}", "name", name, "total", (json_int_t)n->total, "self",
                     (json_int_t)n->self, "total_ns", (json_int_t)n->total_w, "self_ns", (json_int_t)n->self_w,
                     "children", children);
}

static json_t *tree_json(const struct tree *t, const struct drd_samples *s, int merged)
{
    uint8_t *keep = keep_heaviest(t);
    json_t *j = node_json(t, s, 0, keep, merged);
    free(keep);
    return j;
}

/* Self and total per distinct function; total counts a sample once however often the function recurs in it. */
struct fn {
    uint64_t self, total, self_w, total_w;
    uint32_t stamp; /* the last stack id counted in total */
    uint32_t name;
};

static int by_self(const void *a, const void *b)
{
    const struct fn *x = a, *y = b;
    if (x->self_w != y->self_w)
        return x->self_w > y->self_w ? -1 : 1;
    if (x->self != y->self)
        return x->self > y->self ? -1 : 1;
    if (x->total_w != y->total_w)
        return x->total_w > y->total_w ? -1 : 1;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return (x->name > y->name) - (x->name < y->name);
}

static json_t *top_json(const struct drd_samples *s)
{
    json_t *arr = json_array();
    if (s->n_names == 0)
        return arr;
    struct fn *f = calloc(s->n_names, sizeof *f);
    if (!f) {
        json_decref(arr);
        return NULL;
    }
    for (uint32_t i = 0; i < s->n_names; i++)
        f[i].name = i;
    for (uint32_t id = 1; id <= s->d.n_stacks; id++) {
        uint64_t c = s->stack_samples[id - 1], w = s->stack_weight[id - 1];
        const struct drd_rawread_stack *st = &s->d.stacks[id - 1];
        if (c == 0 || st->n == 0)
            continue;
        struct fn *leaf = &f[s->name_of[st->frames[0] - 1]];
        leaf->self += c;
        leaf->self_w += w;
        for (uint32_t k = 0; k < st->n; k++) {
            struct fn *x = &f[s->name_of[st->frames[k] - 1]];
            if (x->stamp == id)
                continue;
            x->stamp = id;
            x->total += c;
            x->total_w += w;
        }
    }
    qsort(f, s->n_names, sizeof *f, by_self);
    for (uint32_t i = 0; i < s->n_names && i < TOP_FUNCTIONS && f[i].total; i++)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:I,s:I,s:I}", "function", s->names[f[i].name], "self",
                                             (json_int_t)f[i].self, "total", (json_int_t)f[i].total, "self_ns",
                                             (json_int_t)f[i].self_w, "total_ns", (json_int_t)f[i].total_w));
    free(f);
    return arr;
}

/* The sampled threads, busiest first. */
static json_t *threads_json(const struct drd_samples *s)
{
    json_t *arr = json_array();
    const struct drd_sample_thread **v = malloc((s->n_threads ? s->n_threads : 1) * sizeof *v);
    if (!v) {
        json_decref(arr);
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 0; i < s->n_threads; i++)
        if (s->threads[i].samples)
            v[n++] = &s->threads[i];
    qsort(v, n, sizeof *v, drd_samples_busier);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:I,s:s?,s:I,s:I}", "tid", (json_int_t)v[i]->tid, "name", v[i]->name,
                                             "samples", (json_int_t)v[i]->samples, "ns", (json_int_t)v[i]->weight));
    free(v);
    return arr;
}

json_t *drd_cpu_report(const char *raw_path, char *err, size_t cap)
{
    return drd_cpu_report_range(raw_path, 0, UINT64_MAX, err, cap);
}

json_t *drd_cpu_report_range(const char *raw_path, uint64_t from_ns, uint64_t to_ns, char *err, size_t cap)
{
    struct drd_samples s;
    struct tree t;
    json_t *report = NULL;
    if (drd_samples_load_range(raw_path, from_ns, to_ns, &s, err, cap))
        goto fail_load;
    if (s.merged || s.alloc) {
        snprintf(err, cap, "%s holds %s, not CPU samples", raw_path, s.alloc ? "allocations" : "merged stacks");
        goto fail_load;
    }
    if (tree_init(&t))
        goto fail_tree;
    for (uint32_t id = 1; id <= s.d.n_stacks; id++)
        if (s.stack_samples[id - 1] && tree_add(&t, &s, id, s.stack_samples[id - 1], s.stack_weight[id - 1], 0, 0))
            goto fail_add;
    report = json_pack("{s:s,s:s?,s:s?,s:I,s:I,s:I,s:I,s:I,s:b,s:o,s:o,s:o}", "profiler", "cpu-hotpaths", "mode",
                       *s.mode ? s.mode : NULL, "sampler", *s.sampler ? s.sampler : NULL, "frequency",
                       (json_int_t)s.frequency, "period_ns", (json_int_t)s.period_ns, "samples", (json_int_t)s.samples,
                       "total_ns", (json_int_t)s.weight, "dropped", (json_int_t)s.d.dropped, "complete", s.d.ended,
                       "threads", threads_json(&s), "top", top_json(&s), "tree", tree_json(&t, &s, 0));
    if (report) {
        json_object_set_new(report, "hot_lines", drd_hot_lines_json(&s.d, s.stack_samples, s.stack_weight, HOT_LINES));
        json_t *lines = drd_lines_summary_json(&s.d);
        if (lines)
            json_object_set_new(report, "lines", lines);
        if (s.ranged)
            json_object_set_new(report, "range",
                                json_pack("{s:I,s:I}", "from_ns", (json_int_t)from_ns, "to_ns", (json_int_t)to_ns));
    }
    drd_symbols_attach(report, &s.d); /* native modules and the frames left unnamed */
    if (!report)
        snprintf(err, cap, "out of memory building the report");
    tree_free(&t);
    drd_samples_free(&s);
    return report;
fail_add:
    tree_free(&t);
fail_tree:
    snprintf(err, cap, "out of memory building the call tree");
fail_load:
    drd_samples_free(&s);
    return NULL;
}

/* The frames of a stack id, leaf first. */
static json_t *frames_json(const struct drd_samples *s, uint32_t stack)
{
    json_t *arr = json_array();
    const struct drd_rawread_stack *st = &s->d.stacks[stack - 1];
    for (uint32_t i = 0; i < st->n; i++)
        json_array_append_new(arr, json_string(s->d.frames[st->frames[i] - 1]));
    return arr;
}

json_t *drd_merged_report(const char *raw_path, char *err, size_t cap)
{
    struct drd_samples s;
    struct tree t;
    json_t *report = NULL;
    if (drd_samples_load(raw_path, &s, err, cap))
        goto fail_load;
    if (!s.merged) {
        snprintf(err, cap, "%s holds %s, not merged stacks", raw_path, s.alloc ? "allocations" : "CPU samples");
        goto fail_load;
    }
    if (tree_init(&t))
        goto fail_tree;
    json_t *stacks = json_array();
    for (size_t i = 0; i < s.n_threads; i++) {
        const struct drd_sample_thread *th = &s.threads[i];
        for (size_t k = 0; k < th->n_runs; k++) /* one run of one sample, unless the tid came twice */
            for (uint32_t c = 0; c < th->runs[k].count; c++) {
                if (tree_add(&t, &s, th->runs[k].stack, 1, 1, 1, th->tid)) {
                    json_decref(stacks);
                    goto fail_add;
                }
                json_array_append_new(stacks, json_pack("{s:I,s:s?,s:o,s:o*}", "tid", (json_int_t)th->tid, "name",
                                                        th->name, "frames", frames_json(&s, th->runs[k].stack),
                                                        "lines", drd_lines_stack_json(&s.d, th->runs[k].stack)));
            }
    }
    report =
        json_pack("{s:s,s:I,s:I,s:b,s:o,s:o}", "profiler", "merged-stacks", "threads", (json_int_t)s.samples, "dropped",
                  (json_int_t)s.d.dropped, "complete", s.d.ended, "tree", tree_json(&t, &s, 1), "stacks", stacks);
    drd_symbols_attach(report, &s.d);
    json_t *lines = report ? drd_lines_summary_json(&s.d) : NULL;
    if (lines)
        json_object_set_new(report, "lines", lines);
    if (!report)
        snprintf(err, cap, "out of memory building the report");
    tree_free(&t);
    drd_samples_free(&s);
    return report;
fail_add:
    tree_free(&t);
fail_tree:
    snprintf(err, cap, "out of memory building the call tree");
fail_load:
    drd_samples_free(&s);
    return NULL;
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *text(json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

static double percent(json_int_t part, json_int_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

/* Prints node and its children above the threshold, two spaces deeper per level. Percentages are of weight
 * (nanoseconds) when by_ns, else of samples. */
static void print_cpu_node(FILE *out, json_t *node, int depth, json_int_t whole, int by_ns)
{
    const char *tk = by_ns ? "total_ns" : "total", *sk = by_ns ? "self_ns" : "self";
    fprintf(out, "%6.1f%% %6.1f%%  %*s%s\n", percent(num(node, tk), whole), percent(num(node, sk), whole), 2 * depth,
            "", text(node, "name"));
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(node, "children"), i, c)
    {
        if (percent(num(c, tk), whole) < PRINT_MIN_PERCENT)
            break; /* the children are in total order */
        if (depth + 1 > PRINT_MAX_DEPTH) {
            fprintf(out, "%17s%*s...\n", "", 2 * (depth + 1), "");
            break;
        }
        print_cpu_node(out, c, depth + 1, whole, by_ns);
    }
}

void drd_cpu_print(FILE *out, json_t *r)
{
    const char *mode = text(r, "mode");
    int wall = strcmp(mode, "wall") == 0;
    json_int_t samples = num(r, "samples"), ns = num(r, "total_ns");
    json_t *threads = json_object_get(r, "threads");
    fprintf(out, "%s sampling", wall ? "Wall-clock" : *mode ? "CPU" : "Stack");
    if (num(r, "frequency"))
        fprintf(out, " at %lld Hz", (long long)num(r, "frequency"));
    if (*text(r, "sampler"))
        fprintf(out, " (%s)", strcmp(text(r, "sampler"), "signal") == 0 ? "per-thread CPU timers" : "runtime stopped");
    fprintf(out, ": %lld samples, %.3f s of %s time on %zu threads", (long long)samples, (double)ns / 1e9,
            wall ? "thread" : "CPU", json_array_size(threads));
    if (num(r, "dropped"))
        fprintf(out, "; %lld samples were not recorded", (long long)num(r, "dropped"));
    fprintf(out, "\n");
    if (samples == 0)
        return;
    /* a sample's weight is the time it stands for: a better measure than counts whenever there is any */
    int by_ns = ns > 0;
    json_int_t whole = by_ns ? ns : samples;
    const char *tk = by_ns ? "total_ns" : "total", *sk = by_ns ? "self_ns" : "self";

    fprintf(out, "\n  %10s %8s  %s\n", "ms", "samples", "thread");
    size_t i;
    json_t *v;
    json_array_foreach(threads, i, v)
    {
        if (i >= 10) {
            fprintf(out, "  ... %zu more threads\n", json_array_size(threads) - i);
            break;
        }
        fprintf(out, "  %10.1f %8lld  %lld %s\n", (double)num(v, "ns") / 1e6, (long long)num(v, "samples"),
                (long long)num(v, "tid"), text(v, "name"));
    }

    fprintf(out, "\n  %7s %7s %10s  %s\n", "self", "total", "self ms", "function");
    json_array_foreach(json_object_get(r, "top"), i, v)
    {
        if (i >= PRINT_FUNCTIONS)
            break;
        fprintf(out, "  %6.1f%% %6.1f%% %10.1f  %s\n", percent(num(v, sk), whole), percent(num(v, tk), whole),
                (double)num(v, "self_ns") / 1e6, text(v, "function"));
    }

    drd_hot_lines_print(out, json_object_get(r, "hot_lines"), json_object_get(r, "lines"), whole, by_ns,
                        PRINT_HOT_LINES);

    fprintf(out, "\nCall tree (total%%, self%%; below %.0f%% and deeper than %d levels left out):\n", PRINT_MIN_PERCENT,
            PRINT_MAX_DEPTH);
    print_cpu_node(out, json_object_get(r, "tree"), 0, whole, by_ns);
    drd_symbols_print(out, json_object_get(r, "native"));
}

/* Prints node as "[N threads] name", the single-child chains below it with the same threads as one block of
 * names, then its children two spaces deeper. */
static void print_merged_node(FILE *out, json_t *node, int depth)
{
    char label[48];
    int w = snprintf(label, sizeof label, "[%lld thread%s] ", (long long)num(node, "threads"),
                     num(node, "threads") == 1 ? "" : "s");
    fprintf(out, "  %*s%s%s\n", 2 * depth, "", label, text(node, "name"));
    json_t *children = json_object_get(node, "children");
    while (json_array_size(children) == 1 && num(json_array_get(children, 0), "threads") == num(node, "threads")) {
        node = json_array_get(children, 0);
        fprintf(out, "  %*s%*s%s\n", 2 * depth, "", w, "", text(node, "name"));
        children = json_object_get(node, "children");
    }
    size_t i;
    json_t *c;
    json_array_foreach(children, i, c)
    {
        print_merged_node(out, c, depth + 1);
    }
}

void drd_merged_print(FILE *out, json_t *r)
{
    fprintf(out, "%lld managed threads in the snapshot", (long long)num(r, "threads"));
    if (num(r, "dropped"))
        fprintf(out, "; %lld were not recorded", (long long)num(r, "dropped"));
    fprintf(out, "\n");
    if (num(r, "threads") == 0)
        return;
    fprintf(out, "\nMerged call stacks, from the root:\n");
    print_merged_node(out, json_object_get(r, "tree"), 0);
    fprintf(out, "\nThreads:\n");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(r, "stacks"), i, v)
    {
        fprintf(out, "\n  thread %lld%s%s%s\n", (long long)num(v, "tid"), *text(v, "name") ? " (" : "", text(v, "name"),
                *text(v, "name") ? ")" : "");
        size_t k;
        json_t *f;
        json_array_foreach(json_object_get(v, "frames"), k, f)
        {
            drd_lines_print_frame(out, "      ", f, json_object_get(v, "lines"), k);
        }
    }
    drd_lines_summary_print(out, json_object_get(r, "lines"));
}
