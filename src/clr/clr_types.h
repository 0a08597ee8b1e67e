/* Windows/PAL scalar types, CLR ID types, metadata tokens and GUID, sized for Linux LP64 (x64, arm64). */
#ifndef DRD_CLR_TYPES_H
#define DRD_CLR_TYPES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <uchar.h>

/*
 * The PAL fixes these at 32 bits even though C `long` is 64 bits on LP64 Linux,
 * and WCHAR at 16 bits even though glibc's wchar_t is 32 bits. Never use
 * long, wchar_t, L"" or wcs* functions for CLR data.
 */
typedef int32_t HRESULT;
typedef uint32_t ULONG;
typedef uint32_t DWORD;
typedef uint32_t UINT;
typedef uint32_t ULONG32;
typedef int32_t LONG;
typedef int32_t LONG32;
typedef int BOOL;
typedef uint8_t BYTE;
typedef uint16_t USHORT;
typedef uint8_t UINT8;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64;
typedef int32_t INT32;
typedef int64_t INT64;

typedef char16_t WCHAR;
typedef WCHAR *LPWSTR;
typedef const WCHAR *LPCWSTR;

typedef uintptr_t SIZE_T;
typedef uintptr_t UINT_PTR;
typedef void *PVOID;
typedef void *HANDLE;
typedef BYTE *LPBYTE;
typedef const BYTE *LPCBYTE;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* Runtime object identities: opaque pointer-sized values handed out by the CLR. */
typedef UINT_PTR ProcessID;
typedef UINT_PTR AssemblyID;
typedef UINT_PTR AppDomainID;
typedef UINT_PTR ModuleID;
typedef UINT_PTR ClassID;
typedef UINT_PTR ThreadID;
typedef UINT_PTR ContextID;
typedef UINT_PTR FunctionID;
typedef UINT_PTR ObjectID;
typedef UINT_PTR GCHandleID;
typedef UINT_PTR ReJITID;
typedef UINT_PTR COR_PRF_ELT_INFO;
typedef UINT_PTR EVENTPIPE_PROVIDER;
typedef UINT_PTR EVENTPIPE_EVENT;
typedef UINT64 EVENTPIPE_SESSION;

/* Metadata tokens: table number in the top byte, row id in the low 24 bits. */
typedef uint32_t mdToken;
typedef mdToken mdModule;
typedef mdToken mdTypeRef;
typedef mdToken mdTypeDef;
typedef mdToken mdFieldDef;
typedef mdToken mdMethodDef;
typedef mdToken mdParamDef;
typedef mdToken mdInterfaceImpl;
typedef mdToken mdMemberRef;
typedef mdToken mdCustomAttribute;
typedef mdToken mdPermission;
typedef mdToken mdSignature;
typedef mdToken mdEvent;
typedef mdToken mdProperty;
typedef mdToken mdModuleRef;
typedef mdToken mdAssembly;
typedef mdToken mdAssemblyRef;
typedef mdToken mdFile;
typedef mdToken mdExportedType;
typedef mdToken mdManifestResource;
typedef mdToken mdTypeSpec;
typedef mdToken mdGenericParam;
typedef mdToken mdMethodSpec;
typedef mdToken mdGenericParamConstraint;
typedef mdToken mdString;

typedef BYTE COR_SIGNATURE;
typedef COR_SIGNATURE *PCOR_SIGNATURE;
typedef const COR_SIGNATURE *PCCOR_SIGNATURE;

/* Metadata enumeration cursor; owned by the metadata object, freed with CloseEnum. */
typedef void *HCORENUM;

/* A GUID as laid out in memory (Data1..3 in host byte order, i.e. little-endian here). */
typedef struct GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;

typedef GUID IID;
typedef GUID CLSID;
/* In C, the COM "reference" GUID parameters are plain pointers. */
typedef const GUID *REFIID;
typedef const GUID *REFCLSID;
typedef const GUID *REFGUID;
typedef const GUID *LPCGUID;

_Static_assert(sizeof(GUID) == 16, "GUID must be 16 bytes");
_Static_assert(sizeof(WCHAR) == 2, "WCHAR must be UTF-16 code units");
_Static_assert(sizeof(ULONG) == 4, "ULONG must be 32 bits");
_Static_assert(sizeof(DWORD) == 4, "DWORD must be 32 bits");
_Static_assert(sizeof(HRESULT) == 4, "HRESULT must be 32 bits");
_Static_assert(sizeof(BOOL) == 4, "BOOL must be 32 bits");
_Static_assert(sizeof(UINT_PTR) == sizeof(void *), "UINT_PTR must be pointer-sized");
_Static_assert(sizeof(SIZE_T) == sizeof(void *), "SIZE_T must be pointer-sized");
_Static_assert(sizeof(mdToken) == 4, "mdToken must be 32 bits");

/* Returns nonzero when both GUIDs hold the same 16 bytes. Neither pointer may be NULL. */
static inline int drd_guid_equal(const GUID *a, const GUID *b)
{
    return memcmp(a, b, sizeof(GUID)) == 0;
}

#endif /* DRD_CLR_TYPES_H */
