/* The duplicated-strings profiler: string values the heap holds more than once, and the bytes they waste.
 *
 * One heap walk (EnumerateGCHeapObjects) inside our own runtime suspension: every System.String is hashed by
 * value into a preallocated table that keeps one representative object per distinct value; the values of the
 * top duplicates are copied before the runtime resumes (objects may move afterwards). Nothing is allocated
 * while the runtime is suspended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clr/metadata.h"
#include "clr/utf16.h"
#include "common/clock.h"
#include "profiler/core.h"
#include "profiler/rawout.h"
#include "profiler/types.h"

/* This profiler's part of the session (its parameters, raw file and counts), set by start. */
static struct drd_prof *self;

struct entry {
    ObjectID rep; /* a representative object; 0 = empty slot */
    uint64_t hash;
    uint32_t length; /* UTF-16 units */
    uint32_t count;
};

struct top {
    uint32_t slot;
    uint64_t wasted;
};

static struct {
    struct entry *table;
    size_t slots; /* power of two */
    size_t distinct, max_distinct;
    uint64_t strings, string_bytes, overflow;
    ULONG len_off, buf_off;
    ClassID string_class;
    int max_display, top_n;
    struct top *tops; /* top_n largest wasters */
    int n_tops;
    char16_t *values; /* top_n * max_display units */
    uint32_t *value_units;
    uint64_t pause_ns;
    int done, gc_first;
} st;

static const struct drd_param_desc params[] = {
    {"top", DRD_PARAM_INT, "100", "duplicated values reported, by bytes wasted", 1, 10000, NULL},
    {"max_display", DRD_PARAM_INT, "80", "characters of a value shown", 1, 1000, NULL},
    {"gc_first", DRD_PARAM_BOOL, "true", "run a full GC first, so that garbage is not counted", 0, 0, NULL},
    {"max_distinct", DRD_PARAM_INT, "1000000", "distinct string values counted (the table is sized for it)", 1000,
     50000000, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "duplicated-strings",
    .clsid = "{D3B7E5A1-2C49-4F8E-B061-9A7C5E3D1F24}",
    .description = "String values held more than once: occurrences and bytes wasted, from one heap walk",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_ONESHOT,
    .common = DRD_COMMON_MAX_FILE_MB,
};

/* The size of a string object on a 64-bit runtime: header and method table, length, the characters and a
 * terminating NUL, rounded up to 8 bytes. */
static uint64_t string_size(uint32_t length)
{
    return ((uint64_t)st.buf_off + 2ULL * length + 2 + 8 + 7) & ~7ULL;
}

static const char16_t *chars_of(ObjectID obj)
{
    return (const char16_t *)(uintptr_t)(obj + st.buf_off);
}

/* Called for every live object while the runtime is suspended: no allocation, no lock, no runtime call. */
static BOOL on_object(ObjectID obj, void *ctx)
{
    (void)ctx;
    if (*(const ClassID *)(uintptr_t)obj != st.string_class)
        return 1;
    int32_t len = *(const int32_t *)(uintptr_t)(obj + st.len_off);
    if (len < 0)
        return 1;
    const char16_t *chars = chars_of(obj);
    uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)len;
    for (int32_t i = 0; i < len; i++) {
        h ^= chars[i];
        h *= 0x100000001b3ULL;
    }
    st.strings++;
    st.string_bytes += string_size((uint32_t)len);
    for (size_t p = 0, i = h & (st.slots - 1); p < st.slots; p++, i = (i + 1) & (st.slots - 1)) {
        struct entry *e = &st.table[i];
        if (e->rep == 0) {
            if (st.distinct >= st.max_distinct) {
                st.overflow++;
                return 1;
            }
            *e = (struct entry){obj, h, (uint32_t)len, 1};
            st.distinct++;
            return 1;
        }
        if (e->hash == h && e->length == (uint32_t)len &&
            memcmp(chars_of(e->rep), chars, (size_t)len * sizeof *chars) == 0) {
            e->count++;
            return 1;
        }
    }
    st.overflow++;
    return 1;
}

