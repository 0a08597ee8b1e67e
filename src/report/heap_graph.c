/* Loading the heap snapshot's graph and its analysis (see heap_graph.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/heap_graph.h"

struct rd {
    int fd;
    uint64_t base, limit; /* the graph's bytes in the file: [base, limit) */
    uint64_t off; /* offset of buf[pos] from base */
    size_t pos, len;
    unsigned char buf[1 << 16];
};

struct frame {
    uint32_t node, pos;
};

struct stack {
    struct frame *f;
    size_t n, cap;
};

const char *const drd_heap_root_names[N_ROOT_KINDS] = {"other", "stack", "finalizer", "handle", "static"};
/* Which roots a retention path starts from, first choice first: a static field explains a leak best. */
const int drd_heap_root_order[N_ROOT_KINDS] = {ROOT_STATIC, ROOT_HANDLE, ROOT_STACK, ROOT_FINALIZER, ROOT_OTHER};
static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *na = realloc(*arr, ncap * elem);
    if (!na)
        return -1;
    *arr = na;
    *cap = ncap;
    return 0;
}

/* malloc for n elements, never NULL for n == 0 unless out of memory. */
void *drd_heap_alloc(size_t n, size_t elem)
{
    return malloc((n ? n : 1) * elem);
}

static int push(struct stack *s, uint32_t node, uint32_t pos)
{
    if (grow((void **)&s->f, &s->cap, s->n + 1, sizeof *s->f))
        return -1;
    s->f[s->n++] = (struct frame){node, pos};
    return 0;
}

static int parse_hex(const char *s, uint64_t *out)
{
    size_t len = strlen(s);
    if (len == 0 || len > 16)
        return -1;
    uint64_t v = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9')
            d = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            d = *s - 'A' + 10;
        else
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

int drd_heap_meta_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct meta *m = ctx;
    uint64_t a = 0, b = 0;
    if (strcmp(f[0], "c") == 0) {
        if (n != 3 || parse_hex(f[1], &a) || drd_rawread_u64(f[2], &b)) {
            snprintf(err, cap, "malformed class record");
            return -1;
        }
        if (b == 0 || b > d->n_types) {
            snprintf(err, cap, "class %llx is of type %llu, which no earlier 't' line defines", (unsigned long long)a,
                     (unsigned long long)b);
            return -1;
        }
        if (grow((void **)&m->cls, &m->cap_cls, m->n_cls + 1, sizeof *m->cls)) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        m->cls[m->n_cls++] = (struct cls){a, (uint32_t)b};
        return 0;
    }
    if (strcmp(f[0], "sf") == 0) {
        if (n != 3 || drd_rawread_u64(f[1], &a) || a > UINT32_MAX || !*f[2]) {
            snprintf(err, cap, "malformed static field record");
            return -1;
        }
        drd_rawread_clean_text(f[2]);
        if (grow((void **)&m->fields, &m->cap_fields, m->n_fields + 1, sizeof *m->fields)) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        m->fields[m->n_fields++] = (struct field){(uint32_t)a, f[2]};
        return 0;
    }
    if (strcmp(f[0], "m") == 0) {
        static const char *const known[] = {"objects", "edges", "roots", "pause_ns", "gc_ns", "heap_bytes"};
        if (n != 3) {
            snprintf(err, cap, "malformed fact record");
            return -1;
        }
        for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(f[1], known[i]) == 0 && drd_rawread_u64(f[2], &a)) {
                snprintf(err, cap, "malformed fact record");
                return -1;
            }
        if (strcmp(f[1], "objects") == 0)
            m->objects = a;
        else if (strcmp(f[1], "pause_ns") == 0)
            m->pause_ns = a;
        else if (strcmp(f[1], "gc_ns") == 0)
            m->gc_ns = a;
        return 0; /* facts this tool does not know yet are ignored */
    }
    snprintf(err, cap, "unknown record '%s' in a heap-snapshot file", f[0]);
    return -1;
}

