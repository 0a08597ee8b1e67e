/* Unit tests for the waits report (src/report/waits_report.c) and a waits file's export, on hand-made raw files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/fsutil.h"
#include "report/export.h"
#include "report/report.h"

/* Writes text to the test's folder as waits.raw; its path into path. */
static void write_raw(void **state, const char *text, char *path, size_t cap)
{
    const struct tmp *t = *state;
    drd_fs_path(path, cap, "%s/waits.raw", t->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
}

static json_t *report_of(void **state, const char *text, char *err, size_t cap)
{
    char path[512];
    write_raw(state, text, path, sizeof path);
    err[0] = 0;
    return drd_waits_report(path, err, cap);
}

/* One lock waited on from two stacks (one slot written twice: its counts add up), a short wait not stacked, a
 * SemaphoreSlim wait, a wait with no known frame, the pool starved once, a thread named. */
static const char FILE1[] =
    "drdotnet-raw\t1\twaits\nm\truntime\t10\nm\tlock_ids\t1\nm\twait_handles\t1\nm\tmin_wait_us\t100\nf\t1\tSystem."
    "Threading.Monitor.Enter\nf\t2\tApp.Waiter\nf\t3\tApp.Main\nf\t4\tSystem.Threading.Monitor.Wait\nf\t5\tSystem."
    "Threading.SemaphoreSlim.Wait\ns\t1\t1,2,3\ns\t2\t1,3\ns\t3\t\ns\t4\t4,5,3\ns\t5\t4,"
    "3\ng\tlock\t4096\t1\t2\t3000000\t2000000\ng\tlock\t4096\t1\t1\t1000000\t2000000\ng\tlock\t4096\t2\t1\t500000\t5000"
    "00\ng\tlock\t4096\t3\t1\t50000\t50000\ng\twait\t2\t4\t2\t10000000\t6000000\ng\twait\t2\t5\t1\t7000000\t7000000\nn"
    "\t11\tworker-"
    "1\nw\tlock\t11\t4096\t10\t1\t1000000\t100\nw\tlock\t11\t4096\t10\t1\t2000000\t200\nw\tlock\t12\t4096\t10\t1\t10000"
    "00\t300\nw\tlock\t12\t4096\t10\t2\t500000\t400\nw\tlock\t12\t4096\t11\t3\t50000\t500\nw\twait\t11\t2\t0\t4\t400000"
    "0\t600\nw\twait\t11\t2\t0\t4\t6000000\t700\nw\twait\t13\t2\t0\t5\t7000000\t800\np\t1000000\tstart\t3\t0\nj\t200000"
    "0\t4\t6\t1500\nj\t3000000\t5\t3\t2000\nm\tshort_waits\t1\nm\trecords_dropped\t0\nend\t9\t0\n";

static void locks_waits_pool_and_threads(void **state)
{
    char err[256];
    json_t *r = report_of(state, FILE1, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "contended")), 5);
    assert_int_equal(json_integer_value(json_object_get(r, "contended_ns")), 4550000);
    assert_int_equal(json_integer_value(json_object_get(r, "blocking_waits")), 3);
    json_t *locks = json_object_get(r, "locks");
    assert_int_equal(json_array_size(locks), 1);
    json_t *l = json_array_get(locks, 0);
    assert_string_equal(json_string_value(json_object_get(l, "lock")), "0x1000");
    assert_int_equal(json_integer_value(json_object_get(l, "count")), 5);
    assert_int_equal(json_integer_value(json_object_get(l, "max_ns")), 2000000);
    assert_int_equal(json_integer_value(json_object_get(l, "p50_ns")), 1000000);
    assert_int_equal(json_integer_value(json_object_get(l, "p99_ns")), 2000000);
    /* a Monitor (its waiters' frames say so): the locked object's type is never read */
    assert_string_equal(json_string_value(json_object_get(l, "kind")), "Monitor");
    assert_true(json_is_null(json_object_get(l, "type")));
    /* owner 10 held it during four waits, 11 (named) during one */
    json_t *o = json_array_get(json_object_get(l, "owners"), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "owner")), 10);
    assert_int_equal(json_integer_value(json_object_get(o, "count")), 4);
    o = json_array_get(json_object_get(l, "owners"), 1);
    assert_string_equal(json_string_value(json_object_get(o, "name")), "worker-1");
    /* the tree from the root frame: App.Main holds everything, App.Waiter 4 ms of it */
    json_t *main = json_array_get(json_object_get(json_object_get(l, "tree"), "children"), 0);
    assert_string_equal(json_string_value(json_object_get(main, "name")), "App.Main");
    assert_int_equal(json_integer_value(json_object_get(main, "ns")), 4500000);
    json_t *waiter = json_array_get(json_object_get(main, "children"), 0);
    assert_string_equal(json_string_value(json_object_get(waiter, "name")), "App.Waiter");
    assert_int_equal(json_integer_value(json_object_get(waiter, "count")), 3);
    /* blocking waits by kind: SemaphoreSlim from its frame, the other by its source */
    json_t *waits = json_object_get(r, "waits");
    assert_int_equal(json_array_size(waits), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(waits, 0), "kind")), "SemaphoreSlim.Wait");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(waits, 0), "count")), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(waits, 1), "kind")), "Monitor.Wait");
    /* the pool: one starvation adjustment among two */
    json_t *pool = json_object_get(r, "thread_pool");
    assert_true(json_is_true(json_object_get(pool, "starved")));
    assert_int_equal(json_integer_value(json_object_get(pool, "max_workers")), 5);
    assert_non_null(strstr(json_string_value(json_object_get(pool, "verdict")), "Thread-pool starvation"));
    /* threads: 11 waited 13 ms */
    json_t *t = json_array_get(json_object_get(r, "threads"), 0);
    assert_int_equal(json_integer_value(json_object_get(t, "tid")), 11);
    assert_int_equal(json_integer_value(json_object_get(t, "waited_ns")), 13000000);
    assert_int_equal(json_integer_value(json_object_get(t, "blocked_ns")), 10000000);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    drd_waits_print(f, r);
    fclose(f);
    assert_non_null(strstr(text, "App.Waiter"));
    assert_non_null(strstr(text, "<- starvation"));
    free(text);
    json_decref(r);
}

