/* The session in the target: reads the request, runs the worker thread that drains, reports progress and
 * ends the session at its deadline (files, then session.json last, then detach). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fsutil.h"
#include "common/session_record.h"
#include "drdotnet/version.h"
#include "drdotnet/selection.h"
#include "profiler/core.h"
#include "profiler/fanout.h"
#include "profiler/rawout.h"
#include "common/textcut.h"

#define LOG_MAX_BYTES (1 << 20)
#define DRAIN_EVERY_MS 50
#define PROGRESS_EVERY_MS 500
#define SHUTDOWN_WAIT_MS 5000
/* What the runtime is told the detach needs before it first checks that no thread is in our code; the target's
 * environment may raise it (DRDOTNET_DETACH_EXPECTED_MS, up to a minute): the fault tests use it for a late
 * detach. */
#define DETACH_EXPECTED_MS 200
/* How long a session that ended very early waits for the runtime to finish loading the profiler before it asks to
 * leave (ProfilerAttachComplete follows InitializeForAttach at once, on the diagnostics server's thread). */
#define READY_WAIT_MS 10000

struct drd_core drd_core_instance;
static atomic_llong log_bytes;

void drd_log(struct drd_core *c, const char *fmt, ...)
{
    char line[1024];
    if (c->log_fd < 0)
        return;
    int n = snprintf(line, sizeof line, "%lld ", (long long)(drd_clock_mono_ms() - c->start_ms));
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = strlen(line);
    line[len++] = '\n';
    if (atomic_fetch_add(&log_bytes, (long long)len) + (long long)len > LOG_MAX_BYTES)
        return;
    ssize_t w = write(c->log_fd, line, len);
    (void)w;
}

void drd_session_fail(struct drd_core *c, const char *reason)
{
    int expected = DRD_COLLECTING;
    /* only the first failure is kept, whole when two come at once; it is written before the state changes */
    drd_reason_set(&c->fail, reason);
    atomic_compare_exchange_strong(&c->state, &expected, DRD_FINISHING);
    drd_log(c, "failure: %s", reason);
}

/* Reads /proc/self/<what> into out, NULs turned into spaces. */
static void read_self(const char *what, char *out, size_t cap)
{
    char path[64];
    drd_fs_path(path, sizeof path, "/proc/self/%s", what);
    out[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, out, cap - 1);
    close(fd);
    if (n <= 0)
        return;
    out[n] = 0;
    while (n > 0 && (out[n - 1] == 0 || out[n - 1] == '\n'))
        out[--n] = 0;
    for (ssize_t i = 0; i < n; i++)
        if (out[i] == 0)
            out[i] = ' ';
}

/* The session.json parts of the session's profilers, into parts (DRD_MAX_PROFILERS); raw names are kept in names.
 * A failed session lists no file. Returns the count. */
static int record_parts(struct drd_core *c, int with_files, struct drd_session_part *parts, char (*names)[96])
{
    for (int i = 0; i < c->n_profs; i++) {
        struct drd_prof *p = &c->profs[i];
        struct drd_session_part *part = &parts[i];
        memset(part, 0, sizeof *part);
        part->profiler = p->ops->desc->name;
        part->clsid = p->ops->desc->clsid;
        part->params = &p->params;
        part->events = atomic_load(&p->events);
        part->dropped = atomic_load(&p->dropped);
        if (!with_files)
            continue;
        snprintf(names[i], sizeof names[i], "%s.raw", p->ops->desc->name);
        part->files[part->n_files++] = names[i];
        if (p->ops->extra_file)
            part->files[part->n_files++] = p->ops->extra_file;
    }
    return c->n_profs;
}

/* Writes session.json (last file of a session) with the given status and what became of the detach request.
 * Returns 0 or -1. */
