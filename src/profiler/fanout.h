/* The callback table of a session of several profilers: each slot goes to the profilers that replace it. */
#ifndef DRD_FANOUT_H
#define DRD_FANOUT_H

#include "clr/corprof.h"

struct drd_profiler_ops;

/* Fills out with the default table (drd_callback_defaults), then, slot by slot: a slot that one profiler of ops
 * replaces goes straight to that profiler's function; a slot that several replace goes to a trampoline that calls
 * each of them in the order of ops and returns the first failure (else S_OK). Call it before the runtime can
 * deliver any event (before SetEventMask2), once per process at a time: the trampolines' targets are static.
 * Allocates nothing. */
void drd_fanout_build(ICorProfilerCallback11Vtbl *out, const struct drd_profiler_ops *const *ops, int n);

#endif
