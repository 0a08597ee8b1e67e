/* A lock-free table of counters keyed by (class, stack), claimed slot by slot with compare-and-swap. */
#include "profiler/keytable.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PROBES 64

enum { SLOT_EMPTY = 0, SLOT_WRITING = 1, SLOT_READY = 2 };

struct slot {
    _Atomic uint32_t state;
    uint32_t depth;
    uint64_t hash;
    ClassID cls;
    atomic_ullong counters[DRD_KEYTABLE_COUNTERS];
    struct drd_frame frames[]; /* max_depth */
};

static struct slot *at(struct drd_keytable *t, size_t i)
{
    return (struct slot *)(void *)(t->slots + i * t->slot_size);
}

int drd_keytable_init(struct drd_keytable *t, size_t capacity, int max_depth)
{
    memset(t, 0, sizeof *t);
    if (capacity < 2 || (capacity & (capacity - 1)) || max_depth < 0)
        return -1;
    t->slot_size = (sizeof(struct slot) + (size_t)max_depth * sizeof(struct drd_frame) + 63) & ~(size_t)63;
    t->slots = aligned_alloc(64, capacity * t->slot_size);
    if (!t->slots)
        return -1;
    memset(t->slots, 0, capacity * t->slot_size);
    t->capacity = capacity;
    t->max_depth = max_depth;
    return 0;
}

void drd_keytable_free(struct drd_keytable *t)
{
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

uint32_t drd_keytable_find(struct drd_keytable *t, ClassID cls, const struct drd_frame *frames, uint32_t depth)
{
    if (depth > (uint32_t)t->max_depth)
        depth = (uint32_t)t->max_depth;
    uint64_t h = mix(mix(0, cls), depth);
    for (uint32_t i = 0; i < depth; i++)
        h = mix(mix(h, frames[i].fn), frames[i].cls);
    for (uint32_t p = 0; p < MAX_PROBES; p++) {
        size_t i = (size_t)(h + p) & (t->capacity - 1);
        struct slot *s = at(t, i);
        uint32_t state = atomic_load_explicit(&s->state, memory_order_acquire);
        if (state == SLOT_EMPTY) {
            uint32_t expected = SLOT_EMPTY;
            if (atomic_compare_exchange_strong(&s->state, &expected, SLOT_WRITING)) {
                s->hash = h;
                s->cls = cls;
                s->depth = depth;
                if (depth) /* frames may be NULL then, and memcpy must not be given NULL */
                    memcpy(s->frames, frames, depth * sizeof *frames);
                atomic_store_explicit(&s->state, SLOT_READY, memory_order_release);
                return (uint32_t)i + 1;
            }
            state = expected;
        }
        /* a slot still being written may hold our key: a second slot for it is harmless */
        if (state == SLOT_READY && s->hash == h && s->cls == cls && s->depth == depth &&
            (depth == 0 || memcmp(s->frames, frames, depth * sizeof *frames) == 0))
            return (uint32_t)i + 1;
    }
    return 0;
}

atomic_ullong *drd_keytable_counter(struct drd_keytable *t, uint32_t slot, int k)
{
    return &at(t, slot - 1)->counters[k];
}

int drd_keytable_ready(struct drd_keytable *t, size_t i)
{
    return atomic_load_explicit(&at(t, i)->state, memory_order_acquire) == SLOT_READY;
}

ClassID drd_keytable_class(struct drd_keytable *t, size_t i)
{
    return at(t, i)->cls;
}

const struct drd_frame *drd_keytable_frames(struct drd_keytable *t, size_t i, uint32_t *depth)
{
    *depth = at(t, i)->depth;
    return at(t, i)->frames;
}
