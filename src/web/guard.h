/* The web server's gatekeeping, apart from HTTP: the token and the header it comes in, the accepted Host and Origin
 * values. */
#ifndef DRD_GUARD_H
#define DRD_GUARD_H

#include <stddef.h>

#define DRD_GUARD_TOKEN_LEN 32 /* hex characters */
#define DRD_GUARD_MAX_ALLOWED 8 /* names added with drd_guard_allow_host */
#define DRD_GUARD_MAX_HOSTS (4 + DRD_GUARD_MAX_ALLOWED)
#define DRD_GUARD_MAX_NAME 80 /* of a host name, in bytes */

struct drd_guard {
    char token[DRD_GUARD_TOKEN_LEN + 1];
    char hosts[DRD_GUARD_MAX_HOSTS][96]; /* Host header values accepted, "name:port" */
    int n_hosts;
    int n_allowed; /* of them, added by drd_guard_allow_host */
    int port;
};

/* Makes a fresh token (getrandom) and the accepted Host values for a server listening on addr (numeric, v4 or
 * v6) at port: 127.0.0.1:port, localhost:port, [::1]:port, and addr:port itself when it is neither a loopback
 * nor a wildcard address. Returns 0, or -1 when no random bytes could be had. */
int drd_guard_init(struct drd_guard *g, const char *addr, int port);

/* Accepts Host headers (and Origins) that name this server as name, at its port: a DNS name (letters, digits, '-'
 * and '.', at most DRD_GUARD_MAX_NAME bytes), a dotted IPv4 address or an IPv6 address (with or without its
 * brackets). Returns 0, or -1 with errno EINVAL for anything else (a port, a path, a wildcard, an empty name) or
 * ENOSPC past DRD_GUARD_MAX_ALLOWED names. */
int drd_guard_allow_host(struct drd_guard *g, const char *name);

/* 1 if addr (numeric) is a loopback address, 0 otherwise (wildcards and anything else). */
int drd_guard_addr_loopback(const char *addr);

/* 1 if the Host header value is one the server accepts (exact, case-insensitive), 0 for NULL or any other. */
int drd_guard_host_ok(const struct drd_guard *g, const char *host);

/* 1 if origin is the page's own origin, "http://" followed by an accepted Host; 0 for NULL, "null" or other. */
int drd_guard_origin_ok(const struct drd_guard *g, const char *origin);

/* 1 if candidate equals the token, in time that does not depend on where they differ; 0 for NULL or other. */
int drd_guard_token_ok(const struct drd_guard *g, const char *candidate);

/* The credentials of an Authorization header value of the Bearer scheme ("Bearer TOKEN", the scheme's name in any
 * case, spaces after it): a pointer into authorization, or NULL for NULL, another scheme or no credentials. */
const char *drd_guard_bearer(const char *authorization);

/* serve --open's handoff body, "token=<token>" (a form's post; more fields after '&' are ignored): 1 when it carries
 * the token, 0 for NULL or anything else. */
int drd_guard_handoff_ok(const struct drd_guard *g, const char *body);

#endif
