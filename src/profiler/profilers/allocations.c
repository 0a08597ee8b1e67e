/* The allocations profiler: bytes and counts by type and by allocation stack.
 *
 * Attached, the runtime allows no per-object callback, so it samples through the session's EventPipe sessions
 * (eventpipe.h; ICorProfilerInfo12): the AllocationSampled event (.NET 10+), whose sampling picks each allocated
 * byte with the same probability, so an object of size S is sampled with probability p = 1 - exp(-S / 102,400) and
 * stands for 1/p objects and S/p bytes; before .NET 10, AllocationTick (one event per ~100 KB, upscaled by its
 * AllocationAmount). Launched, it counts every object exactly through ObjectAllocated, by type. Either way the
 * callbacks add into a preallocated lock-free table of (type, stack) slots (keytable.h). Each sample also goes, with
 * its time and thread, into a bounded event log (eventlog.h) for the session's timeline. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/eventlog.h"
#include "profiler/keytable.h"
#include "profiler/rawout.h"
#include "profiler/stackcache.h"
#include "profiler/stacks.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

#define SLOTS 8192
#define CHAINS 2048 /* call paths whose stack walk is remembered */
#define SAMPLING_MEAN 102400.0 /* bytes between samples on average (the runtime's AllocationSampled mean) */
#define FIXED 1024.0 /* estimated counts are kept in 1/1024ths */
#define EVENT_ALLOCATION_TICK 10
#define EVENT_ALLOCATION_SAMPLED 303
#define KEYWORD_GC 0x1ULL
#define KEYWORD_ALLOCATION_SAMPLING 0x80000000000ULL

enum { SAMPLES = 0, EST_COUNT = 1, EST_BYTES = 2 }; /* the counters of a (type, stack) slot */

struct written {
    uint32_t type_id, stack_id;
    uint64_t samples, est_count, est_bytes;
};

static struct {
    struct drd_keytable table; /* key (type, allocation stack) */
    struct written *written;
    int max_depth;
    int exact; /* launched: every object through ObjectAllocated */
    int tick; /* sampling through AllocationTick (before .NET 10) */
    int stacks; /* walk a stack per sample */
    struct drd_stack_cache cache; /* the runtime's walks remembered by frame-pointer chain (walker=auto) */
    int sampling; /* attached: the events asked of the session's EventPipe sessions */
    struct drd_eventlog log; /* a: the sample's table slot */
    uint64_t left_off_written;
} st;

