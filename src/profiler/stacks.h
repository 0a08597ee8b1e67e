/* Stack capture for profilers: managed stacks through DoStackSnapshot, into caller-provided bounded arrays. */
#ifndef DRD_STACKS_H
#define DRD_STACKS_H

#include <stdint.h>

#include "clr/corprof.h"

/* One frame as captured: a managed function with the exact class it ran for (0 when the runtime could not
 * tell), or a native code address. Names are resolved later, outside the capture. */
struct drd_frame {
    uint64_t fn; /* FunctionID, or DRD_FRAME_NATIVE(ip) */
    uint64_t cls; /* ClassID of the frame's exact instantiation, or 0 */
    uint64_t ip; /* managed frames: the code address whose source line it is (the sampled instruction, or a return
                  * address minus one, inside the call), 0 when unknown; frames that differ here differ in line */
};

#define DRD_FRAME_NATIVE(ip) ((((uint64_t)(ip)) << 1) | 1u)
#define DRD_FRAME_IS_NATIVE(f) (((f)->fn & 1u) != 0)
#define DRD_FRAME_IP(f) ((f)->fn >> 1)
/* A code address not yet known as managed or native (from an EventPipe stack): cls holds this marker, and the
 * name is found later through GetFunctionFromIP, falling back to the native name. */
#define DRD_FRAME_IP_UNRESOLVED 1u

/* Walks a thread's stack (leaf first) into frames (at most max). thread 0 is the calling thread, which must
 * then be a managed thread inside a callback; any other thread needs the runtime suspended by the caller
 * (SuspendRuntime). Each managed frame keeps its ip (the leaf of another thread: the interrupted instruction;
 * every other frame: its return address minus one). Returns the number of frames written (0 when the walk failed); sets *truncated when the
 * stack had more than max frames. No allocation, no lock of ours. */
int drd_stack_walk(ICorProfilerInfo15 *info, ThreadID thread, struct drd_frame *frames, int max, int *truncated);

#endif
