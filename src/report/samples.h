/* The weighted stacks of a raw file, loaded once for the reports and the exporters: the samples of cpu-hotpaths and
 * merged-stacks, the allocations of allocations, the waits of waits. */
#ifndef DRD_SAMPLES_H
#define DRD_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "report/rawread.h"

/* Consecutive samples of one thread in one stack, in the order they were taken. */
struct drd_sample_run {
    uint32_t stack; /* stack id */
    uint32_t count; /* samples */
    uint64_t weight;
};

struct drd_sample_thread {
    uint64_t tid;
    const char *name; /* the last name the file gave (may be ""), or NULL */
    uint64_t samples, weight;
    struct drd_sample_run *runs; /* in time order */
    size_t n_runs, cap_runs;
};

/* A sample's weight is the CPU (cpu mode) or wall (wall mode) nanoseconds it stands for; in a merged-stacks file
 * every thread is one sample of weight 1 (a tid that comes twice, an OS thread id reused while the runtime still
 * listed the old thread, is two samples of that tid). Frame names are distinct here: frames with the same name
 * (overloads) count as one function. In a waits file every wait is a sample weighing its time waited, all
 * under one thread (tid 0, "every waiting thread"). Every name is valid UTF-8 (invalid bytes of the file become
 * '?'). */
/* An allocations file has no threads: each (type, stack) it records becomes one stack of its own, the stack's frames
 * under a last frame named after the type (leaf first, that frame comes first), its samples the objects allocated
 * and its weight the bytes (estimates unless the file was written at launch, rounded to whole objects). */
struct drd_sample_alloc {
    uint32_t type, stack;
    uint64_t count_fixed, bytes; /* objects x 1024, bytes */
};

struct drd_samples {
    struct drd_rawdata d;
    char *buf;                         /* the text the names point into */
    int merged;                        /* a merged-stacks file */
    int alloc;                         /* an allocations file, or a heap snapshot (heap) */
    int heap;                          /* a heap snapshot: objects and bytes live, by retention path */
    struct drd_sample_alloc *allocs;   /* while loading an allocations file: its records */
    size_t n_allocs, cap_allocs;
    char mode[8];                      /* "cpu", "wall", "wait" (a waits file), or "" when the file does not say */
    char sampler[8];                   /* "signal", "suspend", or "" when the file does not say */
    uint64_t frequency, period_ns;     /* 0 when the file does not say */
    struct drd_sample_thread *threads; /* sorted by tid; named threads without samples included */
    size_t n_threads;
    uint64_t *stack_samples, *stack_weight; /* index stack id - 1 (d.n_stacks entries), summed over threads */
    uint64_t samples, weight;               /* over the whole file */
    const char **names;                     /* the distinct frame names */
    uint32_t n_names;
    uint32_t *name_of; /* index frame id - 1: index into names */
    int by_line;       /* loaded by drd_samples_load_lines: names are per source line */
    const struct drd_rawread_line **lines; /* by_line: index into names, the name's line or NULL */
    int ranged; /* only the samples taken in [from_ns, to_ns) (the session's clock) were loaded */
    uint64_t from_ns, to_ns;
    /* used while loading */
    uint32_t *slots; /* thread hash: index + 1, 0 when empty */
    size_t n_slots;
    uint32_t n_stack_slots;
};

/* Reads a cpu-hotpaths, merged-stacks, allocations or waits raw file strictly; heap-snapshot.raw (with the
 * heap-snapshot.graph beside it) through drd_heap_samples_load. Returns 0, or -1 with a sentence in err (unreadable,
 * malformed, another profiler's file). s must be freed with drd_samples_free, also after a failure. */
int drd_samples_load(const char *raw_path, struct drd_samples *s, char *err, size_t cap);

/* As drd_samples_load, but frames of one method on different source lines stay apart: names[] holds their
 * labels ("Method (File.cs:42)") and lines[] their lines, for the exporters that carry file and line. */
int drd_samples_load_lines(const char *raw_path, struct drd_samples *s, char *err, size_t cap);
/* drd_samples_load of the cpu-hotpaths samples taken in [from_ns, to_ns) on the session's clock (raw.h); a file
 * whose samples carry no time (an older library's) has none in any range. (0, UINT64_MAX) is the whole file. */
int drd_samples_load_range(const char *raw_path, uint64_t from_ns, uint64_t to_ns, struct drd_samples *s, char *err,
                           size_t cap);
/* A heap-snapshot session's raw and graph files as weighted stacks (heap_samples.c): one stack per distinct
 * retention path (root first, then the types down to the object's, a run of one type folded into one frame), its
 * samples the reachable objects reached that way and its weight their shallow bytes; alloc and heap are set.
 * Returns 0, or -1 with err. */
int drd_heap_samples_load(const char *raw_path, const char *graph_path, struct drd_samples *s, char *err, size_t cap);

/* Releases everything s holds; accepts a zeroed or already freed s. */
void drd_samples_free(struct drd_samples *s);

/* For qsort over an array of pointers to threads: the busiest first (weight, then samples), then by tid. */
int drd_samples_busier(const void *a, const void *b);

#endif
