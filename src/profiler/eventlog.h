/* A bounded log of timed events that callbacks append to (one exception thrown, one allocation sampled): the
 * time on the session's clock, the thread, and two numbers the profiler gives meaning to. It keeps at most a
 * number per second and a number per session; the rest are only counted (left_off), so the profiler's exact
 * counts stay its own and the timeline says what it left out. */
#ifndef DRD_EVENTLOG_H
#define DRD_EVENTLOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct drd_core;

struct drd_event {
    uint64_t ns; /* since the session's zero */
    uint64_t b; /* the profiler's: a FunctionID, ... */
    uint32_t tid; /* OS thread id */
    uint32_t a; /* the profiler's: a table slot, ... */
    atomic_uint ready; /* 1 once written */
    char thread[16]; /* the thread's name when it first logged (the OS's, PR_GET_NAME): it may be gone later */
};

struct drd_eventlog {
    struct drd_event *events; /* preallocated: cap */
    size_t cap;
    uint32_t per_s; /* kept per second of the session's clock; 0: no limit but cap */
    atomic_size_t head; /* claimed */
    atomic_ullong left_off; /* not kept: a second's share or the session's cap used up */
    atomic_ullong window; /* the current second (high 32 bits) and the events kept in it (low 32 bits) */
    size_t read; /* the worker's: next event to hand out */
};

/* Allocates cap events (pages are touched only as events come). Returns 0, or -1 when out of memory. */
int drd_eventlog_init(struct drd_eventlog *l, size_t cap, uint32_t per_s);

/* Frees the storage; only once no callback can append. Accepts a zeroed log. */
void drd_eventlog_free(struct drd_eventlog *l);

/* Appends an event of the calling thread, now. Returns 1 when kept, 0 when left off (counted). Lock-free, no
 * allocation, no call into the runtime: safe in any callback. */
int drd_eventlog_add(struct drd_eventlog *l, const struct drd_core *c, uint32_t a, uint64_t b);

/* Worker: the next event in the order they were claimed, or NULL when none is ready yet (an event being written
 * stops the reader until its writer is done). */
const struct drd_event *drd_eventlog_next(struct drd_eventlog *l);

/* The events left off so far. */
uint64_t drd_eventlog_left_off(const struct drd_eventlog *l);

/* The calling thread's OS id, asked of the kernel once per thread. Safe in any callback. */
uint32_t drd_eventlog_tid(void);

/* The calling thread's name as the OS knows it (16 bytes, NUL-terminated), asked once per thread (a thread renamed
 * later keeps its first name here). Safe in any callback. */
const char *drd_eventlog_thread_name(void);

#endif
