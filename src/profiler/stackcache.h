/* The calling thread's managed stack, cheaply: the runtime's walk (DoStackSnapshot) remembered by the thread's
 * frame-pointer chain.
 *
 * A frame-pointer walk costs a few dozen reads but misses the caller of every method the JIT compiled without a
 * frame (the return address into that caller lies in no frame record), so its addresses do not make a stack a
 * user should read. They do tell one call path from another: the first time a chain is seen, the runtime walks
 * the thread and the result is kept under the chain's addresses; the next samples with the same chain reuse it.
 * A chain through shared generic code (one body for several instantiations, told apart only by the runtime's
 * walk) is never reused: it is walked by the runtime every time, so frames keep their exact class. Reuses of a
 * walk are checked by a fresh one (the 1st, 2nd, 4th, ... 32nd, then every 64th); a chain whose walks differ
 * (two paths that only differ beyond a break in the chain, or in the callers of frameless methods reached
 * through one virtual call site) is walked by the runtime from then on. A chain that ends in managed code (a
 * method that keeps data in rbp cut it) is no key.
 * The chain is read only inside the calling thread's own stack: the main thread's from /proc/self/maps at init,
 * any other's from /proc/self/maps at its first walk (the mapping that holds both its stack pointer and its
 * thread descriptor; system calls, no allocation); a thread running elsewhere (an alternate signal stack) or with
 * unknown bounds reads no chain. Where the chain cannot be read (not x86_64, more threads than the table
 * holds, a chain that ends inside the runtime) or the cache is full, the runtime walks every time.
 * Its frames carry no code address (ip 0, so no source line): a chain does not tell two call sites of a frameless
 * method apart, and telling them apart by the runtime's walk would walk every time. */
#ifndef DRD_STACKCACHE_H
#define DRD_STACKCACHE_H

#include <stdatomic.h>
#include <stddef.h>

#include "profiler/fpstack.h"
#include "profiler/keytable.h"
#include "profiler/stacks.h"

/* A thread's stack bounds, learned at its first walk (from /proc/self/maps) and kept by its thread handle. */
struct drd_thread_bounds {
    _Atomic uint64_t thread; /* pthread_self(), 0: free */
    _Atomic int ready;
    uint64_t lo, hi; /* both 0 when they could not be learned */
};
#define DRD_STACK_CACHE_THREADS 1024

struct drd_stack_cache {
    struct drd_keytable chains; /* key: the chain's return addresses as frames {ip, 0} */
    unsigned char *walks; /* per chain slot: a struct cached_walk with max_depth frames */
    size_t walk_size;
    int max_depth;
    int on; /* 0: every stack by the runtime's walk */
    struct drd_self_ranges ranges;
    struct drd_thread_bounds *threads; /* DRD_STACK_CACHE_THREADS, for threads other than the main one */
    /* reused walks; the runtime's walks; chains of shared generic code; chains whose check found another walk;
     * walks with no chain to keep them under (unreadable, cut, or the cache full) */
    atomic_ullong reused, walked, uncacheable, mismatched, direct;
};

/* Prepares a cache of capacity chains (a power of two) for stacks of at most max_depth frames, reading
 * /proc/self/maps for the native code and the main stack. Outside any callback. Returns 0; -1 when out of memory
 * (err says why). A cache that cannot read its chains (not x86_64, maps unreadable) is valid and off. */
int drd_stack_cache_init(struct drd_stack_cache *sc, size_t capacity, int max_depth, char *err, size_t errcap);

/* Frees the storage; only once no callback can use it. Accepts a cache whose init failed. */
void drd_stack_cache_free(struct drd_stack_cache *sc);

/* The calling thread's stack (it must be a managed thread inside a profiler callback), leaf first, at most max
 * (<= the cache's max_depth) frames: a cached walk, or the runtime's. Returns the depth; 0 when no walk worked.
 * Lock-free, no allocation; a thread's first walk reads /proc/self/maps (open, read, close) for its bounds. */
int drd_stack_cache_walk(struct drd_stack_cache *sc, ICorProfilerInfo15 *info, struct drd_frame *frames, int max);

#endif
