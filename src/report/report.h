/* Reports built by the tool from a session folder: JSON data for scripts and the web UI, text for people. */
#ifndef DRD_REPORT_H
#define DRD_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#define DRD_RAW_READ_MAX ((size_t)4 << 30)

/* Loads dir/session.json. Returns a new reference to an object whose "id", "status" and "reason" are strings
 * ("reason" is "" when the file has none) and whose "profiler" is an object, or NULL with err. */
json_t *drd_session_load(const char *dir, char *err, size_t cap);

/* A session folder without session.json stays "running" while its folder or its progress.json changed less than
 * this long ago; past it, the session is "abandoned" (the tool and the profiler both stopped before its end). One
 * rule for the command and the web API. */
#define DRD_SESSION_STALE_MS 60000
#define DRD_SESSION_ABANDONED_REASON                                                                                  \
    "no session.json, and nothing in the folder changed for a minute: the session stopped before its end"

/* 1 while the session folder dir (one without session.json) counts as running, by the rule above; 0 when
 * abandoned or unreadable. */
int drd_session_folder_live(const char *dir);

/* What a session folder without session.json tells of its session, in the shape of drd_session_load's answer:
 * {"id","status":"running"|"abandoned","reason","profiler":{"name"},"target":{"pid"},"files":[...],
 * "partial":true}. The profiler is named by its raw data file when there is one (else by the id), files lists
 * that file, and "partial" (set when there is such a file) marks data that nobody closed: a report
 * built from it shows what was written, its last record possibly cut. Returns a new reference, or NULL when out
 * of memory. */
json_t *drd_session_infer(const char *dir, const char *id);

/* drd_session_load, or drd_session_infer when dir has no session.json at all. Returns a new reference, or NULL
 * with err. */
json_t *drd_session_load_any(const char *dir, char *err, size_t cap);

/* The sessions root: $DRDOTNET_HOME/sessions or ${XDG_DATA_HOME:-$HOME/.local/share}/drdotnet/sessions. */
int drd_sessions_root(char *out, size_t cap);

/* Session ids under root, newest first (ids sort by time). Returns the count (caller frees with
 * drd_sessions_free), or -1 when root cannot be read (0 when it does not exist). */
int drd_sessions_list(const char *root, char ***ids);
void drd_sessions_free(char **ids, int n);

/* Finds the session folder for what the user typed: an id, a unique prefix of one, or "last".
 * Returns 0 with the folder path, or -1 with err. */
int drd_session_resolve(const char *root, const char *arg, char *dir, size_t cap, char *err, size_t errcap);

/* What the tool does with one profiler's data: one row per profiler, in report.c. */
struct drd_report_kind {
    const char *profiler; /* the library descriptor's name */
    /* the report from the profiler's raw file alone; or, when NULL, build() with the session folder and record */
    json_t *(*from_raw)(const char *raw_path, char *err, size_t cap);
    json_t *(*build)(const char *raw_path, const char *dir, json_t *session, char *err, size_t cap);
    void (*print)(FILE *out, json_t *report);
    int sampled_stacks; /* its raw file holds weighted stacks (samples.h: samples or allocations): it exports as
                         * speedscope, folded and pprof */
};

/* The row of a profiler, or NULL for a profiler this tool has no report for. */
const struct drd_report_kind *drd_report_kind(const char *profiler);

/* Writes "<dir>/<profiler>.raw", the raw file the library names after its profiler, into out. Returns 0, or -1
 * when it does not fit in cap. */
int drd_report_raw_path(const char *dir, const char *profiler, char *out, size_t cap);

/* Builds the report data of a finished session (dispatching on its profiler; for a session of several,
 * {"profiler", "reports": {"<profiler>": report or {"profiler", "error"}}}). Returns a new reference, or NULL with
 * err (no data, malformed data, unknown profiler). */
json_t *drd_report_build(const char *dir, json_t *session, char *err, size_t cap);

/* drd_report_build of what happened in [from_ns, to_ns) of the session's clock: the profilers that can
 * (cpu-hotpaths) report that range alone, the others the whole session. */
json_t *drd_report_build_range(const char *dir, json_t *session, uint64_t from_ns, uint64_t to_ns, char *err,
                               size_t cap);

/* The profiler of session whose sampled stacks an export writes: wanted when it names one that has them, else the
 * one profiler of the session that has them. Returns its name (owned by session), or NULL with err (none, or
 * several and none named). */
const char *drd_report_export_profiler(json_t *session, const char *wanted, char *err, size_t cap);

/* What --json prints for a session: {"session": session, "report": report} for one profiler, {"session": session,
 * "reports": {"<profiler>": report, ...}} for several. Returns a new reference, or NULL when out of memory. */
json_t *drd_report_json(json_t *session, json_t *report);

