/* Unit tests for the heap-snapshot report and diff (src/report/heap_report.c), its export by retention path
 * (heap_samples.c) and the leaks report (leaks_report.c), on hand-made session files. */
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
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "report/export.h"
#include "report/report.h"
#include "common/fsutil.h"

#define HDR "drdotnet-raw\t1\theap-snapshot\n"

enum { OTHER, STACK, FINALIZER, HANDLE };
enum { PINNING = 1, WEAK = 2 };

/* A graph file being built; starts with the magic. */
struct gbuf {
    unsigned char b[8192];
    size_t n;
};

static void put(struct gbuf *g, uint64_t v, int bytes)
{
    assert_true(g->n + (size_t)bytes <= sizeof g->b);
    for (int i = 0; i < bytes; i++)
        g->b[g->n++] = (unsigned char)(v >> (8 * i));
}

static void start(struct gbuf *g)
{
    g->n = 0;
    memcpy(g->b, "DRDGRPH1", 8);
    g->n = 8;
}

/* An object record's head, announcing n references. */
static void obj_head(struct gbuf *g, uint64_t id, uint64_t cls, uint64_t size, uint32_t n)
{
    put(g, 'O', 1);
    put(g, id, 8);
    put(g, cls, 8);
    put(g, size, 8);
    put(g, n, 4);
}

/* An object record with n references (the ... are uint64_t ids). */
static void obj(struct gbuf *g, uint64_t id, uint64_t cls, uint64_t size, uint32_t n, ...)
{
    va_list ap;
    obj_head(g, id, cls, size, n);
    va_start(ap, n);
    for (uint32_t i = 0; i < n; i++)
        put(g, va_arg(ap, uint64_t), 8);
    va_end(ap);
}

static void root(struct gbuf *g, uint64_t id, unsigned kind, unsigned flags)
{
    put(g, 'R', 1);
    put(g, id, 8);
    put(g, kind, 1);
    put(g, flags, 1);
    put(g, 0x5000 + id, 8);
}

static void sroot(struct gbuf *g, uint64_t id, uint32_t field)
{
    put(g, 'S', 1);
    put(g, id, 8);
    put(g, field, 4);
}

static void put_file(const struct tmp *t, const char *name, const void *data, size_t len)
{
    drd_tmp_write(t, name, data, len, NULL, 0);
}

static void put_session(const struct tmp *t, const char *raw, const struct gbuf *g)
{
    put_file(t, "heap-snapshot.raw", raw, strlen(raw));
    put_file(t, "heap-snapshot.graph", g->b, g->n);
}

static json_t *report(const struct tmp *t, const char *raw, const struct gbuf *g)
{
    char err[256] = "";
    put_session(t, raw, g);
    json_t *r = drd_heap_report(t->dir, err, sizeof err);
    if (!r)
        fail_msg("report refused: %s", err);
    return r;
}

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

/* Checks the row of type name in r's types. */
static void check_type(json_t *r, const char *name, json_int_t count, json_int_t shallow, json_int_t retained)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "types"), i, t)
    {
        if (strcmp(str(t, "type"), name) != 0)
            continue;
        if (num(t, "count") != count || num(t, "shallow") != shallow || num(t, "retained") != retained)
            fail_msg("%s: count %lld shallow %lld retained %lld, not %lld %lld %lld", name, (long long)num(t, "count"),
                     (long long)num(t, "shallow"), (long long)num(t, "retained"), (long long)count,
                     (long long)shallow, (long long)retained);
        return;
    }
    fail_msg("no type '%s'", name);
}

/* The types' names in order, joined by spaces. */
static void check_order(json_t *r, const char *want)
{
    char got[512] = "";
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(r, "types"), i, t)
    {
        strcat(got, i ? " " : "");
        strcat(got, str(t, "type"));
    }
    assert_string_equal(got, want);
}

static void check_roots(json_t *r, json_int_t st, json_int_t handle, json_int_t stack, json_int_t fin, json_int_t other,
                        json_int_t weak)
{
    json_t *roots = json_object_get(r, "roots");
    assert_int_equal(num(roots, "static"), st);
    assert_int_equal(num(roots, "handle"), handle);
    assert_int_equal(num(roots, "stack"), stack);
    assert_int_equal(num(roots, "finalizer"), fin);
    assert_int_equal(num(roots, "other"), other);
    assert_int_equal(num(roots, "weak"), weak);
}

/* A path as text: "root:stack A B", "root:static:F T". */
static void check_path(json_t *retainer, const char *want)
{
    char got[1024] = "";
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(retainer, "path"), i, step)
    {
        char one[300];
        if (json_object_get(step, "root"))
            snprintf(one, sizeof one, "root:%s%s%s", str(step, "root"), json_object_get(step, "field") ? ":" : "",
                     json_object_get(step, "field") ? str(step, "field") : "");
        else if (json_object_get(step, "skipped"))
            snprintf(one, sizeof one, "skipped:%lld", (long long)num(step, "skipped"));
        else
            snprintf(one, sizeof one, "%s", str(step, "type"));
        if (strlen(got) + strlen(one) + 2 < sizeof got) {
            strcat(got, i ? " " : "");
            strcat(got, one);
        }
    }
    assert_string_equal(got, want);
}

/* The retainers as "type:retained" joined by spaces. */
static void check_retainers(json_t *r, const char *want)
{
    char got[1024] = "";
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(r, "retainers"), i, x)
    {
        char one[300];
        snprintf(one, sizeof one, "%s%s:%lld", i ? " " : "", str(x, "type"), (long long)num(x, "retained"));
        strcat(got, one);
    }
    assert_string_equal(got, want);
}

static json_t *retainer(json_t *r, size_t i)
{
    json_t *x = json_array_get(json_object_get(r, "retainers"), i);
    assert_non_null(x);
    return x;
}