static int write_session_json(struct drd_core *c, const char *status, const char *reason, const char *detach,
                              const char *detach_detail)
{
    static char buf[65536];
    static struct drd_session_part parts[DRD_MAX_PROFILERS];
    static char raw_names[DRD_MAX_PROFILERS][96];
    char cmdline[4096], comm[64];
    read_self("cmdline", cmdline, sizeof cmdline);
    read_self("comm", comm, sizeof comm);
    int64_t now = drd_clock_wall_ms();
    struct drd_session_record r = {
        .id = c->cd.session_id,
        .parts = parts,
        .n_parts = record_parts(c, strcmp(status, "failed") != 0, parts, raw_names),
        .profiler = c->cd.profiler,
        .mode = c->startup ? "startup" : "attach",
        .pid = (long)getpid(),
        .name = comm,
        .command_line = cmdline,
        .runtime_version = c->runtime_version,
        .start_wall_ms = c->start_wall_ms ? c->start_wall_ms : now,
        .end_wall_ms = now,
        .duration_ms = c->start_ms ? drd_clock_mono_ms() - c->start_ms : 0,
        .status = status,
        .reason = reason,
        .has_counts = 1,
        .detach = detach,
        .detach_detail = detach_detail,
    };
    return drd_session_record_write(c->cd.out_dir, &r, buf, sizeof buf);
}

/* The session's totals over its profilers. */
static void totals(struct drd_core *c, unsigned long long *events, unsigned long long *dropped,
                   unsigned long long *raw_bytes)
{
    *events = *dropped = *raw_bytes = 0;
    for (int i = 0; i < c->n_profs; i++) {
        *events += atomic_load(&c->profs[i].events);
        *dropped += atomic_load(&c->profs[i].dropped);
        *raw_bytes += c->profs[i].raw ? drd_rawout_bytes(c->profs[i].raw) : 0;
    }
}

static void write_progress(struct drd_core *c)
{
    char buf[512];
    unsigned long long events, dropped, raw_bytes;
    totals(c, &events, &dropped, &raw_bytes);
    int n = snprintf(buf, sizeof buf,
                     "{\"elapsed_ms\":%lld,\"duration_ms\":%lld,\"events\":%llu,\"dropped\":%llu,\"raw_bytes\":%llu}\n",
                     (long long)(drd_clock_mono_ms() - c->start_ms), (long long)c->duration_ms, events, dropped,
                     raw_bytes);
    if (n > 0 && drd_fs_write_atomic(c->cd.out_dir, "progress.json", buf, (size_t)n, 0600)) {
        /* the folder cannot take a small file any more (read-only, removed, no space past the reserve): the
         * session.json at the end will not fit either, so stop writing now and leave the target */
        char why[300];
        snprintf(why, sizeof why, "the session folder is no longer writable (progress.json: %s)", strerror(errno));
        drd_session_fail(c, why);
    }
}

/* Asks the runtime to unload the profiler; returns its answer. The runtime refuses with
 * CORPROF_E_PROFILER_NOT_YET_INITIALIZED until it has finished loading us (on attach: until ProfilerAttachComplete
 * has run; at startup: until Initialize has returned), and a refused detach leaves the process unable to take
 * another profiler until it restarts. A session that ended before that (a snapshot taken within milliseconds)
 * therefore waits for ProfilerAttachComplete, then asks again while the runtime still says "not yet", both for at
 * most READY_WAIT_MS. Runs on the worker thread, which holds no lock here. */
static HRESULT request_detach(struct drd_core *c)
{
    int waited = 0;
    for (; !c->startup && !atomic_load(&c->attach_completed) && waited < READY_WAIT_MS; waited += 5)
        usleep(5000);
    if (waited > 0)
        drd_log(c, "waited %d ms for the runtime to complete the attach before asking to detach", waited);
    HRESULT hr;
    for (;;) {
        hr = c->info->lpVtbl->RequestProfilerDetach(c->info, (DWORD)c->detach_expected_ms);
        drd_log(c, "RequestProfilerDetach: 0x%08x", (unsigned)hr);
        if (hr != CORPROF_E_PROFILER_NOT_YET_INITIALIZED || waited >= READY_WAIT_MS)
            return hr;
        usleep(20000);
        waited += 20;
    }
}

/* Ends the session: stops callbacks, last drain, files, session.json; then detaches unless the runtime is
 * shutting down. Runs on the worker thread. */