/* Prints the session header and the report as text (each report of a session of several, one after the other),
 * every string of both (keys too) with its control characters escaped (common/safetext.h): nothing from a target or
 * a session file reaches the terminal raw. */
void drd_report_print(FILE *out, json_t *session, json_t *report);

/* Every report built from stacks (exceptions, cpu-hotpaths, merged-stacks, allocations, waits) names native frames
 * "function (library)", folds runs of unnamed ones, and carries "native" (src/symbols/symbols.h,
 * drd_symbols_summary) when its raw file has native modules. */

/* The exceptions profiler's report. */
json_t *drd_exceptions_report(const char *raw_path, char *err, size_t cap);
void drd_exceptions_print(FILE *out, json_t *report);

/* The cpu-hotpaths profiler's report: {"profiler","mode","frequency","period_ns","samples","total_ns","dropped",
 * "complete","threads":[{"tid","name","samples","ns"}],"top":[{"function","self","total","self_ns","total_ns"}],
 * "tree":{"name","total","self","total_ns","self_ns","children":[...]}}. Functions are ranked by self time; a
 * function's total counts a sample once however often it recurs in the stack. The tree starts at "all" (the
 * root frames are its children), children heaviest first; past 200,000 nodes the lightest fold into "(other)"
 * children. Native frames are named "function (library)" and runs of unnamed ones folded (src/symbols/symbols.h);
 * when the file has native modules, "native" lists them and the unnamed frames' modules and offsets
 * (drd_symbols_summary). Returns a new reference, or NULL with err. */
json_t *drd_cpu_report(const char *raw_path, char *err, size_t cap);
/* drd_cpu_report of the samples taken in [from_ns, to_ns) of the session's clock (its 'z' line, raw.h), the report
 * then saying "range": {"from_ns","to_ns"}. */
json_t *drd_cpu_report_range(const char *raw_path, uint64_t from_ns, uint64_t to_ns, char *err, size_t cap);
void drd_cpu_print(FILE *out, json_t *report);

/* The merged-stacks profiler's report: {"profiler","threads","dropped","complete","tree":{"name","threads",
 * "tids","children":[...]},"stacks":[{"tid","name","frames":[leaf first]}]}, each tree node counting the
 * threads whose stack runs through it; "native" as in the cpu-hotpaths report. Returns a new reference, or NULL with
 * err. */
json_t *drd_merged_report(const char *raw_path, char *err, size_t cap);
void drd_merged_print(FILE *out, json_t *report);

/* The runtime-pauses profiler's report; wall_ms is the session's length, for the share of time paused. */
json_t *drd_pauses_report(const char *raw_path, double wall_ms, char *err, size_t cap);
void drd_pauses_print(FILE *out, json_t *report);
/* The duplicated-strings profiler's report. */
json_t *drd_strings_report(const char *raw_path, char *err, size_t cap);
void drd_strings_print(FILE *out, json_t *report);

/* The allocations profiler's report: {"profiler","mode","walker","exact","samples","count","bytes","dropped",
 * "types":[{"type","count","bytes","samples","stacks":[{"count","bytes","frames":[leaf first]}]}],
 * "tree":{"name":"all","bytes","count","samples","children":[...]}}. Counts and bytes are estimates scaled from
 * the samples unless "exact". The tree goes from the root frames to the allocating ones, each stack ending in a
 * node of the type allocated ("type":true), children by bytes, largest first; past 262,144 nodes a stack stops at
 * the last node made and the root says "cut". Returns a new reference, or NULL with err. */
json_t *drd_allocations_report(const char *raw_path, char *err, size_t cap);
void drd_allocations_print(FILE *out, json_t *report);

/* The heap-snapshot profiler's report, from dir/heap-snapshot.raw and dir/heap-snapshot.graph:
 * {"profiler","complete","objects","heap_bytes","unreachable_objects","unreachable_bytes","types_total","pause_ms",
 *  "gc_ms","roots":{"static","handle","stack","finalizer","other","weak"},
 *  "types":[{"type","count","shallow","retained","paths":[{"retained","path"}]}],
 *  "retainers":[{"type","retained","path":[{"root":"static","field"} or {"root":kind},{"type"}...]}],
 *  "dominators":{"id":1,"type":"(roots)","shallow","retained","kids","children":[{"id","type","shallow","retained",
 *  "kids","children",["more","more_retained"]}]}} (an "id" names the node for /api/sessions/<id>/dominators/<node>,
 *  which gives any node's children: heap_tree.h).
 * count and shallow cover every object of the graph; retained, from the dominator tree under a virtual root over
 * the roots (weak roots are none), sums a type's objects that no other object of the type dominates, so nested
 * ones count once. Objects no root reaches are "unreachable" and retain nothing. Types go by retained bytes,
 * largest first, at most max_types of them (SIZE_MAX: all); "types_total" counts them all. The retainers are the
 * 10 objects that retain the most, preferring those that are not the only object their dominator dominates; each
 * path goes from a root (static fields first, then handles, stack, finalizer queue, other), shortest first, at
 * most 64 steps (longer ones keep the root, a {"skipped":n} step and the last 62). A cut last record of the graph
 * (the target died) is left out and "complete" is false. The first 200 types carry "paths": the paths of the 3
 * objects of the type that retain the most (leaving out those whose immediate dominator is of the same type).
 * "dominators" is the dominator tree, children largest first, at most 20 per node ("more" objects retaining
 * "more_retained" bytes are not shown) and 2,000 nodes in all, level by level; "kids" counts every object a node
 * immediately dominates. Returns a new reference, or NULL with err (missing or
 * malformed files, out of memory). */
