/* Sessions in another process's file system: folders made through /proc/<pid>/root, results moved back. */
#define _GNU_SOURCE
#include "tool/place.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "tool/libcopy.h"
#include "tool/tool.h"
#include "common/fsutil.h"
#include "diag/proc.h"
#include "common/clock.h"

#define LIB_NAME "libdrdotnet.so"

/* Opens rel below root_fd as if root_fd were "/": every symlink, absolute ones included, resolves inside it.
 * Returns a directory fd, or -1 with errno (ENOSYS on a kernel without openat2, before 5.6). */
static int resolve_in_root(int root_fd, const char *rel)
{
#ifdef SYS_openat2
    struct open_how how = {
        .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
        .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
    };
    return (int)syscall(SYS_openat2, root_fd, rel, &how, sizeof how);
#else
    (void)root_fd;
    (void)rel;
    errno = ENOSYS;
    return -1;
#endif
}

/* The fallback of resolve_in_root: one component at a time, refusing every symlink and "..". Returns a
 * directory fd, or -1 with errno. */
static int walk_nofollow(int root_fd, const char *rel)
{
    char buf[256];
    if (snprintf(buf, sizeof buf, "%s", rel) >= (int)sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int cur = fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
    char *save = NULL;
    for (char *c = strtok_r(buf, "/", &save); cur >= 0 && c; c = strtok_r(NULL, "/", &save)) {
        if (strcmp(c, ".") == 0)
            continue;
        if (strcmp(c, "..") == 0) {
            close(cur);
            errno = EXDEV;
            return -1;
        }
        int next = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (next >= 0 && (fstat(next, &st) || !S_ISDIR(st.st_mode))) {
            close(next);
            next = -1;
            errno = ELOOP;
        }
        int e = errno;
        close(cur);
        errno = e;
        cur = next;
    }
    return cur;
}

/* Opens dir (absolute, as pid sees it) inside pid's root. Returns a directory fd, or -1 with errno. */
static int open_in_root(pid_t pid, const char *dir)
{
    char root[64];
    snprintf(root, sizeof root, "/proc/%d/root", (int)pid);
    int root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (root_fd < 0)
        return -1;
    const char *rel = dir;
    while (*rel == '/')
        rel++;
    if (!*rel)
        rel = ".";
    int fd = resolve_in_root(root_fd, rel);
    if (fd < 0 && errno == ENOSYS)
        fd = walk_nofollow(root_fd, rel);
    int e = errno;
    close(root_fd);
    errno = e;
    return fd;
}

/* Opens the folder name that we just made in dir_fd, checking that it is still ours (a process that can write
 * in dir_fd could have swapped it), and sets its mode. Returns the fd, or -1 with errno. */
static int open_own_dir(int dir_fd, const char *name, mode_t mode)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() || fchmod(fd, mode)) {
        close(fd);
        errno = EEXIST;
        return -1;
    }
    return fd;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int drd_place_create(const struct drd_proc_view *v, const char *lib, const char *session_id, struct drd_place **out,
                     char *err, size_t errcap)
{
    *out = NULL;
    struct drd_place *pl = calloc(1, sizeof *pl);
    if (!pl) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    pl->pid = v->pid;
    pl->tmp_fd = pl->top_fd = pl->sess_fd = -1;
    uint64_t r;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) {
        snprintf(err, errcap, "getrandom: %s", strerror(errno));
        goto fail;
    }
    snprintf(pl->top_name, sizeof pl->top_name, "drdotnet-%016llx", (unsigned long long)r);
    snprintf(pl->session_id, sizeof pl->session_id, "%s", session_id);
    const char *tmp = strcmp(v->tmp, "/") == 0 ? "" : v->tmp;
    if (snprintf(pl->lib_path, sizeof pl->lib_path, "%s/%s/%s", tmp, pl->top_name, LIB_NAME) >=
            (int)sizeof pl->lib_path ||
        drd_fs_path(pl->out_dir, sizeof pl->out_dir, "%s/%s/%s", tmp, pl->top_name, session_id) >=
            (int)sizeof pl->out_dir ||
        drd_fs_path(pl->host_top, sizeof pl->host_top, "/proc/%d/root%s/%s", (int)v->pid, tmp, pl->top_name) >=
            (int)sizeof pl->host_top) {
        snprintf(err, errcap, "the temp folder of pid %d (%s) has too long a path", (int)v->pid, v->tmp);
        goto fail;
    }
    pl->tmp_fd = open_in_root(v->pid, v->tmp);
    if (pl->tmp_fd < 0) {
        snprintf(err, errcap, "cannot open %s, the temp folder of pid %d, inside its file system: %s", v->tmp,
                 (int)v->pid, strerror(errno));
        goto fail;
    }
    if (mkdirat(pl->tmp_fd, pl->top_name, 0711)) {
        snprintf(err, errcap, "cannot create %s: %s", pl->host_top, strerror(errno));
        goto fail;
    }
    pl->top_fd = open_own_dir(pl->tmp_fd, pl->top_name, 0711);
    if (pl->top_fd < 0) {
        snprintf(err, errcap, "%s was replaced while we made it", pl->host_top);
        goto fail_top;
    }
    if (drd_libcopy_write_at(lib, pl->top_fd, LIB_NAME, err, errcap))
        goto fail_top;
    if (mkdirat(pl->top_fd, session_id, 0700)) {
        snprintf(err, errcap, "cannot create %s/%s: %s", pl->host_top, session_id, strerror(errno));
        goto fail_lib;
    }
    pl->sess_fd = open_own_dir(pl->top_fd, session_id, 0700);
    if (pl->sess_fd < 0) {
        drd_fs_path(err, errcap, "%s/%s was replaced while we made it", pl->host_top, session_id);
        goto fail_sess;
    }
    /* the profiler writes there as the target's user */
    if (v->uid != (uid_t)-1 && v->uid != geteuid()) {
        if (fchown(pl->sess_fd, v->uid, v->gid)) {
            snprintf(err, errcap,
                     "pid %d runs as uid %u: its session folder must belong to that user, which needs root (%s); "
                     "run drdotnet as root or as uid %u",
                     (int)v->pid, (unsigned)v->uid, strerror(errno), (unsigned)v->uid);
            goto fail_sess;
        }
    } else if (v->gid != (gid_t)-1 && v->gid != getegid()) {
        /* the target's user owns the folder already: its group is a nicety, a failure to set it does not matter */
        (void)!fchown(pl->sess_fd, (uid_t)-1, v->gid);
    }
    *out = pl;
    return 0;

