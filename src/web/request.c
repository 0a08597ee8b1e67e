/* The API's reading of a request without acting on it: routing a method and path, checking a session start's body. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>

#include "web/request.h"

#include "drdotnet/selection.h"

#define MAX_SEGMENTS 5

static const struct drd_export_format formats[] = {
    {"speedscope", "speedscope.json", "application/json"},
    {"folded", "folded", "text/plain; charset=utf-8"},
    {"pprof", "pb.gz", "application/gzip"},
    {"chrome-trace", "trace.json", "application/json"},
};

static void refuse(struct drd_refusal *why, unsigned status, const char *allow, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void refuse(struct drd_refusal *why, unsigned status, const char *allow, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why->message, sizeof why->message, fmt, ap);
    va_end(ap);
    why->status = status;
    why->allow = allow;
}

/* s when it is valid UTF-8 (JSON can carry it), else fallback. */
static const char *text_or(const char *s, const char *fallback)
{
    json_t *j = json_string(s);
    int ok = j != NULL;
    json_decref(j);
    return ok ? s : fallback;
}

/* Splits path into at most MAX_SEGMENTS segments at '/'. Returns the count, or -1 when there are more or one
 * is empty. */
static int split(char *path, char **seg)
{
    int n = 0;
    for (char *p = path;;) {
        char *slash = strchr(p, '/');
        if (slash)
            *slash = 0;
        if (!*p || n == MAX_SEGMENTS)
            return -1;
        seg[n++] = p;
        if (!slash)
            return n;
        p = slash + 1;
    }
}

/* Sets r to kind when the method is the one wanted, else to a 405 naming allow. */
static void pick(struct drd_route *r, int ok, enum drd_route_kind kind, const char *allow)
{
    if (ok)
        r->kind = kind;
    else {
        r->kind = DRD_ROUTE_REFUSED;
        refuse(&r->refusal, MHD_HTTP_METHOD_NOT_ALLOWED, allow, "this address does not take that method");
    }
}

