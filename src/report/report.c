/* Report dispatch: one row per profiler (its report builder, its printer, what it exports), and the common session
 * header. Adding a profiler to the tool is one row in `kinds`. */
#include <stdlib.h>
#include <string.h>

#include "common/safetext.h"
#include "report/report.h"

static const char *str(json_t *o, const char *k);

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

static json_t *leaks_build(const char *raw, const char *dir, json_t *session, char *err, size_t cap)
{
    (void)raw, (void)session;
    return drd_leaks_report(dir, err, cap);
}

static const struct drd_report_kind kinds[] = {
    {"exceptions", drd_exceptions_report, NULL, drd_exceptions_print, 0},
    {"cpu-hotpaths", drd_cpu_report, NULL, drd_cpu_print, 1},
    {"merged-stacks", drd_merged_report, NULL, drd_merged_print, 1},
    {"runtime-pauses", NULL, pauses_build, drd_pauses_print, 0},
    {"duplicated-strings", drd_strings_report, NULL, drd_strings_print, 0},
    {"allocations", drd_allocations_report, NULL, drd_allocations_print, 1},
    {"heap-snapshot", NULL, heap_build, drd_heap_print, 1},
    {"waits", drd_waits_report, NULL, drd_waits_print, 1},
    {"leaks", NULL, leaks_build, drd_leaks_print, 0},
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

/* A time range of the session's clock asked of the reports; NULL: the whole session. */
struct range {
    uint64_t from_ns, to_ns;
};

/* The report of one profiler's data in the session folder dir. Returns a new reference, or NULL with err. */
static json_t *build_one(const char *dir, json_t *session, const char *name, const struct range *range, char *err,
                         size_t cap)
{
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
    if (range && strcmp(name, "cpu-hotpaths") == 0) /* the one report that a time range narrows */
        return drd_cpu_report_range(raw, range->from_ns, range->to_ns, err, cap);
    return k->from_raw ? k->from_raw(raw, err, cap) : k->build(raw, dir, session, err, cap);
}

/* A session of several profilers: {"profiler": "a,b", "reports": {"a": report, "b": report}}; a profiler whose
 * report cannot be built gets {"profiler": "b", "error": why} and the others stay. */
static json_t *build_several(const char *dir, json_t *session, json_t *list, const struct range *range)
{
    json_t *reports = json_object();
    json_t *all = json_pack("{s:O,s:o}", "profiler", json_object_get(json_object_get(session, "profiler"), "name"),
                            "reports", reports);
    if (!all)
        return NULL;
    size_t i;
    json_t *entry;
    json_array_foreach(list, i, entry)
    {
        const char *name = json_string_value(json_object_get(entry, "name"));
        char err[512];
        if (!name)
            continue;
        json_t *one = build_one(dir, session, name, range, err, sizeof err);
        json_object_set_new(reports, name, one ? one : json_pack("{s:s,s:s}", "profiler", name, "error", err));
    }
    return all;
}

/* drd_report_build, of range when it is not NULL. */
static json_t *build(const char *dir, json_t *session, const struct range *range, char *err, size_t cap)
{
    json_t *list = json_object_get(session, "profilers");
    if (json_array_size(list) > 1) {
        json_t *all = build_several(dir, session, list, range);
        if (!all)
            snprintf(err, cap, "out of memory");
        return all;
    }
    const char *name = json_string_value(json_object_get(json_object_get(session, "profiler"), "name"));
    if (!name) {
        snprintf(err, cap, "the session names no profiler");
        return NULL;
    }
    return build_one(dir, session, name, range, err, cap);
}

json_t *drd_report_build(const char *dir, json_t *session, char *err, size_t cap)
{
    return build(dir, session, NULL, err, cap);
}

json_t *drd_report_build_range(const char *dir, json_t *session, uint64_t from_ns, uint64_t to_ns, char *err,
                               size_t cap)
{
    const struct range r = {from_ns, to_ns};
    return build(dir, session, &r, err, cap);
}

const char *drd_report_export_profiler(json_t *session, const char *wanted, char *err, size_t cap)
{
    json_t *list = json_object_get(session, "profilers");
    const char *only = json_string_value(json_object_get(json_object_get(session, "profiler"), "name"));
    const char *found = NULL;
    int n = 0;
    if (json_array_size(list) > 1) {
        size_t i;
        json_t *entry;
        json_array_foreach(list, i, entry)
        {
            const char *name = json_string_value(json_object_get(entry, "name"));
            const struct drd_report_kind *k = drd_report_kind(name);
            if (k && k->sampled_stacks && (!wanted || strcmp(wanted, name) == 0))
                found = name, n++;
        }
    } else {
        const struct drd_report_kind *k = drd_report_kind(only);
        if (k && k->sampled_stacks && (!wanted || strcmp(wanted, only) == 0))
            found = only, n = 1;
    }
    if (n == 1)
        return found;
    if (n > 1)
        snprintf(err, cap, "session %s has several profilers whose samples export: name one", str(session, "id"));
    else if (wanted)
        snprintf(err, cap, "session %s has no samples of profiler '%s' to export (exports are for cpu-hotpaths, "
                           "merged-stacks, allocations, waits and heap-snapshot)", str(session, "id"), wanted);
    else
        snprintf(err, cap, "session %s (%s) holds no samples: export works on cpu-hotpaths, merged-stacks, "
                           "allocations, waits and heap-snapshot sessions", str(session, "id"), only ? only : "no profiler");
    return NULL;
}

json_t *drd_report_json(json_t *session, json_t *report)
{
    json_t *several = json_object_get(report, "reports");
    if (several)
        return json_pack("{s:O,s:O}", "session", session, "reports", several);
    return json_pack("{s:O,s:O}", "session", session, "report", report ? report : json_null());
}

static const char *str(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Prints one report, or each report of a session of several under its profiler's name. */
static void print_report(FILE *out, json_t *report)
{
    json_t *several = json_object_get(report, "reports");
    if (several) {
        const char *name;
        json_t *one;
        json_object_foreach(several, name, one)
        {
            fprintf(out, "==== %s ====\n", name);
            if (*str(one, "error"))
                fprintf(out, "  no report: %s\n\n", str(one, "error"));
            else
                print_report(out, one);
            fputc('\n', out);
        }
        return;
    }
    const struct drd_report_kind *k = report ? drd_report_kind(str(report, "profiler")) : NULL;
    if (k)
        k->print(out, report);
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
    print_report(out, report);
}

/* One item of drd_report_sort_desc: the object and the value it is sorted by. */
struct keyed {
    json_t *item;
    json_int_t value;
};

static int larger_first(const void *a, const void *b)
{
    json_int_t x = ((const struct keyed *)a)->value, y = ((const struct keyed *)b)->value;
    return (x < y) - (x > y);
}

void drd_report_sort_desc(json_t *arr, const char *key)
{
    size_t n = json_array_size(arr);
    if (n < 2)
        return;
    struct keyed *items = malloc(n * sizeof *items);
    if (!items)
        return;
    for (size_t i = 0; i < n; i++) {
        items[i].item = json_incref(json_array_get(arr, i));
        items[i].value = json_integer_value(json_object_get(items[i].item, key));
    }
    qsort(items, n, sizeof *items, larger_first);
    json_array_clear(arr);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, items[i].item);
    free(items);
}

void drd_report_put_json_str(FILE *out, const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j)
        json_dumpf(j, out, JSON_ENCODE_ANY);
    else
        fputs("\"?\"", out);
    json_decref(j);
}
