/* Fuzz target: the session request (client data) as the library reads it, then its parameters resolved. */
#include <stdlib.h>
#include <string.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/params.h"
#include "drdotnet/raw.h"
#include "fuzzutil.h"

/* The parameters of the library's profilers (src/profiler/profilers/, whose files need the CLR headers), copied
 * here: the same keys, types, defaults and ranges. */
static const struct drd_param_desc exceptions_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "64", "", 1, DRD_RAW_MAX_DEPTH, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "", 1, 4096, NULL},
};
static const struct drd_param_desc cpu_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"frequency", DRD_PARAM_INT, "99", "", 1, 1000, NULL},
    {"mode", DRD_PARAM_ENUM, "cpu", "", 0, 0, "cpu|wall"},
    {"max_stack_depth", DRD_PARAM_INT, "128", "", 1, DRD_RAW_MAX_DEPTH, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "", 1, 4096, NULL},
};
static const struct drd_param_desc merged_params[] = {
    {"max_stack_depth", DRD_PARAM_INT, "128", "", 1, DRD_RAW_MAX_DEPTH, NULL},
};
static const struct drd_param_desc pauses_params[] = {
    {"duration", DRD_PARAM_INT, "10", "", 0, 86400, NULL},
    {"max_pauses", DRD_PARAM_INT, "200000", "", 1, 10000000, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "", 1, 4096, NULL},
};
/* not a real profiler: one of each type, including a boolean and the widest integer range */
static const struct drd_param_desc wide_params[] = {
    {"flag", DRD_PARAM_BOOL, "false", "", 0, 0, NULL},
    {"n", DRD_PARAM_INT, "0", "", INT64_MIN, INT64_MAX, NULL},
    {"pick", DRD_PARAM_ENUM, "a", "", 0, 0, "a|bb||c"},
};

#define N(a) ((int)(sizeof a / sizeof a[0]))
static const struct drd_profiler_desc exceptions = {"exceptions", "", "", exceptions_params, N(exceptions_params), 3};
static const struct drd_profiler_desc cpu = {"cpu-hotpaths", "", "", cpu_params, N(cpu_params), 3};
static const struct drd_profiler_desc merged = {"merged-stacks", "", "", merged_params, N(merged_params), 1};
static const struct drd_profiler_desc pauses = {"runtime-pauses", "", "", pauses_params, N(pauses_params), 3};
static const struct drd_profiler_desc wide = {"wide", "", "", wide_params, N(wide_params), 3};
static const struct drd_profiler_desc none = {"none", "", "", NULL, 0, 3};
static const struct drd_profiler_desc *const all[] = {&exceptions, &cpu, &merged, &pauses, &wide, &none};
static const struct drd_profiler_table table = {1, "fuzz", N(all), all};

/* Resolves the request's parameters against p, and checks that the values in force resolve again to
 * themselves when given back as text (what session.json records, and what a second run would send). */
static void resolve(const struct drd_profiler_desc *p, const struct drd_client_data *cd)
{
    struct drd_param_values vals, again;
    char err[512] = "";
    if (drd_params_resolve(p, cd->params, cd->n_params, &vals, err, sizeof err)) {
        DRD_FUZZ_CHECK(err[0] != 0, "parameters refused without a reason");
        return;
    }
    DRD_FUZZ_CHECK(vals.n == p->n_params, "%d values for %d parameters", vals.n, p->n_params);
    struct drd_cd_param canon[DRD_CD_MAX_PARAMS];
    for (int i = 0; i < vals.n; i++) {
        const struct drd_param_value *v = &vals.v[i];
        DRD_FUZZ_CHECK(v->desc == &p->params[i], "value %d is not for parameter %d", i, i);
        DRD_FUZZ_CHECK(memchr(v->text, 0, sizeof v->text) != NULL, "value text not terminated");
        DRD_FUZZ_CHECK(drd_params_get(&vals, v->desc->key) == v, "lookup of '%s'", v->desc->key);
        if (v->desc->type == DRD_PARAM_INT)
            DRD_FUZZ_CHECK(v->i >= v->desc->min && v->i <= v->desc->max, "'%s' out of range", v->desc->key);
        snprintf(canon[i].key, sizeof canon[i].key, "%s", v->desc->key);
        snprintf(canon[i].value, sizeof canon[i].value, "%s", v->text);
    }
    DRD_FUZZ_CHECK(drd_params_resolve(p, canon, vals.n, &again, err, sizeof err) == 0,
                   "the values in force are refused when given back: %s", err);
    for (int i = 0; i < vals.n; i++)
        DRD_FUZZ_CHECK(again.v[i].i == vals.v[i].i && strcmp(again.v[i].text, vals.v[i].text) == 0,
                       "'%s' changes from '%s' to '%s' when given back", vals.v[i].desc->key, vals.v[i].text,
                       again.v[i].text);
    (void)drd_params_int(&vals, "duration", -1);
    (void)drd_params_get(&vals, "no such key");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exactly sized copy: the decoder must not read past len nor need a NUL */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    struct drd_client_data cd, back;
    char err[512] = "";
    int rc = drd_cd_decode(size ? buf : NULL, size, &cd, err, sizeof err);
    free(buf);
    if (rc) {
        DRD_FUZZ_CHECK(err[0] != 0, "request refused without a reason");
        return 0;
    }
    DRD_FUZZ_CHECK(drd_session_id_valid(cd.session_id), "accepted an unsafe session id '%s'", cd.session_id);
    DRD_FUZZ_CHECK(cd.out_dir[0] == '/', "accepted a relative output folder");
    DRD_FUZZ_CHECK(cd.n_params >= 0 && cd.n_params <= DRD_CD_MAX_PARAMS, "%d parameters", cd.n_params);

    /* what the library accepts, the tool can send: encoding gives the same request back */
    static char text[2 * DRD_CD_MAX_BYTES];
    size_t len = 0;
    if (drd_cd_encode(&cd, text, sizeof text, &len) == 0) {
        DRD_FUZZ_CHECK(drd_cd_decode(text, len, &back, err, sizeof err) == 0, "re-encoded request refused: %s", err);
        DRD_FUZZ_CHECK(memcmp(&cd, &back, sizeof cd) == 0, "the request changes when encoded again");
    } else {
        /* only a request at the size limit that left out its (optional) mode line may not fit once written out */
        DRD_FUZZ_CHECK(size + sizeof "mode=startup\n" > DRD_CD_MAX_BYTES, "an accepted request cannot be encoded");
    }

    const struct drd_profiler_desc *p = drd_profiler_find(&table, cd.profiler);
    if (p)
        resolve(p, &cd);
    else
        for (int i = 0; i < table.count; i++)
            resolve(table.profilers[i], &cd);
    return 0;
}
