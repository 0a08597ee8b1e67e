/* Reading a raw data file (format in include/drdotnet/raw.h) strictly: bad input is an error, never a crash. */
#ifndef DRD_RAWREAD_H
#define DRD_RAWREAD_H

#include <stddef.h>
#include <stdint.h>

struct drd_rawread_stack {
    uint32_t n;
    uint32_t *frames; /* frame ids, leaf first */
};

/* A native module of the target ('nm' record): where it was loaded and what the tool needs to find its file. */
struct drd_rawread_module {
    char *path;                 /* as the target knew it (points into the file's text) */
    char build_id[129];         /* lowercase hex, "" when the module has none */
    uint64_t bias;              /* memory address minus ELF address */
    uint64_t exec_lo, exec_hi;  /* ELF address range of its executable segments */
    uint64_t exec_off;          /* file offset of the first executable segment */
    const char *symbols;        /* set by the symbolizer: "read", or why the file was not used (static text) */
};

/* What a frame's 'N' field said: the module (1-based, 0 for a frame without one) and the ELF address in it.
 * named is set by the symbolizer when it found the function; folded counts the frames a folded frame stands
 * for (0 for others). */
struct drd_rawread_native {
    uint32_t module;
    uint32_t named, folded;
    uint64_t addr;
};

/* Where a managed frame's source line is found (an 'f' record's "M" field): its assembly (an 'mm' record), the
 * method's token and the IL offset. asm_id 0: the frame has none. */
struct drd_rawread_site {
    uint32_t asm_id, token;
    int32_t il; /* -1: unknown */
};

/* An assembly of the target ('mm' record): its file and the MVID the runtime loaded (hex, or "-"). */
struct drd_rawread_asm {
    const char *path, *mvid;
};

/* A managed frame's source line, found by the tool (src/symbols/lines.c). */
struct drd_rawread_line {
    char *label; /* "Method (File.cs:42)", or NULL when no line was found */
    const char *method; /* the frame's name without the line */
    char *file; /* the document's full path */
    uint32_t line;
};

/* Every name here (profiler, frames, types) is valid UTF-8 without control characters, whatever the file held:
 * bytes that are not part of a well-formed character become '?', control characters a space. */
struct drd_rawdata {
    char profiler[64];
    uint32_t n_frames, n_types, n_stacks;
    char **frames; /* index id-1 */
    char **types;
    struct drd_rawread_stack *stacks;
    struct drd_rawread_site *sites; /* index frame id - 1 (n_sites == n_frames) */
    uint32_t n_sites, n_asms;
    struct drd_rawread_asm *asms; /* index assembly id - 1 */
    struct drd_rawread_line *lines; /* index frame id - 1 (n_sites entries), or NULL: set by drd_rawread_load */
    uint32_t site_frames, line_frames; /* frames with a code site; of those, frames given a line */
    char lines_why[256]; /* why the others have none ("" when every one has a line) */
    int ended; /* the end line was present */
    int has_zero; /* the file has its 'z' line: the session's clock */
    int64_t zero_wall_ns; /* ns since the Unix epoch at the zero of the session's clock */
    uint64_t zero_mono_ns; /* the target machine's CLOCK_MONOTONIC at the zero */
    uint64_t start_begin_ns, start_end_ns; /* when the profiler's start began and ended, since the zero */
    uint64_t events, dropped;
    struct drd_rawread_module *modules; /* index id-1 */
    uint32_t n_modules;
    struct drd_rawread_native *native; /* index frame id-1, n_native of them (frames the file defined) */
    uint32_t n_native;
    uint64_t start_ticks; /* the target's start time ('np' record), 0 when not given */
    char **owned;         /* names made by the tool (symbols, folding), freed with the data */
    uint32_t n_owned;
};

/* A profiler-specific record: fields[0] is the tag. Return 0 to go on, -1 (with err) to refuse the file. */
typedef int (*drd_rawread_record_fn)(void *ctx, const struct drd_rawdata *d, char **fields, int n, char *err,
                                     size_t cap);

/* Parses len bytes of buf (modified in place: fields point into it). Returns 0, or -1 with a sentence in err
 * naming the line. The tables must be freed with drd_rawdata_free, also after a failure. */
int drd_rawread_parse(char *buf, size_t len, struct drd_rawdata *d, drd_rawread_record_fn fn, void *ctx, char *err,
                  size_t cap);

/* Reads and parses path (at most max_bytes), then names its native frames from the target's files and folds the
 * unnamed ones (src/symbols/symbols.h). Returns 0 or -1 with err. *buf_out keeps the text the names point into:
 * free it after the data. */
int drd_rawread_load(const char *path, size_t max_bytes, struct drd_rawdata *d, char **buf_out,
                     drd_rawread_record_fn fn, void *ctx, char *err, size_t cap);

void drd_rawdata_free(struct drd_rawdata *d);

/* The name a stack shows for frame id: "Method (File.cs:42)" when its line is known, else its name. */
const char *drd_rawread_label(const struct drd_rawdata *d, uint32_t id);

/* Frame id's source line (file: the full path), or NULL when none is known. */
const struct drd_rawread_line *drd_rawread_line_of(const struct drd_rawdata *d, uint32_t id);

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
