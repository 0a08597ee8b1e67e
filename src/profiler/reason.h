/* The first reason given for something, kept whole when several threads give one at once (a session's failure):
 * the first caller claims it, writes it, then publishes it; the others leave it alone. No allocation, no lock. */
#ifndef DRD_REASON_H
#define DRD_REASON_H

#include <stdatomic.h>

#define DRD_REASON_MAX 512

struct drd_reason {
    _Atomic int state; /* 0: none yet, 1: being written by the caller that claimed it, 2: written */
    char text[DRD_REASON_MAX];
};

/* Keeps text (cut to DRD_REASON_MAX - 1 bytes) when no reason was given before. Returns 1 when this call's text
 * is the one kept, 0 when an earlier call's is. Any thread, any callback: no allocation, no lock, no call. A
 * zeroed struct holds no reason. */
int drd_reason_set(struct drd_reason *r, const char *text);

/* The kept reason, or NULL when none was given. One still being written by another thread is waited for a few
 * milliseconds at most; past that a fixed sentence stands for it. Not for a callback (it may sleep). */
const char *drd_reason_get(struct drd_reason *r);

#endif
