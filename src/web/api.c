/* The web UI's JSON API: acting on the routes of request.c, session folders as the page sees them, starting sessions as
 * child processes, reports, exports, deletion and the server-sent-events stream of a session's progress. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tool/tool.h"
#include "common/fsutil.h"
#include "diag/diag.h"
#include "drdotnet/params.h"
#include "drdotnet/version.h"
#include "report/export.h"
#include "report/rawread.h"
#include "report/heap_tree.h"
#include "report/report.h"
#include "web/api.h"
#include "web/http.h"
#include "web/request.h"
#include "web/runs.h"

#define START_WAIT_MS 45000 /* the child's ProcessInfo (10 s) and AttachProfiler (30 s), and its own start */
#define EVENT_EVERY_MS 500
#define PROGRESS_MAX 4096

/* What a session folder says of its session. */
enum state {
    FINISHED, /* session.json is there */
    RUNNING, /* not yet, and the session is alive */
    ABANDONED, /* not yet, and nothing has moved for DRD_SESSION_STALE_MS (report.h) */
    BROKEN, /* session.json is there but cannot be read */
    GONE, /* no such folder (any more) */
};

static char root[PATH_MAX];
static char tmpdir[PATH_MAX];
static atomic_int stopping;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#ifdef DRD_WEB_FUZZ
static const struct drd_profiler_table *fuzz_table;

void drd_api_fuzz_profilers(const struct drd_profiler_table *t)
{
    fuzz_table = t;
}
#endif

/* The library's profilers, or NULL with err. */
static const struct drd_profiler_table *profiler_table(char *err, size_t cap)
{
#ifdef DRD_WEB_FUZZ
    if (fuzz_table)
        return fuzz_table;
#endif
    return drd_tool_profilers(err, cap);
}

/* s when it is valid UTF-8 (JSON can carry it), else fallback. */
static const char *text_or(const char *s, const char *fallback)
{
    json_t *j = s ? json_string(s) : NULL;
    int ok = j != NULL;
    json_decref(j);
    return ok ? s : fallback;
}

