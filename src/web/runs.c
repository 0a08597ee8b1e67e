/* Sessions started by the web server: child processes of this executable, watched through their stderr. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "web/runs.h"

#define PREFIX "drdotnet: "

extern char **environ;

struct run {
    int used; /* the slot holds a child that has not ended, or one whose starter still reads it */
    int waited; /* a starter is waiting on the slot */
    pid_t child;
    int fd; /* read end of the child's stderr */
    struct drd_run_outcome o;
};

static struct run runs[DRD_RUNS_MAX];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

/* Takes one line of the child's stderr (NUL-terminated, no newline) into the outcome; called with the lock. */
static void take_line(struct run *r, char *line)
{
    if (strncmp(line, PREFIX, strlen(PREFIX)) == 0)
        line += strlen(PREFIX);
    if (strncmp(line, "session ", 8) == 0 && !r->o.id[0]) {
        const char *id = line + 8;
        if (drd_session_id_valid(id))
            snprintf(r->o.id, sizeof r->o.id, "%s", id);
        return;
    }
    if (strncmp(line, "attached to pid ", 16) == 0) {
        r->o.attached = 1;
        if (r->o.state == DRD_RUN_STARTING)
            r->o.state = DRD_RUN_ATTACHED;
        return;
    }
    if (*line)
        snprintf(r->o.message, sizeof r->o.message, "%s", line);
}

/* Reads the child's stderr to its end, then reaps the child. */
static void *watch(void *arg)
{
    struct run *r = arg;
    char buf[4096];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(r->fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = 0;
        char *start = buf, *nl;
        pthread_mutex_lock(&lock);
        while ((nl = strchr(start, '\n'))) {
            *nl = 0;
            take_line(r, start);
            start = nl + 1;
        }
        if (start == buf && len == sizeof buf - 1) {
            take_line(r, buf); /* a line longer than the buffer: keep its start */
            len = 0;
        } else {
            len -= (size_t)(start - buf);
            memmove(buf, start, len);
        }
        pthread_cond_broadcast(&changed);
        pthread_mutex_unlock(&lock);
    }
    close(r->fd);
    int status = 0;
    while (waitpid(r->child, &status, 0) < 0 && errno == EINTR)
        ;
    pthread_mutex_lock(&lock);
    if (len) {
        buf[len] = 0;
        take_line(r, buf);
    }
    r->o.state = DRD_RUN_EXITED;
    r->o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    if (!r->waited)
        r->used = 0;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    return NULL;
}

/* Spawns the child with stderr on fd_err. Returns 0 with *child, or an errno value. */
static int spawn(char **argv, int fd_err, pid_t *child)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, dfl;
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc)
        return rc;
    rc = posix_spawnattr_init(&at);
    if (rc)
        goto fail_attr;
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGCHLD);
    /* the server blocks these in every thread; the child starts with none blocked, and in its own group so
     * a Ctrl-C meant for the server does not cut a session short */
    if ((rc = posix_spawnattr_setsigmask(&at, &none)) || (rc = posix_spawnattr_setsigdefault(&at, &dfl)) ||
        (rc = posix_spawnattr_setpgroup(&at, 0)) ||
        (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP)) ||
        (rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) ||
        (rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)) ||
        (rc = posix_spawn_file_actions_adddup2(&fa, fd_err, 2)) ||
        (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)))
        goto fail;
    rc = posix_spawn(child, "/proc/self/exe", &fa, &at, argv, environ);
fail:
    posix_spawnattr_destroy(&at);
fail_attr:
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

int drd_runs_start(pid_t pid, const char *profiler, const struct drd_cd_param *params, int n_params, int wait_ms,
                   struct drd_run_outcome *out, char *err, size_t cap)
{
    char pidbuf[24], kv[DRD_CD_MAX_PARAMS][DRD_CD_MAX_KEY + DRD_CD_MAX_VALUE + 2];
    char *argv[5 + 2 * DRD_CD_MAX_PARAMS + 1];
    int argc = 0;
    if (n_params < 0 || n_params > DRD_CD_MAX_PARAMS) {
        snprintf(err, cap, "too many parameters");
        return -1;
    }
    snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
    argv[argc++] = "drdotnet";
    argv[argc++] = "profile";
    argv[argc++] = pidbuf;
    argv[argc++] = (char *)profiler;
    for (int i = 0; i < n_params; i++) {
        snprintf(kv[i], sizeof kv[i], "%s=%s", params[i].key, params[i].value);
        argv[argc++] = "--param";
        argv[argc++] = kv[i];
    }
    argv[argc] = NULL;

    pthread_mutex_lock(&lock);
    struct run *r = NULL;
    for (int i = 0; i < DRD_RUNS_MAX && !r; i++)
        if (!runs[i].used)
            r = &runs[i];
    if (!r) {
        pthread_mutex_unlock(&lock);
        snprintf(err, cap, "%d sessions are already starting or running; wait for one to end", DRD_RUNS_MAX);
        return -1;
    }
    memset(r, 0, sizeof *r);
    r->used = 1;
    r->waited = 1;
    r->o.state = DRD_RUN_STARTING;
    r->o.exit_code = -1;
    pthread_mutex_unlock(&lock);

    int p[2];
    if (pipe2(p, O_CLOEXEC)) {
        snprintf(err, cap, "cannot make a pipe: %s", strerror(errno));
        goto fail_pipe;
    }
    int rc = spawn(argv, p[1], &r->child);
    close(p[1]);
    if (rc) {
        snprintf(err, cap, "cannot start a session process: %s", strerror(rc));
        goto fail_spawn;
    }
    r->fd = p[0];
    pthread_t t;
    pthread_attr_t ta;
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    rc = pthread_create(&t, &ta, watch, r);
    pthread_attr_destroy(&ta);
    if (rc) {
        /* without a watcher nobody reads or reaps: stop the child now */
        kill(r->child, SIGKILL);
        waitpid(r->child, NULL, 0);
        snprintf(err, cap, "cannot start a thread: %s", strerror(rc));
        goto fail_spawn;
    }

    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += wait_ms / 1000;
    until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&lock);
    while (r->o.state == DRD_RUN_STARTING && pthread_cond_timedwait(&changed, &lock, &until) != ETIMEDOUT)
        ;
    *out = r->o;
    r->waited = 0;
    if (r->o.state == DRD_RUN_EXITED)
        r->used = 0;
    pthread_mutex_unlock(&lock);
    return 0;

fail_spawn:
    close(p[0]);
fail_pipe:
    pthread_mutex_lock(&lock);
    r->used = 0;
    pthread_mutex_unlock(&lock);
    return -1;
}

int drd_runs_active(const char *id)
{
    int active = 0;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < DRD_RUNS_MAX; i++)
        if (runs[i].used && runs[i].o.state != DRD_RUN_EXITED && strcmp(runs[i].o.id, id) == 0)
            active = 1;
    pthread_mutex_unlock(&lock);
    return active;
}
