/* The exceptions profiler: every exception thrown, its type and throw stack, and where it was caught. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profiler/core.h"
#include "profiler/queue.h"
#include "profiler/rawout.h"
#include "profiler/stacks.h"

#define QUEUE_CAPACITY 4096

enum { EV_THROWN = 1, EV_CAUGHT = 2 };

struct exc_event {
    uint8_t kind;
    uint8_t truncated;
    uint16_t depth;
    uint32_t tid;
    uint64_t seq;
    ClassID cls; /* EV_THROWN */
    FunctionID catcher; /* EV_CAUGHT */
    FunctionID frames[]; /* EV_THROWN: max_depth slots */
};

struct exc_state {
    struct drd_queue q;
    int max_depth;
    atomic_ullong next_seq;
};

static struct exc_state state;

/* The exception this thread threw last, so a catch can name it. */
static __thread uint64_t tls_seq;
static __thread uint32_t tls_tid;

static const struct drd_param_desc params[] = {
    {"duration", DRD_PARAM_INT, "10", "seconds to collect (0: until the process exits, launch only)", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "64", "frames kept per throw stack, from the throwing method up", 1, 256, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "stop collecting when the raw data reaches this size", 1, 4096, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "exceptions",
    .clsid = "{805A308B-061C-47F3-9B30-F785C3186E82}",
    .description = "Exceptions thrown: counts by type, throw stacks, and which method caught them",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_STARTUP,
};

static uint32_t thread_id(void)
{
    if (!tls_tid)
        tls_tid = (uint32_t)syscall(SYS_gettid);
    return tls_tid;
}

static HRESULT ExceptionThrown(ICorProfilerCallback11 *This, ObjectID thrown)
{
    struct drd_core *c = drd_core_from(This);
    if (!drd_collecting(c))
        return S_OK;
    uint64_t seq = atomic_fetch_add(&state.next_seq, 1) + 1;
    tls_seq = seq;
    struct exc_event *e = drd_queue_claim(&state.q);
    if (!e) {
        atomic_fetch_add(&c->dropped, 1);
        return S_OK;
    }
    e->kind = EV_THROWN;
    e->seq = seq;
    e->tid = thread_id();
    e->cls = 0;
    e->catcher = 0;
    if (FAILED(c->info->lpVtbl->GetClassFromObject(c->info, thrown, &e->cls)))
        e->cls = 0;
    int truncated = 0;
    e->depth = (uint16_t)drd_stack_self(c->info, e->frames, state.max_depth, &truncated);
    e->truncated = (uint8_t)truncated;
    drd_queue_publish(&state.q, e);
    atomic_fetch_add(&c->events, 1);
    return S_OK;
}

static HRESULT ExceptionCatcherEnter(ICorProfilerCallback11 *This, FunctionID fid, ObjectID obj)
{
    struct drd_core *c = drd_core_from(This);
    (void)obj;
    if (!drd_collecting(c) || tls_seq == 0)
        return S_OK;
    struct exc_event *e = drd_queue_claim(&state.q);
    if (!e) {
        atomic_fetch_add(&c->dropped, 1);
        return S_OK;
    }
    e->kind = EV_CAUGHT;
    e->seq = tls_seq;
    e->tid = thread_id();
    e->catcher = fid;
    e->depth = 0;
    drd_queue_publish(&state.q, e);
    tls_seq = 0;
    return S_OK;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    vt->ExceptionThrown = ExceptionThrown;
    vt->ExceptionCatcherEnter = ExceptionCatcherEnter;
}

static int start(struct drd_core *c, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    state.max_depth = (int)drd_params_int(&c->params, "max_stack_depth", 64);
    atomic_store(&state.next_seq, 0);
    size_t item = sizeof(struct exc_event) + (size_t)state.max_depth * sizeof(FunctionID);
    if (drd_queue_init(&state.q, QUEUE_CAPACITY, item)) {
        snprintf(err, errcap, "out of memory for the event queue");
        return -1;
    }
    *mask = COR_PRF_MONITOR_EXCEPTIONS | COR_PRF_ENABLE_STACK_SNAPSHOT;
    *mask_high = 0;
    return 0;
}

static void drain(struct drd_core *c)
{
    struct exc_event *e;
    while ((e = drd_queue_peek(&state.q))) {
        if (c->raw) {
            uint32_t fid, tid, sid;
            if (e->kind == EV_THROWN) {
                if (drd_raw_type(c->raw, e->cls, &tid) == 0 && drd_raw_stack(c->raw, e->frames, e->depth, &sid) == 0)
                    drd_raw_printf(c->raw, "x\t%llu\t%u\t%u\t%u\n", (unsigned long long)e->seq, e->tid, tid, sid);
            } else if (drd_raw_frame(c->raw, e->catcher, &fid) == 0) {
                drd_raw_printf(c->raw, "c\t%llu\t%u\n", (unsigned long long)e->seq, fid);
            }
        }
        drd_queue_release(&state.q);
    }
}

static void stop(struct drd_core *c)
{
    (void)c;
    drd_queue_free(&state.q);
}

const struct drd_profiler_ops drd_exceptions_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .drain = drain,
    .stop = stop,
};