/* Keeps the top_n entries by wasted bytes in st.tops (a small sorted insertion: top_n is at most 10,000). */
static void select_tops(void)
{
    st.n_tops = 0;
    for (size_t i = 0; i < st.slots; i++) {
        const struct entry *e = &st.table[i];
        if (e->rep == 0 || e->count < 2)
            continue;
        uint64_t wasted = (uint64_t)(e->count - 1) * string_size(e->length);
        if (st.n_tops == st.top_n && wasted <= st.tops[st.n_tops - 1].wasted)
            continue;
        int k = st.n_tops < st.top_n ? st.n_tops++ : st.n_tops - 1;
        while (k > 0 && st.tops[k - 1].wasted < wasted) {
            st.tops[k] = st.tops[k - 1];
            k--;
        }
        st.tops[k] = (struct top){(uint32_t)i, wasted};
    }
    for (int t = 0; t < st.n_tops; t++) {
        const struct entry *e = &st.table[st.tops[t].slot];
        uint32_t n = e->length < (uint32_t)st.max_display ? e->length : (uint32_t)st.max_display;
        memcpy(st.values + (size_t)t * st.max_display, chars_of(e->rep), n * sizeof(char16_t));
        st.value_units[t] = n;
    }
}

/* Finds System.String's ClassID through CoreLib's metadata (a lookup: the runtime loads String at its start).
 * Returns 0 or -1. */
static int find_string_class(struct drd_core *c)
{
    ICorProfilerModuleEnum *mods = NULL;
    int found = -1;
    if (FAILED(c->info->lpVtbl->EnumModules(c->info, &mods)) || !mods)
        return -1;
    ModuleID ids[64];
    ULONG got = 0;
    while (found < 0 && SUCCEEDED(mods->lpVtbl->Next(mods, 64, ids, &got)) && got > 0) {
        for (ULONG i = 0; i < got && found < 0; i++) {
            WCHAR name16[1024];
            ULONG n = 0;
            LPCBYTE base;
            AssemblyID asm_id;
            DWORD flags;
            char name[3072];
            size_t n8;
            if (FAILED(c->info->lpVtbl->GetModuleInfo2(c->info, ids[i], &base, 1024, &n, name16, &asm_id, &flags)))
                continue;
            drd_utf16_to_utf8(name16, n, name, sizeof name, &n8);
            const char *slash = strrchr(name, '/');
            if (strcmp(slash ? slash + 1 : name, "System.Private.CoreLib.dll") != 0)
                continue;
            IUnknown *unk = NULL;
            if (c->info->lpVtbl->GetModuleMetaData(c->info, ids[i], ofRead, &IID_IMetaDataImport, &unk) != S_OK || !unk)
                continue;
            IMetaDataImport2 *md = (IMetaDataImport2 *)(void *)unk;
            mdTypeDef td = 0;
            if (SUCCEEDED(md->lpVtbl->FindTypeDefByName(md, u"System.String", 0, &td)) &&
                drd_types_loaded_class(c->info, md, ids[i], td, &st.string_class) == 0)
                found = 0;
            md->lpVtbl->Release(md);
        }
        if (got < 64)
            break;
    }
    mods->lpVtbl->Release(mods);
    return found;
}

static int sample(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    if (find_string_class(c)) {
        drd_session_fail(c, "System.String was not found in System.Private.CoreLib");
        return 1;
    }
    if (st.gc_first) {
        /* only live strings matter: collect the garbage first (from this thread, never from a callback) */
        HRESULT ghr = c->info->lpVtbl->ForceGC(c->info);
        if (FAILED(ghr))
            drd_log(c, "ForceGC: 0x%08x; walking with the garbage", (unsigned)ghr);
        st.gc_first = 0;
    }
    uint64_t t0 = drd_clock_mono_ns();
    if (FAILED(c->info->lpVtbl->SuspendRuntime(c->info)))
        return 0; /* a GC is suspending the runtime: try at the next tick */
    HRESULT hr = c->info->lpVtbl->EnumerateGCHeapObjects(c->info, on_object, NULL);
    if (SUCCEEDED(hr))
        select_tops();
    HRESULT rhr = c->info->lpVtbl->ResumeRuntime(c->info);
    st.pause_ns = drd_clock_mono_ns() - t0;
    if (FAILED(rhr))
        drd_session_fail(c, "the runtime refused to resume after the heap walk");
    if (FAILED(hr)) {
        char why[128];
        snprintf(why, sizeof why, "the heap walk failed: 0x%08x", (unsigned)hr);
        drd_session_fail(c, why);
        return 1;
    }
    atomic_store(&p->events, st.strings);
    atomic_store(&p->dropped, st.overflow);
    __atomic_store_n(&st.done, 1, __ATOMIC_RELEASE);
    drd_session_request_end(c);
    return 1;
}

static void override(ICorProfilerCallback11Vtbl *vt)
{
    (void)vt;
}

