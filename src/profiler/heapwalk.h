/* The heap walk that heap-snapshot and leaks share: one forced GC whose callbacks stream the object graph and its
 * roots (with the app's static fields) into a reserved region, written to the caller's graph file once the runtime
 * runs again. Format in include/drdotnet/raw.h. One user per session (the two profilers never run together). */
#ifndef DRD_HEAPWALK_H
#define DRD_HEAPWALK_H

#include <stddef.h>
#include <stdint.h>

#include "clr/corprof.h"

struct drd_core;
struct drd_rawout;

#define DRD_HEAPWALK_MAGIC "DRDGRPH1"

/* What one capture wrote and cost. */
struct drd_heapwalk_facts {
    uint64_t objects, edges, roots, heap_bytes; /* as listed in the graph */
    uint64_t pause_ns, gc_ns; /* the target's pause for the capture, and the GC's part of it */
    uint64_t offset, bytes; /* where the capture starts in the graph file (its magic) and its length */
};

/* Prepares the walk: max_bytes of address space for one capture, and the cap of all captures together in fd (an
 * open, empty file the walk appends to; the caller closes it after drd_heapwalk_release). static_roots: name the
 * app's static reference fields. Returns 0, or -1 with a sentence in err (out of memory, already in use). */
int drd_heapwalk_start(struct drd_core *c, uint64_t max_bytes, int static_roots, int fd, char *err, size_t errcap);

/* What heap-snapshot and leaks do at start: creates <session folder>/<file> (new, 0600) for the graph into *fd,
 * starts the walk with the profiler's max_graph_mb and static_roots, samples every 50 ms and asks for the GC events
 * (allowed only at attach; background GC stays off until detach). Returns 0, or -1 with err (*fd then stays the
 * file when it was made: the caller's release closes it). */
struct drd_prof;
int drd_heapwalk_begin(struct drd_prof *p, const char *file, int *fd, DWORD *mask, DWORD *mask_high, char *err,
                       size_t errcap);

/* The callback slots the walk needs (GC, suspensions, object and root references). */
void drd_heapwalk_override(ICorProfilerCallback11Vtbl *vt);

/* Looks for the app's static fields initialized since the last capture, forces one GC, captures the graph in its
 * callbacks and appends it to the file. Runs on the core's sampler thread. Returns 0 with *f, or -1 with the
 * reason the session fails in why (the GC did not run the walk, the graph is larger than the cap allows: what was
 * captured is written and *f describes it, or the write failed). */
int drd_heapwalk_take(struct drd_core *c, struct drd_heapwalk_facts *f, char *why, size_t whycap);

/* Writes the names the captures so far refer to that it has not written yet: 'sf' lines for the static fields, 't'
 * and 'c' lines for the classes (the type ids are the walk's own: the raw file must hold no other type). On the
 * worker thread, as often as it likes: the sampler thread names what each capture met before it returns. */
void drd_heapwalk_names(struct drd_rawout *raw);

/* Releases what start took. Accepts a walk never started. */
void drd_heapwalk_release(void);

#endif
