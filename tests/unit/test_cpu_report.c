/* Unit tests for the cpu-hotpaths and merged-stacks reports (src/report/cpu_report.c), on hand-made raw files. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "report/report.h"
#include "common/fsutil.h"

/* Writes text to dir/name and gives its path. */
static void put_file(const struct tmp *t, const char *name, const char *text, char *path, size_t cap)
{
    drd_tmp_write(t, name, text, strlen(text), path, cap);
}

/* Three threads in cpu mode. Frame 9 has the name of frame 2 (an overload): one function. Stack 6 has the names
 * of stack 1. Recurse calls itself. Stack 7 is never sampled, [native] never used.
 *   tid 100: s1 x3 (10 ns each), s2 (5), s6 (10)          5 samples, 45 ns
 *   tid 200: s3 x2 (10 each), s4 x2 (10 each), s1 (2)     5 samples, 42 ns
 *   tid 300: s5 x4 (0 each: idle)                          4 samples,  0 ns */
static const char CPU[] = "drdotnet-raw\t1\tcpu-hotpaths\n"
                          "m\tmode\tcpu\n"
                          "m\tfrequency\t100\n"
                          "m\tperiod_ns\t10000000\n"
                          "m\tsomething_new\tignored\n"
                          "f\t1\tMain\n"
                          "f\t2\tWork\n"
                          "f\t3\tCompute\n"
                          "f\t4\tRecurse\n"
                          "f\t5\tHelper\n"
                          "f\t6\t[native]\n"
                          "f\t7\tIdle\n"
                          "f\t8\tSystem.Collections.Generic.List<System.Int32>.Add\n"
                          "f\t9\tWork\n"
                          "s\t1\t3,2,1\n"
                          "s\t2\t8,2,1\n"
                          "s\t3\t4,4,4,1\n"
                          "s\t4\t5,4,4,1\n"
                          "s\t5\t7\n"
                          "s\t6\t3,9,1\n"
                          "s\t7\t2,1\n"
                          "n\t100\tMain thread\n"
                          "n\t200\tworker\n"
                          "p\t100\t1\t10\n"
                          "p\t200\t3\t10\n"
                          "p\t100\t1\t10\n"
                          "p\t200\t3\t10\n"
                          "p\t100\t1\t10\n"
                          "p\t300\t5\t0\n"
                          "p\t300\t5\t0\n"
                          "n\t200\tworker-2\n"
                          "p\t300\t5\t0\n"
                          "p\t300\t5\t0\n"
                          "p\t100\t2\t5\n"
                          "p\t100\t6\t10\n"
                          "p\t200\t4\t10\n"
                          "p\t200\t4\t10\n"
                          "p\t200\t1\t2\n"
                          "end\t14\t3\n";

static json_int_t num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("no integer '%s'", k);
    return json_integer_value(v);
}

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("no string '%s'", k);
    return json_string_value(v);
}

/* The child of node named name (fails when absent). */
static json_t *child(json_t *node, const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(node, "children"), i, c)
    {
        if (strcmp(str(c, "name"), name) == 0)
            return c;
    }
    fail_msg("no child '%s' under '%s'", name, str(node, "name"));
    return NULL;
}

/* Checks a cpu tree node's numbers and how many children it has. */
static void check_node(json_t *n, const char *name, json_int_t total, json_int_t self, json_int_t total_ns,
                       json_int_t self_ns, size_t children)
{
    assert_non_null(n);
    assert_string_equal(str(n, "name"), name);
    assert_int_equal(num(n, "total"), total);
    assert_int_equal(num(n, "self"), self);
    assert_int_equal(num(n, "total_ns"), total_ns);
    assert_int_equal(num(n, "self_ns"), self_ns);
    assert_int_equal(json_array_size(json_object_get(n, "children")), children);
}

/* The name of the i-th child of node. */
static const char *nth(json_t *node, size_t i)
{
    return str(json_array_get(json_object_get(node, "children"), i), "name");
}

static json_t *cpu_report(const struct tmp *t)
{
    char path[512], err[256] = "";
    put_file(t, "cpu-hotpaths.raw", CPU, path, sizeof path);
    json_t *r = drd_cpu_report(path, err, sizeof err);
    if (!r)
        fail_msg("report refused: %s", err);
    return r;
}