static void release(void)
{
    free(st.table);
    free(st.tops);
    free(st.values);
    free(st.value_units);
    memset(&st, 0, sizeof st);
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    struct drd_core *c = p->core;
    self = p;
    memset(&st, 0, sizeof st);
    if (c->info_version < 15) {
        snprintf(err, errcap, "duplicated-strings needs .NET 9 or later (EnumerateGCHeapObjects)");
        return -1;
    }
    if (FAILED(c->info->lpVtbl->GetStringLayout2(c->info, &st.len_off, &st.buf_off))) {
        snprintf(err, errcap, "the runtime did not give the string layout");
        return -1;
    }
    st.max_distinct = (size_t)drd_params_int(&p->params, "max_distinct", 1000000);
    st.slots = 1;
    while (st.slots < st.max_distinct * 2)
        st.slots <<= 1;
    st.top_n = (int)drd_params_int(&p->params, "top", 100);
    st.gc_first = (int)drd_params_int(&p->params, "gc_first", 1);
    st.max_display = (int)drd_params_int(&p->params, "max_display", 80);
    st.table = calloc(st.slots, sizeof *st.table);
    st.tops = calloc((size_t)st.top_n, sizeof *st.tops);
    st.values = calloc((size_t)st.top_n * (size_t)st.max_display, sizeof *st.values);
    st.value_units = calloc((size_t)st.top_n, sizeof *st.value_units);
    if (!st.table || !st.tops || !st.values || !st.value_units) {
        release();
        snprintf(err, errcap, "out of memory for a table of %zu strings", st.max_distinct);
        return -1;
    }
    p->sample_period_ns = 20000000; /* one walk; retried every 20 ms while a GC holds the runtime */
    *mask = COR_PRF_MONITOR_NONE;
    *mask_high = 0;
    return 0;
}

/* Writes a value with backslash, tab, newline and carriage return escaped. */
static void write_value(struct drd_prof *p, const char *v)
{
    char out[4096 * 2];
    size_t n = 0;
    for (const char *q = v; *q && n + 3 < sizeof out; q++) {
        char e = *q == '\\' ? '\\' : *q == '\t' ? 't' : *q == '\n' ? 'n' : *q == '\r' ? 'r' : 0;
        if (e) {
            out[n++] = '\\';
            out[n++] = e;
        } else if ((unsigned char)*q < 0x20)
            out[n++] = ' ';
        else
            out[n++] = *q;
    }
    out[n] = 0;
    drd_rawout_printf(p->raw, "%s\n", out);
}

static void drain(struct drd_prof *p)
{
    if (!__atomic_load_n(&st.done, __ATOMIC_ACQUIRE) || st.done == 2)
        return;
    st.done = 2;
    drd_rawout_printf(
        p->raw, "m\tstrings\t%llu\nm\tstring_bytes\t%llu\nm\tdistinct\t%zu\nm\toverflow\t%llu\nm\tpause_ns\t%llu\n",
        (unsigned long long)st.strings, (unsigned long long)st.string_bytes, st.distinct,
        (unsigned long long)st.overflow, (unsigned long long)st.pause_ns);
    uint64_t wasted_all = 0, dup_values = 0;
    for (size_t i = 0; i < st.slots; i++)
        if (st.table[i].rep && st.table[i].count > 1) {
            wasted_all += (uint64_t)(st.table[i].count - 1) * string_size(st.table[i].length);
            dup_values++;
        }
    drd_rawout_printf(p->raw, "m\tduplicated_values\t%llu\nm\twasted_bytes\t%llu\n", (unsigned long long)dup_values,
                   (unsigned long long)wasted_all);
    for (int t = 0; t < st.n_tops; t++) {
        const struct entry *e = &st.table[st.tops[t].slot];
        char value[4096];
        size_t n8 = 0;
        drd_utf16_to_utf8(st.values + (size_t)t * st.max_display, st.value_units[t], value, sizeof value, &n8);
        drd_rawout_printf(p->raw, "d\t%u\t%u\t%llu\t%llu\t", e->count, e->length,
                       (unsigned long long)string_size(e->length), (unsigned long long)st.tops[t].wasted);
        write_value(p, value);
    }
}

static void stop(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    (void)c;
    release();
}

const struct drd_profiler_ops drd_duplicated_strings_ops = {
    .desc = &desc,
    .override = override,
    .start = start,
    .drain = drain,
    .sample = sample,
    .stop = stop,
};
