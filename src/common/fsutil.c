/* File-system helpers: atomic writes, private folders, bounded reads, careful copies between folders. */
#define _GNU_SOURCE
#include "common/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int drd_fs_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
    static atomic_uint counter;
    char tmp[4096], dst[4096];
    int n1 = snprintf(tmp, sizeof tmp, "%s/.%s.%d.%u.tmp", dir, name, (int)getpid(), atomic_fetch_add(&counter, 1));
    int n2 = snprintf(dst, sizeof dst, "%s/%s", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof tmp || (size_t)n2 >= sizeof dst) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, len) || fsync(fd)) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (close(fd) || rename(tmp, dst)) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

/* Renames from to a new name to: fails with EEXIST when to exists. Returns 0 or -1. */
static int rename_noreplace(const char *from, const char *to)
{
#ifdef SYS_renameat2
    if (syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    /* a file system without RENAME_NOREPLACE: link(2) fails on an existing name just the same */
    if (link(from, to))
        return -1;
    unlink(from);
    return 0;
}

int drd_fs_write_new(const char *dir, const char *name, const void *data, size_t len, mode_t mode)
{
    static atomic_uint counter;
    char tmp[4096], dst[4096];
    int n1 = snprintf(tmp, sizeof tmp, "%s/.%s.%d.%u.new", dir, name, (int)getpid(), atomic_fetch_add(&counter, 1));
    int n2 = snprintf(dst, sizeof dst, "%s/%s", dir, name);
    if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof tmp || (size_t)n2 >= sizeof dst) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    if (write_all(fd, data, len) || fsync(fd)) {
        int e = errno;
        close(fd);
        unlink(tmp);
        errno = e;
        return -1;
    }
    if (close(fd) || rename_noreplace(tmp, dst)) {
        int e = errno;
        unlink(tmp);
        errno = e;
        return -1;
    }
    return 0;
}

int drd_fs_mkdir_private(const char *dir, mode_t mode)
{
    if (mkdir(dir, mode) == 0)
        return 0;
    if (errno != EEXIST)
        return -1;
    struct stat st;
    if (lstat(dir, &st))
        return -1;
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        errno = EEXIST;
        return -1;
    }
    return 0;
}

int drd_fs_mkdir_p(const char *path, mode_t mode)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, mode) && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st))
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

