/* Unit tests for the library's bounded event log (src/profiler/eventlog.c): its caps per second and per session,
 * its order, and appends from several threads at once. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>
#include <sys/prctl.h>

#include "profiler/core.h"
#include "profiler/eventlog.h"

static struct drd_core core;

/* Everything fits: events come out in order with their thread, name and numbers. */
static void keeps_in_order(void **state)
{
    (void)state;
    struct drd_eventlog l;
    core.zero_ns = drd_clock_mono_ns();
    prctl(PR_SET_NAME, "logger", 0, 0, 0);
    assert_int_equal(drd_eventlog_init(&l, 10, 0), 0);
    for (uint32_t i = 1; i <= 5; i++)
        assert_int_equal(drd_eventlog_add(&l, &core, i, 100 + i), 1);
    const struct drd_event *e;
    uint64_t last = 0;
    for (uint32_t i = 1; i <= 5; i++) {
        assert_non_null(e = drd_eventlog_next(&l));
        assert_int_equal(e->a, i);
        assert_int_equal(e->b, 100 + i);
        assert_int_equal(e->tid, drd_eventlog_tid());
        assert_string_equal(e->thread, "logger");
        assert_true(e->ns >= last);
        last = e->ns;
    }
    assert_null(drd_eventlog_next(&l));
    assert_int_equal(drd_eventlog_left_off(&l), 0);
    drd_eventlog_free(&l);
}

/* The session's cap: the rest are counted, not kept. */
static void session_cap(void **state)
{
    (void)state;
    struct drd_eventlog l;
    assert_int_equal(drd_eventlog_init(&l, 3, 0), 0);
    int kept = 0;
    for (int i = 0; i < 10; i++)
        kept += drd_eventlog_add(&l, &core, 1, 0);
    assert_int_equal(kept, 3);
    assert_int_equal(drd_eventlog_left_off(&l), 7);
    drd_eventlog_free(&l);
}

/* The share per second: in one second at most per_s are kept (the test runs well within a second, or retries). */
static void second_cap(void **state)
{
    (void)state;
    for (int attempt = 0; attempt < 5; attempt++) {
        struct drd_eventlog l;
        assert_int_equal(drd_eventlog_init(&l, 1000, 4), 0);
        /* the log counts its share by the coarse clock */
        uint64_t sec = (drd_clock_mono_coarse_ns() - core.zero_ns) / 1000000000ULL;
        int kept = 0;
        for (int i = 0; i < 20; i++)
            kept += drd_eventlog_add(&l, &core, 1, 0);
        int same = (drd_clock_mono_coarse_ns() - core.zero_ns) / 1000000000ULL == sec;
        drd_eventlog_free(&l);
        if (!same)
            continue; /* a second turned during the loop: try again */
        assert_int_equal(kept, 4);
        return;
    }
    fail_msg("every attempt straddled a second");
}

static struct drd_eventlog shared;

static void *adder(void *arg)
{
    (void)arg;
    for (int i = 0; i < 10000; i++)
        drd_eventlog_add(&shared, &core, 1, 0);
    return NULL;
}

/* Four threads at once: kept + left off = added, and every kept event comes out whole. */
static void concurrent(void **state)
{
    (void)state;
    assert_int_equal(drd_eventlog_init(&shared, 25000, 0), 0);
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, adder, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    size_t n = 0;
    const struct drd_event *e;
    while ((e = drd_eventlog_next(&shared)) != NULL) {
        assert_int_equal(e->a, 1);
        assert_true(e->tid != 0);
        n++;
    }
    assert_int_equal(n, 25000);
    assert_int_equal(drd_eventlog_left_off(&shared), 40000 - 25000);
    drd_eventlog_free(&shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keeps_in_order),
        cmocka_unit_test(session_cap),
        cmocka_unit_test(second_cap),
        cmocka_unit_test(concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
