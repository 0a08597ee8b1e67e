/* The raw data writer: interning tables (grown on the worker thread only) and a capped, buffered file. */
#define _GNU_SOURCE
#include "profiler/rawout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/names.h"

#define MAX_ENTRIES (1u << 22) /* per table: a session with more distinct frames or stacks stops */

/* Open-addressing map from a 64-bit key to an id. */
struct idmap {
    uint64_t *keys;
    uint32_t *ids; /* 0 = empty slot */
    uint32_t cap, count;
};

struct stack_entry {
    uint64_t hash;
    uint32_t id, n;
    uint32_t *frames;
};

struct drd_raw {
    struct drd_core *core;
    FILE *f;
    uint64_t bytes, max_bytes;
    int failed;
    struct idmap frames, types;
    struct stack_entry *stacks; /* open addressing by hash */
    uint32_t stack_cap, stack_count;
    struct drd_names *names;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int idmap_grow(struct idmap *m)
{
    uint32_t ncap = m->cap ? m->cap * 2 : 1024;
    uint64_t *nk = calloc(ncap, sizeof *nk);
    uint32_t *ni = calloc(ncap, sizeof *ni);
    if (!nk || !ni) {
        free(nk);
        free(ni);
        return -1;
    }
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->ids[i])
            continue;
        uint32_t j = (uint32_t)mix(m->keys[i]) & (ncap - 1);
        while (ni[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        ni[j] = m->ids[i];
    }
    free(m->keys);
    free(m->ids);
    m->keys = nk;
    m->ids = ni;
    m->cap = ncap;
    return 0;
}

/* Finds key; returns its id, or 0 with *slot set where it would go. */
static uint32_t idmap_find(struct idmap *m, uint64_t key, uint32_t *slot)
{
    uint32_t j = (uint32_t)mix(key) & (m->cap - 1);
    while (m->ids[j]) {
        if (m->keys[j] == key)
            return m->ids[j];
        j = (j + 1) & (m->cap - 1);
    }
    *slot = j;
    return 0;
}

static void idmap_free(struct idmap *m)
{
    free(m->keys);
    free(m->ids);
}

static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            *s = ' ';
}

static int fail(struct drd_raw *r, const char *why)
{
    if (!r->failed) {
        r->failed = 1;
        drd_session_fail(r->core, why);
    }
    return -1;
}

int drd_raw_printf(struct drd_raw *r, const char *fmt, ...)
{
    if (r->failed)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(r->f, fmt, ap);
    va_end(ap);
    if (n < 0)
        return fail(r, "writing the raw data failed (disk full or folder unwritable?)");
    r->bytes += (uint64_t)n;
    if (r->bytes > r->max_bytes)
        return fail(r, "the raw data reached its size cap (max_file_mb)");
    return 0;
}

int drd_raw_flush(struct drd_raw *r)
{
    if (r->failed)
        return -1;
    if (fflush(r->f))
        return fail(r, "writing the raw data failed (disk full or folder unwritable?)");
    return 0;
}

uint64_t drd_raw_bytes(const struct drd_raw *r)
{
    return r->bytes;
}

struct drd_raw *drd_raw_open(struct drd_core *c, const char *dir, const char *file, uint64_t max_bytes)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    struct drd_raw *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        goto fail_open;
    r->f = fdopen(fd, "w");
    if (!r->f) {
        close(fd);
        goto fail_open;
    }
    setvbuf(r->f, NULL, _IOFBF, 1 << 16);
    r->core = c;
    r->max_bytes = max_bytes;
    r->names = drd_names_create(c->info);
    if (!r->names || idmap_grow(&r->frames) || idmap_grow(&r->types))
        goto fail_alloc;
    r->stack_cap = 1024;
    r->stacks = calloc(r->stack_cap, sizeof *r->stacks);
    if (!r->stacks)
        goto fail_alloc;
    if (drd_raw_printf(r, "%s\t1\t%s\n", DRD_RAW_MAGIC, c->ops->desc->name))
        goto fail_alloc;
    return r;
fail_alloc:
    drd_names_destroy(r->names);
    idmap_free(&r->frames);
    idmap_free(&r->types);
    free(r->stacks);
    fclose(r->f);
    unlink(path);
    errno = ENOMEM;
    free(r);
    return NULL;
fail_open:
    free(r);
    return NULL;
}

