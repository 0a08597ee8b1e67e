/* Report dispatch: one row per profiler (its report builder, its printer, what it exports), and the common session
 * header. Adding a profiler to the tool is one row in `kinds`. */
#include <string.h>

#include "report/report.h"

static json_t *pauses_build(const char *raw, const char *dir, json_t *session, char *err, size_t cap)
{
    (void)dir;
    return drd_pauses_report(raw, (double)json_integer_value(json_object_get(session, "duration_ms")), err, cap);
}

static json_t *heap_build(const char *raw, const char *dir, json_t *session, char *err, size_t cap)
{
    (void)raw, (void)session;
    return drd_heap_report(dir, err, cap);
}

static const struct drd_report_kind kinds[] = {
    {"exceptions", drd_exceptions_report, NULL, drd_exceptions_print, 0},
    {"cpu-hotpaths", drd_cpu_report, NULL, drd_cpu_print, 1},
    {"merged-stacks", drd_merged_report, NULL, drd_merged_print, 1},
    {"runtime-pauses", NULL, pauses_build, drd_pauses_print, 0},
    {"duplicated-strings", drd_strings_report, NULL, drd_strings_print, 0},
    {"allocations", drd_allocations_report, NULL, drd_allocations_print, 0},
    {"heap-snapshot", NULL, heap_build, drd_heap_print, 0},
};

const struct drd_report_kind *drd_report_kind(const char *profiler)
{
    for (size_t i = 0; profiler && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].profiler, profiler) == 0)
            return &kinds[i];
    return NULL;
}

int drd_report_raw_path(const char *dir, const char *profiler, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/%s.raw", dir, profiler);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

json_t *drd_report_build(const char *dir, json_t *session, char *err, size_t cap)
{
    const char *name = json_string_value(json_object_get(json_object_get(session, "profiler"), "name"));
    if (!name) {
        snprintf(err, cap, "the session names no profiler");
        return NULL;
    }
    const struct drd_report_kind *k = drd_report_kind(name);
    if (!k) {
        snprintf(err, cap, "this tool has no report for profiler '%s'", name);
        return NULL;
    }
    char raw[4200];
    if (drd_report_raw_path(dir, name, raw, sizeof raw)) {
        snprintf(err, cap, "the session folder's path is too long");
        return NULL;
    }
    return k->from_raw ? k->from_raw(raw, err, cap) : k->build(raw, dir, session, err, cap);
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
    const struct drd_report_kind *k = report ? drd_report_kind(str(report, "profiler")) : NULL;
    if (k)
        k->print(out, report);
}
