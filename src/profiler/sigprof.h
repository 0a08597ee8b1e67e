/* The process's SIGPROF disposition, shared by the library's signal users: the CPU sampler (timer signals, SI_TIMER)
 * and the sampler of other threads' stacks on demand (queued signals, SI_QUEUE). One handler is installed while any
 * user holds a claim; it counts itself in and out and hands each signal to the user its si_code names. x86_64 Linux
 * only (the users walk x86_64 frame pointers). */
#ifndef DRD_SIGPROF_H
#define DRD_SIGPROF_H

#include <signal.h>
#include <stddef.h>

struct drd_core;

enum drd_sigprof_user {
    DRD_SIGPROF_TIMER = 0, /* signals of POSIX timers (si_code SI_TIMER) */
    DRD_SIGPROF_QUEUE = 1, /* signals queued by rt_tgsigqueueinfo (si_code SI_QUEUE) */
    DRD_SIGPROF_USERS
};

/* Runs in the signal handler: async-signal-safe code only. ctx is the interrupted ucontext_t. */
typedef void (*drd_sigprof_fn)(const siginfo_t *si, void *ctx);

/* Claims the handler for user, installing it when no one holds it: refused (-1 with a sentence in err) when the
 * process already handles SIGPROF itself (another profiler, the app), when user already holds a claim, or off
 * x86_64. fn may be called from the moment this returns. Not from a signal handler; claims and releases are
 * serialized by a mutex. */
int drd_sigprof_claim(enum drd_sigprof_user user, drd_sigprof_fn fn, char *err, size_t errcap);

/* Handlers running now (any user). A user that turned its own flag off and then sees 0 here knows no handler can
 * touch its data any more (a handler counts itself in before it reads anything). */
int drd_sigprof_inside(void);

/* Gives user's claim back: fn is no longer called. The last release sets SIGPROF to SIG_IGN (discarding the signals
 * still pending in every thread), waits up to 2 s for the handlers inside, then restores the disposition found at the
 * first claim, unless a user asked for SIG_IGN to stay (keep_ignored: a timer that could not be deleted would kill the
 * process under SIG_DFL). Logs through c. Idempotent. */
void drd_sigprof_release(struct drd_core *c, enum drd_sigprof_user user, int keep_ignored);

#endif
