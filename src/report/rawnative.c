/* Reading the native-frame parts of raw data files strictly: modules, frame addresses, the target's start time. */
#include "report/rawnative.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses 1 to 16 lowercase or uppercase hex digits. Returns 0 or -1. */
static int hex_u64(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 16)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* Appends one element to a table of n elements whose room is the next power of two. */
static int append(void **arr, uint32_t *n, size_t elem, const void *item)
{
    if (*n == UINT32_MAX)
        return -1;
    if ((*n & (*n - 1)) == 0) {
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

/* Reads "N <module> <addr hex>" into *nat. Returns 0 or -1. */
static int n_field(const struct drd_rawdata *d, const char *f, struct drd_rawread_native *nat)
{
    char mod[24], addr[24], extra;
    uint64_t id;
    if (strlen(f) > 48 || sscanf(f, "N %23s %23s %c", mod, addr, &extra) != 2)
        return -1;
    for (const char *p = mod; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    if (strlen(mod) > 9 || (id = strtoull(mod, NULL, 10)) == 0 || id > d->n_modules || hex_u64(addr, &nat->addr))
        return -1;
    nat->module = (uint32_t)id;
    return 0;
}

int drd_rawnative_frame(struct drd_rawdata *d, char **fields, int nf, char *err, size_t cap)
{
    struct drd_rawread_native nat = {0};
    for (int i = 3; i < nf; i++) {
        if (fields[i][0] != 'N')
            continue; /* another reader's field */
        if (n_field(d, fields[i], &nat)) {
            snprintf(err, cap, "malformed 'N' field");
            return -1;
        }
    }
    /* frames before the first native one need no entry; the table catches up at the first native frame */
    if (!nat.module && d->n_native == 0)
        return 0;
    static const struct drd_rawread_native none;
    while (d->n_native + 1 < d->n_frames)
        if (append((void **)&d->native, &d->n_native, sizeof none, &none))
            goto oom;
    if (append((void **)&d->native, &d->n_native, sizeof nat, &nat))
        goto oom;
    return 0;
oom:
    snprintf(err, cap, "out of memory");
    return -1;
}

/* "nm <id> <path> <build-id hex or -> <bias> <exec lo> <exec hi> <exec offset>" */
static int module_record(struct drd_rawdata *d, char **f, int nf, char *err, size_t cap)
{
    struct drd_rawread_module m = {0};
    uint64_t id;
    size_t bid = nf == 8 ? strlen(f[3]) : 0;
    int ok = nf == 8 && strlen(f[1]) <= 9 && f[2][0] &&
             (strcmp(f[3], "-") == 0 ||
              (bid % 2 == 0 && bid < sizeof m.build_id && strspn(f[3], "0123456789abcdef") == bid)) &&
             hex_u64(f[4], &m.bias) == 0 && hex_u64(f[5], &m.exec_lo) == 0 && hex_u64(f[6], &m.exec_hi) == 0 &&
             hex_u64(f[7], &m.exec_off) == 0 && m.exec_lo < m.exec_hi;
    if (ok) {
        char *end;
        id = strtoull(f[1], &end, 10);
        ok = *end == 0 && f[1][0] >= '0' && f[1][0] <= '9' && id == (uint64_t)d->n_modules + 1;
    }
    if (!ok) {
        snprintf(err, cap, "malformed 'nm' record");
        return -1;
    }
    m.path = f[2];
    drd_rawread_clean_text(m.path);
    if (strcmp(f[3], "-") != 0)
        memcpy(m.build_id, f[3], bid + 1);
    if (append((void **)&d->modules, &d->n_modules, sizeof m, &m)) {
        snprintf(err, cap, "out of memory");
        return -1;
    }
    return 0;
}

int drd_rawnative_record(struct drd_rawdata *d, char **fields, int nf, char *err, size_t cap)
{
    if (strcmp(fields[0], "nm") == 0)
        return module_record(d, fields, nf, err, cap);
    if (strcmp(fields[0], "np") != 0)
        return 1;
    if (nf != 2 || drd_rawread_u64(fields[1], &d->start_ticks)) {
        snprintf(err, cap, "malformed 'np' record");
        return -1;
    }
    return 0;
}

void drd_rawnative_free(struct drd_rawdata *d)
{
    free(d->modules);
    free(d->native);
    for (uint32_t i = 0; i < d->n_owned; i++)
        free(d->owned[i]);
    free(d->owned);
}
