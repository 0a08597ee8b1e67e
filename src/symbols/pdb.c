/* A bounded reader of Portable PDBs and of the PE parts that tie an assembly to its PDB (pdb.h). Every offset read
 * from the file is checked against the buffer before use; nothing is trusted. */
#include "symbols/pdb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/fsutil.h"

#define MAX_EMBEDDED (64u << 20) /* largest inflated embedded PDB */
#define MAX_DOC_NAME 4096
#define TABLE_DOCUMENT 0x30
#define TABLE_METHOD_DEBUG 0x31

/* A bounded view of bytes. */
struct span {
    const uint8_t *p;
    size_t len;
};

/* The streams of an ECMA-335 metadata root. */
struct md_root {
    struct span tables, strings, guids, blobs, pdb;
};

struct drd_pdb {
    uint8_t *buf;
    size_t len;
    struct md_root root;
    uint8_t id[20];
    int str_wide, guid_wide, blob_wide; /* heap indexes of 4 bytes */
    uint32_t n_docs, n_methods;
    const uint8_t *doc_rows, *method_rows;
    uint32_t doc_row_size, method_row_size, doc_index_size;
    char **doc_names; /* resolved on first use, index row - 1 */
};

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

static uint32_t u16le(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t u32le(const uint8_t *p)
{
    return u16le(p) | u16le(p + 2) << 16;
}

static uint64_t u64le(const uint8_t *p)
{
    return (uint64_t)u32le(p) | (uint64_t)u32le(p + 4) << 32;
}

/* Whether [off, off + n) lies inside a buffer of len bytes. */
static int fits(size_t len, uint64_t off, uint64_t n)
{
    return off <= len && n <= len - off;
}

/* Reads an ECMA-335 compressed unsigned integer at *pos of s; returns 0, or -1 at the end or on a bad lead byte.
 * *bytes gets its length (for the signed form). */
static int read_cu(struct span s, size_t *pos, uint32_t *out, int *bytes)
{
    if (*pos >= s.len)
        return -1;
    const uint8_t *p = s.p + *pos;
    if ((p[0] & 0x80) == 0) {
        *out = p[0];
        *bytes = 1;
    } else if ((p[0] & 0xc0) == 0x80 && fits(s.len, *pos, 2)) {
        *out = (uint32_t)(p[0] & 0x3f) << 8 | p[1];
        *bytes = 2;
    } else if ((p[0] & 0xe0) == 0xc0 && fits(s.len, *pos, 4)) {
        *out = (uint32_t)(p[0] & 0x1f) << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        *bytes = 4;
    } else {
        return -1;
    }
    *pos += (size_t)*bytes;
    return 0;
}

static int read_u(struct span s, size_t *pos, uint32_t *out)
{
    int bytes;
    return read_cu(s, pos, out, &bytes);
}

/* A compressed signed integer: the sign rotated into the lowest bit of the unsigned form. */
static int read_s(struct span s, size_t *pos, int32_t *out)
{
    uint32_t u;
    int bytes;
    if (read_cu(s, pos, &u, &bytes))
        return -1;
    int32_t bias = bytes == 1 ? 0x40 : bytes == 2 ? 0x2000 : 0x10000000;
    *out = (u & 1) ? (int32_t)(u >> 1) - bias : (int32_t)(u >> 1);
    return 0;
}

/* The blob at index idx of the #Blob heap (its compressed length, then its bytes). */
static int blob_at(const struct md_root *r, uint32_t idx, struct span *out)
{
    size_t pos = idx;
    uint32_t n;
    if (idx >= r->blobs.len || read_u(r->blobs, &pos, &n) || !fits(r->blobs.len, pos, n))
        return -1;
    *out = (struct span){r->blobs.p + pos, n};
    return 0;
}

/* Stream headers: offset, size, a NUL-terminated name padded to 4 bytes. */
static int parse_streams(const uint8_t *b, size_t len, size_t pos, uint32_t n, struct md_root *r)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!fits(len, pos, 8))
            return -1;
        uint32_t off = u32le(b + pos), size = u32le(b + pos + 4);
        pos += 8;
        const uint8_t *name = b + pos;
        size_t max = len - pos < 32 ? len - pos : 32;
        const uint8_t *nul = memchr(name, 0, max);
        if (!nul)
            return -1;
        pos += ((size_t)(nul - name) + 4) & ~(size_t)3;
        if (!fits(len, off, size))
            return -1;
        struct span s = {b + off, size};
        if (strcmp((const char *)name, "#~") == 0)
            r->tables = s;
        else if (strcmp((const char *)name, "#Strings") == 0)
            r->strings = s;
        else if (strcmp((const char *)name, "#GUID") == 0)
            r->guids = s;
        else if (strcmp((const char *)name, "#Blob") == 0)
            r->blobs = s;
        else if (strcmp((const char *)name, "#Pdb") == 0)
            r->pdb = s;
    }
    return 0;
}

