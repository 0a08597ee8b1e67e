/* The multi-producer ring of IP stacks: claim by compare-and-swap on head, publish by a per-slot ready flag. */
#include "profiler/ipring.h"

#include <stdlib.h>
#include <string.h>

int drd_ip_ring_init(struct drd_ip_ring *r, size_t capacity, int max_depth)
{
    memset(r, 0, sizeof *r);
    if (capacity == 0 || max_depth < 1)
        return -1;
    r->slot_size = (sizeof(struct drd_ip_sample) + (size_t)max_depth * sizeof(uint64_t) + 63) & ~(size_t)63;
    r->slots = calloc(capacity, r->slot_size);
    if (!r->slots)
        return -1;
    r->capacity = capacity;
    r->max_depth = max_depth;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    for (size_t i = 0; i < capacity; i++)
        atomic_init(&((struct drd_ip_sample *)(void *)(r->slots + i * r->slot_size))->ready, 0);
    return 0;
}

void drd_ip_ring_free(struct drd_ip_ring *r)
{
    free(r->slots);
    memset(r, 0, sizeof *r);
}

static struct drd_ip_sample *slot_at(struct drd_ip_ring *r, size_t i)
{
    return (struct drd_ip_sample *)(void *)(r->slots + (i % r->capacity) * r->slot_size);
}

struct drd_ip_sample *drd_ip_ring_claim(struct drd_ip_ring *r)
{
    if (!r->slots)
        return NULL;
    size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
    do {
        /* tail only grows: once a slot is free it stays free until claimed */
        if (h - atomic_load_explicit(&r->tail, memory_order_acquire) >= r->capacity)
            return NULL;
    } while (!atomic_compare_exchange_weak_explicit(&r->head, &h, h + 1, memory_order_acq_rel, memory_order_relaxed));
    return slot_at(r, h);
}

void drd_ip_ring_publish(struct drd_ip_sample *s)
{
    atomic_store_explicit(&s->ready, 1, memory_order_release);
}

struct drd_ip_sample *drd_ip_ring_peek(struct drd_ip_ring *r)
{
    if (!r->slots)
        return NULL;
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    if (t == atomic_load_explicit(&r->head, memory_order_acquire))
        return NULL;
    struct drd_ip_sample *s = slot_at(r, t);
    return atomic_load_explicit(&s->ready, memory_order_acquire) ? s : NULL;
}

void drd_ip_ring_release(struct drd_ip_ring *r, struct drd_ip_sample *s)
{
    atomic_store_explicit(&s->ready, 0, memory_order_relaxed);
    size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, t + 1, memory_order_release);
}
