/* Unit tests for another thread's stack on demand (src/profiler/threadsnap.c, through the shared SIGPROF handler of
 * sigprof.c): the frame-pointer walk over a copied stack stays inside the copy, and a real round trip (a queued
 * signal to a spinning thread, its stack copied in the handler, walked on the asking thread) finds the spinning
 * function's caller. A blocked thread is not signalled, an unknown thread id is refused, and the handler goes away. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "profiler/core.h"
#include "profiler/sigprof.h"
#include "profiler/threadsnap.h"

void drd_log(struct drd_core *c, const char *fmt, ...)
{
    (void)c, (void)fmt;
}

/* A stack image: frames at known offsets from sp, each [saved fp, return address]. */
static void put(unsigned char *buf, uint64_t off, uint64_t next_fp, uint64_t ret)
{
    memcpy(buf + off, &next_fp, 8);
    memcpy(buf + off + 8, &ret, 8);
}

static void walk_follows_the_chain_inside_the_copy(void **state)
{
    (void)state;
    static unsigned char buf[4096];
    uint64_t sp = 0x7f0000100000ULL, ips[8];
    put(buf, 64, sp + 256, 0x401000);
    put(buf, 256, sp + 1024, 0x402000);
    put(buf, 1024, 0, 0x403000); /* the outermost frame: next fp 0 ends the chain */
    int truncated;
    int n = drd_threadsnap_walk(buf, sizeof buf, sp, 0x400123, sp + 64, ips, 8, &truncated);
    assert_int_equal(n, 4);
    assert_int_equal(ips[0], 0x400123);
    assert_int_equal(ips[1], 0x401000);
    assert_int_equal(ips[3], 0x403000);
    assert_false(truncated);
    /* max reached */
    n = drd_threadsnap_walk(buf, sizeof buf, sp, 0x400123, sp + 64, ips, 2, &truncated);
    assert_int_equal(n, 2);
    assert_true(truncated);
}

static void walk_never_reads_outside_the_copy(void **state)
{
    (void)state;
    static unsigned char buf[256];
    uint64_t sp = 0x7f0000100000ULL, ips[8];
    int truncated;
    put(buf, 16, sp + 248, 0x401000); /* the next frame's 16 bytes would cross the copy's end */
    assert_int_equal(drd_threadsnap_walk(buf, sizeof buf, sp, 1, sp + 16, ips, 8, &truncated), 2);
    put(buf, 16, sp - 64, 0x401000); /* below sp */
    assert_int_equal(drd_threadsnap_walk(buf, sizeof buf, sp, 1, sp + 16, ips, 8, &truncated), 2);
    put(buf, 16, sp + 16, 0x401000); /* not rising: a loop */
    assert_int_equal(drd_threadsnap_walk(buf, sizeof buf, sp, 1, sp + 16, ips, 8, &truncated), 2);
    put(buf, 16, sp + 33, 0x401000); /* misaligned */
    assert_int_equal(drd_threadsnap_walk(buf, sizeof buf, sp, 1, sp + 16, ips, 8, &truncated), 2);
    assert_int_equal(drd_threadsnap_walk(buf, sizeof buf, sp, 1, sp + 4096, ips, 8, &truncated), 1);
    assert_int_equal(drd_threadsnap_walk(buf, sizeof buf, sp, 1, sp + 16, ips, 0, &truncated), 0);
}

static atomic_int spin_stop;
static atomic_uint spinner_tid;

__attribute__((noinline)) static void spin_here(void)
{
    volatile uint64_t x = 0;
    while (!atomic_load(&spin_stop))
        x++;
}

/* Calls spin_here: the walk must find a return address inside this function. */
__attribute__((noinline)) static void *spinner(void *arg)
{
    (void)arg;
    atomic_store(&spinner_tid, (unsigned)syscall(SYS_gettid));
    spin_here();
    __asm__ volatile("" ::: "memory"); /* keeps the call from being a tail call */
    return NULL;
}

static void *sleeper(void *arg)
{
    (void)arg;
    atomic_store(&spinner_tid, (unsigned)syscall(SYS_gettid));
    struct timespec ts = {5, 0};
    nanosleep(&ts, NULL); /* never signalled: nanosleep would return early */
    return NULL;
}

struct got {
    int calls, n;
    uint32_t tid;
    uint64_t tag, tag2, ips[64];
};

