/* A small streaming JSON writer into a fixed buffer (see jsonw.h). */
#include "common/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void drd_jsonw_init(struct drd_jsonw *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = cap;
    if (cap)
        buf[0] = 0;
    else
        w->overflow = 1;
}

static void put(struct drd_jsonw *w, const char *s, size_t n)
{
    if (w->overflow)
        return;
    if (w->len + n + 1 > w->cap) {
        w->overflow = 1;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

static void puts_(struct drd_jsonw *w, const char *s)
{
    put(w, s, strlen(s));
}

/* Writes the comma before a new item when needed. */
static void item(struct drd_jsonw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->count[w->depth]++ > 0)
        put(w, ",", 1);
}

static void open_(struct drd_jsonw *w, const char *c)
{
    item(w);
    put(w, c, 1);
    if (w->depth + 1 >= DRD_JSONW_MAX_DEPTH) {
        w->overflow = 1;
        return;
    }
    w->count[++w->depth] = 0;
}

static void close_(struct drd_jsonw *w, const char *c)
{
    if (w->depth == 0) {
        w->overflow = 1;
        return;
    }
    w->depth--;
    put(w, c, 1);
}

void drd_jsonw_obj_begin(struct drd_jsonw *w) { open_(w, "{"); }
void drd_jsonw_obj_end(struct drd_jsonw *w) { close_(w, "}"); }
void drd_jsonw_arr_begin(struct drd_jsonw *w) { open_(w, "["); }
void drd_jsonw_arr_end(struct drd_jsonw *w) { close_(w, "]"); }

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

void drd_jsonw_strn(struct drd_jsonw *w, const char *s, size_t n)
{
    item(w);
    put(w, "\"", 1);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char c = u[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(w, esc, 2);
            i++;
        } else if (c < 0x20) {
            const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
            if (named)
                puts_(w, named);
            else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                puts_(w, esc);
            }
            i++;
        } else {
            size_t k = utf8_seq(u + i, n - i);
            if (k == 0) {
                puts_(w, "\xef\xbf\xbd");
                i++;
            } else {
                put(w, s + i, k);
                i += k;
            }
        }
    }
    put(w, "\"", 1);
}

void drd_jsonw_str(struct drd_jsonw *w, const char *s)
{
    if (!s) {
        drd_jsonw_null(w);
        return;
    }
    drd_jsonw_strn(w, s, strlen(s));
}

void drd_jsonw_key(struct drd_jsonw *w, const char *key)
{
    drd_jsonw_str(w, key);
    put(w, ":", 1);
    w->after_key = 1;
}

void drd_jsonw_int(struct drd_jsonw *w, int64_t v)
{
    char b[32];
    item(w);
    snprintf(b, sizeof b, "%" PRId64, v);
    puts_(w, b);
}

void drd_jsonw_uint(struct drd_jsonw *w, uint64_t v)
{
    char b[32];
    item(w);
    snprintf(b, sizeof b, "%" PRIu64, v);
    puts_(w, b);
}

void drd_jsonw_double(struct drd_jsonw *w, double v)
{
    char b[40];
    item(w);
    if (!isfinite(v))
        puts_(w, "null");
    else {
        snprintf(b, sizeof b, "%.6g", v);
        puts_(w, b);
    }
}

void drd_jsonw_bool(struct drd_jsonw *w, int v)
{
    item(w);
    puts_(w, v ? "true" : "false");
}

void drd_jsonw_null(struct drd_jsonw *w)
{
    item(w);
    puts_(w, "null");
}

int drd_jsonw_finish(struct drd_jsonw *w)
{
    return (w->overflow || w->depth != 0) ? -1 : 0;
}