/* The metadata root ("BSJB", version string, stream headers) at the start of b. */
static int parse_root(const uint8_t *b, size_t len, struct md_root *r)
{
    memset(r, 0, sizeof *r);
    if (len < 16 || u32le(b) != 0x424a5342)
        return -1;
    uint32_t vlen = u32le(b + 12);
    if (vlen > 255 || !fits(len, 16, (uint64_t)vlen + 4))
        return -1;
    size_t pos = 16 + vlen;
    uint32_t n = u16le(b + pos + 2);
    return parse_streams(b, len, pos + 4, n, r);
}

/* The #~ header: heap index widths, the row counts of present tables, where the rows begin. */
struct tables_hdr {
    uint8_t heaps;
    uint64_t valid;
    uint32_t rows[64];
    size_t data; /* offset of the first table's rows in the stream */
};

static int parse_tables_hdr(struct span t, struct tables_hdr *h)
{
    if (t.len < 24)
        return -1;
    memset(h, 0, sizeof *h);
    h->heaps = t.p[6];
    h->valid = u64le(t.p + 8);
    size_t pos = 24;
    for (int i = 0; i < 64; i++) {
        if (!(h->valid >> i & 1))
            continue;
        if (!fits(t.len, pos, 4))
            return -1;
        h->rows[i] = u32le(t.p + pos);
        if (h->rows[i] > (1u << 24))
            return -1;
        pos += 4;
    }
    if (h->heaps & 0x40)
        pos += 4; /* extra data */
    h->data = pos;
    return pos <= t.len ? 0 : -1;
}

/* A heap index of 2 or 4 bytes at p. */
static uint32_t heap_index(const uint8_t *p, int wide)
{
    return wide ? u32le(p) : u16le(p);
}

static int pdb_tables(struct drd_pdb *p, char *err, size_t cap)
{
    struct tables_hdr h;
    if (parse_tables_hdr(p->root.tables, &h))
        return fail(err, cap, "malformed table stream");
    if (h.valid & ((1ULL << TABLE_DOCUMENT) - 1))
        return fail(err, cap, "not a standalone Portable PDB (it holds type system tables)");
    p->str_wide = h.heaps & 1;
    p->guid_wide = (h.heaps >> 1) & 1;
    p->blob_wide = (h.heaps >> 2) & 1;
    int b = p->blob_wide ? 4 : 2, g = p->guid_wide ? 4 : 2;
    p->n_docs = h.rows[TABLE_DOCUMENT];
    p->n_methods = h.rows[TABLE_METHOD_DEBUG];
    p->doc_row_size = (uint32_t)(2 * b + 2 * g);
    p->doc_index_size = p->n_docs > 0xffff ? 4 : 2;
    p->method_row_size = p->doc_index_size + (uint32_t)b;
    uint64_t docs_bytes = (uint64_t)p->n_docs * p->doc_row_size;
    uint64_t methods_bytes = (uint64_t)p->n_methods * p->method_row_size;
    if (!fits(p->root.tables.len, h.data, docs_bytes + methods_bytes))
        return fail(err, cap, "the debug tables run past their stream");
    p->doc_rows = p->root.tables.p + h.data;
    p->method_rows = p->doc_rows + docs_bytes;
    return 0;
}