static void cpu_summary(void **state)
{
    json_t *r = cpu_report(*state);
    assert_string_equal(str(r, "profiler"), "cpu-hotpaths");
    assert_string_equal(str(r, "mode"), "cpu");
    assert_int_equal(num(r, "frequency"), 100);
    assert_int_equal(num(r, "period_ns"), 10000000);
    assert_int_equal(num(r, "samples"), 14);
    assert_int_equal(num(r, "total_ns"), 87);
    assert_int_equal(num(r, "dropped"), 3);
    assert_true(json_is_true(json_object_get(r, "complete")));

    json_t *th = json_object_get(r, "threads");
    assert_int_equal(json_array_size(th), 3);
    json_t *a = json_array_get(th, 0), *b = json_array_get(th, 1), *c = json_array_get(th, 2);
    assert_int_equal(num(a, "tid"), 100);
    assert_string_equal(str(a, "name"), "Main thread");
    assert_int_equal(num(a, "samples"), 5);
    assert_int_equal(num(a, "ns"), 45);
    assert_int_equal(num(b, "tid"), 200);
    assert_string_equal(str(b, "name"), "worker-2"); /* the last name wins */
    assert_int_equal(num(b, "samples"), 5);
    assert_int_equal(num(b, "ns"), 42);
    assert_int_equal(num(c, "tid"), 300);
    assert_true(json_is_null(json_object_get(c, "name")));
    assert_int_equal(num(c, "samples"), 4);
    assert_int_equal(num(c, "ns"), 0);
    json_decref(r);
}

static void cpu_tree(void **state)
{
    json_t *r = cpu_report(*state);
    json_t *all = json_object_get(r, "tree");
    check_node(all, "all", 14, 0, 87, 0, 2);
    assert_string_equal(nth(all, 0), "Main"); /* heaviest first: 87 ns before 0 ns */
    assert_string_equal(nth(all, 1), "Idle");
    check_node(child(all, "Idle"), "Idle", 4, 4, 0, 0, 0);
    json_t *main_ = child(all, "Main");
    check_node(main_, "Main", 10, 0, 87, 0, 2);
    assert_string_equal(nth(main_, 0), "Work");
    json_t *work = child(main_, "Work"); /* frames 2 and 9, stacks 1, 2 and 6 */
    check_node(work, "Work", 6, 0, 47, 0, 2);
    assert_string_equal(nth(work, 0), "Compute");
    check_node(child(work, "Compute"), "Compute", 5, 5, 42, 42, 0);
    check_node(child(work, "System.Collections.Generic.List<System.Int32>.Add"),
               "System.Collections.Generic.List<System.Int32>.Add", 1, 1, 5, 5, 0);
    json_t *r1 = child(main_, "Recurse");
    check_node(r1, "Recurse", 4, 0, 40, 0, 1);
    json_t *r2 = child(r1, "Recurse");
    check_node(r2, "Recurse", 4, 0, 40, 0, 2);
    assert_string_equal(nth(r2, 0), "Helper"); /* a tie in weight and samples: by name */
    check_node(child(r2, "Recurse"), "Recurse", 2, 2, 20, 20, 0);
    check_node(child(r2, "Helper"), "Helper", 2, 2, 20, 20, 0);
    json_decref(r);
}

static void check_fn(json_t *f, const char *name, json_int_t self, json_int_t total, json_int_t self_ns,
                     json_int_t total_ns)
{
    assert_non_null(f);
    assert_string_equal(str(f, "function"), name);
    assert_int_equal(num(f, "self"), self);
    assert_int_equal(num(f, "total"), total);
    assert_int_equal(num(f, "self_ns"), self_ns);
    assert_int_equal(num(f, "total_ns"), total_ns);
}

static void cpu_top(void **state)
{
    json_t *r = cpu_report(*state);
    json_t *top = json_object_get(r, "top");
    assert_int_equal(json_array_size(top), 7); /* [native] was never sampled */
    check_fn(json_array_get(top, 0), "Compute", 5, 5, 42, 42);
    check_fn(json_array_get(top, 1), "Recurse", 2, 4, 20, 40); /* three frames deep, counted once */
    check_fn(json_array_get(top, 2), "Helper", 2, 2, 20, 20);
    check_fn(json_array_get(top, 3), "System.Collections.Generic.List<System.Int32>.Add", 1, 1, 5, 5);
    check_fn(json_array_get(top, 4), "Idle", 4, 4, 0, 0);
    check_fn(json_array_get(top, 5), "Main", 0, 10, 0, 87);
    check_fn(json_array_get(top, 6), "Work", 0, 6, 0, 47);
    json_decref(r);
}