static void finish(struct drd_core *c, int shutting_down)
{
    int was = atomic_exchange(&c->state, DRD_FINISHING);
    if (was == DRD_DONE)
        return;
    if (c->sampler_started) {
        /* it sees the state at its next tick and leaves; no sample is taken after this */
        pthread_join(c->sampler, NULL);
        c->sampler_started = 0;
    }
    drd_eventpipe_close(c, &c->eventpipe);
    for (int i = 0; i < c->n_profs; i++)
        if (c->profs[i].ops->end)
            c->profs[i].ops->end(&c->profs[i]);
    HRESULT hr = c->info->lpVtbl->SetEventMask2(c->info, COR_PRF_MONITOR_NONE, COR_PRF_HIGH_MONITOR_NONE);
    if (FAILED(hr))
        drd_log(c, "SetEventMask2(none) failed: 0x%08x", (unsigned)hr);
    for (int i = 0; i < c->n_profs; i++)
        c->profs[i].ops->drain(&c->profs[i]);
    write_progress(c);
    int raw_ok = 1;
    for (int i = 0; i < c->n_profs; i++) {
        struct drd_prof *p = &c->profs[i];
        raw_ok &= drd_rawout_close(p->raw, 1, atomic_load(&p->events), atomic_load(&p->dropped)) == 0;
        p->raw = NULL;
    }

    const char *status = "completed", *reason = "";
    char why[640];
    const char *failure = drd_reason_get(&c->fail);
    if (failure) {
        status = raw_ok ? "incomplete" : "failed";
        snprintf(why, sizeof why, "%s", failure);
        reason = why;
    } else if (!raw_ok) {
        status = "failed";
        reason = "writing the raw data failed";
    } else if (shutting_down && !(c->startup && c->duration_ms == 0)) {
        status = "incomplete";
        reason = "the target process exited before the session's end";
    }
    /* The detach is asked for before session.json is written, so the file says what became of it. The runtime
     * calls ProfilerDetachSucceeded only once no thread is in our callbacks, and that joins this thread first,
     * so nothing is released under the writing below. */
    const char *detach = "none";
    char detail[300] = "the process is exiting: the runtime unloads the profiler with it";
    if (!shutting_down) {
        atomic_store(&c->detach_pending, 1);
        hr = request_detach(c);
        if (SUCCEEDED(hr)) {
            detach = "requested";
            detail[0] = 0;
        } else {
            atomic_store(&c->detach_pending, 0);
            detach = "refused";
            snprintf(detail, sizeof detail, "RequestProfilerDetach: 0x%08x%s", (unsigned)hr,
                     hr == CORPROF_E_IMMUTABLE_FLAGS_SET
                         ? " (events that cannot be turned off are on since startup): the profiler stays loaded "
                           "until the process exits, its callbacks returning at once"
                         : ": the profiler stays loaded until the process exits, its callbacks returning at once");
        }
    }
    if (write_session_json(c, status, reason, detach, detail[0] ? detail : NULL))
        drd_log(c, "session.json: %s", strerror(errno));
    drd_log(c, "session %s: %s %s", c->cd.session_id, status, reason);
    atomic_store(&c->state, DRD_DONE);
}

/* The sampler thread: calls each profiler's sample at its own period, until every one has stopped sampling or the
 * session stops collecting. */
