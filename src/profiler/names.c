/* Readable names: FunctionID/ClassID -> module metadata -> "Namespace.Type+Nested.Method". */
#include "profiler/names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clr/metadata.h"
#include "clr/utf16.h"

#define MAX_MODULES 512
#define NAME_UNITS 512

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
    if (hr == S_OK && !unk)
        md = NULL;
    if (FAILED(hr) && hr != CORPROF_E_DATAINCOMPLETE)
        md = NULL;
    if (n->n_modules < MAX_MODULES) {
        n->modules[n->n_modules].module = module;
        n->modules[n->n_modules].md = md;
        n->n_modules++;
    } else if (md) {
        /* the cache is full: use it once and let it go */
        md->lpVtbl->Release(md);
        return NULL;
    }
    return md;
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

/* Writes the type name of td (with enclosing types) into out. Returns 0 or -1. */
static int typedef_name(IMetaDataImport2 *md, mdTypeDef td, char *out, size_t cap)
{
    mdTypeDef chain[16];
    int depth = 0;
    chain[depth++] = td;
    /* walk outwards through enclosing types */
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
        HRESULT hr = md->lpVtbl->GetTypeDefProps(md, chain[i], name16, NAME_UNITS, &got, &flags, &ext);
        if (FAILED(hr))
            return -1;
        char name8[NAME_UNITS * 3];
        size_t n8 = 0;
        drd_utf16_to_utf8(name16, got ? got : drd_u16_len(name16), name8, sizeof name8, &n8);
        if (i != depth - 1)
            len = append(out, len, cap, "+");
        len = append(out, len, cap, name8);
    }
    drd_names_strip_arity(out);
    return 0;
}

int drd_names_function(struct drd_names *n, FunctionID fid, char *out, size_t cap)
{
    ClassID cls = 0;
    ModuleID module = 0;
    mdToken tok = 0;
    ULONG32 ntypeargs = 0;
    HRESULT hr = n->info->lpVtbl->GetFunctionInfo2(n->info, fid, 0, &cls, &module, &tok, 0, &ntypeargs, NULL);
    if (FAILED(hr)) {
        snprintf(out, cap, "[unknown function 0x%llx]", (unsigned long long)fid);
        return -1;
    }
    IMetaDataImport2 *md = metadata_for(n, module);
    if (!md) {
        BOOL dyn = 0;
        if (n->info->lpVtbl->IsFunctionDynamic && SUCCEEDED(n->info->lpVtbl->IsFunctionDynamic(n->info, fid, &dyn)) &&
            dyn) {
            snprintf(out, cap, "[dynamic method]");
            return 0;
        }
        snprintf(out, cap, "[no metadata 0x%llx]", (unsigned long long)fid);
        return -1;
    }
    WCHAR name16[NAME_UNITS];
    ULONG got = 0;
    mdTypeDef td = 0;
    DWORD attr = 0, impl = 0;
    PCCOR_SIGNATURE sig = NULL;
    ULONG sig_len = 0, rva = 0;
    hr = md->lpVtbl->GetMethodProps(md, tok, &td, name16, NAME_UNITS, &got, &attr, &sig, &sig_len, &rva, &impl);
    if (FAILED(hr)) {
        snprintf(out, cap, "[unknown method 0x%x]", (unsigned)tok);
        return -1;
    }
    char method[NAME_UNITS * 3];
    size_t m8 = 0;
    drd_utf16_to_utf8(name16, got ? got : drd_u16_len(name16), method, sizeof method, &m8);
    drd_names_strip_arity(method);
    size_t len = 0;
    out[0] = 0;
    if (td != 0 && typedef_name(md, td, out, cap) == 0) {
        len = strlen(out);
        len = append(out, len, cap, ".");
    }
    append(out, len, cap, method);
    return 0;
}

int drd_names_class(struct drd_names *n, ClassID cls, char *out, size_t cap)
{
    ModuleID module = 0;
    mdTypeDef td = 0;
    ClassID parent = 0;
    ULONG32 ntypeargs = 0;
    HRESULT hr = n->info->lpVtbl->GetClassIDInfo2(n->info, cls, &module, &td, &parent, 0, &ntypeargs, NULL);
    if (hr == CORPROF_E_CLASSID_IS_ARRAY) {
        CorElementType elem;
        ClassID elem_cls = 0;
        ULONG rank = 0;
        if (SUCCEEDED(n->info->lpVtbl->IsArrayClass(n->info, cls, &elem, &elem_cls, &rank)) && elem_cls &&
            drd_names_class(n, elem_cls, out, cap) == 0) {
            append(out, strlen(out), cap, "[]");
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
    return 0;
}
