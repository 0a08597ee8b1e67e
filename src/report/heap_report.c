/* The heap-snapshot report: per type count, shallow and retained bytes (dominator tree), roots, retention paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/heap_graph.h"
#include "report/rawread.h"
#include "report/report.h"
#include "common/fsutil.h"

#define TOP_TYPES 200
#define TOP_RETAINERS 10
#define PATH_STEPS 64 /* most steps in one retention path, the root's included */
/* the types (first in the list) that carry their own retention paths: all that the report lists (a path is at most
 * 64 steps, 3 per type: tens of kilobytes of JSON for 200 types, and the types past them are not shown at all) */
#define PATH_TYPES TOP_TYPES
#define TYPE_PATHS 3     /* paths per type: its objects that retain the most */
#define DOM_CHILDREN 20  /* children shown per node of the dominator tree, largest first */
#define DOM_NODES 2000   /* nodes of the dominator tree in the report, filled level by level */

struct type_row {
    uint64_t count, shallow, retained;
    const char *name;
    uint32_t id;
};

static int by_retained(const void *a, const void *b)
{
    const struct type_row *x = a, *y = b;
    if (x->retained != y->retained)
        return x->retained < y->retained ? 1 : -1;
    if (x->shallow != y->shallow)
        return x->shallow < y->shallow ? 1 : -1;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->name, y->name);
}

static uint32_t *type_best(const struct graph *g, const struct drd_rawdata *d, const struct dom *t);
static json_t *type_paths_json(const struct graph *g, const struct meta *m, const struct drd_rawdata *d,
                                const struct dom *t, const uint32_t *best, uint32_t type);

static json_t *types_json(const struct graph *g, const struct meta *m, const struct drd_rawdata *d,
                          const struct dom *t, size_t max, json_int_t *total)
{
    struct type_row *rows = calloc((size_t)d->n_types + 1, sizeof *rows);
    json_t *arr = json_array();
    if (!rows || !arr) {
        free(rows);
        json_decref(arr);
        return NULL;
    }
    for (uint32_t i = 0; i < g->n; i++) {
        rows[g->type[i]].count++;
        rows[g->type[i]].shallow += g->size[i];
    }
    size_t n = 0;
    for (uint32_t id = 1; id <= d->n_types; id++)
        if (rows[id].count)
            rows[n++] =
                (struct type_row){rows[id].count, rows[id].shallow, t->type_retained[id], d->types[id - 1], id};
    qsort(rows, n, sizeof *rows, by_retained);
    uint32_t *best = type_best(g, d, t);
    for (size_t i = 0; i < n && i < max; i++) {
        json_t *row = json_pack("{s:s,s:I,s:I,s:I}", "type", rows[i].name, "count", (json_int_t)rows[i].count,
                                "shallow", (json_int_t)rows[i].shallow, "retained", (json_int_t)rows[i].retained);
        if (row && best && i < PATH_TYPES)
            json_object_set_new(row, "paths", type_paths_json(g, m, d, t, best, rows[i].id));
        json_array_append_new(arr, row);
    }
    *total = (json_int_t)n;
    free(best);
    free(rows);
    return arr;
}

/* The root step of a path that starts at object node v. */
static json_t *root_step(const struct graph *g, const struct meta *m, uint32_t v)
{
    for (int k = 0; k < N_ROOT_KINDS; k++)
        for (size_t i = 0; i < g->n_roots; i++) {
            const struct root *r = &g->roots[i];
            if (r->idx != v || r->kind != drd_heap_root_order[k])
                continue;
            if (r->kind == ROOT_STATIC)
                return json_pack("{s:s,s:s}", "root", "static", "field", m->fields[r->field].name);
            return json_pack("{s:s}", "root", drd_heap_root_names[r->kind]);
        }
    return json_pack("{s:s}", "root", "other"); /* unreachable: every BFS start is a root */
}

/* One retention path down to number i: the root, then the types from the root object to the object itself; past
 * PATH_STEPS steps, the root, {"skipped":k} and the last steps. */
