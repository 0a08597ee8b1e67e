/* Fuzz target: the session request (client data) as the library reads it, then its parameters resolved. */
#include <stdlib.h>
#include <string.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/selection.h"
#include "drdotnet/params.h"
#include "fuzzutil.h"

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

    const struct drd_profiler_table *t = drd_fuzz_profilers();
    /* the session's profilers and where each parameter goes, as the library reads them from the request */
    static struct drd_selection sel;
    if (drd_selection_parse(t, cd.profiler, &sel, err, sizeof err) == 0) {
        DRD_FUZZ_CHECK(sel.n >= 1 && sel.n <= DRD_SELECTION_MAX, "%d profilers", sel.n);
        (void)drd_selection_check(&sel, cd.mode == DRD_MODE_STARTUP, err, sizeof err);
        if (drd_selection_assign(&sel, cd.params, cd.n_params, err, sizeof err) == 0) {
            int given = 0;
            for (int i = 0; i < sel.n; i++) {
                DRD_FUZZ_CHECK(sel.n_params[i] <= DRD_CD_MAX_PARAMS, "%d parameters", sel.n_params[i]);
                given += sel.n_params[i];
                for (int k = 0; k < sel.n_params[i]; k++)
                    DRD_FUZZ_CHECK(!strchr(sel.params[i][k].key, '.'), "a key left qualified: %s", sel.params[i][k].key);
            }
            DRD_FUZZ_CHECK(given >= cd.n_params || sel.n == 1, "a parameter went nowhere");
        }
    }
    const struct drd_profiler_desc *p = drd_profiler_find(t, cd.profiler);
    if (p)
        resolve(p, &cd);
    else
        for (int i = 0; i < t->count; i++)
            resolve(t->profilers[i], &cd);
    return 0;
}
