/* The raw data writer: interning tables (grown on the worker thread only) and a capped, buffered file. */
#define _GNU_SOURCE
#include "profiler/rawout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "drdotnet/raw.h"
#include "clr/utf16.h"
#include "profiler/core.h"
#include "profiler/ilmap.h"
#include "profiler/names.h"
#include "profiler/natmods.h"

#define MAX_ENTRIES (1u << 22) /* per table: a session with more distinct frames or stacks stops */

/* Open-addressing map from a 64-bit key to an id. */
struct idmap {
    uint64_t *keys;
    uint32_t *ids; /* 0 = empty slot */
    uint32_t cap, count;
};

struct stack_entry {
    uint64_t hash;
    uint32_t id, n;
    uint32_t *frames;
};

/* Frame names already written, so frames that resolve to the same text share one id. */
struct name_entry {
    uint64_t hash;
    uint32_t id;
    char *name;
};

/* A managed function as the frames of its code sites share it: its name and where the tool finds its lines. */
struct method_entry {
    char *name;
    uint32_t asm_id; /* 0: no assembly record (the runtime could not say) */
    uint32_t token;
};

struct drd_rawout {
    struct drd_core *core;
    FILE *f;
    uint64_t bytes, max_bytes;
    int failed;
    struct idmap frames, types, threads;
    struct name_entry *names_by_text;
    uint32_t name_cap, name_count;
    struct stack_entry *stacks; /* open addressing by hash */
    uint32_t stack_cap, stack_count;
    struct drd_names *names;
    struct drd_natmods *mods; /* native frames go by module and offset (natmods.h) */
    uint32_t frame_ids;       /* frame ids given so far, by name or by native address */
    int process_noted;        /* the 'np' record was written */
    uint32_t module_ids;      /* 'nm' records written */
    /* managed frames with a code address: (fn, cls) -> method entry + 1; (fn, cls, ip) -> frame id; module ->
     * assembly id */
    struct idmap methods, sites, modules;
    struct method_entry *method_list;
    uint32_t method_cap;
    struct drd_ilmap *ilmap;
};

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static int idmap_grow(struct idmap *m)
{
    uint32_t ncap = m->cap ? m->cap * 2 : 1024;
    uint64_t *nk = calloc(ncap, sizeof *nk);
    uint32_t *ni = calloc(ncap, sizeof *ni);
    if (!nk || !ni) {
        free(nk);
        free(ni);
        return -1;
    }
    for (uint32_t i = 0; i < m->cap; i++) {
        if (!m->ids[i])
            continue;
        uint32_t j = (uint32_t)mix(m->keys[i]) & (ncap - 1);
        while (ni[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = m->keys[i];
        ni[j] = m->ids[i];
    }
    free(m->keys);
    free(m->ids);
    m->keys = nk;
    m->ids = ni;
    m->cap = ncap;
    return 0;
}

/* Finds key; returns its id, or 0 with *slot set where it would go. */
static uint32_t idmap_find(struct idmap *m, uint64_t key, uint32_t *slot)
{
    uint32_t j = (uint32_t)mix(key) & (m->cap - 1);
    while (m->ids[j]) {
        if (m->keys[j] == key)
            return m->ids[j];
        j = (j + 1) & (m->cap - 1);
    }
    *slot = j;
    return 0;
}

static void idmap_free(struct idmap *m)
{
    free(m->keys);
    free(m->ids);
}

static int names_grow(struct drd_rawout *r);

static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20)
            *s = ' ';
}

static int fail(struct drd_rawout *r, const char *why)
{
    if (!r->failed) {
        r->failed = 1;
        drd_session_fail(r->core, why);
    }
    return -1;
}

int drd_rawout_printf(struct drd_rawout *r, const char *fmt, ...)
{
    if (r->failed)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int n = vfprintf(r->f, fmt, ap);
    va_end(ap);
    if (n < 0)
        return fail(r, "writing the raw data failed (disk full or folder unwritable?)");
    r->bytes += (uint64_t)n;
    if (r->bytes > r->max_bytes)
        return fail(r, "the raw data reached its size cap (max_file_mb)");
    return 0;
}

/* Space kept free in the output folder so that the files that end a session still fit there. */
#define RESERVE_BYTES (256u * 1024u)

