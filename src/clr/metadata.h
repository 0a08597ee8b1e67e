/* C declaration of IMetaDataImport/IMetaDataImport2 and the metadata tokens, flags and element types naming needs. */
#ifndef DRD_CLR_METADATA_H
#define DRD_CLR_METADATA_H

#include "clr/clr_types.h"
#include "clr/corprof.h"
#include "clr/hresult.h"

/* A UTF-8 string owned by the metadata heap (GetNameFromToken); valid while the import object lives. */
typedef const char *MDUTF8CSTR;
/* A constant's value blob in the metadata heap; may be unaligned. */
typedef const void *UVCP_CONSTANT;

/* ---- tokens ------------------------------------------------------------------- */

#define mdTokenNil ((mdToken)0)
#define mdTypeDefNil ((mdTypeDef)mdtTypeDef)
#define mdMethodDefNil ((mdMethodDef)mdtMethodDef)
#define TypeFromToken(tk) ((ULONG32)((tk) & 0xff000000u))
#define RidFromToken(tk) ((ULONG32)((tk) & 0x00ffffffu))
#define TokenFromRid(rid, tktype) ((mdToken)((rid) | (tktype)))
#define IsNilToken(tk) (RidFromToken(tk) == 0)

#define mdtModule 0x00000000u
#define mdtTypeRef 0x01000000u
#define mdtTypeDef 0x02000000u
#define mdtFieldDef 0x04000000u
#define mdtMethodDef 0x06000000u
#define mdtParamDef 0x08000000u
#define mdtInterfaceImpl 0x09000000u
#define mdtMemberRef 0x0a000000u
#define mdtCustomAttribute 0x0c000000u
#define mdtPermission 0x0e000000u
#define mdtSignature 0x11000000u
#define mdtEvent 0x14000000u
#define mdtProperty 0x17000000u
#define mdtMethodImpl 0x19000000u
#define mdtModuleRef 0x1a000000u
#define mdtTypeSpec 0x1b000000u
#define mdtAssembly 0x20000000u
#define mdtAssemblyRef 0x23000000u
#define mdtFile 0x26000000u
#define mdtExportedType 0x27000000u
#define mdtManifestResource 0x28000000u
#define mdtNestedClass 0x29000000u
#define mdtGenericParam 0x2a000000u
#define mdtMethodSpec 0x2b000000u
#define mdtGenericParamConstraint 0x2c000000u
#define mdtString 0x70000000u
#define mdtName 0x71000000u
#define mdtBaseType 0x72000000u

/* ---- flags ---------------------------------------------------------------------- */

/* GetModuleMetaData dwOpenFlags. */
#define ofRead 0x00000000u
#define ofWrite 0x00000001u
#define ofReadWriteMask 0x00000001u
#define ofReadOnly 0x00000010u

/* TypeDef visibility (GetTypeDefProps pdwTypeDefFlags & tdVisibilityMask); values >= tdNestedPublic are nested. */
#define tdVisibilityMask 0x00000007u
#define tdNotPublic 0x00000000u
#define tdPublic 0x00000001u
#define tdNestedPublic 0x00000002u
#define tdNestedPrivate 0x00000003u
#define tdNestedFamily 0x00000004u
#define tdNestedAssembly 0x00000005u
#define tdNestedFamANDAssem 0x00000006u
#define tdNestedFamORAssem 0x00000007u
#define IsTdNested(flags) (((flags) & tdVisibilityMask) >= tdNestedPublic)

/* Method attribute (GetMethodProps pdwAttr): static method. */
#define mdStatic 0x0010u

/* ---- element types (signature bytes; IsArrayClass's CorElementType) ------------ */

