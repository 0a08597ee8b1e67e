/* Finding the ClassID of a type the app has already loaded (see types.h). */
#include "profiler/types.h"

int drd_types_loaded_class(ICorProfilerInfo15 *info, IMetaDataImport2 *md, ModuleID module, mdTypeDef td,
                           ClassID *cls)
{
    HCORENUM me = NULL;
    mdMethodDef method;
    ULONG n = 0;
    HRESULT hr = md->lpVtbl->EnumMethods(md, &me, td, &method, 1, &n);
    if (me)
        md->lpVtbl->CloseEnum(md, me);
    *cls = 0;
    if (FAILED(hr) || n == 0)
        return -1;
    FunctionID fn = 0;
    ModuleID fmod;
    mdToken ftok;
    if (info->lpVtbl->GetFunctionFromToken(info, module, method, &fn) != S_OK || !fn ||
        FAILED(info->lpVtbl->GetFunctionInfo(info, fn, cls, &fmod, &ftok)) || *cls == 0)
        return -1;
    return 0;
}
