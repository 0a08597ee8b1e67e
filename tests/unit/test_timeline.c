/* Unit tests for the session timeline (src/report/timeline.c) and its chrome-trace export (chrome_trace.c), on
 * hand-made raw files of several profilers. */
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

#include "report/export.h"
#include "report/report.h"
#include "report/timeline.h"

static void put_file(const struct tmp *t, const char *name, const char *text)
{
    drd_tmp_write(t, name, text, strlen(text), NULL, 0);
}

/* Samples at 1 ms (tid 10) and 4 ms (tid 11), a file without times for the rest; the zero at wall 5e18 */
static const char CPU[] = "drdotnet-raw\t1\tcpu-hotpaths\n"
                          "m\tmode\tcpu\n"
                          "f\t1\tMain\n"
                          "f\t2\tSpin\n"
                          "s\t1\t2,1\n"
                          "z\t5000000000000000000\t777000\t0\t100\n"
                          "n\t10\tmain\n"
                          "p\t10\t1\t10000000\t1000000\n"
                          "n\t11\t\n"
                          "p\t11\t1\t10000000\t4000000\n"
                          "end\t2\t0\n";
/* A throw at 2 ms and its catch at 2.5 ms on tid 12, 3 left off */
static const char EXC[] = "drdotnet-raw\t1\texceptions\n"
                          "z\t5000000000000000000\t777000\t100\t200\n"
                          "t\t1\tSystem.InvalidOperationException\n"
                          "f\t1\tThrower\n"
                          "f\t2\tCatcher\n"
                          "s\t1\t1,2\n"
                          "x\t1\t1\t5\n"
                          "c\t1\t1\t2\t5\n"
                          "n\t12\tthrower\n"
                          "e\t2000000\t12\t1\t1\t0\n"
                          "e\t2500000\t12\t1\t1\t2\n"
                          "m\ttimeline_left_off\t3\n"
                          "end\t5\t0\n";
/* A gen-2 induced GC pause at 3 ms for 0.5 ms, suspended by tid 13 */
static const char PAUSES[] = "drdotnet-raw\t1\truntime-pauses\n"
                             "m\tunit\tns\n"
                             "z\t5000000000000000000\t777000\t200\t300\n"
                             "n\t13\tcollector\n"
                             "u\t3000000\t500000\t1\t2\t1\t13\n"
                             "end\t1\t0\n";
/* A lock wait of tid 11 held by tid 10, ending 5 ms after waits' own start, which ended 1000 ns after the zero */
static const char WAITS[] = "drdotnet-raw\t1\twaits\n"
                            "z\t5000000000000000000\t777000\t300\t1000\n"
                            "f\t1\tWaiter\n"
                            "s\t1\t1\n"
                            "n\t11\tconvoy\n"
                            "w\tlock\t11\t42\t10\t1\t2000000\t5000000\n"
                            "n\t12\t\n"
                            "end\t1\t0\n";

