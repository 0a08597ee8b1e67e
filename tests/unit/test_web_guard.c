/* Unit tests for the web server's gatekeeping (src/web/guard.c): token, its Bearer header, Host, Origin,
 * --allow-host names. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "web/guard.h"

static void token_is_fresh_hex(void **state)
{
    (void)state;
    struct drd_guard a, b;
    assert_int_equal(drd_guard_init(&a, "127.0.0.1", 7878), 0);
    assert_int_equal(drd_guard_init(&b, "127.0.0.1", 7878), 0);
    assert_int_equal(strlen(a.token), DRD_GUARD_TOKEN_LEN);
    assert_int_equal(strspn(a.token, "0123456789abcdef"), DRD_GUARD_TOKEN_LEN);
    assert_string_not_equal(a.token, b.token);
    assert_true(drd_guard_token_ok(&a, a.token));
    assert_false(drd_guard_token_ok(&a, b.token));
    assert_false(drd_guard_token_ok(&a, NULL));
    assert_false(drd_guard_token_ok(&a, ""));
    char longer[DRD_GUARD_TOKEN_LEN + 2];
    snprintf(longer, sizeof longer, "%sx", a.token);
    assert_false(drd_guard_token_ok(&a, longer));
    char shorter[DRD_GUARD_TOKEN_LEN];
    memcpy(shorter, a.token, sizeof shorter - 1);
    shorter[sizeof shorter - 1] = 0;
    assert_false(drd_guard_token_ok(&a, shorter));
}

static void host_exact_loopback_names(void **state)
{
    (void)state;
    struct drd_guard g;
    assert_int_equal(drd_guard_init(&g, "127.0.0.1", 7878), 0);
    assert_true(drd_guard_host_ok(&g, "127.0.0.1:7878"));
    assert_true(drd_guard_host_ok(&g, "localhost:7878"));
    assert_true(drd_guard_host_ok(&g, "LOCALHOST:7878"));
    assert_true(drd_guard_host_ok(&g, "[::1]:7878"));
    assert_false(drd_guard_host_ok(&g, NULL));
    assert_false(drd_guard_host_ok(&g, ""));
    assert_false(drd_guard_host_ok(&g, "localhost"));
    assert_false(drd_guard_host_ok(&g, "127.0.0.1"));
    assert_false(drd_guard_host_ok(&g, "127.0.0.1:7879"));
    assert_false(drd_guard_host_ok(&g, "127.0.0.1:78780"));
    assert_false(drd_guard_host_ok(&g, "evil.example:7878"));
    assert_false(drd_guard_host_ok(&g, "localhost.evil.example:7878"));
    assert_false(drd_guard_host_ok(&g, "127.0.0.1:7878.evil.example"));
    assert_false(drd_guard_host_ok(&g, "127.0.0.2:7878"));
}

static void host_of_a_named_address(void **state)
{
    (void)state;
    struct drd_guard g;
    assert_int_equal(drd_guard_init(&g, "192.0.2.7", 80), 0);
    assert_true(drd_guard_host_ok(&g, "192.0.2.7:80"));
    assert_true(drd_guard_host_ok(&g, "localhost:80"));
    assert_int_equal(drd_guard_init(&g, "2001:db8::1", 80), 0);
    assert_true(drd_guard_host_ok(&g, "[2001:db8::1]:80"));
    /* a wildcard names no host: only the loopback names pass */
    assert_int_equal(drd_guard_init(&g, "0.0.0.0", 80), 0);
    assert_false(drd_guard_host_ok(&g, "0.0.0.0:80"));
    assert_int_equal(g.n_hosts, 3);
}

static void allowed_host_names(void **state)
{
    (void)state;
    struct drd_guard g;
    assert_int_equal(drd_guard_init(&g, "0.0.0.0", 8080), 0);
    assert_false(drd_guard_host_ok(&g, "build-box.example:8080"));
    assert_int_equal(drd_guard_allow_host(&g, "build-box.example"), 0);
    assert_int_equal(drd_guard_allow_host(&g, "192.0.2.7"), 0);
    assert_int_equal(drd_guard_allow_host(&g, "2001:db8::7"), 0);
    assert_int_equal(drd_guard_allow_host(&g, "[2001:db8::8]"), 0);
    assert_true(drd_guard_host_ok(&g, "build-box.example:8080"));
    assert_true(drd_guard_host_ok(&g, "BUILD-BOX.example:8080"));
    assert_true(drd_guard_host_ok(&g, "192.0.2.7:8080"));
    assert_true(drd_guard_host_ok(&g, "[2001:db8::7]:8080"));
    assert_true(drd_guard_host_ok(&g, "[2001:db8::8]:8080"));
    assert_true(drd_guard_origin_ok(&g, "http://build-box.example:8080"));
    assert_true(drd_guard_host_ok(&g, "127.0.0.1:8080"));
    /* the name, at the server's port only */
    assert_false(drd_guard_host_ok(&g, "build-box.example"));
    assert_false(drd_guard_host_ok(&g, "build-box.example:80"));
    assert_false(drd_guard_host_ok(&g, "evil.build-box.example:8080"));
    assert_false(drd_guard_host_ok(&g, "build-box.example.evil:8080"));
    /* the same name twice takes one place */
    int n = g.n_hosts;
    assert_int_equal(drd_guard_allow_host(&g, "build-box.example"), 0);
    assert_int_equal(drd_guard_allow_host(&g, "localhost"), 0);
    assert_int_equal(g.n_hosts, n);
}