static json_t *path_json(const struct graph *g, const struct meta *m, const struct drd_rawdata *d,
                         const struct dom *t, uint32_t i)
{
    uint32_t last[PATH_STEPS - 1];
    size_t kept = 0;
    uint64_t len = 0;
    uint32_t v = t->vertex[i];
    for (;;) {
        if (kept < PATH_STEPS - 1)
            last[kept++] = v;
        len++;
        if (t->from[v] == g->n || t->from[v] == NONE)
            break;
        v = t->from[v];
    }
    json_t *path = json_array();
    json_array_append_new(path, root_step(g, m, v));
    if (len > PATH_STEPS - 1) {
        kept = PATH_STEPS - 2;
        json_array_append_new(path, json_pack("{s:I}", "skipped", (json_int_t)(len - kept)));
    }
    while (kept > 0)
        json_array_append_new(path, json_pack("{s:s}", "type", d->types[g->type[last[--kept]] - 1]));
    return path;
}

/* Inserts number i into top (sorted by retained, largest first, at most TOP_RETAINERS). */
static void keep_top(uint32_t *top, size_t *n, const struct dom *t, uint32_t i)
{
    if (*n == TOP_RETAINERS && t->retained[top[*n - 1]] >= t->retained[i])
        return;
    size_t k = *n < TOP_RETAINERS ? (*n)++ : *n - 1;
    while (k > 0 && t->retained[top[k - 1]] < t->retained[i]) {
        top[k] = top[k - 1];
        k--;
    }
    top[k] = i;
}

static json_t *retainers_json(const struct graph *g, const struct meta *m, const struct drd_rawdata *d,
                              const struct dom *t)
{
    uint32_t top[TOP_RETAINERS], links[TOP_RETAINERS];
    size_t n_top = 0, n_links = 0;
    for (uint32_t i = 2; i <= t->reach; i++) {
        /* the only object its dominator dominates is a link of a chain that the dominator already shows */
        if (t->idom[i] != 1 && t->kids[t->idom[i]] == 1)
            keep_top(links, &n_links, t, i);
        else
            keep_top(top, &n_top, t, i);
    }
    for (size_t k = 0; k < n_links && n_top < TOP_RETAINERS; k++) /* only to fill the list */
        keep_top(top, &n_top, t, links[k]);
    json_t *arr = json_array();
    for (size_t k = 0; k < n_top; k++)
        json_array_append_new(arr, json_pack("{s:s,s:I,s:o}", "type", d->types[g->type[t->vertex[top[k]]] - 1],
                                             "retained", (json_int_t)t->retained[top[k]], "path",
                                             path_json(g, m, d, t, top[k])));
    return arr;
}

/* Per type, its TYPE_PATHS reachable objects (DFS numbers, 0 for none) that retain the most, leaving out those whose
 * immediate dominator is of the same type (the inner links of a chain its head already shows). Returns an array
 * of TYPE_PATHS entries per type id, or NULL when out of memory. */
static uint32_t *type_best(const struct graph *g, const struct drd_rawdata *d, const struct dom *t)
{
    uint32_t *best = calloc(((size_t)d->n_types + 1) * TYPE_PATHS, sizeof *best);
    if (!best)
        return NULL;
    for (uint32_t i = 2; i <= t->reach; i++) {
        uint32_t type = g->type[t->vertex[i]];
        if (t->idom[i] > 1 && g->type[t->vertex[t->idom[i]]] == type)
            continue;
        uint32_t *top = &best[(size_t)type * TYPE_PATHS];
        if (top[TYPE_PATHS - 1] && t->retained[top[TYPE_PATHS - 1]] >= t->retained[i])
            continue;
        size_t k = TYPE_PATHS - 1;
        while (k > 0 && (!top[k - 1] || t->retained[top[k - 1]] < t->retained[i])) {
            top[k] = top[k - 1];
            k--;
        }
        top[k] = i;
    }
    return best;
}

/* The retention paths of type: [{"retained","path"}] for its objects in best, largest first. */
static json_t *type_paths_json(const struct graph *g, const struct meta *m, const struct drd_rawdata *d,
                                const struct dom *t, const uint32_t *best, uint32_t type)
{
    json_t *arr = json_array();
    for (size_t k = 0; arr && k < TYPE_PATHS; k++) {
        uint32_t i = best[(size_t)type * TYPE_PATHS + k];
        if (i)
            json_array_append_new(arr, json_pack("{s:I,s:o}", "retained", (json_int_t)t->retained[i], "path",
                                                 path_json(g, m, d, t, i)));
    }
    return arr;
}

/* One node of the dominator tree: its type, shallow and retained bytes, and how many objects it immediately
 * dominates ("kids"); "children" is filled by dominators_json. */