int drd_pdb_parse(const uint8_t *buf, size_t len, struct drd_pdb **out, char *err, size_t cap)
{
    *out = NULL;
    if (len > DRD_PDB_MAX_FILE)
        return fail(err, cap, "the PDB is too large");
    struct drd_pdb *p = calloc(1, sizeof *p);
    if (!p || !(p->buf = malloc(len ? len : 1))) {
        free(p);
        return fail(err, cap, "out of memory");
    }
    memcpy(p->buf, buf, len);
    p->len = len;
    if (parse_root(p->buf, len, &p->root) || !p->root.tables.p || !p->root.blobs.p || p->root.pdb.len < 20) {
        drd_pdb_free(p);
        return fail(err, cap, "not a Portable PDB");
    }
    memcpy(p->id, p->root.pdb.p, 20);
    if (pdb_tables(p, err, cap)) {
        drd_pdb_free(p);
        return -1;
    }
    p->doc_names = calloc(p->n_docs ? p->n_docs : 1, sizeof *p->doc_names);
    if (!p->doc_names) {
        drd_pdb_free(p);
        return fail(err, cap, "out of memory");
    }
    *out = p;
    return 0;
}

const uint8_t *drd_pdb_id(const struct drd_pdb *p)
{
    return p->id;
}

void drd_pdb_free(struct drd_pdb *p)
{
    if (!p)
        return;
    for (uint32_t i = 0; p->doc_names && i < p->n_docs; i++)
        free(p->doc_names[i]);
    free(p->doc_names);
    free(p->buf);
    free(p);
}

/* Appends n bytes to a bounded name; returns -1 when it would not fit. */
static int append(char *out, size_t *len, const uint8_t *s, size_t n)
{
    if (n >= MAX_DOC_NAME - *len)
        return -1;
    if (n == 0)
        return 0; /* an empty part (the one before a leading separator) has no bytes, maybe no pointer */
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
    return 0;
}

/* A document's name: its blob holds a separator byte and the blob indexes of the parts it joins. */
static char *doc_name(const struct drd_pdb *p, uint32_t row)
{
    const uint8_t *r = p->doc_rows + (size_t)(row - 1) * p->doc_row_size;
    struct span blob;
    if (blob_at(&p->root, heap_index(r, p->blob_wide), &blob) || blob.len == 0)
        return NULL;
    char name[MAX_DOC_NAME];
    size_t len = 0, pos = 1;
    uint8_t sep = blob.p[0];
    name[0] = 0;
    for (int first = 1; pos < blob.len; first = 0) {
        uint32_t part;
        struct span text = {NULL, 0};
        if (read_u(blob, &pos, &part) || (part && blob_at(&p->root, part, &text)))
            return NULL;
        if ((!first && sep && append(name, &len, &sep, 1)) || append(name, &len, text.p, text.len))
            return NULL;
    }
    for (size_t i = 0; i < len; i++)
        if (name[i] < 0x20 && name[i] >= 0)
            name[i] = ' ';
    return strdup(name);
}

static const char *document(struct drd_pdb *p, uint32_t row)
{
    if (row == 0 || row > p->n_docs)
        return NULL;
    if (!p->doc_names[row - 1])
        p->doc_names[row - 1] = doc_name(p, row);
    return p->doc_names[row - 1];
}

/* Walks a method's sequence points up to IL offset il: the last visible point at or before it. */
struct seq_state {
    uint32_t doc, il, line;
    int have;
};

static int one_point(struct span s, size_t *pos, uint32_t il_abs, struct seq_state *prev, uint32_t *line)
{
    uint32_t dlines, start_line;
    int32_t dcols;
    if (read_u(s, pos, &dlines))
        return -1;
    if (dlines == 0) {
        uint32_t c;
        if (read_u(s, pos, &c))
            return -1;
        dcols = (int32_t)c;
    } else if (read_s(s, pos, &dcols)) {
        return -1;
    }
    if (dlines == 0 && dcols == 0) {
        *line = 0; /* hidden */
        return 0;
    }
    uint32_t col;
    if (!prev->have) {
        if (read_u(s, pos, &start_line) || read_u(s, pos, &col))
            return -1;
    } else {
        int32_t dl, dc;
        if (read_s(s, pos, &dl) || read_s(s, pos, &dc))
            return -1;
        start_line = prev->line + (uint32_t)dl;
    }
    (void)il_abs;
    prev->have = 1;
    prev->line = start_line;
    *line = start_line;
    return 0;
}

