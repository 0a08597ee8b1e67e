/* A session's profilers: the list, which can run together, and where each given parameter goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "drdotnet/params.h"
#include "drdotnet/selection.h"

static const struct drd_param_desc cpu_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"frequency", DRD_PARAM_INT, "99", "", 1, 1000, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "128", "", 1, 512, NULL},
    {"rate", DRD_PARAM_INT, "1", "", 1, 9, NULL},
};
static const struct drd_param_desc exc_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "64", "", 1, 512, NULL},
    {"rate", DRD_PARAM_INT, "1", "", 1, 9, NULL},
};
static const struct drd_param_desc pause_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_pauses", DRD_PARAM_INT, "200000", "", 1, 10000000, NULL},
};
static const struct drd_profiler_desc cpu = {.name = "cpu-hotpaths", .params = cpu_params, .n_params = 4,
                                             .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP};
static const struct drd_profiler_desc exc = {.name = "exceptions", .params = exc_params, .n_params = 3,
                                             .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP};
static const struct drd_profiler_desc pauses = {.name = "runtime-pauses", .params = pause_params, .n_params = 2,
                                                .flags = DRD_PROFILER_ATTACH};
static const struct drd_profiler_desc heap = {.name = "heap-snapshot",
                                              .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_ONESHOT};
static const struct drd_profiler_desc *const all[] = {&cpu, &exc, &pauses, &heap};
static const struct drd_profiler_table table = {.count = 4, .profilers = all};

static struct drd_selection sel;
static char err[512];

static void parse_lists(void **state)
{
    (void)state;
    assert_int_equal(drd_selection_parse(&table, "exceptions", &sel, err, sizeof err), 0);
    assert_int_equal(sel.n, 1);
    assert_int_equal(drd_selection_parse(&table, "cpu-hotpaths,exceptions,runtime-pauses", &sel, err, sizeof err), 0);
    assert_int_equal(sel.n, 3);
    assert_ptr_equal(sel.desc[2], &pauses);
    assert_int_equal(drd_selection_parse(&table, "cpu-hotpaths,nope", &sel, err, sizeof err), -1);
    assert_non_null(strstr(err, "no profiler named 'nope'"));
    assert_int_equal(drd_selection_parse(&table, "exceptions,exceptions", &sel, err, sizeof err), -1);
    assert_non_null(strstr(err, "named twice"));
    assert_int_equal(drd_selection_parse(&table, "exceptions,", &sel, err, sizeof err), -1);
    assert_int_equal(drd_selection_parse(&table, ",exceptions", &sel, err, sizeof err), -1);
    assert_int_equal(drd_selection_parse(&table, "", &sel, err, sizeof err), -1);
}

static void combinations(void **state)
{
    (void)state;
    assert_int_equal(drd_selection_parse(&table, "cpu-hotpaths,exceptions,runtime-pauses", &sel, err, sizeof err), 0);
    assert_int_equal(drd_selection_check(&sel, 0, err, sizeof err), 0);
    /* runtime-pauses cannot be loaded at startup: refused for launch, naming it */
    assert_int_equal(drd_selection_check(&sel, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "'runtime-pauses' cannot be loaded at startup"));
    /* a one-shot profiler runs alone, whichever side of the list it is on */
    assert_int_equal(drd_selection_parse(&table, "heap-snapshot", &sel, err, sizeof err), 0);
    assert_int_equal(drd_selection_check(&sel, 0, err, sizeof err), 0);
    assert_int_equal(drd_selection_parse(&table, "exceptions,heap-snapshot", &sel, err, sizeof err), 0);
    assert_int_equal(drd_selection_check(&sel, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "'heap-snapshot' takes one snapshot"));
    assert_non_null(strstr(err, "not with exceptions"));
    assert_int_equal(drd_selection_parse(&table, "heap-snapshot,cpu-hotpaths", &sel, err, sizeof err), 0);
    assert_int_equal(drd_selection_check(&sel, 0, err, sizeof err), -1);
    assert_non_null(strstr(err, "not with cpu-hotpaths"));
}

