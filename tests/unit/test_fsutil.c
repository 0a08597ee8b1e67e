/* Unit tests for the file-system helpers (src/common/fsutil.c), each in a fresh mkdtemp folder. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"

/* the modes the tests expect come from a known umask */
static int setup(void **state)
{
    umask(022);
    return drd_tmp_setup(state);
}

static void path_of(char *out, size_t cap, const struct tmp *t, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", t->dir, name);
    assert_true(n > 0 && (size_t)n < cap);
}

/* Writes a file directly (not through the code under test). */
static void put_file(const struct tmp *t, const char *name, const void *data, size_t len)
{
    drd_tmp_write(t, name, data, len, NULL, 0);
}

/* Checks that a file holds exactly want (len bytes), read directly. */
static void check_content(const struct tmp *t, const char *name, const void *want, size_t len)
{
    char p[512];
    path_of(p, sizeof p, t, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_int_equal(n, len);
    assert_memory_equal(buf, want, len);
}

/* The names in the folder, sorted and joined with '|', into out. */
static void list_dir(const struct tmp *t, char *out, size_t cap)
{
    char names[16][256];
    int n = 0;
    DIR *d = opendir(t->dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_true(n < 16);
        snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char tmpn[256];
            memcpy(tmpn, names[j], sizeof tmpn);
            memcpy(names[j], names[j - 1], sizeof tmpn);
            memcpy(names[j - 1], tmpn, sizeof tmpn);
        }
    out[0] = 0;
    size_t used = 0;
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", names[i]);
}

/* ---- drd_fs_write_atomic -------------------------------------------------------------- */

static void write_atomic_creates(void **state)
{
    struct tmp *t = *state;
    static const char text[] = "hello\nworld\n";
    assert_int_equal(drd_fs_write_atomic(t->dir, "a.json", text, sizeof text - 1, 0644), 0);
    check_content(t, "a.json", text, sizeof text - 1);

    char p[512];
    struct stat st;
    path_of(p, sizeof p, t, "a.json");
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(st.st_size, sizeof text - 1);

    /* another mode, and umask 022 does not touch 0600 */
    assert_int_equal(drd_fs_write_atomic(t->dir, "b.txt", "x", 1, 0600), 0);
    path_of(p, sizeof p, t, "b.txt");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    /* umask does apply: 0666 becomes 0644 */
    assert_int_equal(drd_fs_write_atomic(t->dir, "c.txt", "", 0, 0666), 0);
    path_of(p, sizeof p, t, "c.txt");
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_int_equal(st.st_size, 0);

    char names[1024];
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "a.json|b.txt|c.txt");
}

static void write_atomic_replaces(void **state)
{
    struct tmp *t = *state;
    put_file(t, "p.json", "a much longer old content\n", 26);
    assert_int_equal(drd_fs_write_atomic(t->dir, "p.json", "new", 3, 0644), 0);
    check_content(t, "p.json", "new", 3);
    /* binary data with NULs is written as is */
    static const unsigned char bin[6] = {0, 1, 0xff, 0, '\n', 0x80};
    assert_int_equal(drd_fs_write_atomic(t->dir, "p.json", bin, sizeof bin, 0644), 0);
    check_content(t, "p.json", bin, sizeof bin);
    char names[1024];
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "p.json");
}

static void write_atomic_replaces_symlink(void **state)
{
    struct tmp *t = *state;
    put_file(t, "victim", "precious\n", 9);
    char victim[512], link[512];
    path_of(victim, sizeof victim, t, "victim");
    path_of(link, sizeof link, t, "session.json");
    assert_int_equal(symlink(victim, link), 0);

    assert_int_equal(drd_fs_write_atomic(t->dir, "session.json", "{}\n", 3, 0644), 0);

    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_false(S_ISLNK(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0644);
    check_content(t, "session.json", "{}\n", 3);
    /* the symlink's target is untouched */
    check_content(t, "victim", "precious\n", 9);
    assert_int_equal(lstat(victim, &st), 0);
    assert_int_equal(st.st_size, 9);

    /* no temporary file is left behind */
    char names[1024];
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "session.json|victim");
}

