/* The runtime's stack walks remembered by frame-pointer chain (stackcache.h). */
#define _GNU_SOURCE
#include "profiler/stackcache.h"

#include "drdotnet/raw.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHAIN_DEPTH 64 /* return addresses that tell one path from another */
#define MAX_NATIVE_SKIP 64 /* the runtime's frames between a callback and the managed code below it */
#define CHECK_EVERY 64 /* reuses of a walk checked by the runtime: the 1st, 2nd, 4th ... 32nd, then every 64th */

/* The state of a chain's slot, in its keytable counter 0; counter 1 counts its reuses. */
enum { CHAIN_NEW = 0, CHAIN_WALKING = 1, CHAIN_CACHED = 2, CHAIN_UNCACHEABLE = 3 };

struct cached_walk {
    uint32_t depth;
    struct drd_frame frames[]; /* max_depth */
};

static struct cached_walk *walk_at(struct drd_stack_cache *sc, uint32_t slot)
{
    return (struct cached_walk *)(void *)(sc->walks + (size_t)(slot - 1) * sc->walk_size);
}

int drd_stack_cache_init(struct drd_stack_cache *sc, size_t capacity, int max_depth, char *err, size_t errcap)
{
    memset(sc, 0, sizeof *sc);
    if (max_depth < 1 || max_depth > DRD_RAW_MAX_DEPTH) {
        snprintf(err, errcap, "stack depth %d out of range", max_depth);
        return -1;
    }
    sc->max_depth = max_depth;
#if defined(__x86_64__)
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    int ok = fd >= 0 && drd_self_ranges_load(fd, &sc->ranges) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok)
        return 0; /* off: the runtime walks every stack */
    sc->walk_size = (sizeof(struct cached_walk) + (size_t)max_depth * sizeof(struct drd_frame) + 15) & ~(size_t)15;
    sc->walks = calloc(capacity, sc->walk_size);
    sc->threads = calloc(DRD_STACK_CACHE_THREADS, sizeof *sc->threads);
    if (!sc->walks || !sc->threads || drd_keytable_init(&sc->chains, capacity, CHAIN_DEPTH)) {
        drd_stack_cache_free(sc);
        snprintf(err, errcap, "out of memory for the stack cache");
        return -1;
    }
    sc->on = 1;
#else
    (void)capacity, (void)err, (void)errcap;
#endif
    return 0;
}

void drd_stack_cache_free(struct drd_stack_cache *sc)
{
    drd_keytable_free(&sc->chains);
    free(sc->walks);
    free(sc->threads);
    sc->walks = NULL;
    sc->threads = NULL;
    sc->on = 0;
}

#define THREAD_PROBES 16

/* The calling thread's stack, found without allocating (pthread_getattr_np would: its CPU set): the readable
 * mapping of /proc/self/maps that holds both sp and the thread's descriptor, which the C library (glibc and musl
 * alike) keeps at the top of the thread's stack block, above every frame. Then [sp, self) is the thread's own
 * stack, mapped as long as the thread lives, even when the kernel lists its mapping merged with a neighbour's.
 * Sets *lo and *hi to 0 when the two lie elsewhere (a stack that the thread's code chose itself, an alternate
 * signal stack) or the maps could not be read. */
static void learn_bounds(uint64_t sp, uint64_t *lo, uint64_t *hi)
{
    uint64_t self = (uint64_t)pthread_self();
    uint64_t addrs[2] = {sp, self}, los[2], his[2];
    *lo = *hi = 0;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    int found = drd_maps_find(fd, addrs, 2, los, his);
    close(fd);
    if (found == 2 && los[0] == los[1] && his[0] == his[1] && sp < self) {
        *lo = los[0];
        *hi = self;
    }
}

/* The top of the calling thread's stack when sp lies inside it, else 0. The main thread's from the maps read at
 * init; any other's learned once (learn_bounds) and kept by thread handle. A handle that a new thread reuses
 * comes with the same stack block (the handle is the descriptor at the block's top), and sp must lie inside the
 * bounds anyway. */