int drd_rawout_flush(struct drd_rawout *r)
{
    if (r->failed)
        return -1;
    struct statvfs fs;
    if (fstatvfs(fileno(r->f), &fs) == 0 && (uint64_t)fs.f_bavail * fs.f_frsize < RESERVE_BYTES)
        return fail(r, "the output folder is almost full (less than 256 KiB free): collection stopped");
    if (fflush(r->f))
        return fail(r, "writing the raw data failed (disk full or folder unwritable?)");
    return 0;
}

uint64_t drd_rawout_bytes(const struct drd_rawout *r)
{
    return r->bytes;
}

struct drd_rawout *drd_rawout_open(struct drd_core *c, const char *dir, const char *profiler, uint64_t max_bytes)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s.raw", dir, profiler) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    struct drd_rawout *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail_open;
    r->f = fdopen(fd, "w");
    if (!r->f) {
        close(fd);
        goto fail_open;
    }
    setvbuf(r->f, NULL, _IOFBF, 1 << 16);
    r->core = c;
    r->max_bytes = max_bytes;
    r->names = drd_names_create(c->info);
    r->mods = drd_natmods_create();
    r->ilmap = drd_ilmap_create(c->info);
    if (!r->names || !r->mods || !r->ilmap || idmap_grow(&r->frames) || idmap_grow(&r->types) ||
        idmap_grow(&r->threads) || idmap_grow(&r->methods) || idmap_grow(&r->sites) || idmap_grow(&r->modules) ||
        names_grow(r))
        goto fail_alloc;
    r->stack_cap = 1024;
    r->stacks = calloc(r->stack_cap, sizeof *r->stacks);
    if (!r->stacks)
        goto fail_alloc;
    if (drd_rawout_printf(r, "%s\t1\t%s\n", DRD_RAW_MAGIC, profiler))
        goto fail_alloc;
    return r;
fail_alloc:
    drd_names_destroy(r->names);
    drd_natmods_destroy(r->mods);
    drd_ilmap_destroy(r->ilmap);
    idmap_free(&r->methods);
    idmap_free(&r->sites);
    idmap_free(&r->modules);
    idmap_free(&r->frames);
    idmap_free(&r->types);
    idmap_free(&r->threads);
    free(r->names_by_text);
    free(r->stacks);
    fclose(r->f);
    unlink(path);
    errno = ENOMEM;
    free(r);
    return NULL;
fail_open:
    free(r);
    return NULL;
}