static json_t *session_of(const char *profilers)
{
    json_t *list = json_array();
    char copy[256];
    snprintf(copy, sizeof copy, "%s", profilers);
    for (char *save = NULL, *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
        json_array_append_new(list, json_pack("{s:s}", "name", p));
    return json_pack("{s:s,s:s,s:{s:s},s:o,s:{s:i,s:s}}", "id", "20261205-000000-1-x", "status", "completed",
                     "profiler", "name", profilers, "profilers", list, "target", "pid", 1, "name", "app");
}

static void write_all(const struct tmp *t)
{
    put_file(t, "cpu-hotpaths.raw", CPU);
    put_file(t, "exceptions.raw", EXC);
    put_file(t, "runtime-pauses.raw", PAUSES);
    put_file(t, "waits.raw", WAITS);
}

static void loads_every_kind_in_order(void **state)
{
    struct tmp *t = *state;
    write_all(t);
    json_t *s = session_of("cpu-hotpaths,exceptions,runtime-pauses,waits");
    struct drd_timeline tl;
    char err[256] = "";
    assert_int_equal(drd_timeline_load(t->dir, s, &tl, err, sizeof err), 0);
    assert_int_equal(tl.n, 6);
    static const int kinds[] = {DRD_TL_CPU, DRD_TL_THROW, DRD_TL_CATCH, DRD_TL_PAUSE, DRD_TL_LOCK, DRD_TL_CPU};
    static const uint64_t starts[] = {1000000, 2000000, 2500000, 3000000, 3001000, 4000000};
    for (size_t i = 0; i < tl.n; i++) {
        assert_int_equal(tl.ev[i].kind, kinds[i]);
        assert_int_equal(tl.ev[i].ns, starts[i]); /* the wait: 5 ms - 2 ms + waits' start end (1000 ns) */
    }
    assert_string_equal(drd_timeline_type(&tl, &tl.ev[1]), "System.InvalidOperationException");
    assert_string_equal(drd_timeline_frame(&tl, &tl.ev[2]), "Catcher");
    assert_int_equal(tl.ev[3].generation, 2);
    assert_int_equal(tl.ev[3].induced, 1);
    assert_int_equal(tl.ev[3].tid, 13);
    assert_int_equal(tl.ev[4].owner, 10);
    assert_int_equal(tl.ev[4].dur, 2000000);
    assert_int_equal(tl.left_off, 3);
    assert_int_equal(tl.zero_mono_ns, 777000);
    assert_int_equal(tl.n_threads, 4);
    /* tid 11 was nameless in the cpu file, named by the waits file: a later empty name does not erase it */
    assert_string_equal(drd_timeline_thread(&tl, 11)->name, "convoy");
    assert_string_equal(drd_timeline_thread(&tl, 13)->name, "collector");
    assert_string_equal(drd_timeline_thread(&tl, 12)->name, "thrower"); /* nor does a later empty one */
    drd_timeline_free(&tl);
    json_decref(s);
}

/* The export is valid JSON with what the format requires, in microseconds. */
static void chrome_trace_shape(void **state)
{
    struct tmp *t = *state;
    write_all(t);
    char path[512];
    json_t *s = session_of("cpu-hotpaths,exceptions,runtime-pauses,waits");
    snprintf(path, sizeof path, "%s/session.json", t->dir);
    assert_int_equal(json_dump_file(s, path, 0), 0);
    snprintf(path, sizeof path, "%s/trace.json", t->dir);
    FILE *f = fopen(path, "w");
    char err[256] = "";
    assert_int_equal(drd_export_chrome_trace(t->dir, f, err, sizeof err), 0);
    fclose(f);
    json_error_t je;
    json_t *doc = json_load_file(path, 0, &je);
    assert_non_null(doc);
    json_t *events = json_object_get(doc, "traceEvents"), *frames = json_object_get(doc, "stackFrames");
    size_t i;
    json_t *e;
    int pauses = 0, locks = 0, throws = 0, cpu = 0;
    json_array_foreach(events, i, e)
    {
        const char *ph = json_string_value(json_object_get(e, "ph"));
        const char *cat = json_string_value(json_object_get(e, "cat"));
        assert_non_null(ph);
        if (strcmp(ph, "M") == 0)
            continue;
        const char *sf = json_string_value(json_object_get(e, "sf"));
        if (sf)
            assert_non_null(json_object_get(frames, sf));
        if (strcmp(cat, "pause") == 0) {
            pauses++;
            assert_true(json_real_value(json_object_get(e, "ts")) == 3000.0);
            assert_true(json_real_value(json_object_get(e, "dur")) == 500.0);
        } else if (strcmp(cat, "lock") == 0) {
            locks++;
            assert_true(json_real_value(json_object_get(e, "ts")) == 3001.0);
            assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "args"), "owner")), 10);
        } else if (strcmp(cat, "throw") == 0) {
            throws++;
            assert_string_equal(json_string_value(json_object_get(e, "name")), "System.InvalidOperationException");
        } else if (strcmp(cat, "cpu") == 0) {
            cpu++;
            assert_string_equal(json_string_value(json_object_get(e, "name")), "Spin");
            /* the leaf's frame names its caller */
            json_t *leaf = json_object_get(frames, sf);
            assert_string_equal(json_string_value(json_object_get(leaf, "name")), "Spin");
            json_t *root = json_object_get(frames, json_string_value(json_object_get(leaf, "parent")));
            assert_string_equal(json_string_value(json_object_get(root, "name")), "Main");
        }
    }
    assert_int_equal(pauses, 1);
    assert_int_equal(locks, 1);
    assert_int_equal(throws, 1);
    assert_int_equal(cpu, 2);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "otherData"), "left_off")), 3);
    json_decref(doc);
    json_decref(s);
}

