/* Reading a raw data file (format in include/drdotnet/raw.h) strictly: bad input is an error, never a crash. */
#ifndef DRD_RAWREAD_H
#define DRD_RAWREAD_H

#include <stddef.h>
#include <stdint.h>

struct drd_rawread_stack {
    uint32_t n;
    uint32_t *frames; /* frame ids, leaf first */
};

/* Every name here (profiler, frames, types) is valid UTF-8 without control characters, whatever the file held:
 * bytes that are not part of a well-formed character become '?', control characters a space. */
struct drd_rawdata {
    char profiler[64];
    uint32_t n_frames, n_types, n_stacks;
    char **frames; /* index id-1 */
    char **types;
    struct drd_rawread_stack *stacks;
    int ended; /* the end line was present */
    int has_zero; /* the file has its 'z' line: the session's clock */
    int64_t zero_wall_ns; /* ns since the Unix epoch at the zero of the session's clock */
    uint64_t zero_mono_ns; /* the target machine's CLOCK_MONOTONIC at the zero */
    uint64_t start_begin_ns, start_end_ns; /* when the profiler's start began and ended, since the zero */
    uint64_t events, dropped;
};

/* A profiler-specific record: fields[0] is the tag. Return 0 to go on, -1 (with err) to refuse the file. */
typedef int (*drd_rawread_record_fn)(void *ctx, const struct drd_rawdata *d, char **fields, int n, char *err,
                                     size_t cap);

/* Parses len bytes of buf (modified in place: fields point into it). Returns 0, or -1 with a sentence in err
 * naming the line. The tables must be freed with drd_rawdata_free, also after a failure. */
int drd_rawread_parse(char *buf, size_t len, struct drd_rawdata *d, drd_rawread_record_fn fn, void *ctx, char *err,
                  size_t cap);

/* Reads and parses path (at most max_bytes). Returns 0 or -1 with err. *buf_out keeps the text the names point
 * into: free it after the data. */
int drd_rawread_load(const char *path, size_t max_bytes, struct drd_rawdata *d, char **buf_out,
                     drd_rawread_record_fn fn, void *ctx, char *err, size_t cap);

void drd_rawdata_free(struct drd_rawdata *d);

/* Makes the NUL-terminated s valid UTF-8 without control characters, in place and never longer: each byte that is
 * not part of a well-formed character becomes '?', each control character (below 0x20, and 0x7f) a space. For the
 * names that profiler records carry (thread names, ...). */
void drd_rawread_clean_text(char *s);

/* Parses a decimal u64 field; returns 0 or -1. */
int drd_rawread_u64(const char *s, uint64_t *out);

/* One "a <type> <stack> <samples> <count> <bytes>" record of an allocations raw file, checked against d (known
 * type and stack ids, sizes below 2^56). */
struct drd_rawread_alloc {
    uint32_t type, stack;
    uint64_t samples, count, bytes;
};

/* Reads fields f[0..n-1] as an allocation record into out. Returns 0, or -1 with err. */
int drd_rawread_alloc_record(const struct drd_rawdata *d, char **f, int n, struct drd_rawread_alloc *out, char *err,
                             size_t cap);

/* Makes room for one more element in *arr (elem bytes each, *cap of them, n used), doubling from 256: for the arrays
 * the reports build from records. Returns 0, or -1 when out of memory (*arr unchanged). */
int drd_rawread_grow(void **arr, size_t *cap, size_t n, size_t elem);

#endif
