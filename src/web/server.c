/* The web UI's HTTP server: the listening socket, libmicrohttpd, the checks every request passes (head size, Host,
 * Origin, token, body size), the page's files, and serving until a signal. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "tool/tool.h"
#include "web/api.h"
#include "web/assets.h"
#include "web/guard.h"
#include "web/http.h"
#include "web/open.h"
#include "web/slots.h"
#include "web/web.h"

/* A request head (request line and headers) may take up to HEAD_MAX bytes, like Kestrel's default; past that the
 * answer is our 431 with a sentence. libmicrohttpd needs about twice a head in its per-connection pool (it copies the
 * Cookie header to parse it), and its own answer when the pool runs out is a broken 431 (0.9.75 sends the status
 * line twice), so the pool leaves it room to spare for any head up to HEAD_MAX and well past it. */
#define HEAD_MAX (32 * 1024)
#define CONNECTION_MEMORY (128 * 1024)
/* Slow clients (slowloris) cannot fill the connection cap: a request head must be complete within HEAD_DEADLINE_S
 * of its connection (or of the previous answer on a kept-alive one), and at most WAITING_MAX connections wait for
 * a head at once, a new connection making the oldest waiting one give way (slots.h). Only connections past their
 * head, which without the token end as soon as they are answered, count towards the rest of MAX_CONNECTIONS. */
#define MAX_CONNECTIONS 256
#define WAITING_MAX 32
#define HEAD_DEADLINE_S 10
#define IDLE_TIMEOUT_S 60
#define DISCARD_MAX (1024 * 1024) /* of an oversized body without a length: past this the connection is cut */

#define CSP                                                                                                          \
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "           \
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

/* A request's body as it arrives. */
struct body {
    char *data;
    size_t len, cap;
    int too_large;
    size_t discarded; /* bytes past the limit, read and dropped */
};

static struct drd_guard guard;
static struct drd_slots *slots; /* NULL in fuzz builds: connections there are not watched */
static int port;
static int quiet; /* no line on stderr for each refusal */

/* Copies s into out with anything unprintable as '?', for the log. */
static const char *printable(const char *s, char *out, size_t cap)
{
    size_t i = 0;
    for (; s && s[i] && i + 1 < cap; i++)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[i] = 0;
    return out;
}

/* Queues a refusal of the gate, logged on stderr. */
static enum MHD_Result refuse(struct MHD_Connection *c, const char *method, const char *url, unsigned status,
                              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum MHD_Result refuse(struct MHD_Connection *c, const char *method, const char *url, unsigned status,
                              const char *fmt, ...)
{
    char msg[512], m[16], u[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!quiet)
        fprintf(stderr, "drdotnet serve: refused %s %s (%u): %s\n", printable(method, m, sizeof m),
                printable(url, u, sizeof u), status, msg);
    return drd_http_error(c, status, "%s", msg);
}

static int safe_method(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

static int is_api(const char *url)
{
    return strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0;
}

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    int *n = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_HOST) == 0)
        n[0]++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_ORIGIN) == 0)
        n[1]++;
    return MHD_YES;
}

/* 1 when the request is serve --open's handoff (open.h): a POST of the token from the user's own file. */
static int is_handoff(const char *url, const char *method)
{
    return strcmp(url, DRD_OPEN_HANDOFF_PATH) == 0 && strcmp(method, "POST") == 0;
}

/* 1 (with a refusal queued in *rc) when the Content-Length is above what the server reads, else 0. */
static int body_too_large(struct MHD_Connection *c, const char *method, const char *url, const char *length,
                          enum MHD_Result *rc)
{
    if (length && strtoull(length, NULL, 10) > DRD_API_MAX_BODY) {
        *rc = refuse(c, method, url, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is larger than %d KiB",
                     DRD_API_MAX_BODY / 1024);
        return 1;
    }
    return 0;
}

/* The checks that need no body, in the first call for a request. Returns 1 when it queued a refusal (with *rc),
 * 0 to go on. */
