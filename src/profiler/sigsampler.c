/* CPU sampling by signal: per-thread CPU-clock timers, a SIGPROF handler that walks frame pointers into a
 * lock-free ring, and the bookkeeping around them (threads, stack bounds, a clean stop). */
#define _GNU_SOURCE
#include "profiler/sigsampler.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "common/clock.h"
#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/fpstack.h"
#include "profiler/ipring.h"
#include "profiler/sampler.h"
#include "profiler/sigprof.h"

#define MAX_THREADS 4096 /* threads with a timer at once; more are not sampled (logged once) */
#define INDEX_SLOTS (2 * MAX_THREADS) /* tid -> slot, open addressing; rebuilt at every rescan */
#define RING_SLOTS 4096
#define RESCAN_EVERY_NS 100000000LL
#define MAX_BOUNDS_PER_TICK 64
#define MAX_OVERRUN 1000 /* a signal stands for at most this many periods more */
#define QUIESCE_WAIT_MS 2000

enum bounds { BOUNDS_UNKNOWN = 0, BOUNDS_WANTED, BOUNDS_KNOWN, BOUNDS_NONE };

/* One sampled thread. The handler reads tid, bounds, lo and hi, and writes want_sp and bounds (UNKNOWN or
 * KNOWN -> WANTED); the sampler thread owns the rest and writes lo and hi only while bounds is WANTED, so the
 * handler never sees them change under it. */
struct tslot {
    atomic_uint tid; /* 0: free */
    atomic_int bounds; /* enum bounds */
    atomic_ullong want_sp; /* the stack pointer the handler saw, to look up */
    uint64_t lo, hi; /* the mapping holding the thread's stack, valid while bounds is KNOWN */
    timer_t timer;
    int has_timer;
    uint32_t seen; /* the rescan that last found the thread */
};

static struct {
    struct drd_prof *prof; /* counts the samples the full ring drops */
    struct drd_ip_ring ring;
    uint64_t period_ns;
    uint64_t zero_ns; /* the session's zero (core->zero_ns), read by the handler */
    int max_depth;
    int installed; /* we hold the SIGPROF handler's timer claim (sigprof.h) */
    /* The shared handler counts itself in (drd_sigprof_inside), then on_timer reads active, and touches the ring and
     * the slots only when it is 1; drd_sig_stop clears active, then reads the count. Both sequentially consistent:
     * once the count has been seen at 0 after active went to 0, no handler can touch the ring any more (one that
     * counts itself later reads 0 in active). */
    atomic_int active;
    uint32_t gen;
    int64_t next_rescan_ms;
    int warned_full, warned_timer;
    int n_free;
    uint16_t free_list[MAX_THREADS];
    uint16_t index[INDEX_SLOTS]; /* slot + 1, 0: empty */
    struct tslot slots[MAX_THREADS];
} sg;

static uint32_t gettid_now(void)
{
    return (uint32_t)syscall(SYS_gettid);
}

/* The handler's work, once it knows it should record: one sample of the interrupted context. */
static void take(const siginfo_t *si, const ucontext_t *uc)
{
    int idx = si->si_value.sival_int;
    if (idx < 0 || idx >= MAX_THREADS)
        return;
    struct tslot *t = &sg.slots[idx];
    uint32_t tid = gettid_now();
    if (atomic_load_explicit(&t->tid, memory_order_acquire) != tid)
        return; /* a signal of a slot since given to another thread */
#if defined(__x86_64__)
    uint64_t ip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    uint64_t sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
    uint64_t fp = (uint64_t)uc->uc_mcontext.gregs[REG_RBP];
#else
    (void)uc;
    return;
#endif
    struct drd_ip_sample *s = drd_ip_ring_claim(&sg.ring);
    if (!s) {
        atomic_fetch_add_explicit(&sg.prof->dropped, 1, memory_order_relaxed);
        return;
    }
    int depth = 1, truncated = 0;
    int b = atomic_load_explicit(&t->bounds, memory_order_acquire);
    if (b == BOUNDS_KNOWN && sp >= t->lo && sp < t->hi) {
        depth = drd_fp_walk(ip, sp, fp, t->hi, s->ips, sg.max_depth, &truncated);
    } else {
        /* bounds not known yet, or the thread runs on another stack (a signal stack): the leaf only, and ask
         * the sampler thread for the mapping that holds this stack pointer */
        s->ips[0] = ip;
        if (b == BOUNDS_UNKNOWN || b == BOUNDS_KNOWN) {
            atomic_store_explicit(&t->want_sp, sp, memory_order_relaxed);
            atomic_store_explicit(&t->bounds, BOUNDS_WANTED, memory_order_release);
        }
    }
    int overrun = si->si_overrun;
    if (overrun < 0)
        overrun = 0;
    if (overrun > MAX_OVERRUN)
        overrun = MAX_OVERRUN;
    s->tid = tid;
    s->depth = (uint16_t)depth;
    s->truncated = (uint16_t)truncated;
    s->weight_ns = sg.period_ns * (uint64_t)(1 + overrun);
    s->time_ns = drd_clock_mono_ns() - sg.zero_ns; /* clock_gettime: async-signal-safe */
    drd_ip_ring_publish(s);
}

