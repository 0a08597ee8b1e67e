/* The diagnostics IPC client: finding .NET processes and talking to their runtime over its socket. */
#ifndef DRD_DIAG_H
#define DRD_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "diag/ipc.h"
#include "diag/proc.h"

/* What went wrong, one code per thing a user must be told apart. */
enum drd_diag_code {
    DRD_DIAG_OK = 0,
    DRD_DIAG_NO_PROCESS, /* no process with that pid */
    DRD_DIAG_NOT_DOTNET, /* the process runs, but no .NET runtime is in it */
    DRD_DIAG_DISABLED, /* a .NET runtime without its diagnostics socket (DOTNET_EnableDiagnostics=0) */
    DRD_DIAG_PERMISSION, /* the socket or /proc entry belongs to someone else */
    DRD_DIAG_ALREADY_LOADED, /* the runtime already holds a profiler */
    DRD_DIAG_TIMEOUT, /* the runtime did not answer in time */
    DRD_DIAG_PROTOCOL, /* the answer was not what the protocol says */
    DRD_DIAG_REFUSED, /* the runtime answered with an error code */
    DRD_DIAG_IO, /* any other system error */
};

struct drd_diag_error {
    enum drd_diag_code code;
    uint32_t hresult; /* DRD_DIAG_REFUSED and DRD_DIAG_ALREADY_LOADED */
    char message[512]; /* a sentence for the user */
};

/* Finds the diagnostics socket of pid (pid as this tool sees it): first in the tool's own temp folder, then in the
 * target's own (its TMPDIR or /tmp as it sees it, through /proc/<pid>/root when it lives in another mount
 * namespace), named after its pid in its own pid namespace; the newest match whose key is its start time.
 * The path may be longer than a unix socket address holds: drd_diag_request copes. Returns 0 with the path, or
 * -1 with err telling no such process / not .NET / diagnostics disabled / permission denied. */
int drd_diag_find_socket(pid_t pid, char *path, size_t cap, struct drd_diag_error *err);

/* Sends one request on a new connection and reads the one reply into payload (cap bytes). A socket_path longer
 * than sun_path holds is reached through its opened folder (/proc/self/fd/<n>/<name>).
 * Returns 0 with the reply parsed into *r, or -1 with err. */
int drd_diag_request(const char *socket_path, const uint8_t *req, size_t req_len, int timeout_ms, uint8_t *payload,
                     size_t cap, struct drd_ipc_reply *r, struct drd_diag_error *err);

/* Asks ProcessInfo3, then 2, then 1 (falling back on UNKNOWN_COMMAND). Returns 0, or -1 with err. */
int drd_diag_process_info(pid_t pid, int timeout_ms, struct drd_process_info *info, struct drd_diag_error *err);

/* Sends AttachProfiler and waits for the runtime's answer (which comes after the profiler's
 * InitializeForAttach returned). lib_path is the library's path as the target sees it.
 * Returns 0 when the profiler is loaded, or -1 with err. */
int drd_diag_attach(pid_t pid, const char *clsid, const char *lib_path, const void *client_data, size_t client_len,
                    int timeout_ms, struct drd_diag_error *err);

struct drd_dotnet_process {
    pid_t pid; /* as this tool sees it */
    pid_t ns_pid; /* in its own pid namespace (== pid when it shares ours) */
    int other_mnt; /* 1 when it lives in another mount namespace (a container) */
    char socket_path[512];
    char name[64]; /* /proc/<pid>/comm */
};

/* Lists the .NET processes whose diagnostics socket is in tmpdir, skipping stale sockets of dead or reused pids.
 * With tmpdir NULL: the tool's $TMPDIR (or /tmp), then every other process's own temp folder found through /proc,
 * which finds processes in other pid and mount namespaces when the tool may look into them (root, or their
 * user). Returns the count (the caller frees *out, sorted by pid), or -1 with errno. */
int drd_diag_list(const char *tmpdir, struct drd_dotnet_process **out);

/* The answer of one process to drd_diag_process_info_all. */
struct drd_diag_probe {
    int ok; /* 1: info holds its ProcessInfo; 0: err says why not */
    struct drd_process_info info;
    struct drd_diag_error err;
};

/* Asks the ProcessInfo of the n processes of procs at once (up to DRD_DIAG_PROBE_THREADS connections at a time)
 * under one deadline, timeout_ms from the call: runtimes that never answer (or sockets planted to look like
 * them) cost one timeout in all, not one each. A process whose turn comes after the deadline gets
 * DRD_DIAG_TIMEOUT without being asked. Fills out[0..n-1]. Returns 0, or -1 with errno when the threads
 * cannot be started (out is then filled one process after the other, as before). */
#define DRD_DIAG_PROBE_THREADS 16
int drd_diag_process_info_all(const struct drd_dotnet_process *procs, int n, int timeout_ms,
                              struct drd_diag_probe *out);

#endif
