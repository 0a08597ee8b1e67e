/* A preallocated multi-producer, single-consumer ring of instruction-pointer stacks that a signal handler can
 * fill: a slot is claimed with one compare-and-swap and published with a ready flag; a full ring refuses. */
#ifndef DRD_IPRING_H
#define DRD_IPRING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct drd_ip_sample {
    atomic_uint ready; /* 1 once the producer has filled the slot; 0 again when the consumer is done */
    uint32_t tid; /* OS thread id */
    uint16_t depth; /* ips used, leaf first */
    uint16_t truncated; /* 1: the stack went on past max_depth */
    uint32_t unused;
    uint64_t weight_ns;
    uint64_t time_ns; /* when it was taken, since the session's zero */
    uint64_t ips[]; /* max_depth */
};

struct drd_ip_ring {
    unsigned char *slots;
    size_t slot_size, capacity;
    int max_depth;
    _Alignas(64) atomic_size_t head; /* next slot to claim: producers */
    _Alignas(64) atomic_size_t tail; /* next slot to read: the consumer */
};

/* Allocates capacity slots of max_depth ips each. Returns 0, or -1 when out of memory. */
int drd_ip_ring_init(struct drd_ip_ring *r, size_t capacity, int max_depth);

/* Frees the slots; no producer may run any more. Accepts a ring that was never initialised (zeroed). */
void drd_ip_ring_free(struct drd_ip_ring *r);

/* Producer: a free slot to fill, then to hand to drd_ip_ring_publish; NULL when the ring is full (the caller
 * counts the drop). Lock-free, no allocation, no call: async-signal-safe. */
struct drd_ip_sample *drd_ip_ring_claim(struct drd_ip_ring *r);

/* Producer: makes a filled slot visible to the consumer. Async-signal-safe. */
void drd_ip_ring_publish(struct drd_ip_sample *s);

/* Consumer (one thread): the oldest published slot, or NULL when there is none yet (empty, or the oldest
 * claimed slot is still being filled). Pass it to drd_ip_ring_release once read. */
struct drd_ip_sample *drd_ip_ring_peek(struct drd_ip_ring *r);

/* Consumer: gives the slot that drd_ip_ring_peek returned back to the producers. */
void drd_ip_ring_release(struct drd_ip_ring *r, struct drd_ip_sample *s);

#endif