static uint64_t hash_text(const char *t)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *t; t++) {
        h ^= (unsigned char)*t;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static int names_grow(struct drd_rawout *r)
{
    uint32_t ncap = r->name_cap ? r->name_cap * 2 : 1024;
    struct name_entry *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return -1;
    for (uint32_t i = 0; i < r->name_cap; i++) {
        if (!r->names_by_text[i].id)
            continue;
        uint32_t j = (uint32_t)r->names_by_text[i].hash & (ncap - 1);
        while (nt[j].id)
            j = (j + 1) & (ncap - 1);
        nt[j] = r->names_by_text[i];
    }
    free(r->names_by_text);
    r->names_by_text = nt;
    r->name_cap = ncap;
    return 0;
}

/* The id of a frame name, writing an 'f' line the first time. */
static int name_id(struct drd_rawout *r, const char *name, uint32_t *id)
{
    uint64_t h = hash_text(name);
    uint32_t j = (uint32_t)h & (r->name_cap - 1);
    while (r->names_by_text[j].id) {
        if (r->names_by_text[j].hash == h && strcmp(r->names_by_text[j].name, name) == 0) {
            *id = r->names_by_text[j].id;
            return 0;
        }
        j = (j + 1) & (r->name_cap - 1);
    }
    if (r->name_count >= MAX_ENTRIES)
        return fail(r, "too many distinct frames");
    char *copy = strdup(name);
    if (!copy)
        return fail(r, "out of memory for the frame table");
    uint32_t nid = r->frame_ids + 1;
    if (drd_rawout_printf(r, "f\t%u\t%s\n", nid, name)) {
        free(copy);
        return -1;
    }
    r->names_by_text[j] = (struct name_entry){h, nid, copy};
    r->name_count++;
    r->frame_ids++;
    if (r->name_count * 2 > r->name_cap && names_grow(r))
        return fail(r, "out of memory for the frame table");
    *id = nid;
    return 0;
}

/* Field 22 of /proc/self/stat, the process's start time (the same in every pid namespace), or 0. */
static unsigned long long start_ticks(void)
{
    char buf[1024];
    unsigned long long ticks = 0;
    FILE *f = fopen("/proc/self/stat", "re");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    if (p)
        ticks = strtoull(p + 1, NULL, 10);
    return ticks;
}

/* Writes the 'np' record once, before the first module of either kind ('nm', 'mm'): the tool reads the module
 * files through /proc/<pid>/root only while this same process lives. Returns 0 or -1. */
static int note_process(struct drd_rawout *r)
{
    if (r->process_noted)
        return 0;
    if (drd_rawout_printf(r, "np\t%llu\n", start_ticks()))
        return -1;
    r->process_noted = 1;
    return 0;
}

/* Writes a module's 'nm' record the first time one of its frames is written (after the 'np' record, once).
 * Returns 0 or -1. */
static int announce_module(struct drd_rawout *r, struct drd_natmod *m)
{
    if (m->id)
        return 0;
    if (note_process(r))
        return -1;
    char path[4096], bid[2 * DRD_BUILD_ID_MAX + 1] = "-";
    snprintf(path, sizeof path, "%s", m->path);
    sanitize(path);
    for (size_t i = 0; i < m->build_id_len; i++)
        snprintf(bid + 2 * i, 3, "%02x", m->build_id[i]);
    if (drd_rawout_printf(r, "nm\t%u\t%s\t%s\t%llx\t%llx\t%llx\t%llx\n", r->module_ids + 1, path, bid,
                          (unsigned long long)m->bias, (unsigned long long)m->exec_lo, (unsigned long long)m->exec_hi,
                          (unsigned long long)m->exec_off))
        return -1;
    m->id = ++r->module_ids;
    return 0;
}

/* A native frame in a known module gets a frame id of its own (per address), named after the module, with the
 * module and the address in the module's ELF terms; the tool finds the function. Returns 1 with *id, 0 when f is
 * not such a frame (managed code, or an address in no module), -1 on failure. */
static int native_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id)
{
    if (!DRD_FRAME_IS_NATIVE(f))
        return 0;
    FunctionID fn = 0;
    if (f->cls == DRD_FRAME_IP_UNRESOLVED && r->core->info &&
        SUCCEEDED(r->core->info->lpVtbl->GetFunctionFromIP(r->core->info, (LPCBYTE)(uintptr_t)DRD_FRAME_IP(f), &fn)) &&
        fn)
        return 0; /* managed code: named by the runtime */
    struct drd_natmod *m = drd_natmods_find(r->mods, DRD_FRAME_IP(f));
    if (!m)
        return 0;
    if (announce_module(r, m))
        return -1;
    uint32_t nid = r->frame_ids + 1;
    char base[256];
    snprintf(base, sizeof base, "%s", m->base);
    sanitize(base);
    if (drd_rawout_printf(r, "f\t%u\t%s\tN %u %llx\n", nid, base, m->id,
                          (unsigned long long)(DRD_FRAME_IP(f) - m->bias)))
        return -1;
    r->frame_ids++;
    *id = nid;
    return 1;
}

/* Adds key -> value at slot (found empty by idmap_find), growing the map. Returns 0 or -1 (out of memory). */
static int idmap_put(struct idmap *m, uint32_t slot, uint64_t key, uint32_t value)
{
    m->keys[slot] = key;
    m->ids[slot] = value;
    m->count++;
    return m->count * 2 > m->cap ? idmap_grow(m) : 0;
}

/* The assembly id of a module, writing its 'mm' record the first time: the MVID (or '-') that the tool checks
 * the file against, and the file's path. 0 when the runtime could not say. */
