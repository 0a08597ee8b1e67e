/* C declarations of the CLR profiling COM interfaces (ICorProfilerCallback11, ICorProfilerInfo15, enumerators). */
#ifndef DRD_CLR_CORPROF_H
#define DRD_CLR_CORPROF_H

#include <stddef.h>

#include "clr/clr_types.h"
#include "clr/hresult.h"

/*
 * COM in C: an interface pointer points at a struct whose only member is the
 * vtable pointer; the vtable holds function pointers in slot order and each
 * takes the interface pointer first. No calling-convention attributes: on
 * Linux x64 and arm64 the runtime uses the platform C ABI.
 *
 * Each interface chain (Callback .. Callback11, Info .. Info15) is declared
 * once, as its most derived member: a pointer to a newer interface is a valid
 * pointer to every older one, which only uses a prefix of the vtable.
 *
 * Unlike the runtime's IDL, every callback typedef below is a pointer type.
 */

/* Slot number of a vtable member, counting QueryInterface as slot 0. */
#define DRD_SLOT(type, member) (offsetof(type, member) / sizeof(void *))

/* ---- interfaces passed only by pointer ---------------------------------- */

typedef struct ICorProfilerFunctionControl ICorProfilerFunctionControl;
typedef struct ICorProfilerAssemblyReferenceProvider ICorProfilerAssemblyReferenceProvider;

/* ---- IUnknown ------------------------------------------------------------ */

