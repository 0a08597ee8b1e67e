/* Sessions inside another process's file system (a container): folders made there, results moved back. */
#ifndef DRD_PLACE_H
#define DRD_PLACE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "diag/proc.h"
#include "drdotnet/clientdata.h"

/* <target tmp>/drdotnet-<random>/ (mode 0711, ours) holds libdrdotnet.so (0755, ours) and <session id>/ (0700,
 * the target's user's), reached only through directory descriptors opened below /proc/<pid>/root with every
 * symlink resolved inside the target's root, so nothing the target plants leads this tool out of it. */
struct drd_place {
    pid_t pid;
    int tmp_fd; /* the target's temp folder */
    int top_fd; /* drdotnet-<random> */
    int sess_fd; /* <session id>, -1 once fetched */
    char top_name[32];
    char session_id[DRD_CD_MAX_ID];
    char lib_path[DRD_CD_MAX_PATH]; /* the library copy as the target sees it */
    char out_dir[DRD_CD_MAX_PATH]; /* the session folder as the target sees it */
    char host_top[PATH_MAX]; /* drdotnet-<random> as this tool names it: /proc/<pid>/root<tmp>/drdotnet-<random> */
};

/* Makes the folders and the library copy (from lib) inside v's temp folder, the session folder given to v's
 * user when it is not ours (which needs root). Returns 0 with *out (free with drd_place_destroy), or -1 with err
 * and nothing left behind. */
int drd_place_create(const struct drd_proc_view *v, const char *lib, const char *session_id, struct drd_place **out,
                     char *err, size_t errcap);

/* 1 when the session folder holds a regular file called name. */
int drd_place_has(const struct drd_place *pl, const char *name);

/* Reads a regular file of the session folder (at most max bytes; caller frees). Returns 0, or -1 with errno. */
int drd_place_read(const struct drd_place *pl, const char *name, size_t max, char **out, size_t *len);

/* Moves the session's files into host_dir (every regular file of at most max_file bytes, session.json last), then
 * removes the session folder in the target. Returns 0, or -1 with err when a file could not be copied or removed
 * (the others are moved all the same). */
int drd_place_fetch(struct drd_place *pl, const char *host_dir, unsigned long long max_file, char *err,
                    size_t errcap);

/* Removes what is left in the target: the session folder if not fetched, then, once the target no longer maps
 * the library (waiting up to wait_ms; a process that is gone maps nothing), the library copy and its folder.
 * Returns 0 when nothing is left, 1 when the library copy stays because the target still maps it. */
int drd_place_clean(struct drd_place *pl, int wait_ms);

/* Closes the descriptors and frees pl; leaves in the target whatever drd_place_clean did not remove. Accepts
 * NULL. */
void drd_place_destroy(struct drd_place *pl);

#endif
