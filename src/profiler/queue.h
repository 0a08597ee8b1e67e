/* A bounded multi-producer, single-consumer queue of fixed-size items, allocated once: callbacks push without
 * locks or allocation; the worker pops. A full queue refuses the item (the caller counts it as dropped). */
#ifndef DRD_QUEUE_H
#define DRD_QUEUE_H

#include <stdatomic.h>
#include <stddef.h>

struct drd_queue_cell;

struct drd_queue {
    struct drd_queue_cell *cells;
    unsigned char *items;
    size_t item_size, mask;
    atomic_size_t head; /* next slot a producer claims */
    size_t tail; /* next slot the consumer reads (consumer only) */
};

/* Allocates room for capacity items (a power of two) of item_size bytes. Returns 0 or -1. */
int drd_queue_init(struct drd_queue *q, size_t capacity, size_t item_size);

/* Frees the storage. Accepts a queue that failed init. */
void drd_queue_free(struct drd_queue *q);

/* Claims a slot for one item and returns it to fill, or NULL when the queue is full. The producer must call
 * drd_queue_publish with the same pointer when done. Lock-free, no allocation. */
void *drd_queue_claim(struct drd_queue *q);
void drd_queue_publish(struct drd_queue *q, void *item);

/* The oldest published item, or NULL. The consumer calls drd_queue_release after using it. */
void *drd_queue_peek(struct drd_queue *q);
void drd_queue_release(struct drd_queue *q);

#endif
