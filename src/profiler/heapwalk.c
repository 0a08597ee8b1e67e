/* The heap walk shared by heap-snapshot and leaks (see heapwalk.h).
 *
 * Roots with their kind only come from the runtime's own heap walk at the end of a GC when COR_PRF_MONITOR_GC
 * is on (which it allows only from InitializeForAttach). So: the walk finds the addresses of the app's static
 * reference fields, forces one GC from the sampler thread, and inside that GC's callbacks streams every object (id,
 * class, size, references) and every root into a memory region reserved beforehand (no I/O and no allocation while
 * the runtime is stopped); at the GC's end it reads the static fields (the runtime is still suspended), and only
 * after the runtime resumed appends the region to the caller's graph file. Dominators, retained sizes and paths are
 * computed by the tool. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clr/metadata.h"
#include "clr/utf16.h"
#include "profiler/core.h"
#include "profiler/heapwalk.h"
#include "profiler/names.h"
#include "profiler/rawout.h"
#include "profiler/types.h"
#include "common/textcut.h"
#include "common/fsutil.h"
#include "common/clock.h"

#define MAX_STATICS 65536
#define STATIC_SLOTS (1 << 17) /* twice MAX_STATICS: the addresses already recorded, open addressing */
#define CLASS_SLOTS (1 << 18)
#define PREFAULT_BYTES (64u << 20)
#ifdef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE_ MADV_POPULATE_WRITE
#else
#define MADV_POPULATE_WRITE_ 23 /* Linux 5.14 */
#endif

/* A class the captures met, named on the sampler thread after the capture (the worker thread cannot always ask the
 * runtime by then: after the session's EventPipe sessions closed, GetModuleMetaData refuses it). */
struct named_class {
    ClassID cls;
    char *name;
};

struct static_field {
    void *address; /* the slot that holds the reference */
    char name[200];
};

static struct {
    int fd; /* the caller's graph file; every capture is appended to it */
    unsigned char *buf; /* max_bytes of address space reserved with MAP_NORESERVE: pages come as they are used */
    size_t used;
    uint64_t bytes, max_bytes;
    uint64_t written; /* bytes of the earlier captures in the file: a capture may use max_bytes - written */
    atomic_flag lock; /* GC callbacks can run on several GC threads (server GC) */
    _Atomic int armed, capturing, captured, failed;
    struct static_field *statics;
    int n_statics;
    void **static_slots; /* the addresses in statics, so that a field found again is not listed twice */
    ClassID *classes; /* distinct ClassIDs seen, open addressing; 0 = empty */
    unsigned char *class_done; /* by slot of classes: 1 once named */
    struct named_class *named; /* CLASS_SLOTS entries, filled in order */
    size_t n_named;
    _Atomic size_t named_published; /* entries of named that the writer may read */
    _Atomic int statics_published; /* entries of statics that the writer may read */
    size_t classes_written;
    int statics_written;
    struct drd_names *names;
    uint64_t objects, edges, roots, heap_bytes; /* counted under the lock, with the record they describe */
    uint64_t suspend_start_ns, pause_ns, gc_start_ns, gc_ns;
    int static_roots;
    int in_use;
} st;

/* Writes the captured graph to the file after the runtime resumed: the magic, then the records. Returns 0, or -1
 * with errno. */