int drd_pdb_line(struct drd_pdb *p, uint32_t token, uint32_t il, const char **file, uint32_t *line)
{
    uint32_t row = token & 0xffffff;
    if ((token >> 24) != 0x06 || row == 0 || row > p->n_methods)
        return -1;
    const uint8_t *r = p->method_rows + (size_t)(row - 1) * p->method_row_size;
    uint32_t doc = p->doc_index_size == 4 ? u32le(r) : u16le(r);
    struct span s;
    uint32_t blob = heap_index(r + p->doc_index_size, p->blob_wide);
    if (blob == 0 || blob_at(&p->root, blob, &s))
        return -1;
    size_t pos = 0;
    uint32_t sig;
    if (read_u(s, &pos, &sig) || (doc == 0 && read_u(s, &pos, &doc)))
        return -1;
    struct seq_state prev = {0, 0, 0, 0};
    uint32_t best_line = 0, best_doc = 0, cur_il = 0;
    for (int first = 1; pos < s.len; first = 0) {
        uint32_t dil, pt_line;
        if (read_u(s, &pos, &dil))
            return -1;
        if (!first && dil == 0) {
            if (read_u(s, &pos, &doc))
                return -1;
            continue;
        }
        if (dil > 0x20000000 || cur_il + dil > 0x20000000)
            return -1;
        cur_il = first ? dil : cur_il + dil;
        if (cur_il > il)
            break;
        if (one_point(s, &pos, cur_il, &prev, &pt_line))
            return -1;
        if (pt_line) {
            best_line = pt_line;
            best_doc = doc;
        }
    }
    const char *name = best_line ? document(p, best_doc) : NULL;
    if (!name || best_line >= 0xfeefee)
        return -1;
    *file = name;
    *line = best_line;
    return 0;
}

/* The PE layout needed here: the data directories and the sections that map RVAs to file offsets. */
struct pe {
    const uint8_t *b;
    size_t len;
    size_t sections, opt;
    uint32_t n_sections, n_dirs, dirs;
};

static int pe_layout(const uint8_t *b, size_t len, struct pe *pe)
{
    if (len < 0x40 || b[0] != 'M' || b[1] != 'Z')
        return -1;
    uint32_t lfanew = u32le(b + 0x3c);
    if (!fits(len, lfanew, 24) || memcmp(b + lfanew, "PE\0\0", 4) != 0)
        return -1;
    size_t coff = (size_t)lfanew + 4;
    uint32_t opt_size = u16le(b + coff + 16);
    pe->b = b;
    pe->len = len;
    pe->n_sections = u16le(b + coff + 2);
    pe->opt = coff + 20;
    pe->sections = pe->opt + opt_size;
    if (!fits(len, pe->opt, opt_size) || !fits(len, pe->sections, (uint64_t)pe->n_sections * 40) || opt_size < 2)
        return -1;
    uint32_t magic = u16le(b + pe->opt);
    uint32_t count_at = magic == 0x20b ? 108 : magic == 0x10b ? 92 : 0;
    if (!count_at || opt_size < count_at + 4)
        return -1;
    pe->n_dirs = u32le(b + pe->opt + count_at);
    pe->dirs = count_at + 4;
    if ((uint64_t)pe->dirs + (uint64_t)pe->n_dirs * 8 > opt_size)
        pe->n_dirs = (opt_size - pe->dirs) / 8;
    return 0;
}

/* The file offset of rva when n bytes from it lie inside one section's data, else -1. */
static int64_t pe_offset(const struct pe *pe, uint32_t rva, uint32_t n)
{
    for (uint32_t i = 0; i < pe->n_sections; i++) {
        const uint8_t *s = pe->b + pe->sections + (size_t)i * 40;
        uint32_t va = u32le(s + 12), raw_size = u32le(s + 16), raw = u32le(s + 20);
        if (rva >= va && (uint64_t)rva - va + n <= raw_size && fits(pe->len, (uint64_t)raw + (rva - va), n))
            return (int64_t)raw + (rva - va);
    }
    return -1;
}

