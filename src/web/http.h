/* Replies of the web server: JSON bodies, errors as {"error": "a sentence"}, and the headers every reply carries. */
#ifndef DRD_HTTP_H
#define DRD_HTTP_H

#include <jansson.h>
#include <microhttpd.h>

/* Adds the headers that every reply carries: no caching, no content sniffing, no framing, no referrer. */
void drd_http_headers(struct MHD_Response *r);

/* Queues r with status and drops our reference to it. Returns MHD_NO when the connection must be closed. */
enum MHD_Result drd_http_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r);

/* Makes an application/json reply of body (stolen). Returns NULL when out of memory or body is NULL. */
struct MHD_Response *drd_http_json_response(json_t *body);

/* Queues body (stolen, NULL counts as out of memory) as application/json. Returns as drd_http_queue. */
enum MHD_Result drd_http_json(struct MHD_Connection *c, unsigned status, json_t *body);

/* Queues {"error": <the formatted sentence>} with status. Returns as drd_http_queue. */
enum MHD_Result drd_http_error(struct MHD_Connection *c, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
