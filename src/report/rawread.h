/* Reading a raw data file (format in include/drdotnet/raw.h) strictly: bad input is an error, never a crash. */
#ifndef DRD_RAWREAD_H
#define DRD_RAWREAD_H

#include <stddef.h>
#include <stdint.h>

struct drd_raw_stack {
    uint32_t n;
    uint32_t *frames; /* frame ids, leaf first */
};

struct drd_rawdata {
    char profiler[64];
    uint32_t n_frames, n_types, n_stacks;
    char **frames; /* index id-1 */
    char **types;
    struct drd_raw_stack *stacks;
    int ended; /* the end line was present */
    uint64_t events, dropped;
};

/* A profiler-specific record: fields[0] is the tag. Return 0 to go on, -1 (with err) to refuse the file. */
typedef int (*drd_raw_record_fn)(void *ctx, const struct drd_rawdata *d, char **fields, int n, char *err, size_t cap);

/* Parses len bytes of buf (modified in place: fields point into it). Returns 0, or -1 with a sentence in err
 * naming the line. The tables must be freed with drd_rawdata_free, also after a failure. */
int drd_raw_parse(char *buf, size_t len, struct drd_rawdata *d, drd_raw_record_fn fn, void *ctx, char *err,
                  size_t cap);

/* Reads and parses path (at most max_bytes). Returns 0 or -1 with err. *buf_out keeps the text the names point
 * into: free it after the data. */
int drd_raw_load(const char *path, size_t max_bytes, struct drd_rawdata *d, char **buf_out, drd_raw_record_fn fn,
                 void *ctx, char *err, size_t cap);

void drd_rawdata_free(struct drd_rawdata *d);

/* Parses a decimal u64 field; returns 0 or -1. */
int drd_raw_u64(const char *s, uint64_t *out);

#endif
