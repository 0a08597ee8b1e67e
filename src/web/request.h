/* The API's reading of a request, apart from HTTP and from any effect: where a method and a path lead (or why
 * they lead nowhere), and the body of a session start checked against the profilers. No connection, no process,
 * no file: the server acts on what these say, the unit tests and fuzz targets check them alone. */
#ifndef DRD_REQUEST_H
#define DRD_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/params.h"
#include "drdotnet/profilers.h"

#define DRD_REQUEST_MAX_PATH 1024 /* bytes of a path, with its NUL */

/* Why a request is refused: an HTTP status, a sentence for {"error": ...} (UTF-8 unless a piece of the request
 * was cut inside a character; the server replaces such bytes), and for 405 the methods the address takes. */
struct drd_refusal {
    unsigned status;
    char message[1024];
    const char *allow; /* static text for the Allow header, or NULL */
};

enum drd_route_kind {
    DRD_ROUTE_REFUSED, /* see the refusal */
    DRD_ROUTE_INFO, /* GET /api/info */
    DRD_ROUTE_PROCESSES, /* GET /api/processes */
    DRD_ROUTE_PROFILERS, /* GET /api/profilers */
    DRD_ROUTE_SESSIONS, /* GET /api/sessions */
    DRD_ROUTE_START, /* POST /api/sessions */
    DRD_ROUTE_SESSION, /* GET /api/sessions/<id> */
    DRD_ROUTE_DELETE, /* DELETE /api/sessions/<id> */
    DRD_ROUTE_REPORT, /* GET /api/sessions/<id>/report */
    DRD_ROUTE_EVENTS, /* GET /api/sessions/<id>/events */
    DRD_ROUTE_EXPORT, /* GET /api/sessions/<id>/export/<format> */
    DRD_ROUTE_DIFF, /* GET /api/sessions/<id>/diff/<earlier id>: the heap's growth from the earlier snapshot */
    DRD_ROUTE_TIMELINE, /* GET /api/sessions/<id>/timeline: every timed event, for the page's timeline */
    DRD_ROUTE_DOMINATORS, /* GET /api/sessions/<id>/dominators/<node>[/<offset>]: a node's children in the heap's
                           * dominator tree */
};

/* An export format of sampled stacks. */
struct drd_export_format {
    const char *name; /* as in the address */
    const char *suffix; /* of the file name */
    const char *type; /* Content-Type */
};

struct drd_route {
    enum drd_route_kind kind;
    /* a valid session id when the path is /api/sessions/<id>[/...], else "". When set, the server first answers
     * 404 if there is no such session, before the route or its refusal: the rest of the address is only
     * judged for a session that exists. */
    char id[DRD_CD_MAX_ID];
    const struct drd_export_format *format; /* DRD_ROUTE_EXPORT */
    char other[DRD_CD_MAX_ID]; /* DRD_ROUTE_DIFF: the earlier session's id, valid (the server checks it exists) */
    uint32_t node, offset; /* DRD_ROUTE_DOMINATORS: decimal numbers of the address (offset 0 when absent) */
    struct drd_refusal refusal; /* DRD_ROUTE_REFUSED */
};

/* Where method (GET, HEAD, POST, DELETE, or any other word) and path (percent-decoded, without the query; the API
 * reads none) lead. HEAD goes where GET does. Always fills *out: a route, or DRD_ROUTE_REFUSED with a 4xx
 * refusal (414 for a path of DRD_REQUEST_MAX_PATH bytes or more, 400 for a bad session id (either of a diff's) or
 * a node or offset that is not a decimal number below 2^32,
 * 404 for an unknown
 * address or export format, 405 with Allow for a method the address does not take). */
void drd_request_route(const char *method, const char *path, struct drd_route *out);

/* A checked POST /api/sessions body. */
struct drd_start {
    const struct drd_profiler_desc *profiler; /* the first of the session's profilers, which can all be attached */
    int n_profilers; /* 1, or more for a session of several */
    char names[DRD_CD_MAX_NAME]; /* the profilers' names as given: "name" or "name,name,..." */
    pid_t pid; /* > 0 */
    int n_params;
    struct drd_cd_param params[DRD_CD_MAX_PARAMS]; /* as given, each value as text */
    struct drd_param_values values; /* every parameter of the first profiler in force, defaults included */
    long long duration; /* seconds (> 0): the longest of the profilers'; -1 when none takes a duration */
};

/* Reads and checks body (len bytes, need not end in NUL): {"pid": N, "profiler": "name" or "name,name,...",
 * "parameters": {"key" or "profiler.key": value, ...}} with values strings, integers or booleans, against the
 * profilers of table and the rules for running several together (drdotnet/selection.h). Returns 0 with *out,
 * or -1 with *why: 400 for anything wrong in the body, checked in this order: JSON, shape, pid, profiler,
 * parameters (types, then keys and values); 500 with table_err when table is NULL (the library's table could not
 * be had) for a body that passed the checks before the profiler's name. */
int drd_request_start(const char *body, size_t len, const struct drd_profiler_table *table, const char *table_err,
                      struct drd_start *out, struct drd_refusal *why);

#endif