static char *print_to_string(json_t *r)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    drd_heap_print(f, r);
    assert_int_equal(fclose(f), 0);
    return text;
}

#define ABC HDR "t\t1\tA\nt\t2\tB\nt\t3\tC\nt\t4\tD\nc\t100\t1\nc\t200\t2\nc\t300\t3\nc\t400\t4\n"

/* root -> A -> B -> C; a repeated reference, one to an object the walk did not list, a root of no object. */
static void chain(void **state)
{
    struct gbuf g;
    start(&g);
    root(&g, 0xa0, STACK, 0);
    obj(&g, 0xa0, 0x100, 100, 3, (uint64_t)0xb0, (uint64_t)0xdead, (uint64_t)0xb0);
    obj(&g, 0xb0, 0x200, 200, 1, (uint64_t)0xc0);
    obj(&g, 0xc0, 0x300, 300, 0);
    root(&g, 0xbeef, HANDLE, 0);
    root(&g, 0, OTHER, 0);
    json_t *r = report(*state, ABC "m\tpause_ns\t2500000\nm\tgc_ns\t1000000\nm\tfuture\tthing\nend\t3\t0\n", &g);
    assert_true(json_is_true(json_object_get(r, "complete")));
    assert_int_equal(num(r, "objects"), 3);
    assert_int_equal(num(r, "heap_bytes"), 600);
    assert_int_equal(num(r, "unreachable_objects"), 0);
    assert_int_equal(num(r, "unreachable_bytes"), 0);
    assert_int_equal(num(r, "types_total"), 3);
    assert_true(json_real_value(json_object_get(r, "pause_ms")) == 2.5);
    assert_true(json_real_value(json_object_get(r, "gc_ms")) == 1.0);
    check_roots(r, 0, 0, 1, 0, 0, 0);
    check_order(r, "A B C");
    check_type(r, "A", 1, 100, 600);
    check_type(r, "B", 1, 200, 500);
    check_type(r, "C", 1, 300, 300);
    /* B and C are the only objects their dominators dominate: after A, only to fill the list */
    check_retainers(r, "A:600 B:500 C:300");
    check_path(retainer(r, 0), "root:stack A");
    check_path(retainer(r, 2), "root:stack A B C");
    char *text = print_to_string(r);
    assert_non_null(strstr(text, "Heap snapshot: 3 objects, 0.0 MB, 3 types\n"));
    assert_non_null(strstr(text, "Roots: 0 static, 0 handle, 1 stack, 0 finalizer queue, 0 other; 0 weak"));
    assert_non_null(strstr(text, "paused the target for 2.5 ms (the GC: 1.0 ms)\n"));
    assert_non_null(strstr(text, "       count  shallow MB retained MB  type\n"));
    assert_non_null(strstr(text, "           1        0.00        0.00  A\n"));
    assert_non_null(strstr(text, "      stack root -> A -> B -> C\n"));
    assert_null(strstr(text, "incomplete"));
    free(text);
    json_decref(r);
}

/* handle -> A; A -> B, A -> C; B -> D, C -> D: D is dominated by A, not by either branch. */
static void diamond(void **state)
{
    struct gbuf g;
    start(&g);
    obj(&g, 0xa0, 0x100, 10, 2, (uint64_t)0xb0, (uint64_t)0xc0);
    obj(&g, 0xb0, 0x200, 20, 1, (uint64_t)0xd0);
    obj(&g, 0xc0, 0x300, 30, 1, (uint64_t)0xd0);
    obj(&g, 0xd0, 0x400, 40, 0);
    root(&g, 0xa0, HANDLE, PINNING);
    json_t *r = report(*state, ABC "end\t4\t0\n", &g);
    check_roots(r, 0, 1, 0, 0, 0, 0);
    check_order(r, "A D C B");
    check_type(r, "A", 1, 10, 100);
    check_type(r, "B", 1, 20, 20);
    check_type(r, "C", 1, 30, 30);
    check_type(r, "D", 1, 40, 40);
    check_retainers(r, "A:100 D:40 C:30 B:20");
    check_path(retainer(r, 1), "root:handle A B D");
    json_decref(r);
}

/* stack -> A -> B -> C -> A, and C -> D -> D. */
static void cycle(void **state)
{
    struct gbuf g;
    start(&g);
    obj(&g, 0xc0, 0x300, 30, 2, (uint64_t)0xa0, (uint64_t)0xd0);
    obj(&g, 0xd0, 0x400, 40, 1, (uint64_t)0xd0);
    obj(&g, 0xb0, 0x200, 20, 1, (uint64_t)0xc0);
    obj(&g, 0xa0, 0x100, 10, 1, (uint64_t)0xb0);
    root(&g, 0xa0, STACK, 0);
    json_t *r = report(*state, ABC, &g);
    assert_false(json_is_true(json_object_get(r, "complete"))); /* no end line */
    check_type(r, "A", 1, 10, 100);
    check_type(r, "B", 1, 20, 90);
    check_type(r, "C", 1, 30, 70);
    check_type(r, "D", 1, 40, 40);
    check_path(retainer(r, 3), "root:stack A B C D");
    json_decref(r);
}