static json_t *dom_node(const struct graph *g, const struct drd_rawdata *d, const struct dom *t, uint32_t i)
{
    uint32_t v = t->vertex[i];
    return json_pack("{s:I,s:s,s:I,s:I,s:I,s:[]}", "id", (json_int_t)i, "type", d->types[g->type[v] - 1], "shallow",
                     (json_int_t)g->size[v], "retained", (json_int_t)t->retained[i], "kids", (json_int_t)t->kids[i],
                     "children");
}

/* The dominator tree from the virtual root, its children largest first: at most DOM_CHILDREN per node (the others
 * summed in "more" and "more_retained"), at most DOM_NODES nodes in all, given level by level so that the top of the
 * tree is whole. Returns a new reference, or NULL when out of memory. */
static json_t *dominators_json(const struct graph *g, const struct drd_rawdata *d, const struct dom *t)
{
    uint32_t n = t->reach;
    uint32_t *off = calloc((size_t)n + 2, sizeof *off), *list = drd_heap_alloc(n, sizeof *list);
    uint32_t *queue = drd_heap_alloc(DOM_NODES + 1, sizeof *queue);
    json_t **held = drd_heap_alloc(DOM_NODES + 1, sizeof *held);
    json_t *root = json_pack("{s:I,s:s,s:I,s:I,s:I,s:[]}", "id", (json_int_t)1, "type", "(roots)", "shallow",
                             (json_int_t)0, "retained",
                             (json_int_t)t->retained[1], "kids", (json_int_t)t->kids[1], "children");
    if (!off || !list || !queue || !held || !root)
        goto fail;
    /* children of each number, as one list: off[p]..off[p + 1] */
    for (uint32_t i = 2; i <= n; i++)
        off[t->idom[i] + 1]++;
    for (uint32_t i = 1; i <= n + 1; i++)
        off[i] += off[i - 1];
    uint32_t *at = calloc((size_t)n + 1, sizeof *at);
    if (!at)
        goto fail;
    for (uint32_t i = 2; i <= n; i++)
        list[off[t->idom[i]] + at[t->idom[i]]++] = i;
    free(at);
    size_t head = 0, tail = 0, made = 1;
    queue[tail] = 1;
    held[tail++] = root;
    while (head < tail) {
        uint32_t p = queue[head];
        json_t *node = held[head++];
        uint32_t top[DOM_CHILDREN];
        size_t k = 0;
        uint64_t sum = 0;
        for (uint32_t c = off[p]; c < off[p + 1]; c++) {
            uint32_t i = list[c];
            sum += t->retained[i];
            if (k == DOM_CHILDREN && t->retained[top[k - 1]] >= t->retained[i])
                continue;
            size_t j = k < DOM_CHILDREN ? k++ : k - 1;
            while (j > 0 && t->retained[top[j - 1]] < t->retained[i]) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = i;
        }
        json_t *children = json_object_get(node, "children");
        size_t shown = 0;
        for (size_t j = 0; j < k && made < DOM_NODES; j++, shown++, made++) {
            json_t *child = dom_node(g, d, t, top[j]);
            if (!child || json_array_append_new(children, child))
                goto fail;
            sum -= t->retained[top[j]];
            queue[tail] = top[j];
            held[tail++] = child; /* borrowed: its parent holds it */
        }
        if (off[p + 1] - off[p] > shown)
            json_object_set_new(node, "more", json_integer((json_int_t)(off[p + 1] - off[p] - shown)));
        if (off[p + 1] - off[p] > shown)
            json_object_set_new(node, "more_retained", json_integer((json_int_t)sum));
    }
    free(off);
    free(list);
    free(queue);
    free(held);
    return root;
fail:
    free(off);
    free(list);
    free(queue);
    free(held);
    json_decref(root);
    return NULL;
}