enum CorElementTypeValue {
    ELEMENT_TYPE_END = 0x00,
    ELEMENT_TYPE_VOID = 0x01,
    ELEMENT_TYPE_BOOLEAN = 0x02,
    ELEMENT_TYPE_CHAR = 0x03,
    ELEMENT_TYPE_I1 = 0x04,
    ELEMENT_TYPE_U1 = 0x05,
    ELEMENT_TYPE_I2 = 0x06,
    ELEMENT_TYPE_U2 = 0x07,
    ELEMENT_TYPE_I4 = 0x08,
    ELEMENT_TYPE_U4 = 0x09,
    ELEMENT_TYPE_I8 = 0x0a,
    ELEMENT_TYPE_U8 = 0x0b,
    ELEMENT_TYPE_R4 = 0x0c,
    ELEMENT_TYPE_R8 = 0x0d,
    ELEMENT_TYPE_STRING = 0x0e,
    ELEMENT_TYPE_PTR = 0x0f,
    ELEMENT_TYPE_BYREF = 0x10,
    ELEMENT_TYPE_VALUETYPE = 0x11,
    ELEMENT_TYPE_CLASS = 0x12,
    ELEMENT_TYPE_VAR = 0x13,
    ELEMENT_TYPE_ARRAY = 0x14,
    ELEMENT_TYPE_GENERICINST = 0x15,
    ELEMENT_TYPE_TYPEDBYREF = 0x16,
    ELEMENT_TYPE_I = 0x18,
    ELEMENT_TYPE_U = 0x19,
    ELEMENT_TYPE_FNPTR = 0x1b,
    ELEMENT_TYPE_OBJECT = 0x1c,
    ELEMENT_TYPE_SZARRAY = 0x1d,
    ELEMENT_TYPE_MVAR = 0x1e,
    ELEMENT_TYPE_CMOD_REQD = 0x1f,
    ELEMENT_TYPE_CMOD_OPT = 0x20,
    ELEMENT_TYPE_INTERNAL = 0x21,
    ELEMENT_TYPE_MAX = 0x22,
    ELEMENT_TYPE_MODIFIER = 0x40,
    ELEMENT_TYPE_SENTINEL = 0x41,
    ELEMENT_TYPE_PINNED = 0x45
};

/* ---- IMetaDataImport2 (IMetaDataImport is its first 65 slots) ------------------ */

/*
 * Name outputs (LPWSTR + cch + *pch) follow one rule: the caller owns the
 * buffer, *pch receives the length needed including the NUL, and a name that
 * did not fit is cut short with CLDB_S_TRUNCATION (a success code). Pointers
 * returned into metadata (signatures, blobs, UTF-8 names) stay owned by the
 * import object and are valid until it is released.
 */
typedef struct IMetaDataImport2 IMetaDataImport2;
typedef IMetaDataImport2 IMetaDataImport;

