/* Fuzz target: the web server's checks of request headers (Host, Origin, token, Authorization), of its own address and of
 * --allow-host names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzzutil.h"
#include "web/guard.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* header values reach the guard as C strings: cut at the first NUL, as libmicrohttpd hands them over */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;

    static struct drd_guard g;
    static int ready;
    if (!ready && drd_guard_init(&g, "192.168.1.20", 8080) == 0)
        ready = 1;
    if (!ready)
        abort();

    if (drd_guard_host_ok(&g, text)) {
        int known = 0;
        for (int i = 0; i < g.n_hosts; i++)
            known |= strcasecmp(text, g.hosts[i]) == 0;
        DRD_FUZZ_CHECK(known, "Host '%s' accepted", text);
    }
    if (drd_guard_origin_ok(&g, text))
        DRD_FUZZ_CHECK(strncasecmp(text, "http://", 7) == 0 && drd_guard_host_ok(&g, text + 7), "Origin '%s' accepted",
                       text);
    DRD_FUZZ_CHECK(drd_guard_token_ok(&g, text) == (strcmp(text, g.token) == 0), "token check of '%s'", text);
    /* serve --open's handoff body: the token right after "token=", then nothing or another field */
    if (drd_guard_handoff_ok(&g, text))
        DRD_FUZZ_CHECK(strncmp(text, "token=", 6) == 0 && strncmp(text + 6, g.token, DRD_GUARD_TOKEN_LEN) == 0 &&
                           strchr("&\r\n", text[6 + DRD_GUARD_TOKEN_LEN]),
                       "handoff body '%s' accepted", text);

    /* Bearer credentials are the tail of the header after the scheme, never empty */
    const char *bearer = drd_guard_bearer(text);
    if (bearer) {
        DRD_FUZZ_CHECK(bearer > text + 6 && bearer < text + size && *bearer && *bearer != ' ', "credentials of '%s'",
                       text);
        DRD_FUZZ_CHECK(strncasecmp(text, "Bearer ", 7) == 0, "Bearer credentials in '%s'", text);
    }

    /* the listening address comes from the command line: any text gives a well-formed guard */
    (void)drd_guard_addr_loopback(text);
    struct drd_guard other;
    if (drd_guard_init(&other, text, 65535) == 0) {
        DRD_FUZZ_CHECK(other.n_hosts >= 3 && other.n_hosts <= DRD_GUARD_MAX_HOSTS, "%d hosts", other.n_hosts);
        for (int i = 0; i < other.n_hosts; i++)
            DRD_FUZZ_CHECK(memchr(other.hosts[i], 0, sizeof other.hosts[i]) != NULL, "host %d not terminated", i);
    }

    /* an --allow-host name: accepted ones hold no separator of a Host header's port or of a header line */
    struct drd_guard named = g;
    int before = named.n_hosts;
    if (drd_guard_allow_host(&named, text) == 0) {
        DRD_FUZZ_CHECK(named.n_hosts <= before + 1 && named.n_allowed <= DRD_GUARD_MAX_ALLOWED, "%d hosts",
                       named.n_hosts);
        const char *last = named.hosts[named.n_hosts - 1];
        DRD_FUZZ_CHECK(strcspn(last, " /?#@\r\n\t") == strlen(last), "allowed host '%s'", last);
    } else {
        DRD_FUZZ_CHECK(named.n_hosts == before, "a refused name added a host");
    }
    free(text);
    return 0;
}
