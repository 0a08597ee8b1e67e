/* Unit tests for src/clr: UTF-16/UTF-8 conversion, GUIDs, HRESULTs and COM vtable layouts. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "clr/clr_types.h"
#include "clr/corprof.h"
#include "clr/hresult.h"
#include "clr/metadata.h"
#include "clr/utf16.h"

#define SENTINEL8 ((char)0x7F)
#define SENTINEL16 ((char16_t)0xABCD)

/* ---- UTF-16 -> UTF-8 --------------------------------------------------------- */

/* Converts `in` into a sentinel-filled 16-byte buffer of capacity cap and checks every byte. */
static void check_to_utf8(const char16_t *in, size_t n_units, size_t cap, int want_rc, const char *want,
                          size_t want_len)
{
    char out[16];
    size_t len = 12345;

    assert_true(cap <= sizeof(out));
    memset(out, SENTINEL8, sizeof(out));
    assert_int_equal(drd_utf16_to_utf8(in, n_units, out, cap, &len), want_rc);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[want_len], '\0');
    for (size_t i = want_len + 1; i < sizeof(out); i++)
        assert_int_equal(out[i], SENTINEL8);
}

static void to_utf8_ascii(void **state)
{
    (void)state;
    check_to_utf8(u"Hello", 5, 16, 0, "Hello", 5);
    check_to_utf8(u"", 0, 16, 0, "", 0);
    check_to_utf8(NULL, 0, 1, 0, "", 0);
}

static void to_utf8_two_byte(void **state)
{
    static const char16_t in[] = {0x00E9, 0x07FF, 0x0080};
    (void)state;
    check_to_utf8(in, 3, 16, 0, "\xC3\xA9\xDF\xBF\xC2\x80", 6);
}

static void to_utf8_three_byte(void **state)
{
    static const char16_t in[] = {0x20AC, 0x0800, 0xFFFF};
    (void)state;
    check_to_utf8(in, 3, 16, 0, "\xE2\x82\xAC\xE0\xA0\x80\xEF\xBF\xBF", 9);
}

static void to_utf8_four_byte(void **state)
{
    static const char16_t smile[] = {0xD83D, 0xDE00};
    static const char16_t max[] = {0xDBFF, 0xDFFF};
    static const char16_t min[] = {0xD800, 0xDC00};
    (void)state;
    check_to_utf8(smile, 2, 16, 0, "\xF0\x9F\x98\x80", 4);
    check_to_utf8(max, 2, 16, 0, "\xF4\x8F\xBF\xBF", 4);
    check_to_utf8(min, 2, 16, 0, "\xF0\x90\x80\x80", 4);
}

static void to_utf8_unpaired_surrogates(void **state)
{
    static const char16_t high_then_a[] = {0xD83D, 'A'};
    static const char16_t high_alone[] = {0xD83D};
    static const char16_t low_then_b[] = {0xDE00, 'B'};
    static const char16_t reversed[] = {0xDE00, 0xD83D};
    static const char16_t two_highs[] = {0xD83D, 0xD83D, 0xDE00};
    static const char16_t pair[] = {0xD83D, 0xDE00};
    (void)state;
    check_to_utf8(high_then_a, 2, 16, 0, "\xEF\xBF\xBD" "A", 4);
    check_to_utf8(high_alone, 1, 16, 0, "\xEF\xBF\xBD", 3);
    check_to_utf8(low_then_b, 2, 16, 0, "\xEF\xBF\xBD" "B", 4);
    check_to_utf8(reversed, 2, 16, 0, "\xEF\xBF\xBD\xEF\xBF\xBD", 6);
    check_to_utf8(two_highs, 3, 16, 0, "\xEF\xBF\xBD\xF0\x9F\x98\x80", 7);
    /* the low half lies beyond n_units: the high half is unpaired */
    check_to_utf8(pair, 1, 16, 0, "\xEF\xBF\xBD", 3);
}

