/* The per-body IL-to-native maps (ilmap.h): code ranges sorted by start address, each pointing at its body's map.
 * Code of a loaded method is never moved; a body whose memory the runtime frees (collectible assemblies,
 * dynamic methods) leaves a stale range, found out when the runtime names another function at one of its
 * addresses: the cache is emptied then. */
#include "profiler/ilmap.h"

#include <stdlib.h>
#include <string.h>

#define MAX_RANGES 65536 /* code ranges kept; reaching it empties the cache */
#define MAX_ENTRIES (1u << 20) /* map entries kept over all bodies (12 bytes each) */
#define MAX_BODY_STARTS 16 /* bodies of one method asked at once (tiers, ReJITs) */
#define MAX_BODY_RANGES 8 /* code ranges of one body (hot, cold) */
#define MAX_BODY_MAP 65536 /* map entries of one body */
#define IL_NONE 0xffffffffu /* special offsets: no mapping (-1), prolog (-2), epilog (-3) */

struct body {
    FunctionID owner; /* the function the runtime said holds this code */
    COR_DEBUG_IL_TO_NATIVE_MAP *map;
    uint32_t n_map;
    uint32_t refs; /* ranges pointing at it */
};

struct range {
    uint64_t lo, hi; /* [lo, hi) */
    uint64_t logical; /* the native offset of lo within its body */
    struct body *body;
};

struct drd_ilmap {
    ICorProfilerInfo15 *info;
    struct range *ranges; /* sorted by lo, cap_ranges of them (at most MAX_RANGES) */
    uint32_t n_ranges, cap_ranges;
    uint32_t n_entries;
};

struct drd_ilmap *drd_ilmap_create(ICorProfilerInfo15 *info)
{
    struct drd_ilmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->info = info;
    return m;
}

/* Frees every body (each once: its last range frees it) and empties the table. */
static void clear(struct drd_ilmap *m)
{
    for (uint32_t i = 0; i < m->n_ranges; i++) {
        struct body *b = m->ranges[i].body;
        if (--b->refs == 0) {
            free(b->map);
            free(b);
        }
    }
    m->n_ranges = 0;
    m->n_entries = 0;
}

void drd_ilmap_destroy(struct drd_ilmap *m)
{
    if (!m)
        return;
    clear(m);
    free(m->ranges);
    free(m);
}

/* The index of the last range starting at or below ip, or -1. */
static int64_t find(const struct drd_ilmap *m, uint64_t ip)
{
    int64_t lo = 0, hi = (int64_t)m->n_ranges - 1, best = -1;
    while (lo <= hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (m->ranges[mid].lo <= ip) {
            best = mid;
            lo = mid + 1;
        } else {
            hi = mid - 1;
        }
    }
    return best;
}

static const struct range *covering(const struct drd_ilmap *m, uint64_t ip)
{
    int64_t i = find(m, ip);
    return i >= 0 && ip < m->ranges[i].hi ? &m->ranges[i] : NULL;
}

/* Makes room for n more ranges, doubling the table up to MAX_RANGES. Returns 0, or -1 (bound or memory). */
static int room(struct drd_ilmap *m, uint32_t n)
{
    if (m->n_ranges + n <= m->cap_ranges)
        return 0;
    uint32_t cap = m->cap_ranges ? m->cap_ranges : 256;
    while (cap < m->n_ranges + n)
        cap *= 2;
    if (cap > MAX_RANGES)
        return -1;
    struct range *nr = realloc(m->ranges, cap * sizeof *nr);
    if (!nr)
        return -1;
    m->ranges = nr;
    m->cap_ranges = cap;
    return 0;
}

/* Inserts a range in order; the caller made room. */
static void insert(struct drd_ilmap *m, struct range r)
{
    uint32_t at = (uint32_t)(find(m, r.lo) + 1);
    memmove(&m->ranges[at + 1], &m->ranges[at], (size_t)(m->n_ranges - at) * sizeof *m->ranges);
    m->ranges[at] = r;
    m->n_ranges++;
}