static void allowed_host_refusals(void **state)
{
    (void)state;
    struct drd_guard g;
    char longest[DRD_GUARD_MAX_NAME + 2];
    static const char *bad[] = {"", "build-box:8080", "http://build-box", "build-box/", "a b", "*", "*.example",
                                "-box", "box-", "a..b", ".a", "a.", "0.0.0.0", "::", "[::]", "[box]", "[1.2.3.4]",
                                "[::1", "box\r\nX-Evil: 1", "b\u00e9b\u00e9"};
    assert_int_equal(drd_guard_init(&g, "127.0.0.1", 8080), 0);
    int n = g.n_hosts;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        assert_int_equal(drd_guard_allow_host(&g, bad[i]), -1);
        assert_int_equal(errno, EINVAL);
    }
    assert_int_equal(drd_guard_allow_host(&g, NULL), -1);
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = 0;
    assert_int_equal(drd_guard_allow_host(&g, longest), -1);
    assert_int_equal(g.n_hosts, n);
    /* at most DRD_GUARD_MAX_ALLOWED names */
    for (int i = 0; i < DRD_GUARD_MAX_ALLOWED; i++) {
        char name[32];
        snprintf(name, sizeof name, "host%d.example", i);
        assert_int_equal(drd_guard_allow_host(&g, name), 0);
    }
    errno = 0;
    assert_int_equal(drd_guard_allow_host(&g, "one-more.example"), -1);
    assert_int_equal(errno, ENOSPC);
    assert_true(drd_guard_host_ok(&g, "host7.example:8080"));
}

static void origin_is_the_page(void **state)
{
    (void)state;
    struct drd_guard g;
    assert_int_equal(drd_guard_init(&g, "127.0.0.1", 41000), 0);
    assert_true(drd_guard_origin_ok(&g, "http://127.0.0.1:41000"));
    assert_true(drd_guard_origin_ok(&g, "http://localhost:41000"));
    assert_false(drd_guard_origin_ok(&g, NULL));
    assert_false(drd_guard_origin_ok(&g, "null"));
    assert_false(drd_guard_origin_ok(&g, "https://127.0.0.1:41000"));
    assert_false(drd_guard_origin_ok(&g, "http://127.0.0.1:41001"));
    assert_false(drd_guard_origin_ok(&g, "http://evil.example"));
    assert_false(drd_guard_origin_ok(&g, "http://127.0.0.1:41000/"));
    assert_false(drd_guard_origin_ok(&g, "http://127.0.0.1:41000.evil.example"));
}

static void bearer_credentials(void **state)
{
    (void)state;
    assert_string_equal(drd_guard_bearer("Bearer abc"), "abc");
    assert_string_equal(drd_guard_bearer("bearer abc"), "abc");
    assert_string_equal(drd_guard_bearer("BEARER   abc"), "abc");
    /* no credentials, another scheme, or no scheme at all */
    assert_null(drd_guard_bearer(NULL));
    assert_null(drd_guard_bearer(""));
    assert_null(drd_guard_bearer("Bearer"));
    assert_null(drd_guard_bearer("Bearer "));
    assert_null(drd_guard_bearer("Bearer    "));
    assert_null(drd_guard_bearer("Basic YWxhZGRpbjpvcGVuc2VzYW1l"));
    assert_null(drd_guard_bearer("Bearerabc"));
    assert_null(drd_guard_bearer("abc"));
    /* what follows the scheme is checked as a whole by drd_guard_token_ok: trailing text makes it wrong */
    struct drd_guard g;
    char header[DRD_GUARD_TOKEN_LEN + 16];
    assert_int_equal(drd_guard_init(&g, "127.0.0.1", 5000), 0);
    snprintf(header, sizeof header, "Bearer %s", g.token);
    assert_true(drd_guard_token_ok(&g, drd_guard_bearer(header)));
    snprintf(header, sizeof header, "Bearer %s x", g.token);
    assert_false(drd_guard_token_ok(&g, drd_guard_bearer(header)));
}

static void loopback_addresses(void **state)
{
    (void)state;
    assert_true(drd_guard_addr_loopback("127.0.0.1"));
    assert_true(drd_guard_addr_loopback("127.1.2.3"));
    assert_true(drd_guard_addr_loopback("::1"));
    assert_true(drd_guard_addr_loopback("::ffff:127.0.0.1"));
    assert_false(drd_guard_addr_loopback("0.0.0.0"));
    assert_false(drd_guard_addr_loopback("::"));
    assert_false(drd_guard_addr_loopback("192.168.1.5"));
    assert_false(drd_guard_addr_loopback("localhost"));
    assert_false(drd_guard_addr_loopback(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_is_fresh_hex),         cmocka_unit_test(host_exact_loopback_names),
        cmocka_unit_test(host_of_a_named_address),    cmocka_unit_test(origin_is_the_page),
        cmocka_unit_test(bearer_credentials),  cmocka_unit_test(loopback_addresses),
        cmocka_unit_test(allowed_host_names),         cmocka_unit_test(allowed_host_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
