/* Replies of the web server: JSON, errors as JSON sentences, common headers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/http.h"

void drd_http_headers(struct MHD_Response *r)
{
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
}

enum MHD_Result drd_http_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    drd_http_headers(r);
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

struct MHD_Response *drd_http_json_response(json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return NULL;
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    return r;
}

enum MHD_Result drd_http_json(struct MHD_Connection *c, unsigned status, json_t *body)
{
    struct MHD_Response *r = drd_http_json_response(body);
    if (!r) {
        static const char oom[] = "{\"error\":\"the server ran out of memory\"}";
        r = MHD_create_response_from_buffer(sizeof oom - 1, (void *)oom, MHD_RESPMEM_PERSISTENT);
        if (r)
            MHD_add_response_header(r, "Content-Type", "application/json");
        status = MHD_HTTP_INTERNAL_SERVER_ERROR;
    }
    return drd_http_queue(c, status, r);
}

enum MHD_Result drd_http_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *s = json_string(msg);
    if (!s) {
        /* not UTF-8 (a file name, a child's message): keep the ASCII of it */
        for (char *p = msg; *p; p++)
            if ((unsigned char)*p >= 0x80)
                *p = '?';
        s = json_string(msg);
    }
    return drd_http_json(c, status, s ? json_pack("{s:o}", "error", s) : NULL);
}
