/* A small streaming JSON writer into a caller-owned, fixed-size buffer: no allocation, safe in the target. */
#ifndef DRD_JSONW_H
#define DRD_JSONW_H

#include <stddef.h>
#include <stdint.h>

#define DRD_JSONW_MAX_DEPTH 32

struct drd_jsonw {
    char *buf;
    size_t cap, len;
    int overflow; /* set once anything did not fit; the text is then unusable */
    int depth;
    int count[DRD_JSONW_MAX_DEPTH]; /* items written at each level, for commas */
    int after_key;
};

/* Starts writing into buf (cap bytes, kept NUL-terminated). */
void drd_jsonw_init(struct drd_jsonw *w, char *buf, size_t cap);
void drd_jsonw_obj_begin(struct drd_jsonw *w);
void drd_jsonw_obj_end(struct drd_jsonw *w);
void drd_jsonw_arr_begin(struct drd_jsonw *w);
void drd_jsonw_arr_end(struct drd_jsonw *w);
void drd_jsonw_key(struct drd_jsonw *w, const char *key);
/* Writes a string value; invalid UTF-8 bytes become U+FFFD, control characters are escaped. */
void drd_jsonw_str(struct drd_jsonw *w, const char *s);
void drd_jsonw_strn(struct drd_jsonw *w, const char *s, size_t n);
void drd_jsonw_int(struct drd_jsonw *w, int64_t v);
void drd_jsonw_uint(struct drd_jsonw *w, uint64_t v);
void drd_jsonw_double(struct drd_jsonw *w, double v);
void drd_jsonw_bool(struct drd_jsonw *w, int v);
void drd_jsonw_null(struct drd_jsonw *w);
/* Returns 0 when the document is complete and fit, -1 otherwise. */
int drd_jsonw_finish(struct drd_jsonw *w);

#endif
