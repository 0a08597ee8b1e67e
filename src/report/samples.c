/* Loading the weighted stacks of cpu-hotpaths, merged-stacks and allocations raw files: threads, runs, stack totals,
 * distinct names. */
#include "report/samples.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define MAX_WEIGHT (1ULL << 48) /* one sample never stands for more (about three days) */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

/* Rebuilds the thread hash with n slots (a power of two). */
static int rehash(struct drd_samples *s, size_t n)
{
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < s->n_threads; i++) {
        size_t h = mix(s->threads[i].tid) & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->n_slots = n;
    return 0;
}

/* The thread tid, added when new. Returns NULL when out of memory. */
static struct drd_sample_thread *thread_for(struct drd_samples *s, uint64_t tid)
{
    if (s->n_slots) {
        size_t h = mix(tid) & (s->n_slots - 1);
        for (; s->slots[h]; h = (h + 1) & (s->n_slots - 1))
            if (s->threads[s->slots[h] - 1].tid == tid)
                return &s->threads[s->slots[h] - 1];
    }
    if (s->n_threads >= UINT32_MAX / 4)
        return NULL;
    if ((s->n_threads & (s->n_threads - 1)) == 0) { /* the capacity is the next power of two */
        size_t ncap = s->n_threads ? s->n_threads * 2 : 1;
        struct drd_sample_thread *nt = realloc(s->threads, ncap * sizeof *nt);
        if (!nt)
            return NULL;
        s->threads = nt;
    }
    struct drd_sample_thread *t = &s->threads[s->n_threads++];
    memset(t, 0, sizeof *t);
    t->tid = tid;
    if (s->n_threads * 2 > s->n_slots) {
        if (rehash(s, s->n_slots ? s->n_slots * 2 : 64)) {
            s->n_threads--;
            return NULL;
        }
    } else {
        size_t h = mix(tid) & (s->n_slots - 1);
        while (s->slots[h])
            h = (h + 1) & (s->n_slots - 1);
        s->slots[h] = (uint32_t)s->n_threads;
    }
    return t;
}

/* Makes room for stack ids up to n in the per-stack totals. */
static int stack_room(struct drd_samples *s, uint32_t n)
{
    if (n <= s->n_stack_slots)
        return 0;
    uint32_t ncap = s->n_stack_slots * 2 > n ? s->n_stack_slots * 2 : n;
    uint64_t *a = realloc(s->stack_samples, (size_t)ncap * sizeof *a);
    if (!a)
        return -1;
    s->stack_samples = a;
    uint64_t *b = realloc(s->stack_weight, (size_t)ncap * sizeof *b);
    if (!b)
        return -1;
    s->stack_weight = b;
    memset(a + s->n_stack_slots, 0, (size_t)(ncap - s->n_stack_slots) * sizeof *a);
    memset(b + s->n_stack_slots, 0, (size_t)(ncap - s->n_stack_slots) * sizeof *b);
    s->n_stack_slots = ncap;
    return 0;
}

/* Adds count samples of stack weighing weight in all to thread t. Returns 0, or -1 when out of memory. */
static int add_sample(struct drd_samples *s, struct drd_sample_thread *t, uint32_t stack, uint64_t count,
                      uint64_t weight)
{
    if (stack_room(s, stack))
        return -1;
    struct drd_sample_run *last = t->n_runs ? &t->runs[t->n_runs - 1] : NULL;
    if (last && last->stack == stack && last->count <= UINT32_MAX - count) {
        last->count += (uint32_t)count;
        last->weight += weight;
    } else {
        if (t->n_runs == t->cap_runs) {
            size_t ncap = t->cap_runs ? t->cap_runs * 2 : 16;
            struct drd_sample_run *nr = realloc(t->runs, ncap * sizeof *nr);
            if (!nr)
                return -1;
            t->runs = nr;
            t->cap_runs = ncap;
        }
        t->runs[t->n_runs++] = (struct drd_sample_run){stack, (uint32_t)count, weight};
    }
    t->samples += count;
    t->weight += weight;
    s->stack_samples[stack - 1] += count;
    s->stack_weight[stack - 1] += weight;
    s->samples += count;
    s->weight += weight;
    return 0;
}

