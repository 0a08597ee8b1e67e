/* Unit tests for sessions placed in a target's file system (src/cli/place.c), with this process as the target. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool/place.h"
#include "common/fsutil.h"

#define ID "20261126-101500-42-exceptions"

struct fixture {
    char base[256]; /* the target's temp folder */
    char host[256]; /* the host's session folder */
    char lib[256]; /* the library to copy */
    struct drd_proc_view view;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *t = getenv("TMPDIR");
    t = t && *t ? t : "/tmp";
    drd_fs_path(f->base, sizeof f->base, "%s/drd-place-XXXXXX", t);
    drd_fs_path(f->host, sizeof f->host, "%s/drd-place-host-XXXXXX", t);
    if (!mkdtemp(f->base) || !mkdtemp(f->host))
        return -1;
    drd_fs_path(f->lib, sizeof f->lib, "%s/lib.so", f->host);
    FILE *l = fopen(f->lib, "w");
    if (!l)
        return -1;
    fputs("\177ELF not really a library", l);
    fclose(l);
    umask(022);
    if (drd_proc_view_read(getpid(), &f->view))
        return -1;
    snprintf(f->view.tmp, sizeof f->view.tmp, "%s", f->base);
    *state = f;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    nftw(f->base, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    nftw(f->host, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* The entries of dir, sorted and joined with '|'. */
static void list_dir(const char *dir, char *out, size_t cap)
{
    char names[16][256];
    int n = 0;
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        assert_true(n < 16);
        snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    out[0] = 0;
    size_t used = 0;
    for (int i = 0; i < n; i++)
        used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "|" : "", names[i]);
}

static void put(const char *dir, const char *name, const char *text)
{
    char p[1024];
    drd_fs_path(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void mode_and_owner(const char *path, mode_t mode, uid_t uid)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, mode);
    assert_int_equal(st.st_uid, uid);
}

static void create_fetch_clean(void **state)
{
    struct fixture *f = *state;
    struct drd_place *pl;
    char err[512];
    assert_int_equal(drd_place_create(&f->view, f->lib, ID, &pl, err, sizeof err), 0);

    /* the paths as the target sees them, and as this tool reaches them */
    char want[1024], p[1024];
    drd_fs_path(want, sizeof want, "%s/%s/libdrdotnet.so", f->base, pl->top_name);
    assert_string_equal(pl->lib_path, want);
    drd_fs_path(want, sizeof want, "%s/%s/" ID, f->base, pl->top_name);
    assert_string_equal(pl->out_dir, want);
    drd_fs_path(want, sizeof want, "/proc/%d/root%s/%s", (int)getpid(), f->base, pl->top_name);
    assert_string_equal(pl->host_top, want);
    assert_int_equal(strncmp(pl->top_name, "drdotnet-", 9), 0);
    assert_int_equal(strlen(pl->top_name), 9 + 16);

    /* modes: the folder 0711, the library 0755 with the same bytes, the session folder 0700 */
    drd_fs_path(p, sizeof p, "%s/%s", f->base, pl->top_name);
    mode_and_owner(p, 0711, geteuid());
    mode_and_owner(pl->lib_path, 0755, geteuid());
    mode_and_owner(pl->out_dir, 0700, geteuid());
    FILE *l = fopen(pl->lib_path, "r");
    assert_non_null(l);
    char buf[64] = "";
    assert_non_null(fgets(buf, sizeof buf, l));
    fclose(l);
    assert_string_equal(buf, "\177ELF not really a library");

    /* what the profiler writes, and what someone else may plant there */
    assert_int_equal(drd_place_has(pl, "session.json"), 0);
    put(pl->out_dir, "exceptions.raw", "RAW");
    put(pl->out_dir, "progress.json", "{\"events\":7}\n");
    put(pl->out_dir, ".progress.json.1.2.tmp", "half");
    drd_fs_path(p, sizeof p, "%s/evil.json", pl->out_dir);
    assert_int_equal(symlink("/etc/passwd", p), 0);
    drd_fs_path(p, sizeof p, "%s/fifo", pl->out_dir);
    assert_int_equal(mkfifo(p, 0600), 0);
    put(pl->out_dir, "session.json", "{\"status\":\"completed\"}\n");
    assert_int_equal(drd_place_has(pl, "session.json"), 1);
    assert_int_equal(drd_place_has(pl, "evil.json"), 0);
    char *text;
    size_t len;
    assert_int_equal(drd_place_read(pl, "progress.json", 4096, &text, &len), 0);
    assert_string_equal(text, "{\"events\":7}\n");
    free(text);
    assert_int_equal(drd_place_read(pl, "evil.json", 4096, &text, &len), -1);
    assert_int_equal(drd_place_read(pl, "fifo", 4096, &text, &len), -1);

    /* fetched: only the regular files come back; the session folder is gone from the target */
    assert_int_equal(drd_place_fetch(pl, f->host, 1 << 20, err, sizeof err), 0);
    char names[1024];
    list_dir(f->host, names, sizeof names);
    assert_string_equal(names, "exceptions.raw|lib.so|progress.json|session.json");
    assert_int_equal(access(pl->out_dir, F_OK), -1);
    assert_int_equal(drd_place_has(pl, "session.json"), 0);

    /* nothing mapped it: cleaning leaves nothing at all */
    assert_int_equal(drd_place_clean(pl, 0), 0);
    list_dir(f->base, names, sizeof names);
    assert_string_equal(names, "");
    drd_place_destroy(pl);
    drd_place_destroy(NULL);
}

static void library_still_mapped(void **state)
{
    struct fixture *f = *state;
    struct drd_place *pl;
    char err[512], names[1024];
    assert_int_equal(drd_place_create(&f->view, f->lib, ID, &pl, err, sizeof err), 0);
    int fd = open(pl->lib_path, O_RDONLY);
    assert_true(fd >= 0);
    void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    assert_true(m != MAP_FAILED);
    /* mapped: the copy stays, after waiting; the session folder goes all the same */
    assert_int_equal(drd_place_clean(pl, 200), 1);
    assert_int_equal(access(pl->lib_path, F_OK), 0);
    assert_int_equal(access(pl->out_dir, F_OK), -1);
    munmap(m, 4096);
    assert_int_equal(drd_place_clean(pl, 0), 0);
    list_dir(f->base, names, sizeof names);
    assert_string_equal(names, "");
    drd_place_destroy(pl);
}

static void another_user(void **state)
{
    struct fixture *f = *state;
    struct drd_place *pl = NULL;
    char err[512], names[1024];
    f->view.uid = 65534;
    f->view.gid = 65534;
    if (geteuid() != 0) {
        /* only root can give the folder away: a clear refusal, nothing left behind */
        assert_int_equal(drd_place_create(&f->view, f->lib, ID, &pl, err, sizeof err), -1);
        assert_null(pl);
        assert_non_null(strstr(err, "run drdotnet as root or as uid 65534"));
        list_dir(f->base, names, sizeof names);
        assert_string_equal(names, "");
        return;
    }
    assert_int_equal(drd_place_create(&f->view, f->lib, ID, &pl, err, sizeof err), 0);
    mode_and_owner(pl->out_dir, 0700, 65534);
    mode_and_owner(pl->lib_path, 0755, 0);
    assert_int_equal(drd_place_clean(pl, 0), 0);
    list_dir(f->base, names, sizeof names);
    assert_string_equal(names, "");
    drd_place_destroy(pl);
}

static void no_such_folder(void **state)
{
    struct fixture *f = *state;
    struct drd_place *pl = NULL;
    char err[512];
    drd_fs_path(f->view.tmp, sizeof f->view.tmp, "%s/missing", f->base);
    assert_int_equal(drd_place_create(&f->view, f->lib, ID, &pl, err, sizeof err), -1);
    assert_null(pl);
    assert_non_null(strstr(err, "the temp folder of pid"));
    /* a symlink on the way is resolved inside the target's root: here, ours, so it leads to the real folder */
    char link[512];
    drd_fs_path(link, sizeof link, "%s/link", f->base);
    assert_int_equal(symlink(f->host, link), 0);
    assert_int_equal(drd_fs_path(f->view.tmp, sizeof f->view.tmp, "%s", link), 0);
    assert_int_equal(drd_place_create(&f->view, f->lib, ID, &pl, err, sizeof err), 0);
    char p[1024];
    drd_fs_path(p, sizeof p, "%s/%s", f->host, pl->top_name);
    assert_int_equal(access(p, F_OK), 0);
    assert_int_equal(drd_place_clean(pl, 0), 0);
    assert_int_equal(access(p, F_OK), -1);
    drd_place_destroy(pl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(create_fetch_clean, setup, teardown),
        cmocka_unit_test_setup_teardown(library_still_mapped, setup, teardown),
        cmocka_unit_test_setup_teardown(another_user, setup, teardown),
        cmocka_unit_test_setup_teardown(no_such_folder, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