/* dir/progress.json as an object, or NULL. */
static json_t *load_progress(const char *dir)
{
    char path[PATH_MAX + 32], *buf;
    size_t len;
    drd_fs_path(path, sizeof path, "%s/progress.json", dir);
    if (drd_fs_read_all(path, PROGRESS_MAX, &buf, &len))
        return NULL;
    json_t *j = json_loadb(buf, len, 0, NULL);
    free(buf);
    if (!json_is_object(j)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* The pid and profiler of an id "YYYYMMDD-HHMMSS-<pid>-<profiler>[-N]": "" and 0 when it has another shape. */
static void parse_id(const char *id, char *prof, size_t cap, long *pid)
{
    char err[256];
    *prof = 0;
    *pid = 0;
    if (strlen(id) < 18 || id[8] != '-' || id[15] != '-')
        return;
    char *end;
    long p = strtol(id + 16, &end, 10);
    if (end == id + 16 || *end != '-' || p <= 0)
        return;
    *pid = p;
    snprintf(prof, cap, "%s", end + 1);
    const struct drd_profiler_table *t = profiler_table(err, sizeof err);
    char *dash = strrchr(prof, '-');
    if (t && !drd_profiler_find(t, prof) && dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
        *dash = 0; /* the -N of a second session in the same second */
}

/* What the API says of session id: its session.json with "progress" added when there is one, or, while it has
 * none, what the folder tells (status running or abandoned, the profiler and pid of its id). Sets *st. Returns
 * a new reference, or NULL when out of memory. */
static json_t *session_view(const char *id, enum state *st)
{
    char dir[PATH_MAX + DRD_CD_MAX_ID], path[PATH_MAX + DRD_CD_MAX_ID + 32], err[512];
    drd_fs_path(dir, sizeof dir, "%s/%s", root, id);
    struct stat sb;
    if (lstat(dir, &sb) || !S_ISDIR(sb.st_mode)) {
        *st = GONE;
        return json_pack("{s:s,s:s}", "id", id, "status", "gone");
    }
    drd_fs_path(path, sizeof path, "%s/session.json", dir);
    json_t *progress = load_progress(dir), *v;
    if (access(path, F_OK) == 0) {
        v = drd_session_load(dir, err, sizeof err);
        *st = v ? FINISHED : BROKEN;
        if (!v)
            v = json_pack("{s:s,s:s,s:s?}", "id", id, "status", "unreadable", "reason", text_or(err, NULL));
    } else {
        char prof[DRD_CD_MAX_ID];
        long pid;
        parse_id(id, prof, sizeof prof, &pid);
        int live = drd_runs_active(id) || drd_session_folder_live(dir);
        *st = live ? RUNNING : ABANDONED;
        v = json_pack("{s:s,s:s,s:{s:s},s:{s:i}}", "id", id, "status", live ? "running" : "abandoned", "profiler",
                      "name", prof, "target", "pid", (int)pid);
        if (v && !live)
            json_object_set_new(v, "reason", json_string(DRD_SESSION_ABANDONED_REASON));
    }
    if (v && progress)
        json_object_set(v, "progress", progress);
    json_decref(progress);
    return v;
}

/* Queues a refusal of drd_request_route or drd_request_start, with its Allow header when it has one. */
static enum MHD_Result refused(struct MHD_Connection *c, const struct drd_refusal *why)
{
    if (!why->allow)
        return drd_http_error(c, why->status, "%s", why->message);
    struct MHD_Response *r = drd_http_json_response(json_pack("{s:s}", "error", why->message));
    if (r)
        MHD_add_response_header(r, "Allow", why->allow);
    return drd_http_queue(c, why->status, r);
}

static enum MHD_Result info(struct MHD_Connection *c)
{
    return drd_http_json(c, MHD_HTTP_OK, json_pack("{s:s,s:s?,s:i}", "version", DRD_VERSION, "sessions",
                                                   text_or(root, NULL), "pid", (int)getpid()));
}

static enum MHD_Result processes(struct MHD_Connection *c)
{
    struct drd_dotnet_process *procs;
    const char *only = NULL;
#ifdef DRD_WEB_FUZZ
    only = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp"; /* no walk through /proc */
#endif
    int n = drd_diag_list(only, &procs);
    if (n < 0)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the temporary folder: %s",
                              strerror(errno));
    /* every runtime asked at once under one deadline, as ps does: silent sockets cost one timeout in all */
    struct drd_diag_probe *probes = calloc(n ? (size_t)n : 1, sizeof *probes);
    if (!probes) {
        free(procs);
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    drd_diag_process_info_all(procs, n, drd_tool_ipc_timeout(3000), probes);
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        const struct drd_process_info *pi = &probes[i].info;
        json_t *o = json_pack("{s:i,s:s?}", "pid", (int)procs[i].pid, "name", text_or(procs[i].name, NULL));
        if (probes[i].ok) {
            json_object_set_new(o, "command_line", json_string(pi->command_line));
            json_object_set_new(o, "runtime_version", json_string(pi->clr_version));
            json_object_set_new(o, "entry_assembly", json_string(pi->entry_assembly));
            json_object_set_new(o, "os", json_string(pi->os));
            json_object_set_new(o, "arch", json_string(pi->arch));
        } else
            json_object_set_new(o, "error", json_string(probes[i].err.message));
        json_array_append_new(arr, o);
    }
    free(probes);
    free(procs);
    return drd_http_json(c, MHD_HTTP_OK, arr);
}

static enum MHD_Result profilers(struct MHD_Connection *c)
{
    char err[512];
    const struct drd_profiler_table *t = profiler_table(err, sizeof err);
    if (!t)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
    return drd_http_json(c, MHD_HTTP_OK, drd_tool_profilers_json(t));
}

static enum MHD_Result sessions(struct MHD_Connection *c)
{
    char **ids;
    int n = drd_sessions_list(root, &ids);
    if (n < 0)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the sessions folder: %s",
                              strerror(errno));
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        enum state st;
        json_t *v = session_view(ids[i], &st);
        if (st != GONE)
            json_array_append(arr, v);
        json_decref(v);
    }
    drd_sessions_free(ids, n);
    return drd_http_json(c, MHD_HTTP_OK, arr);
}