typedef struct IUnknown IUnknown;
typedef struct IUnknownVtbl {
    HRESULT (*QueryInterface)(IUnknown *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(IUnknown *This);
    ULONG (*Release)(IUnknown *This);
} IUnknownVtbl;
struct IUnknown {
    const IUnknownVtbl *lpVtbl;
};

/* ---- IClassFactory --------------------------------------------------------- */

typedef struct IClassFactory IClassFactory;
typedef struct IClassFactoryVtbl {
    HRESULT (*QueryInterface)(IClassFactory *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(IClassFactory *This);
    ULONG (*Release)(IClassFactory *This);
    HRESULT (*CreateInstance)(IClassFactory *This, IUnknown *pUnkOuter, REFIID riid, void **ppvObject);
    HRESULT (*LockServer)(IClassFactory *This, BOOL fLock);
} IClassFactoryVtbl;
struct IClassFactory {
    const IClassFactoryVtbl *lpVtbl;
};

/* ---- plain data types ------------------------------------------------------ */

/* Element type of an array class (IsArrayClass); values are ELEMENT_TYPE_* in clr/metadata.h. */
typedef ULONG CorElementType;

typedef struct COR_IL_MAP {
    ULONG32 oldOffset;
    ULONG32 newOffset;
    BOOL fAccurate;
} COR_IL_MAP;

typedef struct COR_DEBUG_IL_TO_NATIVE_MAP {
    ULONG32 ilOffset;
    ULONG32 nativeStartOffset;
    ULONG32 nativeEndOffset;
} COR_DEBUG_IL_TO_NATIVE_MAP;

#ifndef DRD_COR_FIELD_OFFSET_DEFINED
#define DRD_COR_FIELD_OFFSET_DEFINED
typedef struct COR_FIELD_OFFSET {
    mdFieldDef ridOfField;
    ULONG ulOffset;
} COR_FIELD_OFFSET;
#endif

/* Opaque per-frame cookie, valid only inside the callback that received it. */
typedef UINT_PTR COR_PRF_FRAME_INFO;

typedef union FunctionIDOrClientID {
    FunctionID functionID;
    UINT_PTR clientID;
} FunctionIDOrClientID;

typedef struct COR_PRF_FUNCTION_ARGUMENT_RANGE {
    UINT_PTR startAddress;
    ULONG length;
} COR_PRF_FUNCTION_ARGUMENT_RANGE;

typedef struct COR_PRF_FUNCTION_ARGUMENT_INFO {
    ULONG numRanges;
    ULONG totalArgumentSize;
    COR_PRF_FUNCTION_ARGUMENT_RANGE ranges[1]; /* numRanges entries follow */
} COR_PRF_FUNCTION_ARGUMENT_INFO;

typedef struct COR_PRF_CODE_INFO {
    UINT_PTR startAddress;
    SIZE_T size;
} COR_PRF_CODE_INFO;

typedef struct COR_PRF_FUNCTION {
    FunctionID functionId;
    ReJITID reJitId;
} COR_PRF_FUNCTION;

typedef struct COR_PRF_METHOD {
    ModuleID moduleId;
    mdMethodDef methodId;
} COR_PRF_METHOD;

typedef enum COR_PRF_SNAPSHOT_INFO {
    COR_PRF_SNAPSHOT_DEFAULT = 0x0,
    COR_PRF_SNAPSHOT_REGISTER_CONTEXT = 0x1,
    COR_PRF_SNAPSHOT_X86_OPTIMIZED = 0x2
} COR_PRF_SNAPSHOT_INFO;

typedef enum COR_PRF_STATIC_TYPE {
    COR_PRF_FIELD_NOT_A_STATIC = 0x0,
    COR_PRF_FIELD_APP_DOMAIN_STATIC = 0x1,
    COR_PRF_FIELD_THREAD_STATIC = 0x2,
    COR_PRF_FIELD_CONTEXT_STATIC = 0x4,
    COR_PRF_FIELD_RVA_STATIC = 0x8
} COR_PRF_STATIC_TYPE;

typedef enum COR_PRF_JIT_CACHE {
    COR_PRF_CACHED_FUNCTION_FOUND = 0,
    COR_PRF_CACHED_FUNCTION_NOT_FOUND = 1
} COR_PRF_JIT_CACHE;

typedef enum COR_PRF_TRANSITION_REASON {
    COR_PRF_TRANSITION_CALL = 0,
    COR_PRF_TRANSITION_RETURN = 1
} COR_PRF_TRANSITION_REASON;

typedef enum COR_PRF_SUSPEND_REASON {
    COR_PRF_SUSPEND_OTHER = 0,
    COR_PRF_SUSPEND_FOR_GC = 1,
    COR_PRF_SUSPEND_FOR_APPDOMAIN_SHUTDOWN = 2,
    COR_PRF_SUSPEND_FOR_CODE_PITCHING = 3,
    COR_PRF_SUSPEND_FOR_SHUTDOWN = 4,
    COR_PRF_SUSPEND_FOR_INPROC_DEBUGGER = 6,
    COR_PRF_SUSPEND_FOR_GC_PREP = 7,
    COR_PRF_SUSPEND_FOR_REJIT = 8,
    COR_PRF_SUSPEND_FOR_PROFILER = 9
} COR_PRF_SUSPEND_REASON;

typedef enum COR_PRF_RUNTIME_TYPE {
    COR_PRF_DESKTOP_CLR = 0x1,
    COR_PRF_CORE_CLR = 0x2
} COR_PRF_RUNTIME_TYPE;

typedef enum COR_PRF_REJIT_FLAGS {
    COR_PRF_REJIT_BLOCK_INLINING = 0x1,
    COR_PRF_REJIT_INLINING_CALLBACKS = 0x2
} COR_PRF_REJIT_FLAGS;

typedef enum COR_PRF_CODEGEN_FLAGS {
    COR_PRF_CODEGEN_DISABLE_INLINING = 0x1,
    COR_PRF_CODEGEN_DISABLE_ALL_OPTIMIZATIONS = 0x2,
    COR_PRF_CODEGEN_DEBUG_INFO = 0x3
} COR_PRF_CODEGEN_FLAGS;

typedef enum COR_PRF_GC_ROOT_KIND {
    COR_PRF_GC_ROOT_OTHER = 0,
    COR_PRF_GC_ROOT_STACK = 1,
    COR_PRF_GC_ROOT_FINALIZER = 2,
    COR_PRF_GC_ROOT_HANDLE = 3
} COR_PRF_GC_ROOT_KIND;

typedef enum COR_PRF_GC_ROOT_FLAGS {
    COR_PRF_GC_ROOT_PINNING = 0x1,
    COR_PRF_GC_ROOT_WEAKREF = 0x2,
    COR_PRF_GC_ROOT_INTERIOR = 0x4,
    COR_PRF_GC_ROOT_REFCOUNTED = 0x8
} COR_PRF_GC_ROOT_FLAGS;

typedef enum COR_PRF_FINALIZER_FLAGS {
    COR_PRF_FINALIZER_CRITICAL = 0x1
} COR_PRF_FINALIZER_FLAGS;

typedef enum COR_PRF_GC_GENERATION {
    COR_PRF_GC_GEN_0 = 0,
    COR_PRF_GC_GEN_1 = 1,
    COR_PRF_GC_GEN_2 = 2,
    COR_PRF_GC_LARGE_OBJECT_HEAP = 3,
    COR_PRF_GC_PINNED_OBJECT_HEAP = 4
} COR_PRF_GC_GENERATION;

typedef struct COR_PRF_GC_GENERATION_RANGE {
    COR_PRF_GC_GENERATION generation;
    ObjectID rangeStart;
    UINT_PTR rangeLength;
    UINT_PTR rangeLengthReserved;
} COR_PRF_GC_GENERATION_RANGE;

typedef struct COR_PRF_NONGC_HEAP_RANGE {
    ObjectID rangeStart;
    UINT_PTR rangeLength;
    UINT_PTR rangeLengthReserved;
} COR_PRF_NONGC_HEAP_RANGE;

typedef enum COR_PRF_GC_REASON {
    COR_PRF_GC_OTHER = 0,
    COR_PRF_GC_INDUCED = 1
} COR_PRF_GC_REASON;

typedef enum COR_PRF_CLAUSE_TYPE {
    COR_PRF_CLAUSE_NONE = 0,
    COR_PRF_CLAUSE_FILTER = 1,
    COR_PRF_CLAUSE_CATCH = 2,
    COR_PRF_CLAUSE_FINALLY = 3
} COR_PRF_CLAUSE_TYPE;

typedef struct COR_PRF_EX_CLAUSE_INFO {
    COR_PRF_CLAUSE_TYPE clauseType;
    UINT_PTR programCounter;
    UINT_PTR framePointer;
    UINT_PTR shadowStackPointer;
} COR_PRF_EX_CLAUSE_INFO;

typedef enum COR_PRF_MODULE_FLAGS {
    COR_PRF_MODULE_DISK = 0x01,
    COR_PRF_MODULE_NGEN = 0x02,
    COR_PRF_MODULE_DYNAMIC = 0x04,
    COR_PRF_MODULE_COLLECTIBLE = 0x08,
    COR_PRF_MODULE_RESOURCE = 0x10,
    COR_PRF_MODULE_FLAT_LAYOUT = 0x20,
    COR_PRF_MODULE_WINDOWS_RUNTIME = 0x40
} COR_PRF_MODULE_FLAGS;

typedef enum COR_PRF_HANDLE_TYPE {
    COR_PRF_HANDLE_TYPE_WEAK = 0x1,
    COR_PRF_HANDLE_TYPE_STRONG = 0x2,
    COR_PRF_HANDLE_TYPE_PINNED = 0x3
} COR_PRF_HANDLE_TYPE;

/* A GC handle made by Info13::CreateHandle; released with DestroyHandle. */
typedef void **ObjectHandleID;

/* Sentinels the runtime may return in place of a ClassID or ModuleID. */
#define PROFILER_PARENT_UNKNOWN 0xFFFFFFFDu
#define PROFILER_GLOBAL_CLASS 0xFFFFFFFEu
#define PROFILER_GLOBAL_MODULE 0xFFFFFFFFu

/* ---- EventPipe ------------------------------------------------------------- */

typedef enum COR_PRF_EVENTPIPE_PARAM_TYPE {
    COR_PRF_EVENTPIPE_OBJECT = 1,
    COR_PRF_EVENTPIPE_BOOLEAN = 3,
    COR_PRF_EVENTPIPE_CHAR = 4,
    COR_PRF_EVENTPIPE_SBYTE = 5,
    COR_PRF_EVENTPIPE_BYTE = 6,
    COR_PRF_EVENTPIPE_INT16 = 7,
    COR_PRF_EVENTPIPE_UINT16 = 8,
    COR_PRF_EVENTPIPE_INT32 = 9,
    COR_PRF_EVENTPIPE_UINT32 = 10,
    COR_PRF_EVENTPIPE_INT64 = 11,
    COR_PRF_EVENTPIPE_UINT64 = 12,
    COR_PRF_EVENTPIPE_SINGLE = 13,
    COR_PRF_EVENTPIPE_DOUBLE = 14,
    COR_PRF_EVENTPIPE_DECIMAL = 15,
    COR_PRF_EVENTPIPE_DATETIME = 16,
    COR_PRF_EVENTPIPE_GUID = 17,
    COR_PRF_EVENTPIPE_STRING = 18,
    COR_PRF_EVENTPIPE_ARRAY = 19
} COR_PRF_EVENTPIPE_PARAM_TYPE;

typedef enum COR_PRF_EVENTPIPE_LEVEL {
    COR_PRF_EVENTPIPE_LOGALWAYS = 0,
    COR_PRF_EVENTPIPE_CRITICAL = 1,
    COR_PRF_EVENTPIPE_ERROR = 2,
    COR_PRF_EVENTPIPE_WARNING = 3,
    COR_PRF_EVENTPIPE_INFORMATIONAL = 4,
    COR_PRF_EVENTPIPE_VERBOSE = 5
} COR_PRF_EVENTPIPE_LEVEL;

/* One provider to enable in EventPipeStartSession; strings are NUL-terminated UTF-16, filterData may be NULL. */
typedef struct COR_PRF_EVENTPIPE_PROVIDER_CONFIG {
    const WCHAR *providerName;
    UINT64 keywords;
    UINT32 loggingLevel;
    const WCHAR *filterData;
} COR_PRF_EVENTPIPE_PROVIDER_CONFIG;

/* One field of a profiler-defined event (EventPipeDefineEvent). */
typedef struct COR_PRF_EVENTPIPE_PARAM_DESC {
    UINT32 type;
    UINT32 elementType;
    const WCHAR *name;
} COR_PRF_EVENTPIPE_PARAM_DESC;

/* One payload chunk of a profiler-written event (EventPipeWriteEvent). */
typedef struct COR_PRF_EVENT_DATA {
    UINT64 ptr;
    UINT32 size;
    UINT32 reserved;
} COR_PRF_EVENT_DATA;
/* Same struct under a descriptive name. */
typedef COR_PRF_EVENT_DATA COR_PRF_EVENTPIPE_DATA_DESC;

typedef struct COR_PRF_FILTER_DATA {
    UINT64 Ptr;
    UINT32 Size;
    UINT32 Type;
} COR_PRF_FILTER_DATA;

/* ---- event masks -------------------------------------------------------------
 * Plain unsigned constants rather than an enum: several values do not fit in int.
 * The low mask goes to SetEventMask / SetEventMask2(low, ...), the high one to SetEventMask2(..., high).
 */

typedef DWORD COR_PRF_MONITOR;

#define COR_PRF_MONITOR_NONE 0x00000000u
#define COR_PRF_MONITOR_FUNCTION_UNLOADS 0x00000001u
#define COR_PRF_MONITOR_CLASS_LOADS 0x00000002u
#define COR_PRF_MONITOR_MODULE_LOADS 0x00000004u
#define COR_PRF_MONITOR_ASSEMBLY_LOADS 0x00000008u
#define COR_PRF_MONITOR_APPDOMAIN_LOADS 0x00000010u
#define COR_PRF_MONITOR_JIT_COMPILATION 0x00000020u
#define COR_PRF_MONITOR_EXCEPTIONS 0x00000040u
#define COR_PRF_MONITOR_GC 0x00000080u
#define COR_PRF_MONITOR_OBJECT_ALLOCATED 0x00000100u
#define COR_PRF_MONITOR_THREADS 0x00000200u
#define COR_PRF_MONITOR_REMOTING 0x00000400u
#define COR_PRF_MONITOR_CODE_TRANSITIONS 0x00000800u
#define COR_PRF_MONITOR_ENTERLEAVE 0x00001000u
#define COR_PRF_MONITOR_CCW 0x00002000u
#define COR_PRF_MONITOR_REMOTING_COOKIE (0x00004000u | COR_PRF_MONITOR_REMOTING)
#define COR_PRF_MONITOR_REMOTING_ASYNC (0x00008000u | COR_PRF_MONITOR_REMOTING)
#define COR_PRF_MONITOR_SUSPENDS 0x00010000u
#define COR_PRF_MONITOR_CACHE_SEARCHES 0x00020000u
#define COR_PRF_ENABLE_REJIT 0x00040000u
#define COR_PRF_ENABLE_INPROC_DEBUGGING 0x00080000u
#define COR_PRF_ENABLE_JIT_MAPS 0x00100000u
#define COR_PRF_DISABLE_INLINING 0x00200000u
#define COR_PRF_DISABLE_OPTIMIZATIONS 0x00400000u
#define COR_PRF_ENABLE_OBJECT_ALLOCATED 0x00800000u
#define COR_PRF_MONITOR_CLR_EXCEPTIONS 0x01000000u
#define COR_PRF_MONITOR_ALL 0x0107FFFFu
#define COR_PRF_ENABLE_FUNCTION_ARGS 0x02000000u
#define COR_PRF_ENABLE_FUNCTION_RETVAL 0x04000000u
#define COR_PRF_ENABLE_FRAME_INFO 0x08000000u
#define COR_PRF_ENABLE_STACK_SNAPSHOT 0x10000000u
#define COR_PRF_USE_PROFILE_IMAGES 0x20000000u
#define COR_PRF_DISABLE_TRANSPARENCY_CHECKS_UNDER_FULL_TRUST 0x40000000u
#define COR_PRF_DISABLE_ALL_NGEN_IMAGES 0x80000000u
#define COR_PRF_ALL 0x8FFFFFFFu

#define COR_PRF_REQUIRE_PROFILE_IMAGE \
    (COR_PRF_USE_PROFILE_IMAGES | COR_PRF_MONITOR_CODE_TRANSITIONS | COR_PRF_MONITOR_ENTERLEAVE)

/* The only low-mask bits an attached (not startup) profiler may set. */
#define COR_PRF_ALLOWABLE_AFTER_ATTACH                                                                 \
    (COR_PRF_MONITOR_THREADS | COR_PRF_MONITOR_MODULE_LOADS | COR_PRF_MONITOR_ASSEMBLY_LOADS |         \
     COR_PRF_MONITOR_APPDOMAIN_LOADS | COR_PRF_ENABLE_STACK_SNAPSHOT | COR_PRF_MONITOR_GC |            \
     COR_PRF_MONITOR_SUSPENDS | COR_PRF_MONITOR_CLASS_LOADS | COR_PRF_MONITOR_EXCEPTIONS |             \
     COR_PRF_MONITOR_JIT_COMPILATION | COR_PRF_ENABLE_REJIT)

#define COR_PRF_ALLOWABLE_NOTIFICATION_PROFILER                                                        \
    (COR_PRF_MONITOR_FUNCTION_UNLOADS | COR_PRF_MONITOR_CLASS_LOADS | COR_PRF_MONITOR_MODULE_LOADS |   \
     COR_PRF_MONITOR_ASSEMBLY_LOADS | COR_PRF_MONITOR_APPDOMAIN_LOADS |                                \
     COR_PRF_MONITOR_JIT_COMPILATION | COR_PRF_MONITOR_EXCEPTIONS | COR_PRF_MONITOR_OBJECT_ALLOCATED | \
     COR_PRF_MONITOR_THREADS | COR_PRF_MONITOR_CODE_TRANSITIONS | COR_PRF_MONITOR_CCW |                \
     COR_PRF_MONITOR_SUSPENDS | COR_PRF_MONITOR_CACHE_SEARCHES | COR_PRF_DISABLE_INLINING |            \
     COR_PRF_DISABLE_OPTIMIZATIONS | COR_PRF_ENABLE_OBJECT_ALLOCATED | COR_PRF_MONITOR_CLR_EXCEPTIONS | \
     COR_PRF_ENABLE_STACK_SNAPSHOT | COR_PRF_USE_PROFILE_IMAGES | COR_PRF_DISABLE_ALL_NGEN_IMAGES)

/* Bits that may be set only in the startup Initialize and never changed afterwards. */
#define COR_PRF_MONITOR_IMMUTABLE                                                                      \
    (COR_PRF_MONITOR_CODE_TRANSITIONS | COR_PRF_MONITOR_REMOTING | COR_PRF_MONITOR_REMOTING_COOKIE |   \
     COR_PRF_MONITOR_REMOTING_ASYNC | COR_PRF_ENABLE_INPROC_DEBUGGING | COR_PRF_ENABLE_JIT_MAPS |      \
     COR_PRF_DISABLE_OPTIMIZATIONS | COR_PRF_DISABLE_INLINING | COR_PRF_ENABLE_OBJECT_ALLOCATED |      \
     COR_PRF_ENABLE_FUNCTION_ARGS | COR_PRF_ENABLE_FUNCTION_RETVAL | COR_PRF_ENABLE_FRAME_INFO |       \
     COR_PRF_USE_PROFILE_IMAGES | COR_PRF_DISABLE_TRANSPARENCY_CHECKS_UNDER_FULL_TRUST |               \
     COR_PRF_DISABLE_ALL_NGEN_IMAGES)

typedef DWORD COR_PRF_HIGH_MONITOR;

#define COR_PRF_HIGH_MONITOR_NONE 0x00000000u
#define COR_PRF_HIGH_ADD_ASSEMBLY_REFERENCES 0x00000001u
#define COR_PRF_HIGH_IN_MEMORY_SYMBOLS_UPDATED 0x00000002u
#define COR_PRF_HIGH_MONITOR_DYNAMIC_FUNCTION_UNLOADS 0x00000004u
#define COR_PRF_HIGH_DISABLE_TIERED_COMPILATION 0x00000008u
#define COR_PRF_HIGH_BASIC_GC 0x00000010u
#define COR_PRF_HIGH_MONITOR_GC_MOVED_OBJECTS 0x00000020u
#define COR_PRF_HIGH_REQUIRE_PROFILE_IMAGE 0x00000000u
#define COR_PRF_HIGH_MONITOR_LARGEOBJECT_ALLOCATED 0x00000040u
#define COR_PRF_HIGH_MONITOR_EVENT_PIPE 0x00000080u
#define COR_PRF_HIGH_MONITOR_PINNEDOBJECT_ALLOCATED 0x00000100u

#define COR_PRF_HIGH_ALLOWABLE_AFTER_ATTACH                                                            \
    (COR_PRF_HIGH_IN_MEMORY_SYMBOLS_UPDATED | COR_PRF_HIGH_MONITOR_DYNAMIC_FUNCTION_UNLOADS |          \
     COR_PRF_HIGH_BASIC_GC | COR_PRF_HIGH_MONITOR_GC_MOVED_OBJECTS |                                   \
     COR_PRF_HIGH_MONITOR_LARGEOBJECT_ALLOCATED | COR_PRF_HIGH_MONITOR_EVENT_PIPE)

#define COR_PRF_HIGH_ALLOWABLE_NOTIFICATION_PROFILER                                                   \
    (COR_PRF_HIGH_IN_MEMORY_SYMBOLS_UPDATED | COR_PRF_HIGH_MONITOR_DYNAMIC_FUNCTION_UNLOADS |          \
     COR_PRF_HIGH_DISABLE_TIERED_COMPILATION | COR_PRF_HIGH_BASIC_GC |                                 \
     COR_PRF_HIGH_MONITOR_GC_MOVED_OBJECTS | COR_PRF_HIGH_MONITOR_LARGEOBJECT_ALLOCATED |              \
     COR_PRF_HIGH_MONITOR_EVENT_PIPE)

#define COR_PRF_HIGH_MONITOR_IMMUTABLE COR_PRF_HIGH_DISABLE_TIERED_COMPILATION

_Static_assert(COR_PRF_ALLOWABLE_AFTER_ATTACH == 0x100502FEu, "attach mask");
_Static_assert(COR_PRF_MONITOR_IMMUTABLE == 0xEEF8CC00u, "immutable mask");
_Static_assert(COR_PRF_HIGH_ALLOWABLE_AFTER_ATTACH == 0xF6u, "high attach mask");

/* ---- callback and hook function pointers ------------------------------------ */

/* DoStackSnapshot: called once per frame; funcId 0 marks native frames; return S_OK to go on, an error to stop. */
typedef HRESULT (*StackSnapshotCallback)(FunctionID funcId, UINT_PTR ip, COR_PRF_FRAME_INFO frameInfo,
                                         ULONG32 contextSize, BYTE context[], void *clientData);
/* EnumerateObjectReferences: once per outgoing reference; return FALSE to stop. */
typedef BOOL (*ObjectReferenceCallback)(ObjectID root, ObjectID *reference, void *clientData);
/* EnumerateGCHeapObjects: once per live object; return FALSE to stop. */
typedef BOOL (*ObjectCallback)(ObjectID object, void *callbackState);

typedef UINT_PTR (*FunctionIDMapper)(FunctionID funcId, BOOL *pbHookFunction);
typedef UINT_PTR (*FunctionIDMapper2)(FunctionID funcId, void *clientData, BOOL *pbHookFunction);

typedef void (*EventPipeProviderCallback)(const UINT8 *source_id, UINT32 is_enabled, UINT8 level,
                                          UINT64 match_any_keywords, UINT64 match_all_keywords,
                                          COR_PRF_FILTER_DATA *filter_data, void *callback_data);

/* Enter/leave/tailcall hooks, three generations (startup only). */
typedef void (*FunctionEnter)(FunctionID funcId);
typedef void (*FunctionLeave)(FunctionID funcId);
typedef void (*FunctionTailcall)(FunctionID funcId);
typedef void (*FunctionEnter2)(FunctionID funcId, UINT_PTR clientData, COR_PRF_FRAME_INFO func,
                               COR_PRF_FUNCTION_ARGUMENT_INFO *argumentInfo);
typedef void (*FunctionLeave2)(FunctionID funcId, UINT_PTR clientData, COR_PRF_FRAME_INFO func,
                               COR_PRF_FUNCTION_ARGUMENT_RANGE *retvalRange);
typedef void (*FunctionTailcall2)(FunctionID funcId, UINT_PTR clientData, COR_PRF_FRAME_INFO func);
typedef void (*FunctionEnter3)(FunctionIDOrClientID functionIDOrClientID);
typedef void (*FunctionLeave3)(FunctionIDOrClientID functionIDOrClientID);
typedef void (*FunctionTailcall3)(FunctionIDOrClientID functionIDOrClientID);
typedef void (*FunctionEnter3WithInfo)(FunctionIDOrClientID functionIDOrClientID, COR_PRF_ELT_INFO eltInfo);
typedef void (*FunctionLeave3WithInfo)(FunctionIDOrClientID functionIDOrClientID, COR_PRF_ELT_INFO eltInfo);
typedef void (*FunctionTailcall3WithInfo)(FunctionIDOrClientID functionIDOrClientID, COR_PRF_ELT_INFO eltInfo);

/* ---- enumerators (created by the runtime; the caller Releases them) ------------ */

typedef struct ICorProfilerObjectEnum ICorProfilerObjectEnum;
typedef struct ICorProfilerObjectEnumVtbl {
    HRESULT (*QueryInterface)(ICorProfilerObjectEnum *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerObjectEnum *This);
    ULONG (*Release)(ICorProfilerObjectEnum *This);
    HRESULT (*Skip)(ICorProfilerObjectEnum *This, ULONG celt);
    HRESULT (*Reset)(ICorProfilerObjectEnum *This);
    HRESULT (*Clone)(ICorProfilerObjectEnum *This, ICorProfilerObjectEnum **ppEnum);
    HRESULT (*GetCount)(ICorProfilerObjectEnum *This, ULONG *pcelt);
    HRESULT (*Next)(ICorProfilerObjectEnum *This, ULONG celt, ObjectID objects[], ULONG *pceltFetched);
} ICorProfilerObjectEnumVtbl;
struct ICorProfilerObjectEnum {
    const ICorProfilerObjectEnumVtbl *lpVtbl;
};

typedef struct ICorProfilerFunctionEnum ICorProfilerFunctionEnum;
typedef struct ICorProfilerFunctionEnumVtbl {
    HRESULT (*QueryInterface)(ICorProfilerFunctionEnum *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerFunctionEnum *This);
    ULONG (*Release)(ICorProfilerFunctionEnum *This);
    HRESULT (*Skip)(ICorProfilerFunctionEnum *This, ULONG celt);
    HRESULT (*Reset)(ICorProfilerFunctionEnum *This);
    HRESULT (*Clone)(ICorProfilerFunctionEnum *This, ICorProfilerFunctionEnum **ppEnum);
    HRESULT (*GetCount)(ICorProfilerFunctionEnum *This, ULONG *pcelt);
    HRESULT (*Next)(ICorProfilerFunctionEnum *This, ULONG celt, COR_PRF_FUNCTION ids[], ULONG *pceltFetched);
} ICorProfilerFunctionEnumVtbl;
struct ICorProfilerFunctionEnum {
    const ICorProfilerFunctionEnumVtbl *lpVtbl;
};

typedef struct ICorProfilerModuleEnum ICorProfilerModuleEnum;
typedef struct ICorProfilerModuleEnumVtbl {
    HRESULT (*QueryInterface)(ICorProfilerModuleEnum *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerModuleEnum *This);
    ULONG (*Release)(ICorProfilerModuleEnum *This);
    HRESULT (*Skip)(ICorProfilerModuleEnum *This, ULONG celt);
    HRESULT (*Reset)(ICorProfilerModuleEnum *This);
    HRESULT (*Clone)(ICorProfilerModuleEnum *This, ICorProfilerModuleEnum **ppEnum);
    HRESULT (*GetCount)(ICorProfilerModuleEnum *This, ULONG *pcelt);
    HRESULT (*Next)(ICorProfilerModuleEnum *This, ULONG celt, ModuleID ids[], ULONG *pceltFetched);
} ICorProfilerModuleEnumVtbl;
struct ICorProfilerModuleEnum {
    const ICorProfilerModuleEnumVtbl *lpVtbl;
};

typedef struct ICorProfilerThreadEnum ICorProfilerThreadEnum;
typedef struct ICorProfilerThreadEnumVtbl {
    HRESULT (*QueryInterface)(ICorProfilerThreadEnum *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerThreadEnum *This);
    ULONG (*Release)(ICorProfilerThreadEnum *This);
    HRESULT (*Skip)(ICorProfilerThreadEnum *This, ULONG celt);
    HRESULT (*Reset)(ICorProfilerThreadEnum *This);
    HRESULT (*Clone)(ICorProfilerThreadEnum *This, ICorProfilerThreadEnum **ppEnum);
    HRESULT (*GetCount)(ICorProfilerThreadEnum *This, ULONG *pcelt);
    HRESULT (*Next)(ICorProfilerThreadEnum *This, ULONG celt, ThreadID ids[], ULONG *pceltFetched);
} ICorProfilerThreadEnumVtbl;
struct ICorProfilerThreadEnum {
    const ICorProfilerThreadEnumVtbl *lpVtbl;
};

typedef struct ICorProfilerMethodEnum ICorProfilerMethodEnum;
typedef struct ICorProfilerMethodEnumVtbl {
    HRESULT (*QueryInterface)(ICorProfilerMethodEnum *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerMethodEnum *This);
    ULONG (*Release)(ICorProfilerMethodEnum *This);
    HRESULT (*Skip)(ICorProfilerMethodEnum *This, ULONG celt);
    HRESULT (*Reset)(ICorProfilerMethodEnum *This);
    HRESULT (*Clone)(ICorProfilerMethodEnum *This, ICorProfilerMethodEnum **ppEnum);
    HRESULT (*GetCount)(ICorProfilerMethodEnum *This, ULONG *pcelt);
    HRESULT (*Next)(ICorProfilerMethodEnum *This, ULONG celt, COR_PRF_METHOD elements[], ULONG *pceltFetched);
} ICorProfilerMethodEnumVtbl;
struct ICorProfilerMethodEnum {
    const ICorProfilerMethodEnumVtbl *lpVtbl;
};

/* ---- IMethodMalloc ------------------------------------------------------------ */

typedef struct IMethodMalloc IMethodMalloc;
typedef struct IMethodMallocVtbl {
    HRESULT (*QueryInterface)(IMethodMalloc *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(IMethodMalloc *This);
    ULONG (*Release)(IMethodMalloc *This);
    PVOID (*Alloc)(IMethodMalloc *This, ULONG cb);
} IMethodMallocVtbl;
struct IMethodMalloc {
    const IMethodMallocVtbl *lpVtbl;
};

/* ---- ICorProfilerCallback .. ICorProfilerCallback11 (implemented by us) -------- */

typedef struct ICorProfilerCallback11 ICorProfilerCallback11;
typedef struct ICorProfilerCallback11Vtbl {
    /* IUnknown */
    HRESULT (*QueryInterface)(ICorProfilerCallback11 *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerCallback11 *This);
    ULONG (*Release)(ICorProfilerCallback11 *This);

    /* ICorProfilerCallback */
    HRESULT (*Initialize)(ICorProfilerCallback11 *This, IUnknown *pICorProfilerInfoUnk);
    HRESULT (*Shutdown)(ICorProfilerCallback11 *This);
    HRESULT (*AppDomainCreationStarted)(ICorProfilerCallback11 *This, AppDomainID appDomainId);
    HRESULT (*AppDomainCreationFinished)(ICorProfilerCallback11 *This, AppDomainID appDomainId, HRESULT hrStatus);
    HRESULT (*AppDomainShutdownStarted)(ICorProfilerCallback11 *This, AppDomainID appDomainId);
    HRESULT (*AppDomainShutdownFinished)(ICorProfilerCallback11 *This, AppDomainID appDomainId, HRESULT hrStatus);
    HRESULT (*AssemblyLoadStarted)(ICorProfilerCallback11 *This, AssemblyID assemblyId);
    HRESULT (*AssemblyLoadFinished)(ICorProfilerCallback11 *This, AssemblyID assemblyId, HRESULT hrStatus);
    HRESULT (*AssemblyUnloadStarted)(ICorProfilerCallback11 *This, AssemblyID assemblyId);
    HRESULT (*AssemblyUnloadFinished)(ICorProfilerCallback11 *This, AssemblyID assemblyId, HRESULT hrStatus);
    HRESULT (*ModuleLoadStarted)(ICorProfilerCallback11 *This, ModuleID moduleId);
    HRESULT (*ModuleLoadFinished)(ICorProfilerCallback11 *This, ModuleID moduleId, HRESULT hrStatus);
    HRESULT (*ModuleUnloadStarted)(ICorProfilerCallback11 *This, ModuleID moduleId);
    HRESULT (*ModuleUnloadFinished)(ICorProfilerCallback11 *This, ModuleID moduleId, HRESULT hrStatus);
    HRESULT (*ModuleAttachedToAssembly)(ICorProfilerCallback11 *This, ModuleID moduleId, AssemblyID assemblyId);
    HRESULT (*ClassLoadStarted)(ICorProfilerCallback11 *This, ClassID classId);
    HRESULT (*ClassLoadFinished)(ICorProfilerCallback11 *This, ClassID classId, HRESULT hrStatus);
    HRESULT (*ClassUnloadStarted)(ICorProfilerCallback11 *This, ClassID classId);
    HRESULT (*ClassUnloadFinished)(ICorProfilerCallback11 *This, ClassID classId, HRESULT hrStatus);
    HRESULT (*FunctionUnloadStarted)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*JITCompilationStarted)(ICorProfilerCallback11 *This, FunctionID functionId, BOOL fIsSafeToBlock);
    HRESULT (*JITCompilationFinished)(ICorProfilerCallback11 *This, FunctionID functionId, HRESULT hrStatus,
                                      BOOL fIsSafeToBlock);
    HRESULT (*JITCachedFunctionSearchStarted)(ICorProfilerCallback11 *This, FunctionID functionId,
                                              BOOL *pbUseCachedFunction);
    HRESULT (*JITCachedFunctionSearchFinished)(ICorProfilerCallback11 *This, FunctionID functionId,
                                               COR_PRF_JIT_CACHE result);
    HRESULT (*JITFunctionPitched)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*JITInlining)(ICorProfilerCallback11 *This, FunctionID callerId, FunctionID calleeId,
                           BOOL *pfShouldInline);
    HRESULT (*ThreadCreated)(ICorProfilerCallback11 *This, ThreadID threadId);
    HRESULT (*ThreadDestroyed)(ICorProfilerCallback11 *This, ThreadID threadId);
    HRESULT (*ThreadAssignedToOSThread)(ICorProfilerCallback11 *This, ThreadID managedThreadId, DWORD osThreadId);
    HRESULT (*RemotingClientInvocationStarted)(ICorProfilerCallback11 *This);
    HRESULT (*RemotingClientSendingMessage)(ICorProfilerCallback11 *This, GUID *pCookie, BOOL fIsAsync);
    HRESULT (*RemotingClientReceivingReply)(ICorProfilerCallback11 *This, GUID *pCookie, BOOL fIsAsync);
    HRESULT (*RemotingClientInvocationFinished)(ICorProfilerCallback11 *This);
    HRESULT (*RemotingServerReceivingMessage)(ICorProfilerCallback11 *This, GUID *pCookie, BOOL fIsAsync);
    HRESULT (*RemotingServerInvocationStarted)(ICorProfilerCallback11 *This);
    HRESULT (*RemotingServerInvocationReturned)(ICorProfilerCallback11 *This);
    HRESULT (*RemotingServerSendingReply)(ICorProfilerCallback11 *This, GUID *pCookie, BOOL fIsAsync);
    HRESULT (*UnmanagedToManagedTransition)(ICorProfilerCallback11 *This, FunctionID functionId,
                                            COR_PRF_TRANSITION_REASON reason);
    HRESULT (*ManagedToUnmanagedTransition)(ICorProfilerCallback11 *This, FunctionID functionId,
                                            COR_PRF_TRANSITION_REASON reason);
    HRESULT (*RuntimeSuspendStarted)(ICorProfilerCallback11 *This, COR_PRF_SUSPEND_REASON suspendReason);
    HRESULT (*RuntimeSuspendFinished)(ICorProfilerCallback11 *This);
    HRESULT (*RuntimeSuspendAborted)(ICorProfilerCallback11 *This);
    HRESULT (*RuntimeResumeStarted)(ICorProfilerCallback11 *This);
    HRESULT (*RuntimeResumeFinished)(ICorProfilerCallback11 *This);
    HRESULT (*RuntimeThreadSuspended)(ICorProfilerCallback11 *This, ThreadID threadId);
    HRESULT (*RuntimeThreadResumed)(ICorProfilerCallback11 *This, ThreadID threadId);
    HRESULT (*MovedReferences)(ICorProfilerCallback11 *This, ULONG cMovedObjectIDRanges,
                               ObjectID oldObjectIDRangeStart[], ObjectID newObjectIDRangeStart[],
                               ULONG cObjectIDRangeLength[]);
    HRESULT (*ObjectAllocated)(ICorProfilerCallback11 *This, ObjectID objectId, ClassID classId);
    HRESULT (*ObjectsAllocatedByClass)(ICorProfilerCallback11 *This, ULONG cClassCount, ClassID classIds[],
                                       ULONG cObjects[]);
    HRESULT (*ObjectReferences)(ICorProfilerCallback11 *This, ObjectID objectId, ClassID classId,
                                ULONG cObjectRefs, ObjectID objectRefIds[]);
    HRESULT (*RootReferences)(ICorProfilerCallback11 *This, ULONG cRootRefs, ObjectID rootRefIds[]);
    HRESULT (*ExceptionThrown)(ICorProfilerCallback11 *This, ObjectID thrownObjectId);
    HRESULT (*ExceptionSearchFunctionEnter)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*ExceptionSearchFunctionLeave)(ICorProfilerCallback11 *This);
    HRESULT (*ExceptionSearchFilterEnter)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*ExceptionSearchFilterLeave)(ICorProfilerCallback11 *This);
    HRESULT (*ExceptionSearchCatcherFound)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*ExceptionOSHandlerEnter)(ICorProfilerCallback11 *This, UINT_PTR unused);
    HRESULT (*ExceptionOSHandlerLeave)(ICorProfilerCallback11 *This, UINT_PTR unused);
    HRESULT (*ExceptionUnwindFunctionEnter)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*ExceptionUnwindFunctionLeave)(ICorProfilerCallback11 *This);
    HRESULT (*ExceptionUnwindFinallyEnter)(ICorProfilerCallback11 *This, FunctionID functionId);
    HRESULT (*ExceptionUnwindFinallyLeave)(ICorProfilerCallback11 *This);
    HRESULT (*ExceptionCatcherEnter)(ICorProfilerCallback11 *This, FunctionID functionId, ObjectID objectId);
    HRESULT (*ExceptionCatcherLeave)(ICorProfilerCallback11 *This);
    HRESULT (*COMClassicVTableCreated)(ICorProfilerCallback11 *This, ClassID wrappedClassId,
                                       REFGUID implementedIID, void *pVTable, ULONG cSlots);
    HRESULT (*COMClassicVTableDestroyed)(ICorProfilerCallback11 *This, ClassID wrappedClassId,
                                         REFGUID implementedIID, void *pVTable);
    HRESULT (*ExceptionCLRCatcherFound)(ICorProfilerCallback11 *This);
    HRESULT (*ExceptionCLRCatcherExecute)(ICorProfilerCallback11 *This);

    /* ICorProfilerCallback2 */
    HRESULT (*ThreadNameChanged)(ICorProfilerCallback11 *This, ThreadID threadId, ULONG cchName, WCHAR name[]);
    HRESULT (*GarbageCollectionStarted)(ICorProfilerCallback11 *This, int cGenerations,
                                        BOOL generationCollected[], COR_PRF_GC_REASON reason);
    HRESULT (*SurvivingReferences)(ICorProfilerCallback11 *This, ULONG cSurvivingObjectIDRanges,
                                   ObjectID objectIDRangeStart[], ULONG cObjectIDRangeLength[]);
    HRESULT (*GarbageCollectionFinished)(ICorProfilerCallback11 *This);
    HRESULT (*FinalizeableObjectQueued)(ICorProfilerCallback11 *This, DWORD finalizerFlags, ObjectID objectID);
    HRESULT (*RootReferences2)(ICorProfilerCallback11 *This, ULONG cRootRefs, ObjectID rootRefIds[],
                               COR_PRF_GC_ROOT_KIND rootKinds[], COR_PRF_GC_ROOT_FLAGS rootFlags[],
                               UINT_PTR rootIds[]);
    HRESULT (*HandleCreated)(ICorProfilerCallback11 *This, GCHandleID handleId, ObjectID initialObjectId);
    HRESULT (*HandleDestroyed)(ICorProfilerCallback11 *This, GCHandleID handleId);

    /* ICorProfilerCallback3 */
    HRESULT (*InitializeForAttach)(ICorProfilerCallback11 *This, IUnknown *pCorProfilerInfoUnk, void *pvClientData,
                                   UINT cbClientData);
    HRESULT (*ProfilerAttachComplete)(ICorProfilerCallback11 *This);
    HRESULT (*ProfilerDetachSucceeded)(ICorProfilerCallback11 *This);

    /* ICorProfilerCallback4 */
    HRESULT (*ReJITCompilationStarted)(ICorProfilerCallback11 *This, FunctionID functionId, ReJITID rejitId,
                                       BOOL fIsSafeToBlock);
    HRESULT (*GetReJITParameters)(ICorProfilerCallback11 *This, ModuleID moduleId, mdMethodDef methodId,
                                  ICorProfilerFunctionControl *pFunctionControl);
    HRESULT (*ReJITCompilationFinished)(ICorProfilerCallback11 *This, FunctionID functionId, ReJITID rejitId,
                                        HRESULT hrStatus, BOOL fIsSafeToBlock);
    HRESULT (*ReJITError)(ICorProfilerCallback11 *This, ModuleID moduleId, mdMethodDef methodId,
                          FunctionID functionId, HRESULT hrStatus);
    HRESULT (*MovedReferences2)(ICorProfilerCallback11 *This, ULONG cMovedObjectIDRanges,
                                ObjectID oldObjectIDRangeStart[], ObjectID newObjectIDRangeStart[],
                                SIZE_T cObjectIDRangeLength[]);
    HRESULT (*SurvivingReferences2)(ICorProfilerCallback11 *This, ULONG cSurvivingObjectIDRanges,
                                    ObjectID objectIDRangeStart[], SIZE_T cObjectIDRangeLength[]);

    /* ICorProfilerCallback5 */
    HRESULT (*ConditionalWeakTableElementReferences)(ICorProfilerCallback11 *This, ULONG cRootRefs,
                                                     ObjectID keyRefIds[], ObjectID valueRefIds[],
                                                     GCHandleID rootIds[]);

    /* ICorProfilerCallback6 */
    HRESULT (*GetAssemblyReferences)(ICorProfilerCallback11 *This, const WCHAR *wszAssemblyPath,
                                     ICorProfilerAssemblyReferenceProvider *pAsmRefProvider);

    /* ICorProfilerCallback7 */
    HRESULT (*ModuleInMemorySymbolsUpdated)(ICorProfilerCallback11 *This, ModuleID moduleId);

    /* ICorProfilerCallback8 */
    HRESULT (*DynamicMethodJITCompilationStarted)(ICorProfilerCallback11 *This, FunctionID functionId,
                                                  BOOL fIsSafeToBlock, LPCBYTE pILHeader, ULONG cbILHeader);
    HRESULT (*DynamicMethodJITCompilationFinished)(ICorProfilerCallback11 *This, FunctionID functionId,
                                                   HRESULT hrStatus, BOOL fIsSafeToBlock);

    /* ICorProfilerCallback9 */
    HRESULT (*DynamicMethodUnloaded)(ICorProfilerCallback11 *This, FunctionID functionId);

    /* ICorProfilerCallback10 */
    HRESULT (*EventPipeEventDelivered)(ICorProfilerCallback11 *This, EVENTPIPE_PROVIDER provider, DWORD eventId,
                                       DWORD eventVersion, ULONG cbMetadataBlob, LPCBYTE metadataBlob,
                                       ULONG cbEventData, LPCBYTE eventData, LPCGUID pActivityId,
                                       LPCGUID pRelatedActivityId, ThreadID eventThread, ULONG numStackFrames,
                                       UINT_PTR stackFrames[]);
    HRESULT (*EventPipeProviderCreated)(ICorProfilerCallback11 *This, EVENTPIPE_PROVIDER provider);

    /* ICorProfilerCallback11 */
    HRESULT (*LoadAsNotificationOnly)(ICorProfilerCallback11 *This, BOOL *pbNotificationOnly);
} ICorProfilerCallback11Vtbl;
struct ICorProfilerCallback11 {
    const ICorProfilerCallback11Vtbl *lpVtbl;
};