/* Prints into a string (caller frees). */
static char *print_to_string(void (*fn)(FILE *, json_t *), json_t *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    fn(f, r);
    assert_int_equal(fclose(f), 0);
    return text;
}

static void cpu_print(void **state)
{
    json_t *r = cpu_report(*state);
    char *text = print_to_string(drd_cpu_print, r);
    assert_non_null(strstr(text, "CPU sampling at 100 Hz: 14 samples, 0.000 s of CPU time on 3 threads"));
    assert_non_null(strstr(text, "  self   total    self ms  function\n"));
    assert_non_null(strstr(text, "   48.3%   48.3%        0.0  Compute\n"));
    assert_non_null(strstr(text, "   23.0%   46.0%        0.0  Recurse\n"));
    /* the tree: total% self% and two spaces per level, heaviest first; Idle (0% of the time) pruned */
    static const char tree[] = " 100.0%    0.0%  all\n"
                               " 100.0%    0.0%    Main\n"
                               "  54.0%    0.0%      Work\n"
                               "  48.3%   48.3%        Compute\n"
                               "   5.7%    5.7%        System.Collections.Generic.List<System.Int32>.Add\n"
                               "  46.0%    0.0%      Recurse\n"
                               "  46.0%    0.0%        Recurse\n"
                               "  23.0%   23.0%          Helper\n"
                               "  23.0%   23.0%          Recurse\n";
    const char *at = strstr(text, tree);
    if (!at)
        fail_msg("the tree is not as expected:\n%s", text);
    assert_string_equal(at + strlen(tree), ""); /* and nothing after it */
    free(text);
    json_decref(r);
}

/* A tree deeper than the printer goes: depth 45 of one function each. */
static void cpu_print_depth(void **state)
{
    struct tmp *t = *state;
    char text[8192], path[512], err[256] = "";
    size_t n = (size_t)snprintf(text, sizeof text, "drdotnet-raw\t1\tcpu-hotpaths\n");
    for (int i = 1; i <= 45; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "f\t%d\tF%d\n", i, i);
    n += (size_t)snprintf(text + n, sizeof text - n, "s\t1\t");
    for (int i = 45; i >= 1; i--)
        n += (size_t)snprintf(text + n, sizeof text - n, "%d%s", i, i > 1 ? "," : "\n");
    snprintf(text + n, sizeof text - n, "p\t1\t1\t7\n");
    put_file(t, "deep.raw", text, path, sizeof path);
    json_t *r = drd_cpu_report(path, err, sizeof err);
    assert_non_null(r);
    char *out = print_to_string(drd_cpu_print, r);
    assert_non_null(strstr(out, "F40\n"));
    assert_null(strstr(out, "F41\n"));
    assert_non_null(strstr(out, "..."));
    assert_true(json_is_null(json_object_get(r, "mode"))); /* the file does not say */
    free(out);
    json_decref(r);
}

