/* drdotnet: the command-line entry point and verb dispatch. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "symbols/symbols.h"
#include "drd_commit.h"
#include "drdotnet/version.h"

static void usage(FILE *f)
{
    fprintf(f, "drdotnet %s: a profiler for .NET applications on Linux\n\n"
               "usage: drdotnet <verb> [options]\n\n"
               "verbs:\n"
               "  ps                              list the .NET processes on this machine\n"
               "  profilers                       list the profilers and their parameters\n"
               "  profile <pid> <profiler> ...    attach to a running process, collect, report\n"
               "  launch <profiler> ... -- <cmd>  start a command with a profiler loaded from its start\n"
               "  sessions                        list past sessions, newest first\n"
               "  show <session>                  print a session's report\n"
               "  export <session> --format F     write a session's samples as speedscope, folded or pprof\n"
               "  diff <session> <session>        which types grew between two heap snapshots\n"
               "  serve                           the web UI on 127.0.0.1: pick, profile, read reports in a browser\n\n"
               "options:\n"
               "  -h, --help                      this text; after a verb, that verb's usage\n"
               "  --version                       the tool's version and commit, and the library's version as the\n"
               "                                  library reports it (exit status 1 when it cannot be loaded)\n\n"
               "exit status:\n"
               "  0                               done; for profile and launch, the session completed\n"
               "  1                               the session ran but did not complete, or a command failed\n"
               "  2                               bad usage: an unknown verb, option, profiler or parameter\n"
               "  3                               the target cannot be profiled: no such process, not .NET,\n"
               "                                  diagnostics disabled, permission, a musl-based process\n"
               "  4                               a profiler is already loaded in the target\n\n"
               "environment:\n"
               "  DRDOTNET_HOME                   where sessions live ($DRDOTNET_HOME/sessions) and the library\n"
               "                                  copies that targets load ($DRDOTNET_HOME/lib)\n"
               "  XDG_DATA_HOME                   when DRDOTNET_HOME is not set: $XDG_DATA_HOME/drdotnet\n"
               "                                  (default ~/.local/share/drdotnet)\n"
               "  DRDOTNET_LIB                    the libdrdotnet.so to use instead of the one installed with\n"
               "                                  the tool (beside it, or in ../lib/drdotnet)\n"
               "  DRDOTNET_IPC_TIMEOUT_MS         how long to wait for a runtime's answer (default 10 s for\n"
               "                                  ProcessInfo, 30 s for the attach, 3 s per process in ps)\n"
               "  DRDOTNET_DETACH_WAIT_MS         how long to wait for the target to unload the library after a\n"
               "                                  session (default 10 s)\n"
               "  DRDOTNET_END_GRACE_MS           how long past a session's end to wait for the profiler to end\n"
               "                                  it before recording it as incomplete (default 30 s)\n"
               "  DRDOTNET_LINES                  0: reports leave managed frames without source lines (no\n"
               "                                  assembly or PDB read)\n"
               "  TMPDIR                          where the runtimes' diagnostics sockets are looked for\n"
               "                                  (default /tmp)\n"
               "  DRDOTNET_SESSION_FILE           read by the library in a process started with a profiler\n"
               "                                  (drdotnet launch sets it): the session request's path\n"
               "  DRDOTNET_SESSION_PID            read there too: the pid of the process to profile; its\n"
               "                                  children inherit the variables, not the pid\n\n"
               "'drdotnet <verb> --help' tells more. Sessions live in $DRDOTNET_HOME/sessions\n"
               "(default ${XDG_DATA_HOME:-~/.local/share}/drdotnet/sessions).\n",
            DRD_VERSION);
}

/* drdotnet --version: the tool's version and commit, and the library's version as the library reports it, on one
 * line ("drdotnet <version> ..." as before, for scripts that cut the second word). Returns DRD_EXIT_FAILED when the
 * library cannot be loaded or is of another version. */
static int version(void)
{
    char path[PATH_MAX], err[1024];
    const struct drd_profiler_table *t = NULL;
    if (drd_tool_library_path(path, sizeof path, err, sizeof err) == 0)
        t = drd_tool_profilers(err, sizeof err);
    if (t) {
        printf("drdotnet %s (commit %s; libdrdotnet.so %s, %s)\n", DRD_VERSION, DRD_COMMIT, t->version, path);
        return DRD_EXIT_OK;
    }
    printf("drdotnet %s (commit %s)\n", DRD_VERSION, DRD_COMMIT);
    drd_tool_error("%s", err);
    return DRD_EXIT_FAILED;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *verb;
        int (*fn)(int, char **);
    } verbs[] = {
        {"ps", drd_cmd_ps},           {"profilers", drd_cmd_profilers}, {"profile", drd_cmd_profile},
        {"launch", drd_cmd_launch},   {"sessions", drd_cmd_sessions},   {"show", drd_cmd_show},
        {"export", drd_cmd_export},   {"diff", drd_cmd_diff},           {"serve", drd_cmd_serve},
    };
    if (argc < 2) {
        usage(stderr);
        return DRD_EXIT_USAGE;
    }
    if (drd_cli_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return DRD_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return version();
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].verb) == 0)
            return verbs[i].fn(argc - 1, argv + 1);
    drd_tool_error("unknown verb '%s' (drdotnet --help lists them)", argv[1]);
    return DRD_EXIT_USAGE;
}

int drd_cli_native_option(const char *arg)
{
    static int fold = 1, resolve = 1;
    int *slot = strncmp(arg, "--fold-native=", 14) == 0 ? &fold : strncmp(arg, "--symbols=", 10) == 0 ? &resolve : NULL;
    if (!slot)
        return 0;
    const char *v = strchr(arg, '=') + 1;
    if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
        drd_tool_error("%.*s takes true or false, not '%s'", (int)(v - arg - 1), arg, v);
        return -1;
    }
    *slot = strcmp(v, "true") == 0;
    drd_symbols_configure(resolve, fold);
    return 1;
}

int drd_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}
