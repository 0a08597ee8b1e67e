/* The raw data writer: interning tables (grown on the worker thread only) and a capped, buffered file. */
#define _GNU_SOURCE
#include "profiler/rawout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
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

/* Frame names already written, so frames that resolve to the same text share one id. */
struct name_entry {
    uint64_t hash;
    uint32_t id;
    char *name;
};

struct drd_rawout {
    struct drd_core *core;
    FILE *f;
    uint64_t bytes, max_bytes;
    int failed;
    struct idmap frames, types, threads;
    struct name_entry *names_by_text;
    uint32_t name_cap, name_count;
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

static int names_grow(struct drd_rawout *r);

static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            *s = ' ';
}

static int fail(struct drd_rawout *r, const char *why)
{
    if (!r->failed) {
        r->failed = 1;
        drd_session_fail(r->core, why);
    }
    return -1;
}

int drd_rawout_printf(struct drd_rawout *r, const char *fmt, ...)
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

/* Space kept free in the output folder so that the files that end a session still fit there. */
#define RESERVE_BYTES (256u * 1024u)

int drd_rawout_flush(struct drd_rawout *r)
{
    if (r->failed)
        return -1;
    struct statvfs fs;
    if (fstatvfs(fileno(r->f), &fs) == 0 && (uint64_t)fs.f_bavail * fs.f_frsize < RESERVE_BYTES)
        return fail(r, "the output folder is almost full (less than 256 KiB free): collection stopped");
    if (fflush(r->f))
        return fail(r, "writing the raw data failed (disk full or folder unwritable?)");
    return 0;
}

uint64_t drd_rawout_bytes(const struct drd_rawout *r)
{
    return r->bytes;
}

struct drd_rawout *drd_rawout_open(struct drd_core *c, const char *dir, const char *profiler, uint64_t max_bytes)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s.raw", dir, profiler) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    struct drd_rawout *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
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
    if (!r->names || idmap_grow(&r->frames) || idmap_grow(&r->types) || idmap_grow(&r->threads) || names_grow(r))
        goto fail_alloc;
    r->stack_cap = 1024;
    r->stacks = calloc(r->stack_cap, sizeof *r->stacks);
    if (!r->stacks)
        goto fail_alloc;
    if (drd_rawout_printf(r, "%s\t1\t%s\n", DRD_RAW_MAGIC, profiler))
        goto fail_alloc;
    return r;
fail_alloc:
    drd_names_destroy(r->names);
    idmap_free(&r->frames);
    idmap_free(&r->types);
    idmap_free(&r->threads);
    free(r->names_by_text);
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

static uint64_t hash_text(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *t; t++) {
        h ^= (unsigned char)*t;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int names_grow(struct drd_rawout *r)
{
    uint32_t ncap = r->name_cap ? r->name_cap * 2 : 1024;
    struct name_entry *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (uint32_t i = 0; i < r->name_cap; i++) {
        if (!r->names_by_text[i].id)
            continue;
        uint32_t j = (uint32_t)r->names_by_text[i].hash & (ncap - 1);
        while (nt[j].id)
            j = (j + 1) & (ncap - 1);
        nt[j] = r->names_by_text[i];
    }
    free(r->names_by_text);
    r->names_by_text = nt;
    r->name_cap = ncap;
    return 0;
}

/* The id of a frame name, writing an 'f' line the first time. */
static int name_id(struct drd_rawout *r, const char *name, uint32_t *id)
{
    uint64_t h = hash_text(name);
    uint32_t j = (uint32_t)h & (r->name_cap - 1);
    while (r->names_by_text[j].id) {
        if (r->names_by_text[j].hash == h && strcmp(r->names_by_text[j].name, name) == 0) {
            *id = r->names_by_text[j].id;
            return 0;
        }
        j = (j + 1) & (r->name_cap - 1);
    }
    if (r->name_count >= MAX_ENTRIES)
        return fail(r, "too many distinct frames");
    char *copy = strdup(name);
    if (!copy)
        return fail(r, "out of memory for the frame table");
    uint32_t nid = r->name_count + 1;
    if (drd_rawout_printf(r, "f\t%u\t%s\n", nid, name)) {
        free(copy);
        return -1;
    }
    r->names_by_text[j] = (struct name_entry){h, nid, copy};
    r->name_count++;
    if (r->name_count * 2 > r->name_cap && names_grow(r))
        return fail(r, "out of memory for the frame table");
    *id = nid;
    return 0;
}

int drd_rawout_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id)
{
    uint64_t key = f->fn ^ mix(f->cls);
    uint32_t slot = 0, found = idmap_find(&r->frames, key, &slot);
    /* a collision of (fn, cls) keys would only merge two names; the key mixes both to make it unlikely */
    if (found) {
        *id = found;
        return 0;
    }
    if (r->frames.count >= MAX_ENTRIES)
        return fail(r, "too many distinct frames");
    char name[1024];
    drd_names_frame(r->names, f, name, sizeof name);
    sanitize(name);
    uint32_t nid;
    if (name_id(r, name, &nid))
        return -1;
    r->frames.keys[slot] = key;
    r->frames.ids[slot] = nid;
    r->frames.count++;
    if (r->frames.count * 2 > r->frames.cap && idmap_grow(&r->frames))
        return fail(r, "out of memory for the frame table");
    *id = nid;
    return 0;
}

