/* The runtime-pauses profiler: every runtime suspension (GC or other), when, how long, why, which generation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "profiler/core.h"
#include "profiler/eventlog.h"
#include "profiler/rawout.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

struct pause {
    uint64_t start_ns; /* since the session's start */
    uint64_t duration_ns;
    int32_t reason; /* COR_PRF_SUSPEND_REASON */
    int32_t generation; /* highest generation collected during the pause, -1 when no GC ran */
    int32_t induced; /* the GC was induced (GC.Collect) */
    uint32_t tid; /* the thread that suspended the runtime (for a GC, the one that triggered it) */
    char thread[16]; /* its name then (it may be gone when the worker writes) */
};

static struct {
    struct pause *pauses; /* preallocated: max_pauses */
    size_t cap;
    atomic_size_t count; /* published pauses */
    size_t written; /* worker only */
    /* the pause in progress: the runtime suspends one at a time, so one is enough */
    _Atomic uint64_t cur_start;
    _Atomic int32_t cur_reason, cur_gen, cur_induced;
    atomic_uint cur_tid;
    char cur_thread[16]; /* written by the suspending thread before cur_start is published, read at its resume */
    uint64_t origin_ns; /* the session's zero (core->zero_ns): pauses are on the session's one clock */
} st;

static const struct drd_param_desc params[] = {
    {"max_pauses", DRD_PARAM_INT, "200000", "pauses kept; later ones are counted as dropped", 1, 10000000, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "runtime-pauses",
    .clsid = "{6A0F3C92-4E1B-4D78-9F25-C83B17A4E5D0}",
    .description = "Runtime suspensions: GC and other pauses, their length, reason and generation",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
    .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_FILE_MB,
};

static HRESULT RuntimeSuspendStarted(ICorProfilerCallback11 *This, COR_PRF_SUSPEND_REASON reason)
{
    if (!drd_collecting(drd_core_from(This)))
        return S_OK;
    atomic_store_explicit(&st.cur_reason, (int32_t)reason, memory_order_relaxed);
    atomic_store_explicit(&st.cur_gen, -1, memory_order_relaxed);
    atomic_store_explicit(&st.cur_induced, 0, memory_order_relaxed);
    atomic_store_explicit(&st.cur_tid, drd_eventlog_tid(), memory_order_relaxed);
    memcpy(st.cur_thread, drd_eventlog_thread_name(), sizeof st.cur_thread);
    atomic_store_explicit(&st.cur_start, drd_clock_mono_ns(), memory_order_release);
    return S_OK;
}

static HRESULT GarbageCollectionStarted(ICorProfilerCallback11 *This, int count, BOOL collected[],
                                        COR_PRF_GC_REASON reason)
{
    (void)This;
    int gen = -1;
    for (int g = 0; g < count && g <= COR_PRF_GC_PINNED_OBJECT_HEAP; g++)
        if (collected[g])
            gen = g > COR_PRF_GC_GEN_2 ? COR_PRF_GC_GEN_2 : (g > gen ? g : gen);
    atomic_store_explicit(&st.cur_gen, gen, memory_order_relaxed);
    atomic_store_explicit(&st.cur_induced, reason == COR_PRF_GC_INDUCED, memory_order_relaxed);
    return S_OK;
}

static HRESULT RuntimeResumeFinished(ICorProfilerCallback11 *This)
{
    struct drd_core *c = drd_core_from(This);
    uint64_t start = atomic_exchange_explicit(&st.cur_start, 0, memory_order_acq_rel);
    if (start == 0 || !drd_collecting(c))
        return S_OK; /* a pause that began before the session */
    uint64_t end = drd_clock_mono_ns();
    size_t i = atomic_load_explicit(&st.count, memory_order_relaxed);
    if (i >= st.cap) {
        atomic_fetch_add_explicit(&self->dropped, 1, memory_order_relaxed);
        return S_OK;
    }
    st.pauses[i] = (struct pause){
        .start_ns = start - st.origin_ns,
        .duration_ns = end - start,
        .reason = atomic_load_explicit(&st.cur_reason, memory_order_relaxed),
        .generation = atomic_load_explicit(&st.cur_gen, memory_order_relaxed),
        .induced = atomic_load_explicit(&st.cur_induced, memory_order_relaxed),
        .tid = atomic_load_explicit(&st.cur_tid, memory_order_relaxed),
    };
    memcpy(st.pauses[i].thread, st.cur_thread, sizeof st.pauses[i].thread);
    atomic_store_explicit(&st.count, i + 1, memory_order_release);
    atomic_fetch_add_explicit(&self->events, 1, memory_order_relaxed);
    return S_OK;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    vt->RuntimeSuspendStarted = RuntimeSuspendStarted;
    vt->GarbageCollectionStarted = GarbageCollectionStarted;
    vt->RuntimeResumeFinished = RuntimeResumeFinished;
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    self = p;
    memset(&st, 0, sizeof st);
    st.cap = (size_t)drd_params_int(&p->params, "max_pauses", 200000);
    st.pauses = calloc(st.cap, sizeof *st.pauses);
    if (!st.pauses) {
        snprintf(err, errcap, "out of memory for %zu pauses", st.cap);
        return -1;
    }
    st.origin_ns = p->core->zero_ns;
    drd_rawout_printf(p->raw, "m\tunit\tns\n");
    *mask = COR_PRF_MONITOR_SUSPENDS;
    *mask_high = COR_PRF_HIGH_BASIC_GC; /* GC start with its generations, without the cost of MONITOR_GC */
    return 0;
}

static void drain(struct drd_prof *p)
{
    size_t n = atomic_load_explicit(&st.count, memory_order_acquire);
    for (; st.written < n; st.written++) {
        const struct pause *u = &st.pauses[st.written];
        if ((u->tid && drd_rawout_thread_as(p->raw, u->tid, u->thread)) ||
            drd_rawout_printf(p->raw, "u\t%llu\t%llu\t%d\t%d\t%d\t%u\n", (unsigned long long)u->start_ns,
                              (unsigned long long)u->duration_ns, u->reason, u->generation, u->induced, u->tid))
            return;
    }
}

static void stop(struct drd_prof *p)
{
    (void)p;
    free(st.pauses);
    st.pauses = NULL;
}

const struct drd_profiler_ops drd_runtime_pauses_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .drain = drain,
    .stop = stop,
};
