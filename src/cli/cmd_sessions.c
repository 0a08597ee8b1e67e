/* drdotnet sessions: past sessions, newest first. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "report/report.h"

int drd_cmd_sessions(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (drd_cli_is_help(argv[i])) {
            printf("usage: drdotnet sessions [--json]\n\nLists the sessions in the sessions folder, newest first.\n");
            return DRD_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else {
            drd_cli_error("sessions: unknown option '%s'", argv[i]);
            return DRD_EXIT_USAGE;
        }
    }
    char root[4096], err[512];
    if (drd_sessions_root(root, sizeof root)) {
        drd_cli_error("cannot tell where sessions live (set DRDOTNET_HOME)");
        return DRD_EXIT_FAILED;
    }
    char **ids;
    int n = drd_sessions_list(root, &ids);
    if (n < 0) {
        drd_cli_error("cannot read %s", root);
        return DRD_EXIT_FAILED;
    }
    json_t *arr = json_array();
    if (!json)
        printf("%-48s %-14s %-11s %s\n", "SESSION", "PROFILER", "STATUS", "TARGET");
    for (int i = 0; i < n; i++) {
        char dir[4200];
        snprintf(dir, sizeof dir, "%s/%s", root, ids[i]);
        json_t *s = drd_session_load(dir, err, sizeof err);
        const char *status = s ? json_string_value(json_object_get(s, "status")) : "running";
        const char *prof = s ? json_string_value(json_object_get(json_object_get(s, "profiler"), "name")) : "";
        json_t *target = s ? json_object_get(s, "target") : NULL;
        const char *tname = target ? json_string_value(json_object_get(target, "name")) : NULL;
        if (json)
            json_array_append_new(arr, s ? json_incref(s) : json_pack("{s:s,s:s}", "id", ids[i], "status", "running"));
        else
            printf("%-48s %-14s %-11s %s (pid %lld)\n", ids[i], prof ? prof : "", status ? status : "?",
                   tname ? tname : "", target ? (long long)json_integer_value(json_object_get(target, "pid")) : 0LL);
        json_decref(s);
    }
    if (json) {
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
    } else if (n == 0)
        printf("(no session yet in %s)\n", root);
    json_decref(arr);
    drd_sessions_free(ids, n);
    return DRD_EXIT_OK;
}