_Static_assert(sizeof(ICorProfilerCallback11Vtbl) == 98 * sizeof(void *), "Callback11 has 98 slots");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, Initialize) == 3, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, RuntimeSuspendStarted) == 42, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, ExceptionThrown) == 54, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, ExceptionCatcherEnter) == 66, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, ExceptionCLRCatcherExecute) == 71, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, ThreadNameChanged) == 72, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, GarbageCollectionStarted) == 73, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, InitializeForAttach) == 80, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, ReJITCompilationStarted) == 83, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, ConditionalWeakTableElementReferences) == 89, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, DynamicMethodJITCompilationStarted) == 92, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, EventPipeEventDelivered) == 95, "slot");
_Static_assert(DRD_SLOT(ICorProfilerCallback11Vtbl, LoadAsNotificationOnly) == 97, "slot");

/* ---- ICorProfilerInfo .. ICorProfilerInfo15 (implemented by the runtime) ------- */

typedef struct ICorProfilerInfo15 ICorProfilerInfo15;
typedef struct ICorProfilerInfo15Vtbl {
    /* IUnknown */
    HRESULT (*QueryInterface)(ICorProfilerInfo15 *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(ICorProfilerInfo15 *This);
    ULONG (*Release)(ICorProfilerInfo15 *This);

    /* ICorProfilerInfo */
    HRESULT (*GetClassFromObject)(ICorProfilerInfo15 *This, ObjectID objectId, ClassID *pClassId);
    HRESULT (*GetClassFromToken)(ICorProfilerInfo15 *This, ModuleID moduleId, mdTypeDef typeDef, ClassID *pClassId);
    HRESULT (*GetCodeInfo)(ICorProfilerInfo15 *This, FunctionID functionId, LPCBYTE *pStart, ULONG *pcSize);
    HRESULT (*GetEventMask)(ICorProfilerInfo15 *This, DWORD *pdwEvents);
    HRESULT (*GetFunctionFromIP)(ICorProfilerInfo15 *This, LPCBYTE ip, FunctionID *pFunctionId);
    HRESULT (*GetFunctionFromToken)(ICorProfilerInfo15 *This, ModuleID moduleId, mdToken token,
                                    FunctionID *pFunctionId);
    HRESULT (*GetHandleFromThread)(ICorProfilerInfo15 *This, ThreadID threadId, HANDLE *phThread);
    HRESULT (*GetObjectSize)(ICorProfilerInfo15 *This, ObjectID objectId, ULONG *pcSize);
    HRESULT (*IsArrayClass)(ICorProfilerInfo15 *This, ClassID classId, CorElementType *pBaseElemType,
                            ClassID *pBaseClassId, ULONG *pcRank);
    HRESULT (*GetThreadInfo)(ICorProfilerInfo15 *This, ThreadID threadId, DWORD *pdwWin32ThreadId);
    HRESULT (*GetCurrentThreadID)(ICorProfilerInfo15 *This, ThreadID *pThreadId);
    HRESULT (*GetClassIDInfo)(ICorProfilerInfo15 *This, ClassID classId, ModuleID *pModuleId,
                              mdTypeDef *pTypeDefToken);
    HRESULT (*GetFunctionInfo)(ICorProfilerInfo15 *This, FunctionID functionId, ClassID *pClassId,
                               ModuleID *pModuleId, mdToken *pToken);
    HRESULT (*SetEventMask)(ICorProfilerInfo15 *This, DWORD dwEvents);
    HRESULT (*SetEnterLeaveFunctionHooks)(ICorProfilerInfo15 *This, FunctionEnter pFuncEnter,
                                          FunctionLeave pFuncLeave, FunctionTailcall pFuncTailcall);
    HRESULT (*SetFunctionIDMapper)(ICorProfilerInfo15 *This, FunctionIDMapper pFunc);
    HRESULT (*GetTokenAndMetaDataFromFunction)(ICorProfilerInfo15 *This, FunctionID functionId, REFIID riid,
                                               IUnknown **ppImport, mdToken *pToken);
    HRESULT (*GetModuleInfo)(ICorProfilerInfo15 *This, ModuleID moduleId, LPCBYTE *ppBaseLoadAddress,
                             ULONG cchName, ULONG *pcchName, WCHAR szName[], AssemblyID *pAssemblyId);
    HRESULT (*GetModuleMetaData)(ICorProfilerInfo15 *This, ModuleID moduleId, DWORD dwOpenFlags, REFIID riid,
                                 IUnknown **ppOut);
    HRESULT (*GetILFunctionBody)(ICorProfilerInfo15 *This, ModuleID moduleId, mdMethodDef methodId,
                                 LPCBYTE *ppMethodHeader, ULONG *pcbMethodSize);
    HRESULT (*GetILFunctionBodyAllocator)(ICorProfilerInfo15 *This, ModuleID moduleId, IMethodMalloc **ppMalloc);
    HRESULT (*SetILFunctionBody)(ICorProfilerInfo15 *This, ModuleID moduleId, mdMethodDef methodId,
                                 LPCBYTE pbNewILMethodHeader);
    HRESULT (*GetAppDomainInfo)(ICorProfilerInfo15 *This, AppDomainID appDomainId, ULONG cchName, ULONG *pcchName,
                                WCHAR szName[], ProcessID *pProcessId);
    HRESULT (*GetAssemblyInfo)(ICorProfilerInfo15 *This, AssemblyID assemblyId, ULONG cchName, ULONG *pcchName,
                               WCHAR szName[], AppDomainID *pAppDomainId, ModuleID *pModuleId);
    HRESULT (*SetFunctionReJIT)(ICorProfilerInfo15 *This, FunctionID functionId);
    HRESULT (*ForceGC)(ICorProfilerInfo15 *This);
    HRESULT (*SetILInstrumentedCodeMap)(ICorProfilerInfo15 *This, FunctionID functionId, BOOL fStartJit,
                                        ULONG cILMapEntries, COR_IL_MAP rgILMapEntries[]);
    HRESULT (*GetInprocInspectionInterface)(ICorProfilerInfo15 *This, IUnknown **ppicd);
    HRESULT (*GetInprocInspectionIThisThread)(ICorProfilerInfo15 *This, IUnknown **ppicd);
    HRESULT (*GetThreadContext)(ICorProfilerInfo15 *This, ThreadID threadId, ContextID *pContextId);
    HRESULT (*BeginInprocDebugging)(ICorProfilerInfo15 *This, BOOL fThisThreadOnly, DWORD *pdwProfilerContext);
    HRESULT (*EndInprocDebugging)(ICorProfilerInfo15 *This, DWORD dwProfilerContext);
    HRESULT (*GetILToNativeMapping)(ICorProfilerInfo15 *This, FunctionID functionId, ULONG32 cMap, ULONG32 *pcMap,
                                    COR_DEBUG_IL_TO_NATIVE_MAP map[]);

    /* ICorProfilerInfo2 */
    HRESULT (*DoStackSnapshot)(ICorProfilerInfo15 *This, ThreadID thread, StackSnapshotCallback callback,
                               ULONG32 infoFlags, void *clientData, BYTE context[], ULONG32 contextSize);
    HRESULT (*SetEnterLeaveFunctionHooks2)(ICorProfilerInfo15 *This, FunctionEnter2 pFuncEnter,
                                           FunctionLeave2 pFuncLeave, FunctionTailcall2 pFuncTailcall);
    HRESULT (*GetFunctionInfo2)(ICorProfilerInfo15 *This, FunctionID funcId, COR_PRF_FRAME_INFO frameInfo,
                                ClassID *pClassId, ModuleID *pModuleId, mdToken *pToken, ULONG32 cTypeArgs,
                                ULONG32 *pcTypeArgs, ClassID typeArgs[]);
    HRESULT (*GetStringLayout)(ICorProfilerInfo15 *This, ULONG *pBufferLengthOffset, ULONG *pStringLengthOffset,
                               ULONG *pBufferOffset);
    HRESULT (*GetClassLayout)(ICorProfilerInfo15 *This, ClassID classID, COR_FIELD_OFFSET rFieldOffset[],
                              ULONG cFieldOffset, ULONG *pcFieldOffset, ULONG *pulClassSize);
    HRESULT (*GetClassIDInfo2)(ICorProfilerInfo15 *This, ClassID classId, ModuleID *pModuleId,
                               mdTypeDef *pTypeDefToken, ClassID *pParentClassId, ULONG32 cNumTypeArgs,
                               ULONG32 *pcNumTypeArgs, ClassID typeArgs[]);
    HRESULT (*GetCodeInfo2)(ICorProfilerInfo15 *This, FunctionID functionID, ULONG32 cCodeInfos,
                            ULONG32 *pcCodeInfos, COR_PRF_CODE_INFO codeInfos[]);
    HRESULT (*GetClassFromTokenAndTypeArgs)(ICorProfilerInfo15 *This, ModuleID moduleID, mdTypeDef typeDef,
                                            ULONG32 cTypeArgs, ClassID typeArgs[], ClassID *pClassID);
    HRESULT (*GetFunctionFromTokenAndTypeArgs)(ICorProfilerInfo15 *This, ModuleID moduleID, mdMethodDef funcDef,
                                               ClassID classId, ULONG32 cTypeArgs, ClassID typeArgs[],
                                               FunctionID *pFunctionID);
    HRESULT (*EnumModuleFrozenObjects)(ICorProfilerInfo15 *This, ModuleID moduleID, ICorProfilerObjectEnum **ppEnum);
    HRESULT (*GetArrayObjectInfo)(ICorProfilerInfo15 *This, ObjectID objectId, ULONG32 cDimensions,
                                  ULONG32 pDimensionSizes[], int pDimensionLowerBounds[], BYTE **ppData);
    HRESULT (*GetBoxClassLayout)(ICorProfilerInfo15 *This, ClassID classId, ULONG32 *pBufferOffset);
    HRESULT (*GetThreadAppDomain)(ICorProfilerInfo15 *This, ThreadID threadId, AppDomainID *pAppDomainId);
    HRESULT (*GetRVAStaticAddress)(ICorProfilerInfo15 *This, ClassID classId, mdFieldDef fieldToken,
                                   void **ppAddress);
    HRESULT (*GetAppDomainStaticAddress)(ICorProfilerInfo15 *This, ClassID classId, mdFieldDef fieldToken,
                                         AppDomainID appDomainId, void **ppAddress);
    HRESULT (*GetThreadStaticAddress)(ICorProfilerInfo15 *This, ClassID classId, mdFieldDef fieldToken,
                                      ThreadID threadId, void **ppAddress);
    HRESULT (*GetContextStaticAddress)(ICorProfilerInfo15 *This, ClassID classId, mdFieldDef fieldToken,
                                       ContextID contextId, void **ppAddress);
    HRESULT (*GetStaticFieldInfo)(ICorProfilerInfo15 *This, ClassID classId, mdFieldDef fieldToken,
                                  COR_PRF_STATIC_TYPE *pFieldInfo);
    HRESULT (*GetGenerationBounds)(ICorProfilerInfo15 *This, ULONG cObjectRanges, ULONG *pcObjectRanges,
                                   COR_PRF_GC_GENERATION_RANGE ranges[]);
    HRESULT (*GetObjectGeneration)(ICorProfilerInfo15 *This, ObjectID objectId, COR_PRF_GC_GENERATION_RANGE *range);
    HRESULT (*GetNotifiedExceptionClauseInfo)(ICorProfilerInfo15 *This, COR_PRF_EX_CLAUSE_INFO *pinfo);

    /* ICorProfilerInfo3 */
    HRESULT (*EnumJITedFunctions)(ICorProfilerInfo15 *This, ICorProfilerFunctionEnum **ppEnum);
    HRESULT (*RequestProfilerDetach)(ICorProfilerInfo15 *This, DWORD dwExpectedCompletionMilliseconds);
    HRESULT (*SetFunctionIDMapper2)(ICorProfilerInfo15 *This, FunctionIDMapper2 pFunc, void *clientData);
    HRESULT (*GetStringLayout2)(ICorProfilerInfo15 *This, ULONG *pStringLengthOffset, ULONG *pBufferOffset);
    HRESULT (*SetEnterLeaveFunctionHooks3)(ICorProfilerInfo15 *This, FunctionEnter3 pFuncEnter3,
                                           FunctionLeave3 pFuncLeave3, FunctionTailcall3 pFuncTailcall3);
    HRESULT (*SetEnterLeaveFunctionHooks3WithInfo)(ICorProfilerInfo15 *This,
                                                   FunctionEnter3WithInfo pFuncEnter3WithInfo,
                                                   FunctionLeave3WithInfo pFuncLeave3WithInfo,
                                                   FunctionTailcall3WithInfo pFuncTailcall3WithInfo);
    HRESULT (*GetFunctionEnter3Info)(ICorProfilerInfo15 *This, FunctionID functionId, COR_PRF_ELT_INFO eltInfo,
                                     COR_PRF_FRAME_INFO *pFrameInfo, ULONG *pcbArgumentInfo,
                                     COR_PRF_FUNCTION_ARGUMENT_INFO *pArgumentInfo);
    HRESULT (*GetFunctionLeave3Info)(ICorProfilerInfo15 *This, FunctionID functionId, COR_PRF_ELT_INFO eltInfo,
                                     COR_PRF_FRAME_INFO *pFrameInfo, COR_PRF_FUNCTION_ARGUMENT_RANGE *pRetvalRange);
    HRESULT (*GetFunctionTailcall3Info)(ICorProfilerInfo15 *This, FunctionID functionId, COR_PRF_ELT_INFO eltInfo,
                                        COR_PRF_FRAME_INFO *pFrameInfo);
    HRESULT (*EnumModules)(ICorProfilerInfo15 *This, ICorProfilerModuleEnum **ppEnum);
    HRESULT (*GetRuntimeInformation)(ICorProfilerInfo15 *This, USHORT *pClrInstanceId,
                                     COR_PRF_RUNTIME_TYPE *pRuntimeType, USHORT *pMajorVersion,
                                     USHORT *pMinorVersion, USHORT *pBuildNumber, USHORT *pQFEVersion,
                                     ULONG cchVersionString, ULONG *pcchVersionString, WCHAR szVersionString[]);
    HRESULT (*GetThreadStaticAddress2)(ICorProfilerInfo15 *This, ClassID classId, mdFieldDef fieldToken,
                                       AppDomainID appDomainId, ThreadID threadId, void **ppAddress);
    HRESULT (*GetAppDomainsContainingModule)(ICorProfilerInfo15 *This, ModuleID moduleId, ULONG32 cAppDomainIds,
                                             ULONG32 *pcAppDomainIds, AppDomainID appDomainIds[]);
    HRESULT (*GetModuleInfo2)(ICorProfilerInfo15 *This, ModuleID moduleId, LPCBYTE *ppBaseLoadAddress,
                              ULONG cchName, ULONG *pcchName, WCHAR szName[], AssemblyID *pAssemblyId,
                              DWORD *pdwModuleFlags);

    /* ICorProfilerInfo4 */
    HRESULT (*EnumThreads)(ICorProfilerInfo15 *This, ICorProfilerThreadEnum **ppEnum);
    HRESULT (*InitializeCurrentThread)(ICorProfilerInfo15 *This);
    HRESULT (*RequestReJIT)(ICorProfilerInfo15 *This, ULONG cFunctions, ModuleID moduleIds[],
                            mdMethodDef methodIds[]);
    HRESULT (*RequestRevert)(ICorProfilerInfo15 *This, ULONG cFunctions, ModuleID moduleIds[],
                             mdMethodDef methodIds[], HRESULT status[]);
    HRESULT (*GetCodeInfo3)(ICorProfilerInfo15 *This, FunctionID functionID, ReJITID reJitId, ULONG32 cCodeInfos,
                            ULONG32 *pcCodeInfos, COR_PRF_CODE_INFO codeInfos[]);
    HRESULT (*GetFunctionFromIP2)(ICorProfilerInfo15 *This, LPCBYTE ip, FunctionID *pFunctionId, ReJITID *pReJitId);
    HRESULT (*GetReJITIDs)(ICorProfilerInfo15 *This, FunctionID functionId, ULONG cReJitIds, ULONG *pcReJitIds,
                           ReJITID reJitIds[]);
    HRESULT (*GetILToNativeMapping2)(ICorProfilerInfo15 *This, FunctionID functionId, ReJITID reJitId,
                                     ULONG32 cMap, ULONG32 *pcMap, COR_DEBUG_IL_TO_NATIVE_MAP map[]);
    HRESULT (*EnumJITedFunctions2)(ICorProfilerInfo15 *This, ICorProfilerFunctionEnum **ppEnum);
    HRESULT (*GetObjectSize2)(ICorProfilerInfo15 *This, ObjectID objectId, SIZE_T *pcSize);

    /* ICorProfilerInfo5 */
    HRESULT (*GetEventMask2)(ICorProfilerInfo15 *This, DWORD *pdwEventsLow, DWORD *pdwEventsHigh);
    HRESULT (*SetEventMask2)(ICorProfilerInfo15 *This, DWORD dwEventsLow, DWORD dwEventsHigh);

    /* ICorProfilerInfo6 */
    HRESULT (*EnumNgenModuleMethodsInliningThisMethod)(ICorProfilerInfo15 *This, ModuleID inlinersModuleId,
                                                       ModuleID inlineeModuleId, mdMethodDef inlineeMethodId,
                                                       BOOL *incompleteData, ICorProfilerMethodEnum **ppEnum);

    /* ICorProfilerInfo7 */
    HRESULT (*ApplyMetaData)(ICorProfilerInfo15 *This, ModuleID moduleId);
    HRESULT (*GetInMemorySymbolsLength)(ICorProfilerInfo15 *This, ModuleID moduleId, DWORD *pCountSymbolBytes);
    HRESULT (*ReadInMemorySymbols)(ICorProfilerInfo15 *This, ModuleID moduleId, DWORD symbolsReadOffset,
                                   BYTE *pSymbolBytes, DWORD countSymbolBytes, DWORD *pCountSymbolBytesRead);

    /* ICorProfilerInfo8 */
    HRESULT (*IsFunctionDynamic)(ICorProfilerInfo15 *This, FunctionID functionId, BOOL *isDynamic);
    HRESULT (*GetFunctionFromIP3)(ICorProfilerInfo15 *This, LPCBYTE ip, FunctionID *functionId, ReJITID *pReJitId);
    HRESULT (*GetDynamicFunctionInfo)(ICorProfilerInfo15 *This, FunctionID functionId, ModuleID *moduleId,
                                      PCCOR_SIGNATURE *ppvSig, ULONG *pbSig, ULONG cchName, ULONG *pcchName,
                                      WCHAR wszName[]);

    /* ICorProfilerInfo9 */
    HRESULT (*GetNativeCodeStartAddresses)(ICorProfilerInfo15 *This, FunctionID functionID, ReJITID reJitId,
                                           ULONG32 cCodeStartAddresses, ULONG32 *pcCodeStartAddresses,
                                           UINT_PTR codeStartAddresses[]);
    HRESULT (*GetILToNativeMapping3)(ICorProfilerInfo15 *This, UINT_PTR pNativeCodeStartAddress, ULONG32 cMap,
                                     ULONG32 *pcMap, COR_DEBUG_IL_TO_NATIVE_MAP map[]);
    HRESULT (*GetCodeInfo4)(ICorProfilerInfo15 *This, UINT_PTR pNativeCodeStartAddress, ULONG32 cCodeInfos,
                            ULONG32 *pcCodeInfos, COR_PRF_CODE_INFO codeInfos[]);

    /* ICorProfilerInfo10 */
    HRESULT (*EnumerateObjectReferences)(ICorProfilerInfo15 *This, ObjectID objectId,
                                         ObjectReferenceCallback callback, void *clientData);
    HRESULT (*IsFrozenObject)(ICorProfilerInfo15 *This, ObjectID objectId, BOOL *pbFrozen);
    HRESULT (*GetLOHObjectSizeThreshold)(ICorProfilerInfo15 *This, DWORD *pThreshold);
    HRESULT (*RequestReJITWithInliners)(ICorProfilerInfo15 *This, DWORD dwRejitFlags, ULONG cFunctions,
                                        ModuleID moduleIds[], mdMethodDef methodIds[]);
    HRESULT (*SuspendRuntime)(ICorProfilerInfo15 *This);
    HRESULT (*ResumeRuntime)(ICorProfilerInfo15 *This);

    /* ICorProfilerInfo11 */
    HRESULT (*GetEnvironmentVariable)(ICorProfilerInfo15 *This, const WCHAR *szName, ULONG cchValue,
                                      ULONG *pcchValue, WCHAR szValue[]);
    HRESULT (*SetEnvironmentVariable)(ICorProfilerInfo15 *This, const WCHAR *szName, const WCHAR *szValue);

    /* ICorProfilerInfo12 */
    HRESULT (*EventPipeStartSession)(ICorProfilerInfo15 *This, UINT32 cProviderConfigs,
                                     COR_PRF_EVENTPIPE_PROVIDER_CONFIG pProviderConfigs[], BOOL requestRundown,
                                     EVENTPIPE_SESSION *pSession);
    HRESULT (*EventPipeAddProviderToSession)(ICorProfilerInfo15 *This, EVENTPIPE_SESSION session,
                                             COR_PRF_EVENTPIPE_PROVIDER_CONFIG providerConfig);
    HRESULT (*EventPipeStopSession)(ICorProfilerInfo15 *This, EVENTPIPE_SESSION session);
    HRESULT (*EventPipeCreateProvider)(ICorProfilerInfo15 *This, const WCHAR *providerName,
                                       EVENTPIPE_PROVIDER *pProvider);
    HRESULT (*EventPipeGetProviderInfo)(ICorProfilerInfo15 *This, EVENTPIPE_PROVIDER provider, ULONG cchName,
                                        ULONG *pcchName, WCHAR providerName[]);
    HRESULT (*EventPipeDefineEvent)(ICorProfilerInfo15 *This, EVENTPIPE_PROVIDER provider, const WCHAR *eventName,
                                    UINT32 eventID, UINT64 keywords, UINT32 eventVersion, UINT32 level,
                                    UINT8 opcode, BOOL needStack, UINT32 cParamDescs,
                                    COR_PRF_EVENTPIPE_PARAM_DESC pParamDescs[], EVENTPIPE_EVENT *pEvent);
    HRESULT (*EventPipeWriteEvent)(ICorProfilerInfo15 *This, EVENTPIPE_EVENT event, UINT32 cData,
                                   COR_PRF_EVENT_DATA data[], LPCGUID pActivityId, LPCGUID pRelatedActivityId);

    /* ICorProfilerInfo13 */
    HRESULT (*CreateHandle)(ICorProfilerInfo15 *This, ObjectID object, COR_PRF_HANDLE_TYPE type,
                            ObjectHandleID *pHandle);
    HRESULT (*DestroyHandle)(ICorProfilerInfo15 *This, ObjectHandleID handle);
    HRESULT (*GetObjectIDFromHandle)(ICorProfilerInfo15 *This, ObjectHandleID handle, ObjectID *pObject);

    /* ICorProfilerInfo14 */
    HRESULT (*EnumerateNonGCObjects)(ICorProfilerInfo15 *This, ICorProfilerObjectEnum **ppEnum);
    HRESULT (*GetNonGCHeapBounds)(ICorProfilerInfo15 *This, ULONG cObjectRanges, ULONG *pcObjectRanges,
                                  COR_PRF_NONGC_HEAP_RANGE ranges[]);
    HRESULT (*EventPipeCreateProvider2)(ICorProfilerInfo15 *This, const WCHAR *providerName,
                                        EventPipeProviderCallback pCallback, EVENTPIPE_PROVIDER *pProvider);

    /* ICorProfilerInfo15 */
    HRESULT (*EnumerateGCHeapObjects)(ICorProfilerInfo15 *This, ObjectCallback callback, void *callbackState);
} ICorProfilerInfo15Vtbl;
struct ICorProfilerInfo15 {
    const ICorProfilerInfo15Vtbl *lpVtbl;
};

_Static_assert(sizeof(ICorProfilerInfo15Vtbl) == 115 * sizeof(void *), "Info15 has 115 slots");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetClassFromObject) == 3, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, SetEventMask) == 16, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetModuleMetaData) == 21, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetILToNativeMapping) == 35, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, DoStackSnapshot) == 36, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetFunctionInfo2) == 38, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetNotifiedExceptionClauseInfo) == 56, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, RequestProfilerDetach) == 58, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetStringLayout2) == 60, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, EnumThreads) == 71, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, SetEventMask2) == 82, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, GetFunctionFromIP3) == 88, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, EnumerateObjectReferences) == 93, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, SuspendRuntime) == 97, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, EventPipeStartSession) == 101, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, CreateHandle) == 108, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, EnumerateNonGCObjects) == 111, "slot");
_Static_assert(DRD_SLOT(ICorProfilerInfo15Vtbl, EnumerateGCHeapObjects) == 114, "slot");