/* A decimal number below 2^32, at most 10 digits, into out. Returns 0, or -1 for anything else. */
static int number(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    size_t n = 0;
    for (; s[n]; n++) {
        if (s[n] < '0' || s[n] > '9' || n == 10)
            return -1;
        v = v * 10 + (uint64_t)(s[n] - '0');
    }
    if (n == 0 || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* The routes under /api/sessions/<id> (seg[1]), n segments in all. */
static void session_route(struct drd_route *out, int get, int del, char **seg, int n)
{
    const char *id = seg[1];
    if (!drd_session_id_valid(id)) {
        refuse(&out->refusal, MHD_HTTP_BAD_REQUEST, NULL, "'%.64s' is not a session id", text_or(id, "that"));
        return;
    }
    snprintf(out->id, sizeof out->id, "%s", id);
    if (n == 2)
        pick(out, get || del, get ? DRD_ROUTE_SESSION : DRD_ROUTE_DELETE, "GET, DELETE");
    else if (n == 3 && strcmp(seg[2], "report") == 0)
        pick(out, get, DRD_ROUTE_REPORT, "GET");
    else if (n == 3 && strcmp(seg[2], "events") == 0)
        pick(out, get, DRD_ROUTE_EVENTS, "GET");
    else if (n == 3 && strcmp(seg[2], "timeline") == 0)
        pick(out, get, DRD_ROUTE_TIMELINE, "GET");
    else if (n == 4 && strcmp(seg[2], "export") == 0) {
        pick(out, get, DRD_ROUTE_EXPORT, "GET");
        if (out->kind != DRD_ROUTE_EXPORT)
            return;
        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
            if (strcmp(seg[3], formats[i].name) == 0)
                out->format = &formats[i];
        if (!out->format) {
            out->kind = DRD_ROUTE_REFUSED;
            refuse(&out->refusal, MHD_HTTP_NOT_FOUND, NULL,
                   "no export format '%.32s' (speedscope, folded, pprof or chrome-trace)",
                   text_or(seg[3], "?"));
        }
    } else if (n == 4 && strcmp(seg[2], "diff") == 0) {
        pick(out, get, DRD_ROUTE_DIFF, "GET");
        if (out->kind != DRD_ROUTE_DIFF)
            return;
        if (!drd_session_id_valid(seg[3])) {
            out->kind = DRD_ROUTE_REFUSED;
            refuse(&out->refusal, MHD_HTTP_BAD_REQUEST, NULL, "'%.64s' is not a session id", text_or(seg[3], "that"));
            return;
        }
        snprintf(out->other, sizeof out->other, "%s", seg[3]);
    } else if ((n == 4 || n == 5) && strcmp(seg[2], "dominators") == 0) {
        pick(out, get, DRD_ROUTE_DOMINATORS, "GET");
        if (out->kind == DRD_ROUTE_DOMINATORS &&
            (number(seg[3], &out->node) || (n == 5 && number(seg[4], &out->offset)))) {
            out->kind = DRD_ROUTE_REFUSED;
            refuse(&out->refusal, MHD_HTTP_BAD_REQUEST, NULL, "'%.32s' is not a node number", text_or(seg[n - 1], "?"));
        }
    } else
        refuse(&out->refusal, MHD_HTTP_NOT_FOUND, NULL, "no such address in the API");
}

void drd_request_route(const char *method, const char *path, struct drd_route *out)
{
    char copy[DRD_REQUEST_MAX_PATH], *seg[MAX_SEGMENTS];
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    int post = strcmp(method, "POST") == 0, del = strcmp(method, "DELETE") == 0;
    memset(out, 0, sizeof *out);
    out->kind = DRD_ROUTE_REFUSED;
    if (strlen(path) >= sizeof copy) {
        refuse(&out->refusal, MHD_HTTP_URI_TOO_LONG, NULL, "the address is too long");
        return;
    }
    snprintf(copy, sizeof copy, "%s", strncmp(path, "/api/", 5) == 0 ? path + 5 : "");
    int n = split(copy, seg);
    if (n == 1 && strcmp(seg[0], "info") == 0)
        pick(out, get, DRD_ROUTE_INFO, "GET");
    else if (n == 1 && strcmp(seg[0], "processes") == 0)
        pick(out, get, DRD_ROUTE_PROCESSES, "GET");
    else if (n == 1 && strcmp(seg[0], "profilers") == 0)
        pick(out, get, DRD_ROUTE_PROFILERS, "GET");
    else if (n == 1 && strcmp(seg[0], "sessions") == 0)
        pick(out, get || post, get ? DRD_ROUTE_SESSIONS : DRD_ROUTE_START, "GET, POST");
    else if (n >= 2 && strcmp(seg[0], "sessions") == 0)
        session_route(out, get, del, seg, n);
    else
        refuse(&out->refusal, MHD_HTTP_NOT_FOUND, NULL, "no such address in the API");
}

/* The text of a parameter's JSON value: a string as it is, an integer in decimal, true or false. Returns 0,
 * or -1 for any other type or a string too long. */
static int param_text(json_t *v, char *out, size_t cap)
{
    if (json_is_string(v)) {
        if (json_string_length(v) >= cap)
            return -1;
        snprintf(out, cap, "%s", json_string_value(v));
    } else if (json_is_integer(v))
        snprintf(out, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        snprintf(out, cap, "%s", json_is_true(v) ? "true" : "false");
    else
        return -1;
    return 0;
}

int drd_request_start(const char *body, size_t len, const struct drd_profiler_table *table, const char *table_err,
                      struct drd_start *out, struct drd_refusal *why)
{
    char err[512];
    json_error_t je;
    int rc = -1;
    struct drd_selection *sel = NULL; /* large: not on the server thread's stack */
    memset(out, 0, sizeof *out);
    memset(why, 0, sizeof *why);
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        refuse(why, MHD_HTTP_BAD_REQUEST, NULL, "the request body is not valid JSON: %s", je.text);
        return -1;
    }
    json_t *jpid = json_object_get(j, "pid"), *jprof = json_object_get(j, "profiler"),
           *jparams = json_object_get(j, "parameters");
    if (!json_is_object(j) || !json_is_integer(jpid) || !json_is_string(jprof) ||
        (jparams && !json_is_object(jparams))) {
        refuse(why, MHD_HTTP_BAD_REQUEST, NULL,
               "the body must be {\"pid\": <integer>, \"profiler\": \"<name>[,<name>...]\", \"parameters\": {...}}");
        goto out;
    }
    json_int_t pid = json_integer_value(jpid);
    if (pid <= 0 || pid > INT_MAX) {
        refuse(why, MHD_HTTP_BAD_REQUEST, NULL, "%lld is not a pid", (long long)pid);
        goto out;
    }
    if (!table) {
        refuse(why, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s",
               table_err && *table_err ? table_err : "the profilers cannot be had");
        goto out;
    }
    const char *name = json_string_value(jprof);
    sel = malloc(sizeof *sel);
    if (!sel) {
        refuse(why, MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "out of memory");
        goto out;
    }
    if (drd_selection_parse(table, name, sel, err, sizeof err) || drd_selection_check(sel, 0, err, sizeof err)) {
        refuse(why, MHD_HTTP_BAD_REQUEST, NULL, "%s", strlen(err) < 300 ? err : "bad profiler list");
        goto out;
    }
    struct drd_client_data cd = {0};
    const char *key;
    json_t *v;
    json_object_foreach(jparams, key, v)
    {
        char text[DRD_CD_MAX_VALUE];
        if (param_text(v, text, sizeof text)) {
            refuse(why, MHD_HTTP_BAD_REQUEST, NULL,
                   "parameter '%.64s' must be a string, an integer or a boolean of at most %d characters", key,
                   DRD_CD_MAX_VALUE - 1);
            goto out;
        }
        if (drd_cd_add_param(&cd, key, text, err, sizeof err)) {
            refuse(why, MHD_HTTP_BAD_REQUEST, NULL, "%s", err);
            goto out;
        }
    }
    if (drd_selection_assign(sel, cd.params, cd.n_params, err, sizeof err)) {
        refuse(why, MHD_HTTP_BAD_REQUEST, NULL, "%s", err);
        goto out;
    }
    out->duration = -1;
    for (int i = 0; i < sel->n; i++) {
        struct drd_param_values vals;
        if (drd_params_resolve(sel->desc[i], sel->params[i], sel->n_params[i], i ? &vals : &out->values, err,
                               sizeof err)) {
            refuse(why, MHD_HTTP_BAD_REQUEST, NULL, "%s", err);
            goto out;
        }
        const struct drd_param_value *duration = drd_params_get(i ? &vals : &out->values, "duration");
        if (duration && duration->i <= 0) {
            refuse(why, MHD_HTTP_BAD_REQUEST, NULL,
                   "a duration of 0 (until the process exits) is for drdotnet launch; give seconds");
            goto out;
        }
        if (duration && duration->i > out->duration)
            out->duration = duration->i;
    }
    out->profiler = sel->desc[0];
    out->n_profilers = sel->n;
    snprintf(out->names, sizeof out->names, "%s", name);
    out->pid = (pid_t)pid;
    out->n_params = cd.n_params;
    memcpy(out->params, cd.params, sizeof cd.params);
    rc = 0;
out:
    free(sel);
    json_decref(j);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}
