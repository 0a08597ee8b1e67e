/* Unit tests for the session's EventPipe sessions (src/profiler/eventpipe.c) against a fake runtime: the asks of
 * several profilers grouped by level, each keyword in one session only, a refusal closing what was opened. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "profiler/core.h"
#include "profiler/eventpipe.h"

struct drd_core drd_core_instance;

void drd_log(struct drd_core *c, const char *fmt, ...)
{
    (void)c, (void)fmt;
}

#define RT u"Microsoft-Windows-DotNETRuntime"

static struct {
    int started, stopped, refuse_at;
    UINT32 level[8];
    UINT64 keywords[8];
    ULONG n[8];
} fake;

static HRESULT start_session(ICorProfilerInfo15 *This, UINT32 n, COR_PRF_EVENTPIPE_PROVIDER_CONFIG cfg[], BOOL rundown,
                             EVENTPIPE_SESSION *out)
{
    (void)This, (void)rundown;
    if (fake.started + 1 == fake.refuse_at)
        return E_FAIL;
    int i = fake.started++;
    fake.n[i] = n;
    fake.level[i] = cfg[0].loggingLevel;
    fake.keywords[i] = cfg[0].keywords;
    *out = (EVENTPIPE_SESSION)(100 + i);
    return S_OK;
}

static HRESULT stop_session(ICorProfilerInfo15 *This, EVENTPIPE_SESSION s)
{
    (void)This, (void)s;
    fake.stopped++;
    return S_OK;
}

static ICorProfilerInfo15Vtbl vtbl;
static ICorProfilerInfo15 info = {&vtbl};

static struct drd_core *core(void)
{
    memset(&fake, 0, sizeof fake);
    vtbl.EventPipeStartSession = start_session;
    vtbl.EventPipeStopSession = stop_session;
    struct drd_core *c = &drd_core_instance;
    memset(&c->eventpipe, 0, sizeof c->eventpipe);
    c->info = &info;
    c->info_version = 15;
    return c;
}

static void grouped_by_level(void **state)
{
    (void)state;
    struct drd_core *c = core();
    char err[256] = "";
    /* waits: contention|threading at Informational, wait handles at Verbose; allocations (.NET 8): GC at Verbose */
    assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 0x14000, COR_PRF_EVENTPIPE_INFORMATIONAL, err, sizeof err),
                     0);
    assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 0x40000000000, COR_PRF_EVENTPIPE_VERBOSE, err, sizeof err),
                     0);
    assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 0x1, COR_PRF_EVENTPIPE_VERBOSE, err, sizeof err), 0);
    assert_int_equal(drd_eventpipe_open(c, &c->eventpipe, err, sizeof err), 0);
    assert_int_equal(fake.started, 2);
    assert_int_equal(fake.level[0], COR_PRF_EVENTPIPE_VERBOSE);
    assert_int_equal(fake.keywords[0], 0x40000000001ULL);
    assert_int_equal(fake.n[0], 1); /* one provider: one config per session */
    assert_int_equal(fake.level[1], COR_PRF_EVENTPIPE_INFORMATIONAL);
    assert_int_equal(fake.keywords[1], 0x14000);
    drd_eventpipe_close(c, &c->eventpipe);
    drd_eventpipe_close(c, &c->eventpipe);
    assert_int_equal(fake.stopped, 2);
}

static void a_keyword_asked_twice_goes_to_the_higher_level(void **state)
{
    (void)state;
    struct drd_core *c = core();
    char err[256] = "";
    assert_int_equal(
        drd_eventpipe_want(&c->eventpipe, RT, 0x1 | 0x4000, COR_PRF_EVENTPIPE_INFORMATIONAL, err, sizeof err), 0);
    assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 0x1, COR_PRF_EVENTPIPE_VERBOSE, err, sizeof err), 0);
    assert_int_equal(drd_eventpipe_open(c, &c->eventpipe, err, sizeof err), 0);
    assert_int_equal(fake.started, 2);
    assert_int_equal(fake.keywords[0], 0x1);
    assert_int_equal(fake.keywords[1], 0x4000);
    drd_eventpipe_close(c, &c->eventpipe);
}

static void refusal_closes_what_was_opened(void **state)
{
    (void)state;
    struct drd_core *c = core();
    char err[256] = "";
    fake.refuse_at = 2;
    drd_eventpipe_want(&c->eventpipe, RT, 0x4000, COR_PRF_EVENTPIPE_INFORMATIONAL, err, sizeof err);
    drd_eventpipe_want(&c->eventpipe, RT, 0x1, COR_PRF_EVENTPIPE_VERBOSE, err, sizeof err);
    assert_int_equal(drd_eventpipe_open(c, &c->eventpipe, err, sizeof err), -1);
    assert_non_null(strstr(err, "refused an EventPipe session"));
    assert_int_equal(fake.stopped, 1);
    assert_int_equal(c->eventpipe.n_open, 0);
}

static void nothing_asked_nothing_opened_and_bad_asks_refused(void **state)
{
    (void)state;
    struct drd_core *c = core();
    char err[256] = "";
    assert_int_equal(drd_eventpipe_open(c, &c->eventpipe, err, sizeof err), 0);
    assert_int_equal(fake.started, 0);
    assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 1, 9, err, sizeof err), -1);
    for (int i = 0; i < DRD_EVENTPIPE_MAX_WANTS; i++)
        assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 1, 4, err, sizeof err), 0);
    assert_int_equal(drd_eventpipe_want(&c->eventpipe, RT, 1, 4, err, sizeof err), -1);
    c->info_version = 11;
    assert_int_equal(drd_eventpipe_open(c, &c->eventpipe, err, sizeof err), -1);
    assert_non_null(strstr(err, "ICorProfilerInfo12"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grouped_by_level),
        cmocka_unit_test(a_keyword_asked_twice_goes_to_the_higher_level),
        cmocka_unit_test(refusal_closes_what_was_opened),
        cmocka_unit_test(nothing_asked_nothing_opened_and_bad_asks_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
