/* Source lines in the reports: the hot-lines table (self time by file:line), the lines of a stack's frames in
 * JSON, and the sentence saying for how many frames no line was found and why. */
#ifndef DRD_HOTLINES_H
#define DRD_HOTLINES_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "report/rawread.h"

/* Self time by source line: each stack's samples and weight go to the line of its innermost frame that has one
 * (the user's line a native callee ran for). Heaviest first, at most max lines: [{file, line, method, self,
 * self_ns}], an empty array when no frame has a line. stack_samples/stack_weight: index stack id - 1. */
json_t *drd_hot_lines_json(const struct drd_rawdata *d, const uint64_t *stack_samples, const uint64_t *stack_weight,
                           size_t max);

/* {frames, with_line, why}: the frames that carry a code site, those given a line, and why the others were not
 * ("" when all were); NULL when the file has no code sites (an older library, or no managed frame). */
json_t *drd_lines_summary_json(const struct drd_rawdata *d);

/* The lines of a stack's frames, aligned with its frames: null or {file, line}; NULL when none has a line. */
json_t *drd_lines_stack_json(const struct drd_rawdata *d, uint32_t stack);

/* Prints the hot-lines table (by_ns: shares of time, else of samples, of whole) and the summary's sentence. */
void drd_hot_lines_print(FILE *out, json_t *hot, json_t *summary, json_int_t whole, int by_ns, size_t max);

/* Prints a stack's frame k (its name: frame) as "<indent>at Method (File.cs:42)", or without the line when lines
 * (the stack's "lines" array, may be NULL) has none for it. */
void drd_lines_print_frame(FILE *out, const char *indent, json_t *frame, json_t *lines, size_t k);

/* Prints "Source lines: <why>" when some frames have no line. Accepts NULL. */
void drd_lines_summary_print(FILE *out, json_t *summary);

/* The file name at the end of a path, after its last '/' or '\\' (PDBs built on Windows name files so). */
const char *drd_path_base(const char *path);

#endif
