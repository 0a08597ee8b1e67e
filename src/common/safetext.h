/* Text from a target or a session file made safe for a terminal: control characters shown escaped, not obeyed. */
#ifndef DRD_SAFETEXT_H
#define DRD_SAFETEXT_H

#include <stddef.h>

/* 1 when s holds a byte that drd_safetext_escape rewrites: a C0 control character (tab and newline included: a
 * name or a command line that breaks a line could fake the lines after it), DEL, a C1 control character (U+0080 to
 * U+009F, which some terminals obey like ESC [), or a byte that is not valid UTF-8. 0 for NULL. */
int drd_safetext_needed(const char *s);

/* Writes s into out (cap bytes, NUL-terminated, cut at a whole escape when short) with each control character
 * as \xNN (C0 and DEL), \u00NN (C1) and each byte of invalid UTF-8 as \xNN; everything else, backslashes
 * included, as it is. NULL writes "". Returns the length the whole result needs, without its NUL (as snprintf).
 * Does not allocate. */
size_t drd_safetext_escape(const char *s, char *out, size_t cap);

/* drd_safetext_escape into a new string (caller frees). Returns NULL when out of memory. */
char *drd_safetext_dup(const char *s);

#endif
