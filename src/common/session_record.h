/* session.json: the one writer of its shape, used by the library (the session's own end) and by the tool (a
 * session the library could not end: refused before it ran, or the target gone). */
#ifndef DRD_SESSION_RECORD_H
#define DRD_SESSION_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "drdotnet/params.h"

#define DRD_SESSION_RECORD_MAX_FILES 16
#define DRD_SESSION_PART_MAX_FILES 2

/* One profiler of a session. */
struct drd_session_part {
    const char *profiler, *clsid;
    const struct drd_param_values *params; /* NULL: an empty object */
    uint64_t events, dropped;
    const char *files[DRD_SESSION_PART_MAX_FILES]; /* its data files, in the session folder */
    int n_files;
};

/* With one part, session.json is what it always was: "profiler" {name, clsid, version}, its "parameters", its
 * "events", "dropped" and "files". With several, "profiler".name lists them ("cpu-hotpaths,exceptions"), the clsid
 * is the first one's, "parameters" holds every part's as "<profiler>.<key>", the counts are sums, "files" all their
 * files, and "profilers" gives each part as {name, clsid, parameters, events, dropped, files}. */
struct drd_session_record {
    const char *id;
    const struct drd_session_part *parts;
    int n_parts; /* 0: a session refused before any profiler was known (profiler names what was asked) */
    const char *profiler; /* used only when n_parts is 0 */
    const char *mode; /* "attach" or "startup" */
    long pid;
    const char *name, *command_line, *runtime_version; /* NULL: left out */
    int64_t start_wall_ms, end_wall_ms, duration_ms;
    const char *status; /* completed, incomplete, failed */
    const char *reason;
    int has_counts;
    /* the detach: "requested", "refused", "none" (the process was exiting); "detached" or "late" once the tool
     * saw the library leave the target or not; NULL: left out */
    const char *detach, *detach_detail;
    const char *written_by; /* NULL: the library */
};

/* Formats "2026-11-26T14:35:01.123Z". */
void drd_session_iso_time(int64_t wall_ms, char *out, size_t cap);

/* Writes r as dir/session.json (atomically, mode 0600) through the caller's buffer, unless a session.json is
 * already there: the first record of a session stands (the library's, or the tool's when it gave up first), and a
 * late writer gets -1 with errno EEXIST. Returns 0, or -1 with errno (ENOSPC when buf is too small). Does not
 * allocate: the library calls it. */
int drd_session_record_write(const char *dir, const struct drd_session_record *r, char *buf, size_t cap);

#endif
