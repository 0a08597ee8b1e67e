/* Stop-the-world stack sampling: SuspendRuntime, EnumThreads, DoStackSnapshot per thread, ResumeRuntime. */
#define _GNU_SOURCE
#include "profiler/sampler.h"

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profiler/core.h"
#include "profiler/rawout.h"

#define ENUM_BATCH 64

int drd_ring_init(struct drd_sample_ring *r, size_t capacity, int max_depth)
{
    memset(r, 0, sizeof *r);
    r->slot_size = (sizeof(struct drd_sample) + (size_t)max_depth * sizeof(struct drd_frame) + 63) & ~(size_t)63;
    r->slots = calloc(capacity, r->slot_size);
    if (!r->slots)
        return -1;
    r->capacity = capacity;
    r->max_depth = max_depth;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

void drd_ring_free(struct drd_sample_ring *r)
{
    free(r->slots);
    memset(r, 0, sizeof *r);
}

static struct drd_sample *slot_at(struct drd_sample_ring *r, size_t i)
{
    return (struct drd_sample *)(void *)(r->slots + (i % r->capacity) * r->slot_size);
}

int drd_sample_threads(struct drd_prof *p, struct drd_sample_ring *r, drd_thread_filter filter, void *ctx)
{
    struct drd_core *c = p->core;
    ICorProfilerInfo15 *info = c->info;
    uint32_t self = (uint32_t)syscall(SYS_gettid);
    HRESULT hr = info->lpVtbl->SuspendRuntime(info);
    if (FAILED(hr))
        return -1;
    ICorProfilerThreadEnum *threads = NULL;
    int taken = 0;
    if (SUCCEEDED(info->lpVtbl->EnumThreads(info, &threads)) && threads) {
        ThreadID ids[ENUM_BATCH];
        ULONG got = 0;
        size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
        uint64_t now = drd_session_ns(c); /* one time for the whole stop: the threads stand still */
        while (SUCCEEDED(threads->lpVtbl->Next(threads, ENUM_BATCH, ids, &got)) && got > 0) {
            for (ULONG i = 0; i < got; i++) {
                DWORD os_tid = 0;
                uint64_t weight = 0;
                if (FAILED(info->lpVtbl->GetThreadInfo(info, ids[i], &os_tid)) || os_tid == 0 || os_tid == self)
                    continue;
                if (filter && !filter(ctx, os_tid, &weight))
                    continue;
                if (head - atomic_load_explicit(&r->tail, memory_order_acquire) >= r->capacity) {
                    atomic_fetch_add_explicit(&p->dropped, 1, memory_order_relaxed);
                    continue;
                }
                struct drd_sample *s = slot_at(r, head);
                int truncated = 0;
                s->tid = os_tid;
                s->weight_ns = weight;
                s->time_ns = now;
                s->depth = (uint16_t)drd_stack_walk(info, ids[i], s->frames, r->max_depth, &truncated);
                s->truncated = (uint16_t)truncated;
                head++;
                taken++;
            }
            if (got < ENUM_BATCH)
                break;
        }
        atomic_store_explicit(&r->head, head, memory_order_release);
    }
    hr = info->lpVtbl->ResumeRuntime(info);
    if (FAILED(hr))
        drd_session_fail(c, "the runtime refused to resume after a sample");
    if (threads)
        threads->lpVtbl->Release(threads);
    atomic_fetch_add_explicit(&p->events, (unsigned long long)taken, memory_order_relaxed);
    return taken;
}

int drd_sample_write(struct drd_prof *p, uint32_t tid, const struct drd_frame *frames, int depth, int with_weight,
                     uint64_t weight_ns, uint64_t time_ns)
{
    uint32_t sid;
    if (drd_rawout_thread(p->raw, tid) || drd_rawout_stack(p->raw, frames, depth, &sid))
        return -1;
    return with_weight ? drd_rawout_printf(p->raw, "p\t%u\t%u\t%llu\t%llu\n", tid, sid, (unsigned long long)weight_ns,
                                           (unsigned long long)time_ns)
                       : drd_rawout_printf(p->raw, "w\t%u\t%u\n", tid, sid);
}

void drd_ring_drain(struct drd_prof *p, struct drd_sample_ring *r, int with_weight)
{
    if (!r->slots || !p->raw)
        return;
    size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    for (; tail < head; tail++) {
        struct drd_sample *s = slot_at(r, tail);
        if (drd_sample_write(p, s->tid, s->frames, s->depth, with_weight, s->weight_ns, s->time_ns))
            break;
    }
    atomic_store_explicit(&r->tail, tail, memory_order_release);
}
