/* A strict reader of raw data files: tables of frames, types and stacks, and a hook for profiler records. */
#include "report/rawread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fsutil.h"
#include "drdotnet/raw.h"
#include "report/rawnative.h"
#include "symbols/symbols.h"
#include "symbols/lines.h"

#define MAX_FIELDS 16

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

int drd_rawread_u64(const char *s, uint64_t *out)
{
    if (!*s || strlen(s) > 20)
        return -1;
    uint64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* The length of the well-formed UTF-8 character that s starts (1 to 4), or 0 when it starts none. Reads no
 * further than a NUL, which fails every continuation test. */
static size_t utf8_char(const unsigned char *s)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t need;
    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        need = 1;
    else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        need = 2;
        lo = s[0] == 0xe0 ? 0xa0 : 0x80; /* below: overlong */
        hi = s[0] == 0xed ? 0x9f : 0xbf; /* above: a surrogate */
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        need = 3;
        lo = s[0] == 0xf0 ? 0x90 : 0x80; /* below: overlong */
        hi = s[0] == 0xf4 ? 0x8f : 0xbf; /* above: past U+10FFFF */
    } else
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if (s[k] < lo || s[k] > hi)
            return 0;
        lo = 0x80;
        hi = 0xbf;
    }
    return need + 1;
}

void drd_rawread_clean_text(char *s)
{
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t n = utf8_char((const unsigned char *)s);
        if (n == 0)
            *s++ = '?';
        else if (c < 0x20 || c == 0x7f)
            *s++ = ' ';
        else
            s += n;
    }
}

/* Appends item to a growing array of pointers-sized elements. */
static int push(void **arr, uint32_t *n, size_t elem, const void *item)
{
    if ((*n & (*n - 1)) == 0) { /* grow at powers of two */
        size_t ncap = *n ? (size_t)*n * 2 : 16;
        void *na = realloc(*arr, ncap * elem);
        if (!na)
            return -1;
        *arr = na;
    }
    memcpy((char *)*arr + (size_t)*n * elem, item, elem);
    (*n)++;
    return 0;
}

static int parse_stack(char *list, const struct drd_rawdata *d, struct drd_rawread_stack *s)
{
    s->n = 0;
    s->frames = NULL;
    if (*list == 0)
        return 0;
    size_t count = 1;
    for (char *p = list; *p; p++)
        count += *p == ',';
    if (count > DRD_RAW_MAX_DEPTH)
        return -1;
    s->frames = malloc(count * sizeof *s->frames);
    if (!s->frames)
        return -1;
    char *save = NULL;
    for (char *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        uint64_t id;
        if (drd_rawread_u64(tok, &id) || id == 0 || id > d->n_frames || s->n >= count) {
            free(s->frames);
            s->frames = NULL;
            return -1;
        }
        s->frames[s->n++] = (uint32_t)id;
    }
    if (s->n != count) {
        free(s->frames);
        s->frames = NULL;
        return -1;
    }
    return 0;
}

/* An 'f' record's optional trailing fields: "M <assembly id> <token hex> <IL offset>" (a managed code site) is
 * read into *site; a field of another tag is ignored (a later writer's). Returns 0, or -1 when an M field is
 * malformed or names an assembly not defined yet. */
static int frame_site(char **fields, int nf, const struct drd_rawdata *d, struct drd_rawread_site *site)
{
    *site = (struct drd_rawread_site){0, 0, -1};
    for (int i = 3; i < nf; i++) {
        if (fields[i][0] != 'M')
            continue;
        unsigned asm_id, token;
        int il, used = 0;
        if (sscanf(fields[i], "M %u %x %d%n", &asm_id, &token, &il, &used) != 3 || fields[i][used] != 0 ||
            asm_id == 0 || asm_id > d->n_asms || il < -1)
            return -1;
        *site = (struct drd_rawread_site){asm_id, token, il};
    }
    return 0;
}

/* An 'mm' record: mm <id> <mvid hex or -> <path>. */
static int asm_record(char **fields, int nf, struct drd_rawdata *d)
{
    uint64_t id;
    if (nf != 4 || drd_rawread_u64(fields[1], &id) || id != (uint64_t)d->n_asms + 1)
        return -1;
    drd_rawread_clean_text(fields[2]);
    drd_rawread_clean_text(fields[3]);
    struct drd_rawread_asm a = {fields[3], fields[2]};
    return push((void **)&d->asms, &d->n_asms, sizeof a, &a);
}

