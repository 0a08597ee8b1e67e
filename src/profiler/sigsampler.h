/* CPU sampling by signal: a timer on each thread's CPU clock sends that thread SIGPROF every period of CPU time
 * it uses; the handler walks the frame-pointer chain into a lock-free ring; names are resolved later, by the
 * worker. A thread that does not run is never signalled. x86_64 Linux only. */
#ifndef DRD_SIGSAMPLER_H
#define DRD_SIGSAMPLER_H

#include <stddef.h>
#include <stdint.h>

struct drd_core;
struct drd_prof;

/* How often the core's sampler thread should call drd_sig_tick. */
#define DRD_SIG_TICK_NS 25000000LL

/* Checks that this platform and process allow it (x86_64, no SIGPROF handler of someone else), preallocates
 * the ring and installs the SIGPROF handler; the timers come at the first tick. One sampler per process.
 * Returns 0, or -1 with a sentence in err (nothing left installed). */
int drd_sig_start(struct drd_prof *p, uint64_t period_ns, int max_depth, char *err, size_t errcap);

/* On the core's sampler thread: every ~100 ms, arms a timer on each new thread of the process (the core's own
 * threads excepted) and deletes those of threads that are gone; every tick, finds the stack bounds that the
 * handler asked for in /proc/self/maps. */
void drd_sig_tick(struct drd_core *c);

/* On the worker: turns the ring's samples into raw records ("p <tid> <stack> <weight>", as the suspend sampler
 * writes them), resolving each address through GetFunctionFromIP or as native code. */
void drd_sig_drain(struct drd_prof *p);

/* Stops sampling and leaves nothing behind: deletes every timer, sets SIGPROF to SIG_IGN (discarding pending
 * signals), waits until no handler runs, then restores the disposition found at start. Not from a thread that
 * has a timer. Idempotent; does nothing when drd_sig_start did not succeed. */
void drd_sig_stop(struct drd_core *c);

/* Frees the ring, after drd_sig_stop. Idempotent. */
void drd_sig_free(void);

#endif
