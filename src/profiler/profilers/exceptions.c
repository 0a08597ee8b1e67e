/* The exceptions profiler: every exception thrown, its type and throw stack, and where it was caught.
 *
 * Exceptions can come by the hundred thousand per second, so the callbacks count rather than queue: a throw
 * finds (or claims) the slot of its (type, stack) in a preallocated lock-free table (keytable.h) and increments
 * it; a catch does the same in a second table keyed by (throw slot, catching method). The worker writes the counts that
 * grew since its last pass as raw records. Each throw and catch also goes, with its time and thread, into a bounded
 * event log (eventlog.h) for the session's timeline: the counts stay exact, the log keeps a share per second. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/eventlog.h"
#include "profiler/keytable.h"
#include "profiler/rawout.h"
#include "profiler/stacks.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

#define THROW_SLOTS 4096 /* distinct (type, stack) pairs */
#define CATCH_SLOTS 4096 /* distinct (throw slot, catcher) pairs */

/* What the worker remembers per throw slot: ids already written and the count already reported. */
struct written {
    uint32_t type_id, stack_id;
    uint64_t count;
};

static struct {
    struct drd_keytable throws; /* key (exception class, throw stack); counter 0: thrown */
    struct drd_keytable catches; /* key (throw slot, one frame: the catcher); counter 0: caught */
    struct written *throw_written;
    uint64_t *catch_written;
    int max_depth;
    struct drd_eventlog log; /* a: throw slot; b: 0 for a throw, the catching FunctionID for a catch */
    uint64_t left_off_written;
} state;

/* The slot of the exception this thread threw last (index + 1), so its catch can be counted against it. */
static __thread uint32_t tls_slot;

static const struct drd_param_desc params[] = {
    {"timeline_per_s", DRD_PARAM_INT, "1000",
     "throws and catches kept with their time and thread per second for the timeline (the counts stay exact)", 0,
     1000000, NULL},
    {"timeline_max", DRD_PARAM_INT, "100000", "throws and catches kept for the timeline in the whole session", 0,
     10000000, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "exceptions",
    .clsid = "{805A308B-061C-47F3-9B30-F785C3186E82}",
    .description = "Exceptions thrown: counts by type, throw stacks, and which method caught them",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
    .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_STACK_DEPTH | DRD_COMMON_MAX_FILE_MB,
};

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
    uint32_t slot = drd_keytable_find(&state.throws, cls, frames, depth);
    if (!slot) {
        atomic_fetch_add_explicit(&self->dropped, 1, memory_order_relaxed);
        return S_OK;
    }
    atomic_fetch_add_explicit(drd_keytable_counter(&state.throws, slot, 0), 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&self->events, 1, memory_order_relaxed);
    drd_eventlog_add(&state.log, c, slot, 0);
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
    struct drd_frame catcher = {fid, 0, 0};
    uint32_t cs = drd_keytable_find(&state.catches, slot, &catcher, 1);
    if (!cs) {
        atomic_fetch_add_explicit(&self->dropped, 1, memory_order_relaxed);
        return S_OK;
    }
    atomic_fetch_add_explicit(drd_keytable_counter(&state.catches, cs, 0), 1, memory_order_relaxed);
    drd_eventlog_add(&state.log, c, slot, (uint64_t)fid);
    return S_OK;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    vt->ExceptionThrown = ExceptionThrown;
    vt->ExceptionCatcherEnter = ExceptionCatcherEnter;
}

static void release(void)
{
    drd_keytable_free(&state.throws);
    drd_keytable_free(&state.catches);
    free(state.throw_written);
    free(state.catch_written);
    drd_eventlog_free(&state.log);
    memset(&state, 0, sizeof state);
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    self = p;
    memset(&state, 0, sizeof state);
    state.max_depth = (int)drd_params_int(&p->params, "max_stack_depth", 128);
    state.throw_written = calloc(THROW_SLOTS, sizeof *state.throw_written);
    state.catch_written = calloc(CATCH_SLOTS, sizeof *state.catch_written);
    if (drd_keytable_init(&state.throws, THROW_SLOTS, state.max_depth) ||
        drd_keytable_init(&state.catches, CATCH_SLOTS, 1) || !state.throw_written || !state.catch_written ||
        drd_eventlog_init(&state.log, (size_t)drd_params_int(&p->params, "timeline_max", 100000),
                          (uint32_t)drd_params_int(&p->params, "timeline_per_s", 1000))) {
        release();
        snprintf(err, errcap, "out of memory for the exception tables");
        return -1;
    }
    *mask = COR_PRF_MONITOR_EXCEPTIONS | COR_PRF_ENABLE_STACK_SNAPSHOT;
    *mask_high = 0;
    return 0;
}