int drd_rawread_parse(char *buf, size_t len, struct drd_rawdata *d, drd_rawread_record_fn fn, void *ctx, char *err,
                      size_t cap)
{
    memset(d, 0, sizeof *d);
    size_t pos = 0;
    unsigned long line_no = 0;
    while (pos < len) {
        char *line = buf + pos;
        char *nl = memchr(line, '\n', len - pos);
        if (!nl) {
            /* a file cut while being written: the last, partial line is ignored */
            break;
        }
        *nl = 0;
        size_t n = (size_t)(nl - line);
        pos += n + 1;
        line_no++;
        if (n > DRD_RAW_MAX_LINE)
            return fail(err, cap, "line %lu is too long", line_no);
        if (memchr(line, 0, n))
            return fail(err, cap, "line %lu holds a NUL byte", line_no);
        char *fields[MAX_FIELDS];
        int nf = 0;
        char *p = line;
        for (;;) {
            if (nf == MAX_FIELDS)
                return fail(err, cap, "line %lu has too many fields", line_no);
            fields[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = 0;
            p = tab + 1;
        }
        if (line_no == 1) {
            if (nf != 3 || strcmp(fields[0], DRD_RAW_MAGIC) != 0)
                return fail(err, cap, "not a drdotnet raw data file");
            if (strcmp(fields[1], "1") != 0)
                return fail(err, cap, "raw data version %s is not supported (this tool reads 1)", fields[1]);
            snprintf(d->profiler, sizeof d->profiler, "%s", fields[2]);
            drd_rawread_clean_text(d->profiler);
            continue;
        }
        if (d->ended)
            return fail(err, cap, "line %lu follows the end line", line_no);
        const char *tag = fields[0];
        uint64_t id = 0;
        if ((strcmp(tag, "f") == 0 || strcmp(tag, "t") == 0 || strcmp(tag, "s") == 0)) {
            if ((tag[0] == 'f' ? nf < 3 : nf != 3) || drd_rawread_u64(fields[1], &id)) /* f: trailing fields */
                return fail(err, cap, "line %lu: malformed '%s' record", line_no, tag);
            uint32_t *count = tag[0] == 'f' ? &d->n_frames : tag[0] == 't' ? &d->n_types : &d->n_stacks;
            if (id != (uint64_t)*count + 1)
                return fail(err, cap, "line %lu: '%s' id %llu out of order", line_no, tag, (unsigned long long)id);
            int rc;
            if (tag[0] == 's') {
                struct drd_rawread_stack s;
                if (parse_stack(fields[2], d, &s))
                    return fail(err, cap, "line %lu: bad stack", line_no);
                rc = push((void **)&d->stacks, &d->n_stacks, sizeof s, &s);
                if (rc)
                    free(s.frames);
            } else {
                char *name = fields[2];
                drd_rawread_clean_text(name); /* reports print names and put them in JSON, which must be UTF-8 */
                struct drd_rawread_site site;
                if (tag[0] == 'f' && frame_site(fields, nf, d, &site))
                    return fail(err, cap, "line %lu: malformed frame site", line_no);
                if (tag[0] == 'f' && push((void **)&d->sites, &d->n_sites, sizeof site, &site))
                    return fail(err, cap, "out of memory");
                rc = push(tag[0] == 'f' ? (void **)&d->frames : (void **)&d->types, count, sizeof name, &name);
            }
            if (rc)
                return fail(err, cap, "out of memory");
            char sub[200];
            if (tag[0] == 'f' && drd_rawnative_frame(d, fields, nf, sub, sizeof sub))
                return fail(err, cap, "line %lu: %s", line_no, sub);
            continue;
        }
        if (strcmp(tag, "mm") == 0) {
            if (asm_record(fields, nf, d))
                return fail(err, cap, "line %lu: malformed assembly record", line_no);
            continue;
        }
        if (strcmp(tag, "z") == 0) {
            uint64_t z;
            if (nf != 5 || drd_rawread_u64(fields[1], &z) || z > (uint64_t)INT64_MAX || d->has_zero ||
                drd_rawread_u64(fields[2], &d->zero_mono_ns) || drd_rawread_u64(fields[3], &d->start_begin_ns) ||
                drd_rawread_u64(fields[4], &d->start_end_ns) || d->start_begin_ns > d->start_end_ns)
                return fail(err, cap, "line %lu: malformed 'z' record", line_no);
            d->zero_wall_ns = (int64_t)z;
            d->has_zero = 1;
            continue;
        }
        if (strcmp(tag, "end") == 0) {
            if (nf != 3 || drd_rawread_u64(fields[1], &d->events) || drd_rawread_u64(fields[2], &d->dropped))
                return fail(err, cap, "line %lu: malformed end record", line_no);
            d->ended = 1;
            continue;
        }
        char sub[200];
        int native = drd_rawnative_record(d, fields, nf, sub, sizeof sub);
        if (native < 0)
            return fail(err, cap, "line %lu: %s", line_no, sub);
        if (native == 0)
            continue;
        if (!fn)
            return fail(err, cap, "line %lu: unknown record '%s'", line_no, tag);
        if (fn(ctx, d, fields, nf, sub, sizeof sub))
            return fail(err, cap, "line %lu: %s", line_no, sub);
    }
    if (line_no == 0)
        return fail(err, cap, "the raw data file is empty");
    return 0;
}

int drd_rawread_load(const char *path, size_t max_bytes, struct drd_rawdata *d, char **buf_out,
                     drd_rawread_record_fn fn, void *ctx, char *err, size_t cap)
{
    char *buf = NULL;
    size_t len = 0;
    memset(d, 0, sizeof *d);
    *buf_out = NULL;
    if (drd_fs_read_all(path, max_bytes, &buf, &len))
        return fail(err, cap, "cannot read %s: %s", path, strerror(errno));
    *buf_out = buf;
    if (drd_rawread_parse(buf, len, d, fn, ctx, err, cap))
        return -1;
    if (drd_symbols_apply(path, d))
        return fail(err, cap, "out of memory naming the native frames of %s", path);
    char root[64];
    drd_symbols_target_root(path, d, root, sizeof root);
    drd_lines_apply(d, root);
    return 0;
}

void drd_rawdata_free(struct drd_rawdata *d)
{
    for (uint32_t i = 0; i < d->n_stacks; i++)
        free(d->stacks[i].frames);
    free(d->stacks);
    free(d->frames);
    free(d->sites);
    for (uint32_t i = 0; d->lines && i < d->n_sites; i++) {
        free(d->lines[i].label);
        free(d->lines[i].file);
    }
    free(d->lines);
    free(d->asms);
    free(d->types);
    drd_rawnative_free(d);
    memset(d, 0, sizeof *d);
}

const struct drd_rawread_line *drd_rawread_line_of(const struct drd_rawdata *d, uint32_t id)
{
    if (!d->lines || id == 0 || id > d->n_sites || !d->lines[id - 1].label)
        return NULL;
    return &d->lines[id - 1];
}

const char *drd_rawread_label(const struct drd_rawdata *d, uint32_t id)
{
    const struct drd_rawread_line *l = drd_rawread_line_of(d, id);
    return l ? l->label : d->frames[id - 1];
}

int drd_rawread_alloc_record(const struct drd_rawdata *d, char **f, int n, struct drd_rawread_alloc *out, char *err,
                             size_t cap)
{
    uint64_t type, stack;
    if (n != 6 || strcmp(f[0], "a") != 0 || drd_rawread_u64(f[1], &type) || drd_rawread_u64(f[2], &stack) ||
        drd_rawread_u64(f[3], &out->samples) || drd_rawread_u64(f[4], &out->count) ||
        drd_rawread_u64(f[5], &out->bytes) || type == 0 || type > d->n_types || stack == 0 || stack > d->n_stacks ||
        out->bytes > (1ULL << 56) || out->count > (1ULL << 56)) {
        snprintf(err, cap, "malformed allocation record");
        return -1;
    }
    out->type = (uint32_t)type;
    out->stack = (uint32_t)stack;
    return 0;
}

int drd_rawread_grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 256;
    void *na = realloc(*arr, ncap * elem);
    if (!na)
        return -1;
    *arr = na;
    *cap = ncap;
    return 0;
}
