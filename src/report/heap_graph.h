/* The heap snapshot's object graph as the tool loads it (heap-snapshot.raw for the types, classes and static
 * fields; heap-snapshot.graph for the objects, references and roots) and its analysis: dominator tree, retained
 * sizes, shortest paths from the preferred roots. The report (heap_report.c) turns them into JSON. */
#ifndef DRD_REPORT_HEAP_GRAPH_H
#define DRD_REPORT_HEAP_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "report/rawread.h"

#define GRAPH_MAGIC "DRDGRPH1"
#define MAX_OBJECTS ((uint32_t)1 << 31)
#define MAX_EDGES ((uint64_t)UINT32_MAX - 1) /* references and roots together: u32 positions */
#define MAX_OBJECT_BYTES ((uint64_t)1 << 40) /* a larger object is a corrupt record */
#define MAX_HEAP_BYTES ((uint64_t)1 << 62)
#define NONE UINT32_MAX

/* Root kinds: the graph file's 0 to 3, then ours for the static fields. */
enum { ROOT_OTHER, ROOT_STACK, ROOT_FINALIZER, ROOT_HANDLE, ROOT_STATIC, N_ROOT_KINDS };
extern const char *const drd_heap_root_names[N_ROOT_KINDS];
/* Which roots a retention path starts from, first choice first: a static field explains a leak best. */
extern const int drd_heap_root_order[N_ROOT_KINDS];

#define FLAG_WEAK 2
#define FLAGS_KNOWN 15

/* What heap-snapshot.raw holds besides the type names. */
struct cls {
    uint64_t id;
    uint32_t type;
};

struct field {
    uint32_t index;
    const char *name;
};

struct meta {
    struct cls *cls;
    size_t n_cls, cap_cls;
    struct field *fields;
    size_t n_fields, cap_fields;
    uint64_t objects, pause_ns, gc_ns;
};

struct root {
    uint64_t obj;
    uint32_t idx; /* the object's node, NONE when the graph has no such object */
    uint32_t field; /* static roots: position in meta.fields */
    uint8_t kind;
};

/* The object graph: objects are nodes 0..n-1 in file order, node n is the virtual root over every root. */
struct graph {
    uint32_t n;
    size_t cap, hint; /* hint: the object count the raw file announces, if the file can hold that many */
    uint64_t *ids, *size;
    uint32_t *type;
    uint64_t refs; /* references the object records list */
    uint64_t heap_bytes;
    struct root *roots; /* strong ones only */
    size_t n_roots, cap_roots;
    uint64_t weak;
    uint64_t end; /* file offset past the last whole record */
    int truncated;
    uint32_t *slot; /* open addressing: object index + 1, 0 for empty */
    uint64_t mask;
    uint32_t *off, *edges; /* forward adjacency of nodes 0..n */
};

/* What the analysis leaves for the report, by DFS number (1 is the virtual root, 2..reach the reachable objects;
 * a dominator has a smaller number than what it dominates). */
struct dom {
    uint32_t reach;
    uint32_t *vertex; /* number -> node */
    uint32_t *idom;
    uint32_t *kids; /* how many objects each one immediately dominates */
    uint64_t *retained;
    uint32_t *from; /* by node: the BFS parent on a shortest path from the preferred roots, n for a root */
    uint64_t unreachable, unreachable_bytes;
    uint64_t *type_retained; /* by type id */
};

/* malloc for n elements, never NULL for n == 0 unless out of memory. */
void *drd_heap_alloc(size_t n, size_t elem);

/* drd_rawread_load's record callback (ctx: struct meta): the class, field and count lines of heap-snapshot.raw. */
int drd_heap_meta_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap);

/* Sorts the class and field tables for lookups. Returns 0, or -1 with err for a class named twice with two
 * types, or a field index named twice. */
int drd_heap_meta_index(struct meta *m, char *err, size_t cap);

/* Reads path into g: objects, roots (resolved to nodes) and the forward adjacency. Returns 0, or -1 with err. */
int drd_heap_graph_load(const char *path, const struct meta *m, struct graph *g, char *err, size_t cap);

/* drd_heap_graph_load of the len bytes of path from byte start (one graph of several in a file; a part the file
 * ends first is read up to the file's end, as a cut graph). */
int drd_heap_graph_load_part(const char *path, uint64_t start, uint64_t len, const struct meta *m, struct graph *g,
                             char *err, size_t cap);

/* Frees what drd_heap_graph_load took (any of it may be NULL). */
void drd_heap_graph_free(struct graph *g);

/* Frees the analysis' tables. */
void drd_heap_dom_free(struct dom *t);

/* Breadth first from the roots, kind by kind in drd_heap_root_order, so that a path starts at a static field whenever
 * one reaches the object. Returns 0 or -1 (out of memory). */
int drd_heap_bfs(const struct graph *g, struct dom *t);

/* Numbers the graph, finds the dominators and frees the forward adjacency. Returns 0 or -1 (out of memory). */
int drd_heap_dominate(struct graph *g, struct dom *t);

/* Retained sizes, how many objects each one immediately dominates, and per type the retained bytes of the objects
 * that no other object of their type dominates. Returns 0 or -1 (out of memory). */
int drd_heap_retain(const struct graph *g, uint32_t n_types, struct dom *t);

/* By node: the root (index into g->roots) a path from it starts at, the first kind in drd_heap_root_order among the
 * roots that name it; NONE for an object that is no root. Returns a new array, or NULL when out of memory. */
uint32_t *drd_heap_root_pos(const struct graph *g);

#endif