/* A timer's SIGPROF, from the shared handler (sigprof.c, which counted itself in and keeps errno): async-signal-safe
 * only (atomics, one gettid syscall, reads inside the thread's own stack). */
static void on_timer(const siginfo_t *si, void *ctx)
{
    if (atomic_load(&sg.active))
        take(si, ctx);
}

int drd_sig_start(struct drd_prof *p, uint64_t period_ns, int max_depth, char *err, size_t errcap)
{
#if !defined(__x86_64__)
    (void)p;
    (void)period_ns;
    (void)max_depth;
    snprintf(err, errcap, "sampler=signal walks x86_64 frame pointers; on this architecture use sampler=suspend");
    return -1;
#else
    if (sg.installed) {
        snprintf(err, errcap, "the signal sampler is already running in this process");
        return -1;
    }
    if (sg.ring.slots) {
        /* the ring that drd_sig_free kept for a handler still inside: free it only once that one has left */
        if (drd_sigprof_inside() != 0) {
            snprintf(err, errcap, "a SIGPROF handler of an earlier session has not finished; try again later");
            return -1;
        }
        drd_ip_ring_free(&sg.ring);
    }
    memset(&sg, 0, sizeof sg);
    if (drd_ip_ring_init(&sg.ring, RING_SLOTS, max_depth)) {
        snprintf(err, errcap, "out of memory for the signal sample ring");
        return -1;
    }
    sg.prof = p;
    sg.period_ns = period_ns;
    sg.zero_ns = p->core->zero_ns;
    sg.max_depth = max_depth;
    sg.n_free = MAX_THREADS;
    for (int i = 0; i < MAX_THREADS; i++)
        sg.free_list[i] = (uint16_t)(MAX_THREADS - 1 - i);
    atomic_store(&sg.active, 1);
    if (drd_sigprof_claim(DRD_SIGPROF_TIMER, on_timer, err, errcap)) {
        atomic_store(&sg.active, 0);
        drd_ip_ring_free(&sg.ring);
        return -1;
    }
    sg.installed = 1;
    return 0;
#endif
}

static uint32_t index_home(uint32_t tid)
{
    return (tid * 2654435761u) % INDEX_SLOTS;
}

static int slot_of(uint32_t tid)
{
    for (uint32_t p = 0, h = index_home(tid); p < INDEX_SLOTS; p++) {
        uint16_t v = sg.index[(h + p) % INDEX_SLOTS];
        if (v == 0)
            return -1;
        if (atomic_load_explicit(&sg.slots[v - 1].tid, memory_order_relaxed) == tid)
            return v - 1;
    }
    return -1;
}

static void index_add(uint32_t tid, int slot)
{
    for (uint32_t p = 0, h = index_home(tid); p < INDEX_SLOTS; p++) {
        uint16_t *v = &sg.index[(h + p) % INDEX_SLOTS];
        if (*v == 0) {
            *v = (uint16_t)(slot + 1);
            return;
        }
    }
}

static void index_rebuild(void)
{
    memset(sg.index, 0, sizeof sg.index);
    for (int i = 0; i < MAX_THREADS; i++) {
        uint32_t tid = atomic_load_explicit(&sg.slots[i].tid, memory_order_relaxed);
        if (tid)
            index_add(tid, i);
    }
}

/* Forgets a slot: its timer first, so that no new signal names it. */
static void slot_release(struct drd_core *c, int i)
{
    struct tslot *t = &sg.slots[i];
    if (t->has_timer && timer_delete(t->timer))
        drd_log(c, "signal sampler: timer_delete for thread %u: %s", atomic_load(&t->tid), strerror(errno));
    t->has_timer = 0;
    atomic_store_explicit(&t->tid, 0, memory_order_release);
    atomic_store_explicit(&t->bounds, BOUNDS_UNKNOWN, memory_order_relaxed);
    sg.free_list[sg.n_free++] = (uint16_t)i;
}