json_t *drd_heap_analyze(const char *dir, size_t max_types, char *err, size_t cap)
{
    struct meta m = {0};
    struct graph g = {0};
    struct dom t = {0};
    struct drd_rawdata d;
    char *buf = NULL, path[4200];
    json_t *report = NULL;
    drd_fs_path(path, sizeof path, "%s/heap-snapshot.raw", dir);
    if (drd_rawread_load(path, DRD_RAW_READ_MAX, &d, &buf, drd_heap_meta_record, &m, err, cap))
        goto out;
    if (strcmp(d.profiler, "heap-snapshot") != 0) {
        snprintf(err, cap, "%s is a '%s' file, not a heap snapshot", path, d.profiler);
        goto out;
    }
    if (drd_heap_meta_index(&m, err, cap))
        goto out;
    drd_fs_path(path, sizeof path, "%s/heap-snapshot.graph", dir);
    if (drd_heap_graph_load(path, &m, &g, err, cap))
        goto out;
    free(g.slot);
    free(g.ids);
    g.slot = NULL;
    g.ids = NULL;
    if (drd_heap_bfs(&g, &t) || drd_heap_dominate(&g, &t) || drd_heap_retain(&g, d.n_types, &t)) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    json_int_t roots[N_ROOT_KINDS] = {0}, n_types = 0;
    for (size_t i = 0; i < g.n_roots; i++)
        if (g.roots[i].idx != NONE)
            roots[g.roots[i].kind]++;
    json_t *types = types_json(&g, &m, &d, &t, max_types, &n_types);
    json_t *retainers = retainers_json(&g, &m, &d, &t);
    json_t *dominators = dominators_json(&g, &d, &t);
    if (types && retainers && dominators)
        report = json_pack("{s:s,s:b,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:{s:I,s:I,s:I,s:I,s:I,s:I},s:O,s:O,s:O}",
                           "profiler", "heap-snapshot", "complete", d.ended && !g.truncated, "objects",
                           (json_int_t)g.n, "heap_bytes", (json_int_t)g.heap_bytes, "unreachable_objects",
                           (json_int_t)t.unreachable, "unreachable_bytes", (json_int_t)t.unreachable_bytes,
                           "types_total", n_types, "pause_ms", (double)m.pause_ns / 1e6, "gc_ms",
                           (double)m.gc_ns / 1e6, "roots", "static", roots[ROOT_STATIC], "handle", roots[ROOT_HANDLE],
                           "stack", roots[ROOT_STACK], "finalizer", roots[ROOT_FINALIZER], "other", roots[ROOT_OTHER],
                           "weak", (json_int_t)g.weak, "types", types, "retainers", retainers, "dominators",
                           dominators);
    if (!report)
        snprintf(err, cap, "out of memory");
    json_decref(types);
    json_decref(retainers);
    json_decref(dominators);
out:
    drd_heap_dom_free(&t);
    drd_heap_graph_free(&g);
    free(m.cls);
    free(m.fields);
    drd_rawdata_free(&d);
    free(buf);
    return report;
}

json_t *drd_heap_report(const char *dir, char *err, size_t cap)
{
    return drd_heap_analyze(dir, TOP_TYPES, err, cap);
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static double mb(json_t *o, const char *k)
{
    return (double)num(o, k) / 1048576.0;
}

void drd_heap_print_path(FILE *out, json_t *path)
{
    size_t i;
    json_t *step;
    json_array_foreach(path, i, step)
    {
        const char *root = json_string_value(json_object_get(step, "root"));
        if (i > 0)
            fputs(" -> ", out);
        if (root && strcmp(root, "static") == 0)
            fprintf(out, "static %s", json_string_value(json_object_get(step, "field")));
        else if (root && strcmp(root, "finalizer") == 0)
            fputs("finalizer queue", out);
        else if (root && strcmp(root, "handle") == 0)
            fputs("handle", out);
        else if (root)
            fprintf(out, "%s root", root);
        else if (json_object_get(step, "skipped"))
            fprintf(out, "(%lld more)", (long long)num(step, "skipped"));
        else {
            fputs(json_string_value(json_object_get(step, "type")), out);
            if (num(step, "repeat") > 1)
                fprintf(out, " (x%lld)", (long long)num(step, "repeat"));
        }
    }
    fputc('\n', out);
}

void drd_heap_print(FILE *out, json_t *r)
{
    json_t *roots = json_object_get(r, "roots");
    fprintf(out, "Heap snapshot: %lld objects, %.1f MB, %lld types\n", (long long)num(r, "objects"),
            mb(r, "heap_bytes"), (long long)num(r, "types_total"));
    if (!json_is_true(json_object_get(r, "complete")))
        fprintf(out, "The snapshot is incomplete (the target stopped while writing it): this covers what it wrote\n");
    if (num(r, "unreachable_objects"))
        fprintf(out, "%lld objects (%.1f MB) are reachable from no root: dead, not yet collected\n",
                (long long)num(r, "unreachable_objects"), mb(r, "unreachable_bytes"));
    fprintf(out, "Roots: %lld static, %lld handle, %lld stack, %lld finalizer queue, %lld other; %lld weak (they keep "
            "nothing alive)\n",
            (long long)num(roots, "static"), (long long)num(roots, "handle"), (long long)num(roots, "stack"),
            (long long)num(roots, "finalizer"), (long long)num(roots, "other"), (long long)num(roots, "weak"));
    fprintf(out, "The snapshot paused the target for %.1f ms", json_real_value(json_object_get(r, "pause_ms")));
    if (json_real_value(json_object_get(r, "gc_ms")) > 0)
        fprintf(out, " (the GC: %.1f ms)", json_real_value(json_object_get(r, "gc_ms")));
    fprintf(out, "\n\n  %10s %11s %11s  %s\n", "count", "shallow MB", "retained MB", "type");
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "types"), i, t)
    {
        if (i >= 30)
            break;
        fprintf(out, "  %10lld %11.2f %11.2f  %s\n", (long long)num(t, "count"), mb(t, "shallow"), mb(t, "retained"),
                json_string_value(json_object_get(t, "type")));
    }
    if (json_array_size(json_object_get(r, "retainers")))
        fprintf(out, "\nBiggest retainers, each with a path from a root:\n");
    json_array_foreach(json_object_get(r, "retainers"), i, t)
    {
        fprintf(out, "  %.2f MB  %s\n      ", mb(t, "retained"), json_string_value(json_object_get(t, "type")));
        drd_heap_print_path(out, json_object_get(t, "path"));
    }
}