static int gate(struct MHD_Connection *c, const char *url, const char *method, enum MHD_Result *rc)
{
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN);
    const char *length = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    const union MHD_ConnectionInfo *head = MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    int safe = safe_method(method), seen[2] = {0, 0};
    if (head && head->header_size > HEAD_MAX) {
        *rc = refuse(c, method, url, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE,
                     "the request's headers take %zu KiB, more than the %d KiB this server reads; often these are "
                     "cookies that other local web apps set for this host name, which browsers send to every port: "
                     "clear them, or open the page with another loopback name (localhost or [::1] for 127.0.0.1)",
                     (head->header_size + 1023) / 1024, HEAD_MAX / 1024);
        return 1;
    }
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, seen);
    if (seen[0] > 1 || seen[1] > 1) {
        *rc = refuse(c, method, url, MHD_HTTP_BAD_REQUEST, "a request carries one Host header and at most one Origin");
        return 1;
    }
    if (!drd_guard_host_ok(&guard, host)) {
        *rc = refuse(c, method, url, MHD_HTTP_FORBIDDEN,
                     "the Host header must be 127.0.0.1:%d, localhost:%d, [::1]:%d or a name given with "
                     "--allow-host (other names are refused, against DNS rebinding)",
                     port, port, port);
        return 1;
    }
    if (is_handoff(url, method)) /* from a file of the user's: Origin null; the token in its body is the check */
        return body_too_large(c, method, url, length, rc);
    if (origin && !drd_guard_origin_ok(&guard, origin)) {
        *rc = refuse(c, method, url, MHD_HTTP_FORBIDDEN, "requests from other sites are refused");
        return 1;
    }
    if (!safe && !origin) {
        *rc = refuse(c, method, url, MHD_HTTP_FORBIDDEN,
                     "a request that changes something must come from the page itself (its Origin header)");
        return 1;
    }
    if (is_api(url)) {
        /* the token comes in a header that the page's script adds, never in a cookie: browsers send a cookie of
         * 127.0.0.1 to every server on 127.0.0.1, whatever its port, so another local user's server would get it */
        const char *header = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-DrDotnet-Token");
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
        const char *bearer = drd_guard_bearer(auth);
        if (!header && !bearer) {
            *rc = refuse(c, method, url, MHD_HTTP_FORBIDDEN,
                         "the API needs the token (header Authorization: Bearer TOKEN, or X-DrDotnet-Token): open "
                         "the address that drdotnet serve printed (it ends in ?token=...)");
            return 1;
        }
        if ((header && !drd_guard_token_ok(&guard, header)) || (bearer && !drd_guard_token_ok(&guard, bearer))) {
            *rc = refuse(c, method, url, MHD_HTTP_FORBIDDEN,
                         "wrong token: open the address that this drdotnet serve printed");
            return 1;
        }
    } else if (!safe) {
        *rc = refuse(c, method, url, MHD_HTTP_METHOD_NOT_ALLOWED, "the page's files are only read (GET)");
        return 1;
    }
    return body_too_large(c, method, url, length, rc);
}

/* GET of the page's files. "/?token=..." is the page too: its script takes the token from the address (no cookie
 * is ever set); a wrong one is refused here, so that a stale address says so at once. */
static enum MHD_Result page(struct MHD_Connection *c, const char *method, const char *url)
{
    if (strcmp(url, "/") == 0) {
        const char *token = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
        if (token && !drd_guard_token_ok(&guard, token))
            return refuse(c, method, url, MHD_HTTP_FORBIDDEN,
                          "wrong token: open the address that this drdotnet serve printed");
        url = "/index.html";
    }
    for (int i = 0; i < drd_assets_count; i++) {
        const struct drd_asset *a = &drd_assets[i];
        if (strcmp(url, a->path) != 0)
            continue;
        struct MHD_Response *r = MHD_create_response_from_buffer(a->size, (void *)a->data, MHD_RESPMEM_PERSISTENT);
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
        MHD_add_response_header(r, "Content-Security-Policy", CSP);
        return drd_http_queue(c, MHD_HTTP_OK, r);
    }
    return drd_http_error(c, MHD_HTTP_NOT_FOUND, "no such page");
}