/* An allocations file's record: "a" kept for drd_samples_load, "m" facts left to the report. */
static int on_alloc(struct drd_samples *s, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    if (strcmp(f[0], "m") == 0 || strcmp(f[0], "n") == 0 || strcmp(f[0], "e") == 0) /* 'n', 'e': the timeline's */
        return 0;
    struct drd_rawread_alloc a;
    if (drd_rawread_alloc_record(d, f, n, &a, err, cap))
        return -1;
    if (drd_rawread_grow((void **)&s->allocs, &s->cap_allocs, s->n_allocs, sizeof *s->allocs)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    s->allocs[s->n_allocs++] = (struct drd_sample_alloc){a.type, a.stack, a.count, a.bytes};
    return 0;
}

static int by_stack_type(const void *a, const void *b)
{
    const struct drd_sample_alloc *x = a, *y = b;
    if (x->stack != y->stack)
        return x->stack < y->stack ? -1 : 1;
    return (x->type > y->type) - (x->type < y->type);
}

/* Turns the allocation records into stacks of their own (struct drd_sample_alloc says how). Returns 0 or -1 (out of
 * memory). */
static int alloc_stacks(struct drd_samples *s)
{
    struct drd_rawdata *d = &s->d;
    size_t n = 0;
    if (s->n_allocs > 1)
        qsort(s->allocs, s->n_allocs, sizeof *s->allocs, by_stack_type);
    for (size_t i = 0; i < s->n_allocs; i++) { /* one (type, stack) may come in several records: summed */
        if (n && s->allocs[n - 1].stack == s->allocs[i].stack && s->allocs[n - 1].type == s->allocs[i].type) {
            s->allocs[n - 1].count_fixed += s->allocs[i].count_fixed;
            s->allocs[n - 1].bytes += s->allocs[i].bytes;
        } else
            s->allocs[n++] = s->allocs[i];
    }
    if ((uint64_t)d->n_frames + d->n_types >= UINT32_MAX || n >= UINT32_MAX)
        return -1;
    char **frames = realloc(d->frames, ((size_t)d->n_frames + d->n_types + 1) * sizeof *frames);
    if (!frames)
        return -1;
    d->frames = frames;
    for (uint32_t t = 0; t < d->n_types; t++)
        frames[d->n_frames + t] = d->types[t];
    struct drd_rawread_stack *stacks = calloc(n ? n : 1, sizeof *stacks);
    if (!stacks)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const struct drd_rawread_stack *old = &d->stacks[s->allocs[i].stack - 1];
        stacks[i].frames = malloc(((size_t)old->n + 1) * sizeof *stacks[i].frames);
        if (!stacks[i].frames) {
            for (size_t k = 0; k < i; k++)
                free(stacks[k].frames);
            free(stacks);
            return -1;
        }
        stacks[i].n = old->n + 1;
        stacks[i].frames[0] = d->n_frames + s->allocs[i].type; /* frame ids are 1-based */
        if (old->n) /* a stack without frames (launched sessions take none) may have no array at all */
            memcpy(stacks[i].frames + 1, old->frames, (size_t)old->n * sizeof *old->frames);
    }
    for (uint32_t i = 0; i < d->n_stacks; i++)
        free(d->stacks[i].frames);
    free(d->stacks);
    d->stacks = stacks;
    d->n_stacks = (uint32_t)n;
    d->n_frames += d->n_types;
    if (stack_room(s, d->n_stacks))
        return -1;
    for (size_t i = 0; i < n; i++) {
        uint64_t objects = (s->allocs[i].count_fixed + 512) / 1024;
        s->stack_samples[i] = objects;
        s->stack_weight[i] = s->allocs[i].bytes;
        s->samples += objects;
        s->weight += s->allocs[i].bytes;
    }
    free(s->allocs);
    s->allocs = NULL;
    s->n_allocs = s->cap_allocs = 0;
    return 0;
}

/* A waits file: each "g <lock|wait> <key> <stack> <count> <total ns> <max ns>" record is count waits of that
 * stack weighing their time waited, all under one thread (tid 0: every waiting thread); the other records are the
 * waits report's (checked there). */