/* A session without timed data is refused with a sentence; so is a malformed timed record. */
static void refusals(void **state)
{
    struct tmp *t = *state;
    struct drd_timeline tl;
    char err[256] = "";
    put_file(t, "cpu-hotpaths.raw", "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tA\ns\t1\t1\np\t1\t1\t10\nend\t1\t0\n");
    json_t *s = session_of("cpu-hotpaths");
    assert_int_equal(drd_timeline_load(t->dir, s, &tl, err, sizeof err), -1);
    assert_non_null(strstr(err, "holds no timed data"));
    drd_timeline_free(&tl);
    static const char *const bad[] = {
        "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tA\ns\t1\t1\np\t1\t1\t10\tsoon\n",
        "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tA\ns\t1\t1\np\t1\t2\t10\t5\n",
        "drdotnet-raw\t1\tcpu-hotpaths\nz\t1\t2\t3\n",
        "drdotnet-raw\t1\tcpu-hotpaths\nz\t1\t2\t4\t3\n",
        "drdotnet-raw\t1\tcpu-hotpaths\nz\t1\t2\t3\t4\nz\t1\t2\t3\t4\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        put_file(t, "cpu-hotpaths.raw", bad[i]);
        err[0] = 0;
        assert_int_equal(drd_timeline_load(t->dir, s, &tl, err, sizeof err), -1);
        assert_true(err[0] != 0);
        drd_timeline_free(&tl);
    }
    json_decref(s);
    s = session_of("exceptions");
    static const char *const bad_exc[] = {
        "drdotnet-raw\t1\texceptions\nt\t1\tT\nf\t1\tA\ns\t1\t1\ne\t5\t1\t2\t1\t0\n", /* type 2 undefined */
        "drdotnet-raw\t1\texceptions\nt\t1\tT\nf\t1\tA\ns\t1\t1\ne\t5\t1\t1\t1\t9\n", /* catcher undefined */
        "drdotnet-raw\t1\texceptions\nt\t1\tT\nf\t1\tA\ns\t1\t1\ne\t5\t1\t1\t1\n",    /* a field short */
        "drdotnet-raw\t1\texceptions\nm\ttimeline_left_off\tmany\n",
    };
    for (size_t i = 0; i < sizeof bad_exc / sizeof bad_exc[0]; i++) {
        put_file(t, "exceptions.raw", bad_exc[i]);
        err[0] = 0;
        assert_int_equal(drd_timeline_load(t->dir, s, &tl, err, sizeof err), -1);
        assert_true(err[0] != 0);
        drd_timeline_free(&tl);
    }
    json_decref(s);
    s = session_of("waits");
    put_file(t, "waits.raw", "drdotnet-raw\t1\twaits\nw\tlock\t1\t2\t0\t0\t10\t5\n"); /* ends before it starts */
    assert_int_equal(drd_timeline_load(t->dir, s, &tl, err, sizeof err), -1);
    drd_timeline_free(&tl);
    json_decref(s);
}

/* The exceptions report still counts exactly and tells what the timeline left off. */
static void exceptions_report_left_off(void **state)
{
    struct tmp *t = *state;
    put_file(t, "exceptions.raw", EXC);
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/exceptions.raw", t->dir);
    json_t *r = drd_exceptions_report(path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_object_get(r, "total")), 5);
    assert_int_equal(json_integer_value(json_object_get(r, "timeline_events")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "timeline_left_off")), 3);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(loads_every_kind_in_order, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(chrome_trace_shape, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(refusals, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(exceptions_report_left_off, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
