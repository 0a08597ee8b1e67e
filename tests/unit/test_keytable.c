/* Unit tests for the lock-free (class, stack) counter table of the library (src/profiler/keytable.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "profiler/keytable.h"

/* A class alone, without a stack (allocations at launch): no frames, NULL as the frames pointer. */
static void test_no_stack(void **state)
{
    (void)state;
    struct drd_keytable t;
    assert_int_equal(drd_keytable_init(&t, 16, 4), 0);
    uint32_t a = drd_keytable_find(&t, 0x1000, NULL, 0);
    assert_int_not_equal(a, 0);
    assert_int_equal(drd_keytable_find(&t, 0x1000, NULL, 0), a);
    uint32_t b = drd_keytable_find(&t, 0x2000, NULL, 0);
    assert_int_not_equal(b, 0);
    assert_int_not_equal(b, a);
    uint32_t depth = 99;
    drd_keytable_frames(&t, a - 1, &depth);
    assert_int_equal(depth, 0);
    assert_int_equal(drd_keytable_class(&t, a - 1), 0x1000);
    drd_keytable_free(&t);
}

/* Keys differ by class, by frames and by depth; depths past max_depth are cut to it. */
static void test_keys(void **state)
{
    (void)state;
    struct drd_keytable t;
    assert_int_equal(drd_keytable_init(&t, 64, 2), 0);
    struct drd_frame f[3] = {{1, 0, 0}, {2, 0, 0}, {3, 0, 0}};
    struct drd_frame g[2] = {{1, 0, 0}, {9, 0, 0}};
    uint32_t s2 = drd_keytable_find(&t, 7, f, 2);
    assert_int_not_equal(s2, 0);
    assert_int_equal(drd_keytable_find(&t, 7, f, 3), s2); /* cut to 2 frames: the same key */
    assert_int_not_equal(drd_keytable_find(&t, 7, f, 1), s2);
    assert_int_not_equal(drd_keytable_find(&t, 8, f, 2), s2);
    assert_int_not_equal(drd_keytable_find(&t, 7, g, 2), s2);
    assert_int_not_equal(drd_keytable_find(&t, 7, NULL, 0), s2);
    uint32_t depth = 0;
    const struct drd_frame *r = drd_keytable_frames(&t, s2 - 1, &depth);
    assert_int_equal(depth, 2);
    assert_int_equal(r[1].fn, 2);
    *drd_keytable_counter(&t, s2, 0) += 5;
    assert_int_equal(*drd_keytable_counter(&t, drd_keytable_find(&t, 7, f, 2), 0), 5);
    drd_keytable_free(&t);
}

/* A table without room for frames takes only depth 0, whatever it is given. */
static void test_zero_depth(void **state)
{
    (void)state;
    struct drd_keytable t;
    assert_int_equal(drd_keytable_init(&t, 8, 0), 0);
    struct drd_frame f[1] = {{1, 0, 0}};
    uint32_t s = drd_keytable_find(&t, 3, f, 1);
    assert_int_not_equal(s, 0);
    assert_int_equal(drd_keytable_find(&t, 3, NULL, 0), s);
    drd_keytable_free(&t);
    assert_int_equal(drd_keytable_init(&t, 12, 0), -1); /* not a power of two */
    drd_keytable_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_stack),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_zero_depth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