/* stack -> X, handle -> Y, X -> S, Y -> S, S -> T: S belongs to neither, and its path starts at the handle. */
static void shared(void **state)
{
    struct gbuf g;
    start(&g);
    root(&g, 0xa0, STACK, 0);
    root(&g, 0xb0, HANDLE, 0);
    obj(&g, 0xa0, 0x100, 10, 1, (uint64_t)0xc0);
    obj(&g, 0xb0, 0x200, 20, 1, (uint64_t)0xc0);
    obj(&g, 0xc0, 0x300, 30, 1, (uint64_t)0xd0);
    obj(&g, 0xd0, 0x400, 40, 0);
    json_t *r = report(*state, ABC "end\t4\t0\n", &g);
    check_roots(r, 0, 1, 1, 0, 0, 0);
    check_type(r, "A", 1, 10, 10);
    check_type(r, "B", 1, 20, 20);
    check_type(r, "C", 1, 30, 70);
    check_type(r, "D", 1, 40, 40);
    check_retainers(r, "C:70 D:40 B:20 A:10");
    check_path(retainer(r, 0), "root:handle B C");
    check_path(retainer(r, 3), "root:stack A");
    json_decref(r);
}

/* A weak root keeps nothing; an object no root reaches retains nothing, and its reference to a live object does
 * not change who dominates that one. */
static void weak_and_unreachable(void **state)
{
    struct gbuf g;
    start(&g);
    root(&g, 0xd0, HANDLE, WEAK);
    root(&g, 0xb0, HANDLE, WEAK | PINNING);
    root(&g, 0xa0, FINALIZER, 0);
    obj(&g, 0xa0, 0x100, 10, 1, (uint64_t)0xb0);
    obj(&g, 0xb0, 0x200, 20, 0);
    obj(&g, 0xc0, 0x300, 30, 1, (uint64_t)0xb0); /* unreachable, points at B */
    obj(&g, 0xd0, 0x400, 40, 1, (uint64_t)0xc0); /* only weakly held */
    json_t *r = report(*state, ABC "end\t4\t0\n", &g);
    check_roots(r, 0, 0, 0, 1, 0, 2);
    assert_int_equal(num(r, "objects"), 4);
    assert_int_equal(num(r, "heap_bytes"), 100);
    assert_int_equal(num(r, "unreachable_objects"), 2);
    assert_int_equal(num(r, "unreachable_bytes"), 70);
    check_order(r, "A B D C");
    check_type(r, "A", 1, 10, 30);
    check_type(r, "B", 1, 20, 20);
    check_type(r, "C", 1, 30, 0);
    check_type(r, "D", 1, 40, 0);
    check_retainers(r, "A:30 B:20");
    check_path(retainer(r, 1), "root:finalizer A B");
    char *text = print_to_string(r);
    assert_non_null(strstr(text, "2 objects (0.0 MB) are reachable from no root"));
    assert_non_null(strstr(text, "      finalizer queue -> A -> B\n"));
    free(text);
    json_decref(r);
}

#define LEAK                                                                                                           \
    HDR "t\t1\tSystem.Collections.Generic.List<DrDotnet.Targets.Session>\nt\t2\tDrDotnet.Targets.Session[]\n"         \
        "t\t3\tDrDotnet.Targets.Session\nt\t4\tSystem.Byte[]\n"                                                       \
        "c\t7f3a00000100\t1\nc\t7F3A00000200\t2\nc\t7f3a00000300\t3\nc\t7f3a00000400\t4\nc\t7f3a00000100\t1\n"        \
        "sf\t7\tDrDotnet.Targets.Program.Other\nsf\t3\tDrDotnet.Targets.Program.Sessions\n"

/* A static list of sessions, each holding a byte array: the path starts at the static field even where a stack root
 * is nearer; a session also on the stack is retained by neither the list nor the array. */
