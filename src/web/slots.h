/* The web server's guard against slow request heads: a deadline for each whole head, and a cap on the connections
 * waiting for theirs, where a new connection makes the oldest waiting one give way. */
#ifndef DRD_SLOTS_H
#define DRD_SLOTS_H

struct drd_slots;
struct drd_slot;

/* Makes the table: at most max_waiting connections wait for a request head at once, and a head must be complete
 * within deadline_ms of its wait's start. With every_ms > 0 a thread enforces the deadline every every_ms; with 0
 * only drd_slots_sweep does. Returns 0 with *out, or -1 with errno (out of memory, no thread). */
int drd_slots_create(int max_waiting, int deadline_ms, int every_ms, struct drd_slots **out);

/* Stops the thread and frees the table and any slot still in it. Accepts NULL. */
void drd_slots_destroy(struct drd_slots *s);

/* A new connection on socket fd, waiting for its first head from now on. When max_waiting connections already wait,
 * the one waiting longest is cut: shutdown(2) in both directions, which its server thread sees as the client
 * leaving. fd stays the caller's; it must stay open until drd_slots_close. Returns the slot, or NULL when s is NULL
 * or out of memory (the connection is then not watched). */
struct drd_slot *drd_slots_open(struct drd_slots *s, int fd);

/* The slot's request head is complete: no deadline until drd_slots_wait. NULL s or slot: nothing. */
void drd_slots_head(struct drd_slots *s, struct drd_slot *slot);

/* The slot's request is answered; the connection waits for its next head from now on (keep-alive). NULL: nothing. */
void drd_slots_wait(struct drd_slots *s, struct drd_slot *slot);

/* The connection is closing: forgets and frees slot. Its fd is not touched from the moment this returns, so the
 * caller may close it. NULL: nothing. */
void drd_slots_close(struct drd_slots *s, struct drd_slot *slot);

/* Cuts every connection whose head was due by now_ms (a drd_slots_clock_ms value). Returns how many. */
int drd_slots_sweep(struct drd_slots *s, long long now_ms);

/* The clock the deadlines are on: monotonic, in ms. */
long long drd_slots_clock_ms(void);

#endif
