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
#include "profiler/core.h"
#include "profiler/rawout.h"

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
    snprintf(path, sizeof path, "/proc/self/%s", what);
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

/* Writes session.json (last file of a session) with the given status and what became of the detach request.
 * Returns 0 or -1. */
static int write_session_json(struct drd_core *c, const char *status, const char *reason, const char *detach,
                              const char *detach_detail)
{
    static char buf[32768];
    char cmdline[4096], comm[64], raw[96];
    read_self("cmdline", cmdline, sizeof cmdline);
    read_self("comm", comm, sizeof comm);
    int64_t now = drd_clock_wall_ms();
    struct drd_session_record r = {
        .id = c->cd.session_id,
        .profiler = c->ops ? c->ops->desc->name : c->cd.profiler,
        .clsid = c->ops ? c->ops->desc->clsid : "",
        .mode = c->startup ? "startup" : "attach",
        .params = &c->params,
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
        .events = atomic_load(&c->events),
        .dropped = atomic_load(&c->dropped),
        .detach = detach,
        .detach_detail = detach_detail,
    };
    if (c->ops && strcmp(status, "failed") != 0) {
        snprintf(raw, sizeof raw, "%s.raw", c->ops->desc->name);
        r.files[r.n_files++] = raw;
        if (c->ops->extra_file)
            r.files[r.n_files++] = c->ops->extra_file;
    }
    return drd_session_record_write(c->cd.out_dir, &r, buf, sizeof buf);
}

static void write_progress(struct drd_core *c)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf,
                     "{\"elapsed_ms\":%lld,\"duration_ms\":%lld,\"events\":%llu,\"dropped\":%llu,\"raw_bytes\":%llu}\n",
                     (long long)(drd_clock_mono_ms() - c->start_ms), (long long)c->duration_ms,
                     (unsigned long long)atomic_load(&c->events), (unsigned long long)atomic_load(&c->dropped),
                     (unsigned long long)(c->raw ? drd_raw_bytes(c->raw) : 0));
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
    if (c->ops->end)
        c->ops->end(c);
    HRESULT hr = c->info->lpVtbl->SetEventMask2(c->info, COR_PRF_MONITOR_NONE, COR_PRF_HIGH_MONITOR_NONE);
    if (FAILED(hr))
        drd_log(c, "SetEventMask2(none) failed: 0x%08x", (unsigned)hr);
    c->ops->drain(c);
    write_progress(c);
    int raw_ok = drd_raw_close(c->raw, 1, atomic_load(&c->events), atomic_load(&c->dropped)) == 0;
    c->raw = NULL;

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

