/* Unit tests for the signal sampler's clean stop (src/profiler/sigsampler.c): the ring the SIGPROF handler writes
 * into is never freed while a handler is still inside. A handler is held inside by a fake frame-pointer walk that
 * waits for the test; calloc and free are wrapped (-Wl,--wrap) to see the ring's block come and go. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "profiler/core.h"
#include "profiler/fpstack.h"
#include "profiler/sampler.h"
#include "profiler/sigsampler.h"

#if defined(__x86_64__)

/* What sigsampler.c needs from the rest of the library. */
void drd_log(struct drd_core *c, const char *fmt, ...)
{
    (void)c, (void)fmt;
}

int drd_sample_write(struct drd_prof *p, uint32_t tid, const struct drd_frame *frames, int depth, int with_weight,
                     uint64_t weight_ns, uint64_t time_ns)
{
    (void)p, (void)tid, (void)frames, (void)depth, (void)with_weight, (void)weight_ns, (void)time_ns;
    return 0;
}

int drd_maps_find(int fd, const uint64_t *addrs, int n, uint64_t *lo, uint64_t *hi)
{
    (void)fd, (void)addrs;
    for (int i = 0; i < n; i++) {
        lo[i] = 0;
        hi[i] = UINT64_MAX; /* every stack pointer has bounds: the next signal walks */
    }
    return n;
}

/* The walk in the handler: when hold is set, it stays inside until the test lets it go, then writes the sample. */
static atomic_int hold, inside, let_go;

int drd_fp_walk(uint64_t ip, uint64_t sp, uint64_t fp, uint64_t hi, uint64_t *ips, int max, int *truncated)
{
    (void)sp, (void)fp, (void)hi, (void)max;
    if (atomic_load(&hold)) {
        atomic_store(&inside, 1);
        while (!atomic_load(&let_go))
            ;
    }
    ips[0] = ip;
    *truncated = 0;
    return 1;
}

/* The ring's block: the only calloc of drd_sig_start. */
void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);
static void *ring_block;
static atomic_int ring_freed;

void *__wrap_calloc(size_t n, size_t size)
{
    void *p = __real_calloc(n, size);
    ring_block = p;
    atomic_store(&ring_freed, 0);
    return p;
}

void __wrap_free(void *p)
{
    if (p && p == ring_block)
        atomic_store(&ring_freed, 1);
    __real_free(p);
}

static atomic_int spin_stop;

static void *spin(void *arg)
{
    (void)arg;
    volatile uint64_t x = 0;
    while (!atomic_load(&spin_stop))
        x++;
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static struct drd_core core;
static struct drd_prof prof = {.core = &core};

static void the_ring_goes_when_no_handler_runs(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(drd_sig_start(&prof, 1000000, 8, err, sizeof err), 0);
    assert_non_null(ring_block);
    drd_sig_tick(&core);
    drd_sig_stop(&core);
    drd_sig_free();
    assert_true(atomic_load(&ring_freed));
    drd_sig_free(); /* idempotent */
}

static void a_handler_still_inside_keeps_the_ring(void **state)
{
    (void)state;
    char err[256];
    atomic_store(&hold, 1);
    assert_int_equal(drd_sig_start(&prof, 1000000, 8, err, sizeof err), 0);
    void *block = ring_block;
    pthread_t t;
    atomic_store(&spin_stop, 0);
    assert_int_equal(pthread_create(&t, NULL, spin, NULL), 0);
    /* ticks arm the spinning thread's timer, then learn its bounds: its next signal walks, and stays inside */
    for (int i = 0; i < 1000 && !atomic_load(&inside); i++) {
        drd_sig_tick(&core);
        sleep_ms(5);
    }
    assert_true(atomic_load(&inside));

    drd_sig_stop(&core); /* waits 2 s for the handler, in vain */
    drd_sig_free();
    assert_false(atomic_load(&ring_freed)); /* kept: the handler will write its sample into it */
    assert_int_equal(drd_sig_start(&prof, 1000000, 8, err, sizeof err), -1);
    assert_non_null(strstr(err, "has not finished"));
    assert_false(atomic_load(&ring_freed));

    atomic_store(&let_go, 1);
    atomic_store(&spin_stop, 1);
    assert_int_equal(pthread_join(t, NULL), 0); /* the thread ran its handler to the end before its own */
    drd_sig_free();
    assert_true(atomic_load(&ring_freed));
    assert_ptr_equal(ring_block, block);
}

int main(void)
{
    core.log_fd = -1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_ring_goes_when_no_handler_runs),
        cmocka_unit_test(a_handler_still_inside_keeps_the_ring),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else
int main(void)
{
    return 0; /* the signal sampler runs on x86_64 only */
}
#endif
