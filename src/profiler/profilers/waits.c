/* The waits profiler: every wait the runtime reports (lock contention, blocking waits on wait handles and monitors)
 * with its exact duration and the waiting thread's stack, and the thread pool's worker count and adjustments.
 *
 * The runtime has no profiler callback for waits: they come through the session's EventPipe sessions (eventpipe.h,
 * ICorProfilerInfo12), delivered synchronously on the thread that fires them, so the waiting thread itself is in
 * the callback when its wait ends. The keywords need two levels: contention and threading at Informational (Verbose
 * threading would add an event per thread-pool work item), wait handles at Verbose (their only level). Every
 * session's events reach this callback: it keeps only the event ids below, which no other profiler of this library
 * asks for (allocations: 10 and 303).
 *
 * A wait is stacked when it ends, not when it starts: the thread is still inside the same wait call then, so the
 * stack is the same, and the duration is known, so waits shorter than min_wait_us (and those past
 * max_stacks_per_s) are counted without paying for a walk. Counts and times are exact either way: they add into a
 * preallocated lock-free table of (lock or wait source, stack) slots, and each thread's own totals into its entry;
 * each wait is also queued, for the distribution and the owners, in a ring the worker drains, at most
 * max_records_per_s a second and while the raw file is under three quarters of max_file_mb (a full ring, the rate and
 * the size drop the record, never the count: under a storm the profiler's cost and file stay bounded). The tables are
 * written once a second, their lines being deltas.
 *
 * The owner's stack: when a waiter's ContentionStart names the lock's owner (an OS thread id from .NET 8: AwareLock's
 * holding OS thread for Monitor, and the Lock's owning thread id, which CoreCLR on Linux takes from the OS), the
 * waiter asks that thread for its stack (threadsnap.h: a queued SIGPROF, a copy of its stack's top, walked later by
 * the worker), at most once per lock every OWNER_GAP_NS and owner_stacks_per_s times a second. An owner blocked in a
 * system call that a signal would cut short is not signalled: the system call is recorded instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/clock.h"
#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/ipring.h"
#include "profiler/keytable.h"
#include "profiler/rawout.h"
#include "profiler/stackcache.h"
#include "profiler/stacks.h"
#include "profiler/threadsnap.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

#define SLOTS 8192   /* (lock or source, stack) pairs */
#define CHAINS 2048  /* call paths whose stack walk is remembered */
#define PENDING 4096 /* threads with a wait in progress (a power of two) */
#define RING 65536   /* waits queued between two drains */
#define RING_WORDS 5
#define OWNER_GAP_NS 5000000ULL /* one owner stack per lock in this time at most */
#define OWNER_LOCKS 1024 /* locks whose last owner stack is remembered (by hash: colliding locks share a limit) */

#define EVENT_TP_WORKER_START 50
#define EVENT_TP_WORKER_STOP 51
#define EVENT_TP_ADJUSTMENT 55
#define EVENT_CONTENTION_START 81
#define EVENT_CONTENTION_STOP 91
#define EVENT_WAIT_START 301
#define EVENT_WAIT_STOP 302
#define KEYWORD_CONTENTION 0x4000ULL
#define KEYWORD_THREADING 0x10000ULL
#define KEYWORD_WAIT_HANDLE 0x40000000000ULL

enum { COUNT = 0, TOTAL_NS = 1, MAX_NS = 2 }; /* the counters of a slot */
/* what a ring record is: ips[0] */
enum { REC_LOCK = 1, REC_WAIT = 2, REC_WORKER = 3, REC_ADJUST = 4, REC_OWNER_BLOCKED = 5 };
/* what the owner stacks could do (the fact owner_stacks) */
enum { OWNERS_OFF = 0, OWNERS_ON = 1, OWNERS_NO_SIGNAL = 2, OWNERS_NO_IDS = 3 };

/* A thread's wait in progress: written and read by that thread only, once it owns the entry; and its totals, written
 * by it, read by the worker at the end. The key is the runtime's ThreadID (the event's thread: no system call to learn
 * who is calling), or (OS tid << 2) | 1 for an event without one; a thread's entry is retired (key | 2, found by no
 * lookup, its totals kept) when the runtime destroys the thread, whose ThreadID may then be reused. */
struct pending {
    _Atomic uint64_t key; /* 0: free */
    _Atomic uint32_t tid; /* the OS thread id, set by the thread when it claims the entry */
    uint32_t source;      /* WaitHandleWaitStart's WaitSource */
    uint64_t lock_id, owner, wait_start_ns;
    int in_lock, in_wait;
    atomic_ullong waits, lock_ns, blocked_ns;
};