int drd_rawout_thread(struct drd_rawout *r, uint32_t tid)
{
    return drd_rawout_thread_as(r, tid, NULL);
}

int drd_rawout_thread_as(struct drd_rawout *r, uint32_t tid, const char *known)
{
    uint32_t slot = 0;
    if (idmap_find(&r->threads, tid, &slot))
        return 0;
    char path[64], name[64] = "";
    snprintf(path, sizeof path, "/proc/self/task/%u/comm", tid);
    FILE *f = known && *known ? NULL : fopen(path, "re");
    if (f) {
        if (!fgets(name, sizeof name, f))
            name[0] = 0;
        fclose(f);
    } else if (known)
        snprintf(name, sizeof name, "%s", known);
    name[strcspn(name, "\n")] = 0;
    sanitize(name);
    r->threads.keys[slot] = tid;
    r->threads.ids[slot] = 1;
    r->threads.count++;
    if (r->threads.count * 2 > r->threads.cap && idmap_grow(&r->threads))
        return fail(r, "out of memory for the thread table");
    return drd_rawout_printf(r, "n\t%u\t%s\n", tid, name);
}

int drd_rawout_type(struct drd_rawout *r, ClassID cls, uint32_t *id)
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
    if (drd_rawout_printf(r, "t\t%u\t%s\n", nid, name))
        return -1;
    r->types.keys[slot] = cls;
    r->types.ids[slot] = nid;
    r->types.count++;
    if (r->types.count * 2 > r->types.cap && idmap_grow(&r->types))
        return fail(r, "out of memory for the type table");
    *id = nid;
    return 0;
}

static int stacks_grow(struct drd_rawout *r)
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

int drd_rawout_stack(struct drd_rawout *r, const struct drd_frame *frames, int n, uint32_t *id)
{
    uint32_t ids[DRD_RAW_MAX_DEPTH];
    uint32_t k = 0;
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n && k < DRD_RAW_MAX_DEPTH; i++) {
        if (drd_rawout_frame(r, &frames[i], &ids[k]))
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
    if (drd_rawout_printf(r, "s\t%u\t", nid)) {
        free(copy);
        return -1;
    }
    for (uint32_t i = 0; i < k; i++)
        if (drd_rawout_printf(r, i ? ",%u" : "%u", ids[i])) {
            free(copy);
            return -1;
        }
    if (drd_rawout_printf(r, "\n")) {
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

int drd_rawout_close(struct drd_rawout *r, int ok, uint64_t events, uint64_t dropped)
{
    if (!r)
        return 0;
    int rc = 0;
    if (ok && !r->failed)
        rc = drd_rawout_printf(r, "end\t%llu\t%llu\n", (unsigned long long)events, (unsigned long long)dropped);
    if (fclose(r->f) && !r->failed) {
        fail(r, "writing the raw data failed (disk full or folder unwritable?)");
        rc = -1;
    }
    if (r->failed)
        rc = -1;
    for (uint32_t i = 0; i < r->stack_cap; i++)
        free(r->stacks[i].frames);
    free(r->stacks);
    for (uint32_t i = 0; i < r->name_cap; i++)
        free(r->names_by_text[i].name);
    free(r->names_by_text);
    idmap_free(&r->frames);
    idmap_free(&r->types);
    idmap_free(&r->threads);
    drd_names_destroy(r->names);
    free(r);
    return rc;
}
