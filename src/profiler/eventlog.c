/* The bounded log of timed events (eventlog.h). */
#define _GNU_SOURCE
#include "profiler/eventlog.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "profiler/core.h"

static __thread uint32_t tls_tid;
static __thread char tls_name[16];
static __thread int tls_named;

uint32_t drd_eventlog_tid(void)
{
    if (!tls_tid)
        tls_tid = (uint32_t)syscall(SYS_gettid);
    return tls_tid;
}

const char *drd_eventlog_thread_name(void)
{
    if (!tls_named) {
        if (prctl(PR_GET_NAME, tls_name, 0, 0, 0))
            tls_name[0] = 0;
        tls_name[sizeof tls_name - 1] = 0;
        tls_named = 1;
    }
    return tls_name;
}

int drd_eventlog_init(struct drd_eventlog *l, size_t cap, uint32_t per_s)
{
    memset(l, 0, sizeof *l);
    l->events = calloc(cap ? cap : 1, sizeof *l->events);
    if (!l->events)
        return -1;
    l->cap = cap;
    l->per_s = per_s;
    return 0;
}

void drd_eventlog_free(struct drd_eventlog *l)
{
    free(l->events);
    memset(l, 0, sizeof *l);
}

/* 1 when this second's share has room left: the window moves to a new second with one compare-and-swap; two
 * threads racing at a second's turn may both start it, so a second keeps at most a few more than per_s. A thread
 * that loses the race CAS_TRIES times in a row leaves its event off rather than spin on. */
#define CAS_TRIES 16
static int second_has_room(struct drd_eventlog *l, uint64_t ns)
{
    if (!l->per_s)
        return 1;
    uint64_t sec = ns / 1000000000ULL;
    unsigned long long w = atomic_load_explicit(&l->window, memory_order_relaxed);
    for (int tries = 0; tries < CAS_TRIES; tries++) {
        if ((w >> 32) > (sec & 0xffffffffULL))
            return 0; /* a thread of a later second moved the window on: never back */
        if ((w >> 32) != (sec & 0xffffffffULL)) {
            unsigned long long fresh = (sec << 32) | 1;
            if (atomic_compare_exchange_weak_explicit(&l->window, &w, fresh, memory_order_relaxed,
                                                      memory_order_relaxed))
                return 1;
            continue; /* w now holds what another thread wrote */
        }
        if ((w & 0xffffffffULL) >= l->per_s)
            return 0;
        if (atomic_compare_exchange_weak_explicit(&l->window, &w, w + 1, memory_order_relaxed, memory_order_relaxed))
            return 1;
    }
    return 0;
}

int drd_eventlog_add(struct drd_eventlog *l, const struct drd_core *c, uint32_t a, uint64_t b)
{
    if (!l->events)
        return 0;
    /* the share per second by the coarse clock (a third of the precise one's cost, on the path of every event of a
     * storm), the event's own time by the precise one */
    uint64_t coarse = drd_clock_mono_coarse_ns();
    if (!second_has_room(l, coarse > c->zero_ns ? coarse - c->zero_ns : 0) ||
        atomic_load_explicit(&l->head, memory_order_relaxed) >= l->cap) {
        atomic_fetch_add_explicit(&l->left_off, 1, memory_order_relaxed);
        return 0;
    }
    size_t i = atomic_fetch_add_explicit(&l->head, 1, memory_order_relaxed);
    if (i >= l->cap) {
        atomic_fetch_add_explicit(&l->left_off, 1, memory_order_relaxed);
        return 0;
    }
    struct drd_event *e = &l->events[i];
    e->ns = drd_session_ns(c);
    e->tid = drd_eventlog_tid();
    e->a = a;
    e->b = b;
    memcpy(e->thread, drd_eventlog_thread_name(), sizeof e->thread);
    atomic_store_explicit(&e->ready, 1, memory_order_release);
    return 1;
}

const struct drd_event *drd_eventlog_next(struct drd_eventlog *l)
{
    if (!l->events)
        return NULL;
    size_t head = atomic_load_explicit(&l->head, memory_order_relaxed);
    if (l->read >= head || l->read >= l->cap)
        return NULL;
    struct drd_event *e = &l->events[l->read];
    if (!atomic_load_explicit(&e->ready, memory_order_acquire))
        return NULL;
    l->read++;
    return e;
}

uint64_t drd_eventlog_left_off(const struct drd_eventlog *l)
{
    return atomic_load_explicit(&((struct drd_eventlog *)l)->left_off, memory_order_relaxed);
}
