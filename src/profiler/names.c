/* Readable names: frame -> function, exact class and module metadata -> "Namespace.Type<Args>.Method". */
#define _GNU_SOURCE
#include "profiler/names.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clr/metadata.h"
#include "clr/utf16.h"
#include "common/textcut.h"

#define MAX_MODULES 512
#define NAME_UNITS 512
#define MAX_TYPE_ARGS 16
#define MAX_GENERIC_DEPTH 4

struct module_md {
    ModuleID module;
    IMetaDataImport2 *md; /* NULL when the module has no metadata */
};

struct drd_names {
    ICorProfilerInfo15 *info;
    int n_modules;
    struct module_md modules[MAX_MODULES];
};

struct drd_names *drd_names_create(ICorProfilerInfo15 *info)
{
    struct drd_names *n = calloc(1, sizeof *n);
    if (n)
        n->info = info;
    return n;
}

void drd_names_destroy(struct drd_names *n)
{
    if (!n)
        return;
    for (int i = 0; i < n->n_modules; i++)
        if (n->modules[i].md)
            n->modules[i].md->lpVtbl->Release(n->modules[i].md);
    free(n);
}

static IMetaDataImport2 *metadata_for(struct drd_names *n, ModuleID module)
{
    for (int i = 0; i < n->n_modules; i++)
        if (n->modules[i].module == module)
            return n->modules[i].md;
    IUnknown *unk = NULL;
    HRESULT hr = n->info->lpVtbl->GetModuleMetaData(n->info, module, ofRead, &IID_IMetaDataImport, &unk);
    IMetaDataImport2 *md = (hr == S_OK && unk) ? (IMetaDataImport2 *)(void *)unk : NULL;
    if (!md && hr != S_FALSE)
        return NULL; /* a module still loading (CORPROF_E_DATAINCOMPLETE) has metadata later: ask again then */
    if (n->n_modules < MAX_MODULES) {
        n->modules[n->n_modules].module = module;
        n->modules[n->n_modules].md = md;
        n->n_modules++;
    } else if (md) {
        md->lpVtbl->Release(md); /* the cache is full: do without */
        return NULL;
    }
    return md;
}

int drd_names_module_mvid(struct drd_names *n, ModuleID module, uint8_t out[16])
{
    IMetaDataImport2 *md = metadata_for(n, module);
    GUID mvid;
    ULONG len = 0;
    if (!md || FAILED(md->lpVtbl->GetScopeProps(md, NULL, 0, &len, &mvid)))
        return -1;
    memcpy(out, &mvid, 16);
    return 0;
}

void drd_names_strip_arity(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (*r == '`') {
            r++;
            while (*r >= '0' && *r <= '9')
                r++;
            continue;
        }
        *w++ = *r++;
    }
    *w = 0;
}

/* Appends src to dst (cap bytes) and returns the new length. */
static size_t append(char *dst, size_t len, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (len + 1 >= cap)
        return len;
    if (len + n >= cap)
        n = cap - len - 1;
    memcpy(dst + len, src, n);
    dst[len + n] = 0;
    return len + n;
}

static void utf16_name(const WCHAR *name16, ULONG got, char *out, size_t cap)
{
    size_t n8 = 0;
    drd_utf16_to_utf8(name16, got ? got : drd_u16_len(name16), out, cap, &n8);
}

/* Writes the type name of td (with enclosing types) into out. Returns 0 or -1. */
static int typedef_name(IMetaDataImport2 *md, mdTypeDef td, char *out, size_t cap)
{
    mdTypeDef chain[16];
    int depth = 0;
    chain[depth++] = td;
    while (depth < 16) {
        mdTypeDef outer = 0;
        if (md->lpVtbl->GetNestedClassProps(md, chain[depth - 1], &outer) != S_OK || outer == 0)
            break;
        chain[depth++] = outer;
    }
    size_t len = 0;
    out[0] = 0;
    for (int i = depth - 1; i >= 0; i--) {
        WCHAR name16[NAME_UNITS];
        ULONG got = 0;
        DWORD flags = 0;
        mdToken ext = 0;
        if (FAILED(md->lpVtbl->GetTypeDefProps(md, chain[i], name16, NAME_UNITS, &got, &flags, &ext)))
            return -1;
        char name8[NAME_UNITS * 3];
        utf16_name(name16, got, name8, sizeof name8);
        if (i != depth - 1)
            len = append(out, len, cap, "+");
        len = append(out, len, cap, name8);
    }
    drd_names_strip_arity(out);
    return 0;
}