_Static_assert(sizeof(ICorProfilerObjectEnumVtbl) == 8 * sizeof(void *), "enum has 8 slots");
_Static_assert(sizeof(ICorProfilerFunctionEnumVtbl) == 8 * sizeof(void *), "enum has 8 slots");
_Static_assert(sizeof(ICorProfilerModuleEnumVtbl) == 8 * sizeof(void *), "enum has 8 slots");
_Static_assert(sizeof(ICorProfilerThreadEnumVtbl) == 8 * sizeof(void *), "enum has 8 slots");
_Static_assert(sizeof(ICorProfilerMethodEnumVtbl) == 8 * sizeof(void *), "enum has 8 slots");
_Static_assert(sizeof(IMethodMallocVtbl) == 4 * sizeof(void *), "IMethodMalloc has 4 slots");
_Static_assert(sizeof(IClassFactoryVtbl) == 5 * sizeof(void *), "IClassFactory has 5 slots");

/* Struct layouts the runtime fills in (LP64). */
_Static_assert(sizeof(COR_PRF_FUNCTION) == 16, "layout");
_Static_assert(sizeof(COR_PRF_METHOD) == 16, "layout");
_Static_assert(sizeof(COR_PRF_CODE_INFO) == 16, "layout");
_Static_assert(sizeof(COR_PRF_GC_GENERATION_RANGE) == 32, "layout");
_Static_assert(sizeof(COR_PRF_EVENTPIPE_PROVIDER_CONFIG) == 32, "layout");
_Static_assert(sizeof(COR_FIELD_OFFSET) == 8, "layout");

