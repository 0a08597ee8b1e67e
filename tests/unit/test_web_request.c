/* Unit tests for the API's reading of requests (src/web/request.c): routes and refusals, session start bodies. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "web/request.h"

static const struct drd_param_desc exc_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "64", "", 1, 256, NULL},
};
static const struct drd_param_desc cpu_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"mode", DRD_PARAM_ENUM, "cpu", "", 0, 0, "cpu|wall"},
    {"stacks", DRD_PARAM_BOOL, "true", "", 0, 0, NULL},
};
static const struct drd_profiler_desc exceptions = {"exceptions", "", "", exc_params, 2, 3, 0};
static const struct drd_profiler_desc cpu = {"cpu-hotpaths", "", "", cpu_params, 3, 3, 0};
static const struct drd_profiler_desc merged = {"merged-stacks", "", "", NULL, 0,
                                                DRD_PROFILER_ATTACH | DRD_PROFILER_ONESHOT, 0};
static const struct drd_profiler_desc startup = {"startup-only", "", "", NULL, 0, 2, 0};
static const struct drd_profiler_desc *const all[] = {&exceptions, &cpu, &merged, &startup};
static const struct drd_profiler_table table = {1, "test", 4, all};

/* Runs a start body; returns the parser's status (0 or -1) with *out and *why. */
static int start(const char *body, struct drd_start *out, struct drd_refusal *why)
{
    return drd_request_start(body, strlen(body), &table, "no table", out, why);
}

/* Checks that body is refused with status and a message holding text. */
static void refused(const char *body, unsigned status, const char *text)
{
    struct drd_start s;
    struct drd_refusal why;
    assert_int_equal(start(body, &s, &why), -1);
    assert_int_equal(why.status, status);
    if (!strstr(why.message, text))
        fail_msg("'%s' does not say '%s'", why.message, text);
    assert_null(s.profiler);
}

static void start_good(void **state)
{
    (void)state;
    struct drd_start s;
    struct drd_refusal why;
    assert_int_equal(
        start("{\"pid\": 4242, \"profiler\": \"cpu-hotpaths\", \"parameters\": {\"duration\": \"2\", \"mode\": "
              "\"wall\", \"stacks\": false}}",
              &s, &why),
        0);
    assert_ptr_equal(s.profiler, &cpu);
    assert_int_equal(s.pid, 4242);
    assert_int_equal(s.n_params, 3);
    assert_string_equal(s.params[0].key, "duration");
    assert_string_equal(s.params[0].value, "2");
    assert_string_equal(s.params[1].value, "wall");
    assert_string_equal(s.params[2].value, "false");
    assert_int_equal(s.duration, 2);
    assert_int_equal(s.values.n, 3);

    assert_int_equal(start("{\"pid\": 1, \"profiler\": \"exceptions\"}", &s, &why), 0);
    assert_ptr_equal(s.profiler, &exceptions);
    assert_int_equal(s.n_params, 0);
    assert_int_equal(s.duration, 10);
    assert_int_equal(start("{\"profiler\": \"merged-stacks\", \"pid\": 7, \"parameters\": {}}", &s, &why), 0);
    assert_ptr_equal(s.profiler, &merged);
    assert_int_equal(s.duration, -1);
    /* several profilers: the first, how many, the names as given, the longest duration */
    assert_int_equal(start("{\"pid\": 9, \"profiler\": \"cpu-hotpaths,exceptions\", \"parameters\": "
                           "{\"cpu-hotpaths.duration\": 3, \"exceptions.duration\": 5}}",
                           &s, &why),
                     0);
    assert_ptr_equal(s.profiler, &cpu);
    assert_int_equal(s.n_profilers, 2);
    assert_string_equal(s.names, "cpu-hotpaths,exceptions");
    assert_int_equal(s.duration, 5);
}