fail_sess:
    if (pl->sess_fd >= 0)
        close(pl->sess_fd);
    unlinkat(pl->top_fd, session_id, AT_REMOVEDIR);
fail_lib:
    unlinkat(pl->top_fd, LIB_NAME, 0);
fail_top:
    if (pl->top_fd >= 0)
        close(pl->top_fd);
    unlinkat(pl->tmp_fd, pl->top_name, AT_REMOVEDIR);
fail:
    if (pl->tmp_fd >= 0)
        close(pl->tmp_fd);
    free(pl);
    return -1;
}

int drd_place_has(const struct drd_place *pl, const char *name)
{
    struct stat st;
    return pl->sess_fd >= 0 && fstatat(pl->sess_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int drd_place_read(const struct drd_place *pl, const char *name, size_t max, char **out, size_t *len)
{
    if (pl->sess_fd < 0) {
        errno = ENOENT;
        return -1;
    }
    return drd_fs_read_at(pl->sess_fd, name, max, out, len);
}

/* Empties and removes the session folder in the target. Returns 0, or -1 when something stays. */
static int remove_session(struct drd_place *pl)
{
    if (pl->sess_fd < 0)
        return 0;
    close(pl->sess_fd);
    pl->sess_fd = -1;
    return drd_fs_remove_flat_at(pl->top_fd, pl->session_id, NULL, 0) ? -1 : 0;
}

int drd_place_fetch(struct drd_place *pl, const char *host_dir, unsigned long long max_file, char *err,
                    size_t errcap)
{
    int rc = 0;
    err[0] = 0;
    int host_fd = open(host_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int fd = host_fd >= 0 && pl->sess_fd >= 0 ? openat(pl->sess_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        snprintf(err, errcap, "cannot read the session folder %s/%s: %s", pl->host_top, pl->session_id,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        rc = -1;
    } else {
        /* session.json last, so a reader of the host folder never sees it before the data it lists; what is not
         * a regular file (ELOOP: a symlink, EINVAL: anything else) or has a second name (EMLINK: a hard link to
         * a file of the target's that its user may not read) was not written by the profiler: not copied */
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.' || strcmp(e->d_name, "session.json") == 0)
                continue;
            if (drd_fs_copy_at(pl->sess_fd, e->d_name, host_fd, 0600, max_file) && errno != EINVAL &&
                errno != ELOOP && errno != EMLINK && rc == 0) {
                snprintf(err, errcap, "cannot copy %s from the target: %s", e->d_name, strerror(errno));
                rc = -1;
            }
        }
        closedir(d);
        if (drd_place_has(pl, "session.json") &&
            drd_fs_copy_at(pl->sess_fd, "session.json", host_fd, 0600, max_file) && rc == 0) {
            snprintf(err, errcap, "cannot copy session.json from the target: %s", strerror(errno));
            rc = -1;
        }
    }
    if (host_fd >= 0)
        close(host_fd);
    if (remove_session(pl) && rc == 0) {
        snprintf(err, errcap, "cannot remove every file of %s/%s", pl->host_top, pl->session_id);
        rc = -1;
    }
    return rc;
}

int drd_place_clean(struct drd_place *pl, int wait_ms)
{
    remove_session(pl);
    if (pl->top_fd < 0)
        return 0;
    long long deadline = drd_clock_mono_ms() + wait_ms;
    while (drd_proc_maps_file(pl->pid, pl->top_name) && drd_clock_mono_ms() < deadline)
        sleep_ms(100);
    if (drd_proc_maps_file(pl->pid, pl->top_name))
        return 1;
    unlinkat(pl->top_fd, LIB_NAME, 0);
    close(pl->top_fd);
    pl->top_fd = -1;
    return unlinkat(pl->tmp_fd, pl->top_name, AT_REMOVEDIR) ? 1 : 0;
}

void drd_place_destroy(struct drd_place *pl)
{
    if (!pl)
        return;
    if (pl->sess_fd >= 0)
        close(pl->sess_fd);
    if (pl->top_fd >= 0)
        close(pl->top_fd);
    if (pl->tmp_fd >= 0)
        close(pl->tmp_fd);
    free(pl);
}