static void *sampler_main(void *arg)
{
    struct drd_core *c = arg;
    atomic_store(&c->sampler_tid, (unsigned)syscall(SYS_gettid));
    HRESULT hr = c->info->lpVtbl->InitializeCurrentThread(c->info);
    if (FAILED(hr))
        drd_log(c, "sampler: InitializeCurrentThread: 0x%08x", (unsigned)hr);
    /* nothing is asked of the runtime before it has finished loading us: a forced GC asked during a slow attach
     * ran without our heap walk (heap-snapshot then failed), and a snapshot taken then ends the session before a
     * detach can be asked (see request_detach) */
    int waited = 0;
    for (; !c->startup && !atomic_load(&c->attach_completed) && waited < READY_WAIT_MS && drd_collecting(c);
         waited += 5)
        usleep(5000);
    if (waited > 0)
        drd_log(c, "sampler: waited %d ms for the runtime to complete the attach before the first sample", waited);
    int64_t due[DRD_MAX_PROFILERS];
    int sampling = 0;
    int64_t now = (int64_t)drd_clock_mono_ns();
    for (int i = 0; i < c->n_profs; i++) {
        due[i] = c->profs[i].ops->sample && c->profs[i].sample_period_ns > 0 ? now : -1;
        sampling += due[i] >= 0;
    }
    while (sampling > 0 && drd_collecting(c)) {
        int64_t next = INT64_MAX;
        for (int i = 0; i < c->n_profs; i++) {
            struct drd_prof *p = &c->profs[i];
            if (due[i] < 0)
                continue;
            int64_t now_ns = (int64_t)drd_clock_mono_ns();
            if (now_ns >= due[i]) {
                if (p->ops->sample(p)) {
                    due[i] = -1;
                    sampling--;
                    continue;
                }
                due[i] += p->sample_period_ns;
                /* after a long stall, do not try to catch up with a burst of samples */
                if (now_ns > due[i] + 1000000000LL)
                    due[i] = now_ns;
            }
            if (due[i] < next)
                next = due[i];
        }
        if (sampling == 0)
            break;
        struct timespec at = {(time_t)(next / 1000000000LL), (long)(next % 1000000000LL)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL) == EINTR)
            ;
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    struct drd_core *c = arg;
    atomic_store(&c->worker_tid, (unsigned)syscall(SYS_gettid));
    HRESULT hr = c->info->lpVtbl->InitializeCurrentThread(c->info);
    if (FAILED(hr))
        drd_log(c, "InitializeCurrentThread: 0x%08x", (unsigned)hr);
    int64_t next_progress = 0;
    int shutting_down = 0;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        if (!c->stop_requested) {
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_nsec += DRAIN_EVERY_MS * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&c->wake, &c->lock, &ts);
        }
        int stop = c->stop_requested;
        pthread_mutex_unlock(&c->lock);
        if (stop) {
            shutting_down = stop == 2;
            break;
        }
        if (!drd_collecting(c))
            break; /* a failure stopped collection */
        for (int i = 0; i < c->n_profs; i++) {
            c->profs[i].ops->drain(&c->profs[i]);
            if (c->profs[i].raw)
                drd_rawout_flush(c->profs[i].raw);
        }
        int64_t now = drd_clock_mono_ms();
        if (now >= next_progress) {
            write_progress(c);
            next_progress = now + PROGRESS_EVERY_MS;
        }
        if (c->duration_ms > 0 && now - c->start_ms >= c->duration_ms)
            break;
    }
    finish(c, shutting_down);
    return NULL;
}

/* QIs the runtime's info object for the highest version it answers, down to 3 (needed for detach). */
static int query_info(struct drd_core *c, IUnknown *unk)
{
    static const GUID *const iids[] = {&IID_ICorProfilerInfo15, &IID_ICorProfilerInfo14, &IID_ICorProfilerInfo13,
                                       &IID_ICorProfilerInfo12, &IID_ICorProfilerInfo11, &IID_ICorProfilerInfo10,
                                       &IID_ICorProfilerInfo9,  &IID_ICorProfilerInfo8,  &IID_ICorProfilerInfo7,
                                       &IID_ICorProfilerInfo6,  &IID_ICorProfilerInfo5,  &IID_ICorProfilerInfo4};
    for (size_t i = 0; i < sizeof iids / sizeof iids[0]; i++) {
        void *p = NULL;
        if (unk->lpVtbl->QueryInterface(unk, iids[i], &p) == S_OK && p) {
            c->info = p;
            c->info_version = 15 - (int)i;
            return 0;
        }
    }
    return -1;
}

/* Finds the session request: client data in attach mode, the file DRDOTNET_SESSION_FILE at startup. */
static int read_request(const void *data, ULONG len, int startup, struct drd_client_data *cd, char *err, size_t cap)
{
    if (!startup)
        return drd_cd_decode(data, len, cd, err, cap);
    const char *path = getenv("DRDOTNET_SESSION_FILE");
    char *buf = NULL;
    size_t n = 0;
    if (!path || drd_fs_read_all(path, DRD_CD_MAX_BYTES, &buf, &n)) {
        snprintf(err, cap, "cannot read the session request %s", path ? path : "(DRDOTNET_SESSION_FILE unset)");
        return -1;
    }
    int rc = drd_cd_decode(buf, n, cd, err, cap);
    free(buf);
    return rc;
}

/* The milliseconds in the target's environment variable name (0 to 60000), or dflt when unset or malformed. */
static int env_ms(const char *name, int dflt)
{
    const char *v = getenv(name);
    char *end;
    long ms = v && *v ? strtol(v, &end, 10) : -1;
    return ms >= 0 && ms <= 60000 && !*end ? (int)ms : dflt;
}

