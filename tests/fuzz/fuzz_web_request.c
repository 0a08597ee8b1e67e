/* Fuzz target: whole HTTP requests, as bytes on a connection, to the real server: libmicrohttpd with our request
 * callback, gate, body limits, page and API (src/web/server.c, api.c), built with DRD_WEB_FUZZ so that no session is
 * started or deleted. Sessions live in a scratch DRDOTNET_HOME holding a finished exceptions session, a finished
 * cpu-hotpaths session (so reports and exports are made) and an abandoned one. Each input is one connection; the
 * server must answer it and close it within seconds, with well-formed status lines and no 500.
 *
 * The token is TOKEN and the Host 127.0.0.1:7878, so that inputs can pass the gate. With DRD_FUZZ_SHOW set in the
 * environment, each answer's start goes to stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "fuzzutil.h"
#include "web/api.h"
#include "web/web.h"

#define TOKEN "0123456789abcdef0123456789abcdef"
#define PORT 7878
#define DEADLINE_MS 5000
#define KEEP 65536 /* bytes of the answer kept for the checks */

static struct MHD_Daemon *daemon_;
static char home[4096];

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void copy_file(const char *from, const char *to)
{
    char buf[65536];
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    DRD_FUZZ_CHECK(in && out, "cannot copy %s to %s", from, to);
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        DRD_FUZZ_CHECK(fwrite(buf, 1, n, out) == n, "cannot write %s", to);
    fclose(in);
    DRD_FUZZ_CHECK(fclose(out) == 0, "cannot write %s", to);
}

/* Makes the session folder id, with session.json and raw data copied from the seed corpora when given. */
static void make_session(const char *id, const char *json, const char *raw, const char *raw_name)
{
    char dir[4200], path[4400];
    snprintf(dir, sizeof dir, "%s/sessions/%s", home, id);
    DRD_FUZZ_CHECK(mkdir(dir, 0700) == 0, "cannot make %s", dir);
    if (raw) {
        snprintf(path, sizeof path, "%s/%s", dir, raw_name);
        copy_file(raw, path);
    }
    if (json) {
        snprintf(path, sizeof path, "%s/session.json", dir);
        copy_file(json, path);
    } else {
        /* nothing moved for a day: abandoned */
        struct timespec old[2] = {{time(NULL) - 86400, 0}, {time(NULL) - 86400, 0}};
        utimensat(AT_FDCWD, dir, old, 0);
    }
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void cleanup(void)
{
    drd_api_stop();
    if (home[0])
        nftw(home, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    char err[512], sessions[4200];
    const char *tmp = getenv("TMPDIR");
    snprintf(home, sizeof home, "%s/drd-fuzz-home.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    DRD_FUZZ_CHECK(mkdtemp(home) != NULL, "cannot make a scratch home: %s", strerror(errno));
    atexit(cleanup);
    snprintf(sessions, sizeof sessions, "%s/sessions", home);
    DRD_FUZZ_CHECK(mkdir(sessions, 0700) == 0, "cannot make %s", sessions);
    setenv("DRDOTNET_HOME", home, 1);
    setenv("TMPDIR", home, 1); /* where GET /api/processes looks for runtimes (it finds none) and exports go */
    signal(SIGPIPE, SIG_IGN);
    make_session("20261126-121504-32603-exceptions", DRD_FUZZ_CORPUS "/fuzz_session_json/exceptions_completed.json",
                 DRD_FUZZ_CORPUS "/fuzz_raw_reports/exceptions.raw", "exceptions.raw");
    make_session("20261126-121507-32670-cpu-hotpaths",
                 DRD_FUZZ_CORPUS "/fuzz_session_json/cpu_hotpaths_completed.json",
                 DRD_FUZZ_CORPUS "/fuzz_raw_reports/cpu_hotpaths.raw", "cpu-hotpaths.raw");
    make_session("20261126-121510-32700-exceptions", NULL, NULL, NULL);
    drd_api_fuzz_profilers(drd_fuzz_profilers());
    daemon_ = drd_web_fuzz_start(TOKEN, PORT, err, sizeof err);
    DRD_FUZZ_CHECK(daemon_ != NULL, "the server did not start: %s", err);
}

static unsigned connections(void)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return i ? i->num_connections : 0;
}

/* Checks each status line in the answer (the first, and any after a blank line that starts with HTTP/). */
static void check_answer(const char *a, size_t n)
{
    if (n == 0)
        return;
    DRD_FUZZ_CHECK(n >= 12 && memcmp(a, "HTTP/1.", 7) == 0 && a[8] == ' ', "the answer starts with '%.20s'", a);
    for (const char *p = a; p && (size_t)(p - a) + 12 <= n;) {
        if (memcmp(p, "HTTP/1.", 7) == 0 && p[8] == ' ') {
            int status = atoi(p + 9);
            DRD_FUZZ_CHECK(status >= 100 && status < 600, "status line '%.16s'", p);
            DRD_FUZZ_CHECK(status != 500 && status != 502 && status != 504, "answered %d", status);
        }
        p = memmem(p, n - (size_t)(p - a), "\r\n\r\nHTTP/1.", 11);
        if (p)
            p += 4;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char answer[KEEP];
    if (!daemon_)
        setup();
    int sv[2];
    DRD_FUZZ_CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0, "socketpair: %s",
                   strerror(errno));
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_port = htons(40000), .sin_addr.s_addr = htonl(0x7f000001)};
    DRD_FUZZ_CHECK(MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&peer, sizeof peer) == MHD_YES,
                   "the server takes no connection: %s", strerror(errno));
    size_t sent = 0, got = 0;
    int closed = 0, shut = 0;
    long long deadline = now_ms() + DEADLINE_MS;
    while (!closed) {
        if (sent < size) {
            ssize_t w = send(sv[1], data + sent, size - sent, MSG_NOSIGNAL);
            if (w > 0)
                sent += (size_t)w;
            else if (w < 0 && errno != EAGAIN && errno != EINTR)
                sent = size; /* the server closed early: the rest goes nowhere */
        }
        if (sent == size && !shut) {
            shutdown(sv[1], SHUT_WR);
            shut = 1;
        }
        DRD_FUZZ_CHECK(MHD_run(daemon_) == MHD_YES, "MHD_run failed");
        for (;;) {
            char buf[16384];
            ssize_t r = recv(sv[1], buf, sizeof buf, 0);
            if (r > 0) {
                size_t keep = got < KEEP ? (KEEP - got < (size_t)r ? KEEP - got : (size_t)r) : 0;
                memcpy(answer + got, buf, keep);
                got += keep;
                continue;
            }
            if (r == 0 || (errno != EAGAIN && errno != EINTR))
                closed = 1;
            break;
        }
        DRD_FUZZ_CHECK(closed || now_ms() < deadline, "the connection is still open after %d ms (%zu of %zu bytes sent)",
                       DEADLINE_MS, sent, size);
    }
    close(sv[1]);
    /* the server's side goes once it has seen ours go */
    for (int i = 0; connections() && i < 1000; i++)
        MHD_run(daemon_);
    DRD_FUZZ_CHECK(connections() == 0, "%u connections left open", connections());
    if (getenv("DRD_FUZZ_SHOW")) /* for a look at what the seeds get: the answer, cut */
        fprintf(stderr, "--- %zu bytes in, %zu out:\n%.*s\n", size, got, (int)(got < 600 ? got : 600), answer);
    check_answer(answer, got);
    return 0;
}
