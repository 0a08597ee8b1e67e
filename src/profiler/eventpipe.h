/* The session's EventPipe sessions, shared by its profilers: each asks for the keywords and level it needs at start,
 * the core opens as few sessions as the levels allow once every profiler has started, and closes them at the end.
 *
 * One EventPipe session takes one level per provider, and a keyword enabled at Verbose brings every Verbose event of
 * that keyword (the threading keyword's one event per thread-pool work item, for instance), so the wants are grouped
 * by level: each (provider, keyword) goes to one session, the one of the highest level any profiler asked it at, and
 * a session is opened per level that keeps a keyword. No event is then delivered twice, unless its keywords span two
 * sessions (none of the events today's profilers ask for do). Every event of every session reaches each profiler
 * that overrides EventPipeEventDelivered (fanout.c), which keeps the event ids it knows. */
#ifndef DRD_EVENTPIPE_H
#define DRD_EVENTPIPE_H

#include <stddef.h>
#include <stdint.h>

#include "clr/corprof.h"

struct drd_core;

#define DRD_EVENTPIPE_MAX_WANTS 16   /* (provider, keywords, level) asks in one session */
#define DRD_EVENTPIPE_MAX_SESSIONS 6 /* one per level: COR_PRF_EVENTPIPE_LOGALWAYS .. VERBOSE */

struct drd_eventpipe_want {
    const WCHAR *provider; /* static text */
    uint64_t keywords;
    int level; /* COR_PRF_EVENTPIPE_LEVEL */
};

struct drd_eventpipe {
    struct drd_eventpipe_want wants[DRD_EVENTPIPE_MAX_WANTS];
    int n_wants;
    EVENTPIPE_SESSION sessions[DRD_EVENTPIPE_MAX_SESSIONS];
    int n_open;
};

/* From a profiler's start: asks for provider's keywords at level (provider: static UTF-16 text such as
 * u"Microsoft-Windows-DotNETRuntime"). Returns 0, or -1 with a sentence in err when the table is full or the level
 * is out of range. Allocates nothing. */
int drd_eventpipe_want(struct drd_eventpipe *ep, const WCHAR *provider, uint64_t keywords, int level, char *err,
                       size_t errcap);

/* After every profiler started: opens the sessions the wants need (none when there are none). Returns 0, or -1 with
 * a sentence in err (the runtime has no EventPipe for profilers, or refused a session); then none stays open. */
int drd_eventpipe_open(struct drd_core *c, struct drd_eventpipe *ep, char *err, size_t errcap);

/* Closes the sessions that are open (logging a refusal); once more does nothing. */
void drd_eventpipe_close(struct drd_core *c, struct drd_eventpipe *ep);

#endif