/* Chooses the session's profilers from the request (the names it lists, which must include the one whose CLSID
 * the runtime loaded), checks that they can run together, and resolves each one's parameters. Returns 0, or -1
 * with err. */
static int choose_profilers(struct drd_core *c, char *err, size_t cap)
{
    static struct drd_selection sel; /* large; one session initializes at a time (entry.c) */
    if (drd_selection_parse(drdotnet_profilers(), c->cd.profiler, &sel, err, cap))
        return -1;
    int has_lead = 0;
    for (int i = 0; i < sel.n; i++)
        has_lead |= strcmp(sel.desc[i]->name, c->lead->desc->name) == 0;
    if (!has_lead) {
        snprintf(err, cap, "the request names profiler '%s' but the CLSID loaded '%s'", c->cd.profiler,
                 c->lead->desc->name);
        return -1;
    }
    if (drd_selection_check(&sel, c->startup, err, cap) ||
        drd_selection_assign(&sel, c->cd.params, c->cd.n_params, err, cap))
        return -1;
    static struct drd_param_values vals[DRD_MAX_PROFILERS];
    for (int i = 0; i < sel.n; i++) {
        struct drd_prof *p = &c->profs[i];
        p->core = c;
        p->ops = drd_profiler_ops_find(sel.desc[i]->name);
        /* against the table's descriptor: the profiler's own parameters and the session's common ones */
        if (drd_params_resolve(sel.desc[i], sel.params[i], sel.n_params[i], &p->params, err, cap))
            return -1;
        vals[i] = p->params;
    }
    c->n_profs = sel.n;
    /* one deadline for the session: the longest any of its profilers was given */
    c->duration_ms = drd_params_deadline_ms(vals, sel.n);
    if (c->duration_ms <= 0 && !c->startup) {
        snprintf(err, cap, "a duration of 0 (until exit) is only possible with drdotnet launch");
        return -1;
    }
    return 0;
}

/* Asks the runtime its version, on its own thread (later, from ours, some runtimes refuse the call). */
static void ask_runtime_version(struct drd_core *c)
{
    USHORT clr_id = 0, major = 0, minor = 0, build = 0, qfe = 0;
    COR_PRF_RUNTIME_TYPE type;
    HRESULT hr =
        c->info->lpVtbl->GetRuntimeInformation(c->info, &clr_id, &type, &major, &minor, &build, &qfe, 0, NULL, NULL);
    if (SUCCEEDED(hr))
        snprintf(c->runtime_version, sizeof c->runtime_version, "%u.%u.%u", major, minor, build);
    else
        drd_log(c, "GetRuntimeInformation: 0x%08x", (unsigned)hr);
}

/* Closes every profiler's raw file; unlinks them when discard is set (a session refused before it ran). */
static void close_raws(struct drd_core *c, int discard)
{
    for (int i = 0; i < c->n_profs; i++) {
        struct drd_prof *p = &c->profs[i];
        if (!p->raw)
            continue;
        drd_rawout_close(p->raw, 0, 0, 0);
        p->raw = NULL;
        if (discard) {
            char path[DRD_CD_MAX_PATH + 96];
            drd_fs_path(path, sizeof path, "%s/%s.raw", c->cd.out_dir, p->ops->desc->name);
            unlink(path);
        }
    }
}

