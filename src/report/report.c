/* Report dispatch: which builder and printer a session's profiler uses, and the common session header. */
#include <string.h>

#include "report/report.h"

json_t *drd_report_build(const char *dir, json_t *session, char *err, size_t cap)
{
    const char *name = json_string_value(json_object_get(json_object_get(session, "profiler"), "name"));
    char raw[4200];
    if (!name) {
        snprintf(err, cap, "the session names no profiler");
        return NULL;
    }
    if (strcmp(name, "exceptions") == 0) {
        snprintf(raw, sizeof raw, "%s/exceptions.raw", dir);
        return drd_exceptions_report(raw, err, cap);
    }
    if (strcmp(name, "cpu-hotpaths") == 0) {
        snprintf(raw, sizeof raw, "%s/cpu-hotpaths.raw", dir);
        return drd_cpu_report(raw, err, cap);
    }
    if (strcmp(name, "merged-stacks") == 0) {
        snprintf(raw, sizeof raw, "%s/merged-stacks.raw", dir);
        return drd_merged_report(raw, err, cap);
    }
    if (strcmp(name, "runtime-pauses") == 0) {
        snprintf(raw, sizeof raw, "%s/runtime-pauses.raw", dir);
        return drd_pauses_report(raw, (double)json_integer_value(json_object_get(session, "duration_ms")), err, cap);
    }
    if (strcmp(name, "duplicated-strings") == 0) {
        snprintf(raw, sizeof raw, "%s/duplicated-strings.raw", dir);
        return drd_strings_report(raw, err, cap);
    }
    if (strcmp(name, "allocations") == 0) {
        snprintf(raw, sizeof raw, "%s/allocations.raw", dir);
        return drd_allocations_report(raw, err, cap);
    }
    if (strcmp(name, "heap-snapshot") == 0)
        return drd_heap_report(dir, err, cap);
    snprintf(err, cap, "this tool has no report for profiler '%s'", name);
    return NULL;
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

void drd_report_print(FILE *out, json_t *session, json_t *report)
{
    json_t *target = json_object_get(session, "target");
    fprintf(out, "Session %s: %s, %s\n", str(session, "id"), str(json_object_get(session, "profiler"), "name"),
            str(session, "status"));
    if (*str(session, "reason"))
        fprintf(out, "  reason: %s\n", str(session, "reason"));
    /* a profiler that could not leave, or left late, is worth a line: it may still be loaded in the target */
    if (!strcmp(str(session, "detach"), "refused") || !strcmp(str(session, "detach"), "late"))
        fprintf(out, "  detach %s: %s\n", str(session, "detach"), str(session, "detach_detail"));
    fprintf(out, "Target: pid %lld %s, .NET %s\n  %s\n", (long long)json_integer_value(json_object_get(target, "pid")),
            str(target, "name"), *str(target, "runtime_version") ? str(target, "runtime_version") : "?",
            str(target, "command_line"));
    fprintf(out, "Collected for %.1f s from %s\n\n",
            (double)json_integer_value(json_object_get(session, "duration_ms")) / 1000.0, str(session, "start"));
    if (!report)
        return;
    const char *name = str(report, "profiler");
    if (strcmp(name, "exceptions") == 0)
        drd_exceptions_print(out, report);
    else if (strcmp(name, "cpu-hotpaths") == 0)
        drd_cpu_print(out, report);
    else if (strcmp(name, "merged-stacks") == 0)
        drd_merged_print(out, report);
    else if (strcmp(name, "runtime-pauses") == 0)
        drd_pauses_print(out, report);
    else if (strcmp(name, "duplicated-strings") == 0)
        drd_strings_print(out, report);
    else if (strcmp(name, "allocations") == 0)
        drd_allocations_print(out, report);
    else if (strcmp(name, "heap-snapshot") == 0)
        drd_heap_print(out, report);
}