static void write_atomic_failures(void **state)
{
    struct tmp *t = *state;
    char missing[512];
    path_of(missing, sizeof missing, t, "no-such-dir");
    errno = 0;
    assert_int_equal(drd_fs_write_atomic(missing, "x", "1", 1, 0644), -1);
    assert_int_equal(errno, ENOENT);

    /* a destination that is a directory cannot be replaced, and the temporary file is removed */
    char sub[512];
    path_of(sub, sizeof sub, t, "adir");
    assert_int_equal(mkdir(sub, 0700), 0);
    errno = 0;
    assert_int_equal(drd_fs_write_atomic(t->dir, "adir", "1", 1, 0644), -1);
    assert_int_equal(errno, EISDIR);
    char names[1024];
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "adir");

    /* a name too long for the path buffer */
    char longname[5000];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    errno = 0;
    assert_int_equal(drd_fs_write_atomic(t->dir, longname, "1", 1, 0644), -1);
    assert_int_equal(errno, ENAMETOOLONG);
}

/* ---- drd_fs_mkdir_private ---------------------------------------------------------------- */

static void mkdir_private_cases(void **state)
{
    struct tmp *t = *state;
    char d[512];
    struct stat st;
    path_of(d, sizeof d, t, "private");
    assert_int_equal(drd_fs_mkdir_private(d, 0700), 0);
    assert_int_equal(lstat(d, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 07777, 0700);

    /* an existing private folder is accepted and left as it is */
    assert_int_equal(drd_fs_mkdir_private(d, 0700), 0);
    assert_int_equal(lstat(d, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0700);

    /* an existing 0755 folder has no group/other write bit: accepted */
    char d755[512];
    path_of(d755, sizeof d755, t, "readable");
    assert_int_equal(mkdir(d755, 0755), 0);
    assert_int_equal(drd_fs_mkdir_private(d755, 0700), 0);

    /* a symlink to a folder is refused with EEXIST */
    char link[512];
    path_of(link, sizeof link, t, "link");
    assert_int_equal(symlink(d, link), 0);
    errno = 0;
    assert_int_equal(drd_fs_mkdir_private(link, 0700), -1);
    assert_int_equal(errno, EEXIST);

    /* a folder anyone may write to is refused with EEXIST */
    char open_dir[512];
    path_of(open_dir, sizeof open_dir, t, "open");
    assert_int_equal(mkdir(open_dir, 0700), 0);
    assert_int_equal(chmod(open_dir, 0777), 0);
    errno = 0;
    assert_int_equal(drd_fs_mkdir_private(open_dir, 0700), -1);
    assert_int_equal(errno, EEXIST);
    /* group write alone is enough to refuse */
    assert_int_equal(chmod(open_dir, 0770), 0);
    errno = 0;
    assert_int_equal(drd_fs_mkdir_private(open_dir, 0700), -1);
    assert_int_equal(errno, EEXIST);

    /* a regular file at the name is refused with EEXIST */
    put_file(t, "file", "x", 1);
    char f[512];
    path_of(f, sizeof f, t, "file");
    errno = 0;
    assert_int_equal(drd_fs_mkdir_private(f, 0700), -1);
    assert_int_equal(errno, EEXIST);

    /* a missing parent: the mkdir error */
    char deep[512];
    path_of(deep, sizeof deep, t, "nope/sub");
    errno = 0;
    assert_int_equal(drd_fs_mkdir_private(deep, 0700), -1);
    assert_int_equal(errno, ENOENT);
}

/* ---- drd_fs_read_all ----------------------------------------------------------------------- */

/* Writes a file of n bytes with a known pattern. */
static void put_pattern(const struct tmp *t, const char *name, size_t n)
{
    char *b = malloc(n ? n : 1);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)('a' + i % 23);
    put_file(t, name, b, n);
    free(b);
}

static void check_pattern(const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        assert_int_equal(b[i], (char)('a' + i % 23));
    assert_int_equal(b[n], 0);
}

static void read_all_content(void **state)
{
    struct tmp *t = *state;
    static const char text[] = "line one\nline\0two\n";
    put_file(t, "r.txt", text, sizeof text - 1);
    char p[512];
    path_of(p, sizeof p, t, "r.txt");
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(drd_fs_read_all(p, 1024, &buf, &len), 0);
    assert_non_null(buf);
    assert_int_equal(len, sizeof text - 1);
    assert_memory_equal(buf, text, len);
    assert_int_equal(buf[len], 0);
    free(buf);

    /* an empty file */
    put_file(t, "empty", "", 0);
    path_of(p, sizeof p, t, "empty");
    buf = NULL;
    len = 99;
    assert_int_equal(drd_fs_read_all(p, 1024, &buf, &len), 0);
    assert_non_null(buf);
    assert_int_equal(len, 0);
    assert_int_equal(buf[0], 0);
    free(buf);

    /* len may be NULL */
    path_of(p, sizeof p, t, "r.txt");
    assert_int_equal(drd_fs_read_all(p, 1024, &buf, NULL), 0);
    assert_string_equal(buf, "line one\nline");
    free(buf);

    /* a missing file */
    path_of(p, sizeof p, t, "missing");
    errno = 0;
    assert_int_equal(drd_fs_read_all(p, 1024, &buf, &len), -1);
    assert_int_equal(errno, ENOENT);
}

/* A session file that someone else could plant: a symlink to a secret is not followed, a FIFO not waited on. */
static void read_all_refuses_links_and_fifos(void **state)
{
    struct tmp *t = *state;
    char victim[512], link[512], fifo[512], sub[512];
    char *buf = NULL;
    size_t len = 0;
    put_file(t, "secret", "secret\n", 7);
    path_of(victim, sizeof victim, t, "secret");
    path_of(link, sizeof link, t, "session.json");
    assert_int_equal(symlink(victim, link), 0);
    errno = 0;
    assert_int_equal(drd_fs_read_all(link, 1024, &buf, &len), -1);
    assert_int_equal(errno, ELOOP);
    assert_null(buf);

    path_of(fifo, sizeof fifo, t, "progress.json");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    errno = 0;
    assert_int_equal(drd_fs_read_all(fifo, 1024, &buf, &len), -1);
    assert_int_equal(errno, EINVAL);

    path_of(sub, sizeof sub, t, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    errno = 0;
    assert_int_equal(drd_fs_read_all(sub, 1024, &buf, &len), -1);
    assert_int_equal(errno, EINVAL);

    /* a symlink in a folder above the file is the caller's to trust: it is followed */
    char sublink[512], through[600];
    put_file(t, "sub/f", "x", 1);
    path_of(sublink, sizeof sublink, t, "sublink");
    assert_int_equal(symlink(sub, sublink), 0);
    drd_fs_path(through, sizeof through, "%s/f", sublink);
    assert_int_equal(drd_fs_read_all(through, 1024, &buf, &len), 0);
    assert_string_equal(buf, "x");
    free(buf);
}

static void read_all_limits(void **state)
{
    struct tmp *t = *state;
    /* sizes around the 4096-byte first buffer and beyond it */
    static const size_t maxes[] = {4095, 4096, 4097, 5000, 8192, 20000};
    for (size_t k = 0; k < sizeof maxes / sizeof maxes[0]; k++) {
        size_t max = maxes[k];
        char name[64], p[512];
        char *buf = NULL;
        size_t len = 0;

        snprintf(name, sizeof name, "exact-%zu", max);
        put_pattern(t, name, max);
        path_of(p, sizeof p, t, name);
        if (drd_fs_read_all(p, max, &buf, &len) != 0)
            fail_msg("a file of exactly max=%zu bytes was refused (errno %d)", max, errno);
        assert_int_equal(len, max);
        check_pattern(buf, len);
        free(buf);

        snprintf(name, sizeof name, "over-%zu", max);
        put_pattern(t, name, max + 1);
        path_of(p, sizeof p, t, name);
        buf = NULL;
        errno = 0;
        if (drd_fs_read_all(p, max, &buf, &len) != -1)
            fail_msg("a file of max+1=%zu bytes was accepted with max=%zu", max + 1, max);
        assert_int_equal(errno, EFBIG);

        /* far over */
        snprintf(name, sizeof name, "far-%zu", max);
        put_pattern(t, name, 3 * max + 7);
        path_of(p, sizeof p, t, name);
        errno = 0;
        assert_int_equal(drd_fs_read_all(p, max, &buf, &len), -1);
        assert_int_equal(errno, EFBIG);
    }
}

/*
 * Regression: with max below 4096 the limit was not enforced for files of max+1 .. 4095 bytes (the first
 * buffer is 4096 bytes and the size was only checked when it filled): max = 10 and an 11-byte file must fail.
 */
static void read_all_small_max(void **state)
{
    struct tmp *t = *state;
    char p[512];
    char *buf = NULL;
    size_t len = 0;

    put_pattern(t, "ten", 10);
    path_of(p, sizeof p, t, "ten");
    assert_int_equal(drd_fs_read_all(p, 10, &buf, &len), 0);
    assert_int_equal(len, 10);
    check_pattern(buf, len);
    free(buf);
    buf = NULL;

    put_pattern(t, "eleven", 11);
    path_of(p, sizeof p, t, "eleven");
    errno = 0;
    int rc = drd_fs_read_all(p, 10, &buf, &len);
    if (rc == 0)
        free(buf);
    assert_int_equal(rc, -1);
    assert_int_equal(errno, EFBIG);

    /* max 0: only an empty file fits */
    put_file(t, "zero", "", 0);
    path_of(p, sizeof p, t, "zero");
    assert_int_equal(drd_fs_read_all(p, 0, &buf, &len), 0);
    assert_int_equal(len, 0);
    free(buf);
    buf = NULL;
    put_file(t, "one", "1", 1);
    path_of(p, sizeof p, t, "one");
    errno = 0;
    rc = drd_fs_read_all(p, 0, &buf, &len);
    if (rc == 0)
        free(buf);
    assert_int_equal(rc, -1);
    assert_int_equal(errno, EFBIG);
}

/* ---- drd_fs_read_at, drd_fs_copy_at ------------------------------------------------------------- */

static void read_at_cases(void **state)
{
    struct tmp *t = *state;
    int dir = open(t->dir, O_RDONLY | O_DIRECTORY);
    assert_true(dir >= 0);
    put_file(t, "progress.json", "{\"events\":3}\n", 13);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(drd_fs_read_at(dir, "progress.json", 100, &buf, &len), 0);
    assert_int_equal(len, 13);
    assert_string_equal(buf, "{\"events\":3}\n");
    free(buf);

    /* the same limit as drd_fs_read_all */
    errno = 0;
    assert_int_equal(drd_fs_read_at(dir, "progress.json", 12, &buf, &len), -1);
    assert_int_equal(errno, EFBIG);

    /* a symlink is not followed, even to a readable file */
    char victim[512], link[512];
    put_file(t, "victim", "secret", 6);
    path_of(victim, sizeof victim, t, "victim");
    path_of(link, sizeof link, t, "link.json");
    assert_int_equal(symlink(victim, link), 0);
    errno = 0;
    assert_int_equal(drd_fs_read_at(dir, "link.json", 100, &buf, &len), -1);
    assert_int_equal(errno, ELOOP);

    /* a FIFO is refused at once instead of waiting for a writer */
    char fifo[512];
    path_of(fifo, sizeof fifo, t, "fifo.json");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    errno = 0;
    assert_int_equal(drd_fs_read_at(dir, "fifo.json", 100, &buf, &len), -1);
    assert_int_equal(errno, EINVAL);

    /* a folder too */
    char sub[512];
    path_of(sub, sizeof sub, t, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    errno = 0;
    assert_int_equal(drd_fs_read_at(dir, "sub", 100, &buf, &len), -1);
    assert_int_equal(errno, EINVAL);
    close(dir);
}

static void copy_at_cases(void **state)
{
    struct tmp *t = *state;
    char from_path[512], to_path[512];
    path_of(from_path, sizeof from_path, t, "from");
    path_of(to_path, sizeof to_path, t, "to");
    assert_int_equal(mkdir(from_path, 0700), 0);
    assert_int_equal(mkdir(to_path, 0700), 0);
    int from = open(from_path, O_RDONLY | O_DIRECTORY), to = open(to_path, O_RDONLY | O_DIRECTORY);
    assert_true(from >= 0 && to >= 0);

    /* larger than one copy buffer, binary content kept */
    size_t n = 40000;
    char *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 7);
    int fd = openat(from, "a.raw", O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    assert_int_equal(drd_fs_copy_at(from, "a.raw", to, 0644, 1 << 20), 0);
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(drd_fs_read_at(to, "a.raw", n, &buf, &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(buf, data, n);
    free(buf);
    struct stat st;
    assert_int_equal(fstatat(to, "a.raw", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    free(data);

    /* an existing destination is replaced whole; a symlink there is replaced, not followed */
    put_file(t, "victim", "precious\n", 9);
    char victim[512];
    path_of(victim, sizeof victim, t, "victim");
    assert_int_equal(symlinkat(victim, to, "b.json"), 0);
    fd = openat(from, "b.json", O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{}\n", 3), 3);
    close(fd);
    assert_int_equal(drd_fs_copy_at(from, "b.json", to, 0644, 1 << 20), 0);
    assert_int_equal(fstatat(to, "b.json", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_true(S_ISREG(st.st_mode));
    check_content(t, "victim", "precious\n", 9);

    /* a symlink or a FIFO as the source is refused, and nothing appears in the destination */
    assert_int_equal(symlinkat(victim, from, "c.json"), 0);
    errno = 0;
    assert_int_equal(drd_fs_copy_at(from, "c.json", to, 0644, 1 << 20), -1);
    assert_int_equal(errno, ELOOP);
    assert_int_equal(mkfifoat(from, "d.json", 0600), 0);
    errno = 0;
    assert_int_equal(drd_fs_copy_at(from, "d.json", to, 0644, 1 << 20), -1);
    assert_int_equal(errno, EINVAL);
    errno = 0;
    assert_int_equal(drd_fs_copy_at(from, "missing", to, 0644, 1 << 20), -1);
    assert_int_equal(errno, ENOENT);
    /* a file larger than max: no copy at all; exactly max is fine */
    errno = 0;
    assert_int_equal(drd_fs_copy_at(from, "a.raw", to, 0644, n - 1), -1);
    assert_int_equal(errno, EFBIG);
    assert_int_equal(drd_fs_copy_at(from, "a.raw", to, 0644, n), 0);
    DIR *d = fdopendir(dup(to));
    assert_non_null(d);
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 2); /* a.raw and b.json, no temporary file left */

    /* a file with a second name (a hard link to someone else's file) is not copied */
    put_file(t, "other", "not yours\n", 10);
    char other[512];
    path_of(other, sizeof other, t, "other");
    assert_int_equal(linkat(AT_FDCWD, other, from, "e.raw", 0), 0);
    errno = 0;
    assert_int_equal(drd_fs_copy_at(from, "e.raw", to, 0600, 1 << 20), -1);
    assert_int_equal(errno, EMLINK);
    assert_int_equal(faccessat(to, "e.raw", F_OK, AT_SYMLINK_NOFOLLOW), -1);
    /* the mode asked for, whatever the umask */
    assert_int_equal(drd_fs_copy_at(from, "b.json", to, 0600, 1 << 20), 0);
    assert_int_equal(fstatat(to, "b.json", &st, AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    close(from);
    close(to);
}

/* A session folder removed file by file; a folder inside stops nothing but stays; a symlink is not followed. */
static void remove_flat_cases(void **state)
{
    const struct tmp *t = *state;
    char path[512], failed[64];
    int root = open(t->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(root >= 0);
    path_of(path, sizeof path, t, "s1");
    assert_int_equal(mkdir(path, 0700), 0);
    put_file(t, "s1/session.json", "{}", 2);
    put_file(t, "s1/a.raw", "x", 1);
    put_file(t, "s1/profiler.log", "y", 1);
    assert_int_equal(drd_fs_remove_flat_at(root, "s1", failed, sizeof failed), 0);
    assert_string_equal(failed, "");
    struct stat st;
    assert_int_equal(fstatat(root, "s1", &st, AT_SYMLINK_NOFOLLOW), -1);
    /* a folder inside: the files go, the inner folder and the folder stay, the inner folder is named */
    path_of(path, sizeof path, t, "s2");
    assert_int_equal(mkdir(path, 0700), 0);
    path_of(path, sizeof path, t, "s2/inner");
    assert_int_equal(mkdir(path, 0700), 0);
    put_file(t, "s2/a.raw", "x", 1);
    errno = 0;
    assert_int_equal(drd_fs_remove_flat_at(root, "s2", failed, sizeof failed), -1);
    assert_int_equal(errno, EISDIR);
    assert_string_equal(failed, "inner");
    assert_int_equal(fstatat(root, "s2/a.raw", &st, AT_SYMLINK_NOFOLLOW), -1);
    assert_int_equal(fstatat(root, "s2/inner", &st, AT_SYMLINK_NOFOLLOW), 0);
    /* a symlink to a folder is refused and what it points at untouched */
    path_of(path, sizeof path, t, "s3");
    assert_int_equal(mkdir(path, 0700), 0);
    put_file(t, "s3/keep", "k", 1);
    char link[512];
    path_of(link, sizeof link, t, "s4");
    assert_int_equal(symlink(path, link), 0);
    assert_int_equal(drd_fs_remove_flat_at(root, "s4", failed, sizeof failed), -1);
    assert_string_equal(failed, "s4");
    assert_int_equal(fstatat(root, "s3/keep", &st, AT_SYMLINK_NOFOLLOW), 0);
    /* a folder that is not there */
    assert_int_equal(drd_fs_remove_flat_at(root, "none", NULL, 0), -1);
    assert_int_equal(errno, ENOENT);
    close(root);
}

/* ---- drd_fs_output_open / _commit / _abort -------------------------------------------- */

/* Writes text through a new output at path and commits it. Returns 0, or -1 with errno from open or commit. */
static int output_write(const char *path, const char *text)
{
    struct drd_fs_output o;
    if (drd_fs_output_open(path, 0666, &o))
        return -1;
    size_t n = strlen(text);
    assert_int_equal(write(o.fd, text, n), (ssize_t)n);
    return drd_fs_output_commit(&o);
}

static void output_regular_files(void **state)
{
    struct tmp *t = *state;
    char p[512], link[512];
    /* a new file: whole, with the mode the umask leaves, nothing else left in the folder */
    path_of(p, sizeof p, t, "out.folded");
    assert_int_equal(output_write(p, "new\n"), 0);
    check_content(t, "out.folded", "new\n", 4);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    /* an existing file: replaced by a new one (another inode), its mode kept */
    chmod(p, 0600);
    ino_t before = st.st_ino;
    assert_int_equal(output_write(p, "second\n"), 0);
    check_content(t, "out.folded", "second\n", 7);
    assert_int_equal(stat(p, &st), 0);
    assert_true(st.st_ino != before);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* a symlink to a file: followed, the link stays a link and its file gets the content */
    path_of(link, sizeof link, t, "link");
    assert_int_equal(symlink("out.folded", link), 0);
    assert_int_equal(output_write(link, "third\n"), 0);
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    check_content(t, "out.folded", "third\n", 6);
    char names[1024];
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "link|out.folded");
    /* an output given up leaves the file as it was */
    struct drd_fs_output o;
    assert_int_equal(drd_fs_output_open(p, 0666, &o), 0);
    assert_int_equal(write(o.fd, "x", 1), 1);
    drd_fs_output_abort(&o);
    check_content(t, "out.folded", "third\n", 6);
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "link|out.folded");
}

static void output_refusals(void **state)
{
    struct tmp *t = *state;
    char p[512], names[1024];
    struct drd_fs_output o;
    /* a symlink to nothing: refused, nothing made where it points */
    path_of(p, sizeof p, t, "dangling");
    assert_int_equal(symlink("nowhere/file", p), 0);
    assert_int_equal(drd_fs_output_open(p, 0666, &o), -1);
    assert_int_equal(errno, ELOOP);
    /* a folder */
    assert_int_equal(drd_fs_output_open(t->dir, 0666, &o), -1);
    assert_int_equal(errno, EISDIR);
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "dangling");
    /* a regular file that turned into something else before the commit: not replaced */
    path_of(p, sizeof p, t, "swapped");
    put_file(t, "swapped", "a", 1);
    assert_int_equal(drd_fs_output_open(p, 0666, &o), 0);
    assert_int_equal(unlink(p), 0);
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(drd_fs_output_commit(&o), -1);
    assert_int_equal(errno, EEXIST);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    list_dir(t, names, sizeof names);
    assert_string_equal(names, "dangling|swapped");
}

static void output_in_place(void **state)
{
    struct tmp *t = *state;
    char p[512], link[512];
    struct stat st;
    /* a character device: written, never replaced */
    assert_int_equal(output_write("/dev/null", "gone\n"), 0);
    assert_int_equal(lstat("/dev/null", &st), 0);
    assert_true(S_ISCHR(st.st_mode));
    /* a FIFO, and a symlink to it: written to its reader, still a FIFO */
    path_of(p, sizeof p, t, "fifo");
    path_of(link, sizeof link, t, "to-fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    assert_int_equal(symlink("fifo", link), 0);
    for (int k = 0; k < 2; k++) {
        int r = open(p, O_RDONLY | O_NONBLOCK);
        assert_true(r >= 0);
        assert_int_equal(output_write(k ? link : p, "through\n"), 0);
        char buf[32] = {0};
        assert_int_equal(read(r, buf, sizeof buf), 8);
        assert_string_equal(buf, "through\n");
        close(r);
        assert_int_equal(lstat(p, &st), 0);
        assert_true(S_ISFIFO(st.st_mode));
    }
    /* "-": standard output, through a pipe put in its place */
    int pipefd[2], saved = dup(STDOUT_FILENO);
    assert_int_equal(pipe(pipefd), 0);
    assert_true(dup2(pipefd[1], STDOUT_FILENO) >= 0);
    int rc = output_write("-", "stdout\n");
    dup2(saved, STDOUT_FILENO);
    close(saved);
    close(pipefd[1]);
    assert_int_equal(rc, 0);
    char buf[32] = {0};
    assert_int_equal(read(pipefd[0], buf, sizeof buf), 7);
    assert_string_equal(buf, "stdout\n");
    close(pipefd[0]);
    /* /dev/fd/N: that descriptor itself (a regular file behind it is written at its offset, not replaced) */
    path_of(p, sizeof p, t, "behind-fd");
    int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "kept\n", 5), 5);
    assert_int_equal(lstat(p, &st), 0);
    ino_t ino = st.st_ino;
    char name[64];
    snprintf(name, sizeof name, "/dev/fd/%d", fd);
    assert_int_equal(output_write(name, "added\n"), 0);
    close(fd);
    check_content(t, "behind-fd", "kept\nadded\n", 11);
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_ino, ino);
}

/* A path that does not fit is refused, never cut: -1, ENAMETOOLONG, and nothing left in the buffer to use. */
static void path_refuses_what_does_not_fit(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(drd_fs_path(out, sizeof out, "%s/%s", "ab", "cde"), 0);
    assert_string_equal(out, "ab/cde");
    assert_int_equal(drd_fs_path(out, sizeof out, "%s/%s", "ab", "cdef"), 0); /* 7 bytes and the NUL: fits */
    assert_string_equal(out, "ab/cdef");
    errno = 0;
    assert_int_equal(drd_fs_path(out, sizeof out, "%s/%s", "ab", "cdefg"), -1);
    assert_int_equal(errno, ENAMETOOLONG);
    assert_string_equal(out, "");
    assert_int_equal(drd_fs_path(out, 0, "%s", "x"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(path_refuses_what_does_not_fit),
        cmocka_unit_test_setup_teardown(remove_flat_cases, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(write_atomic_creates, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(write_atomic_replaces, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(write_atomic_replaces_symlink, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(write_atomic_failures, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(mkdir_private_cases, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(read_all_content, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(read_all_refuses_links_and_fifos, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(read_all_limits, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(read_all_small_max, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(read_at_cases, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(copy_at_cases, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(output_regular_files, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(output_refusals, setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(output_in_place, setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
