/* drdotnet sessions: past sessions, newest first. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/safetext.h"
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
    if (drd_cli_sessions_root_read(root, sizeof root, err, sizeof err)) {
        drd_cli_error("%s", err);
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
        /* without session.json: running or abandoned by the rule the web API follows (report.h) */
        json_t *s = drd_session_load_any(dir, err, sizeof err);
        if (!s)
            s = json_pack("{s:s,s:s,s:s}", "id", ids[i], "status", "unreadable", "reason", err);
        if (!s)
            continue;
        if (json) {
            json_array_append_new(arr, s);
            continue;
        }
        json_t *target = json_object_get(s, "target");
        /* every string here comes from a session file: printed escaped */
        char *prof = drd_safetext_dup(json_string_value(json_object_get(json_object_get(s, "profiler"), "name")));
        char *status = drd_safetext_dup(json_string_value(json_object_get(s, "status")));
        char *tname = drd_safetext_dup(json_string_value(json_object_get(target, "name")));
        printf("%-48s %-14s %-11s %s (pid %lld)\n", ids[i], prof ? prof : "", status ? status : "?", tname ? tname : "",
               (long long)json_integer_value(json_object_get(target, "pid")));
        free(prof);
        free(status);
        free(tname);
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
