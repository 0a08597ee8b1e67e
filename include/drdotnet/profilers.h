/* Profiler descriptors: what the library holds, as the tool sees it through drdotnet_profilers(). */
#ifndef DRDOTNET_PROFILERS_H
#define DRDOTNET_PROFILERS_H

#include <stdint.h>

enum drd_param_type {
    DRD_PARAM_INT = 1, /* decimal integer within [min, max] */
    DRD_PARAM_ENUM = 2, /* one of the '|'-separated words in choices */
    DRD_PARAM_BOOL = 3, /* true or false */
};

struct drd_param_desc {
    const char *key;
    enum drd_param_type type;
    const char *default_value; /* as text, valid for the type */
    const char *description;
    int64_t min, max; /* DRD_PARAM_INT only */
    const char *choices; /* DRD_PARAM_ENUM only, e.g. "cpu|wall" */
};

#define DRD_PROFILER_ATTACH 0x1u /* can be attached to a running process */
#define DRD_PROFILER_STARTUP 0x2u /* can be loaded at startup (drdotnet launch) */
#define DRD_PROFILER_ONESHOT 0x4u /* takes one snapshot and ends its session: runs alone */

/* The parameters a session's core declares once, with one default each, for every profiler that takes them (its
 * descriptor's `common`): duration (seconds to collect, default 10; a profiler that takes one snapshot has none: its
 * session ends with the snapshot, or after DRD_ONESHOT_DEADLINE_S), max_stack_depth (frames kept per stack, 128)
 * and max_file_mb (the raw file's cap, 256). The table the library gives (drdotnet_profilers) lists them among
 * each profiler's parameters: duration first, then the profiler's own, then max_stack_depth and max_file_mb. */
#define DRD_COMMON_DURATION 0x1u
#define DRD_COMMON_MAX_STACK_DEPTH 0x2u
#define DRD_COMMON_MAX_FILE_MB 0x4u
#define DRD_ONESHOT_DEADLINE_S 120

struct drd_profiler_desc {
    const char *name; /* the vocabulary word: exceptions, cpu-hotpaths, ... */
    const char *clsid; /* "{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}" */
    const char *description; /* one line */
    const struct drd_param_desc *params; /* its own; with the common ones in the library's table */
    int n_params;
    unsigned flags; /* DRD_PROFILER_* */
    unsigned common; /* DRD_COMMON_*: the session's parameters it takes */
};

struct drd_profiler_table {
    int abi; /* DRD_DESCRIPTOR_ABI */
    const char *version; /* DRD_VERSION of the library */
    int count;
    const struct drd_profiler_desc *const *profilers;
};

/* Exported by libdrdotnet.so. Static data only: calling it has no side effect, so the tool may call it
 * after dlopen in its own process. Never returns NULL. */
typedef const struct drd_profiler_table *(*drd_profilers_fn)(void);
#define DRD_PROFILERS_SYMBOL "drdotnet_profilers"

/* Looks a profiler up by name in a table; NULL when absent. */
const struct drd_profiler_desc *drd_profiler_find(const struct drd_profiler_table *t, const char *name);

#endif