static void start_refusals(void **state)
{
    (void)state;
    refused("", 400, "not valid JSON");
    refused("{\"pid\": 1,", 400, "not valid JSON");
    refused("{\"pid\": 1, \"pid\": 2, \"profiler\": \"exceptions\"}", 400, "not valid JSON");
    refused("[1, 2]", 400, "the body must be");
    refused("{\"pid\": 1}", 400, "the body must be");
    refused("{\"pid\": \"12\", \"profiler\": \"exceptions\"}", 400, "the body must be");
    refused("{\"pid\": 1.5, \"profiler\": \"exceptions\"}", 400, "the body must be");
    refused("{\"pid\": -5, \"profiler\": \"exceptions\"}", 400, "-5 is not a pid");
    refused("{\"pid\": 0, \"profiler\": \"exceptions\"}", 400, "0 is not a pid");
    refused("{\"pid\": 2147483648, \"profiler\": \"exceptions\"}", 400, "2147483648 is not a pid");
    refused("{\"pid\": 1, \"profiler\": \"nosuch\"}", 400, "no profiler named 'nosuch'");
    refused("{\"pid\": 1, \"profiler\": \"exceptions,merged-stacks\"}", 400, "takes one snapshot");
    refused("{\"pid\": 1, \"profiler\": \"exceptions,cpu-hotpaths\", \"parameters\": {\"nope\": 8}}", 400,
            "none of this session's profilers takes it");
    refused("{\"pid\": 1, \"profiler\": \"startup-only\"}", 400, "cannot be attached to a running process");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": [\"duration=5\"]}", 400, "the body must be");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": \"duration=5\"}", 400, "the body must be");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": [1]}}", 400,
            "parameter 'duration' must be a string, an integer or a boolean of at most 255 characters");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": 1.5}}", 400,
            "must be a string, an integer or a boolean");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": null}}", 400,
            "must be a string, an integer or a boolean");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"nope\": 1}}", 400,
            "unknown parameter 'nope' for profiler 'exceptions' (it takes: duration, max_stack_depth)");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"max_stack_depth\": 999}}", 400,
            "between 1 and 256");
    refused("{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": 0}}", 400, "drdotnet launch");
    refused("{\"pid\": 1, \"profiler\": \"cpu-hotpaths\", \"parameters\": {\"stacks\": \"maybe\"}}", 400,
            "must be true or false");
}

static void start_oversized_value(void **state)
{
    (void)state;
    char body[1024], value[DRD_CD_MAX_VALUE + 1];
    memset(value, '7', sizeof value - 1);
    value[sizeof value - 1] = 0; /* one character too many */
    snprintf(body, sizeof body, "{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": \"%s\"}}",
             value);
    refused(body, 400, "of at most 255 characters");
    value[sizeof value - 2] = 0; /* the most there can be: then a number too large for the parameter */
    snprintf(body, sizeof body, "{\"pid\": 1, \"profiler\": \"exceptions\", \"parameters\": {\"duration\": \"%s\"}}",
             value);
    refused(body, 400, "parameter 'duration' must be a whole number");
}

static void start_without_table(void **state)
{
    (void)state;
    struct drd_start s;
    struct drd_refusal why;
    const char *body = "{\"pid\": 1, \"profiler\": \"exceptions\"}";
    assert_int_equal(drd_request_start(body, strlen(body), NULL, "cannot load libdrdotnet.so", &s, &why), -1);
    assert_int_equal(why.status, 500);
    assert_string_equal(why.message, "cannot load libdrdotnet.so");
    /* the checks before the profiler's name come first */
    body = "{\"pid\": -1, \"profiler\": \"exceptions\"}";
    assert_int_equal(drd_request_start(body, strlen(body), NULL, "cannot load", &s, &why), -1);
    assert_int_equal(why.status, 400);
}

/* Routes method and path, checks the kind and, for a refusal, its status and a piece of its message. */
static void route(const char *method, const char *path, enum drd_route_kind kind, unsigned status, const char *text)
{
    struct drd_route r;
    drd_request_route(method, path, &r);
    if (r.kind != kind)
        fail_msg("%s %s: route %d, not %d (%u %s)", method, path, r.kind, kind, r.refusal.status, r.refusal.message);
    if (kind == DRD_ROUTE_REFUSED) {
        assert_int_equal(r.refusal.status, status);
        if (!strstr(r.refusal.message, text))
            fail_msg("%s %s: '%s' does not say '%s'", method, path, r.refusal.message, text);
    }
}

