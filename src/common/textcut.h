/* Text that may be cut: names and messages shown to people, never paths (drd_fs_path refuses those instead). */
#ifndef DRD_TEXTCUT_H
#define DRD_TEXTCUT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Formats into out (cap bytes) as snprintf does, cutting what does not fit: for a display name or a message,
 * whose end may be lost. Does nothing when out is NULL or cap 0 (a caller that wants no message). Returns 1 when
 * the text was cut, else 0. Safe in any callback: no allocation. */
static inline int drd_text_cut(char *out, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline int drd_text_cut(char *out, size_t cap, const char *fmt, ...)
{
    if (!out || cap == 0)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, cap, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= cap;
}

#endif
