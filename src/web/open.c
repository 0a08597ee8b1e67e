/* drdotnet serve --open (open.h). */
#define _GNU_SOURCE
#include "web/open.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
