/* Stop-the-world stack sampling shared by the sampling profilers: suspend the runtime, walk the chosen managed
 * threads into a preallocated ring, resume; the worker later turns the ring into raw records. */
#ifndef DRD_SAMPLER_H
#define DRD_SAMPLER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "profiler/stacks.h"

struct drd_prof;

struct drd_sample {
    uint32_t tid; /* OS thread id */
    uint16_t depth;
    uint16_t truncated;
    uint64_t weight_ns;
    uint64_t time_ns; /* when it was taken, since the session's zero */
    struct drd_frame frames[]; /* max_depth */
};

/* Single producer (the sampler thread), single consumer (the worker). */
struct drd_sample_ring {
    unsigned char *slots;
    size_t slot_size, capacity;
    int max_depth;
    atomic_size_t head, tail;
};

/* Allocates capacity slots of max_depth frames. Returns 0 or -1. */
int drd_ring_init(struct drd_sample_ring *r, size_t capacity, int max_depth);
void drd_ring_free(struct drd_sample_ring *r);

/* Decides whether to walk a thread and with what weight: returns 1 to walk it with *weight_ns set. Runs while
 * the runtime is suspended: no allocation, no lock, no call into the runtime. */
typedef int (*drd_thread_filter)(void *ctx, uint32_t os_tid, uint64_t *weight_ns);

/* Suspends the runtime, walks every managed thread that filter accepts (all with weight 0 when filter is NULL)
 * into the ring, and resumes. Returns the number of samples taken (a full ring counts the rest as dropped in the
 * profiler's counts), or -1 when the runtime could not be suspended now (a GC is suspending it: try at the next tick).
 */
int drd_sample_threads(struct drd_prof *p, struct drd_sample_ring *r, drd_thread_filter filter, void *ctx);

/* Writes one sample as raw records (its thread's name and its stack on first use, then
 * "p <tid> <stack> <weight> <time>" when with_weight, else "w <tid> <stack>"). Worker thread only. Returns 0, or -1
 * when the raw file refused. */
int drd_sample_write(struct drd_prof *p, uint32_t tid, const struct drd_frame *frames, int depth, int with_weight,
                     uint64_t weight_ns, uint64_t time_ns);

/* Writes the ring's samples as raw records: "p <tid> <stack> <weight>" when with_weight, else "w <tid> <stack>".
 * Worker thread only. */
void drd_ring_drain(struct drd_prof *p, struct drd_sample_ring *r, int with_weight);

#endif