json_t *drd_heap_analyze(const char *dir, size_t max_types, char *err, size_t cap);
/* drd_heap_analyze with the top 200 types. */
json_t *drd_heap_report(const char *dir, char *err, size_t cap);
void drd_heap_print(FILE *out, json_t *report);
/* Prints a retention path (the reports' "path" arrays) as "static F -> T1 -> T2 (x3) -> ...", then a newline. */
void drd_heap_print_path(FILE *out, json_t *path);

/* The types that changed from one heap-snapshot report to another (types of the same name summed):
 * [{"type","count_before","count_after","count_delta","shallow_delta","retained_delta"}], largest retained growth
 * first. Compare reports built with every type (drd_heap_analyze with SIZE_MAX), or a type that left the top list
 * looks freed. Returns a new reference, or NULL when out of memory. */
json_t *drd_heap_diff(json_t *before, json_t *after);

/* Writes s as a JSON string to out (NULL as ""; a string that is not UTF-8, which the raw reader never gives, as
 * "?"): for the exports that stream their JSON. */
void drd_report_put_json_str(FILE *out, const char *s);
/* The leaks profiler's report, from dir/leaks.raw and dir/leaks.graph (one graph per snapshot), with
 * dir/allocations.raw when allocations ran in the same session:
 * {"profiler":"leaks","complete","verdict":sentence,"allocations":bool,"snapshots":[{"at_ms","objects","heap_bytes",
 *  "pause_ms"}],"snapshots_asked" (more than were taken when the session ended first),"growing_total","growing":[{"type","count":[per snapshot],"shallow":[...],"retained":[...],
 *  "count_growth","shallow_growth","retained_growth","count_per_step":[...],"holder":{"path","instances",
 *  "new_instances"},"allocated":{"bytes","count","samples","stacks":[{"count","bytes","frames"}]}}]}.
 * A type grows when its live count and its retained bytes (as heap-snapshot counts them) rose from each snapshot to
 * the next; the first 20 by retained growth are given, "growing_total" counts them all. "holder" is the path (steps
 * as heap-snapshot's, a run of one type folded into one step with "repeat") that holds the most more of the type's
 * instances in the last snapshot than in the first; "allocated" the type's row of the allocations report, its top 3
 * stacks. "verdict" says it in one sentence, or that nothing grew. Returns a new reference, or NULL with err. */
json_t *drd_leaks_report(const char *dir, char *err, size_t cap);
void drd_leaks_print(FILE *out, json_t *report);

/* A byte count for people: "1.5 MB", "-320 B"; with plus, a growth gets its "+". */
void drd_report_bytes(json_int_t v, int plus, char *buf, size_t cap);

/* Sorts arr, an array of objects, by their integer member key, largest first (ties keep no particular order). Out of
 * memory, arr stays as it was. */
void drd_report_sort_desc(json_t *arr, const char *key);

/* The waits profiler's report: {"profiler","runtime","wait_handles_seen","complete","contended","contended_ns",
 * "blocking_waits","blocking_ns","min_wait_us","locks":[{"lock","count","total_ns","max_ns","p50_ns","p95_ns",
 * "p99_ns","distribution_of","owners":[{"owner","name","count","waited_ns"}],"tree"}],"waits":[{"kind",...same}],
 * "threads":[{"tid","name","waits","waited_ns","lock_ns","blocked_ns"}],"thread_pool":{"workers","adjustments",
 * "max_workers","last_workers","starvation_adjustments","starved","verdict"},"unseen":[sentences],"left_out":{...}}.
 * Counts and totals are exact (the library's counters); the quantiles, owners and per-thread times come from the
 * waits' own records ("distribution_of" of them; "left_out.records_dropped" were lost under a storm). Trees start at
 * "all", root frames first, nodes {"name","ns","count","children"} heaviest first. Returns a new reference, or NULL
 * with err. */
json_t *drd_waits_report(const char *raw_path, char *err, size_t cap);
void drd_waits_print(FILE *out, json_t *report);

/* "gc", "gc-prep", "profiler", ... for a COR_PRF_SUSPEND_REASON value. */
const char *drd_pause_reason_name(int reason);

#endif
