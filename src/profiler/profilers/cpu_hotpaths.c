/* The cpu-hotpaths profiler: where the app burns CPU (or, in wall mode, where its threads stand), sampled. */
#include <stdio.h>
#include <string.h>

#include "common/clock.h"
#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/rawout.h"
#include "profiler/sampler.h"
#include "profiler/sigsampler.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

#define MAX_THREADS 4096 /* threads tracked for their CPU time; more are sampled as in wall mode */
#define RING_SLOTS 2048

struct thread_cpu {
    uint32_t tid; /* 0: empty */
    uint64_t last_ns; /* the thread's CPU clock at the previous tick */
    uint64_t pending_ns; /* CPU used since its last sample */
};

static struct {
    struct drd_sample_ring ring;
    int wall;
    int signal; /* sampler=signal: per-thread CPU timers and SIGPROF (sigsampler.c) */
    uint64_t period_ns;
    struct thread_cpu threads[MAX_THREADS];
} st;

static const struct drd_param_desc params[] = {
    {"frequency", DRD_PARAM_INT, "99", "samples per second", 1, 1000, NULL},
    {"mode", DRD_PARAM_ENUM, "cpu", "cpu: CPU time only (waiting threads count nothing); wall: every thread", 0, 0,
     "cpu|wall"},
    {"sampler", DRD_PARAM_ENUM, "auto",
     "auto: signal where it can run (mode=cpu, x86_64, SIGPROF not handled by the app), else suspend; suspend: stop "
     "the runtime and walk every thread; signal: per-thread CPU timers, SIGPROF and a frame-pointer walk (mode=cpu "
     "only, x86_64)",
     0, 0, "auto|suspend|signal"},
};

static const struct drd_profiler_desc desc = {
    .name = "cpu-hotpaths",
    .clsid = "{3E1B5A7C-6D2F-4A90-8C41-7B9E2D0F5A63}",
    .description = "Where the CPU time goes: sampled call stacks as a call tree and top functions",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
    .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_STACK_DEPTH | DRD_COMMON_MAX_FILE_MB,
};

/* CPU mode: a thread is sampled once it has used a period's worth of CPU since its last sample; the sample
 * carries all that CPU time. A thread that waits accumulates nothing and is never walked. */
static int cpu_filter(void *ctx, uint32_t tid, uint64_t *weight_ns)
{
    (void)ctx;
    uint64_t now = drd_clock_thread_cpu_ns(tid);
    uint32_t h = (tid * 2654435761u) & (MAX_THREADS - 1);
    struct thread_cpu *t = NULL;
    for (uint32_t p = 0; p < 32; p++) {
        struct thread_cpu *x = &st.threads[(h + p) & (MAX_THREADS - 1)];
        if (x->tid == tid || x->tid == 0) {
            t = x;
            break;
        }
    }
    if (!t) { /* table crowded: fall back to sampling the thread by wall time */
        *weight_ns = st.period_ns;
        return 1;
    }
    if (t->tid == 0) {
        t->tid = tid;
        t->last_ns = now;
        return 0;
    }
    if (now > t->last_ns)
        t->pending_ns += now - t->last_ns;
    t->last_ns = now;
    if (t->pending_ns < st.period_ns)
        return 0;
    *weight_ns = t->pending_ns;
    t->pending_ns = 0;
    return 1;
}

static int wall_filter(void *ctx, uint32_t tid, uint64_t *weight_ns)
{
    (void)ctx;
    (void)tid;
    *weight_ns = st.period_ns;
    return 1;
}

static int sample(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    if (st.signal) {
        drd_sig_tick(c);
        return 0;
    }
    drd_sample_threads(p, &st.ring, st.wall ? wall_filter : cpu_filter, NULL);
    return 0;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    (void)vt; /* no callback: the sampler thread does the work */
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    struct drd_core *c = p->core;
    self = p;
    memset(&st, 0, sizeof st);
    const struct drd_param_value *mode = drd_params_get(&p->params, "mode");
    const struct drd_param_value *sampler = drd_params_get(&p->params, "sampler");
    st.wall = mode && strcmp(mode->text, "wall") == 0;
    int asked_signal = sampler && strcmp(sampler->text, "signal") == 0;
    int automatic = !sampler || strcmp(sampler->text, "auto") == 0;
    int64_t hz = drd_params_int(&p->params, "frequency", 99);
    int depth = (int)drd_params_int(&p->params, "max_stack_depth", 128);
    st.period_ns = 1000000000ULL / (uint64_t)hz;
    if (asked_signal && st.wall) {
        snprintf(err, errcap,
                 "sampler=signal samples CPU time only (a waiting thread is never signalled), so it cannot run with "
                 "mode=wall: use mode=cpu, or sampler=suspend for wall time");
        return -1;
    }
    /* the signal sampler costs the target less at the same rate (bench/cpu.sh: 0.1 % against 2.5 % lost at
     * 99 Hz), so cpu mode uses it unless asked otherwise or unable: then the runtime is stopped instead */
    st.signal = asked_signal || (automatic && !st.wall);
    if (st.signal) {
        if (drd_sig_start(p, st.period_ns, depth, err, errcap)) {
            if (!automatic)
                return -1;
            drd_log(c, "sampler=auto: %s; sampling by stopping the runtime instead", err);
            err[0] = 0;
            st.signal = 0;
        } else {
            p->sample_period_ns = DRD_SIG_TICK_NS;
            *mask = COR_PRF_MONITOR_NONE;
        }
    }
    if (!st.signal) {
        if (drd_ring_init(&st.ring, RING_SLOTS, depth)) {
            snprintf(err, errcap, "out of memory for the sample ring");
            return -1;
        }
        p->sample_period_ns = (int64_t)st.period_ns;
        *mask = COR_PRF_ENABLE_STACK_SNAPSHOT;
    }
    *mask_high = 0;
    drd_rawout_printf(p->raw, "m\tmode\t%s\nm\tfrequency\t%lld\nm\tperiod_ns\t%llu\nm\tsampler\t%s\n",
                   st.wall ? "wall" : "cpu", (long long)hz, (unsigned long long)st.period_ns,
                   st.signal ? "signal" : "suspend");
    return 0;
}

static void drain(struct drd_prof *p)
{
    if (st.signal)
        drd_sig_drain(p);
    else
        drd_ring_drain(p, &st.ring, 1);
}

/* Before the last drain: no timer, no handler of ours left once this returns. */
static void end(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    if (st.signal)
        drd_sig_stop(c);
}

static void stop(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    if (st.signal) {
        drd_sig_stop(c);
        drd_sig_free();
    }
    drd_ring_free(&st.ring);
}

const struct drd_profiler_ops drd_cpu_hotpaths_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .drain = drain,
    .end = end,
    .sample = sample,
    .stop = stop,
};