/* Data directory i: its file offset and size, or -1. */
static int64_t pe_dir(const struct pe *pe, uint32_t i, uint32_t *size)
{
    if (i >= pe->n_dirs)
        return -1;
    const uint8_t *d = pe->b + pe->opt + pe->dirs + (size_t)i * 8;
    *size = u32le(d + 4);
    if (u32le(d) == 0 || *size == 0)
        return -1;
    return pe_offset(pe, u32le(d), *size);
}

/* An embedded Portable PDB: "MPDB", its inflated size, then raw deflate data. */
static int inflate_embedded(const uint8_t *d, size_t n, struct drd_pe_info *out)
{
    if (n < 8 || memcmp(d, "MPDB", 4) != 0)
        return -1;
    uint32_t size = u32le(d + 4);
    if (size == 0 || size > MAX_EMBEDDED)
        return -1;
    uint8_t *pdb = malloc(size);
    if (!pdb)
        return -1;
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -15) != Z_OK) {
        free(pdb);
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)(d + 8);
    z.avail_in = (uInt)(n - 8);
    z.next_out = pdb;
    z.avail_out = size;
    int rc = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if (rc != Z_STREAM_END || z.total_out != size) {
        free(pdb);
        return -1;
    }
    out->embedded = pdb;
    out->embedded_len = size;
    return 0;
}

/* The debug directory's entries: CodeView (2) of a Portable PDB, embedded Portable PDB (17). */
static void pe_debug(const struct pe *pe, struct drd_pe_info *out)
{
    uint32_t size;
    int64_t at = pe_dir(pe, 6, &size);
    if (at < 0)
        return;
    for (uint32_t k = 0; k + 28 <= size && k < 28 * 64; k += 28) {
        const uint8_t *e = pe->b + at + k;
        uint32_t stamp = u32le(e + 4), minor = u16le(e + 10), type = u32le(e + 12), n = u32le(e + 16);
        uint32_t raw = u32le(e + 24);
        if (!fits(pe->len, raw, n))
            continue;
        const uint8_t *d = pe->b + raw;
        if (type == 2 && minor == 0x504d && n >= 24 && memcmp(d, "RSDS", 4) == 0) {
            memcpy(out->pdb_id, d + 4, 16);
            memcpy(out->pdb_id + 16, e + 4, 4);
            (void)stamp;
            size_t plen = strnlen((const char *)d + 24, n - 24);
            if (plen < sizeof out->pdb_path && plen < n - 24) {
                memcpy(out->pdb_path, d + 24, plen);
                out->pdb_path[plen] = 0;
            }
            out->has_id = 1;
        } else if (type == 17 && !out->embedded) {
            inflate_embedded(d, n, out);
        }
    }
}

/* The MVID: the Module table (table 0) is the first table, its row: generation, name, MVID (#GUID index). */
static void pe_mvid(const struct pe *pe, struct drd_pe_info *out)
{
    uint32_t size;
    int64_t cli = pe_dir(pe, 14, &size);
    if (cli < 0 || size < 16)
        return;
    int64_t md = pe_offset(pe, u32le(pe->b + cli + 8), u32le(pe->b + cli + 12));
    struct md_root r;
    struct tables_hdr h;
    if (md < 0 || parse_root(pe->b + md, u32le(pe->b + cli + 12), &r) || parse_tables_hdr(r.tables, &h) ||
        !(h.valid & 1) || h.rows[0] == 0)
        return;
    size_t at = h.data + 2 + ((h.heaps & 1) ? 4 : 2);
    int gw = (h.heaps >> 1) & 1;
    if (!fits(r.tables.len, at, gw ? 4 : 2))
        return;
    uint32_t g = heap_index(r.tables.p + at, gw);
    if (g == 0 || !fits(r.guids.len, (uint64_t)(g - 1) * 16, 16))
        return;
    memcpy(out->mvid, r.guids.p + (size_t)(g - 1) * 16, 16);
    out->has_mvid = 1;
}

