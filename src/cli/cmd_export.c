/* drdotnet export: a session's samples or allocations as speedscope, folded stacks or pprof, for other tools. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/fsutil.h"
#include "common/textcut.h"
#include "report/export.h"
#include "report/report.h"

enum format { SPEEDSCOPE, FOLDED, PPROF, FOLDED_LINES, CHROME_TRACE };

static const struct {
    const char *name, *suffix;
} formats[] = {
    [SPEEDSCOPE] = {"speedscope", "speedscope.json"},
    [FOLDED] = {"folded", "folded"},
    [PPROF] = {"pprof", "pb.gz"},
    [FOLDED_LINES] = {"folded-lines", "lines.folded"},
    [CHROME_TRACE] = {"chrome-trace", "trace.json"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: drdotnet export <session> --format speedscope|folded|folded-lines|pprof|chrome-trace\n"
               "                       [--output PATH] [--profiler NAME]\n"
               "       " DRD_CLI_NATIVE_USAGE "\n\n"
               "Writes the samples of a cpu-hotpaths or merged-stacks session, the allocations of an allocations\n"
               "session (by stack, each ending in a frame named after the type allocated, weighted by bytes; pprof:\n"
               "alloc_objects and alloc_space), the waiting stacks of a waits session weighted by the time\n"
               "waited, or the live objects of a heap-snapshot session by retention path (each object's path from\n"
               "its root, a static field first, down to its type, weighted by bytes; pprof: inuse_objects and\n"
               "inuse_space) (its id, a unique prefix of it, or 'last') for other tools; in a session of several\n"
               "profilers, those of the one that has them (--profiler names it):\n"
               "  speedscope  a speedscope file (https://www.speedscope.app), one profile per thread\n"
               "  folded      folded stacks, one 'root;...;leaf count' line per stack (flamegraph.pl, inferno)\n"
               "  folded-lines  the same with each managed frame's source line where known: 'Method:42'\n"
               "  pprof       a gzip-compressed pprof profile (go tool pprof)\n"
               "  chrome-trace  the session's timeline, every profiler's timed events (CPU samples, exceptions,\n"
               "              runtime pauses, waits, allocations) on one clock, one track per thread, as the Trace\n"
               "              Event Format that Perfetto (ui.perfetto.dev) and chrome://tracing open\n\n"
               "The file goes into the session folder as <profiler>.speedscope.json, <profiler>.folded,\n"
               "<profiler>.pb.gz or timeline.trace.json unless --output names another path: '-' for standard\n"
               "output (pprof only when it is not a terminal); an existing FIFO, device or /dev/stdout is written in\n"
               "place; a regular file is replaced whole (a new file renamed over it); a symlink is followed to the\n"
               "file it names (one that names nothing is refused); nothing but a regular file is ever replaced.\n"
               "Prints the path written (not for standard output). Native frames as in show (--fold-native,\n"
               "--symbols); pprof keeps them apart always, each at its address in a Mapping of its file, so that\n"
               "pprof can name what we could not.\n");
}

/* Writes the export to the path the user named, as Unix tools write a path (drd_fs_output_open): "-" and
 * /dev/stdout, a FIFO or a device written in place, a regular file (or one a symlink names) replaced whole.
 * Prints the path written unless it is standard output. Returns the exit code. */
static int to_output(const char *output, const char *format, const char *raw, const char *name)
{
    char err[512];
    struct drd_fs_output o;
    if (drd_fs_output_open(output, 0666, &o)) {
        if (errno == ELOOP)
            drd_tool_error("cannot write %s: a symlink to nothing (the file would appear wherever it points); name "
                          "the file itself",
                          output);
        else
            drd_tool_error("cannot write %s: %s", output, strerror(errno));
        return DRD_EXIT_FAILED;
    }
    int fd = o.fd;
    o.fd = -1; /* drd_export_fd closes it */
    /* the path written is printed, except into the data itself ("-", /dev/stdout, /dev/fd/1) */
    struct stat a, b;
    int is_stdout = fstat(fd, &a) == 0 && fstat(STDOUT_FILENO, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
    if (drd_export_fd(format, raw, name, fd, output, err, sizeof err)) {
        drd_tool_error("%s", err);
        drd_fs_output_abort(&o);
        return DRD_EXIT_FAILED;
    }
    if (drd_fs_output_commit(&o)) {
        drd_tool_error("cannot write %s: %s", output,
                       errno == EEXIST ? "something else than a regular file is there now" : strerror(errno));
        return DRD_EXIT_FAILED;
    }
    if (!is_stdout)
        printf("%s\n", output);
    return DRD_EXIT_OK;
}

/* What the command line asks for. */
struct request {
    const char *session, *format, *output, *profiler; /* output, profiler: NULL when not given */
    int fmt; /* index in formats */
};

/* Reads the options into q. Returns -1 to go on, else the exit code (help printed, or a usage error said). */
static int parse(int argc, char **argv, struct request *q)
{
    memset(q, 0, sizeof *q);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = strcmp(a, "--format") == 0 || strcmp(a, "-f") == 0   ? &q->format
                            : strcmp(a, "--output") == 0 || strcmp(a, "-o") == 0 ? &q->output
                            : strcmp(a, "--profiler") == 0                       ? &q->profiler
                                                                                 : NULL;
        int native = drd_cli_native_option(a);
        if (native < 0)
            return DRD_EXIT_USAGE;
        if (native)
            continue;
        if (drd_cli_is_help(a)) {
            usage(stdout);
            return DRD_EXIT_OK;
        } else if (slot) {
            if (i + 1 == argc) {
                drd_tool_error("export: %s needs a value", a);
                return DRD_EXIT_USAGE;
            }
            *slot = argv[++i];
        } else if (strncmp(a, "--profiler=", 11) == 0)
            q->profiler = a + 11;
        else if (strncmp(a, "--format=", 9) == 0)
            q->format = a + 9;
        else if (strncmp(a, "--output=", 9) == 0)
            q->output = a + 9;
        else if ((a[0] == '-' && a[1]) || q->session) {
            drd_tool_error("export: unexpected '%s' (drdotnet export --help)", a);
            return DRD_EXIT_USAGE;
        } else
            q->session = a;
    }
    return -1;
}

