/* Fuzz target: the library's reader of ELF notes (src/profiler/natmods.c), which finds a module's GNU build-id in
 * its PT_NOTE segment in memory. The first input byte picks the alignment (4 or 8), the rest is the segment. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "profiler/natmods.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t align = size && (data[0] & 1) ? 8 : 4;
    const uint8_t *notes = size ? data + 1 : data;
    size_t len = size ? size - 1 : 0;
    /* a copy of exactly len bytes, so that ASan sees any read past the segment */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        abort();
    memcpy(copy, notes, len);
    uint8_t out[DRD_BUILD_ID_MAX + 1];
    memset(out, 0xa5, sizeof out);
    size_t n = drd_natmods_build_id(copy, len, align, out, DRD_BUILD_ID_MAX);
    DRD_FUZZ_CHECK(n <= DRD_BUILD_ID_MAX, "build-id of %zu bytes copied into %d", n, DRD_BUILD_ID_MAX);
    DRD_FUZZ_CHECK(n <= len, "a build-id of %zu bytes from %zu bytes of notes", n, len);
    DRD_FUZZ_CHECK(out[DRD_BUILD_ID_MAX] == 0xa5, "wrote past the build-id buffer");
    /* the same notes with a 1-byte output cap copy at most that */
    n = drd_natmods_build_id(copy, len, align, out, 1);
    DRD_FUZZ_CHECK(n <= 1, "copied %zu bytes into a cap of 1", n);
    free(copy);
    return 0;
}