/* The status for a target that cannot be profiled, by what went wrong. */
static unsigned target_status(enum drd_diag_code code)
{
    switch (code) {
    case DRD_DIAG_ALREADY_LOADED:
        return MHD_HTTP_CONFLICT;
    case DRD_DIAG_NO_PROCESS:
    case DRD_DIAG_NOT_DOTNET:
    case DRD_DIAG_DISABLED:
    case DRD_DIAG_PERMISSION:
        return MHD_HTTP_UNPROCESSABLE_CONTENT;
    case DRD_DIAG_TIMEOUT:
        return MHD_HTTP_GATEWAY_TIMEOUT;
    default:
        return MHD_HTTP_BAD_GATEWAY;
    }
}

/* POST /api/sessions {"pid": N, "profiler": "name", "parameters": {"key": value, ...}}: checks everything that
 * can be checked here, then runs the session in a child and answers once the profiler is loaded. */
static enum MHD_Result start(const struct drd_api_request *r)
{
    struct MHD_Connection *c = r->conn;
    char err[512] = "";
    struct drd_start req;
    struct drd_refusal why;
    const struct drd_profiler_table *t = profiler_table(err, sizeof err);
    if (drd_request_start(r->body, r->body_len, t, err, &req, &why))
        return refused(c, &why);
#ifdef DRD_WEB_FUZZ
    return drd_http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "a fuzz build starts no session");
#endif
    struct drd_process_info pi;
    struct drd_diag_error de = {0};
    if (drd_diag_process_info(req.pid, drd_tool_ipc_timeout(10000), &pi, &de))
        return drd_http_error(c, target_status(de.code), "%s", de.message);
    struct drd_run_outcome o;
    if (drd_runs_start(req.pid, req.names, req.params, req.n_params, START_WAIT_MS, &o, err, sizeof err))
        return drd_http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "%s", err);
    if (o.attached || (o.state == DRD_RUN_STARTING && o.id[0])) {
        enum state st;
        json_t *view = session_view(o.id, &st);
        struct MHD_Response *res = drd_http_json_response(view);
        char loc[64 + DRD_CD_MAX_ID];
        drd_fs_path(loc, sizeof loc, "/api/sessions/%s", o.id);
        if (res)
            MHD_add_response_header(res, "Location", loc);
        return drd_http_queue(c, o.attached ? MHD_HTTP_CREATED : MHD_HTTP_ACCEPTED, res);
    }
    const char *msg = o.message[0] ? o.message : "the session process ended without saying why";
    switch (o.state == DRD_RUN_EXITED ? o.exit_code : -1) {
    case DRD_EXIT_BUSY:
        return drd_http_error(c, MHD_HTTP_CONFLICT, "%s", msg);
    case DRD_EXIT_TARGET:
        return drd_http_error(c, MHD_HTTP_UNPROCESSABLE_CONTENT, "%s", msg);
    case DRD_EXIT_USAGE:
        return drd_http_error(c, MHD_HTTP_BAD_REQUEST, "%s", msg);
    case -1:
        return drd_http_error(c, MHD_HTTP_GATEWAY_TIMEOUT, "the session process did not attach within %d s",
                              START_WAIT_MS / 1000);
    default:
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the session could not start: %s", msg);
    }
}

/* Loads a finished session for a report or an export; on failure queues the reply and returns NULL. */
static json_t *finished_session(struct MHD_Connection *c, const char *id, const char *dir, enum MHD_Result *rc)
{
    char err[512];
    enum state st;
    json_t *view = session_view(id, &st);
    json_decref(view);
    if (st == RUNNING) {
        *rc = drd_http_error(c, MHD_HTTP_CONFLICT, "session %s is still running; its report comes at its end", id);
        return NULL;
    }
    if (st == ABANDONED || st == GONE) {
        *rc = drd_http_error(c, MHD_HTTP_NOT_FOUND, "session %s has no data: it stopped before its end", id);
        return NULL;
    }
    json_t *s = drd_session_load(dir, err, sizeof err);
    if (!s) {
        *rc = drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
        return NULL;
    }
    if (json_array_size(json_object_get(s, "files")) == 0) {
        *rc = drd_http_error(c, MHD_HTTP_NOT_FOUND, "session %s has no data: %s%s%s", id,
                             json_string_value(json_object_get(s, "status")),
                             json_string_length(json_object_get(s, "reason")) ? ": " : "",
                             json_string_length(json_object_get(s, "reason"))
                                 ? json_string_value(json_object_get(s, "reason"))
                                 : "");
        json_decref(s);
        return NULL;
    }
    return s;
}