/* serve --open's handoff: the body "token=<token>" from the file the server wrote; answers 303 to the page's
 * address with the token, which the page keeps (app.js), and removes the file, whose work is done. */
static enum MHD_Result handoff(struct MHD_Connection *c, const char *method, const char *url, const char *body)
{
    if (!drd_guard_handoff_ok(&guard, body))
        return refuse(c, method, url, MHD_HTTP_FORBIDDEN,
                      "wrong token: open the address that this drdotnet serve printed");
    drd_open_handoff_remove();
    char location[64 + DRD_GUARD_TOKEN_LEN];
    snprintf(location, sizeof location, "/?token=%s", guard.token);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, location);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    return drd_http_queue(c, MHD_HTTP_SEE_OTHER, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **req_cls)
{
    (void)cls;
    (void)version;
    struct body *b = *req_cls;
    if (!b) {
        enum MHD_Result rc;
        const union MHD_ConnectionInfo *ctx = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        drd_slots_head(slots, ctx ? ctx->socket_context : NULL);
        b = calloc(1, sizeof *b);
        if (!b)
            return MHD_NO;
        *req_cls = b;
        return gate(c, url, method, &rc) ? rc : MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (b->too_large || b->len + n > DRD_API_MAX_BODY) {
            /* a body without a Content-Length that grew too large: read on to answer 413 at its end, but no
             * further than DISCARD_MAX (libmicrohttpd takes no reply in the middle of a body) */
            b->too_large = 1;
            b->discarded += n;
            return b->discarded > DISCARD_MAX ? MHD_NO : MHD_YES;
        }
        if (b->len + n + 1 > b->cap) {
            size_t cap = b->cap ? b->cap : 1024;
            while (cap < b->len + n + 1)
                cap *= 2;
            char *d = realloc(b->data, cap);
            if (!d)
                return MHD_NO;
            b->data = d;
            b->cap = cap;
        }
        memcpy(b->data + b->len, upload, n);
        b->len += n;
        b->data[b->len] = 0;
        return MHD_YES;
    }
    if (b->too_large)
        return refuse(c, method, url, MHD_HTTP_CONTENT_TOO_LARGE, "the request body is larger than %d KiB",
                      DRD_API_MAX_BODY / 1024);
    if (is_handoff(url, method))
        return handoff(c, method, url, b->data ? b->data : "");
    if (!is_api(url))
        return page(c, method, url);
    struct drd_api_request r = {c, method, url, b->data ? b->data : "", b->len};
    return drd_api_handle(&r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)why;
    struct body *b = *req_cls;
    if (b)
        free(b->data);
    free(b);
    *req_cls = NULL;
    const union MHD_ConnectionInfo *ctx = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    drd_slots_wait(slots, ctx ? ctx->socket_context : NULL);
}

/* Each connection's slot in the table of those waiting for a head: from its start (on the listening thread) to
 * its end, before libmicrohttpd closes the socket. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode what)
{
    (void)cls;
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = fd ? drd_slots_open(slots, fd->connect_fd) : NULL;
    } else if (what == MHD_CONNECTION_NOTIFY_CLOSED) {
        drd_slots_close(slots, *socket_context);
        *socket_context = NULL;
    }
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    /* a browser that leaves a page in the middle of an event stream is no news */
    if (strncmp(fmt, "Failed to send", 14) == 0)
        return;
    fputs("drdotnet serve: libmicrohttpd: ", stderr);
    vfprintf(stderr, fmt, ap);
}

/* Binds and listens on addr:want (want 0: any free port). Returns the socket with the port in *bound, or -1
 * with errno (EINVAL when addr is not a numeric address). */
static int open_listener(const char *addr, int want, int *bound, int *v6)
{
    struct sockaddr_storage ss;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)want);
        len = sizeof *a4;
        *v6 = 0;
    } else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)want);
        len = sizeof *a6;
        *v6 = 1;
    } else {
        errno = EINVAL;
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (*v6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, MAX_CONNECTIONS) ||
        getsockname(fd, (struct sockaddr *)&ss, &len)) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    *bound = ntohs(*v6 ? a6->sin6_port : a4->sin_port);
    return fd;
}

