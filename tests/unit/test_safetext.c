/* Unit tests for the escaping of control characters in text from outside (src/common/safetext.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/safetext.h"

static void check(const char *in, const char *want)
{
    char *got = drd_safetext_dup(in);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(drd_safetext_escape(in, NULL, 0), strlen(want));
    assert_int_equal(drd_safetext_needed(in), strcmp(in, want) != 0);
    free(got);
}

static void terminal_sequences(void **state)
{
    (void)state;
    check("\x1b]0;owned\x07title", "\\x1b]0;owned\\x07title");
    check("a\x1b[2Jb", "a\\x1b[2Jb");
    check("line\nfake line\r\tx\x7f", "line\\x0afake line\\x0d\\x09x\\x7f");
    check("\xc2\x9b" "2J", "\\u009b2J"); /* C1 CSI as UTF-8 */
    check("\x9b" "2J", "\\x9b2J"); /* a lone C1 byte: not UTF-8 */
}

static void text_kept(void **state)
{
    (void)state;
    check("", "");
    check("dotnet /app/Api.dll --urls http://*:5000", "dotnet /app/Api.dll --urls http://*:5000");
    check("C:\\x1b is text", "C:\\x1b is text"); /* a backslash stays itself */
    check("Gr\xc3\xbc\xc3\x9f \xe6\x97\xa5 \xf0\x9f\x99\x82 \xc2\xa0", "Gr\xc3\xbc\xc3\x9f \xe6\x97\xa5 \xf0\x9f\x99\x82 \xc2\xa0");
    assert_int_equal(drd_safetext_needed(NULL), 0);
}

static void invalid_utf8(void **state)
{
    (void)state;
    check("\xc0\xaf", "\\xc0\\xaf"); /* overlong */
    check("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
    check("\xe6\x97", "\\xe6\\x97"); /* cut */
    check("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
}

static void bounded(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'z', sizeof buf);
    /* "ab\x1b" needs 6; with 5 bytes the escape does not fit and is left out whole */
    assert_int_equal(drd_safetext_escape("ab\x1b", buf, 5), 6);
    assert_string_equal(buf, "ab");
    assert_int_equal(drd_safetext_escape("ab\x1b", buf, 7), 6);
    assert_string_equal(buf, "ab\\x1b");
    assert_int_equal(drd_safetext_escape(NULL, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
    assert_int_equal(drd_safetext_escape("abc", buf, 1), 3);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(terminal_sequences),
        cmocka_unit_test(text_kept),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
