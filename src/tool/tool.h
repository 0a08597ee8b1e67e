/* What the tool's front ends (the command, the web server) share: exit codes, where the library and the sessions
 * live, the library's profiler table, the runtime's timeouts, messages. */
#ifndef DRD_TOOL_H
#define DRD_TOOL_H

#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

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
int drd_tool_library_path(char *out, size_t cap, char *err, size_t errcap);

/* Puts the sessions root in root, creating it (mode 0700) when missing and accepting an existing one only when it
 * is a real folder of this user that nobody else can write. Returns 0, or -1 with err. */
int drd_tool_sessions_root_make(char *root, size_t cap, char *err, size_t errcap);

/* Puts the sessions root in root for a command that only reads it (sessions, show, export, diff), with the same
 * rule as drd_tool_sessions_root_make: an existing root must be a real folder of this user that nobody else can
 * write; a missing one is accepted (it holds no session). Returns 0, or -1 with err. */
int drd_tool_sessions_root_read(char *root, size_t cap, char *err, size_t errcap);

/* dlopens the library in this process and returns its profiler table (the handle stays open for the life of
 * the process). Returns NULL with err, also for a library of another version than the tool's. */
const struct drd_profiler_table *drd_tool_profilers(char *err, size_t errcap);

/* The profilers and their parameters as JSON (the form `drdotnet profilers --json` and the web API give).
 * Returns a new reference. */
json_t *drd_tool_profilers_json(const struct drd_profiler_table *t);

/* "int", "enum" or "bool". */
const char *drd_tool_param_type_name(enum drd_param_type t);

/* Milliseconds to wait for a runtime's answer: $DRDOTNET_IPC_TIMEOUT_MS when set, else fallback. */
int drd_tool_ipc_timeout(int fallback);

/* 1 when stream is a terminal. */
int drd_tool_tty(FILE *f);

/* Prints "drdotnet: <message>" on stderr, its control characters escaped (common/safetext.h), cut at 4 KiB. */
void drd_tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
