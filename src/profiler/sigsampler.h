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

/* Checks that this platform and process allow it (x86_64, no SIGPROF handler of someone else, no handler of an
 * earlier session still inside), preallocates the ring and installs the SIGPROF handler; the timers come at the
 * first tick. One sampler per process. Returns 0, or -1 with a sentence in err (nothing left installed). */
int drd_sig_start(struct drd_prof *p, uint64_t period_ns, int max_depth, char *err, size_t errcap);

/* On the core's sampler thread: every ~100 ms, arms a timer on each new thread of the process (the core's own
 * threads excepted) and deletes those of threads that are gone; every tick, finds the stack bounds that the
 * handler asked for in /proc/self/maps. */
void drd_sig_tick(struct drd_core *c);

/* On the worker: turns the ring's samples into raw records ("p <tid> <stack> <weight>", as the suspend sampler
 * writes them), resolving each address through GetFunctionFromIP or as native code. */
void drd_sig_drain(struct drd_prof *p);

/* Stops sampling and leaves nothing behind: turns the handler off (a handler that starts from now on touches
 * nothing but two counters in static storage), deletes every timer, sets SIGPROF to SIG_IGN (discarding pending
 * signals), waits up to 2 s for the handlers already inside to leave, then restores the disposition found at
 * start. Not from a thread that has a timer. Idempotent; does nothing when drd_sig_start did not succeed. */
void drd_sig_stop(struct drd_core *c);

/* After drd_sig_stop: frees the ring, but never while a handler can still write into it. When a handler is still
 * inside (its thread stopped mid-handler, by a debugger say, for longer than drd_sig_stop waited), the ring is
 * kept as it is and logged: leaked on purpose, until a later drd_sig_free or drd_sig_start finds that handler
 * gone and frees it. Idempotent. */
void drd_sig_free(void);

#endif