static void to_utf8_stops_at_nul(void **state)
{
    static const char16_t in[] = {'a', 0, 'b'};
    static const char16_t high_nul[] = {0xD83D, 0, 0xDE00};
    (void)state;
    check_to_utf8(in, 3, 16, 0, "a", 1);
    check_to_utf8(high_nul, 3, 16, 0, "\xEF\xBF\xBD", 3);
}

static void to_utf8_exact_fit(void **state)
{
    static const char16_t euro[] = {0x20AC};
    static const char16_t smile[] = {0xD83D, 0xDE00};
    (void)state;
    check_to_utf8(u"abc", 3, 4, 0, "abc", 3);
    check_to_utf8(euro, 1, 4, 0, "\xE2\x82\xAC", 3);
    check_to_utf8(smile, 2, 5, 0, "\xF0\x9F\x98\x80", 4);
}

static void to_utf8_too_small(void **state)
{
    static const char16_t a_euro[] = {'a', 0x20AC};
    static const char16_t a_smile[] = {'a', 0xD83D, 0xDE00};
    char out[4];
    size_t len = 99;
    (void)state;

    /* no room for the NUL */
    check_to_utf8(u"abc", 3, 3, -1, "ab", 2);
    /* the euro sign would need 3 bytes + NUL: cut before it, never inside */
    check_to_utf8(a_euro, 2, 4, -1, "a", 1);
    check_to_utf8(a_euro, 2, 2, -1, "a", 1);
    check_to_utf8(a_smile, 3, 5, -1, "a", 1);
    check_to_utf8(a_smile, 3, 1, -1, "", 0);
    check_to_utf8(a_smile, 3, 6, 0, "a\xF0\x9F\x98\x80", 5);

    /* out_cap 0: nothing written at all */
    memset(out, SENTINEL8, sizeof(out));
    assert_int_equal(drd_utf16_to_utf8(u"x", 1, out, 0, &len), -1);
    assert_int_equal(len, 0);
    assert_int_equal(out[0], SENTINEL8);

    /* out_len is optional */
    assert_int_equal(drd_utf16_to_utf8(u"xy", 2, out, sizeof(out), NULL), 0);
    assert_memory_equal(out, "xy\0", 3);
}

/* ---- UTF-8 -> UTF-16 --------------------------------------------------------- */

/*
 * Converts `in` into a sentinel-filled 16-unit buffer of capacity cap, checks
 * every unit written, the NUL when it fits, and that nothing else was touched.
 */
static void check_to_utf16(const char *in, size_t in_len, size_t cap, int want_rc, const char16_t *want,
                           size_t want_units)
{
    char16_t out[16];
    size_t units = 12345;
    size_t untouched_from;

    assert_true(cap <= 16);
    for (size_t i = 0; i < 16; i++)
        out[i] = SENTINEL16;
    assert_int_equal(drd_utf8_to_utf16(in, in_len, out, cap, &units), want_rc);
    assert_int_equal(units, want_units);
    for (size_t i = 0; i < want_units; i++)
        assert_int_equal(out[i], want[i]);
    untouched_from = want_units;
    if (want_units < cap) {
        assert_int_equal(out[want_units], 0);
        untouched_from++;
    }
    for (size_t i = untouched_from; i < 16; i++)
        assert_int_equal(out[i], SENTINEL16);
}

static void to_utf16_ascii(void **state)
{
    (void)state;
    check_to_utf16("Hello", 5, 16, 0, u"Hello", 5);
    check_to_utf16("", 0, 16, 0, u"", 0);
    check_to_utf16(NULL, 0, 0, 0, u"", 0);
}

static void to_utf16_multibyte(void **state)
{
    static const char16_t two[] = {0x00E9, 0x07FF};
    static const char16_t three[] = {0x20AC, 0x0800, 0xFFFF};
    static const char16_t four[] = {0xD83D, 0xDE00, 0xDBFF, 0xDFFF};
    (void)state;
    check_to_utf16("\xC3\xA9\xDF\xBF", 4, 16, 0, two, 2);
    check_to_utf16("\xE2\x82\xAC\xE0\xA0\x80\xEF\xBF\xBF", 9, 16, 0, three, 3);
    check_to_utf16("\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF", 8, 16, 0, four, 4);
}

