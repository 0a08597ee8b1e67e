/* Unit tests for the one session.json writer (src/common/session_record.c): what it writes reads back with an
 * independent JSON parser, every field where the readers look for it. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/session_record.h"

static const struct drd_param_desc descs[] = {
    {"duration", DRD_PARAM_INT, "10", "seconds", 1, 3600, NULL},
    {"mode", DRD_PARAM_ENUM, "cpu", "what a sample measures", 0, 0, "cpu|wall"},
    {"stacks", DRD_PARAM_BOOL, "true", "walk stacks", 0, 0, NULL},
};
static const struct drd_profiler_desc prof = {
    .name = "cpu-hotpaths", .clsid = "{00000000-0000-0000-0000-000000000001}", .params = descs, .n_params = 3};

static char dir[256];

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/drd-record-XXXXXX", base && *base ? base : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char p[300];
    snprintf(p, sizeof p, "%s/session.json", dir);
    unlink(p);
    return rmdir(dir);
}

static json_t *load(void)
{
    char p[300];
    snprintf(p, sizeof p, "%s/session.json", dir);
    json_error_t e;
    json_t *j = json_load_file(p, 0, &e);
    if (!j)
        fail_msg("session.json does not parse: %s", e.text);
    return j;
}

static void library_record(void **state)
{
    (void)state;
    struct drd_cd_param given[2] = {{"duration", "3"}, {"stacks", "false"}};
    struct drd_param_values vals;
    char err[256], buf[8192];
    assert_int_equal(drd_params_resolve(&prof, given, 2, &vals, err, sizeof err), 0);
    struct drd_session_part part = {.profiler = prof.name,
                                    .clsid = prof.clsid,
                                    .params = &vals,
                                    .events = 123456789012ULL,
                                    .dropped = 7,
                                    .files = {"cpu-hotpaths.raw"},
                                    .n_files = 1};
    struct drd_session_record r = {
        .id = "20261126-101500-42-cpu-hotpaths",
        .parts = &part,
        .n_parts = 1,
        .mode = "attach",
        .pid = 42,
        .name = "dotnet",
        .command_line = "dotnet \"app\".dll",
        .runtime_version = "10.0.1",
        .start_wall_ms = 1795687200000LL, /* 2026-11-26T10:00:00Z */
        .end_wall_ms = 1795687203250LL,
        .duration_ms = 3250,
        .status = "completed",
        .has_counts = 1,
        .detach = "requested",
    };
    assert_int_equal(drd_session_record_write(dir, &r, buf, sizeof buf), 0);
    json_t *j = load();
    assert_string_equal(json_string_value(json_object_get(j, "id")), r.id);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profiler"), "clsid")), prof.clsid);
    json_t *p = json_object_get(j, "parameters");
    assert_int_equal(json_integer_value(json_object_get(p, "duration")), 3);
    assert_string_equal(json_string_value(json_object_get(p, "mode")), "cpu");
    assert_true(json_is_false(json_object_get(p, "stacks")));
    json_t *t = json_object_get(j, "target");
    assert_int_equal(json_integer_value(json_object_get(t, "pid")), 42);
    assert_string_equal(json_string_value(json_object_get(t, "command_line")), "dotnet \"app\".dll");
    assert_string_equal(json_string_value(json_object_get(j, "start")), "2026-11-26T10:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(j, "end")), "2026-11-26T10:00:03.250Z");
    assert_int_equal(json_integer_value(json_object_get(j, "duration_ms")), 3250);
    assert_string_equal(json_string_value(json_object_get(j, "reason")), "");
    assert_int_equal(json_integer_value(json_object_get(j, "dropped")), 7);
    assert_int_equal(json_integer_value(json_object_get(j, "events")), 123456789012LL);
    assert_string_equal(json_string_value(json_object_get(j, "detach")), "requested");
    assert_null(json_object_get(j, "detach_detail"));
    assert_null(json_object_get(j, "written_by"));
    assert_int_equal(json_array_size(json_object_get(j, "files")), 1);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profiler"), "name")), "cpu-hotpaths");
    assert_null(json_object_get(j, "profilers")); /* one profiler: the record is what it always was */
    json_decref(j);
}

