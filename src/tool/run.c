/* Running a session: attach (profile) or startup (launch), progress while it runs, and the outcome. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool/libcopy.h"
#include "tool/outcome.h"
#include "tool/run.h"
#include "tool/tool.h"
#include "tool/place.h"
#include "common/fsutil.h"
#include "common/safetext.h"
#include "common/session_record.h"
#include "diag/diag.h"
#include "drdotnet/params.h"
#include "drdotnet/selection.h"
#include "drdotnet/version.h"
#include "report/report.h"
#include "common/textcut.h"
#include "common/clock.h"

#define ATTACH_TIMEOUT_MS 30000
#define GRACE_MS 30000 /* past the deadline before the tool gives up on the profiler */
#define POLL_MS 100
#define UNLOAD_WAIT_MS 15000 /* for the target to unload the library before its copy in the target is removed */

#ifdef __GLIBC__
#define TOOL_LIBC DRD_LIBC_GLIBC
#else
#define TOOL_LIBC DRD_LIBC_MUSL
#endif

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int exists(const char *dir, const char *name)
{
    char p[4200];
    drd_fs_path(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* Makes <root>/<YYYYMMDD-HHMMSS>-<pid>-<profiler>[-N] (mode 0700), refusing to reuse anything. Returns 0 or -1. */
static int make_session_dir(pid_t pid, const char *profiler, char *id, size_t idcap, char *dir, size_t dircap)
{
    char root[4096], err[4400];
    if (drd_tool_sessions_root_make(root, sizeof root, err, sizeof err)) {
        drd_tool_error("%s", err);
        return -1;
    }
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char stamp[32];
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    for (int n = 1; n < 100; n++) {
        if (n == 1)
            snprintf(id, idcap, "%s-%d-%s", stamp, (int)pid, profiler);
        else
            snprintf(id, idcap, "%s-%d-%s-%d", stamp, (int)pid, profiler, n);
        drd_fs_path(dir, dircap, "%s/%s", root, id);
        /* private like the root: the target writes here as this user (a container's target writes in its own
         * folder, and its files are copied here) */
        if (mkdir(dir, 0700) == 0)
            return 0;
        if (errno != EEXIST) {
            drd_tool_error("cannot create %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    drd_tool_error("too many sessions named %s", id);
    return -1;
}

/* The run of one session, from the request to the report: what each step leaves for the next. */
struct run {
    const struct drd_run_request *req;
    int launch;
    const char *mode; /* "attach" or "startup" */
    struct drd_selection sel; /* the profilers, and the parameters given to each */
    struct drd_param_values vals[DRD_SELECTION_MAX]; /* each profiler's parameters in force */
    long long duration_ms;
    struct drd_process_info info; /* attach: the target as its runtime describes itself */
    unsigned long long start_ticks;
    struct drd_proc_view view;
    struct drd_place *pl; /* a target in another mount namespace: where its files go there */
    char lib[PATH_MAX], libcopy[PATH_MAX];
    pid_t pid;
    int go[2]; /* launch: the child waits on go[0] for the path of its session request */
    struct drd_client_data cd;
    char dir[4200];
    char cdbuf[DRD_CD_MAX_BYTES];
    size_t cdlen;
    long long started, started_wall;
    /* what the tool knew of the target at the start, for a record it writes itself (the target killed) */
    char known_name[64], known_cmd[sizeof(((struct drd_process_info *)0)->command_line)];
};

/* Writes session.json from the tool's side, for a session the profiler could not end itself: with what was known
 * of the target at the start, and the collection window from the start to end_ms (0: now). Keeps every data file
 * already there. A record the profiler wrote meanwhile stands (drd_session_record_write). */
static void write_tool_session(const struct run *r, const char *status, const char *reason, long long end_ms)
{
    static char buf[65536];
    static struct drd_session_part parts[DRD_SELECTION_MAX];
    static char raw[DRD_SELECTION_MAX][96];
    if (end_ms <= 0)
        end_ms = drd_clock_wall_ms();
    for (int i = 0; i < r->sel.n; i++) {
        const struct drd_profiler_desc *d = r->sel.desc[i];
        parts[i] = (struct drd_session_part){.profiler = d->name, .clsid = d->clsid, .params = &r->vals[i]};
        snprintf(raw[i], sizeof raw[i], "%s.raw", d->name);
        if (exists(r->dir, raw[i]))
            parts[i].files[parts[i].n_files++] = raw[i];
    }
    struct drd_session_record rec = {
        .id = r->cd.session_id,
        .parts = parts,
        .n_parts = r->sel.n,
        .mode = r->mode,
        .pid = (long)r->pid,
        .name = r->known_name[0] ? r->known_name : NULL,
        .command_line = r->known_cmd[0] ? r->known_cmd : NULL,
        .runtime_version = r->launch ? NULL : r->info.clr_version,
        .start_wall_ms = r->started_wall,
        .end_wall_ms = end_ms,
        .duration_ms = end_ms - r->started_wall,
        .status = status,
        .reason = reason,
        .written_by = "tool",
    };
    if (drd_session_record_write(r->dir, &rec, buf, sizeof buf) && errno != EEXIST)
        drd_tool_error("cannot write %s/session.json: %s", r->dir, strerror(errno));
}

/* Fills name (/proc/<pid>/comm, or argv[0]'s last part for a command being launched) and cmd (the runtime's
 * command line, or argv joined by spaces), cut to their caps. */
static void target_facts(pid_t pid, char *const *argv, const char *command_line, char *name, size_t ncap, char *cmd,
                         size_t ccap)
{
    char path[64], *text = NULL;
    size_t len;
    snprintf(path, sizeof path, "/proc/%d/comm", (int)pid);
    if (argv) {
        const char *slash = strrchr(argv[0], '/');
        snprintf(name, ncap, "%s", slash ? slash + 1 : argv[0]);
        size_t used = 0;
        cmd[0] = 0;
        for (int i = 0; argv[i] && used + 1 < ccap; i++) {
            int n = snprintf(cmd + used, ccap - used, "%s%s", i ? " " : "", argv[i]);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        return;
    }
    snprintf(cmd, ccap, "%s", command_line ? command_line : "");
    if (drd_fs_read_all(path, 256, &text, &len) == 0) {
        text[strcspn(text, "\n")] = 0;
        snprintf(name, ncap, "%s", text);
        free(text);
    }
}

/* How long past the deadline the tool waits for the profiler to end the session: $DRDOTNET_END_GRACE_MS, else
 * GRACE_MS. */
static long long grace_ms(void)
{
    const char *v = getenv("DRDOTNET_END_GRACE_MS");
    char *end;
    long ms = v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && ms >= 0 && ms <= 3600000 ? ms : GRACE_MS;
}

/* 1 while our child pid has not exited (it is not reaped here). */
static int child_running(pid_t pid)
{
    siginfo_t si = {0};
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

/* Shows "elapsed / duration, events" on one terminal line; progress.json is read from pl when the session
 * folder is in the target's file system, else from dir. */
static void show_progress(const char *dir, const struct drd_place *pl, long long started, long long duration_ms)
{
    char path[4200], *buf = NULL;
    size_t len;
    long long events = -1;
    drd_fs_path(path, sizeof path, "%s/progress.json", dir);
    if ((pl ? drd_place_read(pl, "progress.json", 4096, &buf, &len) : drd_fs_read_all(path, 4096, &buf, &len)) == 0) {
        json_t *j = json_loads(buf, 0, NULL);
        if (j)
            events = json_integer_value(json_object_get(j, "events"));
        json_decref(j);
        free(buf);
    }
    double el = (double)(drd_clock_mono_ms() - started) / 1000.0;
    if (duration_ms > 0)
        fprintf(stderr, "\r  collecting %5.1f / %.0f s", el > duration_ms / 1000.0 ? duration_ms / 1000.0 : el,
                duration_ms / 1000.0);
    else
        fprintf(stderr, "\r  collecting %5.1f s (until the process exits)", el);
    if (events >= 0)
        fprintf(stderr, ", %lld events", events);
    fprintf(stderr, "   ");
    fflush(stderr);
}

static int exit_for(const struct drd_diag_error *e)
{
    switch (e->code) {
    case DRD_DIAG_ALREADY_LOADED:
        return DRD_EXIT_BUSY;
    case DRD_DIAG_NO_PROCESS:
    case DRD_DIAG_NOT_DOTNET:
    case DRD_DIAG_DISABLED:
    case DRD_DIAG_PERMISSION:
        return DRD_EXIT_TARGET;
    default:
        return DRD_EXIT_FAILED;
    }
}

/* Refuses a target whose C library is not the one this tool and its library were built for. Returns 0 when it
 * may go on. */
static int check_libc(pid_t pid)
{
    enum drd_libc libc = drd_proc_libc(pid);
    if (libc == DRD_LIBC_UNKNOWN || libc == TOOL_LIBC)
        return 0;
    drd_tool_error("pid %d runs on %s%s, but libdrdotnet.so is built for %s and cannot be loaded there: a %s build of "
                  "drdotnet is needed (build it on a %s system%s)",
                  (int)pid, drd_proc_libc_name(libc), libc == DRD_LIBC_MUSL ? " (an Alpine-based image?)" : "",
                  drd_proc_libc_name(TOOL_LIBC), drd_proc_libc_name(libc), drd_proc_libc_name(libc),
                  libc == DRD_LIBC_MUSL ? " such as Alpine" : "");
    return -1;
}

/* Refuses, with what to do, a target in this tool's file system that runs as another user than this tool's
 * (root's, in practice): the library copy and the session folder are private to this tool's user (0700), so
 * that runtime can neither load the one (it answered "0x8007007E", module not found) nor write the other. A
 * target that runs as root can read them; a container's target gets its own copies (place.c). Returns 0 when it
 * may go on. */
static int check_user(const struct drd_proc_view *v)
{
    if (v->other_root || v->uid == geteuid() || v->uid == 0)
        return 0;
    char who[96];
    struct passwd pw, *found = NULL;
    char pwbuf[1024];
    if (getpwuid_r(v->uid, &pw, pwbuf, sizeof pwbuf, &found) == 0 && found)
        snprintf(who, sizeof who, "%s", pw.pw_name);
    else
        snprintf(who, sizeof who, "#%u", (unsigned)v->uid);
    drd_tool_error("pid %d runs as uid %u (%s), which cannot read the library copy nor write the session folder: both "
                  "are private to uid %u, this tool's user. Run drdotnet as that user (e.g. sudo -u %s drdotnet "
                  "profile %d ...); its sessions then go to that user's sessions folder",
                  (int)v->pid, (unsigned)v->uid, who, (unsigned)geteuid(), who, (int)v->pid);
    return -1;
}

/* Moves the session's files from the target's file system into r->dir: none larger than the profilers may write
 * (their largest max_file_mb, twice over), so a target cannot fill the host's disk. */
static void bring_back(const struct run *r)
{
    char err[512];
    long long mb = 0;
    for (int i = 0; i < r->sel.n; i++) {
        long long m = drd_params_int(&r->vals[i], "max_file_mb", 4096);
        mb = m > mb ? m : mb;
    }
    unsigned long long max = ((unsigned long long)mb << 21) + (64ULL << 20);
    if (drd_place_fetch(r->pl, r->dir, max, err, sizeof err))
        drd_tool_error("%s", err);
}

/* Removes the library copy from the target's file system once it is unloaded, or says why it stays; frees pl. */
static void leave(struct drd_place *pl, int wait_ms)
{
    if (pl && drd_place_clean(pl, wait_ms))
        drd_tool_error("note: %s stays in pid %d's file system: its runtime still has the library loaded (it goes with "
                      "the container's temp folder, or remove it once the process has exited)",
                      pl->host_top, (int)pl->pid);
    drd_place_destroy(pl);
}

/* Step 1: the profilers the user named, whether they can run together this way, and each one's parameters. Returns
 * DRD_EXIT_OK to go on, else the exit code (the reason printed). */
static int resolve(struct run *r)
{
    char err[512];
    const struct drd_profiler_table *t = drd_tool_profilers(err, sizeof err);
    if (!t) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    if (drd_selection_parse(t, r->req->profiler, &r->sel, err, sizeof err) ||
        drd_selection_check(&r->sel, r->launch, err, sizeof err) ||
        drd_selection_assign(&r->sel, r->req->params, r->req->n_params, err, sizeof err)) {
        drd_tool_error("%s", err);
        return DRD_EXIT_USAGE;
    }
    for (int i = 0; i < r->sel.n; i++) {
        if (drd_params_resolve(r->sel.desc[i], r->sel.params[i], r->sel.n_params[i], &r->vals[i], err, sizeof err)) {
            drd_tool_error("%s", err);
            return DRD_EXIT_USAGE;
        }
    }
    r->duration_ms = drd_params_deadline_ms(r->vals, r->sel.n);
    if (!r->launch && r->duration_ms <= 0) {
        drd_tool_error("a duration of 0 (until the process exits) needs drdotnet launch");
        return DRD_EXIT_USAGE;
    }
    return DRD_EXIT_OK;
}

/* Step 2 (attach): the target answers on its diagnostics socket, and can load our library; then the library is
 * placed where the target can read it (a target in a container gets it in its own file system, in step 4).
 * Returns DRD_EXIT_OK, or the exit code. */
static int find_target(struct run *r)
{
    char err[512];
    struct drd_diag_error de = {0};
    r->view = (struct drd_proc_view){.pid = r->pid, .ns_pid = r->pid};
    if (!r->launch) {
        if (drd_diag_process_info(r->pid, drd_tool_ipc_timeout(10000), &r->info, &de)) {
            drd_tool_error("%s", de.message);
            return exit_for(&de);
        }
        drd_proc_start_time(r->pid, &r->start_ticks);
        if (drd_proc_view_read(r->pid, &r->view))
            r->view.ns_pid = r->pid;
        if (check_libc(r->pid) || check_user(&r->view))
            return DRD_EXIT_TARGET;
    }
    if (drd_tool_library_path(r->lib, sizeof r->lib, err, sizeof err) ||
        (!r->view.other_root && drd_libcopy_place(r->lib, r->libcopy, sizeof r->libcopy, err, sizeof err))) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    return DRD_EXIT_OK;
}

/* In the launched child: waits for the tool to name the session request, then runs the command with the runtime
 * told to load our library from its start. Never returns. */
static void child_main(const struct run *r)
{
    char line[PATH_MAX + 64];
    close(r->go[1]);
    ssize_t n = read(r->go[0], line, sizeof line - 1);
    if (n <= 0)
        _exit(127); /* the tool gave up before starting us */
    line[n] = 0;
    char pidbuf[32];
    snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
    setenv("CORECLR_ENABLE_PROFILING", "1", 1);
    setenv("CORECLR_PROFILER", r->sel.desc[0]->clsid, 1);
    setenv("CORECLR_PROFILER_PATH", r->libcopy, 1);
    setenv("DRDOTNET_SESSION_FILE", line, 1);
    setenv("DRDOTNET_SESSION_PID", pidbuf, 1);
    /* with --json, standard output carries only the report: the command writes to stderr */
    if (r->req->json && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
        _exit(127);
    execvp(r->req->argv[0], r->req->argv);
    fprintf(stderr, "drdotnet: cannot run %s: %s\n", r->req->argv[0], strerror(errno));
    _exit(127);
}

/* Step 3 (launch): starts the command stopped on a pipe, so that the session can be named after its pid. Returns
 * 0, or -1 (said why; nothing left open). */
static int fork_child(struct run *r)
{
    if (pipe2(r->go, O_CLOEXEC)) {
        drd_tool_error("pipe: %s", strerror(errno));
        r->go[0] = r->go[1] = -1;
        return -1;
    }
    fflush(NULL);
    r->pid = fork();
    if (r->pid < 0) {
        drd_tool_error("fork: %s", strerror(errno));
        close(r->go[0]);
        close(r->go[1]);
        r->go[0] = r->go[1] = -1;
        return -1;
    }
    if (r->pid == 0)
        child_main(r);
    close(r->go[0]);
    r->go[0] = -1;
    drd_proc_start_time(r->pid, &r->start_ticks);
    return 0;
}

/* The session's name: its profilers' names joined by '_' ("cpu-hotpaths_exceptions"). */
static void session_label(const struct drd_selection *sel, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < sel->n && used < cap; i++) {
        int n = snprintf(out + used, cap - used, "%s%s", i ? "_" : "", sel->desc[i]->name);
        used += n > 0 ? (size_t)n : 0;
    }
}

/* Step 4: the session folder, the library's place in a container target, and the session request. Returns
 * DRD_EXIT_OK, or the exit code (a folder made by then says why in its session.json). */
static int prepare_session(struct run *r)
{
    char err[512], label[DRD_CD_MAX_NAME];
    session_label(&r->sel, label, sizeof label);
    if (make_session_dir(r->pid, label, r->cd.session_id, sizeof r->cd.session_id, r->dir, sizeof r->dir))
        return DRD_EXIT_FAILED;
    r->started_wall = drd_clock_wall_ms();
    target_facts(r->pid, r->launch ? r->req->argv : NULL, r->launch ? NULL : r->info.command_line, r->known_name,
                 sizeof r->known_name, r->known_cmd, sizeof r->known_cmd);
    if (r->view.other_root) {
        if (drd_place_create(&r->view, r->lib, r->cd.session_id, &r->pl, err, sizeof err)) {
            drd_tool_error("%s", err);
            write_tool_session(r, "failed", err, 0);
            return DRD_EXIT_TARGET;
        }
        snprintf(r->libcopy, sizeof r->libcopy, "%s", r->pl->lib_path);
        snprintf(r->cd.out_dir, sizeof r->cd.out_dir, "%s", r->pl->out_dir);
    } else if (strlen(r->dir) >= sizeof r->cd.out_dir) {
        drd_tool_error("session folder path too long: %s", r->dir);
        return DRD_EXIT_FAILED;
    } else
        snprintf(r->cd.out_dir, sizeof r->cd.out_dir, "%s", r->dir);
    /* the names as the user gave them, and the parameters as given: the library routes them by the same rules */
    snprintf(r->cd.profiler, sizeof r->cd.profiler, "%s", r->req->profiler);
    r->cd.mode = r->launch ? DRD_MODE_STARTUP : DRD_MODE_ATTACH;
    snprintf(r->cd.tool, sizeof r->cd.tool, "%s", DRD_VERSION);
    r->cd.n_params = r->req->n_params;
    memcpy(r->cd.params, r->req->params, sizeof r->cd.params);
    if (drd_cd_encode(&r->cd, r->cdbuf, sizeof r->cdbuf, &r->cdlen)) {
        drd_tool_error("the session request does not fit (too many or too long parameters)");
        return DRD_EXIT_FAILED;
    }
    return DRD_EXIT_OK;
}

/* Step 5: hands the request to the runtime: to the launched child through request.txt, or to a running target by
 * AttachProfiler. Returns DRD_EXIT_OK, or the exit code (the refusal said and recorded). */
static int start_session(struct run *r)
{
    r->started = drd_clock_mono_ms();
    if (!r->req->quiet)
        fprintf(stderr, "drdotnet: session %s\n", r->cd.session_id);
    if (r->launch) {
        if (drd_fs_write_atomic(r->dir, "request.txt", r->cdbuf, r->cdlen, 0600)) {
            drd_tool_error("cannot write the session request: %s", strerror(errno));
            return DRD_EXIT_FAILED;
        }
        char line[PATH_MAX + 64];
        int n = snprintf(line, sizeof line, "%s/request.txt", r->dir);
        if (write(r->go[1], line, (size_t)n) != n) {
            drd_tool_error("cannot start the command");
            return DRD_EXIT_FAILED;
        }
        close(r->go[1]);
        r->go[1] = -1;
        return DRD_EXIT_OK;
    }
    struct drd_diag_error de = {0};
    if (drd_diag_attach(r->pid, r->sel.desc[0]->clsid, r->libcopy, r->cdbuf, r->cdlen,
                        drd_tool_ipc_timeout(ATTACH_TIMEOUT_MS), &de)) {
        if (r->pl) {
            bring_back(r);
            leave(r->pl, UNLOAD_WAIT_MS);
            r->pl = NULL;
        }
        /* the profiler may have said why in session.json before it refused */
        char lerr[256];
        json_t *s = exists(r->dir, "session.json") ? drd_session_load(r->dir, lerr, sizeof lerr) : NULL;
        const char *reason = s ? json_string_value(json_object_get(s, "reason")) : NULL;
        int refused = reason && *reason; /* reason lives in s: decided before s is released */
        if (refused)
            drd_tool_error("the profiler refused the session: %s", reason);
        else {
            drd_tool_error("%s", de.message);
            write_tool_session(r, "failed", de.message, 0);
        }
        json_decref(s);
        return refused ? DRD_EXIT_USAGE : exit_for(&de);
    }
    if (!r->req->quiet) {
        char *safe = drd_safetext_dup(r->info.command_line);
        fprintf(stderr, "drdotnet: attached to pid %d (%s)\n", (int)r->pid, safe ? safe : "?");
        free(safe);
    }
    return DRD_EXIT_OK;
}

/* Watching a running session: the child's end (launch), and when the library was last seen in the target. */
struct watch {
    int child_status, child_done;
    long long gone_since;
    int polls, lib_seen;
    long long lib_gone_since;
    long long grace; /* past the deadline */
    /* the end of the collection window, should the tool end the session: the last time the target was seen
     * running (not gone, not stopped) */
    long long last_running_wall;
};

/* One look at a session that has no session.json yet: a library that left without writing it, a target gone.
 * Returns 1 when the tool must end the session (why in end_reason), else 0. */
static int session_lost(struct run *r, struct watch *w, const char *lib_name, char *end_reason, size_t cap)
{
    /* a profiler that could not write session.json (an unwritable folder) still detaches: do not wait for
     * the deadline's grace when the library has left a living target */
    if (++w->polls % 5 == 0 && (r->launch ? child_running(r->pid) : drd_proc_alive(r->pid, r->start_ticks))) {
        if (drd_proc_maps_file(r->pid, lib_name))
            w->lib_seen = 1, w->lib_gone_since = 0;
        else if (w->lib_seen && !w->lib_gone_since)
            w->lib_gone_since = drd_clock_mono_ms();
        else if (w->lib_seen && drd_clock_mono_ms() - w->lib_gone_since > 1000 &&
                 !(r->pl ? drd_place_has(r->pl, "session.json") : exists(r->dir, "session.json"))) {
            /* the folder the profiler writes: inside the target's file system for a container */
            char why[300];
            if ((r->pl && r->pl->sess_fd >= 0 ? faccessat(r->pl->sess_fd, ".", W_OK, AT_EACCESS)
                                              : access(r->dir, W_OK)) != 0)
                snprintf(why, sizeof why, "the session folder is not writable (%s)", strerror(errno));
            else
                drd_text_cut(why, sizeof why, "see %s/profiler.log", r->pl ? r->pl->out_dir : r->dir);
            snprintf(end_reason, cap, "the profiler left the target without writing session.json: %s; the target "
                                      "runs on", why);
            return 1;
        }
    }
    int alive;
    if (r->launch) {
        if (!w->child_done && waitpid(r->pid, &w->child_status, WNOHANG) == r->pid)
            w->child_done = 1;
        alive = !w->child_done;
    } else
        alive = drd_proc_alive(r->pid, r->start_ticks);
    int stopped = alive && drd_proc_stopped(r->pid);
    if (alive && !stopped)
        w->last_running_wall = drd_clock_wall_ms();
    if (!alive) {
        /* let a profiler that was writing at the end finish its files */
        if (!w->gone_since)
            w->gone_since = drd_clock_mono_ms();
        else if (drd_clock_mono_ms() - w->gone_since > 2000) {
            if (r->launch && !exists(r->dir, "profiler.log"))
                snprintf(end_reason, cap,
                         "the process exited (status %d) and the runtime never loaded the profiler (is it a .NET "
                         "program?)",
                         WIFEXITED(w->child_status) ? WEXITSTATUS(w->child_status) : -1);
            else
                snprintf(end_reason, cap, "the target process exited during the session; the data collected until "
                                          "then is kept");
            return 1;
        }
    }
    if (r->duration_ms > 0 && drd_clock_mono_ms() - r->started > r->duration_ms + w->grace) {
        if (stopped)
            snprintf(end_reason, cap,
                     "the target was stopped (SIGSTOP, or a debugger) %.1f s into the session and still was %.1f s "
                     "past its end; the data collected until then is kept (the profiler may finish its files once "
                     "the target runs again; this record stands)",
                     (double)(w->last_running_wall - r->started_wall) / 1000.0, (double)w->grace / 1000.0);
        else
            snprintf(end_reason, cap, "the profiler did not end the session within %.1f s of its deadline",
                     (double)w->grace / 1000.0);
        return 1;
    }
    return 0;
}

/* Step 6: waits for the session's end: its session.json, the library gone without one, the target gone, the
 * deadline long past, or Ctrl-C. Returns 0 when the session ended (end_reason set when the tool ended it), or -1
 * when interrupted (said: the profiler finishes alone). */
static int wait_session(struct run *r, struct watch *w, char *end_reason, size_t cap)
{
    int tty = drd_tool_tty(stderr) && !r->req->quiet;
    const char *lib_name = r->pl ? r->pl->top_name : r->libcopy;
    for (;;) {
        if (r->pl ? drd_place_has(r->pl, "session.json") : exists(r->dir, "session.json"))
            break;
        if (interrupted) {
            if (tty)
                fputc('\n', stderr);
            if (r->pl)
                drd_tool_error("interrupted: the profiler in the target still ends the session by itself at its "
                              "deadline, in %s/%s (%s inside the target); copy that folder to %s to read it with "
                              "'drdotnet show %s'",
                              r->pl->host_top, r->cd.session_id, r->pl->out_dir, r->dir, r->cd.session_id);
            else
                drd_tool_error("interrupted: the profiler in the target still ends the session by itself at its "
                              "deadline; 'drdotnet show %s' shows it then",
                              r->cd.session_id);
            return -1;
        }
        if (session_lost(r, w, lib_name, end_reason, cap)) {
            if (tty)
                fputc('\n', stderr);
            drd_tool_error("%s", end_reason);
            break;
        }
        if (tty)
            show_progress(r->dir, r->pl, r->started, r->duration_ms);
        sleep_ms(POLL_MS);
    }
    if (tty)
        fprintf(stderr, "\r%60s\r", "");
    return 0;
}

/* Step 7: the session's files brought home, its record completed (the detach, a container's pids), the report
 * printed, the library copy removed, and a launched command waited for. Returns the exit code. */
static int conclude_session(struct run *r, struct watch *w, const char *end_reason)
{
    if (r->pl)
        bring_back(r);
    int occupied = 0; /* an attached profiler that could not leave: the process takes no other until it restarts */
    if (*end_reason) {
        /* the window ends when the target was last seen running, and never past the session's own end */
        long long end = w->last_running_wall;
        if (r->duration_ms > 0 && end > r->started_wall + r->duration_ms)
            end = r->started_wall + r->duration_ms;
        write_tool_session(r, "incomplete", end_reason, end);
    }
    else if (!(r->launch && w->child_done))
        occupied = drd_outcome_confirm_detach(r->dir, r->pid, r->start_ticks, r->pl ? r->pl->top_name : r->libcopy) &&
                   !r->launch;
    if (!r->launch && r->view.ns_pid != r->pid)
        drd_outcome_note_pids(r->dir, r->pid, r->view.ns_pid);
    int rc = drd_outcome_report(r->dir, r->req->json, r->req->quiet);
    if (occupied) {
        drd_tool_error("pid %d is left with the profiler loaded: no profiler can attach to it again until it "
                      "restarts; the data above is whole, but restart the process to profile it again",
                      (int)r->pid);
        rc = DRD_EXIT_FAILED;
    }
    leave(r->pl, UNLOAD_WAIT_MS);
    r->pl = NULL;
    if (r->launch && !w->child_done) {
        if (!r->req->quiet)
            fprintf(stderr, "drdotnet: the session has ended; waiting for the command to exit\n");
        while (waitpid(r->pid, &w->child_status, 0) < 0 && errno == EINTR && !interrupted)
            ;
    }
    if (r->launch && !r->req->quiet && WIFEXITED(w->child_status))
        fprintf(stderr, "drdotnet: the command exited with status %d\n", WEXITSTATUS(w->child_status));
    return rc;
}

int drd_run(const struct drd_run_request *req)
{
    static struct run run; /* large; one session per process */
    struct run *r = &run;
    memset(r, 0, sizeof *r);
    r->req = req;
    r->launch = req->argv != NULL;
    r->mode = r->launch ? "startup" : "attach";
    r->pid = req->pid;
    r->go[0] = r->go[1] = -1;
    int rc = resolve(r);
    if (rc == DRD_EXIT_OK)
        rc = find_target(r);
    if (rc != DRD_EXIT_OK)
        return rc;
    if (r->launch && fork_child(r))
        return DRD_EXIT_FAILED;
    rc = prepare_session(r);
    if (rc == DRD_EXIT_OK)
        rc = start_session(r);
    if (rc != DRD_EXIT_OK)
        goto fail_child;

    struct sigaction sa = {.sa_handler = on_sigint}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    struct watch w = {.child_status = -1, .grace = grace_ms(), .last_running_wall = r->started_wall};
    char end_reason[512] = ""; /* set when the tool ends the session instead of the profiler */
    if (wait_session(r, &w, end_reason, sizeof end_reason) == 0)
        rc = conclude_session(r, &w, end_reason);
    else {
        drd_place_destroy(r->pl); /* leaves the session folder in the target, for the profiler to finish */
        rc = DRD_EXIT_FAILED;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;

fail_child:
    leave(r->pl, 0);
    if (r->launch) {
        if (r->go[1] >= 0)
            close(r->go[1]); /* the child reads EOF and exits */
        waitpid(r->pid, NULL, 0);
    }
    return rc;
}

int drd_run_add_param(struct drd_run_request *req, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char key[DRD_CD_MAX_KEY], err[256];
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key) {
        drd_tool_error("--param takes KEY=VALUE, not '%s'", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = 0;
    struct drd_client_data tmp = {.n_params = req->n_params};
    memcpy(tmp.params, req->params, sizeof req->params);
    if (drd_cd_add_param(&tmp, key, eq + 1, err, sizeof err)) {
        drd_tool_error("%s", err);
        return -1;
    }
    memcpy(req->params, tmp.params, sizeof req->params);
    req->n_params = tmp.n_params;
    return 0;
}
