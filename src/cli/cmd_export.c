/* drdotnet export: a session's samples as speedscope, folded stacks or pprof, for other tools. */
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
#include "report/export.h"
#include "report/report.h"

enum format { SPEEDSCOPE, FOLDED, PPROF };

static const struct {
    const char *name, *suffix;
} formats[] = {
    [SPEEDSCOPE] = {"speedscope", "speedscope.json"},
    [FOLDED] = {"folded", "folded"},
    [PPROF] = {"pprof", "pb.gz"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: drdotnet export <session> --format speedscope|folded|pprof [--output PATH] [--profiler NAME]\n\n"
               "Writes the samples of a cpu-hotpaths or merged-stacks session, or the waiting stacks of a waits\n"
               "session weighted by the time waited (its id, a unique prefix of it, or 'last') for other tools; in\n"
               "a session of several profilers, those of the one that has samples (--profiler names it):\n"
               "  speedscope  a speedscope file (https://www.speedscope.app), one profile per thread\n"
               "  folded      folded stacks, one 'root;...;leaf count' line per stack (flamegraph.pl, inferno)\n"
               "  pprof       a gzip-compressed pprof profile (go tool pprof)\n\n"
               "The file goes into the session folder as <profiler>.speedscope.json, <profiler>.folded or\n"
               "<profiler>.pb.gz unless --output names another path: '-' for standard output (pprof only when it is\n"
               "not a terminal); an existing FIFO, device or /dev/stdout is written in place; a regular file is\n"
               "replaced whole (a new file renamed over it); a symlink is followed to the file it names (one that\n"
               "names nothing is refused); nothing but a regular file is ever replaced. Prints the path written\n"
               "(not for standard output).\n");
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

int drd_cmd_export(int argc, char **argv)
{
    const char *arg = NULL, *format = NULL, *output = NULL, *wanted = NULL;
    for (int i = 1; i < argc; i++) {
        if (drd_cli_is_help(argv[i])) {
            usage(stdout);
            return DRD_EXIT_OK;
        } else if (strcmp(argv[i], "--format") == 0 || strcmp(argv[i], "-f") == 0 || strcmp(argv[i], "--output") == 0 ||
                   strcmp(argv[i], "-o") == 0) {
            if (i + 1 == argc) {
                drd_tool_error("export: %s needs a value", argv[i]);
                return DRD_EXIT_USAGE;
            }
            if (argv[i][1] == 'f' || argv[i][2] == 'f')
                format = argv[++i];
            else
                output = argv[++i];
        } else if (strcmp(argv[i], "--profiler") == 0) {
            if (i + 1 == argc) {
                drd_tool_error("export: --profiler needs a name");
                return DRD_EXIT_USAGE;
            }
            wanted = argv[++i];
        } else if (strncmp(argv[i], "--profiler=", 11) == 0)
            wanted = argv[i] + 11;
        else if (strncmp(argv[i], "--format=", 9) == 0)
            format = argv[i] + 9;
        else if (strncmp(argv[i], "--output=", 9) == 0)
            output = argv[i] + 9;
        else if ((argv[i][0] == '-' && argv[i][1]) || arg) {
            drd_tool_error("export: unexpected '%s' (drdotnet export --help)", argv[i]);
            return DRD_EXIT_USAGE;
        } else
            arg = argv[i];
    }
    if (!arg) {
        drd_tool_error("export needs a session (drdotnet sessions lists them)");
        return DRD_EXIT_USAGE;
    }
    if (!format) {
        drd_tool_error("export needs --format speedscope, folded or pprof");
        return DRD_EXIT_USAGE;
    }
    int fmt = -1;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(format, formats[i].name) == 0)
            fmt = (int)i;
    if (fmt < 0) {
        drd_tool_error("export: unknown format '%s' (speedscope, folded or pprof)", format);
        return DRD_EXIT_USAGE;
    }
    if (output && !*output) {
        drd_tool_error("export: --output needs a path");
        return DRD_EXIT_USAGE;
    }
    /* as gzip does: compressed data is not written to a terminal */
    if (output && fmt == PPROF && (strcmp(output, "-") == 0 || strcmp(output, "/dev/stdout") == 0) &&
        drd_tool_tty(stdout)) {
        drd_tool_error("export: pprof is gzip-compressed binary data: not written to a terminal (redirect it)");
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
    json_t *s = drd_session_load_any(dir, err, sizeof err);
    if (!s) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    int rc = DRD_EXIT_FAILED;
    const char *id = json_string_value(json_object_get(s, "id"));
    if (strcmp(json_string_value(json_object_get(s, "status")), "running") == 0) {
        drd_tool_error("session %s is still running: export it once it has ended", id);
        goto out;
    }
    const char *profiler = drd_report_export_profiler(s, wanted, err, sizeof err);
    if (!profiler) {
        drd_tool_error("%s", err);
        goto out;
    }
    if (json_array_size(json_object_get(s, "files")) == 0) {
        const char *reason = json_string_value(json_object_get(s, "reason"));
        drd_tool_error("session %s left no data (%s%s%s)", id, json_string_value(json_object_get(s, "status")),
                      reason ? ": " : "", reason ? reason : "");
        goto out;
    }
    char raw[4400], name[300], path[4400], tmp[4500];
    if (drd_report_raw_path(dir, profiler, raw, sizeof raw)) {
        drd_tool_error("the session folder's path is too long: %s", dir);
        goto out;
    }
    snprintf(name, sizeof name, "%s", id);
    if (output) {
        rc = to_output(output, formats[fmt].name, raw, name);
        goto out;
    }
    drd_fs_path(path, sizeof path, "%s/%s.%s", dir, profiler, formats[fmt].suffix);
    /* a whole file or none: written beside the target, then renamed over it */
    snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        drd_tool_error("cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    /* mkstemp made it private: so it stays in the session folder, like the session's other files */
    if (drd_export_fd(formats[fmt].name, raw, name, fd, tmp, err, sizeof err)) {
        drd_tool_error("%s", err);
        unlink(tmp);
        goto out;
    }
    if (rename(tmp, path)) {
        drd_tool_error("cannot write %s: %s", path, strerror(errno));
        unlink(tmp);
        goto out;
    }
    printf("%s\n", path);
    rc = DRD_EXIT_OK;
out:
    json_decref(s);
    return rc;
}