/* Past 200,000 nodes the lightest fold into "(other)": 210,000 leaves under Main, leaf i weighing i ns. */
static void cpu_tree_bound(void **state)
{
    struct tmp *t = *state;
    enum { LEAVES = 210000 };
    size_t cap = 40u << 20, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tMain\n");
    for (int i = 1; i <= LEAVES; i++)
        n +=
            (size_t)snprintf(text + n, cap - n, "f\t%d\tLeaf%d\ns\t%d\t%d,1\np\t7\t%d\t%d\n", i + 1, i, i, i + 1, i, i);
    char path[512], err[256] = "";
    put_file(t, "wide.raw", text, path, sizeof path);
    free(text);
    json_t *r = drd_cpu_report(path, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    long long all_ns = (long long)LEAVES * (LEAVES + 1) / 2;
    json_t *all = json_object_get(r, "tree");
    check_node(all, "all", LEAVES, 0, all_ns, 0, 1);
    json_t *main_ = child(all, "Main");
    json_t *kids = json_object_get(main_, "children");
    /* root, Main and 199,998 leaves kept; the 10,002 lightest (1..10002 ns) in one "(other)" */
    assert_int_equal(json_array_size(kids), 199998 + 1);
    assert_string_equal(nth(main_, 0), "(other)"); /* sorted with the others by its weight: the heaviest */
    check_node(child(main_, "(other)"), "(other)", 10002, 10002, 10002LL * 10003 / 2, 10002LL * 10003 / 2, 0);
    assert_string_equal(nth(main_, 1), "Leaf210000");
    assert_string_equal(nth(main_, json_array_size(kids) - 1), "Leaf10003");
    json_int_t sum = 0;
    size_t i;
    json_t *c;
    json_array_foreach(kids, i, c)
    {
        sum += num(c, "total_ns");
    }
    assert_int_equal(sum, all_ns);
    json_decref(r);
}

/* Four threads stopped in three stacks. */
static const char MERGED[] = "drdotnet-raw\t1\tmerged-stacks\n"
                             "f\t1\tMain\n"
                             "f\t2\tWait\n"
                             "f\t3\tMonitor.Enter\n"
                             "f\t4\tWorker.Run\n"
                             "f\t5\tThreadPool.Dispatch\n"
                             "s\t1\t2,1\n"
                             "s\t2\t3,4,5\n"
                             "s\t3\t2,4,5\n"
                             "n\t10\tmain\n"
                             "w\t10\t1\n"
                             "w\t30\t2\n"
                             "w\t20\t2\n"
                             "w\t40\t3\n"
                             "n\t20\tpool-1\n"
                             "end\t4\t0\n";

static void check_mnode(json_t *n, const char *name, json_int_t threads, const json_int_t *tids, size_t children)
{
    assert_non_null(n);
    assert_string_equal(str(n, "name"), name);
    assert_int_equal(num(n, "threads"), threads);
    json_t *arr = json_object_get(n, "tids");
    assert_int_equal(json_array_size(arr), (size_t)threads);
    for (size_t i = 0; i < (size_t)threads; i++)
        assert_int_equal(json_integer_value(json_array_get(arr, i)), tids[i]);
    assert_int_equal(json_array_size(json_object_get(n, "children")), children);
}

static json_t *merged_report(const struct tmp *t)
{
    char path[512], err[256] = "";
    put_file(t, "merged-stacks.raw", MERGED, path, sizeof path);
    json_t *r = drd_merged_report(path, err, sizeof err);
    if (!r)
        fail_msg("report refused: %s", err);
    return r;
}

static void merged_tree(void **state)
{
    json_t *r = merged_report(*state);
    assert_string_equal(str(r, "profiler"), "merged-stacks");
    assert_int_equal(num(r, "threads"), 4);
    json_t *all = json_object_get(r, "tree");
    check_mnode(all, "all", 4, (json_int_t[]){10, 20, 30, 40}, 2);
    assert_string_equal(nth(all, 0), "ThreadPool.Dispatch");
    json_t *d = child(all, "ThreadPool.Dispatch");
    check_mnode(d, "ThreadPool.Dispatch", 3, (json_int_t[]){20, 30, 40}, 1);
    json_t *w = child(d, "Worker.Run");
    check_mnode(w, "Worker.Run", 3, (json_int_t[]){20, 30, 40}, 2);
    assert_string_equal(nth(w, 0), "Monitor.Enter");
    check_mnode(child(w, "Monitor.Enter"), "Monitor.Enter", 2, (json_int_t[]){20, 30}, 0);
    check_mnode(child(w, "Wait"), "Wait", 1, (json_int_t[]){40}, 0);
    json_t *m = child(all, "Main");
    check_mnode(m, "Main", 1, (json_int_t[]){10}, 1);
    check_mnode(child(m, "Wait"), "Wait", 1, (json_int_t[]){10}, 0);

    json_t *stacks = json_object_get(r, "stacks");
    assert_int_equal(json_array_size(stacks), 4);
    json_t *s0 = json_array_get(stacks, 0), *s1 = json_array_get(stacks, 1), *s3 = json_array_get(stacks, 3);
    assert_int_equal(num(s0, "tid"), 10);
    assert_string_equal(str(s0, "name"), "main");
    assert_int_equal(json_array_size(json_object_get(s0, "frames")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(s0, "frames"), 0)), "Wait");
    assert_string_equal(json_string_value(json_array_get(json_object_get(s0, "frames"), 1)), "Main");
    assert_int_equal(num(s1, "tid"), 20);
    assert_string_equal(str(s1, "name"), "pool-1"); /* named after its sample */
    assert_int_equal(num(s3, "tid"), 40);
    assert_true(json_is_null(json_object_get(s3, "name")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(s3, "frames"), 0)), "Wait");
    assert_string_equal(json_string_value(json_array_get(json_object_get(s3, "frames"), 2)), "ThreadPool.Dispatch");

    char *text = print_to_string(drd_merged_print, r);
    assert_non_null(strstr(text, "4 managed threads"));
    assert_non_null(strstr(text, "  [4 threads] all\n"));
    assert_non_null(strstr(text, "    [3 threads] ThreadPool.Dispatch\n"
                                 "                Worker.Run\n"
                                 "      [2 threads] Monitor.Enter\n"
                                 "      [1 thread] Wait\n"));
    assert_non_null(strstr(text, "    [1 thread] Main\n"
                                 "               Wait\n"));
    assert_non_null(strstr(text, "  thread 20 (pool-1)\n      at Monitor.Enter\n      at Worker.Run\n"));
    free(text);
    json_decref(r);
}

