/* Another thread's stack on demand (threadsnap.h): a queued SIGPROF, a copy of the stack's top in the handler, the
 * frame-pointer walk on the worker.
 *
 * Why this cannot crash, hang or corrupt the target:
 * - The handler reads memory only through process_vm_readv on its own process, which returns a short count (or an
 *   error) on an unmapped page instead of faulting; it writes only into a preallocated slot that it owns by a
 *   compare-and-swap. No allocation, no lock, no call into the runtime: atomics and two system calls.
 * - A thread that ended between the event and the signal: /proc/self/task/<tid> is gone (no signal), or
 *   rt_tgsigqueueinfo fails with ESRCH (tgkill semantics: only threads of this process can be reached). If its id
 *   was reused by a new thread of this process meanwhile, that thread runs our handler (installed for the whole
 *   process), which is harmless: the sample is of the wrong thread, never a fault.
 * - A thread in native code, or not managed at all: the handler does not care what code it interrupted; the walk
 *   happens later over the copy, bounded by it.
 * - A thread blocked in a system call that a signal would cut short (EINTR despite SA_RESTART) is not signalled; only
 *   a thread seen running or in futex (restarted) is. What remains is the window of microseconds between that read
 *   and the signal, in which the thread could enter such a call: code that does not retry on EINTR would then see
 *   one (the runtime's and System.Native's own calls retry).
 * - A signal left pending (the thread blocks SIGPROF) never outlives the handler: the last release of the shared
 *   handler sets SIG_IGN, which discards pending signals in every thread, before the old disposition comes back; and
 *   no ask can be under way then (stop waits for the askers to leave first). */
#define _GNU_SOURCE
#include "profiler/threadsnap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "common/clock.h"
#include "profiler/core.h"
#include "profiler/sigprof.h"

#define SLOTS 32 /* asks under way at once */
#define PAGE 4096
#define UNANSWERED_MS 1000
#define WAIT_MS 2000
#define MIN_CODE_ADDR 4096
#define SYS_FUTEX_NR 202 /* x86_64 */

/* A slot's life: FREE -> CLAIMED (an asker) -> SENT -> TAKING (the handler) -> FULL -> FREE (the worker); SENT
 * unanswered for a second -> FREE (the worker). Each ask bumps gen; the signal carries it with the index. */
enum { S_FREE = 0, S_CLAIMED, S_SENT, S_TAKING, S_FULL };

struct slot {
    atomic_int state;
    atomic_uint gen;
    atomic_uint tid; /* the thread asked */
    uint64_t tag, tag2;
    int64_t sent_ms;
    uint64_t ip, sp, fp; /* the interrupted context */
    size_t len; /* bytes copied from sp */
    unsigned char *buf; /* DRD_THREADSNAP_BYTES */
};

static struct {
    struct slot slots[SLOTS];
    unsigned char *mem;
    atomic_int active; /* asks and handlers act only while 1 */
    atomic_int askers; /* asks under way */
    atomic_uint next;
    int claimed;
    pid_t pid;
} ts;

static uint32_t gettid_now(void)
{
    return (uint32_t)syscall(SYS_gettid);
}

/* Copies up to DRD_THREADSNAP_BYTES of the calling thread's stack from sp up, page by page (process_vm_readv stops at
 * the first page it cannot read). Returns the bytes copied. Async-signal-safe. */
static size_t copy_stack(uint64_t sp, unsigned char *dst)
{
    struct iovec local = {dst, DRD_THREADSNAP_BYTES};
    struct iovec remote[DRD_THREADSNAP_BYTES / PAGE + 1];
    int n = 0;
    uint64_t a = sp, end = sp + DRD_THREADSNAP_BYTES;
    while (a < end && n < (int)(sizeof remote / sizeof remote[0])) {
        uint64_t next = (a & ~(uint64_t)(PAGE - 1)) + PAGE;
        if (next > end)
            next = end;
        remote[n].iov_base = (void *)(uintptr_t)a;
        remote[n].iov_len = (size_t)(next - a);
        n++;
        a = next;
    }
    long got = syscall(SYS_process_vm_readv, ts.pid, &local, 1UL, remote, (unsigned long)n, 0UL);
    return got > 0 ? (size_t)got : 0;
}