/* Reads fd to its end (at most max bytes) into a new NUL-terminated buffer, and closes fd. Returns 0 or -1. */
static int read_fd(int fd, size_t max, char **out, size_t *len)
{
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    for (;;) {
        if (used == cap) {
            if (cap > max) {
                free(buf);
                close(fd);
                errno = EFBIG;
                return -1;
            }
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                errno = ENOMEM;
                return -1;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + used, cap - used);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    if (used > max) {
        free(buf);
        errno = EFBIG;
        return -1;
    }
    buf[used] = 0;
    *out = buf;
    if (len)
        *len = used;
    return 0;
}

/* Opens dir_fd/name for reading only if it is a regular file: no symlink followed, no FIFO waited on; with
 * single_link, only if no other name links to it either. Returns the fd, or -1 with errno (EINVAL for something
 * that is not a regular file, EMLINK for a file with another name). */
static int open_regular_at(int dir_fd, const char *name, int single_link)
{
    int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    struct stat st;
    int e = fstat(fd, &st) ? errno : !S_ISREG(st.st_mode) ? EINVAL : single_link && st.st_nlink > 1 ? EMLINK : 0;
    if (e) {
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

int drd_fs_read_all(const char *path, size_t max, char **out, size_t *len)
{
    int fd = open_regular_at(AT_FDCWD, path, 0);
    if (fd < 0)
        return -1;
    return read_fd(fd, max, out, len);
}

int drd_fs_read_at(int dir_fd, const char *name, size_t max, char **out, size_t *len)
{
    int fd = open_regular_at(dir_fd, name, 0);
    if (fd < 0)
        return -1;
    return read_fd(fd, max, out, len);
}

int drd_fs_copy_at(int from_dir, const char *name, int to_dir, mode_t mode, unsigned long long max)
{
    static atomic_uint counter;
    char tmp[320];
    int n = snprintf(tmp, sizeof tmp, ".%s.%d.%u.tmp", name, (int)getpid(), atomic_fetch_add(&counter, 1));
    if (n < 0 || (size_t)n >= sizeof tmp || strchr(name, '/')) {
        errno = EINVAL;
        return -1;
    }
    int in = open_regular_at(from_dir, name, 1);
    if (in < 0)
        return -1;
    int out = openat(to_dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    char buf[16384];
    unsigned long long copied = 0;
    int rc = 0;
    for (;;) {
        ssize_t got = read(in, buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            rc = got < 0 ? -1 : 0;
            break;
        }
        copied += (unsigned long long)got;
        if (copied > max) {
            errno = EFBIG;
            rc = -1;
            break;
        }
        if (write_all(out, buf, (size_t)got)) {
            rc = -1;
            break;
        }
    }
    int e = errno;
    close(in);
    if (close(out) && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && renameat(to_dir, tmp, to_dir, name)) {
        rc = -1;
        e = errno;
    }
    if (rc) {
        unlinkat(to_dir, tmp, 0);
        errno = e;
    }
    return rc;
}

int drd_fs_remove_flat_at(int parent_fd, const char *name, char *failed, size_t cap)
{
    int first = 0;
    if (failed && cap)
        failed[0] = 0;
    int fd = openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        int saved = errno;
        if (fd >= 0)
            close(fd);
        if (failed && cap)
            snprintf(failed, cap, "%s", name);
        errno = saved;
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) && !first) {
            first = errno;
            if (failed && cap)
                snprintf(failed, cap, "%s", e->d_name);
        }
    }
    closedir(d);
    if (unlinkat(parent_fd, name, AT_REMOVEDIR) && !first) {
        first = errno;
        if (failed && cap)
            snprintf(failed, cap, "%s", name);
    }
    if (first) {
        errno = first;
        return -1;
    }
    return 0;
}

/* Puts the folder of path (".", "/" or its part before the last slash) in dir. Returns 0, or -1 (ENAMETOOLONG). */
static int folder_of(const char *path, char *dir, size_t cap)
{
    const char *slash = strrchr(path, '/');
    int n = !slash ? snprintf(dir, cap, ".") : slash == path ? snprintf(dir, cap, "/")
                                                            : snprintf(dir, cap, "%.*s", (int)(slash - path), path);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return 0;
}

/* The descriptor that path names as the shell means it: 1 for "-" and /dev/stdout, 2 for /dev/stderr, N for
 * /dev/fd/N and /proc/self/fd/N; -1 for any other path. Such a path is written through the descriptor itself
 * (its offset, its append mode), never reopened nor replaced, whatever file is behind it. */
static int descriptor_name(const char *path)
{
    if (strcmp(path, "-") == 0 || strcmp(path, "/dev/stdout") == 0)
        return STDOUT_FILENO;
    if (strcmp(path, "/dev/stderr") == 0)
        return STDERR_FILENO;
    const char *n = strncmp(path, "/dev/fd/", 8) == 0 ? path + 8
                    : strncmp(path, "/proc/self/fd/", 14) == 0 ? path + 14
                                                                : NULL;
    if (!n || *n < '0' || *n > '9' || strlen(n) > 6 || strspn(n, "0123456789") != strlen(n))
        return -1;
    return atoi(n);
}

int drd_fs_output_open(const char *path, mode_t mode, struct drd_fs_output *o)
{
    static atomic_uint counter;
    struct stat st, lst;
    memset(o, 0, sizeof *o);
    o->fd = -1;
    int std = descriptor_name(path);
    if (std >= 0) {
        o->fd = fcntl(std, F_DUPFD_CLOEXEC, 0);
        return o->fd < 0 ? -1 : 0;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            errno = EISDIR;
            return -1;
        }
        if (!S_ISREG(st.st_mode)) {
            /* a FIFO, a device, a pipe behind /dev/fd/N: written where it is, as by the shell's ">" */
            o->fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
            if (o->fd < 0)
                return -1;
            if (fstat(o->fd, &st) == 0 && !S_ISREG(st.st_mode)) {
                snprintf(o->path, sizeof o->path, "%s", path);
                return 0;
            }
            close(o->fd); /* it became a regular file meanwhile: replaced as one */
            o->fd = -1;
        }
        /* the file a symlink names is replaced, not the link */
        char *real = realpath(path, NULL);
        if (!real)
            return -1;
        int n = snprintf(o->path, sizeof o->path, "%s", real);
        free(real);
        if (n < 0 || (size_t)n >= sizeof o->path) {
            errno = ENAMETOOLONG;
            return -1;
        }
        o->mode = st.st_mode & 07777;
        o->uid = st.st_uid;
        o->gid = st.st_gid;
        o->have_owner = 1;
    } else if (errno != ENOENT) {
        return -1;
    } else if (lstat(path, &lst) == 0) {
        errno = ELOOP; /* a symlink to nothing */
        return -1;
    } else {
        int n = snprintf(o->path, sizeof o->path, "%s", path);
        if (n < 0 || (size_t)n >= sizeof o->path) {
            errno = ENAMETOOLONG;
            return -1;
        }
        mode_t mask = umask(0);
        umask(mask);
        o->mode = mode & ~mask;
    }
    char dir[4096];
    const char *base = strrchr(o->path, '/');
    base = base ? base + 1 : o->path;
    if (folder_of(o->path, dir, sizeof dir))
        return -1;
    int n = snprintf(o->tmp, sizeof o->tmp, "%s/.%s.%d.%u.tmp", dir, base, (int)getpid(),
                     atomic_fetch_add(&counter, 1));
    if (n < 0 || (size_t)n >= sizeof o->tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (o->fd < 0)
        return -1;
    o->replace = 1;
    if (o->have_owner && geteuid() == 0)
        (void)fchown(o->fd, o->uid, o->gid); /* best effort: a file of another user stays theirs */
    if (fchmod(o->fd, o->mode)) {
        int e = errno;
        drd_fs_output_abort(o);
        errno = e;
        return -1;
    }
    return 0;
}

int drd_fs_output_commit(struct drd_fs_output *o)
{
    int rc = 0, e = 0;
    if (o->fd >= 0 && close(o->fd))
        rc = -1, e = errno;
    o->fd = -1;
    if (!o->replace)
        return rc ? (errno = e, -1) : 0;
    struct stat st;
    if (rc == 0 && lstat(o->path, &st) == 0 && !S_ISREG(st.st_mode))
        rc = -1, e = EEXIST; /* something else came to sit there: never replaced */
    if (rc == 0 && rename(o->tmp, o->path))
        rc = -1, e = errno;
    if (rc) {
        unlink(o->tmp);
        errno = e;
    }
    o->replace = 0;
    return rc;
}

void drd_fs_output_abort(struct drd_fs_output *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (o->replace)
        unlink(o->tmp);
    o->replace = 0;
}
