/* The library's entry points: DllGetClassObject (the runtime) and drdotnet_profilers (the tool). */
#include <string.h>

#include "common/guid.h"
#include "drdotnet/params.h"
#include "drdotnet/version.h"
#include "profiler/core.h"

#define EXPORT __attribute__((visibility("default")))

extern const struct drd_profiler_ops drd_exceptions_ops;
extern const struct drd_profiler_ops drd_cpu_hotpaths_ops;
extern const struct drd_profiler_ops drd_merged_stacks_ops;
extern const struct drd_profiler_ops drd_runtime_pauses_ops;
extern const struct drd_profiler_ops drd_duplicated_strings_ops;
extern const struct drd_profiler_ops drd_allocations_ops;
extern const struct drd_profiler_ops drd_heap_snapshot_ops;
extern const struct drd_profiler_ops drd_waits_ops;
extern const struct drd_profiler_ops drd_leaks_ops;

static const struct drd_profiler_ops *const all_ops[] = {
    &drd_exceptions_ops,
    &drd_cpu_hotpaths_ops,
    &drd_merged_stacks_ops,
    &drd_runtime_pauses_ops,
    &drd_duplicated_strings_ops,
    &drd_allocations_ops,
    &drd_heap_snapshot_ops,
    &drd_waits_ops,
    &drd_leaks_ops,
};
#define N_PROFILERS ((int)(sizeof all_ops / sizeof all_ops[0]))

/* Each profiler as the table shows it: its descriptor with the session's common parameters among its own. */
static struct drd_param_desc params_of[N_PROFILERS][DRD_CD_MAX_PARAMS];
static struct drd_profiler_desc composed[N_PROFILERS];
static const struct drd_profiler_desc *descs[N_PROFILERS];
static struct drd_profiler_table table;

EXPORT const struct drd_profiler_table *drdotnet_profilers(void)
{
    /* filled on each call from constant data: idempotent, no other side effect */
    for (int i = 0; i < N_PROFILERS; i++) {
        composed[i] = *all_ops[i]->desc;
        int n = drd_params_compose(all_ops[i]->desc, params_of[i], DRD_CD_MAX_PARAMS);
        composed[i].params = params_of[i];
        composed[i].n_params = n < 0 ? 0 : n; /* a descriptor too large is caught by the unit test of the table */
        descs[i] = &composed[i];
    }
    table.abi = DRD_DESCRIPTOR_ABI;
    table.version = DRD_VERSION;
    table.count = N_PROFILERS;
    table.profilers = descs;
    return &table;
}

const struct drd_profiler_ops *drd_profiler_ops_find(const char *name)
{
    for (int i = 0; i < N_PROFILERS; i++)
        if (strcmp(all_ops[i]->desc->name, name) == 0)
            return all_ops[i];
    return NULL;
}

/* The class factory: one static object per process, remembering which profiler it makes. */
struct factory {
    IClassFactory iface;
    const struct drd_profiler_ops *ops;
};

static HRESULT F_QueryInterface(IClassFactory *This, REFIID riid, void **ppv)
{
    if (!ppv)
        return E_POINTER;
    if (drd_guid_equal(riid, &IID_IUnknown) || drd_guid_equal(riid, &IID_IClassFactory)) {
        *ppv = This;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG F_AddRef(IClassFactory *This)
{
    (void)This;
    return 1;
}

static ULONG F_Release(IClassFactory *This)
{
    (void)This;
    return 1;
}

static HRESULT F_CreateInstance(IClassFactory *This, IUnknown *outer, REFIID riid, void **ppv)
{
    struct factory *f = (struct factory *)(void *)This;
    if (!ppv)
        return E_POINTER;
    *ppv = NULL;
    if (outer)
        return CLASS_E_NOAGGREGATION;
    struct drd_core *c = &drd_core_instance;
    /* a session of this copy still runs, or has asked to detach and the runtime has not yet called
     * ProfilerDetachSucceeded: refuse a second, whose set-up would wipe the first one's threads and files
     * (the soak found an attach arriving in that window: the first session's log stayed open in the target) */
    if (atomic_load(&c->state) == DRD_COLLECTING || atomic_load(&c->state) == DRD_FINISHING ||
        atomic_load(&c->detach_pending))
        return CORPROF_E_PROFILER_ALREADY_ACTIVE;
    memset(c, 0, sizeof *c);
    c->log_fd = -1;
    c->lead = f->ops;
    /* lifecycle slots only: the session's profilers' slots are set in initialize, once the request named them */
    drd_callback_defaults(&c->vtbl);
    c->iface.lpVtbl = &c->vtbl;
    return c->vtbl.QueryInterface(&c->iface, riid, ppv);
}

static HRESULT F_LockServer(IClassFactory *This, BOOL lock)
{
    (void)This;
    (void)lock;
    return S_OK;
}

static const IClassFactoryVtbl factory_vtbl = {
    F_QueryInterface, F_AddRef, F_Release, F_CreateInstance, F_LockServer,
};

static struct factory the_factory = {{&factory_vtbl}, NULL};

EXPORT HRESULT DllGetClassObject(REFCLSID rclsid, REFIID riid, void **ppv)
{
    if (!ppv || !rclsid || !riid)
        return E_POINTER;
    *ppv = NULL;
    for (int i = 0; i < N_PROFILERS; i++) {
        uint8_t g[16];
        if (drd_guid_parse(all_ops[i]->desc->clsid, g) == 0 && memcmp(g, rclsid, 16) == 0) {
            if (!drd_guid_equal(riid, &IID_IClassFactory) && !drd_guid_equal(riid, &IID_IUnknown))
                return E_NOINTERFACE;
            the_factory.ops = all_ops[i];
            *ppv = &the_factory.iface;
            return S_OK;
        }
    }
    return CLASS_E_CLASSNOTAVAILABLE;
}
