/* Escaping of control characters in text from outside, for printing on a terminal (see safetext.h). */
#include "common/safetext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The length of the valid UTF-8 sequence at p (1 to 4), or 0 when p does not start one. Overlong forms,
 * surrogates and code points past U+10FFFF are not valid. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    size_t n;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* How the sequence at p is written: 0 as it is (*len bytes), else the escape in esc. */
static int classify(const unsigned char *p, size_t *len, char esc[8])
{
    size_t n = utf8_len(p);
    if (n == 0) {
        *len = 1;
        snprintf(esc, 8, "\\x%02x", p[0]);
        return 1;
    }
    *len = n;
    if (n == 1 && (p[0] < 0x20 || p[0] == 0x7f)) {
        snprintf(esc, 8, "\\x%02x", p[0]);
        return 1;
    }
    if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
        snprintf(esc, 8, "\\u%04x", (unsigned)p[1]);
        return 1;
    }
    return 0;
}

int drd_safetext_needed(const char *s)
{
    char esc[8];
    size_t len;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p += len)
        if (classify(p, &len, esc))
            return 1;
    return 0;
}

size_t drd_safetext_escape(const char *s, char *out, size_t cap)
{
    size_t need = 0, len;
    char esc[8];
    int full = cap == 0;
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p += len) {
        const char *piece = (const char *)p;
        size_t plen;
        if (classify(p, &len, esc)) {
            piece = esc;
            plen = strlen(esc);
        } else
            plen = len;
        if (!full && need + plen < cap)
            memcpy(out + need, piece, plen);
        else if (!full) {
            out[need] = 0; /* cut before this piece, never inside it */
            full = 1;
        }
        need += plen;
    }
    if (!full)
        out[need] = 0;
    return need;
}

char *drd_safetext_dup(const char *s)
{
    size_t n = drd_safetext_escape(s, NULL, 0);
    char *out = malloc(n + 1);
    if (out)
        drd_safetext_escape(s, out, n + 1);
    return out;
}
