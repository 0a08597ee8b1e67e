/* drdotnet ps: the .NET processes this user can profile, with what their runtime says of itself. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/safetext.h"
#include "diag/diag.h"

int drd_cmd_ps(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (drd_cli_is_help(argv[i])) {
            printf(
                "usage: drdotnet ps [--json]\n\n"
                "Lists the .NET processes whose diagnostics socket this user can reach: pid, name, runtime\n"
                "version and command line. Stale sockets of exited processes are skipped. Processes in other\n"
                "pid and mount namespaces (containers) are found through /proc/<pid>/root when this user may\n"
                "look there (root, or their own user): NS PID is then their pid inside (- when the same), and\n"
                "MNT NS says 'other' for another mount namespace. 'drdotnet profile' takes the PID column.\n"
                "All runtimes are asked at once, under one deadline (3 s, or DRDOTNET_IPC_TIMEOUT_MS); a socket\n"
                "that belongs to neither the process's user nor root is not that process's runtime and is skipped.\n");
            return DRD_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else {
            drd_tool_error("ps: unknown option '%s'", argv[i]);
            return DRD_EXIT_USAGE;
        }
    }
    struct drd_dotnet_process *procs;
    int n = drd_diag_list(NULL, &procs);
    if (n < 0) {
        drd_tool_error("cannot list the .NET processes: %s", strerror(errno));
        return DRD_EXIT_FAILED;
    }
    /* every runtime asked at once under one deadline: sockets that never answer cost one timeout, not one each */
    struct drd_diag_probe *probes = n ? calloc((size_t)n, sizeof *probes) : NULL;
    if (n && !probes) {
        drd_tool_error("out of memory");
        free(procs);
        return DRD_EXIT_FAILED;
    }
    drd_diag_process_info_all(procs, n, drd_tool_ipc_timeout(3000), probes);
    json_t *arr = json_array();
    if (!json)
        printf("%8s  %-20s %-10s %7s %-6s  %s\n", "PID", "NAME", "RUNTIME", "NS PID", "MNT NS", "COMMAND LINE");
    for (int i = 0; i < n; i++) {
        const struct drd_process_info *info = &probes[i].info;
        const struct drd_diag_error *err = &probes[i].err;
        int ok = probes[i].ok;
        if (json) {
            json_t *o = json_pack("{s:i,s:s,s:s,s:b}", "pid", (int)procs[i].pid, "name", procs[i].name, "socket",
                                  procs[i].socket_path, "other_mount_ns", procs[i].other_mnt);
            if (procs[i].ns_pid != procs[i].pid)
                json_object_set_new(o, "ns_pid", json_integer(procs[i].ns_pid));
            if (ok) {
                json_object_set_new(o, "command_line", json_string(info->command_line));
                json_object_set_new(o, "runtime_version", json_string(info->clr_version));
                json_object_set_new(o, "os", json_string(info->os));
                json_object_set_new(o, "arch", json_string(info->arch));
                json_object_set_new(o, "entry_assembly", json_string(info->entry_assembly));
            } else
                json_object_set_new(o, "error", json_string(err->message));
            json_array_append_new(arr, o);
        } else {
            char ns_pid[16] = "-";
            if (procs[i].ns_pid != procs[i].pid)
                snprintf(ns_pid, sizeof ns_pid, "%d", (int)procs[i].ns_pid);
            /* the name, version and command line are the target's own words: printed escaped */
            char *name = drd_safetext_dup(procs[i].name), *version = drd_safetext_dup(ok ? info->clr_version : "?"),
                 *line = drd_safetext_dup(ok ? info->command_line : err->message);
            printf("%8d  %-20s %-10s %7s %-6s  %s\n", (int)procs[i].pid, name ? name : "?", version ? version : "?",
                   ns_pid, procs[i].other_mnt ? "other" : "same", line ? line : "?");
            free(name);
            free(version);
            free(line);
        }
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (n == 0)
        printf("(no .NET process found)\n");
    json_decref(arr);
    free(probes);
    free(procs);
    return DRD_EXIT_OK;
}
