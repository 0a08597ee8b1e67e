/* The unit tests' temporary folders (tmpdir.h). */
#define _GNU_SOURCE
#include "tmpdir.h"
#include "common/fsutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int drd_tmp_setup(void **state)
{
    struct tmp *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    const char *base = getenv("TMPDIR");
    drd_fs_path(t->dir, sizeof t->dir, "%s/drd-unit-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(t->dir)) {
        free(t);
        return -1;
    }
    *state = t;
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int drd_tmp_teardown(void **state)
{
    struct tmp *t = *state;
    int rc = nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(t);
    return rc;
}

void drd_tmp_write(const struct tmp *t, const char *name, const void *data, size_t len, char *path, size_t cap)
{
    char own[512];
    if (!path) {
        path = own;
        cap = sizeof own;
    }
    drd_fs_path(path, cap, "%s/%s", t->dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    if (len)
        assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}
