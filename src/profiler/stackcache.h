/* The calling thread's managed stack, cheaply: the runtime's walk (DoStackSnapshot) remembered by the thread's
 * frame-pointer chain.
 *
 * A frame-pointer walk costs a few dozen reads but misses the caller of every method the JIT compiled without a
 * frame (the return address into that caller lies in no frame record), so its addresses do not make a stack a
 * user should read. They do tell one call path from another: the first time a chain is seen, the runtime walks
 * the thread and the result is kept under the chain's addresses; the next samples with the same chain reuse it.
 * A chain through shared generic code (one body for several instantiations, told apart only by the runtime's
 * walk) is never reused: it is walked by the runtime every time, so frames keep their exact class.
 * Where the chain cannot be read (not x86_64, an unknown stack layout, a chain that ends inside the runtime) or
 * the cache is full, the runtime walks every time. */
#ifndef DRD_STACKCACHE_H
#define DRD_STACKCACHE_H

#include <stdatomic.h>
#include <stddef.h>

#include "profiler/fpstack.h"
#include "profiler/keytable.h"
#include "profiler/stacks.h"

struct drd_stack_cache {
    struct drd_keytable chains; /* key: the chain's return addresses as frames {ip, 0} */
    unsigned char *walks; /* per chain slot: a struct cached_walk with max_depth frames */
    size_t walk_size;
    int max_depth;
    int on; /* 0: every stack by the runtime's walk */
    struct drd_self_ranges ranges;
    atomic_ullong reused, walked, uncacheable, direct; /* direct: walked with no chain to keep it under */
};

/* Prepares a cache of capacity chains (a power of two) for stacks of at most max_depth frames, reading
 * /proc/self/maps for the native code and the main stack. Outside any callback. Returns 0; -1 when out of memory
 * (err says why). A cache that cannot read its chains (not x86_64, maps unreadable) is valid and off. */
int drd_stack_cache_init(struct drd_stack_cache *sc, size_t capacity, int max_depth, char *err, size_t errcap);

/* Frees the storage; only once no callback can use it. Accepts a cache whose init failed. */
void drd_stack_cache_free(struct drd_stack_cache *sc);

/* The calling thread's stack (it must be a managed thread inside a profiler callback), leaf first, at most max
 * (<= the cache's max_depth) frames: a cached walk, or the runtime's. Returns the depth; 0 when no walk worked.
 * Lock-free, no allocation. */
int drd_stack_cache_walk(struct drd_stack_cache *sc, ICorProfilerInfo15 *info, struct drd_frame *frames, int max);

#endif
