/* Conversions between the CLR's UTF-16 strings (char16_t) and UTF-8, with bounded caller-owned buffers. */
#ifndef DRD_CLR_UTF16_H
#define DRD_CLR_UTF16_H

#include <stddef.h>
#include <uchar.h>

/* Number of UTF-16 units before the first NUL unit. Returns 0 for NULL. */
size_t drd_u16_len(const char16_t *s);

/*
 * Converts up to n_units UTF-16 units from `in` to UTF-8 in `out`, stopping
 * early at a NUL unit (which is not converted). A surrogate that is not half
 * of a well-formed pair, including a high surrogate whose low half lies beyond
 * n_units, becomes U+FFFD (EF BF BD).
 *
 * The caller owns both buffers; nothing is allocated. `in` may be NULL only if
 * n_units is 0; `out` may be NULL only if out_cap is 0.
 *
 * Whenever out_cap > 0, `out` is NUL-terminated, and *out_len (if out_len is
 * not NULL) receives the bytes written before that NUL.
 *
 * Returns 0 when the whole input and the terminating NUL fit. Returns -1 when
 * out_cap is too small: `out` then holds the longest prefix of whole
 * characters that fits with its NUL (never part of a character); with
 * out_cap == 0 nothing is written and *out_len is 0.
 */
int drd_utf16_to_utf8(const char16_t *in, size_t n_units, char *out, size_t out_cap, size_t *out_len);

/*
 * Converts up to in_len bytes of UTF-8 from `in` to UTF-16 in `out`, stopping
 * early at a NUL byte (which is not converted). Code points above U+FFFF
 * become surrogate pairs. Ill-formed input (stray continuation bytes, C0, C1,
 * F5..FF, overlong forms, encoded surrogates, values above U+10FFFF, or a
 * sequence cut short by a bad byte, a NUL or the end of input) becomes
 * U+FFFD, one per maximal ill-formed subpart as Unicode recommends: C0 80
 * gives two U+FFFD, a lone E2 82 gives one.
 *
 * The caller owns both buffers; nothing is allocated. `in` may be NULL only if
 * in_len is 0; `out` may be NULL only if out_cap_units is 0.
 *
 * *out_units (if out_units is not NULL) receives the units written, not
 * counting any NUL. A terminating NUL unit is written after them only if
 * out_cap_units leaves room for it, on success and on failure alike; callers
 * that need a terminated string must pass a buffer one unit larger than the
 * text, or check *out_units < out_cap_units.
 *
 * Returns 0 when the whole input was converted. Returns -1 when out_cap_units
 * is too small: `out` then holds the longest prefix of whole characters that
 * fits (never half of a surrogate pair).
 */
int drd_utf8_to_utf16(const char *in, size_t in_len, char16_t *out, size_t out_cap_units, size_t *out_units);

#endif /* DRD_CLR_UTF16_H */
