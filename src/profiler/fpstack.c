/* Frame-pointer stacks: the bounded RBP-chain walk and the /proc/self/maps lookup of a stack's bounds. */
#include "profiler/fpstack.h"

#include <errno.h>
#include <sys/resource.h>
#include <string.h>
#include <unistd.h>

#define MIN_CODE_ADDR 4096 /* a return address below the first page is no code address */

static int native_index(const struct drd_self_ranges *r, uint64_t ip);

/* The frame-pointer chain from fp, reading only [sp, hi): the return address of each frame into ips, at most
 * max (then *truncated is set when the chain went on). With skip, leading return addresses in its native ranges
 * are passed over, at most max_skip of them (-1 when there were more). No call but the range lookup, no
 * allocation, no lock: async-signal-safe. */
static int chain_walk(uint64_t sp, uint64_t fp, uint64_t hi, const struct drd_self_ranges *skip, int max_skip,
                      uint64_t *ips, int max, int *truncated)
{
    int n = 0, skipped = 0, hint = -1;
    uint64_t prev = 0;
    for (;;) {
        if ((fp & 7) != 0 || fp < sp || fp > hi - 16 || (prev != 0 && fp <= prev))
            break;
        const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
        uint64_t ret = frame[1];
        uint64_t next = frame[0];
        if (ret < MIN_CODE_ADDR)
            break;
        /* the runtime's frames above the managed code come mostly from one library: try its range first */
        if (skip && n == 0 &&
            ((hint >= 0 && ret >= skip->lo[hint] && ret < skip->hi[hint]) || (hint = native_index(skip, ret)) >= 0)) {
            if (++skipped > max_skip)
                return -1;
        } else {
            if (n >= max) {
                *truncated = 1;
                break;
            }
            ips[n++] = ret;
        }
        prev = fp;
        fp = next;
    }
    return n;
}

int drd_fp_walk(uint64_t ip, uint64_t sp, uint64_t fp, uint64_t hi, uint64_t *ips, int max, int *truncated)
{
    *truncated = 0;
    if (max < 1)
        return 0;
    ips[0] = ip;
    if (hi < 16)
        return 1;
    return 1 + chain_walk(sp, fp, hi, NULL, 0, ips + 1, max - 1, truncated);
}