/* 1 if td implements System.Runtime.CompilerServices.IAsyncStateMachine (an async method's state machine). */
static int is_async_state_machine(IMetaDataImport2 *md, mdTypeDef td)
{
    HCORENUM e = NULL;
    mdInterfaceImpl impls[16];
    ULONG count = 0;
    int found = 0;
    if (FAILED(md->lpVtbl->EnumInterfaceImpls(md, &e, td, impls, 16, &count)))
        count = 0;
    for (ULONG i = 0; i < count && !found; i++) {
        mdTypeDef cls;
        mdToken itf;
        WCHAR name16[NAME_UNITS];
        ULONG got = 0;
        char name8[NAME_UNITS * 3];
        if (FAILED(md->lpVtbl->GetInterfaceImplProps(md, impls[i], &cls, &itf)))
            continue;
        if (TypeFromToken(itf) == mdtTypeRef) {
            mdToken scope;
            if (FAILED(md->lpVtbl->GetTypeRefProps(md, itf, &scope, name16, NAME_UNITS, &got)))
                continue;
        } else if (TypeFromToken(itf) == mdtTypeDef) {
            DWORD flags;
            mdToken ext;
            if (FAILED(md->lpVtbl->GetTypeDefProps(md, itf, name16, NAME_UNITS, &got, &flags, &ext)))
                continue;
        } else
            continue;
        utf16_name(name16, got, name8, sizeof name8);
        found = strcmp(name8, "System.Runtime.CompilerServices.IAsyncStateMachine") == 0;
    }
    if (e)
        md->lpVtbl->CloseEnum(md, e);
    return found;
}

static int class_name(struct drd_names *n, ClassID cls, char *out, size_t cap, int depth);

/* Appends "<A,B>" for the type arguments of cls. */
static void append_type_args(struct drd_names *n, const ClassID *args, ULONG32 count, char *out, size_t cap, int depth)
{
    if (count == 0)
        return;
    size_t len = append(out, strlen(out), cap, "<");
    for (ULONG32 i = 0; i < count && i < MAX_TYPE_ARGS; i++) {
        char arg[512];
        if (depth >= MAX_GENERIC_DEPTH || class_name(n, args[i], arg, sizeof arg, depth + 1))
            snprintf(arg, sizeof arg, "?");
        if (i)
            len = append(out, len, cap, ",");
        len = append(out, len, cap, arg);
    }
    append(out, len, cap, ">");
}

static int class_name(struct drd_names *n, ClassID cls, char *out, size_t cap, int depth)
{
    ModuleID module = 0;
    mdTypeDef td = 0;
    ClassID parent = 0;
    ClassID args[MAX_TYPE_ARGS];
    ULONG32 nargs = 0;
    HRESULT hr = n->info->lpVtbl->GetClassIDInfo2(n->info, cls, &module, &td, &parent, MAX_TYPE_ARGS, &nargs, args);
    if (hr == CORPROF_E_CLASSID_IS_ARRAY) {
        CorElementType elem;
        ClassID elem_cls = 0;
        ULONG rank = 0;
        if (SUCCEEDED(n->info->lpVtbl->IsArrayClass(n->info, cls, &elem, &elem_cls, &rank)) && elem_cls &&
            depth < MAX_GENERIC_DEPTH && class_name(n, elem_cls, out, cap, depth + 1) == 0) {
            append(out, strlen(out), cap, rank > 1 ? "[,]" : "[]");
            return 0;
        }
        snprintf(out, cap, "[array]");
        return -1;
    }
    if (FAILED(hr)) {
        snprintf(out, cap, "[unknown type 0x%llx]", (unsigned long long)cls);
        return -1;
    }
    IMetaDataImport2 *md = metadata_for(n, module);
    if (!md || typedef_name(md, td, out, cap)) {
        snprintf(out, cap, "[unknown type 0x%llx]", (unsigned long long)cls);
        return -1;
    }
    append_type_args(n, args, nargs > MAX_TYPE_ARGS ? MAX_TYPE_ARGS : nargs, out, cap, depth);
    return 0;
}

int drd_names_class(struct drd_names *n, ClassID cls, char *out, size_t cap)
{
    return class_name(n, cls, out, cap, 0);
}

/* "<Name>" at s: copies Name into out and returns the text after '>', or NULL. */
static const char *angle_name(const char *s, char *out, size_t cap)
{
    if (s[0] != '<')
        return NULL;
    const char *end = strchr(s, '>');
    if (!end || end == s + 1 || (size_t)(end - s - 1) >= cap)
        return NULL;
    memcpy(out, s + 1, (size_t)(end - s - 1));
    out[end - s - 1] = 0;
    return end + 1;
}