static void routes_good(void **state)
{
    (void)state;
    struct drd_route r;
    route("GET", "/api/info", DRD_ROUTE_INFO, 0, NULL);
    route("HEAD", "/api/info", DRD_ROUTE_INFO, 0, NULL);
    route("GET", "/api/processes", DRD_ROUTE_PROCESSES, 0, NULL);
    route("GET", "/api/profilers", DRD_ROUTE_PROFILERS, 0, NULL);
    route("GET", "/api/sessions", DRD_ROUTE_SESSIONS, 0, NULL);
    route("POST", "/api/sessions", DRD_ROUTE_START, 0, NULL);
    drd_request_route("GET", "/api/sessions/20261126-101500-42-exceptions", &r);
    assert_int_equal(r.kind, DRD_ROUTE_SESSION);
    assert_string_equal(r.id, "20261126-101500-42-exceptions");
    route("DELETE", "/api/sessions/20261126-101500-42-exceptions", DRD_ROUTE_DELETE, 0, NULL);
    route("GET", "/api/sessions/x/report", DRD_ROUTE_REPORT, 0, NULL);
    route("GET", "/api/sessions/x/events", DRD_ROUTE_EVENTS, 0, NULL);
    route("GET", "/api/sessions/x/timeline", DRD_ROUTE_TIMELINE, 0, NULL);
    drd_request_route("GET", "/api/sessions/x/export/chrome-trace", &r);
    assert_int_equal(r.kind, DRD_ROUTE_EXPORT);
    assert_string_equal(r.format->suffix, "trace.json");
    drd_request_route("GET", "/api/sessions/x/export/pprof", &r);
    assert_int_equal(r.kind, DRD_ROUTE_EXPORT);
    assert_string_equal(r.id, "x");
    assert_string_equal(r.format->name, "pprof");
    assert_string_equal(r.format->suffix, "pb.gz");
    assert_string_equal(r.format->type, "application/gzip");
    drd_request_route("GET", "/api/sessions/x/export/speedscope", &r);
    assert_string_equal(r.format->suffix, "speedscope.json");
    drd_request_route("GET", "/api/sessions/20261126-101600-42-heap-snapshot/diff/20261126-101500-42-heap-snapshot", &r);
    assert_int_equal(r.kind, DRD_ROUTE_DIFF);
    assert_string_equal(r.id, "20261126-101600-42-heap-snapshot");
    assert_string_equal(r.other, "20261126-101500-42-heap-snapshot");
    drd_request_route("GET", "/api/sessions/x/dominators/1", &r);
    assert_int_equal(r.kind, DRD_ROUTE_DOMINATORS);
    assert_int_equal(r.node, 1);
    assert_int_equal(r.offset, 0);
    drd_request_route("GET", "/api/sessions/x/dominators/4294967295/200", &r);
    assert_int_equal(r.kind, DRD_ROUTE_DOMINATORS);
    assert_true(r.node == 4294967295u && r.offset == 200);
}

