/* drdotnet serve: the web UI's HTTP server on libmicrohttpd, with its security checks and the built-in page. */
#ifndef DRD_WEB_H
#define DRD_WEB_H

#define DRD_WEB_DEFAULT_PORT 7878

struct drd_web_config {
    const char *listen; /* a numeric IPv4 or IPv6 address, or "localhost"; NULL for 127.0.0.1 */
    int port; /* 0 for any free port */
    int port_given; /* 0: try DRD_WEB_DEFAULT_PORT, then any free port */
    const char *const *allow_hosts; /* n_allow_hosts more names to accept in the Host header (--allow-host) */
    int n_allow_hosts;
    int open; /* --open: once serving, open the page for the user (open.h) */
};

/* Listens, prints the page's address with its token on stdout (one line, "http://HOST:PORT/?token=TOKEN", HOST
 * one that reaches the socket from this machine: 127.0.0.1 for 0.0.0.0, [::1] for ::), with cfg->open opens it
 * (saying on stderr what it did, or that it could not: the address printed is then for the user to open) and
 * serves until SIGINT or SIGTERM. Returns a DRD_EXIT_* code: DRD_EXIT_OK after a signal, DRD_EXIT_USAGE for a bad address or host name,
 * DRD_EXIT_FAILED when the server cannot start. */
int drd_web_serve(const struct drd_web_config *cfg);

#ifdef DRD_WEB_FUZZ
struct MHD_Daemon;
/* Fuzz builds only (tests/fuzz): the server as drd_web_serve makes it, without a listening socket (connections come
 * through MHD_add_connection, served by MHD_run on the caller's thread), accepting token and the Host
 * 127.0.0.1:fake_port, refusing without a line on stderr. Sessions are neither started nor deleted: the API answers
 * 503 once such a request has passed its checks; GET /api/processes looks for runtimes in $TMPDIR only, not in
 * other processes' temp folders. Returns the daemon, or NULL with err. */
struct MHD_Daemon *drd_web_fuzz_start(const char *token, int fake_port, char *err, size_t cap);
#endif

#endif
