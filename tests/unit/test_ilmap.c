/* Unit tests of the IL offset cache (src/profiler/ilmap.c) against a fake runtime: a method with a tier-0 body and
 * a tier-1 body whose code is split in a hot and a cold range; the map of each body asked once; an address outside
 * managed code; a body's memory reused by another function's code after it was freed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "profiler/ilmap.h"

#define FN_A 0x100
#define FN_B 0x200

static int reused;   /* the tier-0 body of A was freed and B's code now lies there */
static int asked;    /* GetNativeCodeStartAddresses calls */
static int mapped;   /* GetILToNativeMapping3 calls that filled a map */

static HRESULT fake_from_ip(ICorProfilerInfo15 *This, LPCBYTE ip, FunctionID *fn, ReJITID *rejit)
{
    (void)This;
    uintptr_t a = (uintptr_t)ip;
    *rejit = 0;
    if (a >= 0x10000 && a < 0x10100)
        *fn = reused ? FN_B : FN_A;
    else if ((a >= 0x20000 && a < 0x20080) || (a >= 0x30000 && a < 0x30020))
        *fn = FN_A;
    else
        return E_FAIL;
    return S_OK;
}

static HRESULT fake_starts(ICorProfilerInfo15 *This, FunctionID fn, ReJITID rejit, ULONG32 cap, ULONG32 *n,
                           UINT_PTR starts[])
{
    (void)This, (void)rejit;
    asked++;
    if (fn == FN_B) {
        *n = 1;
        if (cap >= 1)
            starts[0] = 0x10000;
        return S_OK;
    }
    *n = reused ? 1 : 2;
    if (cap >= 2) {
        starts[0] = 0x20000;
        starts[1] = 0x10000;
    }
    return S_OK;
}

static HRESULT fake_code_info(ICorProfilerInfo15 *This, UINT_PTR start, ULONG32 cap, ULONG32 *n,
                              COR_PRF_CODE_INFO infos[])
{
    (void)This;
    if (start == 0x20000) { /* tier 1: hot then cold */
        *n = 2;
        if (cap >= 2) {
            infos[0] = (COR_PRF_CODE_INFO){0x20000, 0x80};
            infos[1] = (COR_PRF_CODE_INFO){0x30000, 0x20};
        }
        return S_OK;
    }
    *n = 1;
    if (cap >= 1)
        infos[0] = (COR_PRF_CODE_INFO){0x10000, 0x100};
    return S_OK;
}

static HRESULT fake_map(ICorProfilerInfo15 *This, UINT_PTR start, ULONG32 cap, ULONG32 *n,
                        COR_DEBUG_IL_TO_NATIVE_MAP map[])
{
    (void)This;
    static const COR_DEBUG_IL_TO_NATIVE_MAP tier0[] = {
        {0xfffffffe, 0, 0x8}, {0, 0x8, 0x10}, {5, 0x10, 0x40}, {12, 0x40, 0x100}};
    static const COR_DEBUG_IL_TO_NATIVE_MAP tier1[] = {{5, 0, 0x30}, {12, 0x30, 0x80}, {20, 0x80, 0xa0}};
    static const COR_DEBUG_IL_TO_NATIVE_MAP other[] = {{7, 0, 0x100}};
    const COR_DEBUG_IL_TO_NATIVE_MAP *m = start == 0x20000 ? tier1 : reused ? other : tier0;
    ULONG32 len = start == 0x20000 ? 3 : reused ? 1 : 4;
    *n = len;
    if (cap >= len) {
        memcpy(map, m, len * sizeof *m);
        mapped++;
    }
    return S_OK;
}

static ICorProfilerInfo15Vtbl vtbl;
static ICorProfilerInfo15 info = {&vtbl};

static void offsets(void **state)
{
    (void)state;
    vtbl.GetFunctionFromIP3 = fake_from_ip;
    vtbl.GetNativeCodeStartAddresses = fake_starts;
    vtbl.GetCodeInfo4 = fake_code_info;
    vtbl.GetILToNativeMapping3 = fake_map;
    struct drd_ilmap *m = drd_ilmap_create(&info);
    assert_non_null(m);
    assert_int_equal(drd_ilmap_offset(m, 0x10020), 5); /* tier 0 */
    assert_int_equal(drd_ilmap_offset(m, 0x10050), 12);
    assert_int_equal(drd_ilmap_offset(m, 0x10004), -1); /* the prolog has no IL offset */
    assert_int_equal(drd_ilmap_offset(m, 0x2003f), 12); /* tier 1, hot */
    assert_int_equal(drd_ilmap_offset(m, 0x30010), 20); /* tier 1, cold: logical offset 0x90 */
    assert_int_equal(asked, 1);                          /* both bodies learned at the first address */
    assert_int_equal(mapped, 2);
    assert_int_equal(drd_ilmap_offset(m, 0x50000), -1); /* no managed code there */
    assert_int_equal(drd_ilmap_offset(m, 0), -1);
    reused = 1; /* A's tier-0 body freed, B's code at its address */
    assert_int_equal(drd_ilmap_offset(m, 0x10020), 7);
    assert_int_equal(drd_ilmap_offset(m, 0x2003f), 12); /* A's tier 1 learned again */
    drd_ilmap_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(offsets)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