/* The IL-to-native map of the body at start, into a new array. Returns its length, or -1. */
static int32_t read_map(ICorProfilerInfo15 *info, UINT_PTR start, COR_DEBUG_IL_TO_NATIVE_MAP **out)
{
    ULONG32 n = 0;
    *out = NULL;
    if (FAILED(info->lpVtbl->GetILToNativeMapping3(info, start, 0, &n, NULL)) || n == 0 || n > MAX_BODY_MAP)
        return -1;
    COR_DEBUG_IL_TO_NATIVE_MAP *map = calloc(n, sizeof *map);
    if (!map)
        return -1;
    ULONG32 got = 0;
    if (FAILED(info->lpVtbl->GetILToNativeMapping3(info, start, n, &got, map)) || got == 0 || got > n) {
        free(map);
        return -1;
    }
    *out = map;
    return (int32_t)got;
}

/* Maps the body that starts at start (its code ranges and IL map), unless one of its ranges is known already. */
static void add_body(struct drd_ilmap *m, FunctionID owner, UINT_PTR start)
{
    if (covering(m, start))
        return;
    COR_PRF_CODE_INFO infos[MAX_BODY_RANGES];
    ULONG32 n = 0;
    if (FAILED(m->info->lpVtbl->GetCodeInfo4(m->info, start, MAX_BODY_RANGES, &n, infos)) || n == 0 ||
        n > MAX_BODY_RANGES)
        return;
    COR_DEBUG_IL_TO_NATIVE_MAP *map;
    int32_t n_map = read_map(m->info, start, &map);
    if (n_map <= 0)
        return;
    if (room(m, n) || m->n_entries + (uint32_t)n_map > MAX_ENTRIES) {
        clear(m); /* full: start over rather than grow without bound */
    }
    struct body *b = calloc(1, sizeof *b);
    if (!b || room(m, n)) {
        free(b);
        free(map);
        return;
    }
    *b = (struct body){owner, map, (uint32_t)n_map, 0};
    uint64_t logical = 0;
    for (ULONG32 i = 0; i < n; i++) {
        uint64_t lo = infos[i].startAddress, size = infos[i].size;
        if (size > 0 && lo + size > lo && !covering(m, lo)) {
            insert(m, (struct range){lo, lo + size, logical, b});
            b->refs++;
        }
        logical += size;
    }
    if (b->refs == 0) {
        free(map);
        free(b);
        return;
    }
    m->n_entries += (uint32_t)n_map;
}

/* Asks the runtime for every native body of a function (its tiers, for one ReJIT version). */
static void learn(struct drd_ilmap *m, FunctionID owner, ReJITID rejit)
{
    UINT_PTR starts[MAX_BODY_STARTS];
    ULONG32 n = 0;
    if (FAILED(m->info->lpVtbl->GetNativeCodeStartAddresses(m->info, owner, rejit, MAX_BODY_STARTS, &n, starts)))
        return;
    if (n > MAX_BODY_STARTS)
        n = MAX_BODY_STARTS;
    for (ULONG32 i = 0; i < n; i++)
        add_body(m, owner, starts[i]);
}

/* The IL offset of native offset off in map: the entry that covers it with the latest start, skipping the
 * special entries (no mapping, prolog, epilog). */
static int32_t lookup(const struct body *b, uint64_t off)
{
    int32_t il = -1;
    uint32_t best_start = 0;
    for (uint32_t i = 0; i < b->n_map; i++) {
        const COR_DEBUG_IL_TO_NATIVE_MAP *e = &b->map[i];
        if (e->ilOffset >= IL_NONE - 2 || e->ilOffset > INT32_MAX)
            continue;
        if (off >= e->nativeStartOffset && off < e->nativeEndOffset && (il < 0 || e->nativeStartOffset >= best_start)) {
            il = (int32_t)e->ilOffset;
            best_start = e->nativeStartOffset;
        }
    }
    return il;
}

int32_t drd_ilmap_offset(struct drd_ilmap *m, uint64_t ip)
{
    FunctionID owner = 0;
    ReJITID rejit = 0;
    if (!m || ip == 0 ||
        FAILED(m->info->lpVtbl->GetFunctionFromIP3(m->info, (LPCBYTE)(uintptr_t)ip, &owner, &rejit)) || !owner)
        return -1;
    const struct range *r = covering(m, ip);
    if (r && r->body->owner != owner) {
        clear(m); /* code freed and its memory reused by another function's: every range is suspect */
        r = NULL;
    }
    if (!r) {
        learn(m, owner, rejit);
        r = covering(m, ip);
    }
    if (!r)
        return -1;
    return lookup(r->body, r->logical + (ip - r->lo));
}