/* Reads the query's ?from=&to= (ns of the session's clock, both or neither; from < to). Returns 1 when the
 * request asks for a range, 0 when it does not, -1 when it is malformed. */
static int query_range(struct MHD_Connection *c, uint64_t *from, uint64_t *to)
{
    const char *a = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
    const char *b = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
    if (!a && !b)
        return 0;
    if (!a || !b || drd_rawread_u64(a, from) || drd_rawread_u64(b, to) || *from >= *to)
        return -1;
    return 1;
}

static enum MHD_Result report(struct MHD_Connection *c, const char *id, const char *dir)
{
    char err[512];
    enum MHD_Result rc;
    uint64_t from = 0, to = 0;
    int ranged = query_range(c, &from, &to);
    if (ranged < 0)
        return drd_http_error(c, MHD_HTTP_BAD_REQUEST,
                              "from and to go together: nanoseconds of the session's clock, from before to");
    json_t *s = finished_session(c, id, dir, &rc);
    if (!s)
        return rc;
    json_t *rep = ranged ? drd_report_build_range(dir, s, from, to, err, sizeof err)
                         : drd_report_build(dir, s, err, sizeof err);
    json_decref(s);
    if (!rep)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot build the report: %s", err);
    return drd_http_json(c, MHD_HTTP_OK, rep);
}

/* The heap-snapshot session id (folder dir) for a diff: NULL with the reply queued when it is not one with data. */
static json_t *heap_session(struct MHD_Connection *c, const char *id, const char *dir, enum MHD_Result *rc)
{
    json_t *s = finished_session(c, id, dir, rc);
    const char *profiler = json_string_value(json_object_get(json_object_get(s, "profiler"), "name"));
    if (s && (!profiler || strcmp(profiler, "heap-snapshot") != 0)) {
        *rc = drd_http_error(c, MHD_HTTP_BAD_REQUEST, "session %s (%s) is not a heap snapshot", id,
                             profiler ? profiler : "no profiler");
        json_decref(s);
        return NULL;
    }
    return s;
}

/* What grew from the heap snapshot of session before to that of after (drdotnet diff --json, with each side's
 * overview): {"before","after","objects":[b,a],"heap_bytes":[b,a],"complete":bool,"types":[...]}. */
static enum MHD_Result diff(struct MHD_Connection *c, const char *after, const char *dir, const char *before)
{
    char bdir[PATH_MAX + DRD_CD_MAX_ID], err[512];
    enum MHD_Result rc;
    struct stat st;
    drd_fs_path(bdir, sizeof bdir, "%s/%s", root, before);
    if (lstat(bdir, &st) || !S_ISDIR(st.st_mode))
        return drd_http_error(c, MHD_HTTP_NOT_FOUND, "no session '%s'", before);
    json_t *s[2] = {heap_session(c, before, bdir, &rc), NULL}, *r[2] = {NULL, NULL}, *out = NULL;
    if (!s[0])
        return rc;
    if (!(s[1] = heap_session(c, after, dir, &rc)))
        goto done;
    const char *dirs[2] = {bdir, dir}, *ids[2] = {before, after};
    for (int k = 0; k < 2; k++)
        if (!(r[k] = drd_heap_analyze(dirs[k], SIZE_MAX, err, sizeof err))) {
            rc = drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "session %s: %s", ids[k], err);
            goto done;
        }
    json_t *types = drd_heap_diff(r[0], r[1]);
    out = types ? json_pack("{s:s,s:s,s:[O,O],s:[O,O],s:b,s:o}", "before", before, "after", after, "objects",
                            json_object_get(r[0], "objects"), json_object_get(r[1], "objects"), "heap_bytes",
                            json_object_get(r[0], "heap_bytes"), json_object_get(r[1], "heap_bytes"), "complete",
                            json_is_true(json_object_get(r[0], "complete")) &&
                                json_is_true(json_object_get(r[1], "complete")),
                            "types", types)
                : NULL;
    rc = out ? drd_http_json(c, MHD_HTTP_OK, out)
             : drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
