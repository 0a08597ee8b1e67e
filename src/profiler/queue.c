/* Bounded MPSC queue with a sequence number per cell (the scheme of D. Vyukov's bounded queue). */
#include "profiler/queue.h"

#include <stdint.h>
#include <stdlib.h>

struct drd_queue_cell {
    atomic_size_t seq;
};

int drd_queue_init(struct drd_queue *q, size_t capacity, size_t item_size)
{
    q->cells = NULL;
    q->items = NULL;
    if (capacity < 2 || (capacity & (capacity - 1)))
        return -1;
    q->cells = calloc(capacity, sizeof *q->cells);
    q->items = calloc(capacity, item_size);
    if (!q->cells || !q->items) {
        drd_queue_free(q);
        return -1;
    }
    for (size_t i = 0; i < capacity; i++)
        atomic_init(&q->cells[i].seq, i);
    q->item_size = item_size;
    q->mask = capacity - 1;
    atomic_init(&q->head, 0);
    q->tail = 0;
    return 0;
}

void drd_queue_free(struct drd_queue *q)
{
    free(q->cells);
    free(q->items);
    q->cells = NULL;
    q->items = NULL;
}

void *drd_queue_claim(struct drd_queue *q)
{
    size_t pos = atomic_load_explicit(&q->head, memory_order_relaxed);
    for (;;) {
        struct drd_queue_cell *cell = &q->cells[pos & q->mask];
        size_t seq = atomic_load_explicit(&cell->seq, memory_order_acquire);
        intptr_t dif = (intptr_t)seq - (intptr_t)pos;
        if (dif == 0) {
            if (atomic_compare_exchange_weak_explicit(&q->head, &pos, pos + 1, memory_order_relaxed,
                                                      memory_order_relaxed))
                return q->items + (pos & q->mask) * q->item_size;
        } else if (dif < 0) {
            return NULL; /* full */
        } else {
            pos = atomic_load_explicit(&q->head, memory_order_relaxed);
        }
    }
}

void drd_queue_publish(struct drd_queue *q, void *item)
{
    size_t idx = (size_t)((unsigned char *)item - q->items) / q->item_size;
    struct drd_queue_cell *cell = &q->cells[idx];
    /* the cell's claimed position is seq; publishing moves it to position + 1 */
    size_t seq = atomic_load_explicit(&cell->seq, memory_order_relaxed);
    atomic_store_explicit(&cell->seq, seq + 1, memory_order_release);
}

void *drd_queue_peek(struct drd_queue *q)
{
    struct drd_queue_cell *cell = &q->cells[q->tail & q->mask];
    size_t seq = atomic_load_explicit(&cell->seq, memory_order_acquire);
    if (seq != q->tail + 1)
        return NULL;
    return q->items + (q->tail & q->mask) * q->item_size;
}

void drd_queue_release(struct drd_queue *q)
{
    struct drd_queue_cell *cell = &q->cells[q->tail & q->mask];
    atomic_store_explicit(&cell->seq, q->tail + q->mask + 1, memory_order_release);
    q->tail++;
}