static int on_wait_record(struct drd_samples *s, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    uint64_t key, stack, count, weight, max;
    if (strcmp(f[0], "g") != 0)
        return 0;
    if (n != 7 || (strcmp(f[1], "lock") != 0 && strcmp(f[1], "wait") != 0) || drd_rawread_u64(f[2], &key) ||
        drd_rawread_u64(f[3], &stack) || drd_rawread_u64(f[4], &count) || drd_rawread_u64(f[5], &weight) ||
        drd_rawread_u64(f[6], &max) || count > UINT32_MAX || weight > MAX_WEIGHT) {
        snprintf(err, cap, "malformed 'g' record");
        return -1;
    }
    if (stack == 0 || stack > d->n_stacks) {
        snprintf(err, cap, "'g' record names stack %llu, which is not defined", (unsigned long long)stack);
        return -1;
    }
    if (count == 0)
        return 0;
    struct drd_sample_thread *t = thread_for(s, 0);
    if (!t || add_sample(s, t, (uint32_t)stack, count, weight)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    return 0;
}

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct drd_samples *s = ctx;
    const char *tag = f[0];
    uint64_t tid, stack, weight, when;
    if (strcmp(d->profiler, "allocations") == 0)
        return on_alloc(s, d, f, n, err, cap);
    int merged = strcmp(d->profiler, "merged-stacks") == 0;
    if (strcmp(d->profiler, "waits") == 0)
        return on_wait_record(s, d, f, n, err, cap);
    if (!merged && strcmp(d->profiler, "cpu-hotpaths") != 0) {
        snprintf(err, cap, "a '%s' file holds no samples", d->profiler);
        return -1;
    }
    if (strcmp(tag, "n") == 0) {
        if (n != 3 || drd_rawread_u64(f[1], &tid)) {
            snprintf(err, cap, "malformed 'n' record");
            return -1;
        }
        struct drd_sample_thread *t = thread_for(s, tid);
        if (!t) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        t->name = f[2];
        return 0;
    }
    if (!merged && strcmp(tag, "m") == 0) {
        if (n != 3) {
            snprintf(err, cap, "malformed 'm' record");
            return -1;
        }
        if (strcmp(f[1], "mode") == 0) {
            if (strcmp(f[2], "cpu") != 0 && strcmp(f[2], "wall") != 0) {
                snprintf(err, cap, "unknown sampling mode '%.40s'", f[2]);
                return -1;
            }
            snprintf(s->mode, sizeof s->mode, "%s", f[2]);
        } else if (strcmp(f[1], "sampler") == 0) {
            if (strcmp(f[2], "signal") != 0 && strcmp(f[2], "suspend") != 0) {
                snprintf(err, cap, "unknown sampler '%.40s'", f[2]);
                return -1;
            }
            snprintf(s->sampler, sizeof s->sampler, "%s", f[2]);
        } else if (strcmp(f[1], "frequency") == 0 || strcmp(f[1], "period_ns") == 0) {
            if (drd_rawread_u64(f[2], strcmp(f[1], "frequency") == 0 ? &s->frequency : &s->period_ns)) {
                snprintf(err, cap, "malformed '%s' value", f[1]);
                return -1;
            }
        } /* other facts are for newer tools */
        return 0;
    }
    int is_p = !merged && strcmp(tag, "p") == 0, is_w = merged && strcmp(tag, "w") == 0;
    if (!is_p && !is_w) {
        snprintf(err, cap, "unknown record '%s' in a %s file", tag, d->profiler);
        return -1;
    }
    weight = 1;
    /* a 'p' record's 5th field, its time, is for the timeline (timeline.c) */
    if ((is_p ? (n != 4 && n != 5) : n != 3) || drd_rawread_u64(f[1], &tid) || drd_rawread_u64(f[2], &stack) ||
        (is_p && drd_rawread_u64(f[3], &weight)) || weight > MAX_WEIGHT ||
        (n == 5 && drd_rawread_u64(f[4], &when))) {
        snprintf(err, cap, "malformed '%s' record", tag);
        return -1;
    }
    if (stack == 0 || stack > d->n_stacks) {
        snprintf(err, cap, "'%s' record names stack %llu, which is not defined", tag, (unsigned long long)stack);
        return -1;
    }
    if (s->ranged && (n != 5 || when < s->from_ns || when >= s->to_ns))
        return 0; /* outside the time range asked for (a sample without its time is in none) */
    struct drd_sample_thread *t = thread_for(s, tid);
    if (!t) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    if (add_sample(s, t, (uint32_t)stack, 1, weight)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    return 0;
}

/* Replaces the bytes of s that are not valid UTF-8 with '?', in place. */
static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* Gives every frame id the index of its distinct name. */
static int dedup_names(struct drd_samples *s)
{
    uint32_t n = s->d.n_frames;
    if (n == 0)
        return 0;
    size_t nslots = 16;
    while (nslots < (size_t)n * 2)
        nslots *= 2;
    uint32_t *slots = calloc(nslots, sizeof *slots);
    s->names = malloc((size_t)n * sizeof *s->names);
    s->name_of = malloc((size_t)n * sizeof *s->name_of);
    if (s->by_line)
        s->lines = calloc(n, sizeof *s->lines);
    if (!slots || !s->names || !s->name_of || (s->by_line && !s->lines)) {
        free(slots);
        return -1;
    }
    for (uint32_t i = 0; i < n; i++) {
        const char *name = s->by_line ? drd_rawread_label(&s->d, i + 1) : s->d.frames[i];
        size_t h = hash_str(name) & (nslots - 1);
        while (slots[h] && strcmp(s->names[slots[h] - 1], name) != 0)
            h = (h + 1) & (nslots - 1);
        if (!slots[h]) {
            if (s->by_line)
                s->lines[s->n_names] = drd_rawread_line_of(&s->d, i + 1);
            s->names[s->n_names++] = name;
            slots[h] = s->n_names;
        }
        s->name_of[i] = slots[h] - 1;
    }
    free(slots);
    return 0;
}

static int by_tid(const void *a, const void *b)
{
    const struct drd_sample_thread *x = a, *y = b;
    return (x->tid > y->tid) - (x->tid < y->tid);
}

/* 1 when raw_path names a heap snapshot's raw file, which goes with the graph file beside it. */
static int heap_raw(const char *raw_path, char *graph, size_t cap)
{
    static const char name[] = "heap-snapshot.raw";
    size_t n = strlen(raw_path), k = sizeof name - 1;
    if (n < k || strcmp(raw_path + n - k, name) != 0 || (n > k && raw_path[n - k - 1] != '/'))
        return 0;
    int w = snprintf(graph, cap, "%.*sheap-snapshot.graph", (int)(n - k), raw_path);
    return w > 0 && (size_t)w < cap;
}

/* Loads the samples taken in [from_ns, to_ns) on the session's clock; by_line keeps frames of one method on
 * different source lines apart. */
static int load(const char *raw_path, uint64_t from_ns, uint64_t to_ns, struct drd_samples *s, int by_line, char *err,
                size_t cap)
{
    char graph[4200];
    memset(s, 0, sizeof *s);
    s->by_line = by_line;
    s->ranged = from_ns != 0 || to_ns != UINT64_MAX;
    s->from_ns = from_ns;
    s->to_ns = to_ns;
    if (heap_raw(raw_path, graph, sizeof graph)) {
        if (drd_heap_samples_load(raw_path, graph, s, err, cap))
            return -1;
        s->by_line = by_line; /* the heap's loader starts from an empty s; its frames have no lines */
        if (dedup_names(s)) {
            snprintf(err, cap, "out of memory");
            return -1;
        }
        return 0;
    }
    if (drd_rawread_load(raw_path, DRD_RAW_READ_MAX, &s->d, &s->buf, on_record, s, err, cap))
        return -1;
    s->merged = strcmp(s->d.profiler, "merged-stacks") == 0;
    s->alloc = strcmp(s->d.profiler, "allocations") == 0;
    if (strcmp(s->d.profiler, "waits") == 0) {
        snprintf(s->mode, sizeof s->mode, "wait");
    } else if (!s->merged && !s->alloc && strcmp(s->d.profiler, "cpu-hotpaths") != 0) {
        snprintf(err, cap, "%s is a '%s' file, which holds no samples", raw_path, s->d.profiler);
        return -1;
    }
    if (s->alloc && alloc_stacks(s)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    /* frame names come cleaned by the raw reader; thread names are profiler fields, cleaned the same way */
    for (size_t i = 0; i < s->n_threads; i++)
        if (s->threads[i].name)
            drd_rawread_clean_text((char *)s->threads[i].name);
    if (strcmp(s->d.profiler, "waits") == 0 && s->n_threads == 1)
        s->threads[0].name = "every waiting thread"; /* after the cleaning: a constant */
    if (stack_room(s, s->d.n_stacks) || dedup_names(s)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    free(s->slots);
    s->slots = NULL;
    s->n_slots = 0;
    if (s->n_threads > 1)
        qsort(s->threads, s->n_threads, sizeof *s->threads, by_tid);
    return 0;
}

int drd_samples_load(const char *raw_path, struct drd_samples *s, char *err, size_t cap)
{
    return load(raw_path, 0, UINT64_MAX, s, 0, err, cap);
}

int drd_samples_load_range(const char *raw_path, uint64_t from_ns, uint64_t to_ns, struct drd_samples *s, char *err,
                           size_t cap)
{
    return load(raw_path, from_ns, to_ns, s, 0, err, cap);
}

int drd_samples_load_lines(const char *raw_path, struct drd_samples *s, char *err, size_t cap)
{
    return load(raw_path, 0, UINT64_MAX, s, 1, err, cap);
}

void drd_samples_free(struct drd_samples *s)
{
    drd_rawdata_free(&s->d);
    free(s->buf);
    for (size_t i = 0; i < s->n_threads; i++)
        free(s->threads[i].runs);
    free(s->threads);
    free(s->stack_samples);
    free(s->stack_weight);
    free(s->names);
    free(s->name_of);
    free(s->lines);
    free(s->slots);
    free(s->allocs);
    memset(s, 0, sizeof *s);
}

int drd_samples_busier(const void *a, const void *b)
{
    const struct drd_sample_thread *x = *(const struct drd_sample_thread *const *)a;
    const struct drd_sample_thread *y = *(const struct drd_sample_thread *const *)b;
    if (x->weight != y->weight)
        return x->weight > y->weight ? -1 : 1;
    if (x->samples != y->samples)
        return x->samples > y->samples ? -1 : 1;
    return (x->tid > y->tid) - (x->tid < y->tid);
}
