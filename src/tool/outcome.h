/* After a session: what became of the detach, the tool's additions to session.json, the report. */
#ifndef DRD_OUTCOME_H
#define DRD_OUTCOME_H

#include <sys/types.h>

/* What became of the detach. The library wrote in dir/session.json whether it asked and whether the runtime
 * agreed; this waits (DRDOTNET_DETACH_WAIT_MS, default 10 s) for the library lib_name to leave pid's memory, says so
 * when it does not, and records the outcome ("detached" or "late") in session.json. Returns 1 when the runtime
 * refused the detach (the profiler stays loaded: no other profiler can attach until the process restarts), else 0. */
int drd_outcome_confirm_detach(const char *dir, pid_t pid, unsigned long long start_ticks, const char *lib_name);

/* Records in dir/session.json the target's pid as this tool sees it (target.pid, the one in the session's id)
 * and as the target sees itself (target.ns_pid), for a target in another pid namespace. */
void drd_outcome_note_pids(const char *dir, pid_t pid, pid_t ns_pid);

/* Prints the report of the finished session in dir (JSON with json_out, nothing with quiet) and writes its
 * summary.md. Returns the exit code: DRD_EXIT_OK when the session completed. */
int drd_outcome_report(const char *dir, int json_out, int quiet);

#endif