static uint32_t assembly_id(struct drd_rawout *r, ModuleID module)
{
    uint32_t slot = 0, found = idmap_find(&r->modules, module, &slot);
    if (found || r->modules.count >= MAX_ENTRIES)
        return found;
    WCHAR path16[1024];
    ULONG len = 0;
    LPCBYTE base = NULL;
    AssemblyID assembly = 0;
    DWORD flags = 0;
    ICorProfilerInfo15 *info = r->core->info;
    if (FAILED(info->lpVtbl->GetModuleInfo2(info, module, &base, 1024, &len, path16, &assembly, &flags)))
        return 0;
    char path[3072];
    drd_utf16_to_utf8(path16, len < 1024 ? len : 1023, path, sizeof path, NULL);
    sanitize(path);
    uint8_t mvid[16];
    char hex[33] = "-";
    if (drd_names_module_mvid(r->names, module, mvid) == 0)
        for (int i = 0; i < 16; i++)
            snprintf(hex + 2 * i, 3, "%02x", mvid[i]);
    uint32_t aid = r->modules.count + 1;
    if (note_process(r) || drd_rawout_printf(r, "mm\t%u\t%s\t%s\n", aid, hex, path) ||
        idmap_put(&r->modules, slot, module, aid))
        return 0;
    return aid;
}

/* The method entry of a managed (fn, cls): its name, resolved once, and its assembly and token. NULL on failure. */
static const struct method_entry *method_of(struct drd_rawout *r, const struct drd_frame *f)
{
    uint64_t key = f->fn ^ mix(f->cls);
    uint32_t slot = 0, found = idmap_find(&r->methods, key, &slot);
    if (found)
        return &r->method_list[found - 1];
    if (r->methods.count >= MAX_ENTRIES)
        return NULL;
    if (r->methods.count == r->method_cap) {
        uint32_t ncap = r->method_cap ? r->method_cap * 2 : 1024;
        struct method_entry *nl = realloc(r->method_list, ncap * sizeof *nl);
        if (!nl)
            return NULL;
        r->method_list = nl;
        r->method_cap = ncap;
    }
    char name[1024];
    struct drd_frame bare = {f->fn, f->cls, 0};
    drd_names_frame(r->names, &bare, name, sizeof name);
    sanitize(name);
    struct method_entry e = {strdup(name), 0, 0};
    if (!e.name)
        return NULL;
    ClassID cls;
    ModuleID module = 0;
    mdToken tok = 0;
    ULONG32 n;
    ICorProfilerInfo15 *info = r->core->info;
    BOOL dynamic = 0;
    if (FAILED(info->lpVtbl->IsFunctionDynamic(info, (FunctionID)f->fn, &dynamic)))
        dynamic = 0;
    /* a dynamic method (LCG, expression trees) has no token of any file, so no line */
    if (!dynamic &&
        SUCCEEDED(info->lpVtbl->GetFunctionInfo2(info, (FunctionID)f->fn, 0, &cls, &module, &tok, 0, &n, NULL)) &&
        module) {
        e.asm_id = assembly_id(r, module);
        e.token = tok;
    }
    uint32_t index = r->methods.count;
    r->method_list[index] = e;
    if (idmap_put(&r->methods, slot, key, index + 1))
        return NULL; /* kept in the map (only its growth failed), freed at close */
    return &r->method_list[index];
}

/* A frame known only by its address (the signal sampler's, an event's): the managed frame of the function that
 * holds it, else NULL (native code). */
static const struct drd_frame *as_managed(struct drd_rawout *r, const struct drd_frame *f, struct drd_frame *out)
{
    FunctionID fn = 0;
    ICorProfilerInfo15 *info = r->core->info;
    if (FAILED(info->lpVtbl->GetFunctionFromIP(info, (LPCBYTE)(uintptr_t)DRD_FRAME_IP(f), &fn)) || !fn)
        return NULL;
    *out = (struct drd_frame){fn, 0, f->ip};
    return out;
}

static int plain_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id);

/* The frame id of a managed frame for its code site, its 'f' line carrying the trailing field
 * "M <assembly id> <method token hex> <IL offset or -1>" for the tool to find the source line: one id per
 * (method, IL offset). A frame known only by its address is resolved here, once per address (native code goes
 * to plain_frame, its id kept under the address too). */