struct written {
    uint64_t count, total_ns;
    uint32_t stack_id;
};

static struct {
    struct drd_keytable locks; /* key: the lock's id (its AwareLock or Lock address) */
    struct drd_keytable waits; /* key: 1 + the wait source */
    struct written *locks_written, *waits_written;
    struct drd_ip_ring ring;
    struct pending *pending;
    struct drd_stack_cache cache;
    int max_depth;
    uint64_t min_wait_ns;
    uint64_t max_stacks_per_s;
    uint64_t origin_ns;
    _Atomic uint64_t budget_second, budget_used;
    atomic_ullong short_waits, capped_waits, ring_full, no_start, no_pending, lock_inner;
    atomic_ullong lock_events, wait_events, pool_events;
    int wait_handles; /* the runtime has the wait-handle events (.NET 9+) */
    uint64_t max_records_per_s, file_guard; /* the per-wait records' rate, and the raw file's size past which none */
    _Atomic uint64_t rec_second, rec_used;
    atomic_ullong records_capped;
    uint64_t records_size_capped; /* the worker's */
    int64_t tables_ms; /* when the tables were last written */
    int owners; /* OWNERS_* */
    uint64_t owner_stacks_per_s;
    _Atomic uint64_t owner_second, owner_used;
    _Atomic uint64_t owner_last[OWNER_LOCKS]; /* ns of the last owner stack asked, per lock hash */
    atomic_ullong owner_sent, owner_blocked, owner_gone, owner_busy, owner_limited, owner_failed;
    uint64_t owner_taken, owner_lost; /* the worker's */
} st;