static void collect(void *ctx, uint32_t tid, uint64_t tag, uint64_t tag2, const uint64_t *ips, int n, int truncated)
{
    struct got *g = ctx;
    (void)truncated;
    g->calls++;
    g->tid = tid;
    g->tag = tag;
    g->tag2 = tag2;
    g->n = n < 64 ? n : 64;
    memcpy(g->ips, ips, (size_t)g->n * sizeof *ips);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void a_spinning_thread_gives_its_stack(void **state)
{
    (void)state;
    char err[256];
    struct drd_core core = {.log_fd = -1};
    assert_int_equal(drd_threadsnap_start(err, sizeof err), 0);
    pthread_t t;
    atomic_store(&spin_stop, 0);
    atomic_store(&spinner_tid, 0);
    assert_int_equal(pthread_create(&t, NULL, spinner, NULL), 0);
    while (!atomic_load(&spinner_tid))
        sleep_ms(1);
    long nr = -1;
    assert_int_equal(drd_threadsnap_ask(atomic_load(&spinner_tid), 7, 9, &nr), DRD_THREADSNAP_SENT);
    struct got g = {0};
    for (int i = 0; i < 1000 && !g.calls; i++) {
        sleep_ms(1);
        drd_threadsnap_drain(64, collect, &g, NULL);
    }
    assert_int_equal(g.calls, 1);
    assert_int_equal(g.tid, atomic_load(&spinner_tid));
    assert_int_equal(g.tag, 7);
    assert_int_equal(g.tag2, 9);
    int in_spinner = 0;
    for (int i = 1; i < g.n; i++)
        in_spinner |= g.ips[i] > (uint64_t)(uintptr_t)spinner && g.ips[i] < (uint64_t)(uintptr_t)spinner + 256;
    assert_true(in_spinner);
    atomic_store(&spin_stop, 1);
    assert_int_equal(pthread_join(t, NULL), 0);

    /* a thread in nanosleep is left alone; a thread id that is not ours is refused */
    atomic_store(&spinner_tid, 0);
    assert_int_equal(pthread_create(&t, NULL, sleeper, NULL), 0);
    while (!atomic_load(&spinner_tid))
        sleep_ms(1);
    sleep_ms(20);
    assert_int_equal(drd_threadsnap_ask(atomic_load(&spinner_tid), 1, 1, &nr), DRD_THREADSNAP_IN_SYSCALL);
    assert_true(nr == SYS_nanosleep || nr == SYS_clock_nanosleep); /* glibc sleeps through clock_nanosleep */
    assert_int_equal(drd_threadsnap_ask(4000000000u, 1, 1, &nr), DRD_THREADSNAP_GONE);
    pthread_cancel(t);
    pthread_join(t, NULL);

    drd_threadsnap_stop(&core);
    assert_int_equal(drd_threadsnap_ask(1, 1, 1, &nr), DRD_THREADSNAP_OFF);
    drd_threadsnap_free(&core);
    struct sigaction cur;
    assert_int_equal(sigaction(SIGPROF, NULL, &cur), 0);
    assert_true(cur.sa_handler == SIG_DFL); /* the disposition found at the start is back */
}

static void on_timer_unused(const siginfo_t *si, void *ctx)
{
    (void)si, (void)ctx;
}

/* With the CPU sampler's timer claim held, stopping the stacks on demand leaves the handler for it; the last
 * release restores the disposition. */
static void the_handler_stays_while_another_user_holds_it(void **state)
{
    (void)state;
    char err[256];
    struct drd_core core = {.log_fd = -1};
    struct sigaction cur;
    assert_int_equal(drd_sigprof_claim(DRD_SIGPROF_TIMER, on_timer_unused, err, sizeof err), 0);
    assert_int_equal(drd_sigprof_claim(DRD_SIGPROF_TIMER, on_timer_unused, err, sizeof err), -1); /* one each */
    assert_int_equal(drd_threadsnap_start(err, sizeof err), 0);
    drd_threadsnap_stop(&core);
    drd_threadsnap_free(&core);
    assert_int_equal(sigaction(SIGPROF, NULL, &cur), 0);
    assert_true((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction != NULL); /* still ours, for the timer */
    drd_sigprof_release(&core, DRD_SIGPROF_TIMER, 0);
    assert_int_equal(sigaction(SIGPROF, NULL, &cur), 0);
    assert_true(cur.sa_handler == SIG_DFL);
}

static void a_process_that_handles_sigprof_is_left_alone(void **state)
{
    (void)state;
    struct sigaction mine, old;
    memset(&mine, 0, sizeof mine);
    mine.sa_handler = (void (*)(int))spin_here; /* any handler: never called */
    sigemptyset(&mine.sa_mask);
    assert_int_equal(sigaction(SIGPROF, &mine, &old), 0);
    char err[256];
    assert_int_equal(drd_threadsnap_start(err, sizeof err), -1);
    assert_non_null(strstr(err, "already handles SIGPROF"));
    struct sigaction cur;
    assert_int_equal(sigaction(SIGPROF, NULL, &cur), 0);
    assert_true(cur.sa_handler == mine.sa_handler);
    assert_int_equal(sigaction(SIGPROF, &old, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walk_follows_the_chain_inside_the_copy),
        cmocka_unit_test(walk_never_reads_outside_the_copy),
#if defined(__x86_64__)
        cmocka_unit_test(a_spinning_thread_gives_its_stack),
        cmocka_unit_test(the_handler_stays_while_another_user_holds_it),
        cmocka_unit_test(a_process_that_handles_sigprof_is_left_alone),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
