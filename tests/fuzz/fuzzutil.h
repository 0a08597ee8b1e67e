/* What the fuzz targets share: a private scratch folder for inputs that must be files, and output checks. */
#ifndef DRD_FUZZUTIL_H
#define DRD_FUZZUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "drdotnet/profilers.h"

/* Aborts (a finding libFuzzer records) with a message when cond is false: for the properties a parser
 * promises beyond not crashing. */
#define DRD_FUZZ_CHECK(cond, ...)                                                                                      \
    do {                                                                                                               \
        if (!(cond))                                                                                                   \
            drd_fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);                                                     \
    } while (0)

void drd_fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 4, 5)));

/* The scratch folder of this process, made on first use under $TMPDIR (or /tmp) and removed at exit with what
 * drd_fuzz_write put in it. Aborts when it cannot be made: a fuzz run without its files would prove nothing. */
const char *drd_fuzz_dir(void);

/* Replaces <scratch>/name with size bytes of data and returns its path (static storage, valid until the next
 * call with any name). Aborts on a write error. */
const char *drd_fuzz_write(const char *name, const uint8_t *data, size_t size);

/* The path of <scratch>/name, without creating it (static storage, as above). */
const char *drd_fuzz_path(const char *name);

/* A stream to /dev/null for the printers, opened once. */
FILE *drd_fuzz_devnull(void);

/* The profilers of the library as the tool sees them (copied: the library itself is not part of a fuzz build),
 * with two that are not real: "wide", one parameter of each type over the widest ranges, and "startup-only",
 * which cannot be attached. */
const struct drd_profiler_table *drd_fuzz_profilers(void);

/* 1 when the n bytes of s are well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF). */
int drd_fuzz_utf8_valid(const char *s, size_t n);

#endif
