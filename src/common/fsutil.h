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

/* Reads at most max bytes of path into a new NUL-terminated buffer (caller frees), only if path is a regular file
 * and its last component not a symlink (as drd_fs_read_at). Returns 0, or -1 with errno (ELOOP for a symlink,
 * EINVAL when not a regular file, EFBIG when the file is larger than max). */
int drd_fs_read_all(const char *path, size_t max, char **out, size_t *len);

/* Reads at most max bytes of dir_fd/name into a new NUL-terminated buffer (caller frees), only if name is a
 * regular file: a symlink is not followed and a FIFO not waited on, so a folder that someone else can write into
 * cannot make the caller read elsewhere or hang. Returns 0, or -1 with errno (EINVAL when not a regular file,
 * EFBIG when larger than max). */
int drd_fs_read_at(int dir_fd, const char *name, size_t max, char **out, size_t *len);

/* Copies the regular file from_dir/name (symlinks and special files refused with the same care as
 * drd_fs_read_at, and a file with a second hard link refused with EMLINK: it could be someone else's file that a
 * less trusted writer of from_dir linked there) to to_dir/name, through a fresh temporary file (O_EXCL, O_NOFOLLOW) and renameat(2), so the
 * copy appears whole or not at all. Returns 0, or -1 with errno (EFBIG, and no copy, when the file is larger than
 * max bytes). */
int drd_fs_copy_at(int from_dir, const char *name, int to_dir, mode_t mode, unsigned long long max);

/* Removes the folder parent_fd/name that holds only files (a session folder): each file, then the folder. The
 * folder is opened without following a symlink. Goes on past a file it cannot remove; returns 0 when the folder
 * is gone, or -1 with errno of the first failure and, when failed is not NULL, the name of what could not be
 * removed in it (the folder's own name when the folder itself failed). */
int drd_fs_remove_flat_at(int parent_fd, const char *name, char *failed, size_t cap);

#endif
