/* Sessions that the web server starts: each one a child process running this executable's `profile` verb, so a
 * session never blocks the server and a crash in one cannot take the server down. */
#ifndef DRD_RUNS_H
#define DRD_RUNS_H

#include <stddef.h>
#include <sys/types.h>

#include "drdotnet/clientdata.h"

#define DRD_RUNS_MAX 16 /* children running at once */

enum drd_run_state {
    DRD_RUN_STARTING, /* the child has not attached yet */
    DRD_RUN_ATTACHED, /* the profiler is loaded in the target; the child waits for the session's end */
    DRD_RUN_EXITED, /* the child has ended */
};

struct drd_run_outcome {
    enum drd_run_state state;
    char id[DRD_CD_MAX_ID]; /* the session id the child made, "" until it says */
    int attached; /* 1 once the child said the profiler is loaded (stays 1 after it exits) */
    int exit_code; /* the child's DRD_EXIT_* code once DRD_RUN_EXITED, else -1 */
    char message[512]; /* the child's last message (without "drdotnet: "), "" when none */
};

/* Starts `/proc/self/exe profile <pid> <profiler> --param KEY=VALUE...` in its own process group, with no
 * terminal input or output and its standard error read by a thread of its own (which also reaps it), then
 * waits up to wait_ms for it to attach or exit. Returns 0 with what happened by then in *out, or -1 with err
 * when the child could not be started (too many running, no pipe, no process). */
int drd_runs_start(pid_t pid, const char *profiler, const struct drd_cd_param *params, int n_params, int wait_ms,
                   struct drd_run_outcome *out, char *err, size_t cap);

/* 1 when a child of this server still runs the session id, else 0. */
int drd_runs_active(const char *id);

#endif
