/* Placing the library where a target loads it: a private folder, one immutable file per content. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool/libcopy.h"
#include "tool/tool.h"
#include "common/fsutil.h"
#include "report/report.h"

/* FNV-1a over the whole file; 0 on read failure. */
static int hash_file(const char *path, uint64_t *h, size_t *size)
{
    char *buf;
    size_t len;
    if (drd_fs_read_all(path, (size_t)256 << 20, &buf, &len))
        return -1;
    uint64_t x = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        x ^= (unsigned char)buf[i];
        x *= 0x100000001b3ULL;
    }
    free(buf);
    *h = x;
    *size = len;
    return 0;
}

int drd_libcopy_place(const char *src, char *out, size_t cap, char *err, size_t errcap)
{
    char root[4096], dir[4200];
    if (drd_sessions_root(root, sizeof root)) {
        snprintf(err, errcap, "cannot tell where drdotnet keeps its files (set DRDOTNET_HOME)");
        return -1;
    }
    /* <root>/../lib: beside the sessions folder, private to this user */
    char *slash = strrchr(root, '/');
    if (slash)
        *slash = 0;
    if (drd_fs_mkdir_p(root, 0700)) {
        snprintf(err, errcap, "cannot create %s: %s", root, strerror(errno));
        return -1;
    }
    drd_fs_path(dir, sizeof dir, "%s/lib", root);
    if (drd_fs_mkdir_private(dir, 0700)) {
        snprintf(err, errcap, "%s is not a private folder of this user (%s); remove it", dir,
                 errno == EEXIST ? "unsafe owner, mode or symlink" : strerror(errno));
        return -1;
    }
    uint64_t h;
    size_t size;
    if (hash_file(src, &h, &size)) {
        snprintf(err, errcap, "cannot read %s: %s", src, strerror(errno));
        return -1;
    }
    char name[64];
    snprintf(name, sizeof name, "libdrdotnet-%016llx.so", (unsigned long long)h);
    if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap) {
        snprintf(err, errcap, "path too long");
        return -1;
    }
    struct stat st;
    if (lstat(out, &st) == 0) {
        uint64_t h2;
        size_t size2;
        if (S_ISREG(st.st_mode) && st.st_uid == geteuid() && hash_file(out, &h2, &size2) == 0 && h2 == h &&
            size2 == size)
            return 0; /* the same bytes are already there: reuse, never rewrite */
        /* something else sits under our name: move it out of the way (never write into it) */
        if (unlink(out)) {
            snprintf(err, errcap, "cannot replace %s: %s", out, strerror(errno));
            return -1;
        }
    }
    char *data;
    size_t len;
    if (drd_fs_read_all(src, (size_t)256 << 20, &data, &len)) {
        snprintf(err, errcap, "cannot read %s: %s", src, strerror(errno));
        return -1;
    }
    int rc = drd_fs_write_atomic(dir, name, data, len, 0755);
    free(data);
    if (rc) {
        snprintf(err, errcap, "cannot write %s: %s", out, strerror(errno));
        return -1;
    }
    return 0;
}

int drd_libcopy_write_at(const char *src, int dir_fd, const char *name, char *err, size_t errcap)
{
    char *data;
    size_t len;
    if (drd_fs_read_all(src, (size_t)256 << 20, &data, &len)) {
        snprintf(err, errcap, "cannot read %s: %s", src, strerror(errno));
        return -1;
    }
    int fd = openat(dir_fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0755);
    if (fd < 0) {
        snprintf(err, errcap, "cannot create the library copy %s: %s", name, strerror(errno));
        free(data);
        return -1;
    }
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int e = errno;
    free(data);
    /* readable and executable by the target's user whatever our umask */
    if (done < len || fchmod(fd, 0755)) {
        if (done == len)
            e = errno;
        close(fd);
        unlinkat(dir_fd, name, 0);
        snprintf(err, errcap, "cannot write the library copy %s: %s", name, strerror(e));
        return -1;
    }
    close(fd);
    return 0;
}