done:
    for (int k = 0; k < 2; k++) {
        json_decref(s[k]);
        json_decref(r[k]);
    }
    return rc;
}

/* The dominator tree of the heap snapshot last asked about, kept between requests (the page opens it a node at a
 * time); one at a time, under the lock, which a request holds while it loads one (seconds for a large heap). */
static pthread_mutex_t tree_lock = PTHREAD_MUTEX_INITIALIZER;
static struct drd_heap_tree *tree;
static char tree_dir[PATH_MAX + DRD_CD_MAX_ID];
static struct stat tree_stat; /* of its graph file: a session deleted and made again is another tree */

#define TREE_CHILDREN 200 /* children per answer */

/* The children of a node of the heap snapshot's dominator tree: drd_heap_tree_children's answer. */
static enum MHD_Result dominators(struct MHD_Connection *c, const char *id, const char *dir, uint32_t node,
                                  uint32_t offset)
{
    char err[512], graph[PATH_MAX + DRD_CD_MAX_ID + 32];
    enum MHD_Result rc;
    struct stat st;
    json_t *s = heap_session(c, id, dir, &rc);
    if (!s)
        return rc;
    json_decref(s);
    drd_fs_path(graph, sizeof graph, "%s/heap-snapshot.graph", dir);
    if (lstat(graph, &st))
        return drd_http_error(c, MHD_HTTP_NOT_FOUND, "session %s has no heap graph", id);
    pthread_mutex_lock(&tree_lock);
    if (!tree || strcmp(tree_dir, dir) != 0 || tree_stat.st_ino != st.st_ino || tree_stat.st_mtime != st.st_mtime ||
        tree_stat.st_size != st.st_size) {
        drd_heap_tree_free(tree);
        tree = drd_heap_tree_load(dir, err, sizeof err);
        snprintf(tree_dir, sizeof tree_dir, "%s", tree ? dir : "");
        tree_stat = st;
    }
    json_t *out = tree ? drd_heap_tree_children(tree, node, offset, TREE_CHILDREN) : NULL;
    int loaded = tree != NULL;
    pthread_mutex_unlock(&tree_lock);
    if (!loaded)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot build the dominator tree: %s", err);
    if (!out)
        return drd_http_error(c, MHD_HTTP_NOT_FOUND, "session %s's dominator tree has no node %u", id, node);
    return drd_http_json(c, MHD_HTTP_OK, out);
}

/* Writes the export format of source (a raw file, or the session folder for the timeline's formats) into a
 * private temporary file and answers with it: as an attachment named <id>.<suffix> when attach is set. */
static enum MHD_Result serve_export(struct MHD_Connection *c, const char *id, const char *source,
                                   const struct drd_export_format *f, int attach)
{
    char err[512], path[PATH_MAX + 32];
    drd_fs_path(path, sizeof path, "%s/export-XXXXXX", tmpdir);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot make a temporary file: %s", strerror(errno));
    int bad = drd_export_fd(f->name, source, id, fd, "a temporary file", err, sizeof err);
    fd = bad ? -1 : open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (!bad && fd < 0)
        snprintf(err, sizeof err, "cannot read the export back: %s", strerror(errno));
    unlink(path);
    struct stat st;
    if (fd < 0 || fstat(fd, &st)) {
        if (fd >= 0)
            close(fd);
        /* a session without timed data has no timeline: the request, not the server, is at fault */
        unsigned status = strstr(err, "no timed data") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_INTERNAL_SERVER_ERROR;
        return drd_http_error(c, status, "cannot export: %s", err);
    }
    struct MHD_Response *res = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (!res) {
        close(fd);
        return MHD_NO;
    }
    char disp[96 + DRD_CD_MAX_ID];
    snprintf(disp, sizeof disp, "attachment; filename=\"%s.%s\"", id, f->suffix);
    MHD_add_response_header(res, "Content-Type", f->type);
    if (attach)
        MHD_add_response_header(res, "Content-Disposition", disp);
    return drd_http_queue(c, MHD_HTTP_OK, res);
}

