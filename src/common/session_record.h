/* session.json: the one writer of its shape, used by the library (the session's own end) and by the tool (a
 * session the library could not end: refused before it ran, or the target gone). */
#ifndef DRD_SESSION_RECORD_H
#define DRD_SESSION_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "drdotnet/params.h"

#define DRD_SESSION_RECORD_MAX_FILES 4

struct drd_session_record {
    const char *id;
    const char *profiler, *clsid;
    const char *mode; /* "attach" or "startup" */
    const struct drd_param_values *params; /* NULL: an empty object */
    long pid;
    const char *name, *command_line, *runtime_version; /* NULL: left out */
    int64_t start_wall_ms, end_wall_ms, duration_ms;
    const char *status; /* completed, incomplete, failed */
    const char *reason;
    int has_counts;
    uint64_t events, dropped;
    /* the detach: "requested", "refused", "none" (the process was exiting); "detached" or "late" once the tool
     * saw the library leave the target or not; NULL: left out */
    const char *detach, *detach_detail;
    const char *written_by; /* NULL: the library */
    const char *files[DRD_SESSION_RECORD_MAX_FILES];
    int n_files;
};

/* Formats "2026-11-26T14:35:01.123Z". */
void drd_session_iso_time(int64_t wall_ms, char *out, size_t cap);

/* Writes r as dir/session.json (atomically, mode 0600) through the caller's buffer, unless a session.json is
 * already there: the first record of a session stands (the library's, or the tool's when it gave up first), and a
 * late writer gets -1 with errno EEXIST. Returns 0, or -1 with errno (ENOSPC when buf is too small). Does not
 * allocate: the library calls it. */
int drd_session_record_write(const char *dir, const struct drd_session_record *r, char *buf, size_t cap);

#endif
