/* drdotnet profile and launch: option parsing; the session itself runs in run.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* Parses the options shared by profile and launch from argv[*i]. Returns 1 when consumed, 0 when not an
 * option of ours, -1 on error. */
static int common_option(struct drd_run_request *req, int argc, char **argv, int *i, int *have_duration)
{
    const char *a = argv[*i];
    if (strcmp(a, "--duration") == 0 || strcmp(a, "--param") == 0 || strcmp(a, "-p") == 0) {
        if (*i + 1 >= argc) {
            drd_tool_error("%s needs a value", a);
            return -1;
        }
        const char *v = argv[++*i];
        if (strcmp(a, "--duration") == 0) {
            char kv[64];
            snprintf(kv, sizeof kv, "duration=%s", v);
            *have_duration = 1;
            return drd_run_add_param(req, kv) ? -1 : 1;
        }
        if (strncmp(v, "duration=", 9) == 0)
            *have_duration = 1;
        return drd_run_add_param(req, v) ? -1 : 1;
    }
    if (strcmp(a, "--json") == 0) {
        req->json = 1;
        return 1;
    }
    if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
        req->quiet = 1;
        return 1;
    }
    return 0;
}

int drd_cmd_profile(int argc, char **argv)
{
    struct drd_run_request req = {0};
    const char *pos[2] = {NULL, NULL};
    int npos = 0, have_duration = 0;
    for (int i = 1; i < argc; i++) {
        if (drd_cli_is_help(argv[i])) {
            printf(
                "usage: drdotnet profile <pid> <profiler> [--duration S] [--param KEY=VALUE]... [--json] [--quiet]\n\n"
                "Attaches <profiler> to the running .NET process <pid> through its diagnostics socket, collects\n"
                "for S seconds (default 10), then prints the report. The profiler detaches by itself at the\n"
                "end and the process runs on. 'drdotnet profilers' lists profilers and parameters.\n\n"
                "exit status: 0 completed, 1 not completed, 2 bad usage, 3 target cannot be profiled,\n"
                "4 a profiler is already loaded in the target\n");
            return DRD_EXIT_OK;
        }
        int r = common_option(&req, argc, argv, &i, &have_duration);
        if (r < 0)
            return DRD_EXIT_USAGE;
        if (r)
            continue;
        if (argv[i][0] == '-' || npos == 2) {
            drd_tool_error("profile: unexpected '%s' (see drdotnet profile --help)", argv[i]);
            return DRD_EXIT_USAGE;
        }
        pos[npos++] = argv[i];
    }
    if (npos != 2) {
        drd_tool_error("profile needs a pid and a profiler: drdotnet profile <pid> <profiler>");
        return DRD_EXIT_USAGE;
    }
    char *end;
    errno = 0;
    long pid = strtol(pos[0], &end, 10);
    if (errno || *end || pid <= 0 || pid > 0x7fffffff) {
        drd_tool_error("'%s' is not a pid", pos[0]);
        return DRD_EXIT_USAGE;
    }
    req.pid = (pid_t)pid;
    req.profiler = pos[1];
    return drd_run(&req);
}

int drd_cmd_launch(int argc, char **argv)
{
    struct drd_run_request req = {0};
    int have_duration = 0, i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (drd_cli_is_help(argv[i])) {
            printf("usage: drdotnet launch <profiler> [--duration S] [--param KEY=VALUE]... [--json] -- <command> "
                   "[args]\n\n"
                   "Starts <command> with <profiler> loaded by the runtime from its start (CORECLR_* variables),\n"
                   "collects until the command exits (or for S seconds, then detaches), and prints the report.\n"
                   "With --json, standard output holds only the report; the command's output goes to stderr.\n");
            return DRD_EXIT_OK;
        }
        int r = common_option(&req, argc, argv, &i, &have_duration);
        if (r < 0)
            return DRD_EXIT_USAGE;
        if (r)
            continue;
        if (argv[i][0] == '-' || req.profiler) {
            drd_tool_error("launch: unexpected '%s' (see drdotnet launch --help)", argv[i]);
            return DRD_EXIT_USAGE;
        }
        req.profiler = argv[i];
    }
    if (!req.profiler || i >= argc - 1) {
        drd_tool_error("launch needs a profiler and a command: drdotnet launch <profiler> -- <command> [args]");
        return DRD_EXIT_USAGE;
    }
    if (!have_duration && drd_run_add_param(&req, "duration=0"))
        return DRD_EXIT_USAGE;
    req.argv = argv + i + 1;
    return drd_run(&req);
}
