/* Unit tests for the first-reason-wins record (src/profiler/reason.c): threads that give a reason at the same
 * moment leave exactly one of them, whole. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <string.h>

#include "profiler/reason.h"

static void none_then_the_first(void **state)
{
    (void)state;
    struct drd_reason r;
    memset(&r, 0, sizeof r);
    assert_null(drd_reason_get(&r));
    assert_int_equal(drd_reason_set(&r, "the raw file is full"), 1);
    assert_int_equal(drd_reason_set(&r, "a write failed"), 0);
    assert_string_equal(drd_reason_get(&r), "the raw file is full");
}

static void a_long_reason_is_cut(void **state)
{
    (void)state;
    static struct drd_reason r;
    char longer[DRD_REASON_MAX + 100];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    assert_int_equal(drd_reason_set(&r, longer), 1);
    assert_int_equal(strlen(drd_reason_get(&r)), DRD_REASON_MAX - 1);
}

#define THREADS 8
#define ROUNDS 5000

static struct drd_reason shared;
static pthread_barrier_t start, done;
static char texts[THREADS][DRD_REASON_MAX];
static int won[THREADS];

static void *give(void *arg)
{
    int i = (int)(intptr_t)arg;
    for (int round = 0; round < ROUNDS; round++) {
        pthread_barrier_wait(&start);
        won[i] = drd_reason_set(&shared, texts[i]);
        pthread_barrier_wait(&done);
        pthread_barrier_wait(&done); /* the main thread checks and clears between the two */
    }
    return NULL;
}

static void threads_at_once_leave_one_whole(void **state)
{
    (void)state;
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(texts[i], 'A' + i, DRD_REASON_MAX - 1);
        texts[i][DRD_REASON_MAX - 1] = 0;
    }
    pthread_barrier_init(&start, NULL, THREADS + 1);
    pthread_barrier_init(&done, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, give, (void *)(intptr_t)i), 0);
    int bad = 0;
    for (int round = 0; round < ROUNDS; round++) {
        memset(&shared, 0, sizeof shared);
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        int winners = 0, winner = -1;
        for (int i = 0; i < THREADS; i++)
            if (won[i]) {
                winners++;
                winner = i;
            }
        const char *got = drd_reason_get(&shared);
        if (winners != 1 || !got || strcmp(got, texts[winner]) != 0)
            bad++;
        pthread_barrier_wait(&done);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&done);
    assert_int_equal(bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(none_then_the_first),
        cmocka_unit_test(a_long_reason_is_cut),
        cmocka_unit_test(threads_at_once_leave_one_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