static const struct drd_param_desc params[] = {
    {"min_wait_us", DRD_PARAM_INT, "100",
     "waits shorter than this are counted and timed but not stacked (a stack walk costs about as much as a wait that "
     "short)",
     0, 10000000, NULL},
    {"max_stacks_per_s", DRD_PARAM_INT, "2000",
     "stack walks per second at most; past it waits are still counted and timed, not stacked", 1, 1000000, NULL},
    {"max_records_per_s", DRD_PARAM_INT, "10000",
     "waits recorded one by one (for the percentiles, the owners and the timeline) per second at most; past it they "
     "are counted and timed in the totals only",
     0, 1000000, NULL},
    {"owner_stacks_per_s", DRD_PARAM_INT, "200",
     "stacks of a contended lock's owner taken per second at most (a signal to the owner thread, x86_64), and one per "
     "lock every 5 ms at most; 0: none",
     0, 10000, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "waits",
    .clsid = "{3C8E5A71-9D24-4F0B-A6E3-71B2D94C0F85}",
    .description = "Who waits on what: lock contention and blocking waits with exact times and stacks, and the thread "
                   "pool's starvation",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
    .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_STACK_DEPTH | DRD_COMMON_MAX_FILE_MB,
};

static uint64_t rd64(const BYTE *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static uint32_t rd32(const BYTE *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint32_t self_tid(void)
{
    return (uint32_t)syscall(SYS_gettid);
}

static size_t key_home(uint64_t key)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 40) & (PENDING - 1);
}

/* The entry of key (see struct pending), claimed on first use by the calling thread when claim is set (it learns its
 * OS thread id then, once); NULL when missing, or the table is full. */
static struct pending *pending_find(uint64_t key, int claim)
{
    size_t h = key_home(key);
    for (size_t i = 0; i < 64; i++) {
        struct pending *e = &st.pending[(h + i) & (PENDING - 1)];
        uint64_t cur = atomic_load_explicit(&e->key, memory_order_acquire);
        if (cur == key)
            return e;
        if (cur == 0) {
            if (!claim)
                return NULL;
            uint64_t zero = 0;
            if (atomic_compare_exchange_strong(&e->key, &zero, key)) {
                atomic_store_explicit(&e->tid, self_tid(), memory_order_release);
                return e;
            }
            if (zero == key)
                return e;
        }
    }
    return NULL;
}

/* The calling thread's entry, from the event's ThreadID. */
static struct pending *pending_of(ThreadID thread)
{
    return pending_find(thread ? (uint64_t)thread : ((uint64_t)self_tid() << 2) | 1, 1);
}

/* 1 when one more fits in this second's budget of cap (second and used: the budget's state). */
static int budget_take_of(_Atomic uint64_t *second, _Atomic uint64_t *used, uint64_t cap)
{
    uint64_t sec = drd_clock_mono_ns() / 1000000000ULL;
    uint64_t cur = atomic_load_explicit(second, memory_order_relaxed);
    if (cur != sec && atomic_compare_exchange_strong(second, &cur, sec))
        atomic_store_explicit(used, 0, memory_order_relaxed);
    return atomic_fetch_add_explicit(used, 1, memory_order_relaxed) < cap;
}

/* 1 when a stack walk fits in this second's budget. */
static int budget_take(void)
{
    return budget_take_of(&st.budget_second, &st.budget_used, st.max_stacks_per_s);
}

static void counter_max(atomic_ullong *c, uint64_t v)
{
    unsigned long long cur = atomic_load_explicit(c, memory_order_relaxed);
    while (cur < v && !atomic_compare_exchange_weak(c, &cur, v))
        ;
}

static void queue(uint32_t tid, uint64_t kind, uint64_t a, uint64_t b, uint64_t slot, uint64_t weight)
{
    struct drd_ip_sample *s = drd_ip_ring_claim(&st.ring);
    if (!s) {
        atomic_fetch_add_explicit(&st.ring_full, 1, memory_order_relaxed);
        return;
    }
    s->tid = tid;
    s->depth = RING_WORDS;
    s->truncated = 0;
    s->weight_ns = weight;
    s->ips[0] = kind;
    s->ips[1] = a;
    s->ips[2] = b;
    s->ips[3] = slot;
    s->ips[4] = drd_clock_mono_ns() - st.origin_ns;
    drd_ip_ring_publish(s);
}

/* 1 when lock's owner may be asked for its stack now: none asked for this lock (or its hash) in OWNER_GAP_NS, and
 * within this second's cap; the ask is claimed when 1. */
static int owner_due(uint64_t lock)
{
    uint64_t now = drd_clock_mono_ns();
    _Atomic uint64_t *last = &st.owner_last[(lock * 0x9E3779B97F4A7C15ULL) >> 54];
    uint64_t prev = atomic_load_explicit(last, memory_order_relaxed);
    if (prev && now - prev < OWNER_GAP_NS)
        return 0;
    if (!atomic_compare_exchange_strong(last, &prev, now))
        return 0; /* another waiter of the same lock asked just now */
    return budget_take_of(&st.owner_second, &st.owner_used, st.owner_stacks_per_s);
}

/* A waiter of lock, whose owner is the OS thread owner, may ask for the owner's stack (see the file's comment). */
static void ask_owner(uint32_t tid, uint64_t lock, uint64_t owner)
{
    if (st.owners != OWNERS_ON || !owner || owner == tid || owner > UINT32_MAX)
        return;
    if (!owner_due(lock)) {
        atomic_fetch_add_explicit(&st.owner_limited, 1, memory_order_relaxed);
        return;
    }
    long nr = -1;
    switch (drd_threadsnap_ask((uint32_t)owner, lock, tid, &nr)) {
    case DRD_THREADSNAP_SENT:
        atomic_fetch_add_explicit(&st.owner_sent, 1, memory_order_relaxed);
        return;
    case DRD_THREADSNAP_IN_SYSCALL:
        atomic_fetch_add_explicit(&st.owner_blocked, 1, memory_order_relaxed);
        queue((uint32_t)owner, REC_OWNER_BLOCKED, lock, owner, (uint64_t)nr, 0);
        return;
    case DRD_THREADSNAP_GONE:
        atomic_fetch_add_explicit(&st.owner_gone, 1, memory_order_relaxed);
        return;
    case DRD_THREADSNAP_BUSY:
        atomic_fetch_add_explicit(&st.owner_busy, 1, memory_order_relaxed);
        return;
    default:
        atomic_fetch_add_explicit(&st.owner_failed, 1, memory_order_relaxed);
        return;
    }
}

/* One wait ended on the calling thread (whose entry is e, or NULL): its stack (when long enough and within budget),
 * its slot, its thread's totals, its record (within max_records_per_s). */
static void record(struct drd_core *c, struct drd_keytable *t, int kind, uint64_t key, uint64_t owner, uint64_t dur_ns,
                   uint32_t tid, struct pending *e)
{
    struct drd_frame stack[DRD_RAW_MAX_DEPTH];
    uint32_t depth = 0;
    if (dur_ns < st.min_wait_ns)
        atomic_fetch_add_explicit(&st.short_waits, 1, memory_order_relaxed);
    else if (!budget_take())
        atomic_fetch_add_explicit(&st.capped_waits, 1, memory_order_relaxed);
    else
        depth = (uint32_t)drd_stack_cache_walk(&st.cache, c->info, stack, st.max_depth);
    uint32_t slot = drd_keytable_find(t, (ClassID)key, stack, depth);
    if (!slot) {
        atomic_fetch_add_explicit(&self->dropped, 1, memory_order_relaxed);
        return;
    }
    atomic_fetch_add_explicit(drd_keytable_counter(t, slot, COUNT), 1, memory_order_relaxed);
    atomic_fetch_add_explicit(drd_keytable_counter(t, slot, TOTAL_NS), dur_ns, memory_order_relaxed);
    counter_max(drd_keytable_counter(t, slot, MAX_NS), dur_ns);
    atomic_fetch_add_explicit(&self->events, 1, memory_order_relaxed);
    if (e) {
        atomic_fetch_add_explicit(&e->waits, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(kind == REC_LOCK ? &e->lock_ns : &e->blocked_ns, dur_ns, memory_order_relaxed);
    }
    if (budget_take_of(&st.rec_second, &st.rec_used, st.max_records_per_s))
        queue(tid, (uint64_t)kind, key, owner, slot, dur_ns);
    else
        atomic_fetch_add_explicit(&st.records_capped, 1, memory_order_relaxed);
}

static void deliver(struct drd_core *c, DWORD id, ULONG len, LPCBYTE data, ThreadID thread)
{
    /* every session's events come here (allocations' too): the others leave at once */
    if (id != EVENT_CONTENTION_START && id != EVENT_CONTENTION_STOP && id != EVENT_WAIT_START &&
        id != EVENT_WAIT_STOP && id != EVENT_TP_WORKER_START && id != EVENT_TP_WORKER_STOP && id != EVENT_TP_ADJUSTMENT)
        return;
    int pool = id == EVENT_TP_WORKER_START || id == EVENT_TP_WORKER_STOP || id == EVENT_TP_ADJUSTMENT;
    struct pending *self_e = pool ? NULL : pending_of(thread), *e;
    uint32_t tid = pool ? 0 : self_e ? atomic_load_explicit(&self_e->tid, memory_order_relaxed) : self_tid();
    switch (id) {
    case EVENT_CONTENTION_START:
        /* Flags u8, ClrInstanceID u16; from version 2 (.NET 8): LockID ptr, AssociatedObjectID ptr, LockOwnerThreadID
         * u64 */
        atomic_fetch_add_explicit(&st.lock_events, 1, memory_order_relaxed);
        if (!(e = self_e)) {
            atomic_fetch_add_explicit(&st.no_pending, 1, memory_order_relaxed);
            return;
        }
        e->in_lock = 1;
        e->lock_id = len >= 27 ? rd64(data + 3) : 0;
        e->owner = len >= 27 ? rd64(data + 19) : 0;
        ask_owner(tid, e->lock_id, e->owner);
        return;
    case EVENT_CONTENTION_STOP: {
        /* Flags u8, ClrInstanceID u16, DurationNs double (version 1) */
        if (len < 11)
            return;
        double d;
        memcpy(&d, data + 3, 8);
        uint64_t dur = d > 0 && d < 1e18 ? (uint64_t)d : 0;
        uint64_t lock = 0, owner = 0;
        if ((e = self_e) && e->in_lock) {
            lock = e->lock_id;
            owner = e->owner;
            e->in_lock = 0;
        }
        record(c, &st.locks, REC_LOCK, lock, owner, dur, tid, e);
        return;
    }
    case EVENT_WAIT_START:
        /* WaitSource u8, AssociatedObjectID ptr, ClrInstanceID u16 */
        atomic_fetch_add_explicit(&st.wait_events, 1, memory_order_relaxed);
        if (len < 1)
            return;
        if (!(e = self_e)) {
            atomic_fetch_add_explicit(&st.no_pending, 1, memory_order_relaxed);
            return;
        }
        /* since .NET 9 a contended Monitor.Enter blocks on a wait handle too: that wait is the lock's, told once */
        e->in_wait = e->in_lock ? 2 : 1;
        e->source = data[0];
        e->wait_start_ns = drd_clock_mono_ns();
        return;
    case EVENT_WAIT_STOP:
        if (!(e = self_e) || !e->in_wait) {
            /* the wait began before the session: its length is unknown */
            atomic_fetch_add_explicit(&st.no_start, 1, memory_order_relaxed);
            return;
        }
        if (e->in_wait == 2) {
            e->in_wait = 0;
            atomic_fetch_add_explicit(&st.lock_inner, 1, memory_order_relaxed);
            return;
        }
        e->in_wait = 0;
        record(c, &st.waits, REC_WAIT, 1 + (uint64_t)(e->source & 0xff), 0, drd_clock_mono_ns() - e->wait_start_ns,
               tid, e);
        return;
    case EVENT_TP_WORKER_START:
    case EVENT_TP_WORKER_STOP:
        /* ActiveWorkerThreadCount u32, RetiredWorkerThreadCount u32, ClrInstanceID u16 */
        if (len < 8)
            return;
        atomic_fetch_add_explicit(&st.pool_events, 1, memory_order_relaxed);
        queue(tid, REC_WORKER, rd32(data), rd32(data + 4), id == EVENT_TP_WORKER_START, 0);
        return;
    case EVENT_TP_ADJUSTMENT: {
        /* AverageThroughput double, NewWorkerThreadCount u32, Reason u32, ClrInstanceID u16 */
        if (len < 16)
            return;
        double thr;
        memcpy(&thr, data, 8);
        uint64_t milli = thr > 0 && thr < 1e12 ? (uint64_t)(thr * 1000.0) : 0;
        atomic_fetch_add_explicit(&st.pool_events, 1, memory_order_relaxed);
        queue(tid, REC_ADJUST, rd32(data + 8), rd32(data + 12), milli, 0);
        return;
    }
    default:
        return;
    }
}

static HRESULT EventPipeEventDelivered(ICorProfilerCallback11 *This, EVENTPIPE_PROVIDER provider, DWORD id,
                                       DWORD version, ULONG meta_len, LPCBYTE meta, ULONG len, LPCBYTE data,
                                       LPCGUID activity, LPCGUID related, ThreadID thread, ULONG nframes,
                                       UINT_PTR frames[])
{
    struct drd_core *c = drd_core_from(This);
    (void)provider, (void)version, (void)meta_len, (void)meta, (void)activity, (void)related;
    (void)nframes, (void)frames;
    if (!drd_collecting(c) || !data || !st.pending)
        return S_OK;
    deliver(c, id, len, data, thread);
    return S_OK;
}

/* A thread the runtime destroys: its entry retires (its totals stay), since a new thread may get its ThreadID. */
static HRESULT ThreadDestroyed(ICorProfilerCallback11 *This, ThreadID thread)
{
    (void)This;
    struct pending *e = st.pending && thread ? pending_find((uint64_t)thread, 0) : NULL;
    uint64_t key = (uint64_t)thread;
    if (e)
        atomic_compare_exchange_strong(&e->key, &key, key | 2);
    return S_OK;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    vt->EventPipeEventDelivered = EventPipeEventDelivered;
    vt->ThreadDestroyed = ThreadDestroyed;
}

static void release(void)
{
    if (st.owners == OWNERS_ON) {
        drd_threadsnap_stop(self ? self->core : NULL);
        drd_threadsnap_free(self ? self->core : NULL);
    }
    drd_stack_cache_free(&st.cache);
    drd_keytable_free(&st.locks);
    drd_keytable_free(&st.waits);
    drd_ip_ring_free(&st.ring);
    free(st.locks_written);
    free(st.waits_written);
    free(st.pending);
    memset(&st, 0, sizeof st);
}

/* Owner stacks: on from .NET 8 (the event names the owner) unless owner_stacks_per_s is 0 or the process's SIGPROF
 * cannot be shared (the app handles it, not x86_64): then off, and the fact says why. */
static void start_owners(struct drd_prof *p, int major)
{
    char why[256];
    st.owner_stacks_per_s = (uint64_t)drd_params_int(&p->params, "owner_stacks_per_s", 200);
    if (!st.owner_stacks_per_s) {
        st.owners = OWNERS_OFF;
    } else if (major < 8) {
        st.owners = OWNERS_NO_IDS;
    } else if (drd_threadsnap_start(why, sizeof why)) {
        drd_log(p->core, "waits: no owner stacks: %s", why);
        st.owners = OWNERS_NO_SIGNAL;
    } else {
        st.owners = OWNERS_ON;
    }
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    struct drd_core *c = p->core;
    self = p;
    memset(&st, 0, sizeof st);
    st.max_depth = (int)drd_params_int(&p->params, "max_stack_depth", 128);
    st.min_wait_ns = (uint64_t)drd_params_int(&p->params, "min_wait_us", 100) * 1000ULL;
    st.max_stacks_per_s = (uint64_t)drd_params_int(&p->params, "max_stacks_per_s", 2000);
    st.max_records_per_s = (uint64_t)drd_params_int(&p->params, "max_records_per_s", 10000);
    st.file_guard = ((uint64_t)drd_params_int(&p->params, "max_file_mb", 256) << 20) / 4 * 3;
    st.locks_written = calloc(SLOTS, sizeof *st.locks_written);
    st.waits_written = calloc(SLOTS, sizeof *st.waits_written);
    st.pending = calloc(PENDING, sizeof *st.pending);
    if (!st.locks_written || !st.waits_written || !st.pending || drd_keytable_init(&st.locks, SLOTS, st.max_depth) ||
        drd_keytable_init(&st.waits, SLOTS, st.max_depth) || drd_ip_ring_init(&st.ring, RING, RING_WORDS)) {
        release();
        snprintf(err, errcap, "out of memory for the wait tables");
        return -1;
    }
    if (drd_stack_cache_init(&st.cache, CHAINS, st.max_depth, err, errcap)) {
        release();
        return -1;
    }
    if (c->info_version < 12) {
        release();
        snprintf(err, errcap, "the runtime's wait events need ICorProfilerInfo12 (.NET 5 or later)");
        return -1;
    }
    int major = atoi(c->runtime_version);
    st.wait_handles = major >= 9;
    start_owners(p, major);
    st.origin_ns = c->zero_ns; /* the session's one clock (raw.h 'z'): the timeline places waits as they are */
    /* contention and the pool at Informational; wait handles at Verbose, their only level (the core groups the
     * asks by level, so the threading keyword never runs at Verbose) */
    if (drd_eventpipe_want(&c->eventpipe, u"Microsoft-Windows-DotNETRuntime", KEYWORD_CONTENTION | KEYWORD_THREADING,
                           COR_PRF_EVENTPIPE_INFORMATIONAL, err, errcap) ||
        (st.wait_handles && drd_eventpipe_want(&c->eventpipe, u"Microsoft-Windows-DotNETRuntime", KEYWORD_WAIT_HANDLE,
                                               COR_PRF_EVENTPIPE_VERBOSE, err, errcap))) {
        release();
        return -1;
    }
    drd_rawout_printf(p->raw, "m\tclock_origin_ns\t0\n");
    drd_rawout_printf(p->raw, "m\truntime\t%d\n", major);
    drd_rawout_printf(p->raw, "m\tlock_ids\t%d\n", major >= 8);
    drd_rawout_printf(p->raw, "m\twait_handles\t%d\n", st.wait_handles);
    drd_rawout_printf(p->raw, "m\tmin_wait_us\t%llu\n", (unsigned long long)(st.min_wait_ns / 1000));
    drd_rawout_printf(p->raw, "m\tmax_stacks_per_s\t%llu\n", (unsigned long long)st.max_stacks_per_s);
    drd_rawout_printf(p->raw, "m\tmax_records_per_s\t%llu\n", (unsigned long long)st.max_records_per_s);
    drd_rawout_printf(p->raw, "m\towner_stacks\t%d\n", st.owners);
    drd_rawout_printf(p->raw, "m\towner_stacks_per_s\t%llu\n", (unsigned long long)st.owner_stacks_per_s);
    *mask = COR_PRF_ENABLE_STACK_SNAPSHOT | COR_PRF_MONITOR_THREADS;
    *mask_high = COR_PRF_HIGH_MONITOR_EVENT_PIPE;
    return 0;
}

/* Writes what each slot of t gained since the last drain: g <kind> <key> <stack id> <count> <total ns> <max ns>. */
static int drain_table(struct drd_prof *p, struct drd_keytable *t, struct written *w, const char *kind)
{
    for (size_t i = 0; i < SLOTS; i++) {
        if (!drd_keytable_ready(t, i))
            continue;
        uint32_t slot = (uint32_t)i + 1, depth;
        uint64_t n = atomic_load_explicit(drd_keytable_counter(t, slot, COUNT), memory_order_relaxed);
        uint64_t ns = atomic_load_explicit(drd_keytable_counter(t, slot, TOTAL_NS), memory_order_relaxed);
        uint64_t mx = atomic_load_explicit(drd_keytable_counter(t, slot, MAX_NS), memory_order_relaxed);
        if (n == w[i].count)
            continue;
        const struct drd_frame *frames = drd_keytable_frames(t, i, &depth);
        if (!w[i].stack_id && drd_rawout_stack(p->raw, frames, (int)depth, &w[i].stack_id))
            continue;
        if (drd_rawout_printf(p->raw, "g\t%s\t%llu\t%u\t%llu\t%llu\t%llu\n", kind,
                              (unsigned long long)drd_keytable_class(t, i), w[i].stack_id,
                              (unsigned long long)(n - w[i].count), (unsigned long long)(ns - w[i].total_ns),
                              (unsigned long long)mx))
            return -1;
        w[i].count = n;
        w[i].total_ns = ns;
    }
    return 0;
}

static void drain_ring(struct drd_prof *p)
{
    struct drd_ip_sample *s;
    while ((s = drd_ip_ring_peek(&st.ring))) {
        uint64_t kind = s->ips[0], a = s->ips[1], b = s->ips[2], slot = s->ips[3], at = s->ips[4];
        uint32_t tid = s->tid;
        uint64_t weight = s->weight_ns;
        drd_ip_ring_release(&st.ring, s);
        int bad = 0;
        if ((kind == REC_LOCK || kind == REC_WAIT) && drd_rawout_bytes(p->raw) > st.file_guard) {
            st.records_size_capped++; /* the rest of the file is kept for the totals */
        } else if (kind == REC_LOCK || kind == REC_WAIT) {
            struct written *w = kind == REC_LOCK ? st.locks_written : st.waits_written;
            struct drd_keytable *t = kind == REC_LOCK ? &st.locks : &st.waits;
            uint32_t stack = 0, depth;
            if (slot >= 1 && slot <= SLOTS) {
                /* a slot claimed since the tables were drained: its stack now, its counts at the next drain */
                if (!w[slot - 1].stack_id && drd_keytable_ready(t, slot - 1)) {
                    const struct drd_frame *fr = drd_keytable_frames(t, slot - 1, &depth);
                    if (drd_rawout_stack(p->raw, fr, (int)depth, &w[slot - 1].stack_id))
                        w[slot - 1].stack_id = 0;
                }
                stack = w[slot - 1].stack_id;
            }
            bad = drd_rawout_thread(p->raw, tid) ||
                  drd_rawout_printf(p->raw, "w\t%s\t%u\t%llu\t%llu\t%u\t%llu\t%llu\n",
                                    kind == REC_LOCK ? "lock" : "wait", tid, (unsigned long long)a,
                                    (unsigned long long)b, stack, (unsigned long long)weight, (unsigned long long)at);
        } else if (kind == REC_WORKER) {
            bad = drd_rawout_printf(p->raw, "p\t%llu\t%s\t%llu\t%llu\n", (unsigned long long)at,
                                    slot ? "start" : "stop", (unsigned long long)a, (unsigned long long)b);
        } else if (kind == REC_OWNER_BLOCKED) {
            bad = drd_rawout_printf(p->raw, "o\t%llu\t%llu\t0\tsys:%llu\n", (unsigned long long)a,
                                    (unsigned long long)b, (unsigned long long)slot);
        } else if (kind == REC_ADJUST) {
            bad = drd_rawout_printf(p->raw, "j\t%llu\t%llu\t%llu\t%llu\n", (unsigned long long)at,
                                    (unsigned long long)a, (unsigned long long)b, (unsigned long long)slot);
        }
        if (bad)
            return;
    }
}

/* An owner's stack came back (drd_threadsnap_drain): o <lock id> <owner tid> <stack id> run. */
static void owner_stack(void *ctx, uint32_t tid, uint64_t lock, uint64_t waiter, const uint64_t *ips, int n,
                        int truncated)
{
    struct drd_prof *p = ctx;
    struct drd_frame frames[DRD_RAW_MAX_DEPTH];
    (void)waiter, (void)truncated;
    if (n > DRD_RAW_MAX_DEPTH)
        n = DRD_RAW_MAX_DEPTH;
    for (int i = 0; i < n; i++) {
        /* a return address points after its call: the call itself is one byte before */
        uint64_t ip = i > 0 && ips[i] > 0 ? ips[i] - 1 : ips[i];
        frames[i] = (struct drd_frame){DRD_FRAME_NATIVE(ip), DRD_FRAME_IP_UNRESOLVED, ip};
    }
    uint32_t sid;
    if (drd_rawout_stack(p->raw, frames, n, &sid) == 0 &&
        drd_rawout_printf(p->raw, "o\t%llu\t%u\t%u\trun\n", (unsigned long long)lock, tid, sid) == 0)
        st.owner_taken++;
}

static void drain(struct drd_prof *p)
{
    if (!p->raw || !st.pending)
        return;
    if (st.owners == OWNERS_ON)
        drd_threadsnap_drain(st.max_depth, owner_stack, p, &st.owner_lost);
    /* the aggregates (once a second: their lines are deltas) first: a ring record names its slot's stack, written by
     * then or by drain_ring */
    int64_t now = drd_clock_mono_ms();
    if (now - st.tables_ms >= 1000 || !drd_collecting(p->core)) {
        st.tables_ms = now;
        if (drain_table(p, &st.locks, st.locks_written, "lock") ||
            drain_table(p, &st.waits, st.waits_written, "wait"))
            return;
    }
    drain_ring(p);
}

/* Each thread's exact totals, h <tid> <waits> <lock ns> <blocked ns>, and the records left out by the rate and the
 * file's size (end has drained the ring first: no record comes after). */
static void write_thread_totals(struct drd_prof *p)
{
    for (size_t i = 0; i < PENDING; i++) {
        struct pending *e = &st.pending[i];
        uint64_t n = atomic_load_explicit(&e->waits, memory_order_relaxed);
        uint32_t tid = atomic_load_explicit(&e->tid, memory_order_acquire);
        if (!atomic_load_explicit(&e->key, memory_order_acquire) || !tid || !n)
            continue;
        if (drd_rawout_thread(p->raw, tid) ||
            drd_rawout_printf(p->raw, "h\t%u\t%llu\t%llu\t%llu\n", tid, (unsigned long long)n,
                              (unsigned long long)atomic_load_explicit(&e->lock_ns, memory_order_relaxed),
                              (unsigned long long)atomic_load_explicit(&e->blocked_ns, memory_order_relaxed)))
            return;
    }
    drd_rawout_printf(p->raw, "m\trecords_capped\t%llu\n", (unsigned long long)atomic_load(&st.records_capped));
    drd_rawout_printf(p->raw, "m\trecords_size_capped\t%llu\n", (unsigned long long)st.records_size_capped);
    /* session.json's "dropped": what was left out of the one-by-one records (the totals have them all) */
    atomic_fetch_add_explicit(&p->dropped, atomic_load(&st.records_capped) + st.records_size_capped,
                              memory_order_relaxed);
}

/* No more asks; the stacks already taken are drained, then the counts written. */
static void end_owners(struct drd_prof *p)
{
    if (st.owners != OWNERS_ON)
        return;
    drd_threadsnap_stop(p->core);
    drd_threadsnap_drain(st.max_depth, owner_stack, p, &st.owner_lost);
    drd_rawout_printf(p->raw, "m\towner_sent\t%llu\n", (unsigned long long)atomic_load(&st.owner_sent));
    drd_rawout_printf(p->raw, "m\towner_taken\t%llu\n", (unsigned long long)st.owner_taken);
    drd_rawout_printf(p->raw, "m\towner_blocked\t%llu\n", (unsigned long long)atomic_load(&st.owner_blocked));
    drd_rawout_printf(p->raw, "m\towner_gone\t%llu\n", (unsigned long long)atomic_load(&st.owner_gone));
    drd_rawout_printf(p->raw, "m\towner_limited\t%llu\n", (unsigned long long)atomic_load(&st.owner_limited));
    drd_rawout_printf(p->raw, "m\towner_busy\t%llu\n",
                      (unsigned long long)(atomic_load(&st.owner_busy) + atomic_load(&st.owner_failed)));
    drd_rawout_printf(p->raw, "m\towner_lost\t%llu\n", (unsigned long long)st.owner_lost);
}

static void end(struct drd_prof *p)
{
    if (!p->raw || !st.pending)
        return;
    drain(p); /* the EventPipe sessions are closed: the ring's last records, so that the counts below are final */
    drd_rawout_printf(p->raw, "m\tlock_events\t%llu\n", (unsigned long long)atomic_load(&st.lock_events));
    drd_rawout_printf(p->raw, "m\twait_events\t%llu\n", (unsigned long long)atomic_load(&st.wait_events));
    drd_rawout_printf(p->raw, "m\tpool_events\t%llu\n", (unsigned long long)atomic_load(&st.pool_events));
    drd_rawout_printf(p->raw, "m\tshort_waits\t%llu\n", (unsigned long long)atomic_load(&st.short_waits));
    drd_rawout_printf(p->raw, "m\tcapped_waits\t%llu\n", (unsigned long long)atomic_load(&st.capped_waits));
    drd_rawout_printf(p->raw, "m\trecords_dropped\t%llu\n", (unsigned long long)atomic_load(&st.ring_full));
    write_thread_totals(p);
    drd_rawout_printf(p->raw, "m\twaits_begun_before\t%llu\n", (unsigned long long)atomic_load(&st.no_start));
    drd_rawout_printf(p->raw, "m\tlock_inner_waits\t%llu\n", (unsigned long long)atomic_load(&st.lock_inner));
    drd_rawout_printf(p->raw, "m\tno_thread_entry\t%llu\n", (unsigned long long)atomic_load(&st.no_pending));
    end_owners(p);
}

static void stop(struct drd_prof *p)
{
    (void)p;
    release();
}

const struct drd_profiler_ops drd_waits_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .end = end,
    .drain = drain,
    .stop = stop,
};
