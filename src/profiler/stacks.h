/* Stack capture for profilers: the current thread's managed stack through DoStackSnapshot. */
#ifndef DRD_STACKS_H
#define DRD_STACKS_H

#include "clr/corprof.h"

/* Walks the calling thread's stack (leaf first) into frames (at most max; 0 = a native block). Must run on a
 * managed thread inside a callback. Returns the number of frames written (0 when the walk failed); sets
 * *truncated when the stack had more than max frames. No allocation, no lock. */
int drd_stack_self(ICorProfilerInfo15 *info, FunctionID *frames, int max, int *truncated);

#endif
