/* Running a session: attach (profile) or startup (launch), progress while it runs, and the outcome. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/place.h"
#include "common/fsutil.h"
#include "common/session_record.h"
#include "diag/diag.h"
#include "drdotnet/params.h"
#include "drdotnet/version.h"
#include "report/report.h"

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

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int exists(const char *dir, const char *name)
{
    char p[4200];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

/* Makes <root>/<YYYYMMDD-HHMMSS>-<pid>-<profiler>[-N] (mode 0700), refusing to reuse anything. Returns 0 or -1. */
static int make_session_dir(pid_t pid, const char *profiler, char *id, size_t idcap, char *dir, size_t dircap)
{
    char root[4096], err[4400];
    if (drd_cli_sessions_root_make(root, sizeof root, err, sizeof err)) {
        drd_cli_error("%s", err);
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
        snprintf(dir, dircap, "%s/%s", root, id);
        /* private like the root: the target writes here as this user (a container's target writes in its own
         * folder, and its files are copied here) */
        if (mkdir(dir, 0700) == 0)
            return 0;
        if (errno != EEXIST) {
            drd_cli_error("cannot create %s: %s", dir, strerror(errno));
            return -1;
        }
    }
    drd_cli_error("too many sessions named %s", id);
    return -1;
}

/* Writes session.json from the tool's side, for a session the profiler could not end itself. Keeps every
 * data file already there. */