/* A queued SIGPROF, from the shared handler (which counted itself in and keeps errno). */
static void on_queued(const siginfo_t *si, void *ctx)
{
#if defined(__x86_64__)
    if (!atomic_load(&ts.active))
        return;
    unsigned v = (unsigned)si->si_value.sival_int, idx = v & 0xff, gen = v >> 8;
    if (idx >= SLOTS)
        return;
    struct slot *s = &ts.slots[idx];
    int want = S_SENT;
    if (!atomic_compare_exchange_strong(&s->state, &want, S_TAKING))
        return; /* a signal of an earlier ask, its slot since taken back */
    if ((atomic_load(&s->gen) & 0x7fffff) != gen || atomic_load(&s->tid) != gettid_now()) {
        atomic_store(&s->state, S_SENT); /* another ask's slot: its own signal will come */
        return;
    }
    const ucontext_t *uc = ctx;
    s->ip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
    s->sp = (uint64_t)uc->uc_mcontext.gregs[REG_RSP];
    s->fp = (uint64_t)uc->uc_mcontext.gregs[REG_RBP];
    s->len = copy_stack(s->sp, s->buf);
    atomic_store(&s->state, S_FULL);
#else
    (void)si, (void)ctx;
#endif
}

int drd_threadsnap_start(char *err, size_t errcap)
{
    if (ts.claimed) {
        snprintf(err, errcap, "thread stacks on demand are already running in this process");
        return -1;
    }
    if (ts.mem) {
        if (drd_sigprof_inside() != 0) {
            snprintf(err, errcap, "a SIGPROF handler of an earlier session has not finished; try again later");
            return -1;
        }
        free(ts.mem);
    }
    memset(&ts, 0, sizeof ts);
    ts.mem = malloc((size_t)SLOTS * DRD_THREADSNAP_BYTES);
    if (!ts.mem) {
        snprintf(err, errcap, "out of memory for the thread stack copies");
        return -1;
    }
    for (int i = 0; i < SLOTS; i++)
        ts.slots[i].buf = ts.mem + (size_t)i * DRD_THREADSNAP_BYTES;
    ts.pid = getpid();
    /* the handler's only way to read a stack: refused by some sandboxes (seccomp), then no stack could be taken */
    uint64_t probe = 0x5eed;
    if (copy_stack((uint64_t)(uintptr_t)&probe, ts.slots[0].buf) < sizeof probe ||
        memcmp(ts.slots[0].buf, &probe, sizeof probe) != 0) {
        snprintf(err, errcap, "process_vm_readv on this process failed (%s): no thread's stack could be copied",
                 strerror(errno));
        free(ts.mem);
        ts.mem = NULL;
        return -1;
    }
    atomic_store(&ts.active, 1);
    if (drd_sigprof_claim(DRD_SIGPROF_QUEUE, on_queued, err, errcap)) {
        atomic_store(&ts.active, 0);
        free(ts.mem);
        ts.mem = NULL;
        return -1;
    }
    ts.claimed = 1;
    return 0;
}

/* Writes "/proc/self/task/<tid>/syscall" into p (64 bytes), without the C library's formatting. */
static void syscall_path(char *p, uint32_t tid)
{
    static const char head[] = "/proc/self/task/", tail[] = "/syscall";
    char digits[12];
    int n = 0;
    do {
        digits[n++] = (char)('0' + tid % 10);
        tid /= 10;
    } while (tid && n < (int)sizeof digits);
    memcpy(p, head, sizeof head - 1);
    size_t k = sizeof head - 1;
    while (n > 0)
        p[k++] = digits[--n];
    memcpy(p + k, tail, sizeof tail);
}

