/* drdotnet show: a finished session's report, as text or JSON. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "report/report.h"

int drd_cmd_show(int argc, char **argv)
{
    int json = 0;
    const char *arg = NULL;
    for (int i = 1; i < argc; i++) {
        int native = drd_cli_native_option(argv[i]);
        if (native < 0)
            return DRD_EXIT_USAGE;
        if (native)
            continue;
        if (drd_cli_is_help(argv[i])) {
            printf("usage: drdotnet show <session> [--json] " DRD_CLI_NATIVE_USAGE "\n\n"
                   "Prints the report of a session: its id, a unique prefix of it, or 'last'. A session that has no\n"
                   "session.json (still running, or stopped before its end) shows the data written so far, marked\n"
                   "as such. Native frames are named 'function (library)' from the target's files (through\n"
                   "/proc/<pid>/root while it runs; a file whose build-id differs is not used); consecutive frames of\n"
                   "one library left without a name fold into one, 'libcoreclr.so (6 frames)'. --fold-native=false\n"
                   "keeps them apart, each named 'library+0x<address>'; --symbols=false names no function.\n");
            return DRD_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || arg) {
            drd_tool_error("show: unexpected '%s'", argv[i]);
            return DRD_EXIT_USAGE;
        } else
            arg = argv[i];
    }
    if (!arg) {
        drd_tool_error("show needs a session (drdotnet sessions lists them)");
        return DRD_EXIT_USAGE;
    }
    char root[4096], dir[4200], err[512];
    if (drd_tool_sessions_root_read(root, sizeof root, err, sizeof err)) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    if (drd_session_resolve(root, arg, dir, sizeof dir, err, sizeof err)) {
        drd_tool_error("%s", err);
        return DRD_EXIT_USAGE;
    }
    /* a folder without session.json (the tool and the target both killed) still shows what was written */
    json_t *s = drd_session_load_any(dir, err, sizeof err);
    if (!s) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    json_t *report = NULL;
    if (json_array_size(json_object_get(s, "files")) > 0) {
        report = drd_report_build(dir, s, err, sizeof err);
        if (!report) {
            drd_tool_error("%s", err);
            json_decref(s);
            return DRD_EXIT_FAILED;
        }
    }
    if (json) {
        json_t *all = drd_report_json(s, report);
        json_dumpf(all, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(all);
    } else
        drd_report_print(stdout, s, report);
    json_decref(report);
    json_decref(s);
    return DRD_EXIT_OK;
}