static void parameters(void **state)
{
    (void)state;
    assert_int_equal(drd_selection_parse(&table, "cpu-hotpaths,exceptions", &sel, err, sizeof err), 0);
    /* a key one profiler takes goes to it; a session-wide key to both; a qualified key to its profiler */
    struct drd_cd_param ok[] = {{"frequency", "199"}, {"duration", "30"}, {"exceptions.max_stack_depth", "16"}};
    assert_int_equal(drd_selection_assign(&sel, ok, 3, err, sizeof err), 0);
    assert_int_equal(sel.n_params[0], 2);
    assert_string_equal(sel.params[0][0].key, "frequency");
    assert_string_equal(sel.params[0][1].key, "duration");
    assert_int_equal(sel.n_params[1], 2);
    assert_string_equal(sel.params[1][0].key, "duration");
    assert_string_equal(sel.params[1][1].key, "max_stack_depth");
    assert_string_equal(sel.params[1][1].value, "16");
    /* ambiguous: both take rate, which is not a parameter of the whole session */
    struct drd_cd_param amb[] = {{"rate", "8"}};
    assert_int_equal(drd_selection_assign(&sel, amb, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "taken by cpu-hotpaths and exceptions"));
    /* max_stack_depth, a common parameter, goes to both */
    struct drd_cd_param depth[] = {{"max_stack_depth", "8"}};
    assert_int_equal(drd_selection_assign(&sel, depth, 1, err, sizeof err), 0);
    assert_int_equal(sel.n_params[0], 1);
    assert_int_equal(sel.n_params[1], 1);
    /* unknown to all */
    struct drd_cd_param unk[] = {{"max_pauses", "8"}};
    assert_int_equal(drd_selection_assign(&sel, unk, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "none of this session's profilers takes it"));
    /* qualified with a profiler not in the session, or a key the profiler lacks */
    struct drd_cd_param other[] = {{"runtime-pauses.max_pauses", "8"}};
    assert_int_equal(drd_selection_assign(&sel, other, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "not in this session"));
    struct drd_cd_param lacks[] = {{"exceptions.frequency", "8"}};
    assert_int_equal(drd_selection_assign(&sel, lacks, 1, err, sizeof err), -1);
    assert_non_null(strstr(err, "'exceptions' has no parameter 'frequency'"));
    /* the same parameter twice, bare and qualified */
    struct drd_cd_param twice[] = {{"frequency", "1"}, {"cpu-hotpaths.frequency", "2"}};
    assert_int_equal(drd_selection_assign(&sel, twice, 2, err, sizeof err), -1);
    assert_non_null(strstr(err, "given twice"));
    /* one profiler: every bare key goes to it (its own check names an unknown one), qualified ones too */
    assert_int_equal(drd_selection_parse(&table, "exceptions", &sel, err, sizeof err), 0);
    struct drd_cd_param single[] = {{"frequency", "1"}, {"exceptions.duration", "2"}};
    assert_int_equal(drd_selection_assign(&sel, single, 2, err, sizeof err), 0);
    assert_int_equal(sel.n_params[0], 2);
    assert_string_equal(sel.params[0][1].key, "duration");
}

/* The common parameters: declared once, listed in the table's order around the profiler's own; the deadline. */
static void common_parameters(void **state)
{
    (void)state;
    static const struct drd_param_desc own[] = {{"frequency", DRD_PARAM_INT, "99", "", 1, 1000, NULL}};
    static const struct drd_profiler_desc p = {.name = "x", .params = own, .n_params = 1,
                                               .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_FILE_MB};
    struct drd_param_desc out[8];
    assert_int_equal(drd_params_compose(&p, out, 8), 3);
    assert_string_equal(out[0].key, "duration");
    assert_string_equal(out[0].default_value, "10");
    assert_string_equal(out[1].key, "frequency");
    assert_string_equal(out[2].key, "max_file_mb");
    assert_string_equal(out[2].default_value, "256");
    assert_int_equal(drd_params_compose(&p, out, 2), -1);
    assert_string_equal(drd_params_common(DRD_COMMON_MAX_STACK_DEPTH)->default_value, "128");
    assert_null(drd_params_common(0x80));
    /* the deadline: the longest duration, or the one-shot deadline when none takes one */
    struct drd_profiler_desc full = p;
    full.params = out;
    full.n_params = drd_params_compose(&p, out, 8);
    full.common = 0;
    struct drd_param_values vals[2];
    struct drd_cd_param five[] = {{"duration", "5"}}, seven[] = {{"duration", "7"}};
    assert_int_equal(drd_params_resolve(&full, five, 1, &vals[0], err, sizeof err), 0);
    assert_int_equal(drd_params_resolve(&full, seven, 1, &vals[1], err, sizeof err), 0);
    assert_int_equal(drd_params_deadline_ms(vals, 2), 7000);
    static const struct drd_profiler_desc snap = {.name = "snap", .params = own, .n_params = 1};
    assert_int_equal(drd_params_resolve(&snap, NULL, 0, &vals[0], err, sizeof err), 0);
    assert_int_equal(drd_params_deadline_ms(vals, 1), DRD_ONESHOT_DEADLINE_S * 1000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_lists),
        cmocka_unit_test(combinations),
        cmocka_unit_test(parameters),
        cmocka_unit_test(common_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
