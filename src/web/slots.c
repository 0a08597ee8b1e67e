/* The web server's guard against slow request heads: connections waiting for a head, oldest first, cut at their
 * deadline or when a newer connection needs the place. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "web/slots.h"

struct drd_slot {
    int fd;
    long long since; /* when the wait for the current head began */
    int waiting; /* in the waiting list */
    struct drd_slot *prev, *next;
};

struct drd_slots {
    pthread_mutex_t lock; /* over everything below, and over every shutdown: no fd is cut after drd_slots_close */
    struct drd_slot *oldest, *newest; /* the waiting list, by the start of their wait */
    int n_waiting, max_waiting, deadline_ms, every_ms;
    int stop, has_thread;
    pthread_cond_t wake;
    pthread_t thread;
};

long long drd_slots_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void unlink_waiting(struct drd_slots *s, struct drd_slot *x)
{
    if (!x->waiting)
        return;
    if (x->prev)
        x->prev->next = x->next;
    else
        s->oldest = x->next;
    if (x->next)
        x->next->prev = x->prev;
    else
        s->newest = x->prev;
    x->prev = x->next = NULL;
    x->waiting = 0;
    s->n_waiting--;
}

static void append_waiting(struct drd_slots *s, struct drd_slot *x)
{
    x->since = drd_slots_clock_ms();
    x->prev = s->newest;
    x->next = NULL;
    if (s->newest)
        s->newest->next = x;
    else
        s->oldest = x;
    s->newest = x;
    x->waiting = 1;
    s->n_waiting++;
}

/* With the lock held: ends x's connection; its server thread then closes it and calls drd_slots_close. */
static void cut(struct drd_slots *s, struct drd_slot *x)
{
    unlink_waiting(s, x);
    shutdown(x->fd, SHUT_RDWR);
}

static void *sweeper(void *arg)
{
    struct drd_slots *s = arg;
    pthread_mutex_lock(&s->lock);
    while (!s->stop) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += s->every_ms / 1000;
        until.tv_nsec += (long)(s->every_ms % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->wake, &s->lock, &until);
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->lock);
        drd_slots_sweep(s, drd_slots_clock_ms());
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

int drd_slots_create(int max_waiting, int deadline_ms, int every_ms, struct drd_slots **out)
{
    pthread_condattr_t ca;
    struct drd_slots *s = calloc(1, sizeof *s);
    int e;
    if (!s)
        return -1;
    s->max_waiting = max_waiting;
    s->deadline_ms = deadline_ms;
    s->every_ms = every_ms;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (every_ms > 0) {
        e = pthread_create(&s->thread, NULL, sweeper, s);
        if (e)
            goto fail_thread;
        s->has_thread = 1;
    }
    *out = s;
    return 0;

fail_thread:
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
    errno = e;
    return -1;
}

void drd_slots_destroy(struct drd_slots *s)
{
    if (!s)
        return;
    if (s->has_thread) {
        pthread_mutex_lock(&s->lock);
        s->stop = 1;
        pthread_cond_signal(&s->wake);
        pthread_mutex_unlock(&s->lock);
        pthread_join(s->thread, NULL);
    }
    while (s->oldest) {
        struct drd_slot *x = s->oldest;
        unlink_waiting(s, x);
        free(x);
    }
    /* slots past their head are the caller's to close; a caller that destroys the table first leaks them */
    pthread_cond_destroy(&s->wake);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

struct drd_slot *drd_slots_open(struct drd_slots *s, int fd)
{
    if (!s)
        return NULL;
    struct drd_slot *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->fd = fd;
    pthread_mutex_lock(&s->lock);
    if (s->max_waiting > 0 && s->n_waiting >= s->max_waiting)
        cut(s, s->oldest);
    append_waiting(s, x);
    pthread_mutex_unlock(&s->lock);
    return x;
}

void drd_slots_head(struct drd_slots *s, struct drd_slot *slot)
{
    if (!s || !slot)
        return;
    pthread_mutex_lock(&s->lock);
    unlink_waiting(s, slot);
    pthread_mutex_unlock(&s->lock);
}

void drd_slots_wait(struct drd_slots *s, struct drd_slot *slot)
{
    if (!s || !slot)
        return;
    pthread_mutex_lock(&s->lock);
    unlink_waiting(s, slot);
    append_waiting(s, slot);
    pthread_mutex_unlock(&s->lock);
}

void drd_slots_close(struct drd_slots *s, struct drd_slot *slot)
{
    if (!s || !slot)
        return;
    pthread_mutex_lock(&s->lock);
    unlink_waiting(s, slot);
    pthread_mutex_unlock(&s->lock);
    free(slot);
}

int drd_slots_sweep(struct drd_slots *s, long long now_ms)
{
    int n = 0;
    if (!s)
        return 0;
    pthread_mutex_lock(&s->lock);
    while (s->oldest && s->oldest->since + s->deadline_ms <= now_ms) {
        cut(s, s->oldest);
        n++;
    }
    pthread_mutex_unlock(&s->lock);
    return n;
}