static void static_path(void **state)
{
    struct gbuf g;
    start(&g);
    sroot(&g, 0x1000, 3);
    root(&g, 0x1000, STACK, 0);
    root(&g, 0x3200, STACK, PINNING);
    obj(&g, 0x1000, 0x7f3a00000100, 32, 1, (uint64_t)0x2000);
    obj(&g, 0x2000, 0x7f3a00000200, 48, 3, (uint64_t)0x3000, (uint64_t)0x3100, (uint64_t)0x3200);
    obj(&g, 0x3000, 0x7f3a00000300, 40, 1, (uint64_t)0x4000);
    obj(&g, 0x3100, 0x7f3a00000300, 40, 1, (uint64_t)0x4100);
    obj(&g, 0x3200, 0x7f3a00000300, 40, 1, (uint64_t)0x4200);
    obj(&g, 0x4000, 0x7f3a00000400, 1048, 0);
    obj(&g, 0x4100, 0x7f3a00000400, 1048, 0);
    obj(&g, 0x4200, 0x7f3a00000400, 1048, 0);
    json_t *r = report(*state, LEAK "end\t8\t0\n", &g);
    check_roots(r, 1, 0, 2, 0, 0, 0);
    check_order(r, "DrDotnet.Targets.Session System.Byte[] System.Collections.Generic.List<DrDotnet.Targets.Session> "
                   "DrDotnet.Targets.Session[]");
    check_type(r, "System.Collections.Generic.List<DrDotnet.Targets.Session>", 1, 32, 2256);
    check_type(r, "DrDotnet.Targets.Session[]", 1, 48, 2224);
    check_type(r, "DrDotnet.Targets.Session", 3, 120, 3264);
    check_type(r, "System.Byte[]", 3, 3144, 3144);
    /* the list, then the sessions; the array and the byte arrays only fill the list */
    check_retainers(r, "System.Collections.Generic.List<DrDotnet.Targets.Session>:2256 DrDotnet.Targets.Session[]:2224 "
                       "DrDotnet.Targets.Session:1088 DrDotnet.Targets.Session:1088 DrDotnet.Targets.Session:1088 "
                       "System.Byte[]:1048 System.Byte[]:1048 System.Byte[]:1048");
    check_path(retainer(r, 0), "root:static:DrDotnet.Targets.Program.Sessions "
                               "System.Collections.Generic.List<DrDotnet.Targets.Session>");
    for (size_t i = 2; i < 5; i++)
        check_path(retainer(r, i), "root:static:DrDotnet.Targets.Program.Sessions "
                                   "System.Collections.Generic.List<DrDotnet.Targets.Session> "
                                   "DrDotnet.Targets.Session[] DrDotnet.Targets.Session");
    /* each type's own paths: the three sessions, each from the static field */
    json_t *session = json_array_get(json_object_get(r, "types"), 0);
    assert_string_equal(str(session, "type"), "DrDotnet.Targets.Session");
    assert_int_equal(json_array_size(json_object_get(session, "paths")), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *p = json_array_get(json_object_get(session, "paths"), i);
        assert_int_equal(num(p, "retained"), 1088);
        check_path(p, "root:static:DrDotnet.Targets.Program.Sessions "
                      "System.Collections.Generic.List<DrDotnet.Targets.Session> DrDotnet.Targets.Session[] "
                      "DrDotnet.Targets.Session");
    }
    /* the dominator tree: the list over the array over two sessions; the pinned session right under the roots */
    json_t *dom = json_object_get(r, "dominators");
    assert_int_equal(num(dom, "retained"), 3344);
    assert_int_equal(json_array_size(json_object_get(dom, "children")), 2);
    json_t *list = json_array_get(json_object_get(dom, "children"), 0);
    assert_string_equal(str(list, "type"), "System.Collections.Generic.List<DrDotnet.Targets.Session>");
    assert_int_equal(num(list, "retained"), 2256);
    assert_int_equal(num(list, "shallow"), 32);
    json_t *array = json_array_get(json_object_get(list, "children"), 0);
    assert_string_equal(str(array, "type"), "DrDotnet.Targets.Session[]");
    assert_int_equal(num(array, "kids"), 2);
    json_t *kept = json_array_get(json_object_get(array, "children"), 1);
    assert_string_equal(str(kept, "type"), "DrDotnet.Targets.Session");
    assert_int_equal(num(json_array_get(json_object_get(kept, "children"), 0), "retained"), 1048);
    json_t *pinned = json_array_get(json_object_get(dom, "children"), 1);
    assert_string_equal(str(pinned, "type"), "DrDotnet.Targets.Session");
    assert_int_equal(num(pinned, "retained"), 1088);
    assert_null(json_object_get(dom, "more"));
    char *text = print_to_string(r);
    assert_non_null(strstr(text, "static DrDotnet.Targets.Program.Sessions -> System.Collections.Generic.List<"
                                 "DrDotnet.Targets.Session> -> DrDotnet.Targets.Session[] -> DrDotnet.Targets.Session\n"));
    assert_non_null(strstr(text, "Roots: 1 static, 0 handle, 2 stack"));
    free(text);
    json_decref(r);
}

/* One object over 25 others of 1 to 25 bytes: the tree shows the 20 largest, largest first, and sums the rest. */
static void dominator_cap(void **state)
{
    struct gbuf g;
    start(&g);
    root(&g, 0x10, STACK, 0);
    obj_head(&g, 0x10, 0x100, 100, 25);
    for (uint64_t i = 1; i <= 25; i++)
        put(&g, 0x1000 + i, 8);
    for (uint64_t i = 1; i <= 25; i++)
        obj(&g, 0x1000 + i, 0x200, i, 0);
    json_t *r = report(*state, HDR "t\t1\tHolder\nt\t2\tItem\nc\t100\t1\nc\t200\t2\nend\t26\t0\n", &g);
    json_t *holder = json_array_get(json_object_get(json_object_get(r, "dominators"), "children"), 0);
    assert_string_equal(str(holder, "type"), "Holder");
    assert_int_equal(num(holder, "retained"), 100 + 25 * 26 / 2);
    assert_int_equal(num(holder, "kids"), 25);
    json_t *kids = json_object_get(holder, "children");
    assert_int_equal(json_array_size(kids), 20);
    for (size_t i = 0; i < 20; i++)
        assert_int_equal(num(json_array_get(kids, i), "retained"), 25 - (json_int_t)i);
    assert_int_equal(num(holder, "more"), 5);
    assert_int_equal(num(holder, "more_retained"), 1 + 2 + 3 + 4 + 5);
    json_decref(r);
}

/* Nodes inside nodes count once for their type, also through an object of another type. */
static void nesting(void **state)
{
    struct gbuf g;
    start(&g);
    root(&g, 0x10, STACK, 0);
    root(&g, 0x60, STACK, 0);
    obj(&g, 0x10, 0x100, 24, 2, (uint64_t)0x20, (uint64_t)0x30);
    obj(&g, 0x20, 0x100, 24, 1, (uint64_t)0x30);
    obj(&g, 0x30, 0x100, 24, 1, (uint64_t)0x40);
    obj(&g, 0x40, 0x200, 100, 0);
    obj(&g, 0x60, 0x300, 16, 1, (uint64_t)0x70);
    obj(&g, 0x70, 0x100, 24, 1, (uint64_t)0x80);
    obj(&g, 0x80, 0x400, 16, 1, (uint64_t)0x90);
    obj(&g, 0x90, 0x100, 24, 0);
    json_t *r = report(*state, HDR "t\t1\tNode\nt\t2\tValue\nt\t3\tHolder\nt\t4\tWrap\n"
                                   "c\t100\t1\nc\t200\t2\nc\t300\t3\nc\t400\t4\nend\t8\t0\n",
                       &g);
    check_order(r, "Node Value Holder Wrap");
    check_type(r, "Node", 5, 120, 236);
    check_type(r, "Value", 1, 100, 100);
    check_type(r, "Holder", 1, 16, 80);
    check_type(r, "Wrap", 1, 16, 40);
    json_decref(r);
}

