/* drdotnet serve --open (open.h). */
#define _GNU_SOURCE
#include "web/open.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int drd_open_find(const char *name, char *out, size_t cap)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return -1;
    for (const char *p = path; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        int len = snprintf(out, cap, "%.*s/%s", (int)n, n ? p : ".", name);
        if (len > 0 && (size_t)len < cap && access(out, X_OK) == 0)
            return 0;
        if (!colon)
            break;
        p = colon + 1;
    }
    return -1;
}

/* The child's side of spawn: a session of its own, the signals the server blocks unblocked, no terminal output,
 * then a second fork so that the browser is nobody's child (the server never waits for it). Never returns. */
static void detach_and_exec(char *const argv[])
{
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, STDIN_FILENO);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
    }
    pid_t grandchild = fork();
    if (grandchild != 0)
        _exit(grandchild < 0 ? 127 : 0);
    execv(argv[0], argv);
    _exit(127);
}

/* Starts argv detached. Returns 0, or -1 when the fork failed. */
static int spawn(char *const argv[])
{
    pid_t child = fork();
    if (child < 0)
        return -1;
    if (child == 0)
        detach_and_exec(argv);
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int drd_open_url(const char *url, char *said, size_t cap)
{
    static const char *const browsers[] = {DRD_OPEN_APP_BROWSERS};
    char path[4096], app[8192];
    for (size_t i = 0; i < sizeof browsers / sizeof browsers[0]; i++) {
        if (drd_open_find(browsers[i], path, sizeof path))
            continue;
        int n = snprintf(app, sizeof app, "--app=%s", url);
        if (n < 0 || (size_t)n >= sizeof app)
            break;
        char *argv[] = {path, app, NULL};
        if (spawn(argv) == 0) {
            snprintf(said, cap, "opened the page in an app window of %s (%s --app=ADDRESS)", browsers[i], path);
            return 0;
        }
    }
    if (drd_open_find("xdg-open", path, sizeof path) == 0) {
        char *argv[] = {path, (char *)url, NULL};
        if (spawn(argv) == 0) {
            snprintf(said, cap, "asked the desktop's default browser to open the page (%s ADDRESS)", path);
            return 0;
        }
    }
    snprintf(said, cap,
             "found no browser to open the page (no chromium, chromium-browser, google-chrome or xdg-open on PATH)");
    return -1;
}

static char handoff_dir[4096], handoff_file[4200];
static pthread_mutex_t handoff_lock = PTHREAD_MUTEX_INITIALIZER; /* a request's thread and the stopping server */

int drd_open_handoff_write(const char *base, const char *token, char *url, size_t cap)
{
    const char *runtime = getenv("XDG_RUNTIME_DIR"), *tmp = getenv("TMPDIR");
    const char *parent = runtime && *runtime ? runtime : tmp && *tmp ? tmp : "/tmp";
    int n = snprintf(handoff_dir, sizeof handoff_dir, "%s/drdotnet-open-XXXXXX", parent);
    if (n < 0 || (size_t)n >= sizeof handoff_dir || !mkdtemp(handoff_dir)) { /* mkdtemp: mode 0700 */
        handoff_dir[0] = 0;
        return -1;
    }
    snprintf(handoff_file, sizeof handoff_file, "%s/open.html", handoff_dir);
    int fd = open(handoff_file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        drd_open_handoff_remove();
        errno = e;
        return -1;
    }
    /* base and token are ours (an address of digits and dots or brackets, a hex token): nothing to escape */
    fprintf(f,
            "<!doctype html>\n<meta charset=\"utf-8\"><title>drdotnet</title>\n"
            "<form method=\"post\" action=\"%s%s\"><input type=\"hidden\" name=\"token\" value=\"%s\">"
            "<noscript><button>Open drdotnet</button></noscript></form>\n"
            "<script>document.forms[0].submit()</script>\n",
            base, DRD_OPEN_HANDOFF_PATH, token);
    if (fclose(f) != 0) {
        drd_open_handoff_remove();
        return -1;
    }
    n = snprintf(url, cap, "file://%s", handoff_file);
    if (n < 0 || (size_t)n >= cap) {
        drd_open_handoff_remove();
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

void drd_open_handoff_remove(void)
{
    pthread_mutex_lock(&handoff_lock);
    if (handoff_dir[0]) {
        unlink(handoff_file);
        rmdir(handoff_dir);
        handoff_dir[0] = 0;
    }
    pthread_mutex_unlock(&handoff_lock);
}