static uint64_t thread_top(struct drd_stack_cache *sc, uint64_t sp)
{
    uint64_t top = drd_self_stack_top(&sc->ranges, sp);
    if (top)
        return top;
    uint64_t self = (uint64_t)pthread_self();
    uint64_t h = self * 0x9e3779b97f4a7c15ULL;
    for (uint32_t p = 0; p < THREAD_PROBES; p++) {
        struct drd_thread_bounds *b = &sc->threads[((h >> 40) + p) & (DRD_STACK_CACHE_THREADS - 1)];
        uint64_t owner = atomic_load_explicit(&b->thread, memory_order_acquire);
        if (owner == 0) {
            uint64_t expected = 0;
            if (!atomic_compare_exchange_strong(&b->thread, &expected, self)) {
                owner = expected;
            } else {
                learn_bounds(sp, &b->lo, &b->hi);
                atomic_store_explicit(&b->ready, 1, memory_order_release);
                owner = self;
            }
        }
        if (owner != self)
            continue;
        if (!atomic_load_explicit(&b->ready, memory_order_acquire))
            return 0; /* cannot happen: only this thread fills its own entry */
        return sp >= b->lo && sp < b->hi ? b->hi : 0;
    }
    return 0;
}

/* Reads the calling thread's frame-pointer chain below the managed code into chain[] as frames {ip, 0}. Returns
 * how many, or 0 when it cannot be read or does not look whole. Whole: it goes on past CHAIN_DEPTH, or its last
 * address is native code (the thread's start, the runtime's call into Main). A chain that ends in managed code
 * was cut by a method that keeps something else than a frame pointer in rbp: its addresses would not tell the
 * path below that method, so it is no key. */
static int __attribute__((noinline)) read_chain(struct drd_stack_cache *sc, struct drd_frame *chain)
{
#if defined(__x86_64__)
    uint64_t ips[CHAIN_DEPTH];
    uint64_t sp = (uint64_t)(uintptr_t)&ips[0];
    uint64_t fp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
    uint64_t top = thread_top(sc, sp);
    if (!top)
        return 0;
    int truncated;
    int n = drd_fp_walk_self(sp, fp, top, &sc->ranges, MAX_NATIVE_SKIP, ips, CHAIN_DEPTH, &truncated);
    if (n <= 0 || (!truncated && !drd_self_native(&sc->ranges, ips[n - 1])))
        return 0;
    for (int i = 0; i < n; i++)
        chain[i] = (struct drd_frame){ips[i], 0, 0};
    return n;
#else
    (void)sc, (void)chain;
    return 0;
#endif
}

/* Keeps a frame's code address (its source line) only where the chain fixes it: a frame whose return address is
 * in the chain comes back at that address in every sample of the chain. A frame whose callee keeps no frame
 * record has its return address in no frame record, so the chain does not tell one call site from another there:
 * its address is cleared (the frame names its method only), or a kept walk would give every sample of the chain
 * the site of the first. Walks of one chain then compare equal whatever their other sites. */
static int chain_sites(struct drd_frame *frames, int n, const struct drd_frame *chain, int n_chain)
{
    /* both run leaf first, so one pass: a frame's return address is looked for from after the previous one found
     * (the few frames not found cost a scan to the chain's end each) */
    int from = 0;
    for (int i = 0; i < n; i++) {
        int found = -1;
        for (int j = from; j < n_chain && found < 0 && frames[i].ip; j++)
            if (chain[j].fn == frames[i].ip + 1)
                found = j;
        if (found < 0)
            frames[i].ip = 0;
        else
            from = found + 1;
    }
    return n;
}

/* Whether a walk may be reused for every sample of its chain: no frame of shared generic code, whose exact class
 * (given by the runtime's walk) is not told by the code address. */
static int reusable(ICorProfilerInfo15 *info, const struct drd_frame *frames, int n)
{
    for (int i = 0; i < n; i++) {
        if (DRD_FRAME_IS_NATIVE(&frames[i]) || frames[i].cls == 0)
            continue;
        ClassID cls = 0;
        ModuleID module;
        mdToken tok;
        ULONG32 ntypeargs;
        if (FAILED(info->lpVtbl->GetFunctionInfo2(info, (FunctionID)frames[i].fn, 0, &cls, &module, &tok, 0,
                                                   &ntypeargs, NULL)) ||
            cls != frames[i].cls)
            return 0;
    }
    return 1;
}

