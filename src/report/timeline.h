/* A session's timeline: every timed event of its raw files (cpu-hotpaths' samples, exceptions' throws and catches,
 * runtime-pauses' pauses, waits' waits, allocations' samples) on the session's one clock, with the threads that
 * did them and their names. Read by the chrome-trace export and the web page's timeline. */
#ifndef DRD_TIMELINE_H
#define DRD_TIMELINE_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include <jansson.h>

#include "report/rawread.h"

enum drd_tl_kind {
    DRD_TL_CPU = 0, /* a CPU sample: dur is the CPU (or wall) time it stands for */
    DRD_TL_THROW, /* an exception thrown: type, stack */
    DRD_TL_CATCH, /* an exception caught: type, stack (of the throw), frame (the catcher) */
    DRD_TL_PAUSE, /* the runtime suspended: dur, key (reason), generation (-1: no GC), induced; tid: who suspended */
    DRD_TL_LOCK, /* a contended lock: dur, key (the lock's id), owner (0: unknown), stack */
    DRD_TL_WAIT, /* a blocking wait: dur, key (1 + the wait source), stack */
    DRD_TL_ALLOC, /* an allocation sampled: type, stack */
    DRD_TL_KINDS
};

struct drd_tl_event {
    uint64_t ns; /* start, ns since the session's zero */
    uint64_t dur; /* ns; 0 for an instant */
    uint64_t key;
    uint32_t tid;
    uint32_t stack; /* stack id in the event's file; 0: none */
    uint32_t type; /* type id in the event's file; 0: none */
    uint32_t frame; /* frame id in the event's file (a catcher); 0: none */
    uint32_t owner; /* a lock's holder's tid */
    int16_t generation;
    uint8_t induced;
    uint8_t kind; /* enum drd_tl_kind */
    uint8_t file; /* index in drd_timeline.files */
};

/* One raw file read: the names its events' ids point into. */
struct drd_tl_file {
    struct drd_rawdata d;
    char *buf;
};

struct drd_tl_thread {
    uint32_t tid;
    const char *name; /* the last name a file gave, or "" */
    uint64_t events; /* its events, all kinds */
    uint64_t busy_ns; /* CPU samples' time, waits' and pauses' durations: how active it was */
};

#define DRD_TL_MAX_FILES 8

struct drd_timeline {
    struct drd_tl_file files[DRD_TL_MAX_FILES];
    int n_files;
    struct drd_tl_event *ev; /* by start time */
    size_t n, cap;
    struct drd_tl_thread *threads; /* by tid */
    size_t n_threads, cap_threads;
    uint64_t counts[DRD_TL_KINDS];
    int has_zero;
    int64_t zero_wall_ns; /* the wall time of the zero (ns since the Unix epoch) */
    uint64_t zero_mono_ns; /* the target machine's CLOCK_MONOTONIC at the zero (perf and others time by it) */
    uint64_t left_off; /* events the library kept out of the timeline (shares used up), exact counts elsewhere */
    uint64_t end_ns; /* the last event's end */
};

/* Reads the timed events of every profiler of the session in dir (session as drd_session_load_any gives it).
 * Returns 0, or -1 with err: unreadable or malformed data, or no timed data at all (a sentence that says which
 * profilers have it). t must be freed with drd_timeline_free, also after a failure. */
int drd_timeline_load(const char *dir, json_t *session, struct drd_timeline *t, char *err, size_t cap);

void drd_timeline_free(struct drd_timeline *t);

/* The thread of tid, or NULL. */
const struct drd_tl_thread *drd_timeline_thread(const struct drd_timeline *t, uint32_t tid);

/* The names an event's ids point to, or NULL when it has none. */
const char *drd_timeline_type(const struct drd_timeline *t, const struct drd_tl_event *e);
const char *drd_timeline_frame(const struct drd_timeline *t, const struct drd_tl_event *e);
/* The frames of an event's stack (frame ids of its file, leaf first), or NULL with *n 0. */
const uint32_t *drd_timeline_stack(const struct drd_timeline *t, const struct drd_tl_event *e, uint32_t *n);
/* The name of frame id of file f. */
const char *drd_timeline_frame_name(const struct drd_timeline *t, int f, uint32_t id);

/* Writes the timeline of the session in dir for the web page (timeline_json.c), columns rather than objects so
 * that a million events stay small and quick to read: {"session","zero_wall_ns","zero_monotonic_ns","end_ns",
 * "left_off","kinds":[names],
 * "threads":[{"tid","name","events","busy_ns"}] (the busiest first), "labels":[strings], "stacks":[[label index of
 * each frame, leaf first]], "kind":[...],"thread":[thread index],"start":[ns],"dur":[ns],"label":[label index],
 * "stack":[stack index or -1],"owner":[a lock's holder's tid, or 0]} with one entry per event in each of the last
 * seven, by start time. A pause's thread is the one that suspended the runtime (the pause stops them all). Returns
 * 0, or -1 with err (as drd_timeline_load, or out of memory). */
int drd_timeline_write_json(const char *dir, FILE *out, char *err, size_t cap);

/* The event kind's name: "cpu", "throw", "catch", "pause", "lock", "wait", "allocation". */
const char *drd_timeline_kind_name(int kind);

#endif
