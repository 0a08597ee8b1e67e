/* Unit tests for the streaming JSON writer (src/common/jsonw.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "common/jsonw.h"

static void nested_document(void **state)
{
    (void)state;
    char buf[256];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "a");
    drd_jsonw_int(&w, 1);
    drd_jsonw_key(&w, "b");
    drd_jsonw_arr_begin(&w);
    drd_jsonw_bool(&w, 1);
    drd_jsonw_null(&w);
    drd_jsonw_str(&w, "x");
    drd_jsonw_arr_end(&w);
    drd_jsonw_key(&w, "c");
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "d");
    drd_jsonw_int(&w, -5);
    drd_jsonw_obj_end(&w);
    drd_jsonw_obj_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "{\"a\":1,\"b\":[true,null,\"x\"],\"c\":{\"d\":-5}}");
    assert_int_equal(w.len, strlen(buf));
}

static void scalars_and_empties(void **state)
{
    (void)state;
    char buf[256];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_arr_begin(&w);
    drd_jsonw_obj_begin(&w);
    drd_jsonw_obj_end(&w);
    drd_jsonw_arr_begin(&w);
    drd_jsonw_arr_end(&w);
    drd_jsonw_uint(&w, UINT64_MAX);
    drd_jsonw_int(&w, INT64_MIN);
    drd_jsonw_bool(&w, 0);
    drd_jsonw_double(&w, 1.5);
    drd_jsonw_str(&w, NULL);
    drd_jsonw_str(&w, "");
    drd_jsonw_arr_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "[{},[],18446744073709551615,-9223372036854775808,false,1.5,null,\"\"]");
}

/* Writes s as the only value of a document and compares the whole text. */
static void check_str(const char *s, size_t n, const char *want)
{
    char buf[256];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_strn(&w, s, n);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, want);
}

static void escaping(void **state)
{
    (void)state;
    check_str("a\"b", 3, "\"a\\\"b\"");
    check_str("a\\b", 3, "\"a\\\\b\"");
    check_str("a\nb", 3, "\"a\\nb\"");
    check_str("a\tb", 3, "\"a\\tb\"");
    check_str("a\rb", 3, "\"a\\rb\"");
    check_str("a\x01" "b", 3, "\"a\\u0001b\"");
    check_str("\x1f", 1, "\"\\u001f\"");
    check_str("a\0b", 3, "\"a\\u0000b\"");
    check_str("/", 1, "\"/\"");
    check_str("\x7f", 1, "\"\x7f\"");

    /* keys are escaped the same way */
    char buf[64];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "k\"\n");
    drd_jsonw_str(&w, "v");
    drd_jsonw_obj_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "{\"k\\\"\\n\":\"v\"}");
}

#define FFFD "\xef\xbf\xbd"

static void invalid_utf8(void **state)
{
    (void)state;
    check_str("a\xff" "b", 3, "\"a" FFFD "b\"");
    check_str("\xc3", 1, "\"" FFFD "\"");
    check_str("\xc3" "A", 2, "\"" FFFD "A\"");
    check_str("\xc0\x80", 2, "\"" FFFD FFFD "\"");
    check_str("\xc1\xbf", 2, "\"" FFFD FFFD "\"");
    check_str("\xe0\x80\x80", 3, "\"" FFFD FFFD FFFD "\"");
    check_str("\xed\xa0\x80", 3, "\"" FFFD FFFD FFFD "\"");
    check_str("\xed\xbf\xbf", 3, "\"" FFFD FFFD FFFD "\"");
    check_str("\xf4\x90\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\"");
    check_str("\xf5\x80\x80\x80", 4, "\"" FFFD FFFD FFFD FFFD "\"");
    check_str("\x80", 1, "\"" FFFD "\"");
    /* a sequence cut by the end of the given length */
    check_str("\xe2\x82\xac", 2, "\"" FFFD FFFD "\"");
}

