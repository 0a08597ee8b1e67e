/* Placing the library where a target loads it: a private folder, one immutable file per content. */
#ifndef DRD_LIBCOPY_H
#define DRD_LIBCOPY_H

#include <stddef.h>

/* Copies the library to a private folder (0700, owned by us) under a name made of its content hash, so a copy
 * that a target has mapped is never rewritten: a changed library gets a new name. Returns 0 with the copy's
 * path, or -1 with err. */
int drd_libcopy_place(const char *src, char *out, size_t cap, char *err, size_t errcap);

/* Writes a copy of the library src as dir_fd/name (a new file: O_EXCL, O_NOFOLLOW; mode 0755), for a target that
 * cannot read this tool's files (another mount namespace). Returns 0, or -1 with err (nothing left behind). */
int drd_libcopy_write_at(const char *src, int dir_fd, const char *name, char *err, size_t errcap);

#endif
