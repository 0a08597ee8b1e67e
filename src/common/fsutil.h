/* File-system helpers with the care a profiler needs: no symlink following, atomic replacement. */
#ifndef DRD_FSUTIL_H
#define DRD_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Formats a path into out (cap bytes), as snprintf does, refusing one that does not fit: returns 0, or -1 with
 * errno ENAMETOOLONG and out set to "" (so that a cut path is never used, even by a caller that ignores the
 * result). Safe in any callback: no allocation. */
int drd_fs_path(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes len bytes to dir/name through a fresh temporary file (O_EXCL, O_NOFOLLOW) and rename(2), so a reader
 * sees the old file or the whole new one, and a symlink planted at dir/name is replaced, never followed.
 * Returns 0, or -1 with errno set. */
int drd_fs_write_atomic(const char *dir, const char *name, const void *data, size_t len, mode_t mode);

/* As drd_fs_write_atomic, but never replaces: when dir/name exists (whatever it is), nothing is written and -1 is
 * returned with errno EEXIST. The existence check and the appearance of the file are one step
 * (renameat2 RENAME_NOREPLACE, or link(2) where the file system lacks it). Returns 0, or -1 with errno. Safe
 * in the target: no allocation. */
int drd_fs_write_new(const char *dir, const char *name, const void *data, size_t len, mode_t mode);

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
 * less trusted writer of from_dir linked there) to to_dir/name, through a fresh temporary file (O_EXCL, O_NOFOLLOW) and
 * renameat(2), so the copy appears whole or not at all. Returns 0, or -1 with errno (EFBIG, and no copy, when the file
 * is larger than max bytes). */
int drd_fs_copy_at(int from_dir, const char *name, int to_dir, mode_t mode, unsigned long long max);

/* Removes the folder parent_fd/name that holds only files (a session folder): each file, then the folder. The
 * folder is opened without following a symlink. Goes on past a file it cannot remove; returns 0 when the folder
 * is gone, or -1 with errno of the first failure and, when failed is not NULL, the name of what could not be
 * removed in it (the folder's own name when the folder itself failed). */
int drd_fs_remove_flat_at(int parent_fd, const char *name, char *failed, size_t cap);

/* A file the user named for output (drdotnet export --output), opened by drd_fs_output_open. */
struct drd_fs_output {
    int fd; /* where to write; -1 once the caller has handed it on (to a writer that closes it) */
    int replace; /* 1: fd is tmp, renamed over path by drd_fs_output_commit */
    mode_t mode; /* for a replaced file: its mode, kept */
    uid_t uid;
    gid_t gid;
    int have_owner; /* 1 when path existed: root gives the new file its owner back */
    char path[4096], tmp[4160];
};

/* Opens path for output the way Unix tools treat a path they are told to write:
 * - "-" and /dev/stdout are standard output, /dev/stderr, /dev/fd/N and /proc/self/fd/N that descriptor: a
 *   duplicate of it is written (its offset and append mode kept, whatever file is behind it);
 * - an existing file that is not a regular one (a FIFO, a character device, /dev/stdout, a process substitution's
 *   /dev/fd/N) is opened and written in place: it is never replaced, and a FIFO open waits for its reader;
 * - a regular file, or nothing at all, is written to a fresh temporary file beside it (O_EXCL), which
 *   drd_fs_output_commit renames over it: a reader sees the old file or the whole new one; a replaced file keeps
 *   its mode (and, for root, its owner); a new one gets mode & ~umask;
 * - a symlink is followed, as the shell's ">" and cp follow it: the rules above apply to the file it names, and
 *   the link stays a link. A symlink to nothing is refused (ELOOP): the file would land wherever the link points.
 * - a directory is refused (EISDIR).
 * Returns 0 with *o, or -1 with errno and nothing made. */
int drd_fs_output_open(const char *path, mode_t mode, struct drd_fs_output *o);

/* Ends a successful output: renames the temporary file over the path (after checking that nothing but a regular
 * file has come to sit there: EEXIST otherwise), or nothing for an output written in place. Closes o->fd if the
 * caller has not. Returns 0, or -1 with errno (the temporary file removed). */
int drd_fs_output_commit(struct drd_fs_output *o);

/* Ends a failed output: closes o->fd if open, removes the temporary file. The path is left as it was. */
void drd_fs_output_abort(struct drd_fs_output *o);

#endif
