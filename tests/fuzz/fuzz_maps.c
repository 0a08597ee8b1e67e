/* Fuzz target: a /proc/<pid>/maps listing through the library's readers (src/profiler/fpstack.c): the stack-bounds
 * lookup of the signal sampler and the code ranges and main stack of the stack cache. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzzutil.h"
#include "profiler/fpstack.h"

/* The listing in a fresh in-memory file, at its start. */
static int listing(const uint8_t *data, size_t size)
{
    int fd = memfd_create("maps", MFD_CLOEXEC);
    if (fd < 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    if (lseek(fd, 0, SEEK_SET) != 0)
        abort();
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* addresses to look up: fixed ones and, when the input is long enough, its first bytes read as one */
    uint64_t addrs[4] = {0x1000, 0x7f0000001000, 0x7ffd00010000, 0};
    for (size_t i = 0; i < 8 && i < size; i++)
        addrs[3] = (addrs[3] << 8) | data[i];
    uint64_t lo[4], hi[4];
    int fd = listing(data, size);
    int found = drd_maps_find(fd, addrs, 4, lo, hi);
    close(fd);
    DRD_FUZZ_CHECK(found >= -1 && found <= 4, "more addresses found than asked");
    if (found >= 0)
        for (int i = 0; i < 4; i++)
            DRD_FUZZ_CHECK((lo[i] == 0 && hi[i] == 0) || (lo[i] <= addrs[i] && addrs[i] < hi[i]),
                           "a mapping that does not hold its address");

    struct drd_self_ranges r;
    fd = listing(data, size);
    int rc = drd_self_ranges_load(fd, &r);
    close(fd);
    if (rc == 0) {
        DRD_FUZZ_CHECK(r.n >= 0 && r.n <= DRD_SELF_MAX_NATIVE, "range count out of bounds");
        for (int i = 0; i < r.n; i++) {
            DRD_FUZZ_CHECK(r.lo[i] < r.hi[i], "an empty or inverted range");
            DRD_FUZZ_CHECK(i == 0 || r.hi[i - 1] <= r.lo[i], "ranges out of order");
            DRD_FUZZ_CHECK(drd_self_native(&r, r.lo[i]) && drd_self_native(&r, r.hi[i] - 1),
                           "the lookup misses a range's own bounds");
        }
        DRD_FUZZ_CHECK(r.main_lo <= r.main_hi, "an inverted main stack");
        for (int i = 0; i < 4; i++) {
            uint64_t top = drd_self_stack_top(&r, addrs[i]);
            DRD_FUZZ_CHECK(top == 0 || (addrs[i] >= r.main_lo && addrs[i] < top), "a top below its address");
        }
    }
    return 0;
}