static int write_out(void)
{
    if (write(st.fd, DRD_HEAPWALK_MAGIC, 8) != 8)
        return -1;
    size_t off = 0;
    while (off < st.used) {
        ssize_t n = write(st.fd, st.buf + off, st.used - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        off += (size_t)n;
    }
    return 0;
}

/* Appends one record (the pieces given) atomically with respect to other GC threads, and adds objects, edges,
 * bytes and roots to the totals under the same lock (one lock per object instead of more atomics). */
static void emit_counted(const void *a, size_t na, const void *b, size_t nb, uint64_t objects, uint64_t edges,
                         uint64_t bytes, uint64_t roots)
{
    if (atomic_load_explicit(&st.failed, memory_order_relaxed))
        return;
    while (atomic_flag_test_and_set_explicit(&st.lock, memory_order_acquire))
        ;
    if (st.written + st.used + na + nb > st.max_bytes) {
        atomic_store(&st.failed, 2);
    } else {
        st.bytes += na + nb;
        st.objects += objects;
        st.edges += edges;
        st.heap_bytes += bytes;
        st.roots += roots;
        memcpy(st.buf + st.used, a, na);
        if (nb)
            memcpy(st.buf + st.used + na, b, nb);
        st.used += na + nb;
    }
    atomic_flag_clear_explicit(&st.lock, memory_order_release);
}

static void emit(const void *a, size_t na, const void *b, size_t nb)
{
    emit_counted(a, na, b, nb, 0, 0, 0, 0);
}

static void note_class(ClassID cls)
{
    uint64_t h = (cls >> 3) * 0x9e3779b97f4a7c15ULL;
    for (size_t p = 0; p < 64; p++) {
        size_t i = (size_t)(h + p) & (CLASS_SLOTS - 1);
        ClassID cur = __atomic_load_n(&st.classes[i], __ATOMIC_RELAXED);
        if (cur == cls)
            return;
        if (cur == 0) {
            ClassID expected = 0;
            if (__atomic_compare_exchange_n(&st.classes[i], &expected, cls, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED) ||
                expected == cls)
                return;
        }
    }
}

static HRESULT RuntimeSuspendStarted(ICorProfilerCallback11 *This, COR_PRF_SUSPEND_REASON reason)
{
    (void)This;
    (void)reason;
    if (atomic_load(&st.armed))
        st.suspend_start_ns = drd_clock_mono_ns();
    return S_OK;
}

static HRESULT RuntimeResumeFinished(ICorProfilerCallback11 *This)
{
    (void)This;
    if (atomic_load(&st.captured) && st.pause_ns == 0 && st.suspend_start_ns)
        st.pause_ns = drd_clock_mono_ns() - st.suspend_start_ns;
    return S_OK;
}

static HRESULT GarbageCollectionStarted(ICorProfilerCallback11 *This, int count, BOOL collected[],
                                        COR_PRF_GC_REASON reason)
{
    (void)count, (void)collected, (void)reason;
    (void)This;
    int expected = 1;
    /* only the GC we forced is captured; the app's own GCs before it pass by */
    if (atomic_compare_exchange_strong(&st.armed, &expected, 2)) {
        st.gc_start_ns = drd_clock_mono_ns();
        atomic_store(&st.capturing, 1);
    }
    return S_OK;
}

static HRESULT ObjectReferences(ICorProfilerCallback11 *This, ObjectID obj, ClassID cls, ULONG n, ObjectID refs[])
{
    struct drd_core *c = drd_core_from(This);
    if (!atomic_load_explicit(&st.capturing, memory_order_relaxed))
        return S_OK;
    SIZE_T size = 0;
    if (FAILED(c->info->lpVtbl->GetObjectSize2(c->info, obj, &size)))
        size = 0;
    unsigned char head[1 + 8 + 8 + 8 + 4];
    uint64_t o = obj, k = cls, z = size;
    uint32_t nn = n;
    head[0] = 'O';
    memcpy(head + 1, &o, 8);
    memcpy(head + 9, &k, 8);
    memcpy(head + 17, &z, 8);
    memcpy(head + 25, &nn, 4);
    emit_counted(head, sizeof head, refs, (size_t)n * sizeof(ObjectID), 1, n, size, 0);
    note_class(cls);
    return S_OK;
}

static HRESULT RootReferences2(ICorProfilerCallback11 *This, ULONG n, ObjectID refs[], COR_PRF_GC_ROOT_KIND kinds[],
                               COR_PRF_GC_ROOT_FLAGS flags[], UINT_PTR ids[])
{
    (void)This;
    if (!atomic_load_explicit(&st.capturing, memory_order_relaxed))
        return S_OK;
    for (ULONG i = 0; i < n; i++) {
        if (refs[i] == 0)
            continue;
        unsigned char rec[1 + 8 + 1 + 1 + 8];
        uint64_t o = refs[i], id = ids ? ids[i] : 0;
        rec[0] = 'R';
        memcpy(rec + 1, &o, 8);
        rec[9] = (unsigned char)kinds[i];
        rec[10] = (unsigned char)flags[i];
        memcpy(rec + 11, &id, 8);
        emit_counted(rec, sizeof rec, NULL, 0, 0, 0, 0, 1);
    }
    return S_OK;
}

static HRESULT GarbageCollectionFinished(ICorProfilerCallback11 *This)
{
    (void)This;
    int expected = 1;
    if (!atomic_compare_exchange_strong(&st.capturing, &expected, 0))
        return S_OK;
    /* the runtime is still suspended: the static slots hold the objects' final addresses */
    for (int i = 0; i < st.n_statics; i++) {
        uint64_t o = *(const uint64_t *)st.statics[i].address;
        if (o == 0)
            continue;
        unsigned char rec[1 + 8 + 4];
        uint32_t idx = (uint32_t)i;
        rec[0] = 'S';
        memcpy(rec + 1, &o, 8);
        memcpy(rec + 9, &idx, 4);
        emit(rec, sizeof rec, NULL, 0);
    }
    st.gc_ns = drd_clock_mono_ns() - st.gc_start_ns;
    atomic_store(&st.captured, 1);
    return S_OK;
}

void drd_heapwalk_override(ICorProfilerCallback11Vtbl *vt)
{
    vt->RuntimeSuspendStarted = RuntimeSuspendStarted;
    vt->RuntimeResumeFinished = RuntimeResumeFinished;
    vt->GarbageCollectionStarted = GarbageCollectionStarted;
    vt->ObjectReferences = ObjectReferences;
    vt->RootReferences2 = RootReferences2;
    vt->GarbageCollectionFinished = GarbageCollectionFinished;
}

/* 1 when the static slot at addr is already listed; otherwise notes it and returns 0 (also when the table is full,
 * which MAX_STATICS keeps from happening). */
static int static_known(void *addr)
{
    uint64_t h = ((uintptr_t)addr >> 3) * 0x9e3779b97f4a7c15ULL;
    for (size_t p = 0; p < STATIC_SLOTS; p++) {
        size_t i = (size_t)(h + p) & (STATIC_SLOTS - 1);
        if (st.static_slots[i] == addr)
            return 1;
        if (!st.static_slots[i]) {
            st.static_slots[i] = addr;
            return 0;
        }
    }
    return 0;
}

/* 1 when a field signature's type is a reference (the slot holds an object). */
static int sig_is_reference(PCCOR_SIGNATURE sig, ULONG len)
{
    ULONG i = 1; /* after the FIELD calling convention byte */
    while (i < len && (sig[i] == ELEMENT_TYPE_CMOD_REQD || sig[i] == ELEMENT_TYPE_CMOD_OPT))
        i += 2; /* a modifier and (most often one byte of) its compressed token */
    if (i >= len)
        return 0;
    switch (sig[i]) {
    case ELEMENT_TYPE_STRING:
    case ELEMENT_TYPE_CLASS:
    case ELEMENT_TYPE_OBJECT:
    case ELEMENT_TYPE_SZARRAY:
    case ELEMENT_TYPE_ARRAY:
        return 1;
    case ELEMENT_TYPE_GENERICINST:
        return i + 1 < len && sig[i + 1] == ELEMENT_TYPE_CLASS;
    default:
        return 0;
    }
}

/* Records the static reference fields of one type whose statics the runtime has allocated: the type loaded by
 * the app itself (drd_types_loaded_class: never one loaded on the app's behalf) and initialized
 * (GetAppDomainStaticAddress answers CORPROF_E_DATAINCOMPLETE until the class is initialized, checking the runtime's
 * own flag without side effects). */
static void type_statics(struct drd_core *c, IMetaDataImport2 *md, ModuleID module, AppDomainID domain, mdTypeDef td)
{
    WCHAR tname16[512];
    ULONG tn = 0;
    DWORD tflags;
    mdToken ext;
    char tname[1536];
    size_t n8;
    if (FAILED(md->lpVtbl->GetTypeDefProps(md, td, tname16, 512, &tn, &tflags, &ext)))
        return;
    drd_utf16_to_utf8(tname16, tn, tname, sizeof tname, &n8);
    if (strchr(tname, '`') || strchr(tname, '<'))
        return; /* generic definitions have no single set of statics; compiler types skipped */
    HCORENUM fe = NULL;
    mdFieldDef fds[64];
    ULONG nfd = 0;
    ClassID cls = 0;
    int loaded = -2; /* not asked yet: only a type with a static reference field is looked up */
    while (loaded != -1 && SUCCEEDED(md->lpVtbl->EnumFields(md, &fe, td, fds, 64, &nfd)) && nfd > 0) {
        for (ULONG f = 0; f < nfd && st.n_statics < MAX_STATICS; f++) {
            WCHAR fname16[256];
            ULONG fn = 0, siglen = 0, vlen = 0;
            DWORD attr = 0, cplus = 0;
            mdTypeDef owner;
            PCCOR_SIGNATURE sig = NULL;
            UVCP_CONSTANT value;
            if (FAILED(md->lpVtbl->GetFieldProps(md, fds[f], &owner, fname16, 256, &fn, &attr, &sig, &siglen, &cplus,
                                                 &value, &vlen)))
                continue;
            if (!(attr & mdStatic) || (attr & 0x40 /* literal */) || !sig_is_reference(sig, siglen))
                continue;
            if (loaded == -2)
                loaded = drd_types_loaded_class(c->info, md, module, td, &cls);
            if (loaded == -1)
                break; /* not loaded by the app: nothing of it may be asked */
            COR_PRF_STATIC_TYPE kind;
            void *addr = NULL;
            if (FAILED(c->info->lpVtbl->GetStaticFieldInfo(c->info, cls, fds[f], &kind)) ||
                kind != COR_PRF_FIELD_APP_DOMAIN_STATIC ||
                c->info->lpVtbl->GetAppDomainStaticAddress(c->info, cls, fds[f], domain, &addr) != S_OK || !addr)
                continue; /* thread static, or not initialized yet: it holds nothing */
            if (static_known(addr))
                continue; /* found by an earlier capture */
            char fname[768];
            drd_utf16_to_utf8(fname16, fn, fname, sizeof fname, &n8);
            struct static_field *sf = &st.statics[st.n_statics++];
            sf->address = addr;
            drd_text_cut(sf->name, sizeof sf->name, "%s.%s", tname, fname);
        }
    }
    if (fe)
        md->lpVtbl->CloseEnum(md, fe);
}

/* 1 for a module whose statics are looked for: the app's own, on disk, never unloaded. The framework's statics
 * are not what a leak hunt looks for; a collectible module's statics live in an ordinary array that the forced GC
 * may move or free before they are read, and a dynamic module has no file. */
static int app_module(const char *path, DWORD flags)
{
    if (!*path || (flags & (COR_PRF_MODULE_COLLECTIBLE | COR_PRF_MODULE_DYNAMIC)))
        return 0;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    /* the shared framework, and the framework's files beside a self-contained app */
    return !strstr(path, "/shared/Microsoft.") && strncmp(base, "System.", 7) != 0;
}

/* Records the static reference fields of one module's loaded and initialized types. */
static void module_statics(struct drd_core *c, ModuleID module)
{
    WCHAR path16[1024];
    char path[3072];
    ULONG n = 0;
    LPCBYTE base;
    AssemblyID asm_id;
    DWORD flags;
    size_t n8;
    if (FAILED(c->info->lpVtbl->GetModuleInfo2(c->info, module, &base, 1024, &n, path16, &asm_id, &flags)))
        return;
    drd_utf16_to_utf8(path16, n, path, sizeof path, &n8);
    if (!app_module(path, flags))
        return;
    AppDomainID domain = 0;
    ModuleID mod2;
    if (FAILED(c->info->lpVtbl->GetAssemblyInfo(c->info, asm_id, 0, NULL, NULL, &domain, &mod2)))
        return;
    IUnknown *unk = NULL;
    if (c->info->lpVtbl->GetModuleMetaData(c->info, module, ofRead, &IID_IMetaDataImport, &unk) != S_OK || !unk)
        return;
    IMetaDataImport2 *md = (IMetaDataImport2 *)(void *)unk;
    HCORENUM te = NULL;
    mdTypeDef tds[64];
    ULONG ntd = 0;
    while (SUCCEEDED(md->lpVtbl->EnumTypeDefs(md, &te, tds, 64, &ntd)) && ntd > 0)
        for (ULONG t = 0; t < ntd && st.n_statics < MAX_STATICS; t++)
            type_statics(c, md, module, domain, tds[t]);
    if (te)
        md->lpVtbl->CloseEnum(md, te);
    md->lpVtbl->Release(md);
}

/* Finds the slots of the app's initialized static reference fields, asking the runtime only about what the app
 * has loaded itself. Runs on the sampler thread, before the forced GC. */
static void find_statics(struct drd_core *c)
{
    ICorProfilerModuleEnum *mods = NULL;
    if (FAILED(c->info->lpVtbl->EnumModules(c->info, &mods)) || !mods)
        return;
    ModuleID ids[32];
    ULONG got = 0;
    while (SUCCEEDED(mods->lpVtbl->Next(mods, 32, ids, &got)) && got > 0) {
        for (ULONG m = 0; m < got && st.n_statics < MAX_STATICS; m++)
            module_statics(c, ids[m]);
        if (got < 32)
            break;
    }
    mods->lpVtbl->Release(mods);
}

/* Clears what one capture counts, keeping the statics and classes found so far. */
static void reset_capture(void)
{
    st.used = 0;
    st.bytes = st.objects = st.edges = st.roots = st.heap_bytes = 0;
    st.suspend_start_ns = st.pause_ns = st.gc_start_ns = st.gc_ns = 0;
    atomic_store(&st.failed, 0);
    atomic_store(&st.captured, 0);
    atomic_store(&st.capturing, 0);
}

/* Forces GCs until one runs the walk. Returns 0, or -1 with why. */
static int force_capture(struct drd_core *c, char *why, size_t whycap)
{
    atomic_store(&st.armed, 1);
    HRESULT hr = S_OK;
    /* a GC already under way when we ask (a background one, say) can absorb our request: ask again */
    for (int attempt = 0; attempt < 5 && !atomic_load(&st.captured); attempt++) {
        hr = c->info->lpVtbl->ForceGC(c->info);
        for (int wait = 0; wait < 20 && !atomic_load(&st.captured) && atomic_load(&st.armed) == 2; wait++)
            usleep(50000); /* captured by a GC on another thread: let it finish */
        if (atomic_load(&st.captured))
            break;
        drd_log(c, "ForceGC 0x%08x did not run our heap walk; trying again", (unsigned)hr);
        usleep(100000);
    }
    if (FAILED(hr) || !atomic_load(&st.captured)) {
        snprintf(why, whycap, "the forced GC did not run the heap walk (ForceGC 0x%08x)", (unsigned)hr);
        atomic_store(&st.armed, 0);
        return -1;
    }
    return 0;
}

/* The name of a class for a raw line: control characters (never in a type name, but the line must stay one) made
 * spaces. Returns a new string, or NULL when out of memory. */
static char *class_text(ClassID cls)
{
    char name[1024];
    drd_names_class(st.names, cls, name, sizeof name);
    for (char *p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return strdup(name);
}

/* Names the classes the last capture met for the first time and publishes them, with the static fields found, to
 * the writer (drd_heapwalk_names). On the sampler thread, the runtime running. */
static void name_new(void)
{
    for (size_t i = 0; i < CLASS_SLOTS; i++) {
        ClassID cls = __atomic_load_n(&st.classes[i], __ATOMIC_RELAXED);
        if (!cls || st.class_done[i])
            continue;
        char *name = class_text(cls);
        if (!name)
            break; /* out of memory: the graph's objects of these classes will be refused by the tool, not crash it */
        st.named[st.n_named++] = (struct named_class){cls, name};
        st.class_done[i] = 1;
    }
    atomic_store_explicit(&st.named_published, st.n_named, memory_order_release);
    atomic_store_explicit(&st.statics_published, st.n_statics, memory_order_release);
}

int drd_heapwalk_take(struct drd_core *c, struct drd_heapwalk_facts *f, char *why, size_t whycap)
{
    memset(f, 0, sizeof *f);
    if (st.static_roots)
        find_statics(c);
    reset_capture();
    if (force_capture(c, why, whycap))
        return -1;
    for (int i = 0; i < 200 && !__atomic_load_n(&st.pause_ns, __ATOMIC_RELAXED); i++)
        usleep(1000); /* the resume that ends the pause may come a little after the GC's end */
    /* the runtime runs again: now the graph goes to the file */
    f->offset = st.written;
    if (write_out())
        atomic_store(&st.failed, 1);
    madvise(st.buf, st.max_bytes, MADV_DONTNEED);
    f->objects = st.objects;
    f->edges = st.edges;
    f->roots = st.roots;
    f->heap_bytes = st.heap_bytes;
    f->pause_ns = st.pause_ns;
    f->gc_ns = st.gc_ns;
    f->bytes = 8 + st.used;
    st.written += f->bytes;
    atomic_store(&st.armed, 0);
    name_new();
    if (st.failed == 2) {
        snprintf(why, whycap, "the heap is larger than max_graph_mb allows; the snapshot is incomplete");
        return -1;
    }
    if (st.failed) {
        snprintf(why, whycap, "writing the heap graph failed (disk full or folder unwritable?)");
        return -1;
    }
    return 0;
}

void drd_heapwalk_names(struct drd_rawout *raw)
{
    int statics = atomic_load_explicit(&st.statics_published, memory_order_acquire);
    size_t named = atomic_load_explicit(&st.named_published, memory_order_acquire);
    for (; st.statics_written < statics; st.statics_written++)
        drd_rawout_printf(raw, "sf\t%d\t%s\n", st.statics_written, st.statics[st.statics_written].name);
    /* the type ids are the classes' order here: this raw file has no other type */
    for (; st.classes_written < named; st.classes_written++) {
        const struct named_class *k = &st.named[st.classes_written];
        drd_rawout_printf(raw, "t\t%zu\t%s\nc\t%llx\t%zu\n", st.classes_written + 1, k->name,
                          (unsigned long long)k->cls, st.classes_written + 1);
    }
}

void drd_heapwalk_release(void)
{
    if (!st.in_use)
        return;
    if (st.buf)
        munmap(st.buf, st.max_bytes);
    free(st.statics);
    free(st.static_slots);
    free(st.classes);
    free(st.class_done);
    for (size_t i = 0; st.named && i < st.n_named; i++)
        free(st.named[i].name);
    free(st.named);
    drd_names_destroy(st.names);
    memset(&st, 0, sizeof st);
}

int drd_heapwalk_start(struct drd_core *c, uint64_t max_bytes, int static_roots, int fd, char *err, size_t errcap)
{
    if (st.in_use) {
        snprintf(err, errcap, "the heap walk is already in use in this session");
        return -1;
    }
    memset(&st, 0, sizeof st);
    st.in_use = 1;
    atomic_flag_clear(&st.lock);
    st.fd = fd;
    st.max_bytes = max_bytes;
    st.static_roots = static_roots;
    st.buf = mmap(NULL, st.max_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (st.buf == MAP_FAILED)
        st.buf = NULL;
    else {
        /* the graph is written during the pause: huge pages cut the page faults taken there by 512, and the first
         * megabytes are faulted in now, before the runtime stops (both only advice: a kernel without them is fine) */
        madvise(st.buf, st.max_bytes, MADV_HUGEPAGE);
        size_t pre = st.max_bytes < PREFAULT_BYTES ? (size_t)st.max_bytes : PREFAULT_BYTES;
        if (madvise(st.buf, pre, MADV_POPULATE_WRITE_) != 0)
            drd_log(c, "heap walk: no MADV_POPULATE_WRITE (%s): pages come during the pause", strerror(errno));
    }
    st.statics = calloc(MAX_STATICS, sizeof *st.statics);
    st.static_slots = calloc(STATIC_SLOTS, sizeof *st.static_slots);
    st.classes = calloc(CLASS_SLOTS, sizeof *st.classes);
    st.class_done = calloc(CLASS_SLOTS, 1);
    st.named = calloc(CLASS_SLOTS, sizeof *st.named);
    st.names = drd_names_create(c->info);
    if (!st.buf || !st.statics || !st.static_slots || !st.classes || !st.class_done || !st.named || !st.names) {
        snprintf(err, errcap, "cannot reserve %llu MB for the heap graph: %s",
                 (unsigned long long)(max_bytes >> 20), strerror(errno));
        drd_heapwalk_release();
        return -1;
    }
    return 0;
}

int drd_heapwalk_begin(struct drd_prof *p, const char *file, int *fd, DWORD *mask, DWORD *mask_high, char *err,
                       size_t errcap)
{
    struct drd_core *c = p->core;
    char path[DRD_CD_MAX_PATH + 32];
    drd_fs_path(path, sizeof path, "%s/%s", c->cd.out_dir, file);
    *fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (*fd < 0) {
        snprintf(err, errcap, "cannot prepare the heap graph file %s: %s", path, strerror(errno));
        return -1;
    }
    uint64_t max_bytes = (uint64_t)drd_params_int(&p->params, "max_graph_mb", 4096) << 20;
    if (drd_heapwalk_start(c, max_bytes, (int)drd_params_int(&p->params, "static_roots", 1), *fd, err, errcap))
        return -1;
    p->sample_period_ns = 50000000;
    *mask = COR_PRF_MONITOR_GC | COR_PRF_MONITOR_SUSPENDS;
    *mask_high = 0;
    return 0;
}