static void write_tool_session(const char *dir, const char *id, const struct drd_profiler_desc *p,
                               const struct drd_param_values *vals, pid_t pid, const char *mode, const char *status,
                               const char *reason, long long started_wall_ms)
{
    static char buf[16384];
    char raw[96];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long end_ms = (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    struct drd_session_part part = {.profiler = p->name, .clsid = p->clsid, .params = vals};
    struct drd_session_record r = {
        .id = id,
        .parts = &part,
        .n_parts = 1,
        .mode = mode,
        .pid = (long)pid,
        .start_wall_ms = started_wall_ms,
        .end_wall_ms = end_ms,
        .duration_ms = end_ms - started_wall_ms,
        .status = status,
        .reason = reason,
        .written_by = "tool",
    };
    snprintf(raw, sizeof raw, "%s.raw", p->name);
    if (exists(dir, raw))
        part.files[part.n_files++] = raw;
    if (drd_session_record_write(dir, &r, buf, sizeof buf))
        drd_cli_error("cannot write %s/session.json: %s", dir, strerror(errno));
}

/* Writes s back as dir/session.json (atomically, keys in their order, a newline at the end): the tool's additions
 * to what the profiler wrote (the detach's outcome, a container target's pids). */
static void save_session(const char *dir, json_t *s)
{
    char *text = json_dumps(s, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (!text) {
        drd_cli_error("cannot update %s/session.json: out of memory", dir);
        return;
    }
    size_t n = strlen(text);
    text[n] = '\n'; /* in the place of the NUL */
    if (drd_fs_write_atomic(dir, "session.json", text, n + 1, 0600))
        drd_cli_error("cannot update %s/session.json: %s", dir, strerror(errno));
    free(text);
}

/* 1 while our child pid has not exited (it is not reaped here). */
static int child_running(pid_t pid)
{
    siginfo_t si = {0};
    return waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == 0;
}

/* How long the tool waits for the runtime to unload the library after the profiler asked to detach. */
static int detach_wait_ms(void)
{
    const char *v = getenv("DRDOTNET_DETACH_WAIT_MS");
    char *end;
    long ms = v ? strtol(v, &end, 10) : -1;
    return v && *v && !*end && ms >= 0 && ms <= 600000 ? (int)ms : 10000;
}

/* After the session: what became of the detach. The library wrote in session.json whether it asked and whether
 * the runtime agreed; here the tool waits for the library to leave the target's memory, says so when it does
 * not, and records the outcome ("detached" or "late") in session.json. Returns 1 when the runtime refused the
 * detach (the profiler stays loaded: no other profiler can attach until the process restarts), else 0. */
static int confirm_detach(const char *dir, pid_t pid, unsigned long long start_ticks, const char *lib_name)
{
    char err[256];
    int refused = 0;
    json_t *s = drd_session_load(dir, err, sizeof err);
    if (!s)
        return 0;
    const char *detach = json_string_value(json_object_get(s, "detach"));
    const char *detail = json_string_value(json_object_get(s, "detach_detail"));
    const char *outcome = NULL;
    char why[512] = "";
    if (detach && strcmp(detach, "refused") == 0) {
        refused = 1;
        drd_cli_error("note: the runtime refused to unload the profiler from pid %d: %s; the process runs on",
                      (int)pid, detail ? detail : "no reason given");
    } else if (detach && strcmp(detach, "requested") == 0) {
        int wait = detach_wait_ms();
        long long t0 = now_ms();
        int mapped;
        while ((mapped = drd_proc_alive(pid, start_ticks) && drd_proc_maps_file(pid, lib_name)) && now_ms() - t0 < wait)
            sleep_ms(50);
        if (!mapped && drd_proc_alive(pid, start_ticks)) {
            outcome = "detached";
            snprintf(why, sizeof why, "unloaded %lld ms after the session's end", now_ms() - t0);
        } else if (mapped) {
            outcome = "late";
            snprintf(why, sizeof why,
                     "the profiler asked to leave, but the runtime had not unloaded it %d ms later (a thread still in "
                     "its code?); its events are off, and the runtime unloads it once every thread has left",
                     wait);
            drd_cli_error("note: pid %d: %s; the process runs on", (int)pid, why);
        }
    }
    if (outcome) {
        json_object_set_new(s, "detach", json_string(outcome));
        json_object_set_new(s, "detach_detail", json_string(why));
        save_session(dir, s);
    }
    json_decref(s);
    return refused;
}

/* Shows "elapsed / duration, events" on one terminal line; progress.json is read from pl when the session
 * folder is in the target's file system, else from dir. */
static void show_progress(const char *dir, const struct drd_place *pl, long long started, long long duration_ms)
{
    char path[4200], *buf = NULL;
    size_t len;
    long long events = -1;
    snprintf(path, sizeof path, "%s/progress.json", dir);
    if ((pl ? drd_place_read(pl, "progress.json", 4096, &buf, &len) : drd_fs_read_all(path, 4096, &buf, &len)) == 0) {
        json_t *j = json_loads(buf, 0, NULL);
        if (j)
            events = json_integer_value(json_object_get(j, "events"));
        json_decref(j);
        free(buf);
    }
    double el = (double)(now_ms() - started) / 1000.0;
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

/* Prints the report of a finished session and writes summary.md. Returns the exit code. */
static int conclude(const char *dir, int json_out, int quiet)
{
    char err[512];
    json_t *s = drd_session_load(dir, err, sizeof err);
    if (!s) {
        drd_cli_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    const char *status = json_string_value(json_object_get(s, "status"));
    int completed = status && strcmp(status, "completed") == 0;
    json_t *report = NULL;
    if (json_array_size(json_object_get(s, "files")) > 0) {
        report = drd_report_build(dir, s, err, sizeof err);
        if (!report)
            drd_cli_error("report: %s", err);
    }
    if (report) {
        /* through a fresh temporary file and rename(2): whatever sits at summary.md is replaced, never written
         * through */
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            fprintf(f, "```\n");
            drd_report_print(f, s, report);
            fprintf(f, "```\n");
            if (fclose(f) == 0 && drd_fs_write_atomic(dir, "summary.md", text, len, 0600))
                drd_cli_error("cannot write %s/summary.md: %s", dir, strerror(errno));
        }
        free(text);
    }
    if (json_out) {
        json_t *all = json_pack("{s:O,s:O}", "session", s, "report", report ? report : json_null());
        json_dumpf(all, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(all);
    } else if (!quiet) {
        drd_report_print(stdout, s, report);
    }
    if (!completed)
        drd_cli_error("the session did not complete: %s%s%s", status ? status : "?",
                      *json_string_value(json_object_get(s, "reason")) ? ": " : "",
                      json_string_value(json_object_get(s, "reason")));
    json_decref(report);
    json_decref(s);
    return completed ? DRD_EXIT_OK : DRD_EXIT_FAILED;
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
    drd_cli_error("pid %d runs on %s%s, but libdrdotnet.so is built for %s and cannot be loaded there: a %s build of "
                  "drdotnet is needed (build it on a %s system%s)",
                  (int)pid, drd_proc_libc_name(libc), libc == DRD_LIBC_MUSL ? " (an Alpine-based image?)" : "",
                  drd_proc_libc_name(TOOL_LIBC), drd_proc_libc_name(libc), drd_proc_libc_name(libc),
                  libc == DRD_LIBC_MUSL ? " such as Alpine" : "");
    return -1;
}

/* Records in dir/session.json the target's pid as this tool sees it (target.pid, the one in the session's id)
 * and as the target sees itself (target.ns_pid), for a target in another pid namespace. */
static void note_pids(const char *dir, pid_t pid, pid_t ns_pid)
{
    char err[256];
    json_t *s = drd_session_load(dir, err, sizeof err);
    json_t *target = s ? json_object_get(s, "target") : NULL;
    if (json_is_object(target)) {
        json_object_set_new(target, "pid", json_integer(pid));
        json_object_set_new(target, "ns_pid", json_integer(ns_pid));
        save_session(dir, s);
    }
    json_decref(s);
}

/* Moves the session's files from the target's file system into dir: none larger than the profiler may write
 * (its max_file_mb, twice over), so a target cannot fill the host's disk. */
static void bring_back(struct drd_place *pl, const char *dir, const struct drd_param_values *vals)
{
    char err[512];
    unsigned long long max = ((unsigned long long)drd_params_int(vals, "max_file_mb", 4096) << 21) + (64ULL << 20);
    if (drd_place_fetch(pl, dir, max, err, sizeof err))
        drd_cli_error("%s", err);
}

/* Removes the library copy from the target's file system once it is unloaded, or says why it stays; frees pl. */
static void leave(struct drd_place *pl, int wait_ms)
{
    if (pl && drd_place_clean(pl, wait_ms))
        drd_cli_error("note: %s stays in pid %d's file system: its runtime still has the library loaded (it goes with "
                      "the container's temp folder, or remove it once the process has exited)",
                      pl->host_top, (int)pl->pid);
    drd_place_destroy(pl);
}

int drd_run(const struct drd_run_request *req)
{
    char err[512], lib[PATH_MAX], libcopy[PATH_MAX];
    const struct drd_profiler_table *t = drd_cli_profilers(err, sizeof err);
    if (!t) {
        drd_cli_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    const struct drd_profiler_desc *p = drd_profiler_find(t, req->profiler);
    if (!p) {
        drd_cli_error("no profiler named '%s' (drdotnet profilers lists them)", req->profiler);
        return DRD_EXIT_USAGE;
    }
    int launch = req->argv != NULL;
    if (!(p->flags & (launch ? DRD_PROFILER_STARTUP : DRD_PROFILER_ATTACH))) {
        drd_cli_error("profiler '%s' cannot be %s", p->name, launch ? "loaded at startup" : "attached");
        return DRD_EXIT_USAGE;
    }
    struct drd_param_values vals;
    if (drd_params_resolve(p, req->params, req->n_params, &vals, err, sizeof err)) {
        drd_cli_error("%s", err);
        return DRD_EXIT_USAGE;
    }
    long long duration_ms = drd_params_int(&vals, "duration", 10) * 1000;
    if (!launch && duration_ms <= 0) {
        drd_cli_error("a duration of 0 (until the process exits) needs drdotnet launch");
        return DRD_EXIT_USAGE;
    }
    struct drd_diag_error de = {0};
    struct drd_process_info info;
    unsigned long long start_ticks = 0;
    /* a target in another mount namespace (a container) gets the library and its session folder inside its own
     * file system (pl), and the results come back here when the session ends */
    struct drd_proc_view view = {.pid = req->pid, .ns_pid = req->pid};
    struct drd_place *pl = NULL;
    if (!launch) {
        if (drd_diag_process_info(req->pid, drd_cli_ipc_timeout(10000), &info, &de)) {
            drd_cli_error("%s", de.message);
            return exit_for(&de);
        }
        drd_proc_start_time(req->pid, &start_ticks);
        if (drd_proc_view_read(req->pid, &view))
            view.ns_pid = req->pid;
        if (check_libc(req->pid))
            return DRD_EXIT_TARGET;
    }
    if (drd_cli_library_path(lib, sizeof lib, err, sizeof err) ||
        (!view.other_root && drd_libcopy_place(lib, libcopy, sizeof libcopy, err, sizeof err))) {
        drd_cli_error("%s", err);
        return DRD_EXIT_FAILED;
    }

    /* launch: start the child stopped on a pipe, so the session can be named after its pid */
    int go[2] = {-1, -1};
    pid_t pid = req->pid;
    if (launch) {
        if (pipe2(go, O_CLOEXEC)) {
            drd_cli_error("pipe: %s", strerror(errno));
            return DRD_EXIT_FAILED;
        }
        fflush(NULL);
        pid = fork();
        if (pid < 0) {
            drd_cli_error("fork: %s", strerror(errno));
            return DRD_EXIT_FAILED;
        }
        if (pid == 0) {
            char line[PATH_MAX + 64];
            close(go[1]);
            ssize_t n = read(go[0], line, sizeof line - 1);
            if (n <= 0)
                _exit(127); /* the tool gave up before starting us */
            line[n] = 0;
            char pidbuf[32];
            snprintf(pidbuf, sizeof pidbuf, "%d", (int)getpid());
            setenv("CORECLR_ENABLE_PROFILING", "1", 1);
            setenv("CORECLR_PROFILER", p->clsid, 1);
            setenv("CORECLR_PROFILER_PATH", libcopy, 1);
            setenv("DRDOTNET_SESSION_FILE", line, 1);
            setenv("DRDOTNET_SESSION_PID", pidbuf, 1);
            /* with --json, standard output carries only the report: the command writes to stderr */
            if (req->json && dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
                _exit(127);
            execvp(req->argv[0], req->argv);
            fprintf(stderr, "drdotnet: cannot run %s: %s\n", req->argv[0], strerror(errno));
            _exit(127);
        }
        close(go[0]);
        drd_proc_start_time(pid, &start_ticks);
    }

    struct drd_client_data cd = {0};
    char dir[4200];
    if (make_session_dir(pid, p->name, cd.session_id, sizeof cd.session_id, dir, sizeof dir))
        goto fail_child;
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    long long started_wall = (long long)wall.tv_sec * 1000 + wall.tv_nsec / 1000000;
    const char *mode = launch ? "startup" : "attach";
    if (view.other_root) {
        if (drd_place_create(&view, lib, cd.session_id, &pl, err, sizeof err)) {
            drd_cli_error("%s", err);
            write_tool_session(dir, cd.session_id, p, &vals, pid, mode, "failed", err, started_wall);
            return DRD_EXIT_TARGET;
        }
        snprintf(libcopy, sizeof libcopy, "%s", pl->lib_path);
        snprintf(cd.out_dir, sizeof cd.out_dir, "%s", pl->out_dir);
    } else if (strlen(dir) >= sizeof cd.out_dir) {
        drd_cli_error("session folder path too long: %s", dir);
        goto fail_child;
    } else
        snprintf(cd.out_dir, sizeof cd.out_dir, "%s", dir);
    snprintf(cd.profiler, sizeof cd.profiler, "%s", p->name);
    cd.mode = launch ? DRD_MODE_STARTUP : DRD_MODE_ATTACH;
    cd.n_params = req->n_params;
    memcpy(cd.params, req->params, sizeof cd.params);
    char cdbuf[DRD_CD_MAX_BYTES];
    size_t cdlen;
    if (drd_cd_encode(&cd, cdbuf, sizeof cdbuf, &cdlen)) {
        drd_cli_error("the session request does not fit (too many or too long parameters)");
        goto fail_child;
    }
    long long started = now_ms();

    if (!req->quiet)
        fprintf(stderr, "drdotnet: session %s\n", cd.session_id);
    if (launch) {
        if (drd_fs_write_atomic(dir, "request.txt", cdbuf, cdlen, 0600)) {
            drd_cli_error("cannot write the session request: %s", strerror(errno));
            goto fail_child;
        }
        char line[PATH_MAX + 64];
        int n = snprintf(line, sizeof line, "%s/request.txt", dir);
        if (write(go[1], line, (size_t)n) != n) {
            drd_cli_error("cannot start the command");
            goto fail_child;
        }
        close(go[1]);
        go[1] = -1;
    } else {
        if (drd_diag_attach(pid, p->clsid, libcopy, cdbuf, cdlen, drd_cli_ipc_timeout(ATTACH_TIMEOUT_MS), &de)) {
            if (pl) {
                bring_back(pl, dir, &vals);
                leave(pl, UNLOAD_WAIT_MS);
            }
            /* the profiler may have said why in session.json before it refused */
            char lerr[256];
            json_t *s = exists(dir, "session.json") ? drd_session_load(dir, lerr, sizeof lerr) : NULL;
            const char *reason = s ? json_string_value(json_object_get(s, "reason")) : NULL;
            int refused = reason && *reason; /* reason lives in s: decided before s is released */
            if (refused)
                drd_cli_error("the profiler refused the session: %s", reason);
            else {
                drd_cli_error("%s", de.message);
                write_tool_session(dir, cd.session_id, p, &vals, pid, mode, "failed", de.message, started_wall);
            }
            json_decref(s);
            return refused ? DRD_EXIT_USAGE : exit_for(&de);
        }
        if (!req->quiet)
            fprintf(stderr, "drdotnet: attached to pid %d (%s)\n", (int)pid, info.command_line);
    }

    struct sigaction sa = {.sa_handler = on_sigint}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    int tty = drd_cli_tty(stderr) && !req->quiet;
    int child_status = -1, child_done = 0;
    long long gone_since = 0;
    int rc = DRD_EXIT_FAILED;
    char end_reason[512] = ""; /* set when the tool ends the session instead of the profiler */
    const char *lib_name = pl ? pl->top_name : libcopy;
    int polls = 0, lib_seen = 0;
    long long lib_gone_since = 0;
    for (;;) {
        if (pl ? drd_place_has(pl, "session.json") : exists(dir, "session.json"))
            break;
        if (interrupted) {
            if (tty)
                fputc('\n', stderr);
            if (pl)
                drd_cli_error("interrupted: the profiler in the target still ends the session by itself at its "
                              "deadline, in %s/%s (%s inside the target); copy that folder to %s to read it with "
                              "'drdotnet show %s'",
                              pl->host_top, cd.session_id, pl->out_dir, dir, cd.session_id);
            else
                drd_cli_error("interrupted: the profiler in the target still ends the session by itself at its "
                              "deadline; 'drdotnet show %s' shows it then",
                              cd.session_id);
            drd_place_destroy(pl); /* leaves the session folder in the target, for the profiler to finish */
            rc = DRD_EXIT_FAILED;
            goto restore;
        }
        /* a profiler that could not write session.json (an unwritable folder) still detaches: do not wait for
         * the deadline's grace when the library has left a living target */
        if (++polls % 5 == 0 && (launch ? child_running(pid) : drd_proc_alive(pid, start_ticks))) {
            if (drd_proc_maps_file(pid, lib_name))
                lib_seen = 1, lib_gone_since = 0;
            else if (lib_seen && !lib_gone_since)
                lib_gone_since = now_ms();
            else if (lib_seen && now_ms() - lib_gone_since > 1000 &&
                     !(pl ? drd_place_has(pl, "session.json") : exists(dir, "session.json"))) {
                /* the folder the profiler writes: inside the target's file system for a container */
                char w[300];
                if ((pl && pl->sess_fd >= 0 ? faccessat(pl->sess_fd, ".", W_OK, AT_EACCESS) : access(dir, W_OK)) != 0)
                    snprintf(w, sizeof w, "the session folder is not writable (%s)", strerror(errno));
                else
                    snprintf(w, sizeof w, "see %s/profiler.log", pl ? pl->out_dir : dir);
                snprintf(end_reason, sizeof end_reason,
                         "the profiler left the target without writing session.json: %s; the target runs on", w);
                if (tty)
                    fputc('\n', stderr);
                drd_cli_error("%s", end_reason);
                break;
            }
        }
        int alive;
        if (launch) {
            if (!child_done && waitpid(pid, &child_status, WNOHANG) == pid)
                child_done = 1;
            alive = !child_done;
        } else
            alive = drd_proc_alive(pid, start_ticks);
        if (!alive) {
            /* let a profiler that was writing at the end finish its files */
            if (!gone_since)
                gone_since = now_ms();
            else if (now_ms() - gone_since > 2000) {
                if (launch && !exists(dir, "profiler.log"))
                    snprintf(end_reason, sizeof end_reason,
                             "the process exited (status %d) and the runtime never loaded the profiler (is it a "
                             ".NET program?)",
                             WIFEXITED(child_status) ? WEXITSTATUS(child_status) : -1);
                else
                    snprintf(end_reason, sizeof end_reason, "the target process exited during the session; the "
                                                            "data collected until then is kept");
                if (tty)
                    fputc('\n', stderr);
                drd_cli_error("%s", end_reason);
                break;
            }
        }
        if (duration_ms > 0 && now_ms() - started > duration_ms + GRACE_MS) {
            if (tty)
                fputc('\n', stderr);
            drd_cli_error("the profiler did not end the session within %d s of its deadline", GRACE_MS / 1000);
            snprintf(end_reason, sizeof end_reason, "the profiler did not end the session in time");
            break;
        }
        if (tty)
            show_progress(dir, pl, started, duration_ms);
        sleep_ms(POLL_MS);
    }
    if (tty)
        fprintf(stderr, "\r%60s\r", "");
    if (pl)
        bring_back(pl, dir, &vals);
    int occupied = 0; /* an attached profiler that could not leave: the process takes no other until it restarts */
    if (*end_reason)
        write_tool_session(dir, cd.session_id, p, &vals, pid, mode, "incomplete", end_reason, started_wall);
    else if (!(launch && child_done))
        occupied = confirm_detach(dir, pid, start_ticks, lib_name) && !launch;
    if (!launch && view.ns_pid != pid)
        note_pids(dir, pid, view.ns_pid);
    rc = conclude(dir, req->json, req->quiet);
    if (occupied) {
        drd_cli_error("pid %d is left with the profiler loaded: no profiler can attach to it again until it "
                      "restarts; the data above is whole, but restart the process to profile it again",
                      (int)pid);
        rc = DRD_EXIT_FAILED;
    }
    leave(pl, UNLOAD_WAIT_MS);
    if (launch && !child_done) {
        if (!req->quiet)
            fprintf(stderr, "drdotnet: the session has ended; waiting for the command to exit\n");
        while (waitpid(pid, &child_status, 0) < 0 && errno == EINTR && !interrupted)
            ;
    }
    if (launch && !req->quiet && WIFEXITED(child_status))
        fprintf(stderr, "drdotnet: the command exited with status %d\n", WEXITSTATUS(child_status));
restore:
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return rc;

fail_child:
    leave(pl, 0);
    if (launch) {
        if (go[1] >= 0)
            close(go[1]); /* the child reads EOF and exits */
        waitpid(pid, NULL, 0);
    }
    return DRD_EXIT_FAILED;
}