static enum MHD_Result export_session(struct MHD_Connection *c, const char *id, const char *dir,
                                      const struct drd_export_format *f)
{
    char err[512], raw[PATH_MAX + 160];
    enum MHD_Result rc;
    json_t *s = finished_session(c, id, dir, &rc);
    if (!s)
        return rc;
    if (strcmp(f->name, "chrome-trace") == 0) { /* the whole session's: its source is the folder */
        json_decref(s);
        return serve_export(c, id, dir, f, 1);
    }
    const char *prof = drd_report_export_profiler(s, NULL, err, sizeof err);
    if (!prof) {
        rc = drd_http_error(c, MHD_HTTP_BAD_REQUEST, "%s; its report is at /api/sessions/%s/report", err, id);
        json_decref(s);
        return rc;
    }
    int long_path = drd_report_raw_path(dir, prof, raw, sizeof raw);
    json_decref(s);
    if (long_path)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the session folder's path is too long");
    return serve_export(c, id, raw, f, 1);
}

/* The page's timeline of a finished session (timeline.h: drd_timeline_write_json). */
static enum MHD_Result timeline(struct MHD_Connection *c, const char *id, const char *dir)
{
    static const struct drd_export_format f = {"timeline", "timeline.json", "application/json"};
    enum MHD_Result rc;
    json_t *s = finished_session(c, id, dir, &rc);
    if (!s)
        return rc;
    json_decref(s);
    return serve_export(c, id, dir, &f, 0);
}

/* Removes the session folder id (its files; a session folder holds no folders). Returns 0, or -1 with err. */
static int remove_session(const char *id, char *err, size_t cap)
{
    int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (rfd < 0) {
        snprintf(err, cap, "cannot open the sessions folder: %s", strerror(errno));
        return -1;
    }
    char failed[256];
    int rc = drd_fs_remove_flat_at(rfd, id, failed, sizeof failed);
    if (rc) {
        int saved = errno;
        if (strcmp(failed, id) == 0)
            snprintf(err, cap, "cannot remove the session folder: %s", strerror(saved));
        else
            snprintf(err, cap, "cannot remove %s: %s", text_or(failed, "a file"), strerror(saved));
    }
    close(rfd);
    return rc;
}

static enum MHD_Result delete_session(struct MHD_Connection *c, const char *id)
{
    char err[512];
    enum state st;
    json_decref(session_view(id, &st));
    if (st == RUNNING)
        return drd_http_error(c, MHD_HTTP_CONFLICT, "session %s is still running; delete it once it has ended", id);
#ifdef DRD_WEB_FUZZ
    return drd_http_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, "a fuzz build deletes no session");
#endif
    if (remove_session(id, err, sizeof err))
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
    return drd_http_json(c, MHD_HTTP_OK, json_pack("{s:s}", "deleted", id));
}

/* A server-sent-events stream: "progress" events every EVENT_EVERY_MS while the session runs, then one "end"
 * event with the session, then the end of the stream. */
struct stream {
    char id[DRD_CD_MAX_ID];
    char *pending; /* the event being sent */
    size_t len, off;
    int started, ended;
};

