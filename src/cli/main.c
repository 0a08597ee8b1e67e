/* drdotnet: the command-line entry point and verb dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
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
               "'drdotnet <verb> --help' tells more. Sessions live in $DRDOTNET_HOME/sessions\n"
               "(default ${XDG_DATA_HOME:-~/.local/share}/drdotnet/sessions).\n",
            DRD_VERSION);
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
    if (strcmp(argv[1], "--version") == 0) {
        printf("drdotnet %s\n", DRD_VERSION);
        return DRD_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].verb) == 0)
            return verbs[i].fn(argc - 1, argv + 1);
    drd_cli_error("unknown verb '%s' (drdotnet --help lists them)", argv[1]);
    return DRD_EXIT_USAGE;
}
