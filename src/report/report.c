/* Report dispatch: which builder and printer a session's profiler uses, and the common session header. */
#include <stdlib.h>
#include <string.h>

#include "common/safetext.h"
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

/* A copy of v in which every string, keys included, has its control characters escaped (safetext.h): the one
 * place where the text printers' strings are made safe, since every string of a session or a report (command
 * lines, thread, type and method names, exception messages, strings from the heap, reasons) may come from the
 * target or from a session file. Returns a new reference, or NULL when out of memory. */
static json_t *safe_copy(json_t *v)
{
    if (json_is_string(v)) {
        if (!drd_safetext_needed(json_string_value(v)))
            return json_incref(v);
        char *e = drd_safetext_dup(json_string_value(v));
        json_t *r = e ? json_string(e) : NULL;
        free(e);
        return r;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!a || json_array_append_new(a, safe_copy(x))) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            char *ek = drd_safetext_dup(k);
            int bad = !o || !ek || json_object_set_new(o, ek, safe_copy(x));
            free(ek);
            if (bad) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    return json_incref(v);
}

static void print_safe(FILE *out, json_t *session, json_t *report);

void drd_report_print(FILE *out, json_t *session, json_t *report)
{
    json_t *s = safe_copy(session), *r = report ? safe_copy(report) : NULL;
    if (!s || (report && !r))
        fprintf(out, "(out of memory: no report)\n");
    else
        print_safe(out, s, r);
    json_decref(s);
    json_decref(r);
}

/* drd_report_print on strings already made safe. */
static void print_safe(FILE *out, json_t *session, json_t *report)
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
    if (json_is_true(json_object_get(session, "partial")))
        fprintf(out, "No session.json: what follows is the data written so far, unchecked; its last records may be "
                     "cut\n\n");
    else if (*str(session, "start"))
        fprintf(out, "Collected for %.1f s from %s\n\n",
                (double)json_integer_value(json_object_get(session, "duration_ms")) / 1000.0, str(session, "start"));
    else
        fputc('\n', out);
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