static void to_utf16_invalid(void **state)
{
    static const char16_t r1[] = {0xFFFD};
    static const char16_t r1a[] = {0xFFFD, 'A'};
    static const char16_t r2[] = {0xFFFD, 0xFFFD};
    static const char16_t r3[] = {0xFFFD, 0xFFFD, 0xFFFD};
    static const char16_t r4[] = {0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD};
    static const char16_t a_r_b[] = {'a', 0xFFFD, 'b'};
    (void)state;
    check_to_utf16("\xC3", 1, 16, 0, r1, 1);             /* lead byte, then end of input */
    check_to_utf16("\xC3" "A", 2, 16, 0, r1a, 2);        /* lead byte, then a non-continuation */
    check_to_utf16("\xFF", 1, 16, 0, r1, 1);             /* never valid */
    check_to_utf16("\xC0\x80", 2, 16, 0, r2, 2);         /* overlong NUL: two maximal subparts */
    check_to_utf16("\xE0\x80\x80", 3, 16, 0, r3, 3);     /* overlong 3-byte form */
    check_to_utf16("\xED\xA0\x80", 3, 16, 0, r3, 3);     /* encoded surrogate D800 */
    check_to_utf16("\xF4\x90\x80\x80", 4, 16, 0, r4, 4); /* above U+10FFFF */
    check_to_utf16("\x80", 1, 16, 0, r1, 1);             /* stray continuation */
    check_to_utf16("\xE2\x82", 2, 16, 0, r1, 1);         /* truncated 3-byte form: one U+FFFD */
    check_to_utf16("a\xE2\x82" "b", 4, 16, 0, a_r_b, 3);
    /* in_len cuts a valid sequence short */
    check_to_utf16("\xE2\x82\xAC", 2, 16, 0, r1, 1);
}

static void to_utf16_stops_at_nul(void **state)
{
    static const char16_t r1[] = {0xFFFD};
    (void)state;
    check_to_utf16("a\0b", 3, 16, 0, u"a", 1);
    /* a NUL inside a multibyte sequence ends it and the conversion */
    check_to_utf16("\xE2\0\xAC", 3, 16, 0, r1, 1);
}

static void to_utf16_exact_fit_and_too_small(void **state)
{
    static const char16_t a_smile[] = {'a', 0xD83D, 0xDE00};
    char16_t out[2] = {SENTINEL16, SENTINEL16};
    (void)state;

    /* exact fit without room for a NUL: success, no NUL written */
    check_to_utf16("abc", 3, 3, 0, u"abc", 3);
    check_to_utf16("a\xF0\x9F\x98\x80", 5, 3, 0, a_smile, 3);
    /* one more unit: the NUL is written */
    check_to_utf16("a\xF0\x9F\x98\x80", 5, 4, 0, a_smile, 3);
    /* too small: cut before the surrogate pair, never between its halves; NUL goes in the spare unit */
    check_to_utf16("a\xF0\x9F\x98\x80", 5, 2, -1, a_smile, 1);
    check_to_utf16("a\xF0\x9F\x98\x80", 5, 1, -1, a_smile, 1);
    check_to_utf16("abc", 3, 2, -1, u"ab", 2);
    check_to_utf16("abc", 3, 0, -1, u"", 0);

    /* out_units is optional */
    assert_int_equal(drd_utf8_to_utf16("x", 1, out, 2, NULL), 0);
    assert_int_equal(out[0], u'x');
    assert_int_equal(out[1], 0);
}

static void round_trip(void **state)
{
    static const char text[] = "Ns.Type`1<\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80>";
    char16_t u16[32];
    char back[64];
    size_t units = 0, len = 0;
    (void)state;

    assert_int_equal(drd_utf8_to_utf16(text, sizeof(text) - 1, u16, 32, &units), 0);
    assert_int_equal(units, 15);
    assert_int_equal(drd_u16_len(u16), 15);
    assert_int_equal(drd_utf16_to_utf8(u16, units, back, sizeof(back), &len), 0);
    assert_int_equal(len, sizeof(text) - 1);
    assert_memory_equal(back, text, sizeof(text));
}

