/* Readable names for frames and types, resolved in the target through the profiling API and metadata. */
#ifndef DRD_NAMES_H
#define DRD_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "clr/corprof.h"
#include "profiler/stacks.h"

struct drd_names;

/* Creates a resolver over info (not owned). Returns NULL when out of memory. */
struct drd_names *drd_names_create(ICorProfilerInfo15 *info);

/* Releases the metadata interfaces it holds. Accepts NULL. */
void drd_names_destroy(struct drd_names *n);

/* Writes a frame's name into out: "Namespace.Type<Args>.Method" for managed code (nested types joined with
 * '+', generic arity suffixes removed, the exact type arguments when the frame carried its class, compiler-
 * generated lambdas, local functions and state machines named after the method they belong to), "[dynamic
 * method]", or "library!symbol" / "library" / "[native]" for native code. Returns 0, or -1 when the runtime could
 * not say, in which case out holds a placeholder. Call from a profiler thread (metadata is cached per module),
 * never from a signal handler or while the runtime is suspended. */
int drd_names_frame(struct drd_names *n, const struct drd_frame *f, char *out, size_t cap);

/* Writes "Namespace.Type<Args>" (arrays as "Elem[]") into out. Returns 0, or -1 with a placeholder in out. */
int drd_names_class(struct drd_names *n, ClassID cls, char *out, size_t cap);

/* The module's MVID (the 16 bytes of its metadata's Module row, as stored). Returns 0, or -1 when the runtime could
 * not say. Same threads as drd_names_frame. */
int drd_names_module_mvid(struct drd_names *n, ModuleID module, uint8_t out[16]);

/* Removes the `N arity suffixes of a name, in place ("List`1" -> "List"). */
void drd_names_strip_arity(char *s);

/* Rewrites compiler-generated parts of "Type+Nested.Method" in place: closure classes (<>c, <>c__DisplayClass)
 * vanish, "<M>b__0_1" becomes "M (lambda)", "<M>g__Local|0_0" becomes "M.Local (local function)", and a state
 * machine "<M>d__5.MoveNext" becomes "M (async)" or "M (iterator)" as is_async says. cap is out's size. */
void drd_names_friendly(char *s, size_t cap, int is_async);

#endif
