/* Shared pieces of the drdotnet command: the library, session runs, option parsing, output helpers. */
#ifndef DRD_CLI_H
#define DRD_CLI_H

#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/profilers.h"

/* Exit codes. */
enum {
    DRD_EXIT_OK = 0,
    DRD_EXIT_FAILED = 1, /* the session ran but did not complete, or a command failed */
    DRD_EXIT_USAGE = 2, /* bad command line or parameters */
    DRD_EXIT_TARGET = 3, /* the target cannot be profiled (no process, not .NET, permission, ...) */
    DRD_EXIT_BUSY = 4, /* a profiler is already loaded in the target */
};

/* The library the tool hands to targets: $DRDOTNET_LIB, else libdrdotnet.so beside the executable (a build
 * folder), else in <executable's folder>/../lib/drdotnet (the installed layout; DRD_LIB_FROM_BIN).
 * Returns 0 with the absolute path, or -1 with err. */
int drd_cli_library_path(char *out, size_t cap, char *err, size_t errcap);

/* Puts the sessions root in root, creating it (mode 0700) when missing and accepting an existing one only when it
 * is a real folder of this user that nobody else can write. Returns 0, or -1 with err. */
int drd_cli_sessions_root_make(char *root, size_t cap, char *err, size_t errcap);

/* Puts the sessions root in root for a command that only reads it (sessions, show, export, diff), with the same
 * rule as drd_cli_sessions_root_make: an existing root must be a real folder of this user that nobody else can
 * write; a missing one is accepted (it holds no session). Returns 0, or -1 with err. */
int drd_cli_sessions_root_read(char *root, size_t cap, char *err, size_t errcap);

/* dlopens the library in this process and returns its profiler table (the handle stays open for the life of
 * the process). Returns NULL with err, also for a library of another version than the tool's. */
const struct drd_profiler_table *drd_cli_profilers(char *err, size_t errcap);

/* The profilers and their parameters as JSON (the form `drdotnet profilers --json` and the web API give).
 * Returns a new reference. */
json_t *drd_cli_profilers_json(const struct drd_profiler_table *t);

/* "int", "enum" or "bool". */
const char *drd_cli_param_type_name(enum drd_param_type t);

/* Copies the library to a private folder (0700, owned by us) under a name made of its content hash, so a copy
 * that a target has mapped is never rewritten: a changed library gets a new name. Returns 0 with the copy's
 * path, or -1 with err. */
int drd_libcopy_place(const char *src, char *out, size_t cap, char *err, size_t errcap);

/* Writes a copy of the library src as dir_fd/name (a new file: O_EXCL, O_NOFOLLOW; mode 0755), for a target that
 * cannot read this tool's files (another mount namespace). Returns 0, or -1 with err (nothing left behind). */
int drd_libcopy_write_at(const char *src, int dir_fd, const char *name, char *err, size_t errcap);

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
int drd_cli_add_param(struct drd_run_request *req, const char *kv);

/* Milliseconds to wait for a runtime's answer: $DRDOTNET_IPC_TIMEOUT_MS when set, else fallback. */
int drd_cli_ipc_timeout(int fallback);

/* 1 when stream is a terminal. */
int drd_cli_tty(FILE *f);

/* Prints "drdotnet: <message>" on stderr, its control characters escaped (common/safetext.h), cut at 4 KiB. */
void drd_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The verbs. */
int drd_cmd_ps(int argc, char **argv);
int drd_cmd_profilers(int argc, char **argv);
int drd_cmd_profile(int argc, char **argv);
int drd_cmd_launch(int argc, char **argv);
int drd_cmd_sessions(int argc, char **argv);
int drd_cmd_show(int argc, char **argv);
int drd_cmd_export(int argc, char **argv);
int drd_cmd_diff(int argc, char **argv);
int drd_cmd_serve(int argc, char **argv);

/* 1 if arg is -h or --help. */
int drd_cli_is_help(const char *arg);

#endif
