/* Unit tests for the session request (src/common/clientdata.c) and parameter resolution (src/common/params.c). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/params.h"
#include "drdotnet/profilers.h"

static const char GOOD[] = "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nmode=attach\nparam.duration=5\n";

/* ---- encode / decode -------------------------------------------------------------- */

static void encode_exact(void **state)
{
    (void)state;
    struct drd_client_data *cd = calloc(1, sizeof *cd);
    assert_non_null(cd);
    char err[256];
    strcpy(cd->session_id, "ID");
    strcpy(cd->out_dir, "/x/y");
    strcpy(cd->profiler, "exceptions");
    cd->mode = DRD_MODE_ATTACH;
    assert_int_equal(drd_cd_add_param(cd, "duration", "5", err, sizeof err), 0);
    assert_int_equal(cd->n_params, 1);

    char buf[512];
    size_t len = 0;
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), 0);
    assert_int_equal(len, strlen(GOOD));
    assert_memory_equal(buf, GOOD, len);

    /* startup mode */
    cd->mode = DRD_MODE_STARTUP;
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), 0);
    const char *want = "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nmode=startup\nparam.duration=5\n";
    assert_int_equal(len, strlen(want));
    assert_memory_equal(buf, want, len);

    /* a buffer of exactly the text (no room for snprintf's NUL) is refused; one more byte is enough */
    size_t need = strlen(want);
    assert_int_equal(drd_cd_encode(cd, buf, need, &len), -1);
    assert_int_equal(drd_cd_encode(cd, buf, need + 1, &len), 0);
    assert_int_equal(len, need);

    /* invalid fields are refused */
    strcpy(cd->out_dir, "x/y");
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), -1);
    strcpy(cd->out_dir, "/x/y");
    strcpy(cd->session_id, "../a");
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), -1);
    strcpy(cd->session_id, "ID");
    strcpy(cd->profiler, "Exceptions");
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), -1);
    free(cd);
}

static void decode_round_trip(void **state)
{
    (void)state;
    struct drd_client_data *cd = calloc(1, sizeof *cd);
    struct drd_client_data *cd2 = calloc(1, sizeof *cd2);
    assert_non_null(cd);
    assert_non_null(cd2);
    char err[256] = "";
    assert_int_equal(drd_cd_decode(GOOD, strlen(GOOD), cd, err, sizeof err), 0);
    assert_string_equal(cd->session_id, "ID");
    assert_string_equal(cd->out_dir, "/x/y");
    assert_string_equal(cd->profiler, "exceptions");
    assert_int_equal(cd->mode, DRD_MODE_ATTACH);
    assert_int_equal(cd->n_params, 1);
    assert_string_equal(cd->params[0].key, "duration");
    assert_string_equal(cd->params[0].value, "5");

    /* encode(decode(x)) == x */
    char buf[512];
    size_t len = 0;
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), 0);
    assert_int_equal(len, strlen(GOOD));
    assert_memory_equal(buf, GOOD, len);

    /* the tool's version goes out and comes back; a second one, or an empty one, is refused */
    strcpy(cd->tool, "1.2.3");
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), 0);
    assert_non_null(memmem(buf, len, "\ntool=1.2.3\n", 12));
    assert_int_equal(drd_cd_decode(buf, len, cd2, err, sizeof err), 0);
    assert_string_equal(cd2->tool, "1.2.3");
    const char *twice = "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\ntool=1\ntool=2\n";
    assert_int_equal(drd_cd_decode(twice, strlen(twice), cd2, err, sizeof err), -1);
    const char *empty = "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\ntool=\n";
    assert_int_equal(drd_cd_decode(empty, strlen(empty), cd2, err, sizeof err), -1);
    cd->tool[0] = 0;

    /* a fuller request: startup, several params, UTF-8 and '=' in values */
    strcpy(cd->session_id, "20261126-101500-42-exceptions");
    strcpy(cd->out_dir, "/home/u/.local/share/drdotnet/sessions/\xc3\xa9t\xc3\xa9 x");
    strcpy(cd->profiler, "cpu-hotpaths");
    cd->mode = DRD_MODE_STARTUP;
    cd->n_params = 0;
    assert_int_equal(drd_cd_add_param(cd, "duration", "30", err, sizeof err), 0);
    assert_int_equal(drd_cd_add_param(cd, "filter", "a=b c", err, sizeof err), 0);
    assert_int_equal(drd_cd_add_param(cd, "x_1", "", err, sizeof err), 0);
    assert_int_equal(drd_cd_encode(cd, buf, sizeof buf, &len), 0);
    assert_int_equal(drd_cd_decode(buf, len, cd2, err, sizeof err), 0);
    assert_string_equal(cd2->session_id, cd->session_id);
    assert_string_equal(cd2->out_dir, cd->out_dir);
    assert_string_equal(cd2->profiler, "cpu-hotpaths");
    assert_int_equal(cd2->mode, DRD_MODE_STARTUP);
    assert_int_equal(cd2->n_params, 3);
    assert_string_equal(cd2->params[0].key, "duration");
    assert_string_equal(cd2->params[0].value, "30");
    assert_string_equal(cd2->params[1].key, "filter");
    assert_string_equal(cd2->params[1].value, "a=b c");
    assert_string_equal(cd2->params[2].key, "x_1");
    assert_string_equal(cd2->params[2].value, "");

    /* mode may be left out: attach */
    const char *nomode = "v=1\nsession=s\nout=/o\nprofiler=p\n";
    assert_int_equal(drd_cd_decode(nomode, strlen(nomode), cd2, err, sizeof err), 0);
    assert_int_equal(cd2->mode, DRD_MODE_ATTACH);
    assert_int_equal(cd2->n_params, 0);

    /* the input need not be NUL-terminated: decode only len bytes of a larger buffer */
    char raw[128];
    memset(raw, 'Z', sizeof raw);
    memcpy(raw, nomode, strlen(nomode));
    assert_int_equal(drd_cd_decode(raw, strlen(nomode), cd2, err, sizeof err), 0);
    assert_string_equal(cd2->profiler, "p");
    free(cd2);
    free(cd);
}

