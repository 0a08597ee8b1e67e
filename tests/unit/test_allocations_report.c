/* Unit tests for the allocations report (src/report/allocations_report.c), on hand-made raw files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "report/report.h"
#include "common/fsutil.h"

/* Writes text to the test's folder as allocations.raw and gives the report (NULL and the error on failure). */
static json_t *report_of(void **state, const char *text, char *err, size_t cap)
{
    const struct tmp *t = *state;
    char path[512];
    drd_fs_path(path, sizeof path, "%s/allocations.raw", t->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    err[0] = 0;
    return drd_allocations_report(path, err, cap);
}

/* Sampled, stacks reused by chain: two slots of the library's table can hold one (type, stack) (two code
 * addresses of one method: tier-0 and tier-1 code), written as two records; the report adds them up. */
static const char SAMPLED[] = "drdotnet-raw\t1\tallocations\n"
                              "m\tmode\tallocation-sampled\n"
                              "m\twalker\tcached\n"
                              "f\t1\tApp.Allocate\n"
                              "f\t2\tApp.Main\n"
                              "t\t1\tApp.Payload\n"
                              "t\t2\tSystem.Int32[]\n"
                              "s\t1\t1,2\n"
                              "s\t2\t2\n"
                              "a\t1\t1\t10\t20480\t4800\n"
                              "a\t1\t1\t5\t10240\t2400\n"
                              "a\t2\t2\t3\t3072\t3144\n"
                              "a\t1\t2\t1\t1024\t48\n"
                              "end\t19\t0\n";

static void sampled_report_adds_records_up(void **state)
{
    char err[256];
    json_t *r = report_of(state, SAMPLED, err, sizeof err);
    assert_non_null(r);
    json_t *rep = r;
    assert_string_equal(json_string_value(json_object_get(rep, "mode")), "allocation-sampled");
    assert_string_equal(json_string_value(json_object_get(rep, "walker")), "cached");
    assert_false(json_is_true(json_object_get(rep, "exact")));
    assert_int_equal(json_integer_value(json_object_get(rep, "samples")), 19);
    json_t *types = json_object_get(rep, "types");
    assert_int_equal(json_array_size(types), 2);
    json_t *payload = json_array_get(types, 0);
    assert_string_equal(json_string_value(json_object_get(payload, "type")), "App.Payload");
    assert_int_equal(json_integer_value(json_object_get(payload, "bytes")), 4800 + 2400 + 48);
    assert_int_equal(json_integer_value(json_object_get(payload, "count")), 20 + 10 + 1);
    assert_int_equal(json_integer_value(json_object_get(payload, "samples")), 16);
    json_t *top = json_array_get(json_object_get(payload, "stacks"), 0);
    assert_int_equal(json_integer_value(json_object_get(top, "bytes")), 7200);
    assert_string_equal(json_string_value(json_array_get(json_object_get(top, "frames"), 0)), "App.Allocate");
    assert_string_equal(json_string_value(json_array_get(json_object_get(top, "frames"), 1)), "App.Main");
    json_decref(r);
}

/* The node of children named name (a type node when is_type); fails when there is none. */
static json_t *child(json_t *node, const char *name, int is_type)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(node, "children"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0 &&
            json_is_true(json_object_get(c, "type")) == is_type)
            return c;
    }
    fail_msg("no child '%s'", name);
    return NULL;
}

static void check_node(json_t *n, json_int_t bytes, json_int_t count, json_int_t samples, size_t children)
{
    assert_int_equal(json_integer_value(json_object_get(n, "bytes")), bytes);
    assert_int_equal(json_integer_value(json_object_get(n, "count")), count);
    assert_int_equal(json_integer_value(json_object_get(n, "samples")), samples);
    assert_int_equal(json_array_size(json_object_get(n, "children")), children);
}

/* The tree: root frames first, the type allocated as the leaf of each stack, children by bytes. */
static void tree_of_stacks(void **state)
{
    char err[256];
    json_t *r = report_of(state, SAMPLED, err, sizeof err);
    assert_non_null(r);
    json_t *all = json_object_get(r, "tree");
    assert_string_equal(json_string_value(json_object_get(all, "name")), "all");
    assert_null(json_object_get(all, "cut"));
    check_node(all, 10392, 34, 19, 1);
    json_t *main_ = child(all, "App.Main", 0);
    check_node(main_, 10392, 34, 19, 3);
    const char *order[] = {"App.Allocate", "System.Int32[]", "App.Payload"};
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(main_, "children"), i),
                                                              "name")),
                            order[i]);
    json_t *alloc = child(main_, "App.Allocate", 0);
    check_node(alloc, 7200, 30, 15, 1);
    check_node(child(alloc, "App.Payload", 1), 7200, 30, 15, 0);
    check_node(child(main_, "App.Payload", 1), 48, 1, 1, 0);
    check_node(child(main_, "System.Int32[]", 1), 3144, 3, 3, 0);
    assert_null(json_object_get(alloc, "type"));
    json_decref(r);
    /* without stacks the types hang from the root */
    r = report_of(state, "drdotnet-raw\t1\tallocations\nm\tmode\texact\nt\t1\tA\ns\t1\t\na\t1\t1\t2\t2048\t96\nend\t2\t0\n",
                  err, sizeof err);
    assert_non_null(r);
    check_node(child(json_object_get(r, "tree"), "A", 1), 96, 2, 2, 0);
    json_decref(r);
}

static void walker_absent_or_unknown(void **state)
{
    char err[256];
    /* no stacks (stacks=false, or launched): no walker, null in the report */
    json_t *r = report_of(state,
                          "drdotnet-raw\t1\tallocations\nm\tmode\texact\nt\t1\tA\ns\t1\t\na\t1\t1\t2\t2048\t96\nend\t2\t0\n",
                          err, sizeof err);
    assert_non_null(r);
    assert_true(json_is_null(json_object_get(r, "walker")));
    assert_true(json_is_true(json_object_get(r, "exact")));
    json_decref(r);
    /* a walker this tool does not know is refused with the reason */
    r = report_of(state, "drdotnet-raw\t1\tallocations\nm\tmode\tallocation-sampled\nm\twalker\tguessed\nend\t0\t0\n", err,
                  sizeof err);
    assert_null(r);
    assert_non_null(strstr(err, "unknown allocations walker 'guessed'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sampled_report_adds_records_up, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(tree_of_stacks, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(walker_absent_or_unknown, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