/* A chain of 100 objects, then two big ones: a path longer than 64 steps keeps the root and the last 62. */
static void long_path(void **state)
{
    struct gbuf g;
    start(&g);
    root(&g, 1, OTHER, 0);
    for (uint64_t i = 1; i < 100; i++)
        obj(&g, i, 0x100, 8, 1, i + 1);
    obj(&g, 100, 0x100, 8, 2, (uint64_t)200, (uint64_t)201);
    obj(&g, 200, 0x200, 1000, 0);
    obj(&g, 201, 0x200, 999, 0);
    json_t *r = report(*state, ABC "end\t102\t0\n", &g);
    check_type(r, "A", 100, 800, 2799);
    check_type(r, "B", 2, 1999, 1999);
    /* the first link and the big ones; the next links fill the list, which goes by retained bytes */
    check_retainers(r, "A:2799 A:2791 A:2783 A:2775 A:2767 A:2759 A:2751 A:2743 B:1000 B:999");
    json_t *big = retainer(r, 8);
    assert_string_equal(str(big, "type"), "B");
    assert_int_equal(num(big, "retained"), 1000);
    json_t *path = json_object_get(big, "path");
    assert_int_equal(json_array_size(path), 64);
    assert_string_equal(str(json_array_get(path, 0), "root"), "other");
    assert_int_equal(num(json_array_get(path, 1), "skipped"), 101 - 62);
    assert_string_equal(str(json_array_get(path, 62), "type"), "A");
    assert_string_equal(str(json_array_get(path, 63), "type"), "B");
    char *text = print_to_string(r);
    assert_non_null(strstr(text, "other root -> (39 more) -> A -> A"));
    free(text);
    json_decref(r);
}

/* The target died while writing: a cut last record is left out, whatever the record. */
static void cut_at_end(void **state)
{
    struct tmp *t = *state;
    struct gbuf g;
    start(&g);
    root(&g, 0xa0, STACK, 0);
    obj(&g, 0xa0, 0x100, 100, 1, (uint64_t)0xb0);
    obj(&g, 0xb0, 0x200, 200, 0);
    size_t whole = g.n;
    obj(&g, 0xc0, 0x300, 300, 2, (uint64_t)0xa0, (uint64_t)0xb0);
    size_t cuts[] = {whole + 1, whole + 10, whole + 29, whole + 29 + 8, g.n - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        struct gbuf c = g;
        c.n = cuts[i];
        json_t *r = report(t, ABC "end\t3\t0\n", &c);
        assert_false(json_is_true(json_object_get(r, "complete")));
        assert_int_equal(num(r, "objects"), 2);
        assert_int_equal(num(r, "heap_bytes"), 300);
        check_type(r, "A", 1, 100, 300);
        char *text = print_to_string(r);
        assert_non_null(strstr(text, "The snapshot is incomplete"));
        free(text);
        json_decref(r);
    }
    /* a cut root and a cut static root */
    struct gbuf c = g;
    c.n = whole;
    root(&c, 0xb0, HANDLE, 0);
    c.n -= 3;
    json_t *r = report(t, ABC "end\t3\t0\n", &c);
    check_roots(r, 0, 0, 1, 0, 0, 0);
    json_decref(r);
    c.n = whole;
    sroot(&c, 0xb0, 1);
    c.n -= 1;
    r = report(t, ABC "sf\t1\tX.Y\n", &c);
    check_roots(r, 0, 0, 1, 0, 0, 0);
    json_decref(r);
    /* only the magic: an empty heap */
    c.n = 8;
    r = report(t, ABC "end\t0\t0\n", &c);
    assert_int_equal(num(r, "objects"), 0);
    assert_true(json_is_true(json_object_get(r, "complete")));
    assert_int_equal(json_array_size(json_object_get(r, "types")), 0);
    assert_int_equal(json_array_size(json_object_get(r, "retainers")), 0);
    json_decref(r);
}

/* The report refuses the session files with a message, without crashing. */
static void refuse(const struct tmp *t, const char *raw, const struct gbuf *g, const char *why, const char *want)
{
    char err[256] = "";
    put_session(t, raw, g);
    json_t *r = drd_heap_report(t->dir, err, sizeof err);
    if (r) {
        json_decref(r);
        fail_msg("accepted %s", why);
    }
    if (!*err)
        fail_msg("refused %s without a message", why);
    if (want && !strstr(err, want))
        fail_msg("refused %s with '%s', not '%s'", why, err, want);
}

