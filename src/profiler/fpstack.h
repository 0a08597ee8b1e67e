/* Frame-pointer stacks: a bounded walk of the saved-RBP chain that is safe in a signal handler, and the stack
 * bounds it needs, found in /proc/self/maps outside the handler. */
#ifndef DRD_FPSTACK_H
#define DRD_FPSTACK_H

#include <stdint.h>

/* Walks the frame-pointer chain of a stopped context: ips[0] = ip, then the return address of each frame
 * (saved rbp at [fp], return address at [fp+8]). Every frame pointer read must be 8-aligned, strictly above the
 * previous one and inside [sp, hi) with its 16 bytes; the walk stops at the first that is not, at a zero return
 * address, or after max entries (then *truncated is set when the chain went on). Reads nothing outside
 * [sp, hi); the caller guarantees that range is mapped and readable. No call, no allocation, no lock: async-
 * signal-safe. Returns the number of ips written (at least 1 when max >= 1). */
int drd_fp_walk(uint64_t ip, uint64_t sp, uint64_t fp, uint64_t hi, uint64_t *ips, int max, int *truncated);

/* Reads a /proc/<pid>/maps listing from fd (to its end) and, for each of the n addresses, finds the readable
 * mapping that contains it: lo[i], hi[i] are set to its bounds, or both to 0 when no readable mapping holds
 * addrs[i]. Uses a fixed buffer on the stack, no allocation. Returns the number of addresses found, or -1 when
 * reading failed or a line was malformed. Not for a signal handler (it reads a file); any thread otherwise. */
int drd_maps_find(int fd, const uint64_t *addrs, int n, uint64_t *lo, uint64_t *hi);

#endif