/* Writes the type and stack of throw slot i once; returns 0 or -1. */
static int intern_throw(struct drd_prof *p, size_t i)
{
    struct written *w = &state.throw_written[i];
    if (w->stack_id)
        return 0;
    uint32_t depth;
    const struct drd_frame *frames = drd_keytable_frames(&state.throws, i, &depth);
    if (drd_rawout_type(p->raw, drd_keytable_class(&state.throws, i), &w->type_id) ||
        drd_rawout_stack(p->raw, frames, (int)depth, &w->stack_id))
        return -1;
    return 0;
}

/* Writes the logged throws and catches as 'e' records, then how many the log left off when that grew. */
static void drain_events(struct drd_prof *p)
{
    const struct drd_event *e;
    while ((e = drd_eventlog_next(&state.log)) != NULL) {
        size_t throw_slot = (size_t)e->a - 1;
        uint32_t frame = 0;
        struct drd_frame catcher = {(FunctionID)e->b, 0, 0};
        if (intern_throw(p, throw_slot) || drd_rawout_thread_as(p->raw, e->tid, e->thread) ||
            (e->b && drd_rawout_frame(p->raw, &catcher, &frame)))
            return;
        const struct written *w = &state.throw_written[throw_slot];
        if (drd_rawout_printf(p->raw, "e\t%llu\t%u\t%u\t%u\t%u\n", (unsigned long long)e->ns, e->tid, w->type_id,
                              w->stack_id, frame))
            return;
    }
    uint64_t left = drd_eventlog_left_off(&state.log);
    if (left != state.left_off_written &&
        drd_rawout_printf(p->raw, "m\ttimeline_left_off\t%llu\n", (unsigned long long)left) == 0)
        state.left_off_written = left;
}

static void drain(struct drd_prof *p)
{
    if (!p->raw || !state.throws.slots)
        return;
    for (size_t i = 0; i < THROW_SLOTS; i++) {
        if (!drd_keytable_ready(&state.throws, i))
            continue;
        uint64_t n =
            atomic_load_explicit(drd_keytable_counter(&state.throws, (uint32_t)i + 1, 0), memory_order_relaxed);
        struct written *w = &state.throw_written[i];
        if (n == w->count || intern_throw(p, i))
            continue;
        if (drd_rawout_printf(p->raw, "x\t%u\t%u\t%llu\n", w->type_id, w->stack_id, (unsigned long long)(n - w->count)))
            return;
        w->count = n;
    }
    for (size_t i = 0; i < CATCH_SLOTS; i++) {
        if (!drd_keytable_ready(&state.catches, i))
            continue;
        uint64_t n =
            atomic_load_explicit(drd_keytable_counter(&state.catches, (uint32_t)i + 1, 0), memory_order_relaxed);
        uint32_t depth, frame;
        const struct drd_frame *catcher = drd_keytable_frames(&state.catches, i, &depth);
        size_t throw_slot = (size_t)drd_keytable_class(&state.catches, i) - 1;
        if (n == state.catch_written[i] || intern_throw(p, throw_slot) || drd_rawout_frame(p->raw, catcher, &frame))
            continue;
        struct written *w = &state.throw_written[throw_slot];
        if (drd_rawout_printf(p->raw, "c\t%u\t%u\t%u\t%llu\n", w->type_id, w->stack_id, frame,
                           (unsigned long long)(n - state.catch_written[i])))
            return;
        state.catch_written[i] = n;
    }
    drain_events(p);
}

static void stop(struct drd_prof *p)
{
    struct drd_core *c = p->core;
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
