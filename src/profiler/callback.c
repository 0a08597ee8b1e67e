/* The default ICorProfilerCallback11 table: identity, lifecycle, and S_OK for every other slot. */
#include <string.h>

#include "profiler/core.h"

static HRESULT QueryInterface(ICorProfilerCallback11 *This, REFIID riid, void **ppv)
{
    static const GUID *const known[] = {
        &IID_IUnknown,              &IID_ICorProfilerCallback,  &IID_ICorProfilerCallback2,
        &IID_ICorProfilerCallback3, &IID_ICorProfilerCallback4, &IID_ICorProfilerCallback5,
        &IID_ICorProfilerCallback6, &IID_ICorProfilerCallback7, &IID_ICorProfilerCallback8,
        &IID_ICorProfilerCallback9, &IID_ICorProfilerCallback10, &IID_ICorProfilerCallback11,
    };
    if (!ppv)
        return E_POINTER;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (drd_guid_equal(riid, known[i])) {
            *ppv = This;
            This->lpVtbl->AddRef(This);
            return S_OK;
        }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* The object is static and lives as long as the library: counting would only decide nothing. */
static ULONG AddRef(ICorProfilerCallback11 *This)
{
    (void)This;
    return 1;
}

static ULONG Release(ICorProfilerCallback11 *This)
{
    (void)This;
    return 1;
}

static HRESULT Initialize(ICorProfilerCallback11 *This, IUnknown *info)
{
    return drd_session_initialize(drd_core_from(This), info, NULL, 0, 1);
}

static HRESULT InitializeForAttach(ICorProfilerCallback11 *This, IUnknown *info, void *data, UINT len)
{
    return drd_session_initialize(drd_core_from(This), info, data, len, 0);
}

static HRESULT ProfilerAttachComplete(ICorProfilerCallback11 *This)
{
    drd_session_attach_complete(drd_core_from(This));
    return S_OK;
}

static HRESULT Shutdown(ICorProfilerCallback11 *This)
{
    drd_session_shutdown(drd_core_from(This));
    return S_OK;
}

static HRESULT ProfilerDetachSucceeded(ICorProfilerCallback11 *This)
{
    drd_session_detached(drd_core_from(This));
    return S_OK;
}

static HRESULT LoadAsNotificationOnly(ICorProfilerCallback11 *This, BOOL *only)
{
    (void)This;
    if (only)
        *only = 0;
    return S_OK;
}

/* Answers any slot that takes only inputs: the SysV and AAPCS64 calling conventions let a function that
 * ignores its arguments stand for any signature that returns an HRESULT. */
static HRESULT ok_stub(void)
{
    return S_OK;
}

void drd_callback_defaults(ICorProfilerCallback11Vtbl *vt)
{
    HRESULT (*stub)(void) = ok_stub;
    size_t slots = sizeof *vt / sizeof stub;
    for (size_t i = 0; i < slots; i++)
        memcpy((char *)vt + i * sizeof stub, &stub, sizeof stub);
    vt->QueryInterface = QueryInterface;
    vt->AddRef = AddRef;
    vt->Release = Release;
    vt->Initialize = Initialize;
    vt->Shutdown = Shutdown;
    vt->InitializeForAttach = InitializeForAttach;
    vt->ProfilerAttachComplete = ProfilerAttachComplete;
    vt->ProfilerDetachSucceeded = ProfilerDetachSucceeded;
    vt->LoadAsNotificationOnly = LoadAsNotificationOnly;
}