/* A reuse that the runtime checks: it walks, and when its walk differs from the kept one (two paths with one
 * chain), the chain is walked by the runtime from then on. Returns the runtime's walk. */
static int checked(struct drd_stack_cache *sc, ICorProfilerInfo15 *info, atomic_ullong *state,
                   const struct cached_walk *w, const struct drd_frame *chain, int n_chain, struct drd_frame *frames,
                   int max)
{
    int truncated;
    struct drd_frame fresh[DRD_RAW_MAX_DEPTH];
    int d = chain_sites(fresh, drd_stack_walk(info, 0, fresh, sc->max_depth, &truncated), chain, n_chain);
    atomic_fetch_add_explicit(&sc->walked, 1, memory_order_relaxed);
    if (d != (int)w->depth || memcmp(fresh, w->frames, (size_t)d * sizeof *fresh) != 0) {
        atomic_store_explicit(state, CHAIN_UNCACHEABLE, memory_order_relaxed);
        atomic_fetch_add_explicit(&sc->mismatched, 1, memory_order_relaxed);
    }
    if (d > max)
        d = max;
    memcpy(frames, fresh, (size_t)d * sizeof *frames);
    return d;
}

int drd_stack_cache_walk(struct drd_stack_cache *sc, ICorProfilerInfo15 *info, struct drd_frame *frames, int max)
{
    int truncated;
    /* off (walker=runtime, or no chains here): the runtime's own walk of this very stack, every site right; before
     * the clamp below, since a cache never set up keeps a max_depth of 0 (which once gave walker=runtime no stack) */
    if (!sc->on)
        return drd_stack_walk(info, 0, frames, max, &truncated);
    if (max > sc->max_depth)
        max = sc->max_depth;
    struct drd_frame chain[CHAIN_DEPTH];
    int n = read_chain(sc, chain);
    uint32_t slot = n > 0 ? drd_keytable_find(&sc->chains, 0, chain, (uint32_t)n) : 0;
    if (!slot) {
        atomic_fetch_add_explicit(&sc->direct, 1, memory_order_relaxed);
        return drd_stack_walk(info, 0, frames, max, &truncated); /* never kept: every site is right */
    }
    atomic_ullong *state = drd_keytable_counter(&sc->chains, slot, 0);
    struct cached_walk *w = walk_at(sc, slot);
    unsigned long long s = atomic_load_explicit(state, memory_order_acquire);
    if (s == CHAIN_CACHED) {
        unsigned long long uses = atomic_fetch_add_explicit(drd_keytable_counter(&sc->chains, slot, 1), 1,
                                                            memory_order_relaxed);
        /* checked early and often at first (a chain shared by two paths shows soon), then every 64th */
        if ((uses < CHECK_EVERY && ((uses + 1) & uses) == 0) || uses % CHECK_EVERY == CHECK_EVERY - 1)
            return checked(sc, info, state, w, chain, n, frames, max);
        int d = (int)w->depth < max ? (int)w->depth : max;
        memcpy(frames, w->frames, (size_t)d * sizeof *frames);
        atomic_fetch_add_explicit(&sc->reused, 1, memory_order_relaxed);
        return d;
    }
    unsigned long long expected = CHAIN_NEW;
    if (s == CHAIN_NEW && atomic_compare_exchange_strong(state, &expected, CHAIN_WALKING)) {
        /* the first sample of this chain: the runtime walks (as deep as the cache keeps), the walk is kept */
        int d = chain_sites(w->frames, drd_stack_walk(info, 0, w->frames, sc->max_depth, &truncated), chain, n);
        w->depth = (uint32_t)d;
        int keep = d > 0 && reusable(info, w->frames, d);
        atomic_store_explicit(state, keep ? CHAIN_CACHED : CHAIN_UNCACHEABLE, memory_order_release);
        if (!keep)
            atomic_fetch_add_explicit(&sc->uncacheable, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&sc->walked, 1, memory_order_relaxed);
        if (d > max)
            d = max;
        memcpy(frames, w->frames, (size_t)d * sizeof *frames);
        return d;
    }
    /* shared generic code, or another thread is walking this chain right now */
    atomic_fetch_add_explicit(&sc->walked, 1, memory_order_relaxed);
    return chain_sites(frames, drd_stack_walk(info, 0, frames, max, &truncated), chain, n);
}