static void refusals(void **state)
{
    struct tmp *t = *state;
    struct gbuf g, ok;
    start(&ok);
    root(&ok, 0xa0, STACK, 0);
    obj(&ok, 0xa0, 0x100, 100, 1, (uint64_t)0xb0);
    obj(&ok, 0xb0, 0x200, 200, 0);

    g = ok;
    memcpy(g.b, "DRDGRPH2", 8);
    refuse(t, ABC, &g, "a bad magic", "not a drdotnet object graph");
    g.n = 5;
    refuse(t, ABC, &g, "a cut magic", "not a drdotnet object graph");
    g.n = 0;
    refuse(t, ABC, &g, "an empty graph", "not a drdotnet object graph");

    g = ok;
    put(&g, 'X', 1);
    put(&g, 0, 8);
    refuse(t, ABC, &g, "an unknown tag", "unknown record tag 0x58");
    g = ok;
    put(&g, 'X', 1);
    refuse(t, ABC, &g, "an unknown tag at the very end", "unknown record tag 0x58");

    /* a root record one byte short in the middle: the next record's tag becomes its last byte */
    start(&g);
    obj(&g, 0xa0, 0x100, 100, 0);
    root(&g, 0xa0, STACK, 0);
    g.n--;
    obj(&g, 0x2000, 0x200, 200, 0);
    root(&g, 0x2000, STACK, 0);
    refuse(t, ABC, &g, "a cut record in the middle", "unknown record tag 0x00");
    /* an object record cut in the middle */
    start(&g);
    obj(&g, 0x1000, 0x100, 100, 2, (uint64_t)0xa0, (uint64_t)0xb0);
    g.n -= 8;
    obj(&g, 0x2000, 0x200, 200, 0);
    obj(&g, 0x3000, 0x200, 200, 0);
    refuse(t, ABC, &g, "a cut object in the middle", "byte ");

    g = ok;
    obj_head(&g, 0xc0, 0x300, 24, 1000);
    refuse(t, ABC, &g, "a reference count that runs past the file", "cannot hold 1000 references");
    g = ok;
    obj_head(&g, 0xc0, 0x300, 24, 0xffffffff);
    put(&g, 0xa0, 8);
    refuse(t, ABC, &g, "a reference count of 2^32-1", "cannot hold");
    g = ok;
    obj(&g, 0xc0, 0x300, (uint64_t)1 << 41, 0);
    refuse(t, ABC, &g, "an object of 2 TiB", "claims 2199023255552 bytes");
    g = ok;
    obj(&g, 0, 0x300, 24, 0);
    refuse(t, ABC, &g, "an object with id 0", "id 0");
    g = ok;
    obj(&g, 0xa0, 0x300, 24, 0);
    refuse(t, ABC, &g, "an object listed twice", "object a0 twice");
    g = ok;
    obj(&g, 0xc0, 0x999, 24, 0);
    refuse(t, ABC, &g, "an object of a class no c line names", "class 999");
    g = ok;
    root(&g, 0xa0, 4, 0);
    refuse(t, ABC, &g, "a root of kind 4", "unknown kind 4");
    g = ok;
    root(&g, 0xa0, STACK, 16);
    refuse(t, ABC, &g, "a root with an unknown flag", "flags 16");
    g = ok;
    sroot(&g, 0xa0, 2);
    refuse(t, ABC "sf\t1\tX.Y\n", &g, "a static root of an unnamed field", "field 2");

    g = ok;
    refuse(t, ABC "c\t500\t5\n", &g, "a c line naming an undefined type", "no earlier 't' line");
    refuse(t, ABC "c\t500\t0\n", &g, "a c line naming type 0", "no earlier 't' line");
    refuse(t, HDR "c\t100\t1\nt\t1\tA\n", &g, "a c line before its type", "no earlier 't' line");
    refuse(t, ABC "c\t10g\t1\n", &g, "a class id that is not hex", "malformed class");
    refuse(t, ABC "c\t12345678123456789\t1\n", &g, "a class id of 17 digits", "malformed class");
    refuse(t, ABC "c\t100\n", &g, "a c line without a type", "malformed class");
    refuse(t, ABC "c\t100\t2\n", &g, "a class given two types", "two types");
    refuse(t, ABC "sf\t1\tX\nsf\t1\tY\n", &g, "a field index named twice", "named twice");
    refuse(t, ABC "sf\tx\tX\n", &g, "a field index that is not a number", "malformed static field");
    refuse(t, ABC "sf\t4294967296\tX\n", &g, "a field index past 32 bits", "malformed static field");
    refuse(t, ABC "sf\t1\t\n", &g, "a field without a name", "malformed static field");
    refuse(t, ABC "m\tpause_ns\tlong\n", &g, "a pause that is not a number", "malformed fact");
    refuse(t, ABC "m\tpause_ns\n", &g, "a fact without a value", "malformed fact");
    refuse(t, ABC "x\t1\t1\t1\n", &g, "an exceptions record", "unknown record 'x'");
    refuse(t, "drdotnet-raw\t1\texceptions\nt\t1\tA\n", &g, "an exceptions file", "not a heap snapshot");
    refuse(t, "", &g, "an empty raw file", NULL);

    char err[256] = "", path[512];
    put_session(t, ABC, &ok);
    drd_fs_path(path, sizeof path, "%s/heap-snapshot.graph", t->dir);
    unlink(path);
    assert_null(drd_heap_report(t->dir, err, sizeof err));
    assert_non_null(strstr(err, "cannot read"));
    assert_int_equal(mkfifo(path, 0600), 0); /* refused at once, not waited on */
    assert_null(drd_heap_report(t->dir, err, sizeof err));
    assert_non_null(strstr(err, "not a regular file"));
    unlink(path);
    drd_fs_path(path, sizeof path, "%s/heap-snapshot.raw", t->dir);
    unlink(path);
    assert_null(drd_heap_report(t->dir, err, sizeof err));
    assert_non_null(strstr(err, "cannot read"));
}

/* drd_report_build and drd_report_print reach the heap report. */
static void dispatch(void **state)
{
    struct tmp *t = *state;
    struct gbuf g;
    char err[256] = "";
    start(&g);
    root(&g, 0xa0, STACK, 0);
    obj(&g, 0xa0, 0x100, 100, 0);
    put_session(t, ABC "end\t1\t0\n", &g);
    json_t *session = json_pack("{s:s,s:s,s:{s:s},s:{s:i,s:s}}", "id", "20261126-101500-1-heap-snapshot", "status",
                                "completed", "profiler", "name", "heap-snapshot", "target", "pid", 1, "name", "x");
    json_t *r = drd_report_build(t->dir, session, err, sizeof err);
    if (!r)
        fail_msg("%s", err);
    assert_string_equal(str(r, "profiler"), "heap-snapshot");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    drd_report_print(f, session, r);
    fclose(f);
    assert_non_null(strstr(text, "Heap snapshot: 1 objects"));
    free(text);
    json_decref(r);
    json_decref(session);
}