void drd_names_friendly(char *s, size_t cap, int is_async)
{
    /* split "Type+Nested<Args>.Method" at the last '.' outside angle brackets */
    char buf[2048];
    size_t n = strlen(s);
    if (n >= sizeof buf)
        return;
    int depth = 0;
    long dot = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '<')
            depth++;
        else if (s[i] == '>' && depth > 0)
            depth--;
        else if (s[i] == '.' && depth == 0)
            dot = (long)i;
    }
    if (dot < 0)
        return;
    char method[512];
    snprintf(method, sizeof method, "%s", s + dot + 1);
    char type[2048];
    memcpy(type, s, (size_t)dot);
    type[dot] = 0;

    /* walk the '+'-separated type segments, dropping compiler-generated ones */
    char owner[512] = ""; /* the method a state machine belongs to */
    size_t len = 0;
    buf[0] = 0;
    char *save = NULL;
    for (char *seg = strtok_r(type, "+", &save); seg; seg = strtok_r(NULL, "+", &save)) {
        char inner[256];
        const char *rest = angle_name(seg, inner, sizeof inner);
        if (strncmp(seg, "<>c", 3) == 0)
            continue; /* closure class */
        if (rest && strncmp(rest, "d__", 3) == 0) {
            snprintf(owner, sizeof owner, "%s", inner); /* state machine of method inner */
            continue;
        }
        if (len)
            len = append(buf, len, sizeof buf, "+");
        len = append(buf, len, sizeof buf, seg);
    }
    char inner[256], tail[256];
    const char *rest = angle_name(method, inner, sizeof inner);
    if (owner[0] && strcmp(method, "MoveNext") == 0)
        snprintf(tail, sizeof tail, ".%s (%s)", owner, is_async ? "async" : "iterator");
    else if (rest && strncmp(rest, "b__", 3) == 0)
        drd_text_cut(tail, sizeof tail, ".%s (lambda)", inner);
    else if (rest && strncmp(rest, "g__", 3) == 0) {
        char local[256];
        snprintf(local, sizeof local, "%s", rest + 3);
        local[strcspn(local, "|")] = 0;
        drd_text_cut(tail, sizeof tail, ".%s.%s (local function)", inner, local);
    } else if (owner[0])
        drd_text_cut(tail, sizeof tail, ".%s (%s).%s", owner, is_async ? "async" : "iterator", method);
    else
        drd_text_cut(tail, sizeof tail, ".%s", method);
    append(buf, len, sizeof buf, tail);
    snprintf(s, cap, "%s", buf);
}

static int native_name(uint64_t ip, char *out, size_t cap)
{
    Dl_info info;
    if (dladdr((void *)(uintptr_t)ip, &info) && info.dli_fname) {
        const char *lib = strrchr(info.dli_fname, '/');
        lib = lib ? lib + 1 : info.dli_fname;
        if (info.dli_sname)
            snprintf(out, cap, "%s!%s", lib, info.dli_sname);
        else
            snprintf(out, cap, "%s", lib);
        return 0;
    }
    snprintf(out, cap, "[native]");
    return 0;
}

int drd_names_frame(struct drd_names *n, const struct drd_frame *f, char *out, size_t cap)
{
    if (DRD_FRAME_IS_NATIVE(f) && f->cls == DRD_FRAME_IP_UNRESOLVED) {
        FunctionID fn = 0;
        if (SUCCEEDED(n->info->lpVtbl->GetFunctionFromIP(n->info, (LPCBYTE)(uintptr_t)DRD_FRAME_IP(f), &fn)) && fn) {
            struct drd_frame managed = {fn, 0, 0};
            return drd_names_frame(n, &managed, out, cap);
        }
    }
    if (DRD_FRAME_IS_NATIVE(f))
        return native_name(DRD_FRAME_IP(f), out, cap);
    FunctionID fid = (FunctionID)f->fn;
    ClassID cls = 0;
    ModuleID module = 0;
    mdToken tok = 0;
    ULONG32 ntypeargs = 0;
    HRESULT hr = n->info->lpVtbl->GetFunctionInfo2(n->info, fid, 0, &cls, &module, &tok, 0, &ntypeargs, NULL);
    if (FAILED(hr)) {
        snprintf(out, cap, "[unknown function 0x%llx]", (unsigned long long)fid);
        return -1;
    }
    BOOL dynamic = 0;
    if (n->info->lpVtbl->IsFunctionDynamic && SUCCEEDED(n->info->lpVtbl->IsFunctionDynamic(n->info, fid, &dynamic)) &&
        dynamic) {
        snprintf(out, cap, "[dynamic method]");
        return 0;
    }
    IMetaDataImport2 *md = metadata_for(n, module);
    if (!md) {
        snprintf(out, cap, "[no metadata 0x%llx]", (unsigned long long)fid);
        return -1;
    }
    WCHAR name16[NAME_UNITS];
    ULONG got = 0;
    mdTypeDef td = 0;
    DWORD attr = 0, impl = 0;
    PCCOR_SIGNATURE sig = NULL;
    ULONG sig_len = 0, rva = 0;
    if (FAILED(md->lpVtbl->GetMethodProps(md, tok, &td, name16, NAME_UNITS, &got, &attr, &sig, &sig_len, &rva,
                                          &impl))) {
        snprintf(out, cap, "[unknown method 0x%x]", (unsigned)tok);
        return -1;
    }
    char method[NAME_UNITS * 3];
    utf16_name(name16, got, method, sizeof method);
    drd_names_strip_arity(method);
    out[0] = 0;
    /* the exact class of this frame, else the class GetFunctionInfo2 knows, else the typedef */
    ClassID exact = f->cls ? (ClassID)f->cls : cls;
    int have = exact && class_name(n, exact, out, cap, 0) == 0;
    if (!have && (td == 0 || typedef_name(md, td, out, cap)))
        out[0] = 0;
    size_t len = strlen(out);
    if (len)
        len = append(out, len, cap, ".");
    append(out, len, cap, method);
    int is_async = td != 0 && is_async_state_machine(md, td);
    drd_names_friendly(out, cap, is_async);
    return 0;
}
