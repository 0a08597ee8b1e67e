/* A heap snapshot's dominator tree held whole, for answering one node's children at a time (the page opens the tree
 * a level at a time instead of receiving the first 2,000 nodes only). Numbers are the analysis' DFS numbers, the
 * "id"s of the report's "dominators", which are the same for every analysis of one graph file. */
#define _GNU_SOURCE /* qsort_r */
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "report/heap_graph.h"
#include "report/heap_tree.h"
#include "report/rawread.h"
#include "report/report.h"

struct drd_heap_tree {
    uint32_t reach;
    uint32_t *type, *kids, *coff, *clist; /* by number; children of p: clist[coff[p] .. coff[p + 1]], largest first */
    uint64_t *shallow, *retained;
    struct drd_rawdata d; /* the type names */
    char *buf;
};

/* For qsort_r over numbers: the largest retained first (ctx: the retained sizes by number). */
static int by_retained(const void *a, const void *b, void *ctx)
{
    const uint64_t *retained = ctx;
    uint64_t x = retained[*(const uint32_t *)a], y = retained[*(const uint32_t *)b];
    if (x != y)
        return x < y ? 1 : -1;
    return (*(const uint32_t *)a > *(const uint32_t *)b) - (*(const uint32_t *)a < *(const uint32_t *)b);
}

/* Takes from the analysis what the tree keeps, by number, and lists each number's children. Returns 0 or -1. */
static int take(struct drd_heap_tree *h, const struct graph *g, struct dom *t)
{
    uint32_t n = t->reach;
    h->reach = n;
    h->type = drd_heap_alloc((size_t)n + 1, sizeof *h->type);
    h->shallow = drd_heap_alloc((size_t)n + 1, sizeof *h->shallow);
    h->coff = calloc((size_t)n + 2, sizeof *h->coff);
    h->clist = drd_heap_alloc(n, sizeof *h->clist);
    if (!h->type || !h->shallow || !h->coff || !h->clist)
        return -1;
    h->retained = t->retained;
    h->kids = t->kids;
    t->retained = NULL;
    t->kids = NULL;
    h->type[0] = h->type[1] = 0;
    h->shallow[0] = h->shallow[1] = 0;
    for (uint32_t i = 2; i <= n; i++) {
        h->type[i] = g->type[t->vertex[i]];
        h->shallow[i] = g->size[t->vertex[i]];
    }
    for (uint32_t i = 1; i <= n; i++)
        h->coff[i + 1] = h->coff[i] + h->kids[i];
    for (uint32_t i = 2; i <= n; i++)
        h->clist[h->coff[t->idom[i]]++] = i;
    for (uint32_t i = n + 1; i > 1; i--)
        h->coff[i] = h->coff[i - 1];
    h->coff[1] = 0;
    for (uint32_t p = 1; p <= n; p++)
        if (h->coff[p + 1] - h->coff[p] > 1)
            qsort_r(h->clist + h->coff[p], h->coff[p + 1] - h->coff[p], sizeof *h->clist, by_retained, h->retained);
    return 0;
}

struct drd_heap_tree *drd_heap_tree_load(const char *dir, char *err, size_t cap)
{
    struct meta m = {0};
    struct graph g = {0};
    struct dom t = {0};
    char path[4200];
    struct drd_heap_tree *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    int ok = 0;
    drd_fs_path(path, sizeof path, "%s/heap-snapshot.raw", dir);
    if (drd_rawread_load(path, DRD_RAW_READ_MAX, &h->d, &h->buf, drd_heap_meta_record, &m, err, cap) ||
        drd_heap_meta_index(&m, err, cap))
        goto out;
    drd_fs_path(path, sizeof path, "%s/heap-snapshot.graph", dir);
    if (drd_heap_graph_load(path, &m, &g, err, cap))
        goto out;
    free(g.slot);
    free(g.ids);
    g.slot = NULL;
    g.ids = NULL;
    if (drd_heap_bfs(&g, &t) || drd_heap_dominate(&g, &t) || drd_heap_retain(&g, h->d.n_types, &t) ||
        take(h, &g, &t)) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    ok = 1;
out:
    drd_heap_dom_free(&t);
    drd_heap_graph_free(&g);
    free(m.cls);
    free(m.fields);
    if (!ok) {
        drd_heap_tree_free(h);
        return NULL;
    }
    return h;
}

void drd_heap_tree_free(struct drd_heap_tree *h)
{
    if (!h)
        return;
    free(h->type);
    free(h->kids);
    free(h->coff);
    free(h->clist);
    free(h->shallow);
    free(h->retained);
    drd_rawdata_free(&h->d);
    free(h->buf);
    free(h);
}

json_t *drd_heap_tree_children(const struct drd_heap_tree *h, uint32_t node, uint32_t offset, uint32_t limit)
{
    if (node < 1 || node > h->reach)
        return NULL;
    uint32_t n = h->coff[node + 1] - h->coff[node];
    json_t *arr = json_array();
    uint64_t rest = 0;
    uint32_t shown = 0;
    for (uint32_t k = offset; arr && k < n; k++) {
        uint32_t c = h->clist[h->coff[node] + k];
        if (shown == limit) {
            rest += h->retained[c];
            continue;
        }
        json_array_append_new(arr, json_pack("{s:I,s:s,s:I,s:I,s:I}", "id", (json_int_t)c, "type",
                                             h->d.types[h->type[c] - 1], "shallow", (json_int_t)h->shallow[c],
                                             "retained", (json_int_t)h->retained[c], "kids", (json_int_t)h->kids[c]));
        shown++;
    }
    uint32_t more = offset < n && n - offset > shown ? n - offset - shown : 0;
    return json_pack("{s:I,s:I,s:I,s:o,s:I,s:I}", "id", (json_int_t)node, "offset", (json_int_t)offset, "kids",
                     (json_int_t)n, "children", arr ? arr : json_array(), "more", (json_int_t)more, "more_retained",
                     (json_int_t)rest);
}