/* A session of two profilers: the names joined, qualified parameters, summed counts, every file, and each part. */
static void several_record(void **state)
{
    (void)state;
    static const struct drd_param_desc edescs[] = {
        {"max_stack_depth", DRD_PARAM_INT, "64", "", 1, 512, NULL},
    };
    static const struct drd_profiler_desc eprof = {
        .name = "exceptions", .clsid = "{00000000-0000-0000-0000-000000000002}", .params = edescs, .n_params = 1};
    struct drd_cd_param given[1] = {{"duration", "3"}};
    struct drd_param_values cvals, evals;
    char err[256], buf[8192];
    assert_int_equal(drd_params_resolve(&prof, given, 1, &cvals, err, sizeof err), 0);
    assert_int_equal(drd_params_resolve(&eprof, NULL, 0, &evals, err, sizeof err), 0);
    struct drd_session_part parts[2] = {
        {.profiler = prof.name, .clsid = prof.clsid, .params = &cvals, .events = 10, .dropped = 1,
         .files = {"cpu-hotpaths.raw"}, .n_files = 1},
        {.profiler = eprof.name, .clsid = eprof.clsid, .params = &evals, .events = 5, .dropped = 2,
         .files = {"exceptions.raw"}, .n_files = 1},
    };
    struct drd_session_record r = {.id = "x", .parts = parts, .n_parts = 2, .mode = "attach", .status = "completed",
                                   .has_counts = 1};
    assert_int_equal(drd_session_record_write(dir, &r, buf, sizeof buf), 0);
    json_t *j = load();
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profiler"), "name")),
                        "cpu-hotpaths,exceptions");
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "profiler"), "clsid")), prof.clsid);
    json_t *p = json_object_get(j, "parameters");
    assert_int_equal(json_integer_value(json_object_get(p, "cpu-hotpaths.duration")), 3);
    assert_int_equal(json_integer_value(json_object_get(p, "exceptions.max_stack_depth")), 64);
    assert_null(json_object_get(p, "duration"));
    assert_int_equal(json_integer_value(json_object_get(j, "events")), 15);
    assert_int_equal(json_integer_value(json_object_get(j, "dropped")), 3);
    assert_int_equal(json_array_size(json_object_get(j, "files")), 2);
    json_t *list = json_object_get(j, "profilers");
    assert_int_equal(json_array_size(list), 2);
    json_t *e = json_array_get(list, 1);
    assert_string_equal(json_string_value(json_object_get(e, "name")), "exceptions");
    assert_int_equal(json_integer_value(json_object_get(e, "events")), 5);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "parameters"), "max_stack_depth")), 64);
    assert_string_equal(json_string_value(json_array_get(json_object_get(e, "files"), 0)), "exceptions.raw");
    json_decref(j);
}

static void tool_record(void **state)
{
    (void)state;
    char buf[4096];
    struct drd_session_record r = {
        .id = "x",
        .profiler = "exceptions",
        .mode = "startup",
        .pid = 7,
        .status = "failed",
        .reason = "the process exited (status 1)",
        .written_by = "tool",
    };
    assert_int_equal(drd_session_record_write(dir, &r, buf, sizeof buf), 0);
    json_t *j = load();
    assert_string_equal(json_string_value(json_object_get(j, "written_by")), "tool");
    assert_string_equal(json_string_value(json_object_get(j, "reason")), r.reason);
    assert_int_equal(json_object_size(json_object_get(j, "parameters")), 0);
    assert_null(json_object_get(j, "events"));
    assert_null(json_object_get(json_object_get(j, "target"), "name"));
    assert_int_equal(json_array_size(json_object_get(j, "files")), 0);
    json_decref(j);
}

static void too_small(void **state)
{
    (void)state;
    char buf[64];
    struct drd_session_record r = {.id = "x", .profiler = "exceptions", .mode = "attach", .status = "completed"};
    errno = 0;
    assert_int_equal(drd_session_record_write(dir, &r, buf, sizeof buf), -1);
    assert_int_equal(errno, ENOSPC);
    char p[300];
    snprintf(p, sizeof p, "%s/session.json", dir);
    assert_int_equal(access(p, F_OK), -1); /* nothing half-written */
}

/* The first record stands: a second write (a profiler ending after the tool gave up) changes nothing. */
static void first_record_stands(void **state)
{
    (void)state;
    char buf[4096];
    struct drd_session_record r = {.id = "x", .profiler = "exceptions", .mode = "attach", .status = "incomplete",
                                   .reason = "the target was stopped", .written_by = "tool", .duration_ms = 1500};
    assert_int_equal(drd_session_record_write(dir, &r, buf, sizeof buf), 0);
    struct drd_session_record late = {.id = "x", .profiler = "exceptions", .mode = "attach", .status = "completed",
                                      .duration_ms = 41500};
    errno = 0;
    assert_int_equal(drd_session_record_write(dir, &late, buf, sizeof buf), -1);
    assert_int_equal(errno, EEXIST);
    json_t *j = load();
    assert_string_equal(json_string_value(json_object_get(j, "status")), "incomplete");
    assert_int_equal(json_integer_value(json_object_get(j, "duration_ms")), 1500);
    json_decref(j);
    /* and no temporary file is left beside it */
    char cmd[400];
    snprintf(cmd, sizeof cmd, "test $(ls -A %s | wc -l) -eq 1", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(library_record, setup, teardown),
        cmocka_unit_test_setup_teardown(several_record, setup, teardown),
        cmocka_unit_test_setup_teardown(tool_record, setup, teardown),
        cmocka_unit_test_setup_teardown(too_small, setup, teardown),
        cmocka_unit_test_setup_teardown(first_record_stands, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
