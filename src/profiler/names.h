/* Readable names for functions and types, resolved in the target through the profiling API and metadata. */
#ifndef DRD_NAMES_H
#define DRD_NAMES_H

#include <stddef.h>

#include "clr/corprof.h"

struct drd_names;

/* Creates a resolver over info (not owned). Returns NULL when out of memory. */
struct drd_names *drd_names_create(ICorProfilerInfo15 *info);

/* Releases the metadata interfaces it holds. Accepts NULL. */
void drd_names_destroy(struct drd_names *n);

/* Writes "Namespace.Type.Method" (nested types joined with '+', generic arity suffix removed) into out.
 * Returns 0, or -1 when the runtime could not say, in which case out holds a placeholder. Call from a
 * profiler thread (not a signal handler); metadata is cached per module. */
int drd_names_function(struct drd_names *n, FunctionID fid, char *out, size_t cap);

/* Writes "Namespace.Type" (arrays as "Elem[]") into out. Returns 0, or -1 with a placeholder in out. */
int drd_names_class(struct drd_names *n, ClassID cls, char *out, size_t cap);

/* Removes the `N arity suffixes of a type or method name, in place ("List`1" -> "List"). */
void drd_names_strip_arity(char *s);

#endif
