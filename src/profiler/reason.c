/* The first reason given, claimed atomically, then written, then published (reason.h). */
#define _GNU_SOURCE
#include "profiler/reason.h"

#include <time.h>

#define READ_WAIT_US 10000

int drd_reason_set(struct drd_reason *r, const char *text)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&r->state, &expected, 1))
        return 0;
    size_t n = 0;
    for (; text && text[n] && n < sizeof r->text - 1; n++)
        r->text[n] = text[n];
    r->text[n] = 0;
    atomic_store_explicit(&r->state, 2, memory_order_release);
    return 1;
}

const char *drd_reason_get(struct drd_reason *r)
{
    struct timespec step = {0, 100000};
    for (int waited = 0;; waited += 100) {
        int s = atomic_load_explicit(&r->state, memory_order_acquire);
        if (s == 0)
            return NULL;
        if (s == 2)
            return r->text;
        if (waited >= READ_WAIT_US)
            return "a failure whose reason was still being written";
        nanosleep(&step, NULL);
    }
}