static void older_runtime_says_what_it_could_not_see(void **state)
{
    char err[256];
    json_t *r =
        report_of(state, "drdotnet-raw\t1\twaits\nm\truntime\t8\nm\tlock_ids\t1\nm\twait_handles\t0\nend\t0\t0\n", err,
                  sizeof err);
    assert_non_null(r);
    assert_false(json_is_true(json_object_get(r, "wait_handles_seen")));
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(r, "unseen"), 0)), "from .NET 9"));
    assert_non_null(strstr(json_string_value(json_object_get(json_object_get(r, "thread_pool"), "verdict")),
                           "No thread-pool event"));
    json_decref(r);
}

static void bad_records_refused(void **state)
{
    static const char *bad[] = {
        "g\tlock\t1\t9\t1\t1\t1\n",                       /* a stack never defined */
        "g\tmutex\t1\t1\t1\t1\t1\n",                      /* an unknown kind */
        "g\tlock\t1\t1\t1\t1\n",                          /* a field missing */
        "w\tlock\t1\t1\t1\t1\t99999999999999999999\t1\n", /* past u64 */
        "p\t1\tpaused\t1\t1\n",                           /* neither start nor stop */
        "j\t1\t1\t5000\t1\n",                             /* a reason out of range */
        "q\t1\n",                                         /* an unknown record */
        "m\truntime\tten\n",                              /* a fact that is no number */
        "o\t1\t2\t9\trun\n",                             /* an owner's stack never defined */
        "o\t1\t2\t0\tsleeping\n",                        /* neither running nor in a system call */
        "o\t1\t2\t0\tsys:x\n",                           /* a system call that is no number */
        "h\t1\t2\t3\n",                                  /* a thread's totals without its blocked time */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[512], err[256];
        snprintf(text, sizeof text, "drdotnet-raw\t1\twaits\nf\t1\tA\ns\t1\t1\n%s", bad[i]);
        json_t *r = report_of(state, text, err, sizeof err);
        assert_null(r);
        assert_true(err[0] != 0);
    }
}

/* The owners caught while threads waited: their stacks merged in a tree counted in samples, an owner blocked in a
 * system call named by it, the counts of what was taken and left out. */
static const char OWNERS[] =
    "drdotnet-raw\t1\twaits\nm\truntime\t10\nm\tlock_ids\t1\nm\towner_stacks\t1\nm\towner_stacks_per_s\t200\nf\t1\t"
    "App.Hold\nf\t2\tApp.Main\nf\t3\tApp.Waiter\ns\t1\t1,2\ns\t2\t3\ng\tlock\t4096\t2\t3\t3000\t1000\nw\tlock\t11\t"
    "4096\t10\t2\t1000\t1\no\t4096\t10\t1\trun\no\t4096\t10\t1\trun\no\t4096\t10\t0\tsys:232\no\t8192\t10\t1\t"
    "run\nm\towner_sent\t3\nm\towner_taken\t3\nm\towner_blocked\t1\nm\towner_limited\t5\nend\t3\t0\n";