/* Gives tid a slot and a timer on its CPU clock. */
static void thread_add(struct drd_core *c, uint32_t tid)
{
    if (sg.n_free == 0) {
        if (!sg.warned_full++)
            drd_log(c, "signal sampler: more than %d threads; the newest are not sampled", MAX_THREADS);
        return;
    }
    int i = sg.free_list[--sg.n_free];
    struct tslot *t = &sg.slots[i];
    t->has_timer = 0;
    t->lo = t->hi = 0;
    t->seen = sg.gen;
    atomic_store_explicit(&t->want_sp, 0, memory_order_relaxed);
    atomic_store_explicit(&t->bounds, BOUNDS_UNKNOWN, memory_order_relaxed);
    atomic_store_explicit(&t->tid, tid, memory_order_release); /* before any signal can name the slot */

    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_signo = SIGPROF;
    sev.sigev_value.sival_int = i;
    sev._sigev_un._tid = (pid_t)tid;
    if (timer_create(drd_clock_thread_cpu(tid), &sev, &t->timer)) {
        int e = errno;
        if (e != EINVAL && e != ESRCH && !sg.warned_timer++) /* EINVAL, ESRCH: the thread just ended */
            drd_log(c, "signal sampler: timer_create for thread %u: %s", tid, strerror(e));
        slot_release(c, i);
        return;
    }
    t->has_timer = 1;
    struct itimerspec its;
    its.it_interval.tv_sec = (time_t)(sg.period_ns / 1000000000ULL);
    its.it_interval.tv_nsec = (long)(sg.period_ns % 1000000000ULL);
    its.it_value = its.it_interval;
    if (timer_settime(t->timer, 0, &its, NULL)) {
        if (!sg.warned_timer++)
            drd_log(c, "signal sampler: timer_settime for thread %u: %s", tid, strerror(errno));
        slot_release(c, i);
        return;
    }
    index_add(tid, i);
}

/* Arms timers on new threads and drops the slots of threads that ended (or that are the core's own). */
static void rescan(struct drd_core *c)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) {
        drd_log(c, "signal sampler: /proc/self/task: %s", strerror(errno));
        return;
    }
    uint32_t worker = atomic_load(&c->worker_tid), sampler = atomic_load(&c->sampler_tid);
    uint32_t self = gettid_now();
    sg.gen++;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(e->d_name, &end, 10);
        if (!end || *end || v == 0 || v > UINT32_MAX)
            continue;
        uint32_t tid = (uint32_t)v;
        if (tid == self || tid == worker || tid == sampler)
            continue;
        int i = slot_of(tid);
        if (i >= 0)
            sg.slots[i].seen = sg.gen;
        else
            thread_add(c, tid);
    }
    closedir(d);
    pid_t pid = getpid();
    for (int i = 0; i < MAX_THREADS; i++) {
        struct tslot *t = &sg.slots[i];
        uint32_t tid = atomic_load_explicit(&t->tid, memory_order_relaxed);
        if (!tid)
            continue;
        if (tid == worker || tid == sampler || tid == self) {
            slot_release(c, i);
            continue;
        }
        if (t->seen == sg.gen)
            continue;
        /* readdir can miss a thread while others come and go: only a thread that is really gone loses its slot */
        if (syscall(SYS_tgkill, pid, (pid_t)tid, 0) == -1 && errno == ESRCH)
            slot_release(c, i);
        else
            t->seen = sg.gen;
    }
    index_rebuild();
}