static void valid_utf8(void **state)
{
    (void)state;
    check_str("\xc3\xa9", 2, "\"\xc3\xa9\"");
    check_str("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");
    check_str("\xf0\x9f\x98\x80", 4, "\"\xf0\x9f\x98\x80\"");
    check_str("\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf",
              24, "\"\xc2\x80\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
    char buf[64];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_str(&w, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
}

static void overflow(void **state)
{
    (void)state;
    char buf[16];
    memset(buf, 'Z', sizeof buf);
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, 10);
    drd_jsonw_arr_begin(&w);
    drd_jsonw_str(&w, "abcdefghijklmnop");
    drd_jsonw_arr_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), -1);
    assert_non_null(memchr(buf, 0, 10));
    assert_true(strlen(buf) < 10);
    for (size_t i = 10; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'Z');

    /* exactly full: 9 characters and the NUL fit in 10 bytes */
    memset(buf, 'Z', sizeof buf);
    drd_jsonw_init(&w, buf, 10);
    drd_jsonw_str(&w, "abcdefg");
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "\"abcdefg\"");
    assert_int_equal(buf[10], 'Z');
    /* one more does not */
    drd_jsonw_init(&w, buf, 10);
    drd_jsonw_str(&w, "abcdefgh");
    assert_int_equal(drd_jsonw_finish(&w), -1);
    assert_true(strlen(buf) < 10);

    /* a multi-byte character is never split at the end */
    memset(buf, 'Z', sizeof buf);
    drd_jsonw_init(&w, buf, 4);
    drd_jsonw_str(&w, "\xe2\x82\xac");
    assert_int_equal(drd_jsonw_finish(&w), -1);
    assert_string_equal(buf, "\"");

    /* a zero capacity is an overflow from the start and writes nothing */
    memset(buf, 'Z', sizeof buf);
    drd_jsonw_init(&w, buf, 0);
    drd_jsonw_null(&w);
    assert_int_equal(drd_jsonw_finish(&w), -1);
    assert_int_equal(buf[0], 'Z');
}

static void unbalanced(void **state)
{
    (void)state;
    char buf[64];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "a");
    drd_jsonw_int(&w, 1);
    assert_int_equal(drd_jsonw_finish(&w), -1);
    assert_string_equal(buf, "{\"a\":1");

    /* a close with nothing open */
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_arr_begin(&w);
    drd_jsonw_arr_end(&w);
    drd_jsonw_arr_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), -1);

    /* nesting deeper than DRD_JSONW_MAX_DEPTH */
    char big[256];
    drd_jsonw_init(&w, big, sizeof big);
    for (int i = 0; i < DRD_JSONW_MAX_DEPTH + 2; i++)
        drd_jsonw_arr_begin(&w);
    for (int i = 0; i < DRD_JSONW_MAX_DEPTH + 2; i++)
        drd_jsonw_arr_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), -1);

    /* DRD_JSONW_MAX_DEPTH - 1 levels are fine */
    drd_jsonw_init(&w, big, sizeof big);
    for (int i = 0; i < DRD_JSONW_MAX_DEPTH - 1; i++)
        drd_jsonw_arr_begin(&w);
    drd_jsonw_int(&w, 7);
    for (int i = 0; i < DRD_JSONW_MAX_DEPTH - 1; i++)
        drd_jsonw_arr_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_int_equal(strlen(big), 2 * (DRD_JSONW_MAX_DEPTH - 1) + 1);
    assert_int_equal(big[DRD_JSONW_MAX_DEPTH - 1], '7');
}

static void doubles(void **state)
{
    (void)state;
    char buf[128];
    struct drd_jsonw w;
    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_arr_begin(&w);
    drd_jsonw_double(&w, NAN);
    drd_jsonw_double(&w, INFINITY);
    drd_jsonw_double(&w, -INFINITY);
    drd_jsonw_double(&w, 0.25);
    drd_jsonw_double(&w, -3.0);
    drd_jsonw_arr_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "[null,null,null,0.25,-3]");

    drd_jsonw_init(&w, buf, sizeof buf);
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "ratio");
    drd_jsonw_double(&w, NAN);
    drd_jsonw_obj_end(&w);
    assert_int_equal(drd_jsonw_finish(&w), 0);
    assert_string_equal(buf, "{\"ratio\":null}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nested_document),
        cmocka_unit_test(scalars_and_empties),
        cmocka_unit_test(escaping),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(valid_utf8),
        cmocka_unit_test(overflow),
        cmocka_unit_test(unbalanced),
        cmocka_unit_test(doubles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
