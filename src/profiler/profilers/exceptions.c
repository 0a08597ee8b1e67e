/* The exceptions profiler: every exception thrown, its type and throw stack, and where it was caught.
 *
 * Exceptions can come by the hundred thousand per second, so the callbacks count rather than queue: a throw
 * finds (or claims) the slot of its (type, stack) in a preallocated lock-free table and increments it; a catch
 * does the same in a second table keyed by (throw slot, catching method). The worker writes the counts that
 * grew since its last pass as raw records. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/rawout.h"
#include "profiler/stacks.h"

#define THROW_SLOTS 4096 /* distinct (type, stack) pairs */
#define CATCH_SLOTS 4096 /* distinct (throw slot, catcher) pairs */
#define MAX_PROBES 64

enum { SLOT_EMPTY = 0, SLOT_WRITING = 1, SLOT_READY = 2 };

struct throw_slot {
    _Atomic uint32_t state;
    uint32_t depth;
    uint64_t hash;
    ClassID cls;
    atomic_ullong count;
    struct drd_frame frames[]; /* max_depth */
};

struct catch_slot {
    _Atomic uint32_t state;
    uint32_t throw_slot; /* index + 1 */
    FunctionID catcher;
    atomic_ullong count;
};

/* What the worker remembers per slot: ids already written and the count already reported. */
struct written {
    uint32_t type_id, stack_id;
    uint64_t count;
};

struct exc_state {
    unsigned char *throws; /* THROW_SLOTS slots of slot_size bytes */
    size_t slot_size;
    struct catch_slot *catches;
    struct written *throw_written;
    uint64_t *catch_written;
    int max_depth;
};

static struct exc_state state;

/* The slot of the exception this thread threw last (index + 1), so its catch can be counted against it. */
static __thread uint32_t tls_slot;

