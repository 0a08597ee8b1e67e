/* The web UI's JSON API, the page's only way in: processes, profilers, and sessions (start, list, read, report,
 * exports, delete, a server-sent-events stream of progress). Requests reach it after the server has checked the
 * Host, the token and, for changes, the Origin. */
#ifndef DRD_API_H
#define DRD_API_H

#include <stddef.h>

#include <microhttpd.h>

#define DRD_API_MAX_BODY (64 * 1024) /* bytes of a request body */

struct drd_api_request {
    struct MHD_Connection *conn;
    const char *method;
    const char *path; /* percent-decoded by libmicrohttpd, starting with "/api/" */
    const char *body; /* NUL-terminated; "" when the request had none */
    size_t body_len;
};

/* Finds (and makes) the sessions folder and makes a private temporary folder for exports. Returns 0, or -1
 * with err. */
int drd_api_init(char *err, size_t cap);

/* Ends the event streams within a moment and removes the temporary folder; the API answers no more. */
void drd_api_stop(void);

/* Answers one request: queues a reply on r->conn. Returns MHD_NO only when the connection must be dropped. */
enum MHD_Result drd_api_handle(const struct drd_api_request *r);

#ifdef DRD_WEB_FUZZ
#include "drdotnet/profilers.h"
/* Fuzz builds only: the profilers to use instead of the library's (which a fuzz build has not). */
void drd_api_fuzz_profilers(const struct drd_profiler_table *t);
#endif

#endif