static const struct drd_param_desc params[] = {
    {"stacks", DRD_PARAM_BOOL, "true",
     "walk the allocating thread's stack for each sample (false: by type only, cheaper)", 0, 0, NULL},
    {"walker", DRD_PARAM_ENUM, "auto",
     "auto: the runtime walks a call path once and the walk is reused while the thread's frame-pointer chain is the "
     "same (x86_64); runtime: the runtime walks every sample (slower)",
     0, 0, "auto|runtime"},
    {"timeline_per_s", DRD_PARAM_INT, "1000", "samples kept with their time and thread per second for the timeline", 0,
     1000000, NULL},
    {"timeline_max", DRD_PARAM_INT, "100000", "samples kept for the timeline in the whole session", 0, 10000000,
     NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "allocations",
    .clsid = "{B7E1C4D2-8A35-4F6B-9D0E-2C5F7A1B3E48}",
    .description = "What allocates: bytes and counts by type and stack (sampled when attached, exact at launch)",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
    .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_STACK_DEPTH | DRD_COMMON_MAX_FILE_MB,
};

static void add(ClassID cls, const struct drd_frame *frames, uint32_t depth, double count,
                double bytes)
{
    uint32_t slot = drd_keytable_find(&st.table, cls, frames, depth);
    if (!slot) {
        atomic_fetch_add_explicit(&self->dropped, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(drd_keytable_counter(&st.table, slot, SAMPLES), 1, memory_order_relaxed);
    atomic_fetch_add_explicit(drd_keytable_counter(&st.table, slot, EST_COUNT),
                              (unsigned long long)llround(count * FIXED), memory_order_relaxed);
    atomic_fetch_add_explicit(drd_keytable_counter(&st.table, slot, EST_BYTES), (unsigned long long)llround(bytes),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&self->events, 1, memory_order_relaxed);
    drd_eventlog_add(&st.log, self->core, slot, 0);
}

static uint64_t rd64(const BYTE *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

/* Skips a NUL-terminated UTF-16 string at *pos; returns 0, or -1 when it runs past len. */
static int skip_utf16z(const BYTE *data, ULONG len, ULONG *pos)
{
    while (*pos + 2 <= len) {
        int nul = data[*pos] == 0 && data[*pos + 1] == 0;
        *pos += 2;
        if (nul)
            return 0;
    }
    return -1;
}

/* With -DDRD_CALLBACK_TIMING=ON (a benchmark build, never the default): the time stamp counter's cycles spent in
 * the callback and in its stack walk, summed, told in profiler.log at the end. */
#if defined(DRD_CALLBACK_TIMING) && defined(__x86_64__)
#include <x86intrin.h>
static atomic_ullong timed_events, timed_cycles, timed_walk_cycles;
#define TIMING_START(v) unsigned long long v = __rdtsc()
#define TIMING_ADD(sum, v) atomic_fetch_add_explicit(&(sum), __rdtsc() - (v), memory_order_relaxed)
#define TIMING_EVENT() atomic_fetch_add_explicit(&timed_events, 1, memory_order_relaxed)
#else
#define TIMING_START(v)
#define TIMING_ADD(sum, v)
#define TIMING_EVENT()
#endif

static void deliver(struct drd_core *c, DWORD id, ULONG len, LPCBYTE data, ULONG nframes, UINT_PTR frames[]);

static HRESULT EventPipeEventDelivered(ICorProfilerCallback11 *This, EVENTPIPE_PROVIDER provider, DWORD id,
                                       DWORD version, ULONG meta_len, LPCBYTE meta, ULONG len, LPCBYTE data,
                                       LPCGUID activity, LPCGUID related, ThreadID thread, ULONG nframes,
                                       UINT_PTR frames[])
{
    struct drd_core *c = drd_core_from(This);
    (void)provider, (void)version, (void)meta_len, (void)meta, (void)activity, (void)related, (void)thread;
    if (!drd_collecting(c) || !data)
        return S_OK;
    TIMING_START(t0);
    deliver(c, id, len, data, nframes, frames);
    TIMING_ADD(timed_cycles, t0);
    TIMING_EVENT();
    return S_OK;
}

static void deliver(struct drd_core *c, DWORD id, ULONG len, LPCBYTE data, ULONG nframes, UINT_PTR frames[])
{
    ClassID cls;
    double count, bytes;
    if (id == EVENT_ALLOCATION_SAMPLED && !st.tick) {
        /* AllocationKind u32, ClrInstanceId u16, TypeID ptr, TypeName utf16z, Address ptr, ObjectSize u64,
         * SampledByteOffset u64 (as .NET 10 delivers it) */
        ULONG pos = 4 + 2;
        if (len < pos + 8)
            return;
        cls = (ClassID)rd64(data + pos);
        pos += 8;
        if (skip_utf16z(data, len, &pos) || len < pos + 8 + 8 + 8)
            return;
        double size = (double)rd64(data + pos + 8);
        double p = -expm1(-size / SAMPLING_MEAN);
        if (!(p > 0))
            return;
        count = 1.0 / p;
        bytes = size / p;
    } else if (id == EVENT_ALLOCATION_TICK && st.tick) {
        /* AllocationAmount u32, AllocationKind u32, ClrInstanceId u16, AllocationAmount64 u64, TypeID ptr,
         * TypeName utf16z, HeapIndex u32, Address ptr, ObjectSize u64: the sampled object stands for the
         * AllocationAmount64 bytes allocated since the previous event */
        if (len < 4 + 4 + 2 + 8 + 8)
            return;
        double amount = (double)rd64(data + 10);
        cls = (ClassID)rd64(data + 18);
        ULONG pos = 26;
        double size = 0;
        if (skip_utf16z(data, len, &pos) == 0 && len >= pos + 4 + 8 + 8)
            size = (double)rd64(data + pos + 12);
        bytes = amount;
        count = size > 0 ? amount / size : 1;
    } else
        return;
    struct drd_frame stack[DRD_RAW_MAX_DEPTH];
    uint32_t depth;
    if (!st.stacks) {
        depth = 0;
    } else if (nframes > 0) {
        depth = nframes < (ULONG)st.max_depth ? nframes : (uint32_t)st.max_depth;
        for (uint32_t i = 0; i < depth; i++)
            /* every address of the event's stack is a return address (the allocation calls into the runtime) */
            stack[i] = (struct drd_frame){DRD_FRAME_NATIVE(frames[i]), DRD_FRAME_IP_UNRESOLVED,
                                          frames[i] ? (uint64_t)frames[i] - 1 : 0};
    } else {
        /* the profiler's session delivers inline on the allocating thread: walk it ourselves */
        TIMING_START(t1);
        depth = (uint32_t)drd_stack_cache_walk(&st.cache, c->info, stack, st.max_depth);
        TIMING_ADD(timed_walk_cycles, t1);
    }
    add(cls, stack, depth, count, bytes);
}

/* Launched: every object, by type (a stack per object would cost the target too much). */
static HRESULT ObjectAllocated(ICorProfilerCallback11 *This, ObjectID obj, ClassID cls)
{
    struct drd_core *c = drd_core_from(This);
    if (!drd_collecting(c))
        return S_OK;
    SIZE_T size = 0;
    if (FAILED(c->info->lpVtbl->GetObjectSize2(c->info, obj, &size)))
        size = 0;
    add(cls, NULL, 0, 1.0, (double)size);
    return S_OK;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    vt->EventPipeEventDelivered = EventPipeEventDelivered;
    vt->ObjectAllocated = ObjectAllocated;
}

static void release(void)
{
    drd_stack_cache_free(&st.cache);
    drd_keytable_free(&st.table);
    free(st.written);
    drd_eventlog_free(&st.log);
    memset(&st, 0, sizeof st);
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    struct drd_core *c = p->core;
    self = p;
    memset(&st, 0, sizeof st);
    st.exact = c->startup;
    st.stacks = !st.exact && drd_params_int(&p->params, "stacks", 1);
    st.max_depth = st.stacks ? (int)drd_params_int(&p->params, "max_stack_depth", 128) : 0;
    st.written = calloc(SLOTS, sizeof *st.written);
    if (drd_keytable_init(&st.table, SLOTS, st.max_depth) || !st.written ||
        drd_eventlog_init(&st.log, (size_t)drd_params_int(&p->params, "timeline_max", 100000),
                          (uint32_t)drd_params_int(&p->params, "timeline_per_s", 1000))) {
        release();
        snprintf(err, errcap, "out of memory for the allocation table");
        return -1;
    }
    const struct drd_param_value *walker = drd_params_get(&p->params, "walker");
    if (st.stacks && !(walker && strcmp(walker->text, "runtime") == 0)) {
        if (drd_stack_cache_init(&st.cache, CHAINS, st.max_depth, err, errcap)) {
            release();
            return -1;
        }
        if (!st.cache.on)
            drd_log(c, "walker=auto: frame-pointer chains cannot be read here; the runtime walks every sample");
    }
    if (st.exact) {
        *mask = COR_PRF_ENABLE_OBJECT_ALLOCATED | COR_PRF_MONITOR_OBJECT_ALLOCATED;
        *mask_high = 0;
        drd_rawout_printf(p->raw, "m\tmode\texact\n");
        return 0;
    }
    if (c->info_version < 12) {
        release();
        snprintf(err, errcap, "sampling allocations after attach needs ICorProfilerInfo12 (.NET 5 or later)");
        return -1;
    }
    /* the core asked the runtime its version at initialize: before .NET 10 there is no AllocationSampled event,
     * and asking for its keyword would deliver nothing, silently */
    int major = atoi(c->runtime_version);
    if (major <= 0) {
        release();
        snprintf(err, errcap, "the runtime did not tell its version: cannot choose the allocation event");
        return -1;
    }
    st.tick = major < 10;
    if (drd_eventpipe_want(&c->eventpipe, u"Microsoft-Windows-DotNETRuntime",
                           st.tick ? KEYWORD_GC : KEYWORD_ALLOCATION_SAMPLING,
                           st.tick ? COR_PRF_EVENTPIPE_VERBOSE : COR_PRF_EVENTPIPE_INFORMATIONAL, err, errcap)) {
        release();
        return -1;
    }
    st.sampling = 1;
    drd_rawout_printf(p->raw, "m\tmode\t%s\n", st.tick ? "allocation-tick" : "allocation-sampled");
    if (st.stacks)
        drd_rawout_printf(p->raw, "m\twalker\t%s\n", st.cache.on ? "cached" : "runtime");
    /* the events come without stacks: we walk the allocating thread ourselves */
    *mask = st.stacks ? COR_PRF_ENABLE_STACK_SNAPSHOT : COR_PRF_MONITOR_NONE;
    *mask_high = COR_PRF_HIGH_MONITOR_EVENT_PIPE;
    return 0;
}

static void end(struct drd_prof *p)
{
    struct drd_core *c = p->core;
#if defined(DRD_CALLBACK_TIMING) && defined(__x86_64__)
    unsigned long long n = atomic_load(&timed_events);
    if (st.sampling && n)
        drd_log(c, "timing: %llu events, %llu cycles per event in the callback, %llu of them in the stack walk", n,
                (unsigned long long)atomic_load(&timed_cycles) / n,
                (unsigned long long)atomic_load(&timed_walk_cycles) / n);
#endif
    if (st.cache.on && st.sampling)
        drd_log(c,
                "stacks: %llu reused, %llu walked by the runtime (%llu chains of shared generic code, %llu whose check "
                "found another walk), %llu with no chain to keep them under (unreadable, cut, or the cache full)",
                (unsigned long long)atomic_load(&st.cache.reused), (unsigned long long)atomic_load(&st.cache.walked),
                (unsigned long long)atomic_load(&st.cache.uncacheable),
                (unsigned long long)atomic_load(&st.cache.mismatched),
                (unsigned long long)atomic_load(&st.cache.direct));
    st.sampling = 0; /* the core closed the EventPipe sessions */
}

/* Writes the type and stack of slot i once (w holds their ids); returns 0 or -1. */
static int intern_slot(struct drd_prof *p, size_t i, struct written *w)
{
    uint32_t depth;
    if (w->stack_id)
        return 0;
    const struct drd_frame *frames = drd_keytable_frames(&st.table, i, &depth);
    if (drd_rawout_type(p->raw, drd_keytable_class(&st.table, i), &w->type_id) ||
        drd_rawout_stack(p->raw, frames, (int)depth, &w->stack_id))
        return -1;
    return 0;
}

/* Writes the logged samples as 'e' records, then how many the log left off when that grew. */
static void drain_events(struct drd_prof *p)
{
    const struct drd_event *e;
    while ((e = drd_eventlog_next(&st.log)) != NULL) {
        struct written *w = &st.written[e->a - 1];
        if (intern_slot(p, e->a - 1, w) || drd_rawout_thread_as(p->raw, e->tid, e->thread) ||
            drd_rawout_printf(p->raw, "e\t%llu\t%u\t%u\t%u\n", (unsigned long long)e->ns, e->tid, w->type_id,
                              w->stack_id))
            return;
    }
    uint64_t left = drd_eventlog_left_off(&st.log);
    if (left != st.left_off_written &&
        drd_rawout_printf(p->raw, "m\ttimeline_left_off\t%llu\n", (unsigned long long)left) == 0)
        st.left_off_written = left;
}

static void drain(struct drd_prof *p)
{
    if (!p->raw || !st.table.slots)
        return;
    for (size_t i = 0; i < SLOTS; i++) {
        if (!drd_keytable_ready(&st.table, i))
            continue;
        struct written *w = &st.written[i];
        uint32_t slot = (uint32_t)i + 1;
        uint64_t n = atomic_load_explicit(drd_keytable_counter(&st.table, slot, SAMPLES), memory_order_relaxed);
        uint64_t ec = atomic_load_explicit(drd_keytable_counter(&st.table, slot, EST_COUNT), memory_order_relaxed);
        uint64_t eb = atomic_load_explicit(drd_keytable_counter(&st.table, slot, EST_BYTES), memory_order_relaxed);
        if (n == w->samples)
            continue;
        if (intern_slot(p, i, w))
            continue;
        if (drd_rawout_printf(p->raw, "a\t%u\t%u\t%llu\t%llu\t%llu\n", w->type_id, w->stack_id,
                           (unsigned long long)(n - w->samples), (unsigned long long)(ec - w->est_count),
                           (unsigned long long)(eb - w->est_bytes)))
            return;
        w->samples = n;
        w->est_count = ec;
        w->est_bytes = eb;
    }
    drain_events(p);
}

static void stop(struct drd_prof *p)
{
    end(p);
    release();
}

const struct drd_profiler_ops drd_allocations_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .end = end,
    .drain = drain,
    .stop = stop,
};