static void owners_stacks_in_a_tree(void **state)
{
    char err[256];
    json_t *r = report_of(state, OWNERS, err, sizeof err);
    assert_non_null(r);
    json_t *lock = json_array_get(json_object_get(r, "locks"), 0);
    assert_int_equal(json_integer_value(json_object_get(lock, "owner_samples")), 3); /* 8192's is another lock's */
    assert_string_equal(json_string_value(json_object_get(lock, "kind")), "unknown"); /* no frame tells */
    json_t *tree = json_object_get(lock, "owner_tree");
    assert_int_equal(json_integer_value(json_object_get(tree, "count")), 3);
    json_t *top = json_array_get(json_object_get(tree, "children"), 0);
    assert_string_equal(json_string_value(json_object_get(top, "name")), "App.Main"); /* root frame first */
    assert_int_equal(json_integer_value(json_object_get(top, "count")), 2);
    json_t *hold = json_array_get(json_object_get(top, "children"), 0);
    assert_string_equal(json_string_value(json_object_get(hold, "name")), "App.Hold");
    json_t *sys = json_array_get(json_object_get(tree, "children"), 1);
    assert_string_equal(json_string_value(json_object_get(sys, "name")),
                        "[blocked in the system call epoll_wait: not signalled]");
    json_t *os = json_object_get(r, "owner_stacks");
    assert_int_equal(json_integer_value(json_object_get(os, "taken")), 3);
    assert_int_equal(json_integer_value(json_object_get(os, "blocked_not_signalled")), 1);
    assert_int_equal(json_integer_value(json_object_get(os, "rate_limited")), 5);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    drd_waits_print(out, r);
    fclose(out);
    assert_non_null(strstr(text, "owners (what the holder was doing, 3 samples"));
    assert_non_null(strstr(text, "App.Hold (2 samples)"));
    free(text);
    json_decref(r);
}

/* Under a storm: the threads' exact totals (h records) make the per-thread list, whatever the w records left out. */
static void storm_totals_exact_and_said(void **state)
{
    char err[256];
    json_t *r = report_of(state,
                          "drdotnet-raw\t1\twaits\nm\truntime\t10\nm\tmax_records_per_s\t10\nf\t1\tA\ns\t1\t1\n"
                          "g\tlock\t7\t1\t500\t9000\t100\nn\t21\tbusy-1\nw\tlock\t21\t7\t0\t1\t18\t5\nh\t21\t300\t"
                          "6000\t0\nh\t22\t150\t2000\t5\nh\t22\t50\t1000\t0\nm\trecords_capped\t480\nm\trecords_size_"
                          "capped\t19\nend\t500\t0\n",
                          err, sizeof err);
    if (!r)
        print_error("%s\n", err);
    assert_non_null(r);
    json_t *t0 = json_array_get(json_object_get(r, "threads"), 0);
    assert_int_equal(json_integer_value(json_object_get(t0, "tid")), 21);
    assert_int_equal(json_integer_value(json_object_get(t0, "waits")), 300);
    assert_int_equal(json_integer_value(json_object_get(t0, "waited_ns")), 6000);
    assert_string_equal(json_string_value(json_object_get(t0, "name")), "busy-1");
    json_t *t1 = json_array_get(json_object_get(r, "threads"), 1);
    assert_int_equal(json_integer_value(json_object_get(t1, "blocked_ns")), 5);
    assert_int_equal(json_integer_value(json_object_get(t1, "waits")), 200); /* its two entries added */
    assert_int_equal(json_integer_value(json_object_get(t1, "lock_ns")), 3000);
    json_t *lo = json_object_get(r, "left_out");
    assert_int_equal(json_integer_value(json_object_get(lo, "records_capped")), 480);
    assert_int_equal(json_integer_value(json_object_get(lo, "records_size_capped")), 19);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    drd_waits_print(out, r);
    fclose(out);
    assert_non_null(strstr(text, "storm: 480 waits past 10 a second and 19 past three quarters of max_file_mb"));
    free(text);
    json_decref(r);
}

/* The export takes the time waited as each stack's value. */
static void folded_export_weighs_time_waited(void **state)
{
    char path[512], err[256] = "";
    write_raw(state, FILE1, path, sizeof path);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(drd_export_folded(path, f, err, sizeof err), 0);
    fclose(f);
    assert_non_null(strstr(text, "App.Main;App.Waiter;System.Threading.Monitor.Enter 4000000\n"));
    assert_non_null(
        strstr(text, "App.Main;System.Threading.SemaphoreSlim.Wait;System.Threading.Monitor.Wait 10000000\n"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(locks_waits_pool_and_threads, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(older_runtime_says_what_it_could_not_see, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(bad_records_refused, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(folded_export_weighs_time_waited, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(owners_stacks_in_a_tree, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(storm_totals_exact_and_said, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
