/* Frame-pointer stacks: a bounded walk of the saved-RBP chain that is safe in a signal handler, and the stack
 * bounds it needs, found in /proc/self/maps outside the handler. */
#ifndef DRD_FPSTACK_H
#define DRD_FPSTACK_H

#include <stddef.h>
#include <stdint.h>

/* Walks the frame-pointer chain of a stopped context: ips[0] = ip, then the return address of each frame
 * (saved rbp at [fp], return address at [fp+8]). Every frame pointer read must be 8-aligned, strictly above the
 * previous one and inside [sp, hi) with its 16 bytes; the walk stops at the first that is not, at a zero return
 * address, or after max entries (then *truncated is set when the chain went on). Reads nothing outside
 * [sp, hi); the caller guarantees that range is mapped and readable. No call, no allocation, no lock: async-
 * signal-safe. Returns the number of ips written (at least 1 when max >= 1). */
int drd_fp_walk(uint64_t ip, uint64_t sp, uint64_t fp, uint64_t hi, uint64_t *ips, int max, int *truncated);

/* One line of a /proc/<pid>/maps listing. path points into the reader's buffer (valid during the call only, not
 * NUL-terminated, empty for an anonymous mapping, cut short when longer than the buffer). */
struct drd_maps_entry {
    uint64_t lo, hi;
    int readable, executable;
    const char *path;
    size_t path_len;
};
typedef void (*drd_maps_fn)(const struct drd_maps_entry *e, void *ctx);

/* Reads a /proc/<pid>/maps listing from fd (to its end) and calls fn for each line, in order. Fixed buffer on the
 * stack, no allocation. Returns 0, or -1 when reading failed or a line was malformed (fn may have seen the lines
 * before it). Not for a signal handler. */
int drd_maps_each(int fd, drd_maps_fn fn, void *ctx);

/* Reads a /proc/<pid>/maps listing from fd (to its end) and, for each of the n addresses, finds the readable
 * mapping that contains it: lo[i], hi[i] are set to its bounds, or both to 0 when no readable mapping holds
 * addrs[i]. Uses a fixed buffer on the stack, no allocation. Returns the number of addresses found, or -1 when
 * reading failed or a line was malformed. Not for a signal handler (it reads a file); any thread otherwise. */
int drd_maps_find(int fd, const uint64_t *addrs, int n, uint64_t *lo, uint64_t *hi);

/* Where a thread may walk its own stack: the executable mappings of shared libraries (the runtime, the C
 * library, this library: code that is never managed), sorted, and the main thread's stack. Found once, outside
 * any callback (drd_self_ranges_load), then only read. */
#define DRD_SELF_MAX_NATIVE 128
struct drd_self_ranges {
    int n;
    uint64_t lo[DRD_SELF_MAX_NATIVE], hi[DRD_SELF_MAX_NATIVE];
    uint64_t main_lo, main_hi; /* the [stack] mapping, or 0, 0 */
};

/* Fills r from a /proc/self/maps listing read from fd: every executable mapping of a file named like a shared
 * library ("*.so", "*.so.*") or [vdso], and [stack]. Returns 0, or -1 when the listing could not be read, had
 * more such mappings than fit, or was not in address order. The main stack counts from its top down to RLIMIT_STACK
 * below it (where it may grow). */
int drd_self_ranges_load(int fd, struct drd_self_ranges *r);

/* Whether ip lies in one of r's native code ranges (binary search; no call, no allocation). */
int drd_self_native(const struct drd_self_ranges *r, uint64_t ip);

/* The calling thread's stack walk by its frame pointers, from fp (the caller's own frame, whose return address
 * comes first) with sp at or below it: return addresses in native code (the runtime's and this library's
 * frames above the managed code that called into them) are skipped, at most max_skip of them; then up to max
 * return addresses are written to ips (*truncated set when the chain went on). The walk reads only [sp, hi) with
 * the rules of drd_fp_walk. hi is the top of the calling thread's stack mapping. Returns the number of
 * ips written; 0 when the chain ended, or max_skip was reached, before any non-native address. */
int drd_fp_walk_self(uint64_t sp, uint64_t fp, uint64_t hi, const struct drd_self_ranges *r, int max_skip,
                     uint64_t *ips, int max, int *truncated);

/* The top of the main thread's stack when sp lies on it (the room below its mapping where it may still grow
 * included), else 0. */
uint64_t drd_self_stack_top(const struct drd_self_ranges *r, uint64_t sp);

#endif
