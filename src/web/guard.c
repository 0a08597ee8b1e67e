/* The web server's gatekeeping: a random token and the header it comes in, exact Host and Origin checks. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "web/guard.h"

int drd_guard_addr_loopback(const char *addr)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, addr, a) == 1)
        return a[0] == 127;
    if (inet_pton(AF_INET6, addr, a) == 1) {
        static const unsigned char one[16] = {[15] = 1};
        static const unsigned char v4mapped[12] = {[10] = 0xff, [11] = 0xff};
        if (memcmp(a, one, 16) == 0)
            return 1;
        return memcmp(a, v4mapped, 12) == 0 && a[12] == 127;
    }
    return 0;
}

/* 1 for 0.0.0.0 and ::, which name no one host. */
static int wildcard(const char *addr)
{
    unsigned char a[16], zero[16] = {0};
    if (inet_pton(AF_INET, addr, a) == 1)
        return memcmp(a, zero, 4) == 0;
    if (inet_pton(AF_INET6, addr, a) == 1)
        return memcmp(a, zero, 16) == 0;
    return 0;
}

static void add_host(struct drd_guard *g, const char *name, int port)
{
    if (g->n_hosts < DRD_GUARD_MAX_HOSTS)
        snprintf(g->hosts[g->n_hosts++], sizeof g->hosts[0], "%s:%d", name, port);
}

int drd_guard_init(struct drd_guard *g, const char *addr, int port)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char r[DRD_GUARD_TOKEN_LEN / 2];
    size_t got = 0;
    memset(g, 0, sizeof *g);
    while (got < sizeof r) {
        ssize_t n = getrandom(r + got, sizeof r - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    for (size_t i = 0; i < sizeof r; i++) {
        g->token[2 * i] = hex[r[i] >> 4];
        g->token[2 * i + 1] = hex[r[i] & 15];
    }
    g->token[DRD_GUARD_TOKEN_LEN] = 0;
    add_host(g, "127.0.0.1", port);
    add_host(g, "localhost", port);
    add_host(g, "[::1]", port);
    if (strcmp(addr, "127.0.0.1") != 0 && strcmp(addr, "::1") != 0 && !wildcard(addr)) {
        char name[64];
        snprintf(name, sizeof name, strchr(addr, ':') ? "[%s]" : "%s", addr);
        add_host(g, name, port);
    }
    g->port = port;
    return 0;
}

/* 1 if name is a DNS name as drd_guard_allow_host takes it: labels of letters, digits and '-', not starting or
 * ending with '-', separated by single dots. */
static int dns_name(const char *name)
{
    size_t label = 0;
    for (const char *p = name;; p++) {
        if (*p == '.' || *p == 0) {
            if (label == 0 || label > 63 || p[-1] == '-')
                return 0;
            if (*p == 0)
                return 1;
            label = 0;
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                   (*p == '-' && label > 0)) {
            label++;
        } else {
            return 0;
        }
    }
}

int drd_guard_allow_host(struct drd_guard *g, const char *name)
{
    char bare[DRD_GUARD_MAX_NAME + 1], host[DRD_GUARD_MAX_NAME + 3], entry[sizeof g->hosts[0]];
    unsigned char a[16];
    size_t len = name ? strlen(name) : 0;
    int bracketed = len >= 2 && name[0] == '[' && name[len - 1] == ']';
    if (len == 0 || len > DRD_GUARD_MAX_NAME) {
        errno = EINVAL;
        return -1;
    }
    snprintf(bare, sizeof bare, "%.*s", (int)(bracketed ? len - 2 : len), bracketed ? name + 1 : name);
    if (inet_pton(AF_INET6, bare, a) == 1 && !wildcard(bare))
        snprintf(host, sizeof host, "[%s]", bare);
    else if (!bracketed && dns_name(bare) && !wildcard(bare))
        snprintf(host, sizeof host, "%s", bare);
    else {
        errno = EINVAL;
        return -1;
    }
    snprintf(entry, sizeof entry, "%s:%d", host, g->port);
    if (drd_guard_host_ok(g, entry))
        return 0;
    if (g->n_allowed >= DRD_GUARD_MAX_ALLOWED) {
        errno = ENOSPC;
        return -1;
    }
    g->n_allowed++;
    add_host(g, host, g->port);
    return 0;
}

int drd_guard_host_ok(const struct drd_guard *g, const char *host)
{
    if (!host)
        return 0;
    for (int i = 0; i < g->n_hosts; i++)
        if (strcasecmp(host, g->hosts[i]) == 0)
            return 1;
    return 0;
}

int drd_guard_origin_ok(const struct drd_guard *g, const char *origin)
{
    if (!origin || strncasecmp(origin, "http://", 7) != 0)
        return 0;
    return drd_guard_host_ok(g, origin + 7);
}

int drd_guard_token_ok(const struct drd_guard *g, const char *candidate)
{
    if (!candidate || strlen(candidate) != DRD_GUARD_TOKEN_LEN)
        return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < DRD_GUARD_TOKEN_LEN; i++)
        diff |= (unsigned char)(candidate[i] ^ g->token[i]);
    return diff == 0;
}

const char *drd_guard_bearer(const char *authorization)
{
    if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
        return NULL;
    const char *p = authorization + 7;
    while (*p == ' ')
        p++;
    return *p ? p : NULL;
}

int drd_guard_handoff_ok(const struct drd_guard *g, const char *body)
{
    static const char key[] = "token=";
    if (!body || strncmp(body, key, sizeof key - 1) != 0)
        return 0;
    const char *value = body + sizeof key - 1;
    size_t n = strcspn(value, "&\r\n");
    if (n != DRD_GUARD_TOKEN_LEN)
        return 0;
    char token[DRD_GUARD_TOKEN_LEN + 1];
    memcpy(token, value, n);
    token[n] = 0;
    return drd_guard_token_ok(g, token);
}