static int by_class(const void *a, const void *b)
{
    const struct cls *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

static int by_index(const void *a, const void *b)
{
    const struct field *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

/* Sorts the class and field tables for lookups. Returns 0, or -1 with err for a class named twice with two
 * types, or a field index named twice. */
int drd_heap_meta_index(struct meta *m, char *err, size_t cap)
{
    if (m->n_cls)
        qsort(m->cls, m->n_cls, sizeof *m->cls, by_class);
    size_t w = 0;
    for (size_t i = 0; i < m->n_cls; i++) {
        if (w > 0 && m->cls[w - 1].id == m->cls[i].id) {
            if (m->cls[w - 1].type != m->cls[i].type) {
                snprintf(err, cap, "class %llx is given two types", (unsigned long long)m->cls[i].id);
                return -1;
            }
            continue;
        }
        m->cls[w++] = m->cls[i];
    }
    m->n_cls = w;
    if (m->n_fields)
        qsort(m->fields, m->n_fields, sizeof *m->fields, by_index);
    for (size_t i = 1; i < m->n_fields; i++)
        if (m->fields[i].index == m->fields[i - 1].index) {
            snprintf(err, cap, "static field %u is named twice", m->fields[i].index);
            return -1;
        }
    return 0;
}

/* The type of class id, or 0 when no c line names it. */
static uint32_t class_type(const struct meta *m, uint64_t id)
{
    size_t lo = 0, hi = m->n_cls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->cls[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_cls && m->cls[lo].id == id ? m->cls[lo].type : 0;
}

/* The position of static field index in m->fields, or NONE. */
static uint32_t field_pos(const struct meta *m, uint32_t index)
{
    size_t lo = 0, hi = m->n_fields;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->fields[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_fields && m->fields[lo].index == index ? (uint32_t)lo : NONE;
}

static uint64_t le(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    for (int i = bytes - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

/* Copies the next n bytes (n at most sizeof r->buf) to out. Returns 1, 0 when the file ends first (nothing is
 * consumed), or -1 on a read error. */
static int take(struct rd *r, unsigned char *out, size_t n)
{
    if (r->len - r->pos < n) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
        while (r->len < n) {
            uint64_t left = r->limit - r->base - (r->off + r->len - r->pos); /* bytes of the graph not read yet */
            size_t room = sizeof r->buf - r->len;
            if (left == 0)
                return 0;
            ssize_t got = read(r->fd, r->buf + r->len, left < room ? (size_t)left : room);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                return -1;
            if (got == 0)
                return 0;
            r->len += (size_t)got;
        }
    }
    memcpy(out, r->buf + r->pos, n);
    r->pos += n;
    r->off += n;
    return 1;
}

/* Reads the magic from the start of the file. Returns 0, or -1 with err. */
static int rewind_graph(struct rd *r, char *err, size_t cap)
{
    unsigned char magic[8];
    r->off = 0;
    r->pos = r->len = 0;
    if (lseek(r->fd, (off_t)r->base, SEEK_SET) != (off_t)r->base) {
        snprintf(err, cap, "cannot read heap-snapshot.graph: %s", strerror(errno));
        return -1;
    }
    int got = take(r, magic, sizeof magic);
    if (got < 0) {
        snprintf(err, cap, "cannot read heap-snapshot.graph: %s", strerror(errno));
        return -1;
    }
    if (got == 0 || memcmp(magic, GRAPH_MAGIC, sizeof magic) != 0) {
        snprintf(err, cap, "heap-snapshot.graph is not a drdotnet object graph");
        return -1;
    }
    return 0;
}

static uint64_t slot_of(uint64_t id, uint64_t mask)
{
    return (id * 0x9E3779B97F4A7C15ULL >> 17) & mask;
}

/* The node of object id, or NONE. */
static uint32_t lookup(const struct graph *g, uint64_t id)
{
    for (uint64_t s = slot_of(id, g->mask);; s = (s + 1) & g->mask) {
        uint32_t v = g->slot[s];
        if (v == 0)
            return NONE;
        if (g->ids[v - 1] == id)
            return v - 1;
    }
}

/* Fills the id table. Returns 0, or -1 with err (out of memory, an id listed twice). */
static int index_ids(struct graph *g, char *err, size_t cap)
{
    uint64_t slots = 16;
    while (slots < (uint64_t)g->n * 2)
        slots *= 2;
    g->mask = slots - 1;
    g->slot = calloc(slots, sizeof *g->slot);
    if (!g->slot) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    for (uint32_t i = 0; i < g->n; i++) {
        uint64_t s = slot_of(g->ids[i], g->mask);
        while (g->slot[s] && g->ids[g->slot[s] - 1] != g->ids[i])
            s = (s + 1) & g->mask;
        if (g->slot[s]) {
            snprintf(err, cap, "heap-snapshot.graph lists object %llx twice", (unsigned long long)g->ids[i]);
            return -1;
        }
        g->slot[s] = i + 1;
    }
    return 0;
}

/* Appends an object (pass 1). Returns 0, or -1 with err. */
static int add_object(struct graph *g, uint64_t id, uint64_t size, uint32_t type, uint32_t nref, char *err,
                      size_t cap)
{
    if (g->heap_bytes + size > MAX_HEAP_BYTES || g->refs + nref > MAX_EDGES) {
        snprintf(err, cap, "heap-snapshot.graph holds more objects or references than this tool reads");
        return -1;
    }
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : g->hint > 1024 ? g->hint : 1024;
        uint64_t *ids = realloc(g->ids, ncap * sizeof *ids);
        if (ids)
            g->ids = ids;
        uint64_t *sizes = ids ? realloc(g->size, ncap * sizeof *sizes) : NULL;
        if (sizes)
            g->size = sizes;
        uint32_t *types = sizes ? realloc(g->type, ncap * sizeof *types) : NULL;
        if (!types) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        g->type = types;
        g->cap = ncap;
    }
    g->ids[g->n] = id;
    g->size[g->n] = size;
    g->type[g->n] = type;
    g->n++;
    g->refs += nref;
    g->heap_bytes += size;
    return 0;
}

static int add_root(struct graph *g, uint64_t id, uint32_t field, unsigned kind, char *err, size_t cap)
{
    if (grow((void **)&g->roots, &g->cap_roots, g->n_roots + 1, sizeof *g->roots)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    g->roots[g->n_roots++] = (struct root){id, NONE, field, (uint8_t)kind};
    return 0;
}

/* Pass 1 checks every record, keeps the objects and the strong roots and finds where the whole records end; a
 * record that the end of the file cuts is the last one, left out. Pass 2 reads up to there again and fills the
 * references. Returns 0, or -1 with err naming the byte offset of the bad record. */
static int scan(struct graph *g, const struct meta *m, struct rd *r, int pass, char *err, size_t cap)
{
    uint32_t obj = 0;
    uint64_t listed = 0, kept = 0;
    unsigned char h[29], e[8];
    for (;;) {
        uint64_t at = r->off;
        if (pass == 2 && at >= g->end)
            break;
        int got = take(r, h, 1);
        if (got == 0 && pass == 1)
            break;
        if (got <= 0)
            goto cut;
        if (h[0] == 'O') {
            if ((got = take(r, h + 1, 28)) <= 0)
                goto cut;
            uint64_t id = le(h + 1, 8), cls = le(h + 9, 8), size = le(h + 17, 8);
            uint32_t nref = (uint32_t)le(h + 25, 4);
            uint32_t type = 0;
            if (pass == 1) {
                if (id == 0) {
                    snprintf(err, cap, "heap-snapshot.graph, byte %llu: an object with id 0", (unsigned long long)at);
                    return -1;
                }
                if (size > MAX_OBJECT_BYTES) {
                    snprintf(err, cap, "heap-snapshot.graph, byte %llu: object %llx claims %llu bytes",
                             (unsigned long long)at, (unsigned long long)id, (unsigned long long)size);
                    return -1;
                }
                if (nref > size / 4) {
                    /* a reference takes at least 4 bytes of its object: a larger count is garbage, not a cut */
                    snprintf(err, cap, "heap-snapshot.graph, byte %llu: object %llx of %llu bytes cannot hold %u "
                             "references", (unsigned long long)at, (unsigned long long)id,
                             (unsigned long long)size, nref);
                    return -1;
                }
                type = class_type(m, cls);
                if (type == 0) {
                    snprintf(err, cap, "heap-snapshot.graph, byte %llu: object %llx is of class %llx, which no 'c' "
                             "line names", (unsigned long long)at, (unsigned long long)id, (unsigned long long)cls);
                    return -1;
                }
                if (g->n == MAX_OBJECTS) {
                    snprintf(err, cap, "heap-snapshot.graph holds more than %u objects", MAX_OBJECTS);
                    return -1;
                }
            } else {
                if (obj >= g->n || listed + nref > g->refs)
                    goto changed;
                g->off[obj++] = (uint32_t)kept;
                listed += nref;
            }
            for (uint32_t k = 0; k < nref; k++) {
                if ((got = take(r, e, 8)) <= 0)
                    goto cut;
                if (pass == 2) {
                    uint32_t w = lookup(g, le(e, 8));
                    if (w != NONE) /* references to objects the walk did not list are left out */
                        g->edges[kept++] = w;
                }
            }
            if (pass == 1 && add_object(g, id, size, type, nref, err, cap))
                return -1;
        } else if (h[0] == 'R') {
            if ((got = take(r, h + 1, 18)) <= 0)
                goto cut;
            uint64_t id = le(h + 1, 8);
            unsigned kind = h[9], flags = h[10];
            if (pass == 1) {
                if (kind > ROOT_HANDLE || flags > FLAGS_KNOWN) {
                    snprintf(err, cap, "heap-snapshot.graph, byte %llu: a root of unknown kind %u or flags %u",
                             (unsigned long long)at, kind, flags);
                    return -1;
                }
                if (flags & FLAG_WEAK)
                    g->weak++; /* a weak reference keeps nothing alive */
                else if (add_root(g, id, 0, kind, err, cap))
                    return -1;
            }
        } else if (h[0] == 'S') {
            if ((got = take(r, h + 1, 12)) <= 0)
                goto cut;
            uint64_t id = le(h + 1, 8);
            uint32_t index = (uint32_t)le(h + 9, 4);
            if (pass == 1) {
                uint32_t pos = field_pos(m, index);
                if (pos == NONE) {
                    snprintf(err, cap, "heap-snapshot.graph, byte %llu: a static root in field %u, which no 'sf' "
                             "line names", (unsigned long long)at, index);
                    return -1;
                }
                if (add_root(g, id, pos, ROOT_STATIC, err, cap))
                    return -1;
            }
        } else {
            snprintf(err, cap, "heap-snapshot.graph, byte %llu: unknown record tag 0x%02x", (unsigned long long)at,
                     h[0]);
            return -1;
        }
        continue;
    cut:
        if (got < 0) {
            snprintf(err, cap, "cannot read heap-snapshot.graph: %s", strerror(errno));
            return -1;
        }
        if (pass == 2)
            goto changed;
        g->truncated = 1; /* the target stopped while writing this record */
        g->end = at;
        return 0;
    }
    if (pass == 1) {
        g->end = r->off;
        return 0;
    }
    if (obj != g->n)
        goto changed;
    g->off[g->n] = (uint32_t)kept;
    for (size_t i = 0; i < g->n_roots; i++)
        if (g->roots[i].idx != NONE)
            g->edges[kept++] = g->roots[i].idx;
    g->off[g->n + 1] = (uint32_t)kept;
    return 0;
changed:
    snprintf(err, cap, "heap-snapshot.graph changed while it was being read");
    return -1;
}

int drd_heap_graph_load(const char *path, const struct meta *m, struct graph *g, char *err, size_t cap)
{
    return drd_heap_graph_load_part(path, 0, UINT64_MAX, m, g, err, cap);
}

int drd_heap_graph_load_part(const char *path, uint64_t start, uint64_t len, const struct meta *m, struct graph *g,
                             char *err, size_t cap)
{
    struct rd *r = malloc(sizeof *r);
    if (!r) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    int rc = -1;
    /* a FIFO must not hang the tool, a symlink (to a secret) is not followed */
    r->fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (r->fd < 0) {
        snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        goto fail_open;
    }
    struct stat st;
    if (fstat(r->fd, &st) || !S_ISREG(st.st_mode)) {
        snprintf(err, cap, "cannot read %s: not a regular file", path);
        goto fail_read;
    }
    if (start > (uint64_t)st.st_size) {
        snprintf(err, cap, "%s holds no graph at byte %llu", path, (unsigned long long)start);
        goto fail_read;
    }
    r->base = start;
    r->limit = len > (uint64_t)st.st_size - start ? (uint64_t)st.st_size : start + len;
    if (m->objects <= (uint64_t)st.st_size / 29 && m->objects <= MAX_OBJECTS)
        g->hint = (size_t)m->objects; /* an object record takes at least 29 bytes */
    if (rewind_graph(r, err, cap) || scan(g, m, r, 1, err, cap) || index_ids(g, err, cap))
        goto fail_read;
    for (size_t i = 0; i < g->n_roots; i++)
        g->roots[i].idx = g->roots[i].obj ? lookup(g, g->roots[i].obj) : NONE;
    g->off = drd_heap_alloc((size_t)g->n + 2, sizeof *g->off);
    g->edges = drd_heap_alloc((size_t)g->refs + g->n_roots, sizeof *g->edges);
    if (!g->off || !g->edges) {
        snprintf(err, cap, "out of memory");
        goto fail_read;
    }
    if (rewind_graph(r, err, cap) || scan(g, m, r, 2, err, cap))
        goto fail_read;
    rc = 0;
fail_read:
    close(r->fd);
fail_open:
    free(r);
    return rc;
}

void drd_heap_graph_free(struct graph *g)
{
    free(g->ids);
    free(g->size);
    free(g->type);
    free(g->roots);
    free(g->slot);
    free(g->off);
    free(g->edges);
}



void drd_heap_dom_free(struct dom *t)
{
    free(t->vertex);
    free(t->idom);
    free(t->kids);
    free(t->retained);
    free(t->from);
    free(t->type_retained);
}

/* Breadth first from the roots, kind by kind in drd_heap_root_order, so that a path starts at a static field whenever
 * one reaches the object. Returns 0 or -1 (out of memory). */
int drd_heap_bfs(const struct graph *g, struct dom *t)
{
    uint32_t *queue = drd_heap_alloc(g->n, sizeof *queue);
    t->from = drd_heap_alloc(g->n, sizeof *t->from);
    if (!queue || !t->from) {
        free(queue);
        return -1;
    }
    for (uint32_t i = 0; i < g->n; i++)
        t->from[i] = NONE;
    size_t head = 0, tail = 0;
    for (int k = 0; k < N_ROOT_KINDS; k++) {
        for (size_t i = 0; i < g->n_roots; i++) {
            uint32_t v = g->roots[i].idx;
            if (v != NONE && g->roots[i].kind == drd_heap_root_order[k] && t->from[v] == NONE) {
                t->from[v] = g->n;
                queue[tail++] = v;
            }
        }
        while (head < tail) {
            uint32_t v = queue[head++];
            for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++) {
                uint32_t w = g->edges[e];
                if (t->from[w] == NONE) {
                    t->from[w] = v;
                    queue[tail++] = w;
                }
            }
        }
    }
    free(queue);
    return 0;
}

/* Depth first from the virtual root: numbers in preorder (num by node, vertex and parent by number). Returns the
 * count of numbered nodes, or 0 when out of memory. */
static uint32_t dfs(const struct graph *g, uint32_t *num, uint32_t *vertex, uint32_t *parent)
{
    struct stack s = {0};
    uint32_t count = 1;
    num[g->n] = 1;
    vertex[1] = g->n;
    parent[1] = 0;
    if (push(&s, g->n, g->off[g->n]))
        return 0;
    while (s.n) {
        struct frame *top = &s.f[s.n - 1];
        if (top->pos == g->off[top->node + 1]) {
            s.n--;
            continue;
        }
        uint32_t w = g->edges[top->pos++];
        if (num[w])
            continue;
        num[w] = ++count;
        vertex[count] = w;
        parent[count] = num[top->node];
        if (push(&s, w, g->off[w])) {
            count = 0;
            break;
        }
    }
    free(s.f);
    return count;
}

/* Lengauer-Tarjan's eval with path compression, without recursion (stack has room for every number): the
 * smallest semidominator on the forest path from v up to, not including, its tree's root. */
static uint32_t eval(uint32_t v, uint32_t *ancestor, uint32_t *label, uint32_t *stack)
{
    if (ancestor[v] == 0)
        return label[v];
    size_t n = 0;
    uint32_t x = v;
    while (ancestor[ancestor[x]] != 0) {
        stack[n++] = x;
        x = ancestor[x];
    }
    while (n > 0) {
        uint32_t y = stack[--n], a = ancestor[y];
        if (label[a] < label[y])
            label[y] = label[a];
        ancestor[y] = ancestor[a];
    }
    return label[v];
}

/* Immediate dominators by the semi-NCA algorithm (Georgiadis, Tarjan, Werneck): semidominators computed as
 * Lengauer-Tarjan do, then each idom as the nearest common ancestor of the DFS parent and the semidominator.
 * preds: reverse adjacency by number (roff, rlist). Fills t->idom. Returns 0 or -1 (out of memory). */
static int dominators(uint32_t reach, const uint32_t *parent, const uint32_t *roff, const uint32_t *rlist,
                      struct dom *t)
{
    uint32_t *semi = drd_heap_alloc((size_t)reach + 1, sizeof *semi);
    uint32_t *label = drd_heap_alloc((size_t)reach + 1, sizeof *label);
    uint32_t *ancestor = drd_heap_alloc((size_t)reach + 1, sizeof *ancestor);
    t->idom = drd_heap_alloc((size_t)reach + 1, sizeof *t->idom);
    int rc = -1;
    if (!semi || !label || !ancestor || !t->idom)
        goto out;
    for (uint32_t i = 0; i <= reach; i++) {
        semi[i] = label[i] = i;
        ancestor[i] = 0;
    }
    /* t->idom serves as eval's stack until the second loop fills it */
    for (uint32_t w = reach; w >= 2; w--) {
        uint32_t s = semi[w];
        for (uint32_t e = roff[w]; e < roff[w + 1]; e++) {
            uint32_t u = eval(rlist[e], ancestor, label, t->idom);
            if (u < s)
                s = u;
        }
        semi[w] = label[w] = s;
        ancestor[w] = parent[w];
    }
    t->idom[0] = t->idom[1] = 0;
    for (uint32_t w = 2; w <= reach; w++) {
        uint32_t x = parent[w];
        while (x > semi[w])
            x = t->idom[x];
        t->idom[w] = x;
    }
    rc = 0;
out:
    free(semi);
    free(label);
    free(ancestor);
    return rc;
}

/* Numbers the graph, finds the dominators and frees the forward adjacency. Returns 0 or -1 (out of memory). */
int drd_heap_dominate(struct graph *g, struct dom *t)
{
    int rc = -1;
    uint32_t *num = calloc((size_t)g->n + 1, sizeof *num);
    uint32_t *parent = drd_heap_alloc((size_t)g->n + 2, sizeof *parent);
    uint32_t *roff = NULL, *rlist = NULL;
    t->vertex = drd_heap_alloc((size_t)g->n + 2, sizeof *t->vertex);
    if (!num || !parent || !t->vertex)
        goto out;
    t->reach = dfs(g, num, t->vertex, parent);
    if (t->reach == 0)
        goto out;
    for (uint32_t i = 0; i < g->n; i++)
        if (!num[i]) {
            t->unreachable++;
            t->unreachable_bytes += g->size[i];
        }
    /* the predecessors of each number, by number */
    roff = calloc((size_t)t->reach + 2, sizeof *roff);
    if (!roff)
        goto out;
    for (uint32_t a = 1; a <= t->reach; a++) {
        uint32_t v = t->vertex[a];
        for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++)
            roff[num[g->edges[e]] + 1]++;
    }
    for (uint32_t a = 1; a <= t->reach + 1; a++)
        roff[a] += roff[a - 1];
    rlist = drd_heap_alloc(roff[t->reach + 1], sizeof *rlist);
    if (!rlist)
        goto out;
    for (uint32_t a = 1; a <= t->reach; a++) {
        uint32_t v = t->vertex[a];
        for (uint32_t e = g->off[v]; e < g->off[v + 1]; e++)
            rlist[roff[num[g->edges[e]]]++] = a;
    }
    for (uint32_t a = t->reach + 1; a > 0; a--) /* the fill moved each start to the next one's */
        roff[a] = roff[a - 1];
    roff[0] = 0;
    free(num);
    num = NULL;
    free(g->off);
    free(g->edges);
    g->off = g->edges = NULL;
    rc = dominators(t->reach, parent, roff, rlist, t);
out:
    free(num);
    free(parent);
    free(roff);
    free(rlist);
    return rc;
}

/* Retained sizes, how many objects each one immediately dominates, and per type the retained bytes of the objects
 * that no other object of their type dominates. Returns 0 or -1 (out of memory). */
int drd_heap_retain(const struct graph *g, uint32_t n_types, struct dom *t)
{
    uint32_t reach = t->reach;
    int rc = -1;
    uint32_t *coff = NULL, *clist = NULL, *depth = NULL;
    struct stack s = {0};
    t->retained = drd_heap_alloc((size_t)reach + 1, sizeof *t->retained);
    t->kids = calloc((size_t)reach + 1, sizeof *t->kids);
    t->type_retained = calloc((size_t)n_types + 1, sizeof *t->type_retained);
    coff = calloc((size_t)reach + 2, sizeof *coff);
    clist = drd_heap_alloc(reach, sizeof *clist);
    depth = calloc((size_t)n_types + 1, sizeof *depth); /* objects of each type on the current dominator path */
    if (!t->retained || !t->kids || !t->type_retained || !coff || !clist || !depth)
        goto out;
    t->retained[0] = t->retained[1] = 0;
    for (uint32_t i = 2; i <= reach; i++) {
        t->retained[i] = g->size[t->vertex[i]];
        t->kids[t->idom[i]]++;
    }
    for (uint32_t i = reach; i >= 2; i--)
        t->retained[t->idom[i]] += t->retained[i];
    for (uint32_t i = 1; i <= reach; i++)
        coff[i + 1] = coff[i] + t->kids[i];
    for (uint32_t i = 2; i <= reach; i++)
        clist[coff[t->idom[i]]++] = i;
    for (uint32_t i = reach + 1; i > 1; i--)
        coff[i] = coff[i - 1];
    coff[1] = 0;
    if (push(&s, 1, coff[1]))
        goto out;
    while (s.n) {
        struct frame *top = &s.f[s.n - 1];
        if (top->pos == coff[top->node + 1]) {
            if (top->node != 1)
                depth[g->type[t->vertex[top->node]]]--;
            s.n--;
            continue;
        }
        uint32_t c = clist[top->pos++];
        uint32_t type = g->type[t->vertex[c]];
        if (depth[type]++ == 0)
            t->type_retained[type] += t->retained[c];
        if (push(&s, c, coff[c]))
            goto out;
    }
    rc = 0;
out:
    free(s.f);
    free(coff);
    free(clist);
    free(depth);
    return rc;
}


uint32_t *drd_heap_root_pos(const struct graph *g)
{
    uint32_t *pos = drd_heap_alloc(g->n, sizeof *pos);
    if (!pos)
        return NULL;
    for (uint32_t i = 0; i < g->n; i++)
        pos[i] = NONE;
    for (int o = 0; o < N_ROOT_KINDS; o++)
        for (size_t i = 0; i < g->n_roots; i++) {
            uint32_t v = g->roots[i].idx;
            if (v != NONE && g->roots[i].kind == drd_heap_root_order[o] && pos[v] == NONE)
                pos[v] = (uint32_t)i;
        }
    return pos;
}
