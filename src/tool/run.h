/* Running a session to its end: attach (profile) or startup (launch), progress while it runs, and the outcome. */
#ifndef DRD_RUN_H
#define DRD_RUN_H

#include <sys/types.h>

#include "drdotnet/clientdata.h"

/* What a run of a profiler needs. */
struct drd_run_request {
    const char *profiler;
    pid_t pid; /* profile: the target */
    char **argv; /* launch: the command, NULL-terminated */
    struct drd_cd_param params[DRD_CD_MAX_PARAMS];
    int n_params;
    int json; /* print the report as JSON */
    int quiet; /* no progress line, no report */
};

/* Runs a session (attach when argv is NULL, else launch) to its end and prints the report.
 * Returns a DRD_EXIT_* code; DRD_EXIT_OK only when the session completed. */
int drd_run(const struct drd_run_request *req);

/* Parses "KEY=VALUE" into the request. Returns 0 or -1 with a message on stderr. */
int drd_run_add_param(struct drd_run_request *req, const char *kv);

#endif
