/* A preallocated, lock-free table of counters keyed by (class, stack): callbacks find or claim their slot and add
 * to its counters without a lock or an allocation; the worker reads the slots that are ready. */
#ifndef DRD_KEYTABLE_H
#define DRD_KEYTABLE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "clr/corprof.h"
#include "profiler/stacks.h"

#define DRD_KEYTABLE_COUNTERS 3

struct drd_keytable {
    unsigned char *slots;
    size_t slot_size, capacity; /* capacity is a power of two */
    int max_depth;
};

/* Allocates capacity slots (a power of two) with room for max_depth frames each. Returns 0 or -1. */
int drd_keytable_init(struct drd_keytable *t, size_t capacity, int max_depth);

/* Frees the storage. Accepts a table that failed init. Only once no callback can use it any more. */
void drd_keytable_free(struct drd_keytable *t);

/* Finds or claims the slot of (cls, the first depth frames, at most max_depth); frames may be NULL when depth is 0.
 * Returns its index + 1, or 0 when the neighbourhood is full (the caller counts a drop). Two threads claiming the
 * same new key at once may create two slots for it; readers add them up. Lock-free, no allocation: safe in any
 * callback. */
uint32_t drd_keytable_find(struct drd_keytable *t, ClassID cls, const struct drd_frame *frames, uint32_t depth);

/* Counter k (< DRD_KEYTABLE_COUNTERS) of the slot that drd_keytable_find returned. */
atomic_ullong *drd_keytable_counter(struct drd_keytable *t, uint32_t slot, int k);

/* For the worker: 1 when slot index i (0-based) holds a key; then its class, frames and depth. */
int drd_keytable_ready(struct drd_keytable *t, size_t i);
ClassID drd_keytable_class(struct drd_keytable *t, size_t i);
const struct drd_frame *drd_keytable_frames(struct drd_keytable *t, size_t i, uint32_t *depth);

#endif