int drd_pe_read(const uint8_t *buf, size_t len, struct drd_pe_info *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    struct pe pe;
    if (pe_layout(buf, len, &pe))
        return fail(err, cap, "not a PE file");
    pe_debug(&pe, out);
    pe_mvid(&pe, out);
    return 0;
}

static int hex_to_bytes(const char *hex, uint8_t out[16])
{
    if (strlen(hex) != 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

/* Reads the PDB file at path and keeps it when its id is id. Returns 0, -1 (no such file or not a PDB), or -2
 * (a PDB of another build). */
static int pdb_file(const char *path, const uint8_t id[20], struct drd_pdb **out)
{
    char *buf = NULL;
    size_t len = 0;
    char err[160];
    if (drd_fs_read_all(path, DRD_PDB_MAX_FILE, &buf, &len))
        return -1;
    int rc = drd_pdb_parse((const uint8_t *)buf, len, out, err, sizeof err);
    free(buf);
    if (rc)
        return -1;
    if (memcmp(drd_pdb_id(*out), id, 20) != 0) {
        drd_pdb_free(*out);
        *out = NULL;
        return -2;
    }
    return 0;
}

/* The PDB beside the dll: dll's name with .pdb, then the CodeView entry's file name in the dll's folder. */
static int pdb_beside(const char *dll_path, const struct drd_pe_info *pe, struct drd_pdb **out)
{
    char path[4096];
    int rc = -1;
    size_t n = strlen(dll_path);
    const char *dot = strrchr(dll_path, '.'), *slash = strrchr(dll_path, '/');
    if (dot && (!slash || dot > slash) && n < sizeof path - 5) {
        snprintf(path, sizeof path, "%.*s.pdb", (int)(dot - dll_path), dll_path);
        rc = pdb_file(path, pe->pdb_id, out);
        if (rc == 0)
            return 0;
    }
    const char *base = strrchr(pe->pdb_path, '/');
    const char *back = strrchr(pe->pdb_path, '\\');
    base = back && (!base || back > base) ? back + 1 : base ? base + 1 : pe->pdb_path;
    if (*base && slash && snprintf(path, sizeof path, "%.*s/%s", (int)(slash - dll_path), dll_path, base) <
                              (int)sizeof path) {
        int rc2 = pdb_file(path, pe->pdb_id, out);
        if (rc2 == 0)
            return 0;
        rc = rc == -2 ? rc : rc2;
    }
    return rc;
}

int drd_pdb_for_assembly(const char *dll_path, const char *mvid_hex, struct drd_pdb **out, char *why, size_t cap)
{
    *out = NULL;
    char *buf = NULL;
    size_t len = 0;
    struct drd_pe_info pe;
    char err[160];
    if (!dll_path[0] || drd_fs_read_all(dll_path, DRD_PDB_MAX_FILE, &buf, &len))
        return fail(why, cap, "the assembly's file could not be read");
    int rc = drd_pe_read((const uint8_t *)buf, len, &pe, err, sizeof err);
    free(buf);
    if (rc)
        return fail(why, cap, "the assembly's file is not a PE file");
    uint8_t want[16];
    if (strcmp(mvid_hex, "-") != 0 && (hex_to_bytes(mvid_hex, want) || !pe.has_mvid || memcmp(want, pe.mvid, 16))) {
        free(pe.embedded);
        return fail(why, cap, "the assembly's file changed since the session");
    }
    if (!pe.has_id) {
        free(pe.embedded);
        return fail(why, cap, "the assembly names no Portable PDB");
    }
    int found = pdb_beside(dll_path, &pe, out);
    if (found != 0 && pe.embedded) {
        if (drd_pdb_parse(pe.embedded, pe.embedded_len, out, err, sizeof err) == 0) {
            found = memcmp(drd_pdb_id(*out), pe.pdb_id, 20) == 0 ? 0 : -2;
            if (found) {
                drd_pdb_free(*out);
                *out = NULL;
            }
        }
    }
    free(pe.embedded);
    if (found == -2)
        return fail(why, cap, "the PDB does not match the assembly");
    if (found != 0)
        return fail(why, cap, "no PDB");
    return 0;
}
