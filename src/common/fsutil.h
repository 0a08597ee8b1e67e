/* File-system helpers with the care a profiler needs: no symlink following, atomic replacement. */
#ifndef DRD_FSUTIL_H
#define DRD_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Writes len bytes to dir/name through a fresh temporary file (O_EXCL, O_NOFOLLOW) and rename(2), so a reader
 * sees the old file or the whole new one, and a symlink planted at dir/name is replaced, never followed.
 * Returns 0, or -1 with errno set. */
int drd_fs_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode);

/* Makes dir (one level) with mode, or accepts an existing one only if it is a real directory (not a symlink)
 * owned by the caller with no group/other write bit. Returns 0, or -1 with errno (EEXIST for an unsafe
 * existing entry). */
int drd_fs_mkdir_private(const char *dir, mode_t mode);

/* mkdir -p with mode for each created level; existing levels are accepted as they are. Returns 0 or -1. */
int drd_fs_mkdir_p(const char *path, mode_t mode);

/* Reads at most max bytes of path into a new NUL-terminated buffer (caller frees). Returns 0, or -1 with errno
 * (EFBIG when the file is larger than max). */
int drd_fs_read_all(const char *path, size_t max, char **out, size_t *len);

#endif