/* Creates <name>.raw for every profiler, each capped by its own max_file_mb. Returns 0, or -1 with err. */
static int open_raws(struct drd_core *c, char *err, size_t cap)
{
    for (int i = 0; i < c->n_profs; i++) {
        struct drd_prof *p = &c->profs[i];
        uint64_t max_bytes = (uint64_t)drd_params_int(&p->params, "max_file_mb", 256) << 20;
        p->raw = drd_rawout_open(c, c->cd.out_dir, p->ops->desc->name, max_bytes);
        if (!p->raw) {
            drd_text_cut(err, cap, "cannot create %s.raw in %s: %s", p->ops->desc->name, c->cd.out_dir,
                         strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Releases what the started profilers took (their stop), newest first. */
static void stop_profilers(struct drd_core *c)
{
    for (int i = c->n_profs - 1; i >= 0; i--)
        if (c->profs[i].started) {
            c->profs[i].ops->stop(&c->profs[i]);
            c->profs[i].started = 0;
        }
}

/* Starts every profiler and gathers the union of their event masks. Returns 0, or -1 with err (those started
 * are stopped again). */
static int start_profilers(struct drd_core *c, DWORD *mask, DWORD *high, char *err, size_t cap)
{
    *mask = *high = 0;
    for (int i = 0; i < c->n_profs; i++) {
        struct drd_prof *p = &c->profs[i];
        DWORD m = 0, h = 0;
        uint64_t begin = drd_clock_mono_ns();
        if (p->ops->start(p, &m, &h, err, cap)) {
            stop_profilers(c);
            return -1;
        }
        p->started = 1;
        /* the session's zero, and when this profiler's start began and ended on its clock: a profiler that timed
         * its events from its own start rather than from the zero is placed on the session's clock by it */
        drd_rawout_printf(p->raw, "z\t%lld\t%llu\t%llu\t%llu\n", (long long)c->zero_wall_ns,
                          (unsigned long long)c->zero_ns, (unsigned long long)(begin - c->zero_ns),
                          (unsigned long long)(drd_clock_mono_ns() - c->zero_ns));
        *mask |= m;
        *high |= h;
    }
    return 0;
}

/* Starts the sampler thread (when a profiler samples) and the worker. Returns 0, or -1 with err. */
static int start_threads(struct drd_core *c, char *err, size_t cap)
{
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    int samples = 0;
    for (int i = 0; i < c->n_profs; i++)
        samples |= c->profs[i].ops->sample && c->profs[i].sample_period_ns > 0;
    /* the sampler first: the worker's finish joins it, so it must be known to exist before the worker runs */
    if (samples) {
        if (pthread_create(&c->sampler, NULL, sampler_main, c)) {
            snprintf(err, cap, "cannot start the sampler thread");
            return -1;
        }
        c->sampler_started = 1;
    }
    if (pthread_create(&c->worker, NULL, worker_main, c)) {
        snprintf(err, cap, "cannot start the profiler's thread");
        return -1;
    }
    c->worker_started = 1;
    return 0;
}

HRESULT drd_session_initialize(struct drd_core *c, IUnknown *info_unk, const void *client_data, ULONG client_len,
                               int startup)
{
    char err[512] = "";
    c->startup = startup;
    c->detach_expected_ms = env_ms("DRDOTNET_DETACH_EXPECTED_MS", DETACH_EXPECTED_MS);
    c->start_ms = drd_clock_mono_ms();
    c->start_wall_ms = drd_clock_wall_ms();
    c->log_fd = -1;
    memset(&c->eventpipe, 0, sizeof c->eventpipe);
    atomic_store(&log_bytes, 0);
    if (read_request(client_data, client_len, startup, &c->cd, err, sizeof err))
        return E_INVALIDARG; /* no folder known: nowhere to say why; the tool reports the refusal */
    if (startup) {
        /* only the process the tool launched profiles; its children inherit the variables but not the pid */
        const char *want = getenv("DRDOTNET_SESSION_PID");
        if (!want || atoi(want) != getpid())
            return CORPROF_E_PROFILER_CANCEL_ACTIVATION;
    }
    char logpath[DRD_CD_MAX_PATH + 32];
    drd_fs_path(logpath, sizeof logpath, "%s/profiler.log", c->cd.out_dir);
    c->log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    drd_log(c, "drdotnet %s: %s session %s", DRD_VERSION, startup ? "startup" : "attach", c->cd.session_id);
    if (c->cd.tool[0] && strcmp(c->cd.tool, DRD_VERSION) != 0) {
        snprintf(err, sizeof err,
                 "the tool is drdotnet %s but this library is %s: use the tool and the library of one build together",
                 c->cd.tool, DRD_VERSION);
        goto fail;
    }
    if (choose_profilers(c, err, sizeof err))
        goto fail;
    if (query_info(c, info_unk)) {
        snprintf(err, sizeof err, "the runtime offers no ICorProfilerInfo4 or later");
        goto fail;
    }
    ask_runtime_version(c);
    c->zero_ns = drd_clock_mono_ns(); /* before any profiler starts: their events all come later */
    c->zero_wall_ns = drd_clock_wall_ns();
    if (open_raws(c, err, sizeof err))
        goto fail_raw;
    DWORD mask = 0, high = 0;
    if (start_profilers(c, &mask, &high, err, sizeof err))
        goto fail_raw;
    {
        const struct drd_profiler_ops *ops[DRD_MAX_PROFILERS];
        for (int i = 0; i < c->n_profs; i++)
            ops[i] = c->profs[i].ops;
        drd_fanout_build(&c->vtbl, ops, c->n_profs);
    }
    atomic_store(&c->state, DRD_COLLECTING);
    HRESULT hr = c->info->lpVtbl->SetEventMask2(c->info, mask, high);
    if (FAILED(hr)) {
        snprintf(err, sizeof err, "the runtime refused the event mask 0x%x/0x%x: 0x%08x", (unsigned)mask,
                 (unsigned)high, (unsigned)hr);
        goto fail_started;
    }
    if (drd_eventpipe_open(c, &c->eventpipe, err, sizeof err)) {
        c->info->lpVtbl->SetEventMask2(c->info, COR_PRF_MONITOR_NONE, COR_PRF_HIGH_MONITOR_NONE);
        goto fail_started;
    }
    if (start_threads(c, err, sizeof err)) {
        drd_eventpipe_close(c, &c->eventpipe);
        c->info->lpVtbl->SetEventMask2(c->info, COR_PRF_MONITOR_NONE, COR_PRF_HIGH_MONITOR_NONE);
        goto fail_started;
    }
    drd_log(c, "collecting: %s, mask 0x%x/0x%x, duration %lld ms, info version %d", c->cd.profiler, (unsigned)mask,
            (unsigned)high, (long long)c->duration_ms, c->info_version);
    /* the fault tests widen the window in which a quick session ends before the runtime has finished loading
     * us (DRDOTNET_ATTACH_DELAY_MS in the target's environment; see request_detach) */
    int delay = env_ms("DRDOTNET_ATTACH_DELAY_MS", 0);
    if (delay > 0)
        usleep((useconds_t)delay * 1000);
    return S_OK;

fail_started:
    atomic_store(&c->state, DRD_DONE);
    if (c->sampler_started) {
        pthread_join(c->sampler, NULL);
        c->sampler_started = 0;
    }
    stop_profilers(c);
fail_raw:
    close_raws(c, 1);
    if (c->info) {
        /* the runtime releases nothing we QI'd if we fail: release it ourselves */
        c->info->lpVtbl->Release(c->info);
        c->info = NULL;
    }
fail:
    drd_log(c, "refused: %s", err);
    atomic_store(&c->state, DRD_DONE);
    write_session_json(c, "failed", err, NULL, NULL);
    if (c->log_fd >= 0)
        close(c->log_fd);
    c->log_fd = -1;
    return E_FAIL;
}

void drd_session_attach_complete(struct drd_core *c)
{
    for (int i = 0; i < c->n_profs && drd_collecting(c); i++)
        if (c->profs[i].ops->attached)
            c->profs[i].ops->attached(&c->profs[i]);
    atomic_store(&c->attach_completed, 1);
}

static void request_stop(struct drd_core *c, int why)
{
    pthread_mutex_lock(&c->lock);
    if (!c->stop_requested)
        c->stop_requested = why;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

void drd_session_request_end(struct drd_core *c)
{
    request_stop(c, 1);
}

void drd_session_shutdown(struct drd_core *c)
{
    if (!c->worker_started)
        return;
    request_stop(c, 2);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += SHUTDOWN_WAIT_MS / 1000;
    if (pthread_timedjoin_np(c->worker, NULL, &ts) == 0)
        c->worker_started = 0;
    else
        drd_log(c, "the profiler's thread did not end within %d ms of shutdown", SHUTDOWN_WAIT_MS);
}

void drd_session_detached(struct drd_core *c)
{
    /* the worker asked for the detach as its last act: wait for it to leave our code before unload */
    if (c->worker_started) {
        pthread_join(c->worker, NULL);
        c->worker_started = 0;
    }
    /* the runtime has evacuated every callback: the profilers' buffers can go */
    stop_profilers(c);
    if (c->info) {
        c->info->lpVtbl->Release(c->info);
        c->info = NULL;
    }
    drd_log(c, "detached");
    if (c->log_fd >= 0)
        close(c->log_fd);
    c->log_fd = -1;
    atomic_store(&c->detach_pending, 0);
}