/* Makes the next event into s->pending (NULL when out of memory). */
static void next_event(struct stream *s)
{
    enum state st;
    json_t *view = session_view(s->id, &st);
    json_t *data = view;
    const char *event = "end";
    if (st == RUNNING) {
        event = "progress";
        json_t *p = json_object_get(view, "progress");
        data = json_pack("{s:s,s:s,s:o}", "id", s->id, "status", "running", "progress",
                         p ? json_incref(p) : json_object());
        json_decref(view);
    } else
        s->ended = 1;
    char *text = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (text && asprintf(&s->pending, "event: %s\ndata: %s\n\n", event, text) >= 0)
        s->len = strlen(s->pending);
    else
        s->pending = NULL;
    free(text);
    s->off = 0;
}

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct stream *s = cls;
    (void)pos;
    while (!s->pending || s->off == s->len) {
        free(s->pending);
        s->pending = NULL;
        if (s->ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        for (int i = 0; s->started && i < EVENT_EVERY_MS / 100; i++) {
            if (atomic_load(&stopping))
                return MHD_CONTENT_READER_END_OF_STREAM;
            sleep_ms(100);
        }
        if (atomic_load(&stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        s->started = 1;
        next_event(s);
        if (!s->pending)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->pending + s->off, n);
    s->off += n;
    return (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream *s = cls;
    free(s->pending);
    free(s);
}

static enum MHD_Result events(struct MHD_Connection *c, const char *id)
{
    struct stream *s = calloc(1, sizeof *s);
    if (!s)
        return drd_http_error(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "the server ran out of memory");
    snprintf(s->id, sizeof s->id, "%s", id);
    struct MHD_Response *res = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, s, stream_free);
    if (!res) {
        free(s);
        return MHD_NO;
    }
    MHD_add_response_header(res, "Content-Type", "text/event-stream");
    return drd_http_queue(c, MHD_HTTP_OK, res);
}

int drd_api_init(char *err, size_t cap)
{
    char perr[512];
    if (drd_tool_sessions_root_make(root, sizeof root, err, cap))
        return -1;
    const char *t = getenv("TMPDIR");
    drd_fs_path(tmpdir, sizeof tmpdir, "%s/drdotnet-serve-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        snprintf(err, cap, "cannot make a temporary folder in %s: %s", t && *t ? t : "/tmp", strerror(errno));
        return -1;
    }
    /* loaded once here: the table is cached without a lock */
    if (!profiler_table(perr, sizeof perr))
        fprintf(stderr, "drdotnet: %s; sessions cannot be started\n", perr);
    return 0;
}

void drd_api_stop(void)
{
    atomic_store(&stopping, 1);
    if (tmpdir[0])
        rmdir(tmpdir); /* the exports in it were unlinked as soon as they were open */
}

enum MHD_Result drd_api_handle(const struct drd_api_request *r)
{
    struct MHD_Connection *c = r->conn;
    struct drd_route route;
    char dir[PATH_MAX + DRD_CD_MAX_ID];
    drd_request_route(r->method, r->path, &route);
    if (route.id[0]) {
        drd_fs_path(dir, sizeof dir, "%s/%s", root, route.id);
        struct stat st;
        if (lstat(dir, &st) || !S_ISDIR(st.st_mode))
            return drd_http_error(c, MHD_HTTP_NOT_FOUND, "no session '%s'", route.id);
    }
    switch (route.kind) {
    case DRD_ROUTE_INFO:
        return info(c);
    case DRD_ROUTE_PROCESSES:
        return processes(c);
    case DRD_ROUTE_PROFILERS:
        return profilers(c);
    case DRD_ROUTE_SESSIONS:
        return sessions(c);
    case DRD_ROUTE_START:
        return start(r);
    case DRD_ROUTE_SESSION:
        return drd_http_json(c, MHD_HTTP_OK, session_view(route.id, &(enum state){0}));
    case DRD_ROUTE_DELETE:
        return delete_session(c, route.id);
    case DRD_ROUTE_REPORT:
        return report(c, route.id, dir);
    case DRD_ROUTE_EVENTS:
        return events(c, route.id);
    case DRD_ROUTE_EXPORT:
        return export_session(c, route.id, dir, route.format);
    case DRD_ROUTE_DIFF:
        return diff(c, route.id, dir, route.other);
    case DRD_ROUTE_TIMELINE:
        return timeline(c, route.id, dir);
    case DRD_ROUTE_DOMINATORS:
        return dominators(c, route.id, dir, route.node, route.offset);
    case DRD_ROUTE_REFUSED:
        break;
    }
    return refused(c, &route.refusal);
}