static void dispatch(void **state)
{
    struct tmp *t = *state;
    char path[512], err[256] = "";
    put_file(t, "cpu-hotpaths.raw", CPU, path, sizeof path);
    put_file(t, "merged-stacks.raw", MERGED, path, sizeof path);
    json_t *session = json_pack("{s:s,s:s,s:{s:s},s:{s:i,s:s}}", "id", "20261126-101500-1-cpu-hotpaths", "status",
                                "completed", "profiler", "name", "cpu-hotpaths", "target", "pid", 1, "name", "x");
    json_t *r = drd_report_build(t->dir, session, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(num(r, "samples"), 14);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    drd_report_print(f, session, r);
    fclose(f);
    assert_non_null(strstr(text, "CPU sampling at 100 Hz"));
    free(text);
    json_decref(r);
    json_object_set_new(json_object_get(session, "profiler"), "name", json_string("merged-stacks"));
    r = drd_report_build(t->dir, session, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(num(r, "threads"), 4);
    f = open_memstream(&text, &len);
    drd_report_print(f, session, r);
    fclose(f);
    assert_non_null(strstr(text, "[4 threads] all"));
    free(text);
    json_decref(r);
    json_decref(session);
}

/* The report refuses text with an error, without crashing. */
static void refuse(const struct tmp *t, json_t *(*fn)(const char *, char *, size_t), const char *text, const char *why,
                   const char *want)
{
    char path[512], err[256];
    memset(err, 0, sizeof err);
    put_file(t, "bad.raw", text, path, sizeof path);
    json_t *r = fn(path, err, sizeof err);
    if (r)
        fail_msg("accepted %s", why);
    if (!*err)
        fail_msg("refused %s without a message", why);
    if (want && !strstr(err, want))
        fail_msg("refused %s with '%s', not '%s'", why, err, want);
}

#define CPU_HDR "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tA\nf\t2\tB\ns\t1\t1,2\ns\t2\t2\n"
#define MERGED_HDR "drdotnet-raw\t1\tmerged-stacks\nf\t1\tA\ns\t1\t1\n"

static void refusals(void **state)
{
    struct tmp *t = *state;
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t3\t10\n", "a sample in an undefined stack", "stack 3");
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t0\t10\n", "a sample in stack 0", "stack 0");
    refuse(t, drd_cpu_report, "drdotnet-raw\t1\tcpu-hotpaths\np\t1\t1\t10\n", "a sample before any stack", NULL);
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t1\n", "a sample without its weight", "malformed");
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t1\t10\t4\t5\n", "a sample with a sixth field", "malformed");
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t1\t10\tsoon\n", "a sample's time that is not a number", "malformed");
    refuse(t, drd_cpu_report, CPU_HDR "p\tx\t1\t10\n", "a tid that is not a number", "malformed");
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t1\t-5\n", "a negative weight", "malformed");
    refuse(t, drd_cpu_report, CPU_HDR "p\t1\t1\t281474976710657\n", "a weight above 2^48", "malformed");
    refuse(t, drd_cpu_report, CPU_HDR "m\tmode\tturbo\n", "an unknown mode", "mode");
    refuse(t, drd_cpu_report, CPU_HDR "m\tsampler\tperf\n", "an unknown sampler", "sampler");
    refuse(t, drd_cpu_report, CPU_HDR "m\tfrequency\tfast\n", "a frequency that is not a number", NULL);
    refuse(t, drd_cpu_report, CPU_HDR "m\tmode\n", "a fact without a value", NULL);
    refuse(t, drd_cpu_report, CPU_HDR "n\t1\n", "a thread name record without a name", NULL);
    refuse(t, drd_cpu_report, CPU_HDR "w\t1\t1\n", "a merged-stacks record in a cpu file", "unknown record");
    refuse(t, drd_cpu_report, CPU_HDR "x\t1\t1\t1\n", "an exceptions record in a cpu file", "unknown record");
    refuse(t, drd_cpu_report, MERGED, "a merged-stacks file", "merged");
    refuse(t, drd_cpu_report, "drdotnet-raw\t1\texceptions\nf\t1\tA\n", "an exceptions file", "no samples");
    refuse(t, drd_cpu_report, "drdotnet-raw\t1\texceptions\nt\t1\tT\nx\t1\t1\t1\n", "exceptions records", NULL);
    refuse(t, drd_cpu_report, "", "an empty file", NULL);
    refuse(t, drd_merged_report, MERGED_HDR "w\t1\t2\n", "a thread in an undefined stack", "stack 2");
    refuse(t, drd_merged_report, MERGED_HDR "w\t1\t1\t5\n", "a thread with a weight", "malformed");
    refuse(t, drd_merged_report, MERGED_HDR "p\t1\t1\t5\n", "a cpu sample in a merged file", "unknown record");
    refuse(t, drd_merged_report, CPU, "a cpu-hotpaths file", "CPU samples");

    char err[256] = "";
    char path[600];
    drd_fs_path(path, sizeof path, "%s/missing.raw", t->dir);
    assert_null(drd_cpu_report(path, err, sizeof err));
    assert_non_null(strstr(err, "cannot read"));
}

static void edge_cases(void **state)
{
    struct tmp *t = *state;
    char path[512], err[256] = "";

    /* no samples at all: an empty report, and a short text */
    put_file(t, "empty.raw", CPU_HDR "m\tmode\twall\nend\t0\t0\n", path, sizeof path);
    json_t *r = drd_cpu_report(path, err, sizeof err);
    assert_non_null(r);
    assert_int_equal(num(r, "samples"), 0);
    assert_string_equal(str(r, "mode"), "wall");
    check_node(json_object_get(r, "tree"), "all", 0, 0, 0, 0, 0);
    assert_int_equal(json_array_size(json_object_get(r, "top")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "threads")), 0);
    char *text = print_to_string(drd_cpu_print, r);
    assert_non_null(strstr(text, "Wall-clock sampling: 0 samples"));
    free(text);
    json_decref(r);

    /* an empty stack counts as the root's own time; names that are not UTF-8 are mended */
    put_file(t, "odd.raw",
             "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tBad\xff\xc3Name\ns\t1\t\ns\t2\t1\n"
             "n\t5\t\xe2\x82\n"
             "p\t5\t1\t3\np\t5\t2\t4\n",
             path, sizeof path);
    r = drd_cpu_report(path, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    json_t *all = json_object_get(r, "tree");
    check_node(all, "all", 2, 1, 7, 3, 1);
    check_node(child(all, "Bad??Name"), "Bad??Name", 1, 1, 4, 4, 0);
    assert_string_equal(str(json_array_get(json_object_get(r, "threads"), 0), "name"), "??");
    assert_true(json_is_false(json_object_get(r, "complete")));
    json_decref(r);

    /* a tid listed twice in a snapshot (its OS id reused) is two threads' worth, both shown */
    put_file(t, "twice.raw", MERGED_HDR "f\t2\tB\ns\t2\t2,1\nw\t7\t1\nw\t7\t2\nw\t3\t1\n", path, sizeof path);
    r = drd_merged_report(path, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    assert_int_equal(num(r, "threads"), 3);
    all = json_object_get(r, "tree");
    check_mnode(all, "all", 3, (json_int_t[]){3, 7, 7}, 1);
    check_mnode(child(all, "A"), "A", 3, (json_int_t[]){3, 7, 7}, 1);
    check_mnode(child(child(all, "A"), "B"), "B", 1, (json_int_t[]){7}, 0);
    assert_int_equal(json_array_size(json_object_get(r, "stacks")), 3);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(cpu_summary, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cpu_tree, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cpu_top, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cpu_print, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cpu_print_depth, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cpu_tree_bound, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(merged_tree, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(dispatch, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(refusals, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(edge_cases, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