/* Looks up, in one read of /proc/self/maps, the stack mapping of every thread whose handler asked for it. */
static void learn_bounds(struct drd_core *c)
{
    int which[MAX_BOUNDS_PER_TICK];
    uint64_t sp[MAX_BOUNDS_PER_TICK], lo[MAX_BOUNDS_PER_TICK], hi[MAX_BOUNDS_PER_TICK];
    int n = 0;
    for (int i = 0; i < MAX_THREADS && n < MAX_BOUNDS_PER_TICK; i++) {
        struct tslot *t = &sg.slots[i];
        if (atomic_load_explicit(&t->tid, memory_order_relaxed) &&
            atomic_load_explicit(&t->bounds, memory_order_acquire) == BOUNDS_WANTED) {
            which[n] = i;
            sp[n] = atomic_load_explicit(&t->want_sp, memory_order_relaxed);
            n++;
        }
    }
    if (n == 0)
        return;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    int found = fd < 0 ? -1 : drd_maps_find(fd, sp, n, lo, hi);
    if (fd >= 0)
        close(fd);
    if (found < 0) {
        drd_log(c, "signal sampler: reading /proc/self/maps failed; stacks keep their leaf only");
        return; /* the slots stay WANTED: tried again at the next tick */
    }
    for (int k = 0; k < n; k++) {
        struct tslot *t = &sg.slots[which[k]];
        if (hi[k] == 0) {
            atomic_store_explicit(&t->bounds, BOUNDS_NONE, memory_order_release);
            continue;
        }
        t->lo = lo[k];
        t->hi = hi[k];
        atomic_store_explicit(&t->bounds, BOUNDS_KNOWN, memory_order_release);
    }
}

void drd_sig_tick(struct drd_core *c)
{
    if (!sg.installed)
        return;
    int64_t now = drd_clock_mono_ms();
    if (now >= sg.next_rescan_ms) {
        rescan(c);
        sg.next_rescan_ms = now + RESCAN_EVERY_NS / 1000000;
    }
    learn_bounds(c);
}

void drd_sig_drain(struct drd_prof *p)
{
    struct drd_frame frames[DRD_RAW_MAX_DEPTH];
    struct drd_ip_sample *s;
    if (!p->raw)
        return;
    while ((s = drd_ip_ring_peek(&sg.ring)) != NULL) {
        int n = s->depth;
        if (n > DRD_RAW_MAX_DEPTH)
            n = DRD_RAW_MAX_DEPTH;
        for (int i = 0; i < n; i++) {
            /* a return address points after its call: the call itself is one byte before */
            uint64_t ip = s->ips[i];
            if (i > 0 && ip > 0)
                ip--;
            frames[i].fn = DRD_FRAME_NATIVE(ip);
            frames[i].cls = DRD_FRAME_IP_UNRESOLVED;
            frames[i].ip = ip;
        }
        uint32_t tid = s->tid;
        uint64_t weight = s->weight_ns, when = s->time_ns;
        drd_ip_ring_release(&sg.ring, s);
        if (drd_sample_write(p, tid, frames, n, 1, weight, when))
            break;
        atomic_fetch_add_explicit(&p->events, 1, memory_order_relaxed);
    }
}

void drd_sig_stop(struct drd_core *c)
{
    if (!sg.installed)
        return;
    atomic_store(&sg.active, 0);
    int left = 0;
    for (int i = 0; i < MAX_THREADS; i++) {
        struct tslot *t = &sg.slots[i];
        if (!t->has_timer)
            continue;
        if (timer_delete(t->timer)) {
            drd_log(c, "signal sampler: timer_delete: %s", strerror(errno));
            left++;
        }
        t->has_timer = 0;
    }
    /* a handler already inside finishes: wait for it (one that starts later sees active at 0, see sg) */
    struct timespec ms = {0, 1000000};
    for (int waited = 0; drd_sigprof_inside() > 0 && waited < QUIESCE_WAIT_MS; waited++)
        nanosleep(&ms, NULL);
    if (drd_sigprof_inside() > 0)
        drd_log(c, "signal sampler: a handler still ran after %d ms; its ring is kept", QUIESCE_WAIT_MS);
    /* the last claim sets SIGPROF to SIG_IGN, which discards the signals still pending; a timer we could not delete
     * would kill the process under SIG_DFL: then SIGPROF stays ignored */
    if (left)
        drd_log(c, "signal sampler: %d timers could not be deleted; SIGPROF left ignored", left);
    drd_sigprof_release(c, DRD_SIGPROF_TIMER, left > 0);
    sg.installed = 0;
}

void drd_sig_free(void)
{
    if (!sg.ring.slots)
        return;
    /* both loads after drd_sig_stop's store to active: at 0 here, no handler can touch the ring again (see sg) */
    if (atomic_load(&sg.active) || drd_sigprof_inside() != 0) {
        /* left as it is (a handler inside reads its fields): leaked, unless drd_sig_start frees it later */
        if (sg.prof)
            drd_log(sg.prof->core, "signal sampler: a handler is still inside; its ring (%zu bytes) is kept",
                    sg.ring.capacity * sg.ring.slot_size);
        return;
    }
    drd_ip_ring_free(&sg.ring);
}