static void u16_len(void **state)
{
    static const char16_t mid[] = {'a', 'b', 0, 'c', 0};
    (void)state;
    assert_int_equal(drd_u16_len(u"hello"), 5);
    assert_int_equal(drd_u16_len(u""), 0);
    assert_int_equal(drd_u16_len(mid), 2);
    assert_int_equal(drd_u16_len(NULL), 0);
}

/* ---- GUIDs and HRESULTs -------------------------------------------------------- */

static void guid_equality(void **state)
{
    const GUID copy = {0x42350846, 0xAAED, 0x47F7, {0xB1, 0x28, 0xFD, 0x0C, 0x98, 0x88, 0x1C, 0xDE}};
    GUID changed = copy;
    (void)state;

    assert_true(drd_guid_equal(&copy, &IID_ICorProfilerCallback11));
    assert_false(drd_guid_equal(&IID_ICorProfilerCallback10, &IID_ICorProfilerCallback11));
    assert_false(drd_guid_equal(&IID_IUnknown, &IID_IClassFactory));
    changed.Data4[7] ^= 1;
    assert_false(drd_guid_equal(&changed, &IID_ICorProfilerCallback11));
    assert_true(drd_guid_equal(&IID_IMetaDataImport, &IID_IMetaDataImport));
    assert_false(drd_guid_equal(&IID_IMetaDataImport, &IID_IMetaDataImport2));
}

static void guid_memory_layout(void **state)
{
    /* The in-memory bytes, as .NET Guid.ToByteArray() and the IPC protocol spell them. */
    static const uint8_t unknown[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46};
    static const uint8_t factory[16] = {1, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0x46};
    static const uint8_t cb11[16] = {0x46, 0x08, 0x35, 0x42, 0xED, 0xAA, 0xF7, 0x47,
                                     0xB1, 0x28, 0xFD, 0x0C, 0x98, 0x88, 0x1C, 0xDE};
    static const uint8_t info15[16] = {0x2D, 0x46, 0x46, 0xB4, 0x22, 0xBD, 0xDD, 0x41,
                                       0x87, 0x2D, 0xDC, 0x71, 0x4C, 0x49, 0xEB, 0x56};
    static const uint8_t mdi[16] = {0x07, 0x82, 0xAC, 0x7D, 0xAE, 0xD3, 0x75, 0x4C,
                                    0x9B, 0x67, 0x92, 0x80, 0x1A, 0x49, 0x7D, 0x44};
    (void)state;
    assert_memory_equal(&IID_IUnknown, unknown, 16);
    assert_memory_equal(&IID_IClassFactory, factory, 16);
    assert_memory_equal(&IID_ICorProfilerCallback11, cb11, 16);
    assert_memory_equal(&IID_ICorProfilerInfo15, info15, 16);
    assert_memory_equal(&IID_IMetaDataImport, mdi, 16);
}

static void hresults_and_masks(void **state)
{
    (void)state;
    assert_true(SUCCEEDED(S_OK));
    assert_true(SUCCEEDED(S_FALSE));
    assert_true(SUCCEEDED(CLDB_S_TRUNCATION));
    assert_true(FAILED(E_FAIL));
    assert_true(FAILED(CORPROF_E_PROFILER_CANCEL_ACTIVATION));
    assert_int_equal((uint32_t)E_NOINTERFACE, 0x80004002u);
    assert_int_equal((uint32_t)CLASS_E_CLASSNOTAVAILABLE, 0x80040111u);
    assert_int_equal((uint32_t)CORPROF_E_PROFILER_CANCEL_ACTIVATION, 0x80131375u);
    assert_int_equal((uint32_t)CORPROF_E_STACKSNAPSHOT_UNMANAGED_CTX, 0x8013135Fu);
    assert_int_equal((uint32_t)HRESULT_INSUFFICIENT_BUFFER, 0x8007007Au);
    assert_int_equal(COR_PRF_ALLOWABLE_AFTER_ATTACH, 0x100502FEu);
    assert_int_equal(COR_PRF_HIGH_ALLOWABLE_AFTER_ATTACH, 0xF6u);
    assert_int_equal(TypeFromToken(0x06001234u), mdtMethodDef);
    assert_int_equal(RidFromToken(0x06001234u), 0x1234u);
}