/* Decodes text (len bytes) and expects a refusal with a non-empty message. */
static void refuse_n(const char *text, size_t len, const char *why)
{
    struct drd_client_data *cd = calloc(1, sizeof *cd);
    assert_non_null(cd);
    char err[256];
    memset(err, 0, sizeof err);
    int rc = drd_cd_decode(text, len, cd, err, sizeof err);
    if (rc != -1)
        fail_msg("decode accepted a request with %s", why);
    if (err[0] == 0)
        fail_msg("decode refused a request with %s but gave no message", why);
    assert_non_null(memchr(err, 0, sizeof err));
    free(cd);
}

static void refuse(const char *text, const char *why)
{
    refuse_n(text, strlen(text), why);
}

static void decode_refusals(void **state)
{
    (void)state;
    refuse("", "no bytes");
    refuse_n(NULL, 0, "a NULL buffer");
    refuse("session=ID\nv=1\nout=/x/y\nprofiler=exceptions\n", "the version not first");
    refuse("session=ID\nout=/x/y\nprofiler=exceptions\n", "no version");
    refuse("v=2\nsession=ID\nout=/x/y\nprofiler=exceptions\n", "version 2");
    refuse("v=10\nsession=ID\nout=/x/y\nprofiler=exceptions\n", "version 10");
    refuse("v=\nsession=ID\nout=/x/y\nprofiler=exceptions\n", "an empty version");
    refuse("v=1\nv=1\nsession=ID\nout=/x/y\nprofiler=exceptions\n", "a repeated version");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\ncolour=red\n", "an unknown field");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.=5\n", "an empty param key");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\njunk\n", "a line without '='");
    refuse("v=1\nsession=ID\n\nout=/x/y\nprofiler=exceptions\n", "an empty line");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions", "no final newline");
    refuse("v=1\nsession=ID\nout=/x/\x01y\nprofiler=exceptions\n", "a control character in a value");
    refuse("v=1\nsession=ID\nout=/x/y\r\nprofiler=exceptions\n", "a carriage return");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.d=a\tb\n", "a tab in a param value");
    refuse("v=1\nsession=ID\nout=/x/y\x7f\nprofiler=exceptions\n", "a DEL in a value");
    static const char nul_value[] = "v=1\nsession=ID\nout=/x\0y\nprofiler=exceptions\n";
    refuse_n(nul_value, sizeof nul_value - 1, "a NUL in a value");
    static const char nul_key[] = "v=1\nsess\0ion=ID\nout=/x/y\nprofiler=exceptions\n";
    refuse_n(nul_key, sizeof nul_key - 1, "a NUL in a key");
    refuse("v=1\nsession=a/b\nout=/x/y\nprofiler=exceptions\n", "a session id with '/'");
    refuse("v=1\nsession=..\nout=/x/y\nprofiler=exceptions\n", "a session id '..'");
    refuse("v=1\nsession=.hidden\nout=/x/y\nprofiler=exceptions\n", "a session id starting with '.'");
    refuse("v=1\nsession=\nout=/x/y\nprofiler=exceptions\n", "an empty session id");
    refuse("v=1\nsession=ID\nout=x/y\nprofiler=exceptions\n", "a relative out path");
    refuse("v=1\nsession=ID\nout=\nprofiler=exceptions\n", "an empty out path");
    refuse("v=1\nsession=ID\nsession=ID\nout=/x/y\nprofiler=exceptions\n", "a repeated session");
    refuse("v=1\nsession=ID\nout=/x/y\nout=/x/y\nprofiler=exceptions\n", "a repeated out");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nprofiler=exceptions\n", "a repeated profiler");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=Exceptions\n", "an uppercase profiler name");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nmode=detach\n", "a bad mode");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nmode=attach\nmode=attach\n", "a repeated mode");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nmode=Attach\n", "a mode in capitals");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.Duration=5\n", "an uppercase param key");
    refuse("v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.max-depth=5\n", "a '-' in a param key");
    refuse("v=1\nsession=ID\nprofiler=exceptions\n", "no out");
    refuse("v=1\nsession=ID\nout=/x/y\n", "no profiler");
    refuse("v=1\nout=/x/y\nprofiler=exceptions\n", "no session");
}