/* What tid is doing: 0 when it may be signalled (running, or blocked in futex or not in a system call), 1 when
 * blocked in another system call (*nr), -1 when there is no such thread of this process. */
static int state_of(uint32_t tid, long *nr)
{
    char path[64], buf[32];
    syscall_path(path, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    if (strncmp(buf, "running", 7) == 0 || buf[0] == '-') /* "-1 sp pc": blocked, not in a system call */
        return 0;
    char *end = NULL;
    long x = strtol(buf, &end, 10);
    if (end == buf)
        return -1;
    if (x == SYS_FUTEX_NR)
        return 0;
    *nr = x;
    return 1;
}

/* 1 when another slot holds an ask to tid not yet answered: SIGPROF is not a real-time signal, so a second one sent
 * while the first is pending would be merged into it and never answered. Two askers of the same thread at once: the
 * lower slot goes on (each wrote its tid before it looks, so at least one sees the other; both may give up). */
static int asked_already(int idx, uint32_t tid)
{
    for (int i = 0; i < SLOTS; i++) {
        if (i == idx || atomic_load(&ts.slots[i].tid) != tid)
            continue;
        int st = atomic_load(&ts.slots[i].state);
        if (st == S_SENT || st == S_TAKING || (st == S_CLAIMED && i < idx))
            return 1;
    }
    return 0;
}

/* A free slot, claimed; NULL when none. */
static struct slot *claim(int *idx)
{
    for (int i = 0; i < SLOTS; i++) {
        unsigned k = atomic_fetch_add(&ts.next, 1) % SLOTS;
        int want = S_FREE;
        if (atomic_compare_exchange_strong(&ts.slots[k].state, &want, S_CLAIMED)) {
            *idx = (int)k;
            return &ts.slots[k];
        }
    }
    return NULL;
}

/* Fills and sends the claimed slot idx to tid. */
static enum drd_threadsnap_ask send_to(struct slot *s, int idx, uint32_t tid, uint64_t tag, uint64_t tag2)
{
    atomic_store(&s->tid, tid);
    if (asked_already(idx, tid)) {
        atomic_store(&s->state, S_FREE);
        return DRD_THREADSNAP_BUSY;
    }
    s->tag = tag;
    s->tag2 = tag2;
    s->sent_ms = drd_clock_mono_ms();
    unsigned gen = (atomic_fetch_add(&s->gen, 1) + 1) & 0x7fffff;
    atomic_store(&s->state, S_SENT);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGPROF;
    si.si_code = SI_QUEUE;
    si.si_pid = ts.pid;
    si.si_uid = getuid();
    si.si_value.sival_int = (int)((gen << 8) | (unsigned)idx);
    if (syscall(SYS_rt_tgsigqueueinfo, ts.pid, (pid_t)tid, SIGPROF, &si) == 0)
        return DRD_THREADSNAP_SENT;
    int e = errno;
    /* not delivered: no handler can hold the slot */
    int want = S_SENT;
    atomic_compare_exchange_strong(&s->state, &want, S_FREE);
    return e == ESRCH ? DRD_THREADSNAP_GONE : DRD_THREADSNAP_FAILED;
}

enum drd_threadsnap_ask drd_threadsnap_ask(uint32_t tid, uint64_t tag, uint64_t tag2, long *syscall_nr)
{
    enum drd_threadsnap_ask r = DRD_THREADSNAP_OFF;
    atomic_fetch_add(&ts.askers, 1); /* before reading active: see drd_threadsnap_stop */
    if (!atomic_load(&ts.active) || tid == 0)
        goto out;
    int st = state_of(tid, syscall_nr);
    if (st != 0) {
        r = st < 0 ? DRD_THREADSNAP_GONE : DRD_THREADSNAP_IN_SYSCALL;
        goto out;
    }
    int idx;
    struct slot *s = claim(&idx);
    r = s ? send_to(s, idx, tid, tag, tag2) : DRD_THREADSNAP_BUSY;
out:
    atomic_fetch_sub(&ts.askers, 1);
    return r;
}

int drd_threadsnap_walk(const unsigned char *buf, size_t len, uint64_t sp, uint64_t ip, uint64_t fp, uint64_t *ips,
                        int max, int *truncated)
{
    *truncated = 0;
    if (max < 1)
        return 0;
    ips[0] = ip;
    int n = 1;
    uint64_t prev = 0;
    for (;;) {
        if ((fp & 7) != 0 || fp < sp || (prev != 0 && fp <= prev))
            break;
        if (fp - sp > len || len - (fp - sp) < 16) {
            *truncated = len == DRD_THREADSNAP_BYTES; /* the chain goes on past the copy */
            break;
        }
        uint64_t next, ret;
        memcpy(&next, buf + (fp - sp), 8);
        memcpy(&ret, buf + (fp - sp) + 8, 8);
        if (ret < MIN_CODE_ADDR)
            break;
        if (n >= max) {
            *truncated = 1;
            break;
        }
        ips[n++] = ret;
        prev = fp;
        fp = next;
    }
    return n;
}

void drd_threadsnap_drain(int max_depth, drd_threadsnap_fn fn, void *ctx, uint64_t *lost)
{
    /* once stopped, a signal still pending is never answered: no need to wait a second for it */
    int final = !atomic_load(&ts.active);
    if (!ts.mem)
        return;
    uint64_t ips[256];
    if (max_depth > 256)
        max_depth = 256;
    int64_t now = drd_clock_mono_ms();
    for (int i = 0; i < SLOTS; i++) {
        struct slot *s = &ts.slots[i];
        int st = atomic_load(&s->state);
        if (st == S_FULL) {
            int truncated;
            int n = drd_threadsnap_walk(s->buf, s->len, s->sp, s->ip, s->fp, ips, max_depth, &truncated);
            fn(ctx, atomic_load(&s->tid), s->tag, s->tag2, ips, n, truncated);
            atomic_store(&s->state, S_FREE);
        } else if (st == S_SENT && (final || now - s->sent_ms > UNANSWERED_MS)) {
            int want = S_SENT;
            if (atomic_compare_exchange_strong(&s->state, &want, S_FREE) && lost)
                (*lost)++;
        }
    }
}

static void wait_for(atomic_int *count, int (*inside)(void))
{
    struct timespec ms = {0, 1000000};
    for (int waited = 0; (count ? atomic_load(count) : inside()) > 0 && waited < WAIT_MS; waited++)
        nanosleep(&ms, NULL);
}

void drd_threadsnap_stop(struct drd_core *c)
{
    if (!ts.claimed)
        return;
    atomic_store(&ts.active, 0);
    wait_for(&ts.askers, NULL); /* an ask counted itself in before it read active: none sends from now on */
    if (atomic_load(&ts.askers) > 0) {
        /* its signal may still come: the handler stays (it does nothing now), never SIG_DFL under it */
        drd_log(c, "thread stacks: an ask was still under way after %d ms; the SIGPROF handler stays", WAIT_MS);
        return;
    }
    drd_sigprof_release(c, DRD_SIGPROF_QUEUE, 0);
    wait_for(NULL, drd_sigprof_inside);
    ts.claimed = 0;
}

void drd_threadsnap_free(struct drd_core *c)
{
    if (!ts.mem || ts.claimed)
        return;
    if (drd_sigprof_inside() != 0 || atomic_load(&ts.askers) != 0) {
        drd_log(c, "thread stacks: a handler is still inside; its %d KB of slots are kept",
                SLOTS * DRD_THREADSNAP_BYTES / 1024);
        return;
    }
    free(ts.mem);
    ts.mem = NULL;
}
