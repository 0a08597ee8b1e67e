/* A fresh temporary folder per unit test (cmocka setup/teardown), removed with everything in it afterwards. */
#ifndef DRD_TEST_TMPDIR_H
#define DRD_TEST_TMPDIR_H

struct tmp {
    char dir[256]; /* $TMPDIR/drd-unit-XXXXXX (or /tmp) */
};

/* cmocka setup: *state becomes a struct tmp with its folder made. Returns 0 or -1. */
int drd_tmp_setup(void **state);

/* cmocka teardown: removes the folder and everything below it, frees the struct. Returns 0 or -1. */
int drd_tmp_teardown(void **state);

/* Writes len bytes of data to t's folder as name (replacing it) and its path into path (when path is not NULL);
 * fails the test when it cannot. */
#include <stddef.h>
void drd_tmp_write(const struct tmp *t, const char *name, const void *data, size_t len, char *path, size_t cap);

#endif