/* Two snapshots of a leak: more sessions, a type gone, a type unchanged, a type of two ids summed by name. */
static void diff(void **state)
{
    struct tmp *t = *state;
    char err[256] = "";
    static const char raw[] = HDR "t\t1\tList\nt\t2\tSession[]\nt\t3\tSession\nt\t4\tTemp\nt\t5\tSame\nt\t6\tSession\n"
                                  "c\t1\t1\nc\t2\t2\nc\t3\t3\nc\t4\t4\nc\t5\t5\nc\t6\t6\nsf\t0\tP.S\nend\t0\t0\n";
    struct gbuf g;
    start(&g);
    sroot(&g, 0x10, 0);
    root(&g, 0x50, STACK, 0);
    root(&g, 0x60, HANDLE, 0);
    obj(&g, 0x10, 1, 32, 1, (uint64_t)0x20);
    obj(&g, 0x20, 2, 40, 2, (uint64_t)0x30, (uint64_t)0x31);
    obj(&g, 0x30, 3, 100, 0);
    obj(&g, 0x31, 3, 100, 0);
    obj(&g, 0x50, 4, 64, 0);
    obj(&g, 0x60, 5, 16, 0);
    put_session(t, raw, &g);
    json_t *before = drd_heap_analyze(t->dir, SIZE_MAX, err, sizeof err);
    if (!before)
        fail_msg("%s", err);
    start(&g);
    sroot(&g, 0x10, 0);
    root(&g, 0x60, HANDLE, 0);
    obj(&g, 0x10, 1, 32, 1, (uint64_t)0x20);
    obj(&g, 0x20, 2, 56, 4, (uint64_t)0x30, (uint64_t)0x31, (uint64_t)0x32, (uint64_t)0x33);
    obj(&g, 0x30, 3, 100, 0);
    obj(&g, 0x31, 3, 100, 0);
    obj(&g, 0x32, 6, 100, 0);
    obj(&g, 0x33, 3, 100, 0);
    obj(&g, 0x60, 5, 16, 0);
    put_session(t, raw, &g);
    json_t *after = drd_heap_analyze(t->dir, SIZE_MAX, err, sizeof err);
    if (!after)
        fail_msg("%s", err);
    check_type(after, "Session", 3, 300, 300);
    check_type(after, "List", 1, 32, 488);

    json_t *d = drd_heap_diff(before, after);
    assert_non_null(d);
    assert_int_equal(json_array_size(d), 4);
    static const struct {
        const char *type;
        json_int_t cb, ca, cd, sd, rd;
    } want[] = {
        {"List", 1, 1, 0, 0, 216},
        {"Session", 2, 4, 2, 200, 200},
        {"Session[]", 1, 1, 0, 16, 216},
        {"Temp", 1, 0, -1, -64, -64},
    };
    /* List and Session[] both grew by 216: Session[] first, by its shallow growth */
    const char *order[] = {"Session[]", "List", "Session", "Temp"};
    for (size_t i = 0; i < 4; i++) {
        json_t *row = json_array_get(d, i);
        assert_string_equal(str(row, "type"), order[i]);
        for (size_t k = 0; k < 4; k++) {
            if (strcmp(want[k].type, order[i]) != 0)
                continue;
            assert_int_equal(num(row, "count_before"), want[k].cb);
            assert_int_equal(num(row, "count_after"), want[k].ca);
            assert_int_equal(num(row, "count_delta"), want[k].cd);
            assert_int_equal(num(row, "shallow_delta"), want[k].sd);
            assert_int_equal(num(row, "retained_delta"), want[k].rd);
        }
    }
    json_decref(d);
    /* a snapshot against itself: nothing changed */
    d = drd_heap_diff(after, after);
    assert_non_null(d);
    assert_int_equal(json_array_size(d), 0);
    json_decref(d);
    json_decref(before);
    json_decref(after);
}


/* ---- leaks: several graphs in one file ---- */

/* Snapshot k (1..3) of a leak: a static array holds k carts of 40 bytes, each with its own 24-byte buffer; receipts
 * on the stack come and go (2, 1, 2); appended to all, its 'g' line to lines. */
static void leak_snapshot(struct gbuf *all, char *lines, size_t cap, int k)
{
    struct gbuf g;
    start(&g);
    sroot(&g, 0x1000, 0);
    obj_head(&g, 0x1000, 0xa1, 24 + 8 * (uint64_t)k, (uint32_t)k);
    for (int i = 0; i < k; i++)
        put(&g, 0x2000 + 0x100 * (uint64_t)i, 8);
    for (int i = 0; i < k; i++) {
        obj(&g, 0x2000 + 0x100 * (uint64_t)i, 0xa2, 40, 1, (uint64_t)(0x3000 + 0x100 * (uint64_t)i));
        obj(&g, 0x3000 + 0x100 * (uint64_t)i, 0xa3, 24, 0);
    }
    int receipts = k == 2 ? 1 : 2;
    for (int i = 0; i < receipts; i++) {
        obj(&g, 0x5000 + 0x100 * (uint64_t)i, 0xa4, 32, 0);
        root(&g, 0x5000 + 0x100 * (uint64_t)i, STACK, 0);
    }
    size_t used = strlen(lines);
    snprintf(lines + used, cap - used, "g\t%d\t%zu\t%zu\t%d\t%d\t%d\t1000\t900\n", k, all->n, g.n, (k - 1) * 1000,
             1 + 2 * k + receipts, 0);
    assert_true(all->n + g.n <= sizeof all->b);
    memcpy(all->b + all->n, g.b, g.n);
    all->n += g.n;
}

#define LEAKS_HDR                                                                                                      \
    "drdotnet-raw\t1\tleaks\nsf\t0\tShop.Store.Carts\nt\t1\tShop.Cart[]\nc\ta1\t1\nt\t2\tShop.Cart\n"            \
    "c\ta2\t2\nt\t3\tSystem.Byte[]\nc\ta3\t3\nt\t4\tShop.Receipt\nc\ta4\t4\n"