static void routes_refused(void **state)
{
    (void)state;
    struct drd_route r;
    route("GET", "/api/nothing", DRD_ROUTE_REFUSED, 404, "no such address in the API");
    route("GET", "/api/", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api/info/", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api//info", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api/sessions/a/b/c/d/e", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/info", DRD_ROUTE_REFUSED, 404, "no such address");
    drd_request_route("PUT", "/api/sessions", &r);
    assert_int_equal(r.kind, DRD_ROUTE_REFUSED);
    assert_int_equal(r.refusal.status, 405);
    assert_string_equal(r.refusal.message, "this address does not take that method");
    assert_string_equal(r.refusal.allow, "GET, POST");
    drd_request_route("POST", "/api/info", &r);
    assert_int_equal(r.refusal.status, 405);
    assert_string_equal(r.refusal.allow, "GET");
    drd_request_route("POST", "/api/sessions/x", &r);
    assert_int_equal(r.refusal.status, 405);
    assert_string_equal(r.refusal.allow, "GET, DELETE");
    assert_string_equal(r.id, "x"); /* a 404 for a missing session comes before the 405 */
    route("DELETE", "/api/sessions/x/report", DRD_ROUTE_REFUSED, 405, "does not take that method");
    route("POST", "/api/sessions/x/timeline", DRD_ROUTE_REFUSED, 405, "does not take that method");
    route("get", "/api/info", DRD_ROUTE_REFUSED, 405, "does not take that method");
    drd_request_route("GET", "/api/sessions/x/nothing", &r);
    assert_int_equal(r.refusal.status, 404);
    assert_string_equal(r.id, "x");
    route("GET", "/api/sessions/x/export/svg", DRD_ROUTE_REFUSED, 404,
          "no export format 'svg' (speedscope, folded, pprof or chrome-trace)");
    route("POST", "/api/sessions/x/export/svg", DRD_ROUTE_REFUSED, 405, "does not take that method");
    route("GET", "/api/sessions/x/export/\xff", DRD_ROUTE_REFUSED, 404, "no export format '?'");
    route("GET", "/api/sessions/x/diff/..", DRD_ROUTE_REFUSED, 400, "'..' is not a session id");
    route("GET", "/api/sessions/x/diff/a b", DRD_ROUTE_REFUSED, 400, "'a b' is not a session id");
    route("POST", "/api/sessions/x/diff/y", DRD_ROUTE_REFUSED, 405, "does not take that method");
    route("GET", "/api/sessions/x/diff", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api/sessions/x/dominators", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api/sessions/x/dominators/4294967296", DRD_ROUTE_REFUSED, 400, "'4294967296' is not a node number");
    route("GET", "/api/sessions/x/dominators/12345678901", DRD_ROUTE_REFUSED, 400, "not a node number");
    route("GET", "/api/sessions/x/dominators/-1", DRD_ROUTE_REFUSED, 400, "not a node number");
    route("GET", "/api/sessions/x/dominators/1/", DRD_ROUTE_REFUSED, 404, "no such address");
    route("GET", "/api/sessions/x/dominators/1/2x", DRD_ROUTE_REFUSED, 400, "'2x' is not a node number");
    route("POST", "/api/sessions/x/dominators/1", DRD_ROUTE_REFUSED, 405, "does not take that method");
    drd_request_route("GET", "/api/sessions/x/diff/.y", &r);
    assert_string_equal(r.id, "x"); /* the later session is looked for first */
    assert_string_equal(r.other, "");
    route("GET", "/api/sessions/..", DRD_ROUTE_REFUSED, 400, "'..' is not a session id");
    route("GET", "/api/sessions/.hidden/report", DRD_ROUTE_REFUSED, 400, "'.hidden' is not a session id");
    route("DELETE", "/api/sessions/a b", DRD_ROUTE_REFUSED, 400, "'a b' is not a session id");
    route("GET", "/api/sessions/\xc3(", DRD_ROUTE_REFUSED, 400, "'that' is not a session id");
    drd_request_route("GET", "/api/sessions/..", &r);
    assert_string_equal(r.id, "");

    char longest[DRD_REQUEST_MAX_PATH + 1];
    memset(longest, 'a', sizeof longest - 1);
    memcpy(longest, "/api/", 5);
    longest[DRD_REQUEST_MAX_PATH - 1] = 0;
    route("GET", longest, DRD_ROUTE_REFUSED, 404, "no such address");
    longest[DRD_REQUEST_MAX_PATH - 1] = 'a';
    longest[DRD_REQUEST_MAX_PATH] = 0;
    route("GET", longest, DRD_ROUTE_REFUSED, 414, "the address is too long");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(start_good),          cmocka_unit_test(start_refusals), cmocka_unit_test(start_oversized_value),
        cmocka_unit_test(start_without_table), cmocka_unit_test(routes_good),    cmocka_unit_test(routes_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