/* Checks what parse read. Returns -1 to go on (q->fmt set), else the exit code (the reason said). */
static int check(struct request *q)
{
    if (!q->session) {
        drd_tool_error("export needs a session (drdotnet sessions lists them)");
        return DRD_EXIT_USAGE;
    }
    if (!q->format) {
        drd_tool_error("export needs --format speedscope, folded, pprof or chrome-trace");
        return DRD_EXIT_USAGE;
    }
    q->fmt = -1;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(q->format, formats[i].name) == 0)
            q->fmt = (int)i;
    if (q->fmt < 0) {
        drd_tool_error("export: unknown format '%s' (speedscope, folded, pprof or chrome-trace)", q->format);
        return DRD_EXIT_USAGE;
    }
    if (q->output && !*q->output) {
        drd_tool_error("export: --output needs a path");
        return DRD_EXIT_USAGE;
    }
    /* as gzip does: compressed data is not written to a terminal */
    if (q->output && q->fmt == PPROF && (strcmp(q->output, "-") == 0 || strcmp(q->output, "/dev/stdout") == 0) &&
        drd_tool_tty(stdout)) {
        drd_tool_error("export: pprof is gzip-compressed binary data: not written to a terminal (redirect it)");
        return DRD_EXIT_USAGE;
    }
    return -1;
}

/* Writes the export into the session folder as <profiler>.<suffix>: a whole file or none (written beside it,
 * then renamed over it; mkstemp makes it private, like the session's other files). Returns the exit code. */
static int into_session(const char *dir, const char *profiler, int fmt, const char *raw, const char *name)
{
    char path[4400], tmp[4500], err[512];
    if (drd_fs_path(path, sizeof path, "%s/%s.%s", dir, profiler, formats[fmt].suffix) ||
        drd_fs_path(tmp, sizeof tmp, "%s.tmp-XXXXXX", path)) {
        drd_tool_error("the session folder's path is too long: %s", dir);
        return DRD_EXIT_FAILED;
    }
    int fd = mkstemp(tmp);
    if (fd < 0) {
        drd_tool_error("cannot write %s: %s", path, strerror(errno));
        return DRD_EXIT_FAILED;
    }
    if (drd_export_fd(formats[fmt].name, raw, name, fd, tmp, err, sizeof err)) {
        drd_tool_error("%s", err);
        unlink(tmp);
        return DRD_EXIT_FAILED;
    }
    if (rename(tmp, path)) {
        drd_tool_error("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        return DRD_EXIT_FAILED;
    }
    printf("%s\n", path);
    return DRD_EXIT_OK;
}

/* Exports the ended session s (in dir) as q asks. Returns the exit code. */
static int export_session(json_t *s, const char *dir, const struct request *q)
{
    char err[512], raw[4400], name[300];
    const char *id = json_string_value(json_object_get(s, "id"));
    if (strcmp(json_string_value(json_object_get(s, "status")), "running") == 0) {
        drd_tool_error("session %s is still running: export it once it has ended", id);
        return DRD_EXIT_FAILED;
    }
    /* the timeline is the whole session's: its source is the folder, its file named after it */
    const char *profiler =
        q->fmt == CHROME_TRACE ? "timeline" : drd_report_export_profiler(s, q->profiler, err, sizeof err);
    if (!profiler) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    if (json_array_size(json_object_get(s, "files")) == 0) {
        const char *reason = json_string_value(json_object_get(s, "reason"));
        drd_tool_error("session %s left no data (%s%s%s)", id, json_string_value(json_object_get(s, "status")),
                       reason ? ": " : "", reason ? reason : "");
        return DRD_EXIT_FAILED;
    }
    if (q->fmt == CHROME_TRACE ? drd_fs_path(raw, sizeof raw, "%s", dir) != 0
                               : drd_report_raw_path(dir, profiler, raw, sizeof raw) != 0) {
        drd_tool_error("the session folder's path is too long: %s", dir);
        return DRD_EXIT_FAILED;
    }
    drd_text_cut(name, sizeof name, "%s", id);
    return q->output ? to_output(q->output, formats[q->fmt].name, raw, name)
                     : into_session(dir, profiler, q->fmt, raw, name);
}

int drd_cmd_export(int argc, char **argv)
{
    struct request q;
    int rc = parse(argc, argv, &q);
    if (rc < 0)
        rc = check(&q);
    if (rc >= 0)
        return rc;
    char root[4096], dir[4200], err[512];
    if (drd_tool_sessions_root_read(root, sizeof root, err, sizeof err)) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    if (drd_session_resolve(root, q.session, dir, sizeof dir, err, sizeof err)) {
        drd_tool_error("%s", err);
        return DRD_EXIT_USAGE;
    }
    json_t *s = drd_session_load_any(dir, err, sizeof err);
    if (!s) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    rc = export_session(s, dir, &q);
    json_decref(s);
    return rc;
}