static const struct drd_param_desc params[] = {
    {"duration", DRD_PARAM_INT, "10", "seconds to collect (0: until the process exits, launch only)", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "64", "frames kept per throw stack, from the throwing method up", 1,
     DRD_RAW_MAX_DEPTH, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "stop collecting when the raw data reaches this size", 1, 4096, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "exceptions",
    .clsid = "{805A308B-061C-47F3-9B30-F785C3186E82}",
    .description = "Exceptions thrown: counts by type, throw stacks, and which method caught them",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
};

static struct throw_slot *throw_at(size_t i)
{
    return (struct throw_slot *)(void *)(state.throws + i * state.slot_size);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

/* Finds or claims the slot of (cls, frames). Returns index + 1, or 0 when the table is full. */
static uint32_t throw_slot_for(ClassID cls, const struct drd_frame *frames, uint32_t depth)
{
    uint64_t h = mix(mix(0, cls), depth);
    for (uint32_t i = 0; i < depth; i++)
        h = mix(mix(h, frames[i].fn), frames[i].cls);
    for (uint32_t p = 0; p < MAX_PROBES; p++) {
        size_t i = (size_t)(h + p) & (THROW_SLOTS - 1);
        struct throw_slot *s = throw_at(i);
        uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
        if (st == SLOT_EMPTY) {
            uint32_t expected = SLOT_EMPTY;
            if (!atomic_compare_exchange_strong(&s->state, &expected, SLOT_WRITING))
                st = expected;
            else {
                s->hash = h;
                s->cls = cls;
                s->depth = depth;
                memcpy(s->frames, frames, depth * sizeof *frames);
                atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
                return (uint32_t)i + 1;
            }
        }
        /* a slot being written by another thread may hold our key: a second slot for it is harmless */
        if (st == SLOT_READY && s->hash == h && s->cls == cls && s->depth == depth &&
            memcmp(s->frames, frames, depth * sizeof *frames) == 0)
            return (uint32_t)i + 1;
    }
    return 0;
}

static uint32_t catch_slot_for(uint32_t throw_slot, FunctionID catcher)
{
    uint64_t h = mix(mix(0, throw_slot), catcher);
    for (uint32_t p = 0; p < MAX_PROBES; p++) {
        size_t i = (size_t)(h + p) & (CATCH_SLOTS - 1);
        struct catch_slot *s = &state.catches[i];
        uint32_t st = atomic_load_explicit(&s->state, memory_order_acquire);
        if (st == SLOT_EMPTY) {
            uint32_t expected = SLOT_EMPTY;
            if (!atomic_compare_exchange_strong(&s->state, &expected, SLOT_WRITING))
                st = expected;
            else {
                s->throw_slot = throw_slot;
                s->catcher = catcher;
                atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
                return (uint32_t)i + 1;
            }
        }
        if (st == SLOT_READY && s->throw_slot == throw_slot && s->catcher == catcher)
            return (uint32_t)i + 1;
    }
    return 0;
}

static HRESULT ExceptionThrown(ICorProfilerCallback11 *This, ObjectID thrown)
{
    struct drd_core *c = drd_core_from(This);
    struct drd_frame frames[DRD_RAW_MAX_DEPTH];
    tls_slot = 0;
    if (!drd_collecting(c))
        return S_OK;
    ClassID cls = 0;
    if (FAILED(c->info->lpVtbl->GetClassFromObject(c->info, thrown, &cls)))
        cls = 0;
    int truncated = 0;
    uint32_t depth = (uint32_t)drd_stack_walk(c->info, 0, frames, state.max_depth, &truncated);
    uint32_t slot = throw_slot_for(cls, frames, depth);
    if (!slot) {
        atomic_fetch_add_explicit(&c->dropped, 1, memory_order_relaxed);
        return S_OK;
    }
    atomic_fetch_add_explicit(&throw_at(slot - 1)->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->events, 1, memory_order_relaxed);
    tls_slot = slot;
    return S_OK;
}

static HRESULT ExceptionCatcherEnter(ICorProfilerCallback11 *This, FunctionID fid, ObjectID obj)
{
    struct drd_core *c = drd_core_from(This);
    (void)obj;
    uint32_t slot = tls_slot;
    tls_slot = 0;
    if (!drd_collecting(c) || slot == 0)
        return S_OK;
    uint32_t cs = catch_slot_for(slot, fid);
    if (!cs) {
        atomic_fetch_add_explicit(&c->dropped, 1, memory_order_relaxed);
        return S_OK;
    }
    atomic_fetch_add_explicit(&state.catches[cs - 1].count, 1, memory_order_relaxed);
    return S_OK;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    vt->ExceptionThrown = ExceptionThrown;
    vt->ExceptionCatcherEnter = ExceptionCatcherEnter;
}

static void release(void)
{
    free(state.throws);
    free(state.catches);
    free(state.throw_written);
    free(state.catch_written);
    memset(&state, 0, sizeof state);
}

static int start(struct drd_core *c, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    memset(&state, 0, sizeof state);
    state.max_depth = (int)drd_params_int(&c->params, "max_stack_depth", 64);
    state.slot_size = (sizeof(struct throw_slot) + (size_t)state.max_depth * sizeof(struct drd_frame) + 63) & ~(size_t)63;
    state.throws = aligned_alloc(64, THROW_SLOTS * state.slot_size);
    state.catches = calloc(CATCH_SLOTS, sizeof *state.catches);
    state.throw_written = calloc(THROW_SLOTS, sizeof *state.throw_written);
    state.catch_written = calloc(CATCH_SLOTS, sizeof *state.catch_written);
    if (!state.throws || !state.catches || !state.throw_written || !state.catch_written) {
        release();
        snprintf(err, errcap, "out of memory for the exception tables");
        return -1;
    }
    memset(state.throws, 0, THROW_SLOTS * state.slot_size);
    *mask = COR_PRF_MONITOR_EXCEPTIONS | COR_PRF_ENABLE_STACK_SNAPSHOT;
    *mask_high = 0;
    return 0;
}

/* Writes the type and stack of throw slot i once; returns 0 or -1. */
static int intern_throw(struct drd_core *c, size_t i)
{
    struct written *w = &state.throw_written[i];
    if (w->stack_id)
        return 0;
    struct throw_slot *s = throw_at(i);
    if (drd_raw_type(c->raw, s->cls, &w->type_id) || drd_raw_stack(c->raw, s->frames, (int)s->depth, &w->stack_id))
        return -1;
    return 0;
}

static void drain(struct drd_core *c)
{
    if (!c->raw || !state.throws)
        return;
    for (size_t i = 0; i < THROW_SLOTS; i++) {
        struct throw_slot *s = throw_at(i);
        if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
            continue;
        uint64_t n = atomic_load_explicit(&s->count, memory_order_relaxed);
        struct written *w = &state.throw_written[i];
        if (n == w->count || intern_throw(c, i))
            continue;
        if (drd_raw_printf(c->raw, "x\t%u\t%u\t%llu\n", w->type_id, w->stack_id, (unsigned long long)(n - w->count)))
            return;
        w->count = n;
    }
    for (size_t i = 0; i < CATCH_SLOTS; i++) {
        struct catch_slot *s = &state.catches[i];
        if (atomic_load_explicit(&s->state, memory_order_acquire) != SLOT_READY)
            continue;
        uint64_t n = atomic_load_explicit(&s->count, memory_order_relaxed);
        uint32_t frame;
        struct drd_frame catcher = {s->catcher, 0};
        if (n == state.catch_written[i] || intern_throw(c, s->throw_slot - 1) || drd_raw_frame(c->raw, &catcher, &frame))
            continue;
        struct written *w = &state.throw_written[s->throw_slot - 1];
        if (drd_raw_printf(c->raw, "c\t%u\t%u\t%u\t%llu\n", w->type_id, w->stack_id, frame,
                           (unsigned long long)(n - state.catch_written[i])))
            return;
        state.catch_written[i] = n;
    }
}

static void stop(struct drd_core *c)
{
    (void)c;
    release();
}

const struct drd_profiler_ops drd_exceptions_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .drain = drain,
    .stop = stop,
};
