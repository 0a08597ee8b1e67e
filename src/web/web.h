/* drdotnet serve: the web UI's HTTP server on libmicrohttpd, with its security checks and the built-in page. */
#ifndef DRD_WEB_H
#define DRD_WEB_H

#define DRD_WEB_DEFAULT_PORT 7878

struct drd_web_config {
    const char *listen; /* a numeric IPv4 or IPv6 address, or "localhost"; NULL for 127.0.0.1 */
    int port; /* 0 for any free port */
    int port_given; /* 0: try DRD_WEB_DEFAULT_PORT, then any free port */
};

/* Listens, prints the page's address with its token on stdout (one line, "http://HOST:PORT/?token=TOKEN") and
 * serves until SIGINT or SIGTERM. Returns a DRD_EXIT_* code: DRD_EXIT_OK after a signal, DRD_EXIT_USAGE for a
 * bad address, DRD_EXIT_FAILED when the server cannot start. */
int drd_web_serve(const struct drd_web_config *cfg);

#endif