/* Adds a report's types into map: name -> [count, shallow, retained], summing types of the same name. */
static int add_types(json_t *map, json_t *report)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(report, "types"), i, t)
    {
        const char *name = json_string_value(json_object_get(t, "type"));
        if (!name)
            continue;
        json_int_t v[3] = {num(t, "count"), num(t, "shallow"), num(t, "retained")};
        json_t *have = json_object_get(map, name);
        if (have) {
            for (size_t k = 0; k < 3; k++)
                v[k] += json_integer_value(json_array_get(have, k));
        }
        if (json_object_set_new(map, name, json_pack("[I,I,I]", v[0], v[1], v[2])))
            return -1;
    }
    return 0;
}

static int by_growth(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    static const char *const keys[] = {"retained_delta", "shallow_delta", "count_delta"};
    for (size_t k = 0; k < 3; k++) {
        json_int_t p = num(x, keys[k]), q = num(y, keys[k]);
        if (p != q)
            return p < q ? 1 : -1;
    }
    return strcmp(json_string_value(json_object_get(x, "type")), json_string_value(json_object_get(y, "type")));
}

json_t *drd_heap_diff(json_t *before, json_t *after)
{
    json_t *b = json_object(), *a = json_object(), *names = json_object(), *rows = NULL;
    json_t **items = NULL;
    size_t n = 0;
    /* names: every type name of either side, once */
    if (!b || !a || !names || add_types(b, before) || add_types(a, after) || json_object_update(names, b) ||
        json_object_update(names, a))
        goto out;
    items = drd_heap_alloc(json_object_size(names), sizeof *items);
    if (!items)
        goto out;
    const char *name;
    json_t *unused;
    json_object_foreach(names, name, unused)
    {
        json_t *x = json_object_get(b, name), *y = json_object_get(a, name);
        json_int_t v[6];
        for (size_t k = 0; k < 3; k++) {
            v[k] = json_integer_value(json_array_get(x, k)); /* 0 when the side lacks the type */
            v[k + 3] = json_integer_value(json_array_get(y, k));
        }
        if (v[0] == v[3] && v[1] == v[4] && v[2] == v[5])
            continue;
        items[n] = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I}", "type", name, "count_before", v[0], "count_after", v[3],
                             "count_delta", v[3] - v[0], "shallow_delta", v[4] - v[1], "retained_delta", v[5] - v[2]);
        if (!items[n])
            goto out;
        n++;
    }
    qsort(items, n, sizeof *items, by_growth);
    rows = json_array();
    int failed = !rows;
    for (size_t i = 0; i < n; i++)
        failed |= json_array_append_new(rows, items[i]) != 0; /* takes the item, also when it fails */
    n = 0;
    if (failed) {
        json_decref(rows);
        rows = NULL;
    }
out:
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    free(items);
    json_decref(names);
    json_decref(a);
    json_decref(b);
    return rows;
}
