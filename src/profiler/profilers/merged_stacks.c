/* The merged-stacks profiler: one snapshot of every managed thread's stack ("what are my threads doing?"). */
#include <stdio.h>
#include <string.h>

#include "drdotnet/raw.h"
#include "profiler/core.h"
#include "profiler/sampler.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

#define RING_SLOTS 4096 /* threads in one snapshot */

static struct drd_sample_ring ring;

static const struct drd_profiler_desc desc = {
    .name = "merged-stacks",
    .clsid = "{9C4D2E61-0B7A-4F35-A8E2-5D1C6B3F7E09}",
    .description = "All threads' stacks at one instant, merged into one tree (hangs, deadlocks, starvation)",
    .params = NULL,
    .n_params = 0,
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_ONESHOT,
    .common = DRD_COMMON_MAX_STACK_DEPTH | DRD_COMMON_MAX_FILE_MB,
};

static int sample(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    /* one snapshot; a GC suspending the runtime right now makes us try again at the next tick */
    if (drd_sample_threads(p, &ring, NULL, NULL) < 0)
        return 0;
    drd_session_request_end(c);
    return 1;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    (void)vt;
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    self = p;
    if (drd_ring_init(&ring, RING_SLOTS, (int)drd_params_int(&p->params, "max_stack_depth", 128))) {
        snprintf(err, errcap, "out of memory for the snapshot");
        return -1;
    }
    p->sample_period_ns = 10000000; /* retry every 10 ms until the snapshot is taken */
    *mask = COR_PRF_ENABLE_STACK_SNAPSHOT;
    *mask_high = 0;
    return 0;
}

static void drain(struct drd_prof *p)
{
    drd_ring_drain(p, &ring, 0);
}

static void stop(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    (void)c;
    drd_ring_free(&ring);
}

const struct drd_profiler_ops drd_merged_stacks_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .drain = drain,
    .sample = sample,
    .stop = stop,
};
