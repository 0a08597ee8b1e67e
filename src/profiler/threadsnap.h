/* Another thread's stack, on demand: the asking thread queues SIGPROF to it (rt_tgsigqueueinfo, through the shared
 * handler of sigprof.h); the signalled thread copies the top of its own stack into a preallocated slot with one
 * process_vm_readv (which fails cleanly on memory that is not mapped, so the handler needs no stack bounds and can
 * never fault), and the worker walks the frame pointers in that copy later. x86_64 Linux only.
 *
 * A thread blocked in a system call that a signal would cut short (poll, epoll_wait, nanosleep, ...: signal(7)
 * lists those that SA_RESTART does not restart) is not signalled: its code might not expect EINTR. The ask reads
 * /proc/self/task/<tid>/syscall first and signals only a thread that runs, or that waits in futex (restarted). */
#ifndef DRD_THREADSNAP_H
#define DRD_THREADSNAP_H

#include <stddef.h>
#include <stdint.h>

struct drd_core;

/* Bytes of stack copied from the stack pointer up: deeper frames are cut (the walk says truncated). */
#define DRD_THREADSNAP_BYTES (32 * 1024)

enum drd_threadsnap_ask {
    DRD_THREADSNAP_SENT = 0, /* signalled: its stack comes through drd_threadsnap_drain */
    DRD_THREADSNAP_IN_SYSCALL, /* blocked in a system call a signal could cut short: not signalled (*syscall_nr) */
    DRD_THREADSNAP_GONE, /* no such thread in this process (it ended, or the id is not an OS thread id) */
    DRD_THREADSNAP_BUSY, /* every slot is taken, or tid has an ask unanswered (a second SIGPROF would merge into it) */
    DRD_THREADSNAP_OFF, /* not started, or stopping */
    DRD_THREADSNAP_FAILED /* the signal could not be queued */
};

/* Preallocates the slots and claims the shared SIGPROF handler's queued signals. Returns 0, or -1 with a sentence
 * in err (the process handles SIGPROF itself, not x86_64, out of memory): nothing is left installed. */
int drd_threadsnap_start(char *err, size_t errcap);

/* From any thread but tid, in any callback: asks thread tid (an OS thread id of this process) for its stack; tag
 * and tag2 come back with it. No allocation, no lock: three system calls to read /proc/self/task/<tid>/syscall and
 * one to queue the signal. *syscall_nr is set for DRD_THREADSNAP_IN_SYSCALL. */
enum drd_threadsnap_ask drd_threadsnap_ask(uint32_t tid, uint64_t tag, uint64_t tag2, long *syscall_nr);

/* What a drained stack is handed to: ips leaf first (ips[0] the interrupted instruction, then return addresses). */
typedef void (*drd_threadsnap_fn)(void *ctx, uint32_t tid, uint64_t tag, uint64_t tag2, const uint64_t *ips, int n,
                                  int truncated);

/* On one consumer thread (the worker): hands each stack taken since the last drain to fn (at most max_depth ips),
 * and frees the slots of signals unanswered for a second (a thread that ended, or blocks SIGPROF, or a timer's
 * SIGPROF pending when ours came: merged into it), or all unanswered ones after drd_threadsnap_stop: counted in
 * *lost when lost is not NULL. */
void drd_threadsnap_drain(int max_depth, drd_threadsnap_fn fn, void *ctx, uint64_t *lost);

/* Stops asking (waits up to 2 s for the asks under way), gives the handler back (the last user's release discards
 * pending signals) and waits up to 2 s for handlers inside. Then drd_threadsnap_free. Idempotent. */
void drd_threadsnap_stop(struct drd_core *c);

/* After drd_threadsnap_stop: frees the slots, unless a handler is still inside (then leaked on purpose, logged). */
void drd_threadsnap_free(struct drd_core *c);

/* The frame-pointer walk over a copy of a stack: buf holds len bytes copied from address sp up. ips[0] = ip, then
 * the return address of each frame (saved rbp at [fp], return address at [fp+8]), every fp 8-aligned, strictly
 * rising and with its 16 bytes inside the copy. *truncated is set when max was reached, or when the chain left
 * the copy at its end. Reads only buf. Returns the number of ips (at least 1 when max >= 1). */
int drd_threadsnap_walk(const unsigned char *buf, size_t len, uint64_t sp, uint64_t ip, uint64_t fp, uint64_t *ips,
                        int max, int *truncated);

#endif