static json_t *leaks(const struct tmp *t, const char *raw, const struct gbuf *g, char *err, size_t cap)
{
    put_file(t, "leaks.raw", raw, strlen(raw));
    put_file(t, "leaks.graph", g->b, g->n);
    return drd_leaks_report(t->dir, err, cap);
}

/* The carts grow by one a snapshot and are named, with the path from the static field; their buffers grow too (a
 * smaller retained growth, second); the receipts come and go and are not named. */
static void leaks_growth(void **state)
{
    struct gbuf all = {.n = 0};
    char raw[2048] = LEAKS_HDR, err[256] = "";
    for (int k = 1; k <= 3; k++)
        leak_snapshot(&all, raw, sizeof raw, k);
    strcat(raw, "m\tsnapshots_asked\t4\nend\t9\t0\n");
    json_t *r = leaks(*state, raw, &all, err, sizeof err);
    if (!r)
        fail_msg("leaks refused: %s", err);
    assert_int_equal(json_array_size(json_object_get(r, "snapshots")), 3);
    assert_int_equal(num(r, "growing_total"), 2);
    json_t *cart = json_array_get(json_object_get(r, "growing"), 0);
    assert_string_equal(str(cart, "type"), "Shop.Cart");
    assert_int_equal(num(cart, "count_growth"), 2);
    assert_int_equal(num(cart, "retained_growth"), 2 * 64);
    char *per_step = json_dumps(json_object_get(cart, "count_per_step"), JSON_COMPACT);
    assert_string_equal(per_step, "[1,1]");
    free(per_step);
    json_t *holder = json_object_get(cart, "holder");
    assert_int_equal(num(holder, "instances"), 3);
    assert_int_equal(num(holder, "new_instances"), 2);
    check_path(holder, "root:static:Shop.Store.Carts Shop.Cart[] Shop.Cart");
    assert_string_equal(str(json_array_get(json_object_get(r, "growing"), 1), "type"), "System.Byte[]");
    assert_string_equal(str(r, "verdict"), "Shop.Cart grew by 2 instances (+128 B) over 3 snapshots (2.0 s), held by "
                                           "static field Shop.Store.Carts through Shop.Cart[].");
    /* the session ended before its fourth snapshot: the text says so, after the verdict */
    assert_int_equal(num(r, "snapshots_asked"), 4);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    drd_leaks_print(f, r);
    fclose(f);
    assert_true(strncmp(text, "Shop.Cart grew by 2 instances", 29) == 0);
    assert_non_null(strstr(text, "3 of the 4 snapshots asked were taken before the session's end (the last at 2.0 s"));
    assert_non_null(strstr(text, "held (2 new of 3) by: static Shop.Store.Carts -> Shop.Cart[] -> Shop.Cart\n"));
    free(text);
    json_decref(r);
}

/* A leaks file that names its snapshots out of order, or took only one, is refused with a reason. */
static void leaks_refused(void **state)
{
    struct gbuf all = {.n = 0};
    char raw[2048] = LEAKS_HDR, err[256] = "";
    leak_snapshot(&all, raw, sizeof raw, 1);
    assert_null(leaks(*state, raw, &all, err, sizeof err));
    assert_string_equal(err, "the session took 1 heap snapshot: it takes two to see growth");
    char *g2 = strstr(raw, "g\t1\t");
    g2[2] = '2';
    assert_null(leaks(*state, raw, &all, err, sizeof err));
    assert_non_null(strstr(err, "snapshot 2 out of order"));
}

/* heap-snapshot exported by retention path: each object's bytes under its path from its root. */
static void export_by_path(void **state)
{
    struct gbuf g;
    start(&g);
    sroot(&g, 0x1000, 3);
    obj(&g, 0x1000, 0x7f3a00000100, 32, 1, (uint64_t)0x2000);
    obj(&g, 0x2000, 0x7f3a00000200, 48, 2, (uint64_t)0x3000, (uint64_t)0x3100);
    obj(&g, 0x3000, 0x7f3a00000300, 40, 1, (uint64_t)0x3100);
    obj(&g, 0x3100, 0x7f3a00000300, 40, 1, (uint64_t)0x4000);
    obj(&g, 0x4000, 0x7f3a00000400, 1048, 0);
    obj(&g, 0x5000, 0x7f3a00000400, 24, 0); /* reached by no root: left out */
    put_session(*state, LEAK "end\t6\t0\n", &g);
    char raw[512], err[256] = "", *text = NULL;
    size_t len = 0;
    drd_fs_path(raw, sizeof raw, "%s/heap-snapshot.raw", ((const struct tmp *)*state)->dir);
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(drd_export_folded(raw, f, err, sizeof err), 0);
    fclose(f);
    /* the two sessions share one path: 80 bytes */
#define SESSIONS "static DrDotnet.Targets.Program.Sessions;System.Collections.Generic.List<DrDotnet.Targets.Session>"
    assert_string_equal(text, SESSIONS " 32\n" SESSIONS ";DrDotnet.Targets.Session[] 48\n" SESSIONS
                              ";DrDotnet.Targets.Session[];DrDotnet.Targets.Session 80\n" SESSIONS
                              ";DrDotnet.Targets.Session[];DrDotnet.Targets.Session;System.Byte[] 1048\n");
#undef SESSIONS
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(chain, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(diamond, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cycle, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(shared, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(weak_and_unreachable, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(static_path, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(nesting, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(dominator_cap, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(long_path, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(cut_at_end, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(refusals, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(dispatch, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(diff, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(leaks_growth, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(leaks_refused, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(export_by_path, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