static void *sampler_main(void *arg)
{
    struct drd_core *c = arg;
    atomic_store(&c->sampler_tid, (unsigned)syscall(SYS_gettid));
    HRESULT hr = c->info->lpVtbl->InitializeCurrentThread(c->info);
    if (FAILED(hr))
        drd_log(c, "sampler: InitializeCurrentThread: 0x%08x", (unsigned)hr);
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    while (drd_collecting(c)) {
        if (c->ops->sample(c))
            break;
        next.tv_nsec += c->sample_period_ns;
        while (next.tv_nsec >= 1000000000L) {
            next.tv_sec++;
            next.tv_nsec -= 1000000000L;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        /* after a long stall, do not try to catch up with a burst of samples */
        if (now.tv_sec > next.tv_sec + 1)
            next = now;
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
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
        c->ops->drain(c);
        if (c->raw)
            drd_raw_flush(c->raw);
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

HRESULT drd_session_initialize(struct drd_core *c, IUnknown *info_unk, const void *client_data, ULONG client_len,
                               int startup)
{
    char err[512] = "";
    c->startup = startup;
    c->detach_expected_ms = env_ms("DRDOTNET_DETACH_EXPECTED_MS", DETACH_EXPECTED_MS);
    c->start_ms = drd_clock_mono_ms();
    c->start_wall_ms = drd_clock_wall_ms();
    c->log_fd = -1;
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
    snprintf(logpath, sizeof logpath, "%s/profiler.log", c->cd.out_dir);
    c->log_fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
    drd_log(c, "drdotnet %s: %s session %s", DRD_VERSION, startup ? "startup" : "attach", c->cd.session_id);
    if (strcmp(c->cd.profiler, c->ops->desc->name) != 0) {
        snprintf(err, sizeof err, "the request names profiler '%s' but the CLSID loaded '%s'", c->cd.profiler,
                 c->ops->desc->name);
        goto fail;
    }
    if (drd_params_resolve(c->ops->desc, c->cd.params, c->cd.n_params, &c->params, err, sizeof err))
        goto fail;
    c->duration_ms = drd_params_int(&c->params, "duration", 10) * 1000;
    if (c->duration_ms <= 0 && !startup) {
        snprintf(err, sizeof err, "a duration of 0 (until exit) is only possible with drdotnet launch");
        goto fail;
    }
    if (query_info(c, info_unk)) {
        snprintf(err, sizeof err, "the runtime offers no ICorProfilerInfo4 or later");
        goto fail;
    }
    {
        /* asked here, on the runtime's own thread: later, from ours, some runtimes refuse the call */
        USHORT clr_id = 0, major = 0, minor = 0, build = 0, qfe = 0;
        COR_PRF_RUNTIME_TYPE type;
        HRESULT vhr = c->info->lpVtbl->GetRuntimeInformation(c->info, &clr_id, &type, &major, &minor, &build, &qfe, 0,
                                                             NULL, NULL);
        if (SUCCEEDED(vhr))
            snprintf(c->runtime_version, sizeof c->runtime_version, "%u.%u.%u", major, minor, build);
        else
            drd_log(c, "GetRuntimeInformation: 0x%08x", (unsigned)vhr);
    }
    uint64_t max_bytes = (uint64_t)drd_params_int(&c->params, "max_file_mb", 256) << 20;
    c->raw = NULL;
    {
        char rawname[96];
        snprintf(rawname, sizeof rawname, "%s.raw", c->ops->desc->name);
        c->raw = drd_raw_open(c, c->cd.out_dir, rawname, max_bytes);
        if (!c->raw) {
            snprintf(err, sizeof err, "cannot create %s in %s: %s", rawname, c->cd.out_dir, strerror(errno));
            goto fail_info;
        }
    }
    DWORD mask = 0, high = 0;
    if (c->ops->start(c, &mask, &high, err, sizeof err))
        goto fail_raw;
    atomic_store(&c->state, DRD_COLLECTING);
    HRESULT hr = c->info->lpVtbl->SetEventMask2(c->info, mask, high);
    if (FAILED(hr)) {
        snprintf(err, sizeof err, "the runtime refused the event mask 0x%x/0x%x: 0x%08x", (unsigned)mask,
                 (unsigned)high, (unsigned)hr);
        goto fail_started;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->wake, &ca);
    pthread_condattr_destroy(&ca);
    /* the sampler first: the worker's finish joins it, so it must be known to exist before the worker runs */
    if (c->ops->sample && c->sample_period_ns > 0) {
        if (pthread_create(&c->sampler, NULL, sampler_main, c)) {
            snprintf(err, sizeof err, "cannot start the sampler thread");
            c->info->lpVtbl->SetEventMask2(c->info, COR_PRF_MONITOR_NONE, COR_PRF_HIGH_MONITOR_NONE);
            goto fail_started;
        }
        c->sampler_started = 1;
    }
    if (pthread_create(&c->worker, NULL, worker_main, c)) {
        snprintf(err, sizeof err, "cannot start the profiler's thread");
        c->info->lpVtbl->SetEventMask2(c->info, COR_PRF_MONITOR_NONE, COR_PRF_HIGH_MONITOR_NONE);
        goto fail_started;
    }
    c->worker_started = 1;
    drd_log(c, "collecting: mask 0x%x/0x%x, duration %lld ms, info version %d", (unsigned)mask, (unsigned)high,
            (long long)c->duration_ms, c->info_version);
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
    c->ops->stop(c);
fail_raw:
    drd_raw_close(c->raw, 0, 0, 0);
    c->raw = NULL;
    {
        char rawpath[DRD_CD_MAX_PATH + 96];
        snprintf(rawpath, sizeof rawpath, "%s/%s.raw", c->cd.out_dir, c->ops->desc->name);
        unlink(rawpath);
    }
fail_info:
    /* the runtime releases nothing we QI'd if we fail: release it ourselves */
    c->info->lpVtbl->Release(c->info);
    c->info = NULL;
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
    if (c->ops->attached && drd_collecting(c))
        c->ops->attached(c);
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
    /* the runtime has evacuated every callback: the profiler's buffers can go */
    c->ops->stop(c);
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