/* ---- interface IDs (defined in clr/guids.c) ------------------------------------ */

extern const GUID IID_IUnknown;
extern const GUID IID_IClassFactory;

extern const GUID IID_ICorProfilerCallback;
extern const GUID IID_ICorProfilerCallback2;
extern const GUID IID_ICorProfilerCallback3;
extern const GUID IID_ICorProfilerCallback4;
extern const GUID IID_ICorProfilerCallback5;
extern const GUID IID_ICorProfilerCallback6;
extern const GUID IID_ICorProfilerCallback7;
extern const GUID IID_ICorProfilerCallback8;
extern const GUID IID_ICorProfilerCallback9;
extern const GUID IID_ICorProfilerCallback10;
extern const GUID IID_ICorProfilerCallback11;

extern const GUID IID_ICorProfilerInfo;
extern const GUID IID_ICorProfilerInfo2;
extern const GUID IID_ICorProfilerInfo3;
extern const GUID IID_ICorProfilerInfo4;
extern const GUID IID_ICorProfilerInfo5;
extern const GUID IID_ICorProfilerInfo6;
extern const GUID IID_ICorProfilerInfo7;
extern const GUID IID_ICorProfilerInfo8;
extern const GUID IID_ICorProfilerInfo9;
extern const GUID IID_ICorProfilerInfo10;
extern const GUID IID_ICorProfilerInfo11;
extern const GUID IID_ICorProfilerInfo12;
extern const GUID IID_ICorProfilerInfo13;
extern const GUID IID_ICorProfilerInfo14;
extern const GUID IID_ICorProfilerInfo15;

extern const GUID IID_ICorProfilerObjectEnum;
extern const GUID IID_ICorProfilerFunctionEnum;
extern const GUID IID_ICorProfilerModuleEnum;
extern const GUID IID_ICorProfilerThreadEnum;
extern const GUID IID_ICorProfilerMethodEnum;

extern const GUID IID_IMetaDataImport;
extern const GUID IID_IMetaDataImport2;

#endif /* DRD_CLR_CORPROF_H */