/* Starts libmicrohttpd with flags on the listening socket fd (MHD_INVALID_SOCKET with MHD_USE_NO_LISTEN_SOCKET),
 * answering with on_request. Returns the daemon, or NULL. */
static struct MHD_Daemon *start_daemon(unsigned flags, int fd)
{
    struct MHD_OptionItem sock[] = {
        {fd == MHD_INVALID_SOCKET ? MHD_OPTION_END : MHD_OPTION_LISTEN_SOCKET, fd, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    return MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                            MHD_OPTION_ARRAY, sock, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY, MHD_OPTION_CONNECTION_LIMIT,
                            (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
                            MHD_OPTION_END);
}

#ifdef DRD_WEB_FUZZ
struct MHD_Daemon *drd_web_fuzz_start(const char *token, int fake_port, char *err, size_t cap)
{
    if (drd_guard_init(&guard, "127.0.0.1", fake_port)) {
        snprintf(err, cap, "no random bytes for the token");
        return NULL;
    }
    snprintf(guard.token, sizeof guard.token, "%s", token);
    port = fake_port;
    quiet = 1;
    if (drd_api_init(err, cap))
        return NULL;
    struct MHD_Daemon *d = start_daemon(MHD_USE_NO_LISTEN_SOCKET, MHD_INVALID_SOCKET);
    if (!d)
        snprintf(err, cap, "libmicrohttpd did not start");
    return d;
}
#endif

/* An address that reaches the socket from here: a wildcard names no host; :: is IPv6 only (IPV6_V6ONLY). */
static void reachable_host(const char *addr, int v6, char *host, size_t cap)
{
    if (strcmp(addr, "0.0.0.0") == 0)
        snprintf(host, cap, "127.0.0.1");
    else if (strcmp(addr, "::") == 0)
        snprintf(host, cap, "[::1]");
    else
        snprintf(host, cap, v6 ? "[%s]" : "%s", addr);
}

/* The warning for a server that other machines reach, and which names they must use. */
static void warn_exposed(const char *addr, const char *host)
{
    fprintf(stderr,
            "drdotnet serve: WARNING: listening on %s, which is not a loopback address: other machines can\n"
            "reach this server, which can load native code into your processes. The token is all that stands\n"
            "in their way, and it travels unencrypted over plain HTTP. Prefer the default, 127.0.0.1.\n",
            addr);
    if (guard.n_allowed > 0) {
        fprintf(stderr, "drdotnet serve: from other machines, open the address below with one of these names in "
                        "place of %s:",
                host);
        for (int i = guard.n_hosts - guard.n_allowed; i < guard.n_hosts; i++)
            fprintf(stderr, " %.*s", (int)(strrchr(guard.hosts[i], ':') - guard.hosts[i]), guard.hosts[i]);
        fputc('\n', stderr);
    } else if (strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0) {
        fprintf(stderr,
                "drdotnet serve: requests that name this machine otherwise than %s, localhost or [::1] are\n"
                "refused (403, against DNS rebinding): name the host names to accept with --allow-host NAME\n",
                host);
    }
}

/* The page's address with its token, on standard output (a script reads it there). */
static void print_address(const char *host)
{
    printf("http://%s:%d/?token=%s\n", host, port, guard.token);
    fflush(stdout);
}

/* serve --open: the browser opens a file of the user's that posts the token, never the token on its command line
 * (open.h); says what was done. */
static void open_page(const char *host)
{
    char said[4400], file_url[4300], base[96];
    snprintf(base, sizeof base, "http://%s:%d", host, port);
    int opened = -1;
    if (drd_open_handoff_write(base, guard.token, file_url, sizeof file_url))
        snprintf(said, sizeof said, "cannot write the page that opens the server (%s)", strerror(errno));
    else
        opened = drd_open_url(file_url, said, sizeof said);
    if (opened)
        drd_open_handoff_remove();
    fprintf(stderr, "drdotnet serve: %s%s\n", said,
            opened == 0 ? "; if no window appears (no desktop here), open the address above by hand"
                        : ": open the address above in a browser");
    fprintf(stderr, "drdotnet serve: Ctrl-C stops the server\n");
}

int drd_web_serve(const struct drd_web_config *cfg)
{
    const char *addr = cfg->listen ? cfg->listen : "127.0.0.1";
    char err[512];
    int v6 = 0, fd;
    if (strcmp(addr, "localhost") == 0)
        addr = "127.0.0.1";
    if (cfg->port < 0 || cfg->port > 65535) {
        drd_tool_error("serve: --port takes 0 to 65535");
        return DRD_EXIT_USAGE;
    }
    int want = cfg->port_given ? cfg->port : DRD_WEB_DEFAULT_PORT;
    fd = open_listener(addr, want, &port, &v6);
    if (fd < 0 && errno == EADDRINUSE && !cfg->port_given) {
        fd = open_listener(addr, 0, &port, &v6);
        if (fd >= 0)
            fprintf(stderr, "drdotnet serve: port %d is taken; serving on %d instead\n", want, port);
    }
    if (fd < 0) {
        if (errno == EINVAL)
            drd_tool_error("serve: --listen takes a numeric IPv4 or IPv6 address, not '%s'", addr);
        else
            drd_tool_error("serve: cannot listen on %s port %d: %s", addr, want, strerror(errno));
        return errno == EINVAL ? DRD_EXIT_USAGE : DRD_EXIT_FAILED;
    }
    if (drd_guard_init(&guard, addr, port)) {
        drd_tool_error("serve: no random bytes for the token: %s", strerror(errno));
        close(fd);
        return DRD_EXIT_FAILED;
    }
    for (int i = 0; i < cfg->n_allow_hosts; i++) {
        if (drd_guard_allow_host(&guard, cfg->allow_hosts[i]) == 0)
            continue;
        if (errno == ENOSPC)
            drd_tool_error("serve: --allow-host takes at most %d names", DRD_GUARD_MAX_ALLOWED);
        else
            drd_tool_error("serve: --allow-host takes a host name or an IP address, without a port, not '%s'",
                          cfg->allow_hosts[i]);
        close(fd);
        return DRD_EXIT_USAGE;
    }
    if (drd_api_init(err, sizeof err)) {
        drd_tool_error("serve: %s", err);
        close(fd);
        return DRD_EXIT_FAILED;
    }
    if (drd_slots_create(WAITING_MAX, HEAD_DEADLINE_S * 1000, 1000, &slots)) {
        drd_tool_error("serve: cannot start the watch on slow clients: %s", strerror(errno));
        drd_api_stop();
        close(fd);
        return DRD_EXIT_FAILED;
    }

    /* every thread started from here on (libmicrohttpd's) leaves SIGINT and SIGTERM to sigwait below */
    sigset_t stop, old;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, &old);
    signal(SIGPIPE, SIG_IGN);
    struct MHD_Daemon *d = start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                                            MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0),
                                        fd);
    if (!d) {
        drd_tool_error("serve: the HTTP server did not start");
        drd_api_stop();
        drd_slots_destroy(slots);
        slots = NULL;
        close(fd);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        return DRD_EXIT_FAILED;
    }

    char host[64];
    reachable_host(addr, v6, host, sizeof host);
    if (!drd_guard_addr_loopback(addr))
        warn_exposed(addr, host);
    print_address(host);
    if (cfg->open)
        open_page(host);
    else
        fprintf(stderr, "drdotnet serve: open the address above in a browser; Ctrl-C stops the server\n");

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "drdotnet serve: stopping (%s)\n", strsignal(sig));
    drd_api_stop();
    MHD_stop_daemon(d);
    drd_open_handoff_remove();
    drd_slots_destroy(slots);
    slots = NULL;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return DRD_EXIT_OK;
}
