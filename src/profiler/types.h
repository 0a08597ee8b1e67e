/* Finding the runtime's ClassID of a type the app has already loaded, without ever loading one. */
#ifndef DRD_TYPES_H
#define DRD_TYPES_H

#include "clr/corprof.h"
#include "clr/metadata.h"

/* The ClassID of typedef td of module, if and only if the runtime has already loaded the type. GetClassFromToken
 * would load a type the app has not loaded (running the class loader on the app's behalf, which may load other
 * assemblies and run their handlers; on .NET 10 a class loaded that way crashed GetAppDomainStaticAddress), so the
 * type is found through one of its methods: GetFunctionFromToken only looks the method up in the module's table,
 * which the runtime fills with all of a type's methods when it publishes the type, and answers E_INVALIDARG for a
 * type not loaded; GetFunctionInfo then names the class. Returns 0 with *cls, or -1 (the type is not loaded, is
 * generic, or has no method). Safe from the library's own threads and from callbacks; allocates nothing. */
int drd_types_loaded_class(ICorProfilerInfo15 *info, IMetaDataImport2 *md, ModuleID module, mdTypeDef td,
                           ClassID *cls);

#endif
