/* Exports of sampled stacks (cpu-hotpaths, merged-stacks), allocations, waits and heap snapshots (live objects by
 * retention path, samples.h: drd_heap_samples_load; pprof's values inuse_objects/count and inuse_space/bytes) to
 * the formats other tools read:
 * folded stacks, speedscope and pprof. A merged-stacks snapshot exports as one sample of weight 1 per thread.
 * Allocations export each stack with the type allocated as its leaf frame (samples.h), weighted by bytes. A waits
 * session exports its waiting stacks weighted by the time waited (ns), under one thread "every waiting thread":
 * folded counts are then nanoseconds, and pprof's values waits/count and wait/nanoseconds. */
#ifndef DRD_EXPORT_H
#define DRD_EXPORT_H

#include <stddef.h>
#include <stdio.h>

/* Writes Brendan Gregg's folded format: one line per distinct stack, "root;caller;...;leaf count", count being
 * the number of samples (threads for merged stacks, bytes for allocations), lines sorted. In a frame name ';' and line breaks become
 * '_'; a sample without frames is "(no stack)". Returns 0, or -1 with err (unreadable or malformed raw data,
 * no samples, a write error). */
int drd_export_folded(const char *raw_path, FILE *out, char *err, size_t cap);

/* As drd_export_folded; with_lines: a frame whose source line is known is "Method:42", frames of one method on
 * different lines apart (format "folded-lines"). */
int drd_export_folded_as(const char *raw_path, int with_lines, FILE *out, char *err, size_t cap);

/* Writes a speedscope file (https://www.speedscope.app/file-format-schema.json) named name: for cpu-hotpaths one
 * sampled profile per thread, busiest first, in nanoseconds, its samples in time order (consecutive samples in
 * the same stack merged into one, weights added); for merged-stacks one profile "all threads", unit "none", one
 * sample of weight 1 per thread; for allocations one profile "allocated bytes", unit "bytes", one sample per stack
 * weighted by its bytes. Returns 0, or -1 with err. */
int drd_export_speedscope(const char *raw_path, const char *name, FILE *out, char *err, size_t cap);

/* Writes a gzip-compressed pprof profile (perftools.profiles.Profile) to out_path: one sample per sampled stack
 * record, locations leaf first, with the values samples/count and cpu/nanoseconds (wall/nanoseconds in wall
 * mode), or threads/count alone for merged stacks, or alloc_objects/count and alloc_space/bytes for allocations
 * (alloc_space the default sample type); one function and one location per distinct frame name; the
 * sampling period when the file gives it. Native frames are never folded here: each is a location at its memory
 * address in the Mapping of its module (executable range, file offset, file, build-id), with its function when
 * the tool named it and without one otherwise, so that pprof and Pyroscope can symbolize it from the file. Returns 0, or -1 with err (the file may then be partly written). */
int drd_export_pprof(const char *raw_path, const char *out_path, char *err, size_t cap);

/* As drd_export_pprof, into fd (taken: closed on every path), named out_name in messages; for a file the caller
 * made itself (mkstemp), so that nothing is reopened by its path. */
int drd_export_pprof_fd(const char *raw_path, int fd, const char *out_name, char *err, size_t cap);

/* Writes the session in folder dir as a Trace Event Format file (chrome_trace.c): every timed event of its
 * profilers on the session's clock, one track per thread. Returns 0, or -1 with err (no timed data, malformed
 * data, a write error). */
int drd_export_chrome_trace(const char *dir, FILE *out, char *err, size_t cap);

/* The export in format ("speedscope", "folded", "pprof", or "chrome-trace" and "timeline" (the web page's JSON,
 * timeline.h), for which raw_path is the session folder) of raw_path into fd (taken: closed on every path),
 * named out_name in messages; name labels the speedscope file. Returns 0, or -1 with err. */
int drd_export_fd(const char *format, const char *raw_path, const char *name, int fd, const char *out_name, char *err,
                  size_t cap);

#endif