static int site_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id)
{
    uint64_t key = mix(f->fn ^ mix(f->cls ^ mix(f->ip)));
    uint32_t slot = 0, found = idmap_find(&r->sites, key, &slot);
    if (found) {
        *id = found;
        return 0;
    }
    if (r->sites.count >= MAX_ENTRIES)
        return fail(r, "too many distinct frames");
    struct drd_frame resolved;
    const struct drd_frame *m_frame = DRD_FRAME_IS_NATIVE(f) ? as_managed(r, f, &resolved) : f;
    uint32_t nid;
    if (!m_frame) {
        if (plain_frame(r, f, &nid))
            return -1;
    } else {
        const struct method_entry *m = method_of(r, m_frame);
        if (!m)
            return fail(r, "out of memory for the frame table");
        char text[1200];
        if (m->asm_id) {
            int32_t il = drd_ilmap_offset(r->ilmap, m_frame->ip);
            snprintf(text, sizeof text, "%s\tM %u %x %d", m->name, m->asm_id, m->token, il);
        } else {
            snprintf(text, sizeof text, "%s", m->name);
        }
        if (name_id(r, text, &nid))
            return -1;
    }
    if (idmap_put(&r->sites, slot, key, nid))
        return fail(r, "out of memory for the frame table");
    *id = nid;
    return 0;
}

int drd_rawout_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id)
{
    if (f->ip && (!DRD_FRAME_IS_NATIVE(f) || f->cls == DRD_FRAME_IP_UNRESOLVED))
        return site_frame(r, f, id);
    return plain_frame(r, f, id);
}

/* A frame without a code site (native code, a frame captured without its address): one id per name. */
static int plain_frame(struct drd_rawout *r, const struct drd_frame *f, uint32_t *id)
{
    uint64_t key = f->fn ^ mix(f->cls);
    uint32_t slot = 0, found = idmap_find(&r->frames, key, &slot);
    /* a collision of (fn, cls) keys would only merge two names; the key mixes both to make it unlikely */
    if (found) {
        *id = found;
        return 0;
    }
    if (r->frames.count >= MAX_ENTRIES)
        return fail(r, "too many distinct frames");
    uint32_t nid;
    int native = native_frame(r, f, &nid);
    if (native < 0)
        return -1;
    if (!native) {
        char name[1024];
        drd_names_frame(r->names, f, name, sizeof name);
        sanitize(name);
        if (name_id(r, name, &nid))
            return -1;
    }
    r->frames.keys[slot] = key;
    r->frames.ids[slot] = nid;
    r->frames.count++;
    if (r->frames.count * 2 > r->frames.cap && idmap_grow(&r->frames))
        return fail(r, "out of memory for the frame table");
    *id = nid;
    return 0;
}

int drd_rawout_thread(struct drd_rawout *r, uint32_t tid)
{
    return drd_rawout_thread_as(r, tid, NULL);
}

int drd_rawout_thread_as(struct drd_rawout *r, uint32_t tid, const char *known)
{
    uint32_t slot = 0;
    if (idmap_find(&r->threads, tid, &slot))
        return 0;
    char path[64], name[64] = "";
    snprintf(path, sizeof path, "/proc/self/task/%u/comm", tid);
    FILE *f = known && *known ? NULL : fopen(path, "re");
    if (f) {
        if (!fgets(name, sizeof name, f))
            name[0] = 0;
        fclose(f);
    } else if (known)
        snprintf(name, sizeof name, "%s", known);
    name[strcspn(name, "\n")] = 0;
    sanitize(name);
    r->threads.keys[slot] = tid;
    r->threads.ids[slot] = 1;
    r->threads.count++;
    if (r->threads.count * 2 > r->threads.cap && idmap_grow(&r->threads))
        return fail(r, "out of memory for the thread table");
    return drd_rawout_printf(r, "n\t%u\t%s\n", tid, name);
}

int drd_rawout_type(struct drd_rawout *r, ClassID cls, uint32_t *id)
{
    uint32_t slot = 0, found = idmap_find(&r->types, cls, &slot);
    if (found) {
        *id = found;
        return 0;
    }
    if (r->types.count >= MAX_ENTRIES)
        return fail(r, "too many distinct types");
    char name[1024];
    drd_names_class(r->names, cls, name, sizeof name);
    sanitize(name);
    uint32_t nid = r->types.count + 1;
    if (drd_rawout_printf(r, "t\t%u\t%s\n", nid, name))
        return -1;
    r->types.keys[slot] = cls;
    r->types.ids[slot] = nid;
    r->types.count++;
    if (r->types.count * 2 > r->types.cap && idmap_grow(&r->types))
        return fail(r, "out of memory for the type table");
    *id = nid;
    return 0;
}

