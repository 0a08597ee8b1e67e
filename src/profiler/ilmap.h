/* IL offsets of native code addresses, for source lines: the runtime's IL-to-native map of each native code body
 * (a method has one body per tier and per ReJIT), asked once per body on the worker thread and kept, bounded. */
#ifndef DRD_ILMAP_H
#define DRD_ILMAP_H

#include <stdint.h>

#include "clr/corprof.h"

struct drd_ilmap;

/* Creates an empty cache over info (not owned). Returns NULL when out of memory. */
struct drd_ilmap *drd_ilmap_create(ICorProfilerInfo15 *info);

void drd_ilmap_destroy(struct drd_ilmap *m);

/* The IL offset of the instruction at ip, a managed code address (the sampled instruction, or a return address
 * minus one), or -1 when the runtime has no map for it (prolog, epilog, no debug info, not managed code). Asks the
 * runtime which function holds ip (one call), and for that function's bodies and maps the first time ip falls in
 * a body it has not mapped. From the worker thread only: never in a signal handler, never while the runtime is
 * suspended. */
int32_t drd_ilmap_offset(struct drd_ilmap *m, uint64_t ip);

#endif