int drd_raw_frame(struct drd_raw *r, FunctionID fid, uint32_t *id)
{
    uint32_t slot = 0, found = idmap_find(&r->frames, fid, &slot);
    if (found) {
        *id = found;
        return 0;
    }
    if (r->frames.count >= MAX_ENTRIES)
        return fail(r, "too many distinct frames");
    char name[1024];
    if (fid == 0)
        snprintf(name, sizeof name, "[native]");
    else
        drd_names_function(r->names, fid, name, sizeof name);
    sanitize(name);
    uint32_t nid = r->frames.count + 1;
    if (drd_raw_printf(r, "f\t%u\t%s\n", nid, name))
        return -1;
    r->frames.keys[slot] = fid;
    r->frames.ids[slot] = nid;
    r->frames.count++;
    if (r->frames.count * 2 > r->frames.cap && idmap_grow(&r->frames))
        return fail(r, "out of memory for the frame table");
    *id = nid;
    return 0;
}

int drd_raw_type(struct drd_raw *r, ClassID cls, uint32_t *id)
{
    uint32_t slot = 0, found = idmap_find(&r->types, cls, &slot);
    if (found) {
        *id = found;
        return 0;
    }
    if (r->types.count >= MAX_ENTRIES)
        return fail(r, "too many distinct types");
    char name[1024];
    drd_names_class(r->names, cls, name, sizeof name);
    sanitize(name);
    uint32_t nid = r->types.count + 1;
    if (drd_raw_printf(r, "t\t%u\t%s\n", nid, name))
        return -1;
    r->types.keys[slot] = cls;
    r->types.ids[slot] = nid;
    r->types.count++;
    if (r->types.count * 2 > r->types.cap && idmap_grow(&r->types))
        return fail(r, "out of memory for the type table");
    *id = nid;
    return 0;
}

static int stacks_grow(struct drd_raw *r)
{
    uint32_t ncap = r->stack_cap * 2;
    struct stack_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; i < r->stack_cap; i++) {
        if (!r->stacks[i].id)
            continue;
        uint32_t j = (uint32_t)r->stacks[i].hash & (ncap - 1);
        while (ns[j].id)
            j = (j + 1) & (ncap - 1);
        ns[j] = r->stacks[i];
    }
    free(r->stacks);
    r->stacks = ns;
    r->stack_cap = ncap;
    return 0;
}

int drd_raw_stack(struct drd_raw *r, const FunctionID *frames, int n, uint32_t *id)
{
    uint32_t ids[DRD_RAW_MAX_DEPTH];
    uint32_t k = 0;
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n && k < DRD_RAW_MAX_DEPTH; i++) {
        if (frames[i] == 0 && i > 0 && frames[i - 1] == 0)
            continue; /* one [native] for a run of native frames */
        if (drd_raw_frame(r, frames[i], &ids[k]))
            return -1;
        h = mix(h ^ ids[k]);
        k++;
    }
    h = mix(h ^ k);
    uint32_t j = (uint32_t)h & (r->stack_cap - 1);
    while (r->stacks[j].id) {
        struct stack_entry *e = &r->stacks[j];
        if (e->hash == h && e->n == k && memcmp(e->frames, ids, k * sizeof *ids) == 0) {
            *id = e->id;
            return 0;
        }
        j = (j + 1) & (r->stack_cap - 1);
    }
    if (r->stack_count >= MAX_ENTRIES)
        return fail(r, "too many distinct stacks");
    uint32_t *copy = malloc((k ? k : 1) * sizeof *copy);
    if (!copy)
        return fail(r, "out of memory for the stack table");
    memcpy(copy, ids, k * sizeof *ids);
    uint32_t nid = r->stack_count + 1;
    /* the line: s <id> <f1>,<f2>,... */
    if (drd_raw_printf(r, "s\t%u\t", nid)) {
        free(copy);
        return -1;
    }
    for (uint32_t i = 0; i < k; i++)
        if (drd_raw_printf(r, i ? ",%u" : "%u", ids[i])) {
            free(copy);
            return -1;
        }
    if (drd_raw_printf(r, "\n")) {
        free(copy);
        return -1;
    }
    r->stacks[j] = (struct stack_entry){.hash = h, .id = nid, .n = k, .frames = copy};
    r->stack_count++;
    if (r->stack_count * 2 > r->stack_cap && stacks_grow(r))
        return fail(r, "out of memory for the stack table");
    *id = nid;
    return 0;
}

int drd_raw_close(struct drd_raw *r, int ok, uint64_t events, uint64_t dropped)
{
    if (!r)
        return 0;
    int rc = 0;
    if (ok && !r->failed)
        rc = drd_raw_printf(r, "end\t%llu\t%llu\n", (unsigned long long)events, (unsigned long long)dropped);
    if (fclose(r->f) && !r->failed) {
        fail(r, "writing the raw data failed (disk full or folder unwritable?)");
        rc = -1;
    }
    if (r->failed)
        rc = -1;
    for (uint32_t i = 0; i < r->stack_cap; i++)
        free(r->stacks[i].frames);
    free(r->stacks);
    idmap_free(&r->frames);
    idmap_free(&r->types);
    drd_names_destroy(r->names);
    free(r);
    return rc;
}