/* ---- vtable layouts -------------------------------------------------------------- */

static int thrown_calls;
static ObjectID thrown_last;

static HRESULT on_exception_thrown(ICorProfilerCallback11 *This, ObjectID thrown)
{
    (void)This;
    thrown_calls++;
    thrown_last = thrown;
    return S_OK;
}

static const ICorProfilerCallback11Vtbl partial_vtbl = {.ExceptionThrown = on_exception_thrown};

static void vtable_layouts(void **state)
{
    ICorProfilerCallback11 cb = {&partial_vtbl};
    HRESULT (*slot54)(ICorProfilerCallback11 *, ObjectID) = NULL;
    (void)state;

    assert_int_equal(sizeof(ICorProfilerCallback11Vtbl) / sizeof(void *), 98);
    assert_int_equal(sizeof(ICorProfilerInfo15Vtbl) / sizeof(void *), 115);
    assert_int_equal(sizeof(IMetaDataImport2Vtbl) / sizeof(void *), 73);
    assert_int_equal(sizeof(ICorProfilerThreadEnumVtbl) / sizeof(void *), 8);
    assert_int_equal(sizeof(IClassFactoryVtbl) / sizeof(void *), 5);

    assert_int_equal(DRD_SLOT(ICorProfilerCallback11Vtbl, ExceptionThrown), 54);
    assert_int_equal(DRD_SLOT(ICorProfilerCallback11Vtbl, InitializeForAttach), 80);
    assert_int_equal(DRD_SLOT(ICorProfilerInfo15Vtbl, DoStackSnapshot), 36);
    assert_int_equal(DRD_SLOT(ICorProfilerInfo15Vtbl, EnumerateGCHeapObjects), 114);
    assert_int_equal(DRD_SLOT(IMetaDataImport2Vtbl, GetMethodProps), 30);

    /* a designated initializer lands in the expected slot and the call goes through it */
    for (size_t i = 0; i < 98; i++) {
        uintptr_t raw;

        memcpy(&raw, (const char *)&partial_vtbl + i * sizeof(void *), sizeof(raw));
        if (i == 54)
            assert_true(raw != 0);
        else
            assert_true(raw == 0);
    }
    memcpy(&slot54, (const char *)&partial_vtbl + 54 * sizeof(void *), sizeof(slot54));
    assert_true(slot54 == on_exception_thrown);
    assert_int_equal(cb.lpVtbl->ExceptionThrown(&cb, 0x1234), S_OK);
    assert_int_equal(thrown_calls, 1);
    assert_int_equal(thrown_last, 0x1234);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(to_utf8_ascii),
        cmocka_unit_test(to_utf8_two_byte),
        cmocka_unit_test(to_utf8_three_byte),
        cmocka_unit_test(to_utf8_four_byte),
        cmocka_unit_test(to_utf8_unpaired_surrogates),
        cmocka_unit_test(to_utf8_stops_at_nul),
        cmocka_unit_test(to_utf8_exact_fit),
        cmocka_unit_test(to_utf8_too_small),
        cmocka_unit_test(to_utf16_ascii),
        cmocka_unit_test(to_utf16_multibyte),
        cmocka_unit_test(to_utf16_invalid),
        cmocka_unit_test(to_utf16_stops_at_nul),
        cmocka_unit_test(to_utf16_exact_fit_and_too_small),
        cmocka_unit_test(round_trip),
        cmocka_unit_test(u16_len),
        cmocka_unit_test(guid_equality),
        cmocka_unit_test(guid_memory_layout),
        cmocka_unit_test(hresults_and_masks),
        cmocka_unit_test(vtable_layouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
