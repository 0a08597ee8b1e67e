/* Unit tests for the multi-producer ring of IP stacks (src/profiler/ipring.c), including producers that are
 * signal handlers. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "profiler/ipring.h"

static void put(struct drd_ip_ring *r, uint32_t tid, uint64_t ip)
{
    struct drd_ip_sample *s = drd_ip_ring_claim(r);
    assert_non_null(s);
    s->tid = tid;
    s->depth = 1;
    s->ips[0] = ip;
    drd_ip_ring_publish(s);
}

static void fifo_full_and_wrap(void **state)
{
    (void)state;
    struct drd_ip_ring r;
    assert_int_equal(drd_ip_ring_init(&r, 4, 8), 0);
    assert_null(drd_ip_ring_peek(&r));
    for (int round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 4; i++)
            put(&r, i, 100 + i);
        assert_null(drd_ip_ring_claim(&r)); /* full: refused, nothing overwritten */
        for (uint32_t i = 0; i < 4; i++) {
            struct drd_ip_sample *s = drd_ip_ring_peek(&r);
            assert_non_null(s);
            assert_int_equal(s->tid, i);
            assert_int_equal(s->ips[0], 100 + i);
            drd_ip_ring_release(&r, s);
        }
        assert_null(drd_ip_ring_peek(&r));
    }
    drd_ip_ring_free(&r);
    drd_ip_ring_free(&r); /* twice is fine */
    assert_null(drd_ip_ring_claim(&r));
    assert_null(drd_ip_ring_peek(&r));
}

static void unpublished_slot_holds_the_consumer(void **state)
{
    (void)state;
    struct drd_ip_ring r;
    assert_int_equal(drd_ip_ring_init(&r, 4, 8), 0);
    struct drd_ip_sample *a = drd_ip_ring_claim(&r);
    put(&r, 2, 200);
    assert_null(drd_ip_ring_peek(&r)); /* the oldest is still being filled */
    a->tid = 1;
    a->depth = 1;
    a->ips[0] = 100;
    drd_ip_ring_publish(a);
    struct drd_ip_sample *s = drd_ip_ring_peek(&r);
    assert_int_equal(s->tid, 1);
    drd_ip_ring_release(&r, s);
    s = drd_ip_ring_peek(&r);
    assert_int_equal(s->tid, 2);
    drd_ip_ring_release(&r, s);
    drd_ip_ring_free(&r);
}

static void bad_sizes(void **state)
{
    (void)state;
    struct drd_ip_ring r;
    assert_int_equal(drd_ip_ring_init(&r, 0, 8), -1);
    assert_int_equal(drd_ip_ring_init(&r, 8, 0), -1);
}

/* Many producers at once, each retrying when the ring is full: every item arrives exactly once, in order per
 * producer, with its whole stack. */
#define PRODUCERS 4
#define PER_PRODUCER 20000
#define DEPTH 6

static struct drd_ip_ring shared;
static atomic_int go;

static void *producer(void *arg)
{
    uint32_t id = (uint32_t)(uintptr_t)arg;
    while (!atomic_load(&go))
        ;
    for (uint64_t k = 0; k < PER_PRODUCER; k++) {
        struct drd_ip_sample *s;
        while ((s = drd_ip_ring_claim(&shared)) == NULL)
            sched_yield();
        s->tid = id;
        s->depth = DEPTH;
        for (int d = 0; d < DEPTH; d++)
            s->ips[d] = k * 16 + (uint64_t)d;
        drd_ip_ring_publish(s);
    }
    return NULL;
}

static void many_producers(void **state)
{
    (void)state;
    assert_int_equal(drd_ip_ring_init(&shared, 256, DEPTH), 0);
    pthread_t t[PRODUCERS];
    atomic_store(&go, 0);
    for (uintptr_t i = 0; i < PRODUCERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, producer, (void *)i), 0);
    atomic_store(&go, 1);
    uint64_t next[PRODUCERS] = {0};
    long got = 0;
    while (got < (long)PRODUCERS * PER_PRODUCER) {
        struct drd_ip_sample *s = drd_ip_ring_peek(&shared);
        if (!s) {
            sched_yield();
            continue;
        }
        assert_true(s->tid < PRODUCERS);
        assert_int_equal(s->depth, DEPTH);
        for (int d = 0; d < DEPTH; d++)
            assert_int_equal(s->ips[d], next[s->tid] * 16 + (uint64_t)d);
        next[s->tid]++;
        drd_ip_ring_release(&shared, s);
        got++;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(next[i], PER_PRODUCER);
    }
    assert_null(drd_ip_ring_peek(&shared));
    drd_ip_ring_free(&shared);
}

/* Producers in signal handlers that interrupt the producing threads themselves: a full ring refuses, never
 * blocks; what was accepted arrives whole. */
static atomic_long accepted, refused;

static void on_signal(int sig)
{
    (void)sig;
    struct drd_ip_sample *s = drd_ip_ring_claim(&shared);
    if (!s) {
        atomic_fetch_add(&refused, 1);
        return;
    }
    s->tid = 99;
    s->depth = 1;
    s->ips[0] = 0xabc;
    drd_ip_ring_publish(s);
    atomic_fetch_add(&accepted, 1);
}

static void signal_handler_producers(void **state)
{
    (void)state;
    assert_int_equal(drd_ip_ring_init(&shared, 64, DEPTH), 0);
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR2, &sa, &old), 0);
    atomic_store(&accepted, 0);
    atomic_store(&refused, 0);
    atomic_store(&go, 1);
    pthread_t t[PRODUCERS];
    for (uintptr_t i = 0; i < PRODUCERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, producer, (void *)i), 0);
    long seen_normal = 0, seen_signal = 0;
    /* the main thread signals the producers while it consumes */
    for (long loops = 0; seen_normal < (long)PRODUCERS * PER_PRODUCER; loops++) {
        if (loops % 64 == 0)
            for (int i = 0; i < PRODUCERS; i++)
                pthread_kill(t[i], SIGUSR2);
        struct drd_ip_sample *s;
        while ((s = drd_ip_ring_peek(&shared)) != NULL) {
            if (s->tid == 99) {
                assert_int_equal(s->ips[0], 0xabc);
                seen_signal++;
            } else {
                assert_int_equal(s->depth, DEPTH);
                seen_normal++;
            }
            drd_ip_ring_release(&shared, s);
        }
    }
    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(t[i], NULL);
    struct drd_ip_sample *s;
    while ((s = drd_ip_ring_peek(&shared)) != NULL) {
        seen_signal += s->tid == 99;
        drd_ip_ring_release(&shared, s);
    }
    assert_int_equal(sigaction(SIGUSR2, &old, NULL), 0);
    assert_int_equal(seen_signal, atomic_load(&accepted));
    assert_true(atomic_load(&accepted) > 0);
    drd_ip_ring_free(&shared);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_full_and_wrap),
        cmocka_unit_test(unpublished_slot_holds_the_consumer),
        cmocka_unit_test(bad_sizes),
        cmocka_unit_test(many_producers),
        cmocka_unit_test(signal_handler_producers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
