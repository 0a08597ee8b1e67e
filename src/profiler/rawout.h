/* The raw data writer (format in include/drdotnet/raw.h): interns frames, types and stacks, caps the size.
 * Used only from the core's worker thread, never from a callback. */
#ifndef DRD_RAWOUT_H
#define DRD_RAWOUT_H

#include <stdint.h>

#include "clr/corprof.h"
#include "profiler/stacks.h"

struct drd_core;
struct drd_rawout;

/* Creates dir/<profiler>.raw and writes its first line, which names the profiler. max_bytes caps the file.
 * Returns NULL with errno. */
struct drd_rawout *drd_rawout_open(struct drd_core *c, const char *dir, const char *profiler, uint64_t max_bytes);

/* The id of a frame's name, defining it on first use; frames that read the same share an id.
 * Returns 0 or -1 (cap or I/O). */
int drd_rawout_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id);

/* The id of a type, defining it on first use. Returns 0 or -1. */
int drd_rawout_type(struct drd_rawout *r, ClassID cls, uint32_t *id);

/* The id of a stack of n frames (leaf first), defining it and its frames on first use. Returns 0 or -1. */
int drd_rawout_stack(struct drd_rawout *r, const struct drd_frame *frames, int n, uint32_t *id);

/* Reads /proc/self/task/<tid>/comm and writes an 'n' record the first time tid is seen. Returns 0 or -1. */
int drd_rawout_thread(struct drd_rawout *r, uint32_t tid);

/* As drd_rawout_thread, with the name the thread had when it was seen (known, NUL-terminated; NULL or "": read
 * it now), for a thread that may be gone by the time the worker writes. Returns 0 or -1. */
int drd_rawout_thread_as(struct drd_rawout *r, uint32_t tid, const char *known);

/* Appends one record line (the format adds no newline; give it). Returns 0 or -1. */
int drd_rawout_printf(struct drd_rawout *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Pushes buffered lines to the file so a reader sees them. Returns 0 or -1. */
int drd_rawout_flush(struct drd_rawout *r);

/* Bytes written so far. */
uint64_t drd_rawout_bytes(const struct drd_rawout *r);

/* Writes the end line (when ok), flushes and closes. Returns 0, or -1 if anything failed. Accepts NULL. */
int drd_rawout_close(struct drd_rawout *r, int ok, uint64_t events, uint64_t dropped);

#endif