typedef struct IMetaDataImport2Vtbl {
    /* IUnknown */
    HRESULT (*QueryInterface)(IMetaDataImport2 *This, REFIID riid, void **ppvObject);
    ULONG (*AddRef)(IMetaDataImport2 *This);
    ULONG (*Release)(IMetaDataImport2 *This);

    /* IMetaDataImport */
    void (*CloseEnum)(IMetaDataImport2 *This, HCORENUM hEnum);
    HRESULT (*CountEnum)(IMetaDataImport2 *This, HCORENUM hEnum, ULONG *pulCount);
    HRESULT (*ResetEnum)(IMetaDataImport2 *This, HCORENUM hEnum, ULONG ulPos);
    HRESULT (*EnumTypeDefs)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef rTypeDefs[], ULONG cMax,
                            ULONG *pcTypeDefs);
    HRESULT (*EnumInterfaceImpls)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef td,
                                  mdInterfaceImpl rImpls[], ULONG cMax, ULONG *pcImpls);
    HRESULT (*EnumTypeRefs)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeRef rTypeRefs[], ULONG cMax,
                            ULONG *pcTypeRefs);
    HRESULT (*FindTypeDefByName)(IMetaDataImport2 *This, LPCWSTR szTypeDef, mdToken tkEnclosingClass,
                                 mdTypeDef *ptd);
    HRESULT (*GetScopeProps)(IMetaDataImport2 *This, LPWSTR szName, ULONG cchName, ULONG *pchName, GUID *pmvid);
    HRESULT (*GetModuleFromScope)(IMetaDataImport2 *This, mdModule *pmd);
    HRESULT (*GetTypeDefProps)(IMetaDataImport2 *This, mdTypeDef td, LPWSTR szTypeDef, ULONG cchTypeDef,
                               ULONG *pchTypeDef, DWORD *pdwTypeDefFlags, mdToken *ptkExtends);
    HRESULT (*GetInterfaceImplProps)(IMetaDataImport2 *This, mdInterfaceImpl iiImpl, mdTypeDef *pClass,
                                     mdToken *ptkIface);
    HRESULT (*GetTypeRefProps)(IMetaDataImport2 *This, mdTypeRef tr, mdToken *ptkResolutionScope, LPWSTR szName,
                               ULONG cchName, ULONG *pchName);
    HRESULT (*ResolveTypeRef)(IMetaDataImport2 *This, mdTypeRef tr, REFIID riid, IUnknown **ppIScope,
                              mdTypeDef *ptd);
    HRESULT (*EnumMembers)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef cl, mdToken rMembers[], ULONG cMax,
                           ULONG *pcTokens);
    HRESULT (*EnumMembersWithName)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef cl, LPCWSTR szName,
                                   mdToken rMembers[], ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumMethods)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef cl, mdMethodDef rMethods[],
                           ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumMethodsWithName)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef cl, LPCWSTR szName,
                                   mdMethodDef rMethods[], ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumFields)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef cl, mdFieldDef rFields[], ULONG cMax,
                          ULONG *pcTokens);
    HRESULT (*EnumFieldsWithName)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef cl, LPCWSTR szName,
                                  mdFieldDef rFields[], ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumParams)(IMetaDataImport2 *This, HCORENUM *phEnum, mdMethodDef mb, mdParamDef rParams[],
                          ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumMemberRefs)(IMetaDataImport2 *This, HCORENUM *phEnum, mdToken tkParent,
                              mdMemberRef rMemberRefs[], ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumMethodImpls)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef td, mdToken rMethodBody[],
                               mdToken rMethodDecl[], ULONG cMax, ULONG *pcTokens);
    HRESULT (*EnumPermissionSets)(IMetaDataImport2 *This, HCORENUM *phEnum, mdToken tk, DWORD dwActions,
                                  mdPermission rPermission[], ULONG cMax, ULONG *pcTokens);
    HRESULT (*FindMember)(IMetaDataImport2 *This, mdTypeDef td, LPCWSTR szName, PCCOR_SIGNATURE pvSigBlob,
                          ULONG cbSigBlob, mdToken *pmb);
    HRESULT (*FindMethod)(IMetaDataImport2 *This, mdTypeDef td, LPCWSTR szName, PCCOR_SIGNATURE pvSigBlob,
                          ULONG cbSigBlob, mdMethodDef *pmb);
    HRESULT (*FindField)(IMetaDataImport2 *This, mdTypeDef td, LPCWSTR szName, PCCOR_SIGNATURE pvSigBlob,
                         ULONG cbSigBlob, mdFieldDef *pmb);
    HRESULT (*FindMemberRef)(IMetaDataImport2 *This, mdTypeRef td, LPCWSTR szName, PCCOR_SIGNATURE pvSigBlob,
                             ULONG cbSigBlob, mdMemberRef *pmr);
    HRESULT (*GetMethodProps)(IMetaDataImport2 *This, mdMethodDef mb, mdTypeDef *pClass, LPWSTR szMethod,
                              ULONG cchMethod, ULONG *pchMethod, DWORD *pdwAttr, PCCOR_SIGNATURE *ppvSigBlob,
                              ULONG *pcbSigBlob, ULONG *pulCodeRVA, DWORD *pdwImplFlags);
    HRESULT (*GetMemberRefProps)(IMetaDataImport2 *This, mdMemberRef mr, mdToken *ptk, LPWSTR szMember,
                                 ULONG cchMember, ULONG *pchMember, PCCOR_SIGNATURE *ppvSigBlob, ULONG *pbSig);
    HRESULT (*EnumProperties)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef td, mdProperty rProperties[],
                              ULONG cMax, ULONG *pcProperties);
    HRESULT (*EnumEvents)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeDef td, mdEvent rEvents[], ULONG cMax,
                          ULONG *pcEvents);
    /* szEvent is declared const in cor.h although the method writes the name into it. */
    HRESULT (*GetEventProps)(IMetaDataImport2 *This, mdEvent ev, mdTypeDef *pClass, LPCWSTR szEvent,
                             ULONG cchEvent, ULONG *pchEvent, DWORD *pdwEventFlags, mdToken *ptkEventType,
                             mdMethodDef *pmdAddOn, mdMethodDef *pmdRemoveOn, mdMethodDef *pmdFire,
                             mdMethodDef rmdOtherMethod[], ULONG cMax, ULONG *pcOtherMethod);
    HRESULT (*EnumMethodSemantics)(IMetaDataImport2 *This, HCORENUM *phEnum, mdMethodDef mb, mdToken rEventProp[],
                                   ULONG cMax, ULONG *pcEventProp);
    HRESULT (*GetMethodSemantics)(IMetaDataImport2 *This, mdMethodDef mb, mdToken tkEventProp,
                                  DWORD *pdwSemanticsFlags);
    HRESULT (*GetClassLayout)(IMetaDataImport2 *This, mdTypeDef td, DWORD *pdwPackSize,
                              COR_FIELD_OFFSET rFieldOffset[], ULONG cMax, ULONG *pcFieldOffset,
                              ULONG *pulClassSize);
    HRESULT (*GetFieldMarshal)(IMetaDataImport2 *This, mdToken tk, PCCOR_SIGNATURE *ppvNativeType,
                               ULONG *pcbNativeType);
    HRESULT (*GetRVA)(IMetaDataImport2 *This, mdToken tk, ULONG *pulCodeRVA, DWORD *pdwImplFlags);
    HRESULT (*GetPermissionSetProps)(IMetaDataImport2 *This, mdPermission pm, DWORD *pdwAction,
                                     const void **ppvPermission, ULONG *pcbPermission);
    HRESULT (*GetSigFromToken)(IMetaDataImport2 *This, mdSignature mdSig, PCCOR_SIGNATURE *ppvSig, ULONG *pcbSig);
    HRESULT (*GetModuleRefProps)(IMetaDataImport2 *This, mdModuleRef mur, LPWSTR szName, ULONG cchName,
                                 ULONG *pchName);
    HRESULT (*EnumModuleRefs)(IMetaDataImport2 *This, HCORENUM *phEnum, mdModuleRef rModuleRefs[], ULONG cMax,
                              ULONG *pcModuleRefs);
    HRESULT (*GetTypeSpecFromToken)(IMetaDataImport2 *This, mdTypeSpec typespec, PCCOR_SIGNATURE *ppvSig,
                                    ULONG *pcbSig);
    HRESULT (*GetNameFromToken)(IMetaDataImport2 *This, mdToken tk, MDUTF8CSTR *pszUtf8NamePtr);
    HRESULT (*EnumUnresolvedMethods)(IMetaDataImport2 *This, HCORENUM *phEnum, mdToken rMethods[], ULONG cMax,
                                     ULONG *pcTokens);
    HRESULT (*GetUserString)(IMetaDataImport2 *This, mdString stk, LPWSTR szString, ULONG cchString,
                             ULONG *pchString);
    HRESULT (*GetPinvokeMap)(IMetaDataImport2 *This, mdToken tk, DWORD *pdwMappingFlags, LPWSTR szImportName,
                             ULONG cchImportName, ULONG *pchImportName, mdModuleRef *pmrImportDLL);
    HRESULT (*EnumSignatures)(IMetaDataImport2 *This, HCORENUM *phEnum, mdSignature rSignatures[], ULONG cMax,
                              ULONG *pcSignatures);
    HRESULT (*EnumTypeSpecs)(IMetaDataImport2 *This, HCORENUM *phEnum, mdTypeSpec rTypeSpecs[], ULONG cMax,
                             ULONG *pcTypeSpecs);
    HRESULT (*EnumUserStrings)(IMetaDataImport2 *This, HCORENUM *phEnum, mdString rStrings[], ULONG cMax,
                               ULONG *pcStrings);
    HRESULT (*GetParamForMethodIndex)(IMetaDataImport2 *This, mdMethodDef md, ULONG ulParamSeq, mdParamDef *ppd);
    HRESULT (*EnumCustomAttributes)(IMetaDataImport2 *This, HCORENUM *phEnum, mdToken tk, mdToken tkType,
                                    mdCustomAttribute rCustomAttributes[], ULONG cMax, ULONG *pcCustomAttributes);
    HRESULT (*GetCustomAttributeProps)(IMetaDataImport2 *This, mdCustomAttribute cv, mdToken *ptkObj,
                                       mdToken *ptkType, const void **ppBlob, ULONG *pcbSize);
    HRESULT (*FindTypeRef)(IMetaDataImport2 *This, mdToken tkResolutionScope, LPCWSTR szName, mdTypeRef *ptr);
    HRESULT (*GetMemberProps)(IMetaDataImport2 *This, mdToken mb, mdTypeDef *pClass, LPWSTR szMember,
                              ULONG cchMember, ULONG *pchMember, DWORD *pdwAttr, PCCOR_SIGNATURE *ppvSigBlob,
                              ULONG *pcbSigBlob, ULONG *pulCodeRVA, DWORD *pdwImplFlags, DWORD *pdwCPlusTypeFlag,
                              UVCP_CONSTANT *ppValue, ULONG *pcchValue);
    HRESULT (*GetFieldProps)(IMetaDataImport2 *This, mdFieldDef mb, mdTypeDef *pClass, LPWSTR szField,
                             ULONG cchField, ULONG *pchField, DWORD *pdwAttr, PCCOR_SIGNATURE *ppvSigBlob,
                             ULONG *pcbSigBlob, DWORD *pdwCPlusTypeFlag, UVCP_CONSTANT *ppValue,
                             ULONG *pcchValue);
    /* szProperty is declared const in cor.h although the method writes the name into it. */
    HRESULT (*GetPropertyProps)(IMetaDataImport2 *This, mdProperty prop, mdTypeDef *pClass, LPCWSTR szProperty,
                                ULONG cchProperty, ULONG *pchProperty, DWORD *pdwPropFlags, PCCOR_SIGNATURE *ppvSig,
                                ULONG *pbSig, DWORD *pdwCPlusTypeFlag, UVCP_CONSTANT *ppDefaultValue,
                                ULONG *pcchDefaultValue, mdMethodDef *pmdSetter, mdMethodDef *pmdGetter,
                                mdMethodDef rmdOtherMethod[], ULONG cMax, ULONG *pcOtherMethod);
    HRESULT (*GetParamProps)(IMetaDataImport2 *This, mdParamDef tk, mdMethodDef *pmd, ULONG *pulSequence,
                             LPWSTR szName, ULONG cchName, ULONG *pchName, DWORD *pdwAttr, DWORD *pdwCPlusTypeFlag,
                             UVCP_CONSTANT *ppValue, ULONG *pcchValue);
    HRESULT (*GetCustomAttributeByName)(IMetaDataImport2 *This, mdToken tkObj, LPCWSTR szName, const void **ppData,
                                        ULONG *pcbData);
    BOOL (*IsValidToken)(IMetaDataImport2 *This, mdToken tk);
    HRESULT (*GetNestedClassProps)(IMetaDataImport2 *This, mdTypeDef tdNestedClass, mdTypeDef *ptdEnclosingClass);
    HRESULT (*GetNativeCallConvFromSig)(IMetaDataImport2 *This, const void *pvSig, ULONG cbSig, ULONG *pCallConv);
    HRESULT (*IsGlobal)(IMetaDataImport2 *This, mdToken pd, int *pbGlobal);

    /* IMetaDataImport2 */
    HRESULT (*EnumGenericParams)(IMetaDataImport2 *This, HCORENUM *phEnum, mdToken tk, mdGenericParam rGenericParams[],
                                 ULONG cMax, ULONG *pcGenericParams);
    HRESULT (*GetGenericParamProps)(IMetaDataImport2 *This, mdGenericParam gp, ULONG *pulParamSeq,
                                    DWORD *pdwParamFlags, mdToken *ptOwner, DWORD *reserved, LPWSTR wzname,
                                    ULONG cchName, ULONG *pchName);
    HRESULT (*GetMethodSpecProps)(IMetaDataImport2 *This, mdMethodSpec mi, mdToken *tkParent,
                                  PCCOR_SIGNATURE *ppvSigBlob, ULONG *pcbSigBlob);
    HRESULT (*EnumGenericParamConstraints)(IMetaDataImport2 *This, HCORENUM *phEnum, mdGenericParam tk,
                                           mdGenericParamConstraint rGenericParamConstraints[], ULONG cMax,
                                           ULONG *pcGenericParamConstraints);
    HRESULT (*GetGenericParamConstraintProps)(IMetaDataImport2 *This, mdGenericParamConstraint gpc,
                                              mdGenericParam *ptGenericParam, mdToken *ptkConstraintType);
    HRESULT (*GetPEKind)(IMetaDataImport2 *This, DWORD *pdwPEKind, DWORD *pdwMachine);
    HRESULT (*GetVersionString)(IMetaDataImport2 *This, LPWSTR pwzBuf, DWORD ccBufSize, DWORD *pccBufSize);
    HRESULT (*EnumMethodSpecs)(IMetaDataImport2 *This, HCORENUM *phEnum, mdToken tk, mdMethodSpec rMethodSpecs[],
                               ULONG cMax, ULONG *pcMethodSpecs);
} IMetaDataImport2Vtbl;
typedef IMetaDataImport2Vtbl IMetaDataImportVtbl;

struct IMetaDataImport2 {
    const IMetaDataImport2Vtbl *lpVtbl;
};

_Static_assert(sizeof(IMetaDataImport2Vtbl) == 73 * sizeof(void *), "IMetaDataImport2 has 73 slots");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, CloseEnum) == 3, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, GetTypeDefProps) == 12, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, EnumFields) == 20, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, GetMethodProps) == 30, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, GetClassLayout) == 37, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, GetNameFromToken) == 45, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, GetFieldProps) == 57, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, IsValidToken) == 61, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, GetNestedClassProps) == 62, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, IsGlobal) == 64, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, EnumGenericParams) == 65, "slot");
_Static_assert(DRD_SLOT(IMetaDataImport2Vtbl, EnumMethodSpecs) == 72, "slot");

#endif /* DRD_CLR_METADATA_H */
