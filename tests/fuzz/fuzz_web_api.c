/* Fuzz target: the web API's reading of a request (src/web/request.c), the route of a method and path and the
 * body of a session start, with what each promises: a refusal is a 4xx with a sentence, a route is exactly the
 * address it came from, an accepted start names an attachable profiler of the table, a pid and parameters that
 * the session's client data can carry.
 *
 * Input: "METHOD PATH\n" then the body (any bytes). Without a newline the whole input is the line and the body is
 * empty; without a space the line is the method and the path is "/api/". Method and path end at a NUL, as
 * libmicrohttpd hands them over. */
#include <stdlib.h>
#include <string.h>

#include "drdotnet/clientdata.h"
#include "fuzzutil.h"
#include "web/request.h"

static int same(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static void check_refusal(const struct drd_refusal *why, int server_error_ok)
{
    DRD_FUZZ_CHECK(memchr(why->message, 0, sizeof why->message) != NULL, "refusal text not terminated");
    DRD_FUZZ_CHECK(why->message[0] != 0, "a %u refusal without a sentence", why->status);
    DRD_FUZZ_CHECK((why->status >= 400 && why->status < 500) || (server_error_ok && why->status == 500),
                   "refused with status %u: %s", why->status, why->message);
    DRD_FUZZ_CHECK((why->allow != NULL) == (why->status == 405), "%u with Allow '%s'", why->status,
                   why->allow ? why->allow : "(none)");
}

/* A route is the address it came from, rebuilt from what the route says; a refusal is well formed. */
static void check_dominators(const char *path, const struct drd_route *r);

static void check_route(const char *method, const char *path)
{
    struct drd_route r;
    drd_request_route(method, path, &r);
    DRD_FUZZ_CHECK(memchr(r.id, 0, sizeof r.id) != NULL, "session id not terminated");
    DRD_FUZZ_CHECK(!r.id[0] || drd_session_id_valid(r.id), "unsafe session id '%s'", r.id);
    if (r.id[0]) {
        size_t n = strlen("/api/sessions/") + strlen(r.id);
        DRD_FUZZ_CHECK(strncmp(path, "/api/sessions/", 14) == 0 && strncmp(path + 14, r.id, strlen(r.id)) == 0 &&
                           (path[n] == 0 || path[n] == '/'),
                       "session id '%s' is not the one of '%s'", r.id, path);
    }
    if (r.kind == DRD_ROUTE_REFUSED) {
        check_refusal(&r.refusal, 0);
        if (r.refusal.status == 405)
            DRD_FUZZ_CHECK(!same(method, "GET") && !same(method, "HEAD"), "405 for %s %s", method, path);
        return;
    }
    int get = same(method, "GET") || same(method, "HEAD");
    char want[DRD_REQUEST_MAX_PATH + 64];
    const char *m = "GET";
    switch (r.kind) {
    case DRD_ROUTE_INFO:
        snprintf(want, sizeof want, "/api/info");
        break;
    case DRD_ROUTE_PROCESSES:
        snprintf(want, sizeof want, "/api/processes");
        break;
    case DRD_ROUTE_PROFILERS:
        snprintf(want, sizeof want, "/api/profilers");
        break;
    case DRD_ROUTE_SESSIONS:
        snprintf(want, sizeof want, "/api/sessions");
        break;
    case DRD_ROUTE_START:
        snprintf(want, sizeof want, "/api/sessions");
        m = "POST";
        break;
    case DRD_ROUTE_SESSION:
    case DRD_ROUTE_DELETE:
        snprintf(want, sizeof want, "/api/sessions/%s", r.id);
        m = r.kind == DRD_ROUTE_DELETE ? "DELETE" : "GET";
        break;
    case DRD_ROUTE_REPORT:
    case DRD_ROUTE_EVENTS:
        snprintf(want, sizeof want, "/api/sessions/%s/%s", r.id, r.kind == DRD_ROUTE_REPORT ? "report" : "events");
        break;
    case DRD_ROUTE_EXPORT:
        DRD_FUZZ_CHECK(r.format != NULL, "an export without a format");
        snprintf(want, sizeof want, "/api/sessions/%s/export/%s", r.id, r.format->name);
        break;
    case DRD_ROUTE_DIFF:
        snprintf(want, sizeof want, "/api/sessions/%s/diff/%s", r.id, r.other);
        break;
    case DRD_ROUTE_TIMELINE:
        snprintf(want, sizeof want, "/api/sessions/%s/timeline", r.id);
        break;
    case DRD_ROUTE_DOMINATORS:
        check_dominators(path, &r);
        DRD_FUZZ_CHECK(get, "%s %s routed for GET", method, path);
        return;
    default:
        DRD_FUZZ_CHECK(0, "route kind %d", (int)r.kind);
    }
    DRD_FUZZ_CHECK(same(path, want), "%s routed as %s", path, want);
    DRD_FUZZ_CHECK(same(m, "GET") ? get : same(method, m), "%s %s routed for %s", method, path, m);
}

/* A dominator-tree route: the numbers of its address, as decimal numbers, are the node and the offset. */
static void check_dominators(const char *path, const struct drd_route *r)
{
    char head[DRD_REQUEST_MAX_PATH + 64];
    int n = snprintf(head, sizeof head, "/api/sessions/%s/dominators/", r->id);
    DRD_FUZZ_CHECK(n > 0 && strncmp(path, head, (size_t)n) == 0, "%s routed as a dominator tree", path);
    const char *p = path + n;
    DRD_FUZZ_CHECK(*p >= '0' && *p <= '9', "%s: no node number", path);
    char *end;
    unsigned long node = strtoul(p, &end, 10), offset = 0;
    if (*end == '/') {
        DRD_FUZZ_CHECK(end[1] >= '0' && end[1] <= '9', "%s: no offset number", path);
        offset = strtoul(end + 1, &end, 10);
    }
    DRD_FUZZ_CHECK(*end == 0, "%s: more after the numbers", path);
    DRD_FUZZ_CHECK(node == r->node && offset == r->offset, "%s routed as node %u offset %u", path, r->node, r->offset);
}

/* An accepted start is one that the rest of the server can act on without another check. */
static void check_start(const struct drd_profiler_table *t, const struct drd_start *s)
{
    int found = 0;
    for (int i = 0; i < t->count; i++)
        found |= s->profiler == t->profilers[i];
    DRD_FUZZ_CHECK(found, "the profiler is not one of the table's");
    DRD_FUZZ_CHECK(s->profiler->flags & DRD_PROFILER_ATTACH, "'%s' cannot be attached", s->profiler->name);
    DRD_FUZZ_CHECK(s->pid > 0, "pid %d", (int)s->pid);
    DRD_FUZZ_CHECK(s->n_params >= 0 && s->n_params <= DRD_CD_MAX_PARAMS, "%d parameters", s->n_params);
    DRD_FUZZ_CHECK(s->values.n == s->profiler->n_params, "%d values for %d parameters", s->values.n,
                   s->profiler->n_params);
    const struct drd_param_value *d = drd_params_get(&s->values, "duration");
    if (s->n_profilers == 1)
        DRD_FUZZ_CHECK(d ? s->duration == d->i && s->duration > 0 : s->duration == -1, "duration %lld", s->duration);
    else /* the longest of the profilers': at least the first one's, when it takes one */
        DRD_FUZZ_CHECK(s->duration == -1 ? !d : s->duration > 0 && (!d || s->duration >= d->i), "duration %lld of %d",
                       s->duration, s->n_profilers);

    /* the parameters go on as --param KEY=VALUE into the session's client data: it takes each of them again */
    struct drd_client_data cd = {.n_params = 0};
    char err[512] = "";
    snprintf(cd.session_id, sizeof cd.session_id, "20261126-101500-%d-%s", (int)s->pid, s->profiler->name);
    snprintf(cd.out_dir, sizeof cd.out_dir, "/tmp/sessions/x");
    snprintf(cd.profiler, sizeof cd.profiler, "%s", s->profiler->name);
    for (int i = 0; i < s->n_params; i++) {
        const struct drd_cd_param *p = &s->params[i];
        DRD_FUZZ_CHECK(memchr(p->key, 0, sizeof p->key) && memchr(p->value, 0, sizeof p->value),
                       "parameter %d not terminated", i);
        DRD_FUZZ_CHECK(p->key[0] && !strchr(p->key, '='), "parameter key '%s'", p->key);
        DRD_FUZZ_CHECK(drd_cd_add_param(&cd, p->key, p->value, err, sizeof err) == 0,
                       "parameter %s='%s' accepted, then refused: %s", p->key, p->value, err);
    }
    static char text[DRD_CD_MAX_BYTES];
    size_t len;
    DRD_FUZZ_CHECK(drd_cd_encode(&cd, text, sizeof text, &len) == 0, "the accepted start does not fit client data");
    if (s->n_profilers > 1)
        return; /* each parameter goes to the profiler that takes it: fuzz_client_data checks that routing */
    struct drd_param_values again;
    DRD_FUZZ_CHECK(drd_params_resolve(s->profiler, cd.params, cd.n_params, &again, err, sizeof err) == 0,
                   "the parameters are refused the second time: %s", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t line_len = nl ? (size_t)(nl - data) : size;
    char *line = malloc(line_len + 1);
    if (!line)
        return 0;
    memcpy(line, data, line_len);
    line[line_len] = 0;
    char *sp = strchr(line, ' ');
    const char *path = "/api/";
    if (sp) {
        *sp = 0;
        path = sp + 1;
    }
    check_route(line, path);

    /* the body exactly as long as it is, without a NUL after it: the parser must not need one */
    size_t body_len = nl ? size - line_len - 1 : 0;
    char *body = malloc(body_len ? body_len : 1);
    if (!body) {
        free(line);
        return 0;
    }
    memcpy(body, nl ? (const char *)nl + 1 : "", body_len);
    const struct drd_profiler_table *t = drd_fuzz_profilers();
    struct drd_start s;
    struct drd_refusal why;
    if (drd_request_start(body, body_len, t, "no table", &s, &why) == 0)
        check_start(t, &s);
    else {
        check_refusal(&why, 0);
        DRD_FUZZ_CHECK(s.profiler == NULL, "a refused start names a profiler");
    }
    /* without the table: nothing past the pid is judged, and a body that gets that far is a 500 */
    if (drd_request_start(body, body_len, NULL, "no table", &s, &why) == 0)
        DRD_FUZZ_CHECK(0, "a start accepted without profilers");
    check_refusal(&why, 1);
    free(body);
    free(line);
    return 0;
}
