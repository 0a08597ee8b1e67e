/* drdotnet diff: which types grew between two heap snapshots, as text or JSON. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/safetext.h"
#include "report/report.h"

#define TEXT_ROWS 50

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: drdotnet diff <session> <session> [--json]\n\n"
        "Compares two heap-snapshot sessions (each an id, a unique prefix of one, or 'last'), the earlier\n"
        "first: per type, the change in instances, shallow bytes and retained bytes from the first to the\n"
        "second, largest retained growth first, only the types that changed. The text shows the first %d;\n"
        "--json gives {\"before\",\"after\",\"types\":[{\"type\",\"count_before\",\"count_after\",\"count_delta\",\n"
        "\"shallow_delta\",\"retained_delta\"}]} with all of them.\n",
        TEXT_ROWS);
}

/* Resolves arg and checks that it is a heap-snapshot session with data. Returns the session (a new reference) with
 * its folder in dir, or NULL after printing why, with *rc set. */
static json_t *load(const char *root, const char *arg, char *dir, size_t cap, int *rc)
{
    char err[512];
    if (drd_session_resolve(root, arg, dir, cap, err, sizeof err)) {
        drd_tool_error("%s", err);
        *rc = DRD_EXIT_USAGE;
        return NULL;
    }
    json_t *s = drd_session_load(dir, err, sizeof err);
    if (!s) {
        drd_tool_error("%s", err);
        *rc = DRD_EXIT_FAILED;
        return NULL;
    }
    const char *id = json_string_value(json_object_get(s, "id"));
    const char *profiler = json_string_value(json_object_get(json_object_get(s, "profiler"), "name"));
    if (!profiler || strcmp(profiler, "heap-snapshot") != 0) {
        drd_tool_error("session %s (%s) is not a heap snapshot: diff compares two heap-snapshot sessions", id,
                      profiler ? profiler : "no profiler");
        *rc = DRD_EXIT_USAGE;
        json_decref(s);
        return NULL;
    }
    if (json_array_size(json_object_get(s, "files")) == 0) {
        drd_tool_error("session %s left no data (%s%s%s)", id, json_string_value(json_object_get(s, "status")),
                      *json_string_value(json_object_get(s, "reason")) ? ": " : "",
                      json_string_value(json_object_get(s, "reason")));
        *rc = DRD_EXIT_FAILED;
        json_decref(s);
        return NULL;
    }
    return s;
}

/* drd_report_bytes into buf, returned for use in one printf. */
static const char *bytes(json_int_t v, int plus, char *buf, size_t cap)
{
    drd_report_bytes(v, plus, buf, cap);
    return buf;
}

static json_int_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void print_text(json_t *sb, json_t *sa, json_t *rb, json_t *ra, json_t *types)
{
    char x[32], y[32], z[32];
    const char *nb = json_string_value(json_object_get(json_object_get(sb, "target"), "name"));
    const char *na = json_string_value(json_object_get(json_object_get(sa, "target"), "name"));
    printf("Heap growth from %s to %s\n", json_string_value(json_object_get(sb, "id")),
           json_string_value(json_object_get(sa, "id")));
    if (nb && na && strcmp(nb, na) != 0) {
        char *b = drd_safetext_dup(nb), *a = drd_safetext_dup(na);
        printf("  note: the snapshots are of two programs (%s, then %s)\n", b ? b : "?", a ? a : "?");
        free(b);
        free(a);
    }
    printf("  objects: %lld -> %lld (%+lld); heap: %s -> %s (%s)\n", (long long)num(rb, "objects"),
           (long long)num(ra, "objects"), (long long)(num(ra, "objects") - num(rb, "objects")),
           bytes(num(rb, "heap_bytes"), 0, x, sizeof x), bytes(num(ra, "heap_bytes"), 0, y, sizeof y),
           bytes(num(ra, "heap_bytes") - num(rb, "heap_bytes"), 1, z, sizeof z));
    if (!json_is_true(json_object_get(rb, "complete")) || !json_is_true(json_object_get(ra, "complete")))
        printf("  note: a snapshot is incomplete (its target stopped while writing it)\n");
    if (json_array_size(types) == 0) {
        printf("\nNo type changed.\n");
        return;
    }
    printf("\n  %10s %12s %12s  %s\n", "count", "shallow", "retained", "type");
    size_t i;
    json_t *t;
    json_array_foreach(types, i, t)
    {
        if (i >= TEXT_ROWS) {
            printf("  ... and %zu more types (--json lists them all)\n", json_array_size(types) - TEXT_ROWS);
            break;
        }
        char *type = drd_safetext_dup(json_string_value(json_object_get(t, "type")));
        printf("  %+10lld %12s %12s  %s\n", (long long)num(t, "count_delta"),
               bytes(num(t, "shallow_delta"), 1, x, sizeof x), bytes(num(t, "retained_delta"), 1, y, sizeof y),
               type ? type : "?");
        free(type);
    }
}

int drd_cmd_diff(int argc, char **argv)
{
    int json = 0;
    const char *args[2] = {NULL, NULL};
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (drd_cli_is_help(argv[i])) {
            usage(stdout);
            return DRD_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (argv[i][0] == '-' || n == 2) {
            drd_tool_error("diff: unexpected '%s' (drdotnet diff --help)", argv[i]);
            return DRD_EXIT_USAGE;
        } else
            args[n++] = argv[i];
    }
    if (n < 2) {
        drd_tool_error("diff needs two heap-snapshot sessions, the earlier first (drdotnet sessions lists them)");
        return DRD_EXIT_USAGE;
    }
    char root[4096], dir[2][4200], err[512];
    if (drd_tool_sessions_root_read(root, sizeof root, err, sizeof err)) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    int rc = DRD_EXIT_FAILED;
    json_t *s[2] = {NULL, NULL}, *r[2] = {NULL, NULL}, *types = NULL;
    for (int k = 0; k < 2; k++)
        if (!(s[k] = load(root, args[k], dir[k], sizeof dir[k], &rc)))
            goto out;
    rc = DRD_EXIT_FAILED;
    for (int k = 0; k < 2; k++)
        if (!(r[k] = drd_heap_analyze(dir[k], SIZE_MAX, err, sizeof err))) {
            drd_tool_error("session %s: %s", json_string_value(json_object_get(s[k], "id")), err);
            goto out;
        }
    types = drd_heap_diff(r[0], r[1]);
    if (!types) {
        drd_tool_error("out of memory");
        goto out;
    }
    if (json) {
        json_t *all = json_pack("{s:O,s:O,s:O}", "before", json_object_get(s[0], "id"), "after",
                                json_object_get(s[1], "id"), "types", types);
        json_dumpf(all, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(all);
    } else
        print_text(s[0], s[1], r[0], r[1], types);
    rc = DRD_EXIT_OK;
out:
    json_decref(types);
    for (int k = 0; k < 2; k++) {
        json_decref(r[k]);
        json_decref(s[k]);
    }
    return rc;
}
