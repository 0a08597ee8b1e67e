/* UTF-16 <-> UTF-8 conversion for CLR strings; no allocation, safe for bounded buffers. */
#include "clr/utf16.h"

#include <stdint.h>

#define REPLACEMENT 0xFFFDu

size_t drd_u16_len(const char16_t *s)
{
    size_t n = 0;

    if (s == NULL)
        return 0;
    while (s[n] != 0)
        n++;
    return n;
}

static int is_high_surrogate(uint32_t u) { return u >= 0xD800u && u <= 0xDBFFu; }
static int is_low_surrogate(uint32_t u) { return u >= 0xDC00u && u <= 0xDFFFu; }

/* Encodes one scalar value (never a surrogate) into buf; returns its length, 1..4. */
static size_t utf8_encode(uint32_t cp, unsigned char buf[4])
{
    if (cp < 0x80u) {
        buf[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800u) {
        buf[0] = (unsigned char)(0xC0u | (cp >> 6));
        buf[1] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 2;
    }
    if (cp < 0x10000u) {
        buf[0] = (unsigned char)(0xE0u | (cp >> 12));
        buf[1] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
        buf[2] = (unsigned char)(0x80u | (cp & 0x3Fu));
        return 3;
    }
    buf[0] = (unsigned char)(0xF0u | (cp >> 18));
    buf[1] = (unsigned char)(0x80u | ((cp >> 12) & 0x3Fu));
    buf[2] = (unsigned char)(0x80u | ((cp >> 6) & 0x3Fu));
    buf[3] = (unsigned char)(0x80u | (cp & 0x3Fu));
    return 4;
}

int drd_utf16_to_utf8(const char16_t *in, size_t n_units, char *out, size_t out_cap, size_t *out_len)
{
    size_t i = 0;
    size_t len = 0;
    int rc = 0;

    if (out_cap == 0) {
        if (out_len != NULL)
            *out_len = 0;
        return -1;
    }

    while (i < n_units && in[i] != 0) {
        uint32_t cp = in[i++];
        unsigned char buf[4];
        size_t n;

        if (is_high_surrogate(cp)) {
            if (i < n_units && is_low_surrogate(in[i])) {
                cp = 0x10000u + ((cp - 0xD800u) << 10) + ((uint32_t)in[i] - 0xDC00u);
                i++;
            } else {
                cp = REPLACEMENT;
            }
        } else if (is_low_surrogate(cp)) {
            cp = REPLACEMENT;
        }

        n = utf8_encode(cp, buf);
        if (len + n + 1 > out_cap) { /* the +1 keeps room for the NUL */
            rc = -1;
            break;
        }
        for (size_t k = 0; k < n; k++)
            out[len + k] = (char)buf[k];
        len += n;
    }

    out[len] = '\0';
    if (out_len != NULL)
        *out_len = len;
    return rc;
}

/*
 * Decodes one character starting at in[i] (in[i] != 0, i < in_len). Returns
 * the scalar value, or U+FFFD for a maximal ill-formed subpart, and sets
 * *used to the bytes consumed (at least 1).
 */
static uint32_t utf8_decode(const unsigned char *in, size_t i, size_t in_len, size_t *used)
{
    unsigned char b = in[i];
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the first continuation byte */
    size_t need;
    uint32_t cp;

    if (b < 0x80) {
        *used = 1;
        return b;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        need = 1;
        cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        need = 2;
        cp = b & 0x0Fu;
        if (b == 0xE0)
            lo = 0xA0; /* below is overlong */
        else if (b == 0xED)
            hi = 0x9F; /* above encodes a surrogate */
    } else if (b >= 0xF0 && b <= 0xF4) {
        need = 3;
        cp = b & 0x07u;
        if (b == 0xF0)
            lo = 0x90; /* below is overlong */
        else if (b == 0xF4)
            hi = 0x8F; /* above is past U+10FFFF */
    } else {
        /* 80..BF stray continuation, C0/C1 always overlong, F5..FF never valid */
        *used = 1;
        return REPLACEMENT;
    }

    for (size_t k = 1; k <= need; k++) {
        unsigned char c;

        if (i + k >= in_len) {
            *used = k;
            return REPLACEMENT;
        }
        c = in[i + k];
        if (c < lo || c > hi) { /* also catches a NUL byte */
            *used = k;
            return REPLACEMENT;
        }
        cp = (cp << 6) | (c & 0x3Fu);
        lo = 0x80;
        hi = 0xBF;
    }
    *used = need + 1;
    return cp;
}

int drd_utf8_to_utf16(const char *in, size_t in_len, char16_t *out, size_t out_cap_units, size_t *out_units)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t i = 0;
    size_t n = 0;
    int rc = 0;

    while (i < in_len && s[i] != 0) {
        size_t used;
        uint32_t cp = utf8_decode(s, i, in_len, &used);

        if (cp >= 0x10000u) {
            if (n + 2 > out_cap_units) {
                rc = -1;
                break;
            }
            cp -= 0x10000u;
            out[n++] = (char16_t)(0xD800u + (cp >> 10));
            out[n++] = (char16_t)(0xDC00u + (cp & 0x3FFu));
        } else {
            if (n + 1 > out_cap_units) {
                rc = -1;
                break;
            }
            out[n++] = (char16_t)cp;
        }
        i += used;
    }

    if (n < out_cap_units)
        out[n] = 0;
    if (out_units != NULL)
        *out_units = n;
    return rc;
}