static int stacks_grow(struct drd_rawout *r)
{
    uint32_t ncap = r->stack_cap * 2;
    struct stack_entry *ns = calloc(ncap, sizeof *ns);
    if (!ns)
        return -1;
    for (uint32_t i = 0; i < r->stack_cap; i++) {
        if (!r->stacks[i].id)
            continue;
        uint32_t j = (uint32_t)r->stacks[i].hash & (ncap - 1);
        while (ns[j].id)
            j = (j + 1) & (ncap - 1);
        ns[j] = r->stacks[i];
    }
    free(r->stacks);
    r->stacks = ns;
    r->stack_cap = ncap;
    return 0;
}

int drd_rawout_stack(struct drd_rawout *r, const struct drd_frame *frames, int n, uint32_t *id)
{
    uint32_t ids[DRD_RAW_MAX_DEPTH];
    uint32_t k = 0;
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < n && k < DRD_RAW_MAX_DEPTH; i++) {
        if (drd_rawout_frame(r, &frames[i], &ids[k]))
            return -1;
        h = mix(h ^ ids[k]);
        k++;
    }
    h = mix(h ^ k);
    uint32_t j = (uint32_t)h & (r->stack_cap - 1);
    while (r->stacks[j].id) {
        struct stack_entry *e = &r->stacks[j];
        if (e->hash == h && e->n == k && memcmp(e->frames, ids, k * sizeof *ids) == 0) {
            *id = e->id;
            return 0;
        }
        j = (j + 1) & (r->stack_cap - 1);
    }
    if (r->stack_count >= MAX_ENTRIES)
        return fail(r, "too many distinct stacks");
    uint32_t *copy = malloc((k ? k : 1) * sizeof *copy);
    if (!copy)
        return fail(r, "out of memory for the stack table");
    memcpy(copy, ids, k * sizeof *ids);
    uint32_t nid = r->stack_count + 1;
    /* the line: s <id> <f1>,<f2>,... */
    if (drd_rawout_printf(r, "s\t%u\t", nid)) {
        free(copy);
        return -1;
    }
    for (uint32_t i = 0; i < k; i++)
        if (drd_rawout_printf(r, i ? ",%u" : "%u", ids[i])) {
            free(copy);
            return -1;
        }
    if (drd_rawout_printf(r, "\n")) {
        free(copy);
        return -1;
    }
    r->stacks[j] = (struct stack_entry){.hash = h, .id = nid, .n = k, .frames = copy};
    r->stack_count++;
    if (r->stack_count * 2 > r->stack_cap && stacks_grow(r))
        return fail(r, "out of memory for the stack table");
    *id = nid;
    return 0;
}

int drd_rawout_close(struct drd_rawout *r, int ok, uint64_t events, uint64_t dropped)
{
    if (!r)
        return 0;
    int rc = 0;
    if (ok && !r->failed)
        rc = drd_rawout_printf(r, "end\t%llu\t%llu\n", (unsigned long long)events, (unsigned long long)dropped);
    if (fclose(r->f) && !r->failed) {
        fail(r, "writing the raw data failed (disk full or folder unwritable?)");
        rc = -1;
    }
    if (r->failed)
        rc = -1;
    for (uint32_t i = 0; i < r->stack_cap; i++)
        free(r->stacks[i].frames);
    free(r->stacks);
    for (uint32_t i = 0; i < r->name_cap; i++)
        free(r->names_by_text[i].name);
    free(r->names_by_text);
    idmap_free(&r->frames);
    idmap_free(&r->types);
    idmap_free(&r->threads);
    for (uint32_t i = 0; i < r->methods.count; i++)
        free(r->method_list[i].name);
    free(r->method_list);
    idmap_free(&r->methods);
    idmap_free(&r->sites);
    idmap_free(&r->modules);
    drd_ilmap_destroy(r->ilmap);
    drd_names_destroy(r->names);
    drd_natmods_destroy(r->mods);
    free(r);
    return rc;
}