/* Reads hex digits at s (len bytes) into *v; returns how many were read (0: none, or more than 16). */
static size_t hex(const char *s, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    size_t i = 0;
    for (; i < len; i++) {
        char ch = s[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A' + 10);
        else
            break;
        if (i >= 16)
            return 0;
        x = (x << 4) | d;
    }
    *v = x;
    return i;
}

/* Parses one maps line "lo-hi perms offset dev inode   path" into *e (path: what follows the inode, possibly
 * empty or cut short at the buffer's end). Returns 0, or -1 when malformed. */
static int maps_line(const char *s, size_t len, struct drd_maps_entry *e)
{
    size_t k = hex(s, len, &e->lo);
    if (k == 0 || k >= len || s[k] != '-')
        return -1;
    size_t p = k + 1;
    size_t m = hex(s + p, len - p, &e->hi);
    if (m == 0 || p + m >= len || s[p + m] != ' ' || e->hi <= e->lo)
        return -1;
    p += m + 1;
    if (p + 4 > len)
        return -1;
    e->readable = s[p] == 'r';
    e->executable = s[p + 2] == 'x';
    p += 4;
    /* offset, device and inode, then spaces before the path */
    for (int field = 0; field < 3; field++) {
        while (p < len && s[p] == ' ')
            p++;
        while (p < len && s[p] != ' ')
            p++;
    }
    while (p < len && s[p] == ' ')
        p++;
    e->path = s + p;
    e->path_len = len - p;
    return 0;
}

int drd_maps_each(int fd, drd_maps_fn fn, void *ctx)
{
    char buf[8192];
    size_t len = 0;
    int skipping = 0;
    struct drd_maps_entry e;
    for (;;) {
        ssize_t r = read(fd, buf + len, sizeof buf - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        len += (size_t)r;
        size_t start = 0;
        for (;;) {
            char *nl = memchr(buf + start, '\n', len - start);
            if (!nl)
                break;
            size_t end = (size_t)(nl - buf);
            if (!skipping) {
                if (maps_line(buf + start, end - start, &e))
                    return -1;
                fn(&e, ctx);
            }
            skipping = 0;
            start = end + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
        if (len == sizeof buf) {
            /* a line longer than the buffer (a long path): its start says all we need */
            if (!skipping) {
                if (maps_line(buf, len, &e))
                    return -1;
                fn(&e, ctx);
            }
            skipping = 1;
            len = 0;
        }
    }
    if (len > 0 && !skipping) {
        if (maps_line(buf, len, &e))
            return -1;
        fn(&e, ctx);
    }
    return 0;
}

struct find_ctx {
    const uint64_t *addrs;
    int n, found;
    uint64_t *lo, *hi;
};

static void find_one(const struct drd_maps_entry *e, void *data)
{
    struct find_ctx *f = data;
    if (!e->readable)
        return; /* unreadable: never a range to walk */
    for (int i = 0; i < f->n; i++)
        if (f->addrs[i] >= e->lo && f->addrs[i] < e->hi && f->hi[i] == 0) {
            f->lo[i] = e->lo;
            f->hi[i] = e->hi;
            f->found++;
        }
}

int drd_maps_find(int fd, const uint64_t *addrs, int n, uint64_t *lo, uint64_t *hi)
{
    struct find_ctx f = {addrs, n, 0, lo, hi};
    for (int i = 0; i < n; i++)
        lo[i] = hi[i] = 0;
    if (drd_maps_each(fd, find_one, &f))
        return -1;
    return f.found;
}

#define MAX_THREAD_STACK (1ULL << 30) /* no thread's stack is larger than this: beyond it, do not trust the top */

/* Whether a mapping's path names a shared library: a file "*.so" or "*.so.<version>", or the vDSO. */
static int is_shared_library(const char *path, size_t len)
{
    if (len == 6 && memcmp(path, "[vdso]", 6) == 0)
        return 1;
    if (len == 0 || path[0] != '/')
        return 0;
    for (size_t i = 0; i + 3 <= len; i++)
        if (memcmp(path + i, ".so", 3) == 0 && (i + 3 == len || path[i + 3] == '.'))
            return 1;
    return 0;
}

struct self_ctx {
    struct drd_self_ranges *r;
    int bad; /* more ranges than fit, or a listing out of address order */
};

static void self_one(const struct drd_maps_entry *e, void *data)
{
    struct self_ctx *s = data;
    struct drd_self_ranges *r = s->r;
    if (e->path_len == 7 && memcmp(e->path, "[stack]", 7) == 0) {
        r->main_lo = e->lo;
        r->main_hi = e->hi;
        return;
    }
    if (!e->executable || !is_shared_library(e->path, e->path_len))
        return;
    if (r->n > 0 && e->lo < r->hi[r->n - 1]) {
        s->bad = 1; /* the kernel lists mappings in address order: the lookup's binary search needs it */
        return;
    }
    if (r->n > 0 && r->hi[r->n - 1] == e->lo) {
        r->hi[r->n - 1] = e->hi; /* adjacent: one range */
        return;
    }
    if (r->n >= DRD_SELF_MAX_NATIVE) {
        s->bad = 1;
        return;
    }
    /* the listing is sorted by address, so the ranges are too */
    r->lo[r->n] = e->lo;
    r->hi[r->n] = e->hi;
    r->n++;
}

int drd_self_ranges_load(int fd, struct drd_self_ranges *r)
{
    struct self_ctx s = {r, 0};
    memset(r, 0, sizeof *r);
    if (drd_maps_each(fd, self_one, &s) || s.bad)
        return -1;
    /* the main stack grows down into the room the kernel keeps below it for RLIMIT_STACK (no other mapping is
     * placed there), so a thread pointer anywhere in that room is on it */
    struct rlimit lim;
    if (r->main_hi && getrlimit(RLIMIT_STACK, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY &&
        lim.rlim_cur <= MAX_THREAD_STACK && r->main_hi - lim.rlim_cur < r->main_lo)
        r->main_lo = r->main_hi - lim.rlim_cur;
    return 0;
}

/* The index of the native range that holds ip, or -1 (binary search). */
static int native_index(const struct drd_self_ranges *r, uint64_t ip)
{
    int lo = 0, hi = r->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (ip < r->lo[mid])
            hi = mid;
        else if (ip >= r->hi[mid])
            lo = mid + 1;
        else
            return mid;
    }
    return -1;
}

int drd_self_native(const struct drd_self_ranges *r, uint64_t ip)
{
    return native_index(r, ip) >= 0;
}

int drd_fp_walk_self(uint64_t sp, uint64_t fp, uint64_t hi, const struct drd_self_ranges *r, int max_skip,
                     uint64_t *ips, int max, int *truncated)
{
    *truncated = 0;
    if (max < 1 || hi < 16)
        return 0;
    int n = chain_walk(sp, fp, hi, r, max_skip, ips, max, truncated);
    return n < 0 ? 0 : n;
}

uint64_t drd_self_stack_top(const struct drd_self_ranges *r, uint64_t sp)
{
    if (sp >= r->main_lo && sp < r->main_hi)
        return r->main_hi;
    return 0;
}
