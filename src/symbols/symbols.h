/* Native frames by function name, in the tool: the raw file records each native frame's module (path, build-id,
 * load address) and address; this names it "function (library)" from the module's ELF symbol tables (.symtab,
 * .dynsym, or the separate debug file found by build-id), and folds runs of frames of one module that stay
 * unnamed into one frame, "libcoreclr.so (6 frames)".
 *
 * Why elfutils' libdwfl: it is what perf and systemd-coredump use to do exactly this, it finds separate debug
 * files by build-id (/usr/lib/debug/.build-id) and MiniDebugInfo, reads .symtab or .dynsym, picks the symbol
 * that contains an address (a sized symbol, never the nearest one below a gap), and is fuzzed upstream; a
 * hand-written ELF reader would redo all of that as one more parser of outside input. The files are read
 * where the target sees them: through /proc/<pid>/root while the target (the same process: its start time is
 * in the raw file) lives, else at the same path on this machine; a file whose build-id differs from the one the
 * target loaded is not used, so a name is right or absent, never wrong. */
#ifndef DRD_SYMBOLS_H
#define DRD_SYMBOLS_H

#include <stdio.h>

#include <jansson.h>

#include "report/rawread.h"

/* The tool's choices for every report it builds: resolve names from the files (default 1) and fold unnamed runs
 * (default 1). Set once at start (command-line options), before any report. */
void drd_symbols_configure(int resolve, int fold);

/* Whether the calling thread's loads keep native frames apart, each with its address, whatever the choice above
 * (1 for pprof, whose readers symbolize addresses themselves); returns the previous value. */
int drd_symbols_keep_apart(int on);

/* Names the native frames of d (read from raw_path, whose folder holds session.json with the target's pid) and
 * folds them as configured. Frames keep their module name when no name is found. Returns 0, or -1 when out of
 * memory (d stays consistent). */
int drd_symbols_apply(const char *raw_path, struct drd_rawdata *d);

/* "/proc/<pid>/root" when the session's target (session.json beside raw_path) is still the process that wrote d
 * (the same start time, from its 'np' record), else "": where the target's files (native modules, assemblies) are
 * read from. */
void drd_symbols_target_root(const char *raw_path, const struct drd_rawdata *d, char *root, size_t cap);

/* Names the native frames of d from the files of its modules, each opened as root + path (root "" for this
 * machine's files; a file that cannot be opened there is tried at path). Returns 0 or -1 (out of memory). */
int drd_symbols_name(struct drd_rawdata *d, const char *root);

/* Rewrites d's stacks so that each run of two or more consecutive unnamed frames of one module is one frame named
 * "<library> (<n> frames)" (fold), or names each unnamed frame "<library>+0x<address>" (!fold). Returns 0 or -1
 * (out of memory; stacks already rewritten stay valid). */
int drd_symbols_fold(struct drd_rawdata *d, int fold);

/* The "native" member of a report over d: {"modules":[{"path","build_id","symbols","frames","named"}],
 * "unnamed_total","unnamed":[{"module" (index in modules),"offset" ("0x..." in the module's ELF terms)}]}, the
 * first 1,000 unnamed frames listed; "symbols" is "read" or why the module's file was not used. NULL when d has no
 * native module (or out of memory). */
json_t *drd_symbols_summary(const struct drd_rawdata *d);

/* Sets report's "native" member to drd_symbols_summary(d) when d has native modules. Accepts a NULL report. */
void drd_symbols_attach(json_t *report, const struct drd_rawdata *d);

/* Prints a line for each module of a report's "native" member whose file was not used, saying why. Nothing for
 * NULL. */
void drd_symbols_print(FILE *out, json_t *native);

/* Adds name (taken: freed with d, also on failure) to d's owned names. Returns 0 or -1. */
int drd_symbols_own(struct drd_rawdata *d, char *name);

#endif
