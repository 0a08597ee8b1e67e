/* Frame-pointer stacks: the bounded RBP-chain walk and the /proc/self/maps lookup of a stack's bounds. */
#include "profiler/fpstack.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define MIN_CODE_ADDR 4096 /* a return address below the first page is no code address */

int drd_fp_walk(uint64_t ip, uint64_t sp, uint64_t fp, uint64_t hi, uint64_t *ips, int max, int *truncated)
{
    *truncated = 0;
    if (max < 1)
        return 0;
    int n = 0;
    ips[n++] = ip;
    if (hi < 16)
        return n;
    uint64_t prev = 0;
    for (;;) {
        if ((fp & 7) != 0 || fp < sp || fp > hi - 16 || (prev != 0 && fp <= prev))
            break;
        const uint64_t *frame = (const uint64_t *)(uintptr_t)fp;
        uint64_t ret = frame[1];
        uint64_t next = frame[0];
        if (ret < MIN_CODE_ADDR)
            break;
        if (n >= max) {
            *truncated = 1;
            break;
        }
        ips[n++] = ret;
        prev = fp;
        fp = next;
    }
    return n;
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

/* One maps line "lo-hi perms ...": records it for every address it holds. Returns 0, or -1 when malformed. */
static int maps_line(const char *s, size_t len, const uint64_t *addrs, int n, uint64_t *lo, uint64_t *hi, int *found)
{
    uint64_t a, b;
    size_t k = hex(s, len, &a);
    if (k == 0 || k >= len || s[k] != '-')
        return -1;
    size_t p = k + 1;
    size_t m = hex(s + p, len - p, &b);
    if (m == 0 || p + m >= len || s[p + m] != ' ' || b <= a)
        return -1;
    p += m + 1;
    if (p >= len)
        return -1;
    if (s[p] != 'r')
        return 0; /* unreadable: never a range to walk */
    for (int i = 0; i < n; i++)
        if (addrs[i] >= a && addrs[i] < b && hi[i] == 0) {
            lo[i] = a;
            hi[i] = b;
            (*found)++;
        }
    return 0;
}

int drd_maps_find(int fd, const uint64_t *addrs, int n, uint64_t *lo, uint64_t *hi)
{
    char buf[8192];
    size_t len = 0;
    int skipping = 0, found = 0;
    for (int i = 0; i < n; i++)
        lo[i] = hi[i] = 0;
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
            if (!skipping && maps_line(buf + start, end - start, addrs, n, lo, hi, &found))
                return -1;
            skipping = 0;
            start = end + 1;
        }
        memmove(buf, buf + start, len - start);
        len -= start;
        if (len == sizeof buf) {
            /* a line longer than the buffer (a long path): its start says all we need */
            if (!skipping && maps_line(buf, len, addrs, n, lo, hi, &found))
                return -1;
            skipping = 1;
            len = 0;
        }
    }
    if (len > 0 && !skipping && maps_line(buf, len, addrs, n, lo, hi, &found))
        return -1;
    return found;
}