static void decode_too_many_params(void **state)
{
    (void)state;
    char buf[2048];
    size_t n = (size_t)snprintf(buf, sizeof buf, "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\n");
    for (int i = 0; i < 32; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "param.p%d=%d\n", i, i);
    struct drd_client_data *cd = calloc(1, sizeof *cd);
    assert_non_null(cd);
    char err[256] = "";
    /* 32 is the most */
    assert_int_equal(drd_cd_decode(buf, n, cd, err, sizeof err), 0);
    assert_int_equal(cd->n_params, 32);
    assert_string_equal(cd->params[31].key, "p31");
    assert_string_equal(cd->params[31].value, "31");
    /* 33 is refused */
    n += (size_t)snprintf(buf + n, sizeof buf - n, "param.p32=32\n");
    refuse_n(buf, n, "33 params");

    /* and drd_cd_add_param refuses the 33rd directly */
    assert_int_equal(cd->n_params, 32);
    err[0] = 0;
    assert_int_equal(drd_cd_add_param(cd, "extra", "1", err, sizeof err), -1);
    assert_int_equal(cd->n_params, 32);
    assert_true(strlen(err) > 0);
    free(cd);
}

static void decode_long_values(void **state)
{
    (void)state;
    char buf[2048];
    char value[300];
    struct drd_client_data *cd = calloc(1, sizeof *cd);
    assert_non_null(cd);
    char err[256] = "";

    /* 255 bytes is the longest value */
    memset(value, 'v', 255);
    value[255] = 0;
    int n = snprintf(buf, sizeof buf, "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.k=%s\n", value);
    assert_int_equal(drd_cd_decode(buf, (size_t)n, cd, err, sizeof err), 0);
    assert_int_equal(strlen(cd->params[0].value), 255);

    /* 256 bytes is too long */
    memset(value, 'v', 256);
    value[256] = 0;
    n = snprintf(buf, sizeof buf, "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.k=%s\n", value);
    refuse_n(buf, (size_t)n, "a 256-byte value");

    /* a 64-byte key is too long, 63 is fine */
    char key[80];
    memset(key, 'k', 64);
    key[64] = 0;
    n = snprintf(buf, sizeof buf, "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.%s=1\n", key);
    refuse_n(buf, (size_t)n, "a 64-byte key");
    key[63] = 0;
    n = snprintf(buf, sizeof buf, "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\nparam.%s=1\n", key);
    assert_int_equal(drd_cd_decode(buf, (size_t)n, cd, err, sizeof err), 0);
    assert_int_equal(strlen(cd->params[0].key), 63);

    /* a 128-char session id is refused, 127 is fine */
    char id[140];
    memset(id, 'i', 128);
    id[128] = 0;
    n = snprintf(buf, sizeof buf, "v=1\nsession=%s\nout=/x/y\nprofiler=exceptions\n", id);
    refuse_n(buf, (size_t)n, "a 128-char session id");
    id[127] = 0;
    n = snprintf(buf, sizeof buf, "v=1\nsession=%s\nout=/x/y\nprofiler=exceptions\n", id);
    assert_int_equal(drd_cd_decode(buf, (size_t)n, cd, err, sizeof err), 0);
    assert_int_equal(strlen(cd->session_id), 127);

    /* drd_cd_add_param refuses a 256-byte value and bad keys */
    cd->n_params = 0;
    err[0] = 0;
    assert_int_equal(drd_cd_add_param(cd, "k", value, err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    assert_int_equal(drd_cd_add_param(cd, "Bad", "1", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, "a-b", "1", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, "", "1", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, "k", "a\nb", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, ".k", "1", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, "cpu-hotpaths.", "1", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, "cpu_x.k", "1", err, sizeof err), -1);
    assert_int_equal(drd_cd_add_param(cd, "a.b.c", "1", err, sizeof err), -1);
    assert_int_equal(cd->n_params, 0);
    /* a session of several profilers names one profiler's parameter */
    assert_int_equal(drd_cd_add_param(cd, "cpu-hotpaths.frequency", "199", err, sizeof err), 0);
    assert_int_equal(cd->n_params, 1);
    free(cd);
}

static void decode_too_large(void **state)
{
    (void)state;
    size_t cap = 3 * DRD_CD_MAX_BYTES;
    char *buf = malloc(cap);
    assert_non_null(buf);
    char value[256];
    memset(value, 'v', 255);
    value[255] = 0;
    /* a request that is valid but for its size: 31 params of 255-byte values (266 bytes a line) */
    size_t n = (size_t)snprintf(buf, cap, "v=1\nsession=ID\nout=/x/y\nprofiler=exceptions\n");
    size_t n30 = 0;
    for (int i = 0; i < 31; i++) {
        if (i == 30)
            n30 = n;
        n += (size_t)snprintf(buf + n, cap - n, "param.k%02d=%s\n", i, value);
    }
    assert_true(n30 <= DRD_CD_MAX_BYTES);
    assert_true(n > DRD_CD_MAX_BYTES);

    struct drd_client_data *cd = calloc(1, sizeof *cd);
    assert_non_null(cd);
    char err[256] = "";
    /* the first 30 params: accepted */
    assert_int_equal(drd_cd_decode(buf, n30, cd, err, sizeof err), 0);
    assert_int_equal(cd->n_params, 30);
    /* all 31: too large */
    refuse_n(buf, n, "more than DRD_CD_MAX_BYTES bytes");
    assert_int_equal(drd_cd_decode(buf, n, cd, err, sizeof err), -1);
    assert_non_null(strstr(err, "too large"));
    free(cd);
    free(buf);
}

static void session_id_validity(void **state)
{
    (void)state;
    assert_int_equal(drd_session_id_valid("20261126-101500-42-exceptions"), 1);
    assert_int_equal(drd_session_id_valid("a.b_c-D9"), 1);
    assert_int_equal(drd_session_id_valid("a..b"), 1); /* '.' inside is fine: one path component */
    assert_int_equal(drd_session_id_valid(""), 0);
    assert_int_equal(drd_session_id_valid("."), 0);
    assert_int_equal(drd_session_id_valid(".."), 0);
    assert_int_equal(drd_session_id_valid(".x"), 0);
    assert_int_equal(drd_session_id_valid("a/b"), 0);
    assert_int_equal(drd_session_id_valid("a b"), 0);
    assert_int_equal(drd_session_id_valid("a\\b"), 0);
    assert_int_equal(drd_session_id_valid("\xc3\xa9"), 0);
    char id[130];
    memset(id, 'a', 128);
    id[128] = 0;
    assert_int_equal(drd_session_id_valid(id), 0);
    id[127] = 0;
    assert_int_equal(drd_session_id_valid(id), 1);
}

/* ---- params ---------------------------------------------------------------------- */

static const struct drd_param_desc TEST_PARAMS[] = {
    {.key = "duration", .type = DRD_PARAM_INT, .default_value = "10", .description = "seconds", .min = 0,
     .max = 86400},
    {.key = "mode", .type = DRD_PARAM_ENUM, .default_value = "cpu", .description = "clock", .choices = "cpu|wall"},
    {.key = "exact", .type = DRD_PARAM_BOOL, .default_value = "false", .description = "exact counts"},
};

static const struct drd_profiler_desc TEST_PROFILER = {
    .name = "testprof",
    .clsid = "{00000000-0000-0000-0000-000000000001}",
    .description = "a profiler for tests",
    .params = TEST_PARAMS,
    .n_params = 3,
    .flags = DRD_PROFILER_ATTACH,
};

static struct drd_cd_param P(const char *k, const char *v)
{
    struct drd_cd_param p;
    memset(&p, 0, sizeof p);
    snprintf(p.key, sizeof p.key, "%s", k);
    snprintf(p.value, sizeof p.value, "%s", v);
    return p;
}

static void params_defaults(void **state)
{
    (void)state;
    struct drd_param_values *vals = malloc(sizeof *vals);
    assert_non_null(vals);
    char err[256] = "";
    assert_int_equal(drd_params_resolve(&TEST_PROFILER, NULL, 0, vals, err, sizeof err), 0);
    assert_int_equal(vals->n, 3);

    const struct drd_param_value *d = drd_params_get(vals, "duration");
    assert_non_null(d);
    assert_ptr_equal(d->desc, &TEST_PARAMS[0]);
    assert_int_equal(d->i, 10);
    assert_string_equal(d->text, "10");
    assert_int_equal(d->given, 0);

    const struct drd_param_value *m = drd_params_get(vals, "mode");
    assert_non_null(m);
    assert_string_equal(m->text, "cpu");
    assert_int_equal(m->given, 0);

    const struct drd_param_value *e = drd_params_get(vals, "exact");
    assert_non_null(e);
    assert_int_equal(e->i, 0);
    assert_string_equal(e->text, "false");
    assert_int_equal(e->given, 0);

    assert_int_equal(drd_params_int(vals, "duration", -7), 10);
    assert_int_equal(drd_params_int(vals, "exact", -7), 0);
    assert_int_equal(drd_params_int(vals, "missing", -7), -7);
    assert_null(drd_params_get(vals, "missing"));
    assert_null(drd_params_get(vals, ""));
    free(vals);
}

static void params_given(void **state)
{
    (void)state;
    struct drd_param_values *vals = malloc(sizeof *vals);
    assert_non_null(vals);
    char err[256] = "";
    struct drd_cd_param given[3] = {P("exact", "true"), P("duration", "5"), P("mode", "wall")};
    assert_int_equal(drd_params_resolve(&TEST_PROFILER, given, 3, vals, err, sizeof err), 0);
    assert_int_equal(vals->n, 3);
    const struct drd_param_value *d = drd_params_get(vals, "duration");
    assert_non_null(d);
    assert_int_equal(d->i, 5);
    assert_string_equal(d->text, "5");
    assert_int_equal(d->given, 1);
    const struct drd_param_value *m = drd_params_get(vals, "mode");
    assert_non_null(m);
    assert_string_equal(m->text, "wall");
    assert_int_equal(m->given, 1);
    const struct drd_param_value *e = drd_params_get(vals, "exact");
    assert_non_null(e);
    assert_int_equal(e->i, 1);
    assert_string_equal(e->text, "true");
    assert_int_equal(e->given, 1);
    assert_int_equal(drd_params_int(vals, "duration", -1), 5);
    assert_int_equal(drd_params_int(vals, "exact", -1), 1);

    /* the range limits themselves; bool "1"/"0"; only one given, the others default */
    struct drd_cd_param g2[2] = {P("duration", "86400"), P("exact", "1")};
    assert_int_equal(drd_params_resolve(&TEST_PROFILER, g2, 2, vals, err, sizeof err), 0);
    assert_int_equal(drd_params_int(vals, "duration", -1), 86400);
    assert_int_equal(drd_params_get(vals, "exact")->i, 1);
    assert_string_equal(drd_params_get(vals, "exact")->text, "true");
    assert_string_equal(drd_params_get(vals, "mode")->text, "cpu");
    assert_int_equal(drd_params_get(vals, "mode")->given, 0);
    struct drd_cd_param g3[2] = {P("duration", "0"), P("exact", "0")};
    assert_int_equal(drd_params_resolve(&TEST_PROFILER, g3, 2, vals, err, sizeof err), 0);
    assert_int_equal(drd_params_int(vals, "duration", -1), 0);
    assert_int_equal(drd_params_get(vals, "duration")->given, 1);
    assert_string_equal(drd_params_get(vals, "exact")->text, "false");
    free(vals);
}

/* Resolves one given parameter and expects a refusal whose message contains each of the words. */
static void params_refuse(const struct drd_cd_param *given, int n, const char *w1, const char *w2)
{
    struct drd_param_values *vals = malloc(sizeof *vals);
    assert_non_null(vals);
    char err[512];
    memset(err, 0, sizeof err);
    int rc = drd_params_resolve(&TEST_PROFILER, given, n, vals, err, sizeof err);
    if (rc != -1)
        fail_msg("resolve accepted %s=%s", given[n - 1].key, given[n - 1].value);
    if (w1 && !strstr(err, w1))
        fail_msg("message '%s' does not mention '%s'", err, w1);
    if (w2 && !strstr(err, w2))
        fail_msg("message '%s' does not mention '%s'", err, w2);
    free(vals);
}

static void params_refusals(void **state)
{
    (void)state;
    struct drd_cd_param g[2];

    g[0] = P("nope", "1");
    params_refuse(g, 1, "'nope'", "duration, mode, exact");

    g[0] = P("duration", "5");
    g[1] = P("duration", "6");
    params_refuse(g, 2, "'duration'", "twice");

    g[0] = P("duration", "abc");
    params_refuse(g, 1, "'duration'", "abc");
    g[0] = P("duration", "-1");
    params_refuse(g, 1, "'duration'", "-1");
    g[0] = P("duration", "86401");
    params_refuse(g, 1, "'duration'", "86401");
    g[0] = P("duration", "5x");
    params_refuse(g, 1, "'duration'", "5x");
    g[0] = P("duration", "");
    params_refuse(g, 1, "'duration'", NULL);
    g[0] = P("duration", "99999999999999999999999");
    params_refuse(g, 1, "'duration'", NULL);
    g[0] = P("mode", "fast");
    params_refuse(g, 1, "'mode'", "fast");
    g[0] = P("mode", "cpu|wall");
    params_refuse(g, 1, "'mode'", NULL);
    g[0] = P("mode", "");
    params_refuse(g, 1, "'mode'", NULL);
    g[0] = P("exact", "maybe");
    params_refuse(g, 1, "'exact'", "maybe");
    g[0] = P("exact", "TRUE");
    params_refuse(g, 1, "'exact'", NULL);
}

static void params_none(void **state)
{
    (void)state;
    static const struct drd_profiler_desc bare = {.name = "bare", .params = NULL, .n_params = 0};
    struct drd_param_values *vals = malloc(sizeof *vals);
    assert_non_null(vals);
    char err[512] = "";
    assert_int_equal(drd_params_resolve(&bare, NULL, 0, vals, err, sizeof err), 0);
    assert_int_equal(vals->n, 0);
    assert_int_equal(drd_params_int(vals, "duration", 42), 42);
    struct drd_cd_param g = P("x", "1");
    assert_int_equal(drd_params_resolve(&bare, &g, 1, vals, err, sizeof err), -1);
    assert_non_null(strstr(err, "'x'"));
    assert_non_null(strstr(err, "none"));
    free(vals);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(encode_exact),
        cmocka_unit_test(decode_round_trip),
        cmocka_unit_test(decode_refusals),
        cmocka_unit_test(decode_too_many_params),
        cmocka_unit_test(decode_long_values),
        cmocka_unit_test(decode_too_large),
        cmocka_unit_test(session_id_validity),
        cmocka_unit_test(params_defaults),
        cmocka_unit_test(params_given),
        cmocka_unit_test(params_refusals),
        cmocka_unit_test(params_none),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
