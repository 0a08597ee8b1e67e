/* The core of libdrdotnet: the profiler object, the session it runs, and the contract a profiler fills in. */
#ifndef DRD_CORE_H
#define DRD_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "clr/corprof.h"
#include "common/clock.h"
#include "drdotnet/clientdata.h"
#include "drdotnet/params.h"
#include "drdotnet/profilers.h"
#include "profiler/eventpipe.h"
#include "profiler/reason.h"

struct drd_core;
struct drd_prof;
struct drd_rawout;

/* What one profiler file provides. Every function runs outside the runtime's callbacks except where noted; each
 * gets the profiler's own part of the session (its parameters, raw file and counts). */
struct drd_profiler_ops {
    const struct drd_profiler_desc *desc;
    /* Optional: a data file the profiler writes besides <name>.raw, listed in session.json. */
    const char *extra_file;
    /* Replaces the callback slots the profiler needs in a copy of the default table. A slot that several profilers
     * of a session replace calls each of them in turn (fanout.c). */
    void (*override)(ICorProfilerCallback11Vtbl *vt);
    /* In Initialize / InitializeForAttach, after the parameters are checked: preallocate everything the
     * callbacks need and choose the event masks (the session's are the union of its profilers'); a profiler that
     * needs the runtime's events asks for them here (drd_eventpipe_want on core->eventpipe): the core opens the
     * EventPipe sessions once every profiler has started and closes them before the profilers' end. Returns 0,
     * or -1 with a sentence in err. */
    int (*start)(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap);
    /* Optional, in ProfilerAttachComplete (attach) or right after Initialize (startup). */
    void (*attached)(struct drd_prof *p);
    /* On the core's worker thread, often and once more at the end: move collected events to the raw file. */
    void (*drain)(struct drd_prof *p);
    /* Optional, on the worker thread when the session ends (after the core closed the EventPipe sessions, before
     * the last drain): close what start opened in the runtime. */
    void (*end)(struct drd_prof *p);
    /* Optional: called on the core's sampler thread every p->sample_period_ns (set by start) while collecting.
     * Returns 0 to go on, non-zero to stop sampling. */
    int (*sample)(struct drd_prof *p);
    /* Once no callback can run any more (after a successful detach): release what start took. Not called
     * at process shutdown, where callbacks may still arrive and the memory goes with the process. */
    void (*stop)(struct drd_prof *p);
};

/* The most profilers one session runs. */
#define DRD_MAX_PROFILERS 8

/* One profiler of the session: what is its own. */
struct drd_prof {
    struct drd_core *core;
    const struct drd_profiler_ops *ops;
    struct drd_param_values params;
    struct drd_rawout *raw; /* <name>.raw */
    atomic_ullong events; /* recorded */
    atomic_ullong dropped; /* lost: queue full, caps */
    int64_t sample_period_ns; /* set by start; 0: no sampling */
    int started; /* start succeeded: stop must run */
};

enum drd_state { DRD_IDLE = 0, DRD_COLLECTING, DRD_FINISHING, DRD_DONE };

struct drd_core {
    ICorProfilerCallback11 iface; /* first: the runtime's pointer is &iface */
    ICorProfilerCallback11Vtbl vtbl;
    const struct drd_profiler_ops *lead; /* the profiler whose CLSID the runtime loaded */
    struct drd_prof profs[DRD_MAX_PROFILERS]; /* the session's profilers, in the request's order */
    int n_profs;
    ICorProfilerInfo15 *info; /* QI'd to the highest version the runtime has */
    int info_version;
    char runtime_version[32]; /* "10.0.12", asked once at initialize; "" when the runtime did not say */
    struct drd_client_data cd;
    struct drd_eventpipe eventpipe; /* what the profilers asked of EventPipe, and the sessions open for it */
    int startup; /* loaded by Initialize (drdotnet launch) rather than attach */
    int64_t duration_ms; /* 0: until the process exits (startup only) */
    int64_t start_ms, start_wall_ms;
    /* the session's one clock: every profiler's event times are monotonic ns since zero_ns; zero_wall_ns is the
     * wall time (ns since the Unix epoch) of that zero, written once at the top of each raw file (its 'z' line) */
    uint64_t zero_ns;
    int64_t zero_wall_ns;

    _Atomic int state; /* enum drd_state */
    struct drd_reason fail; /* the first failure that stopped collecting, claimed before it is written */

    pthread_t worker;
    int worker_started;
    pthread_t sampler; /* runs every profiler's sample at its own period */
    int sampler_started;
    atomic_uint worker_tid, sampler_tid; /* OS thread ids of the core's own threads, 0 until each runs */
    pthread_mutex_t lock; /* guards stop_requested and the condition */
    pthread_cond_t wake;
    int stop_requested; /* 1: deadline or failure, 2: runtime shutdown */
    int log_fd;
    int detach_expected_ms; /* given to RequestProfilerDetach */
    /* 1 from the detach request until ProfilerDetachSucceeded has run: the session's threads, files and
     * buffers still belong to it, so the class factory must not hand this object to a new session */
    _Atomic int detach_pending;
    /* 1 once ProfilerAttachComplete has run: before it, the runtime refuses a detach (see request_detach) */
    _Atomic int attach_completed;
};

/* The one profiler object of this process (a runtime holds one main profiler at a time). */
extern struct drd_core drd_core_instance;

/* Returns the core from the runtime's interface pointer. */
static inline struct drd_core *drd_core_from(ICorProfilerCallback11 *This)
{
    return (struct drd_core *)(void *)This;
}

/* 1 while callbacks should record. */
static inline int drd_collecting(const struct drd_core *c)
{
    return atomic_load_explicit(&c->state, memory_order_acquire) == DRD_COLLECTING;
}

/* Nanoseconds since the session's zero (core->zero_ns), on the monotonic clock. Safe in any callback and in a
 * signal handler. */
static inline uint64_t drd_session_ns(const struct drd_core *c)
{
    return drd_clock_mono_ns() - c->zero_ns;
}

/* Fills a default callback table: every slot answers S_OK, lifecycle slots run the core. */
void drd_callback_defaults(ICorProfilerCallback11Vtbl *vt);

/* Session lifecycle, called by the default lifecycle callbacks. */
HRESULT drd_session_initialize(struct drd_core *c, IUnknown *info_unk, const void *client_data, ULONG client_len,
                               int startup);
void drd_session_attach_complete(struct drd_core *c);
void drd_session_shutdown(struct drd_core *c);
void drd_session_detached(struct drd_core *c);

/* Stops collecting because of a failure (a cap reached, a write failed); the worker ends the session soon.
 * Safe from any thread, including callbacks: no allocation, no lock. */
void drd_session_fail(struct drd_core *c, const char *reason);

/* Ends the session now, as if its deadline had come (a one-shot profiler is done). Safe from any thread. */
void drd_session_request_end(struct drd_core *c);

/* Appends one line to profiler.log in the session folder (bounded; dropped when the log is full). */
void drd_log(struct drd_core *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The library's profiler of that name, or NULL (entry.c). */
const struct drd_profiler_ops *drd_profiler_ops_find(const char *name);

/* The library's profiler descriptors (entry.c); static data. */
const struct drd_profiler_table *drdotnet_profilers(void);

#endif
