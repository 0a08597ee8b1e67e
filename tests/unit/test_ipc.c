/* Unit tests for src/diag/ipc.c (diagnostics IPC wire format) and src/common/guid.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/guid.h"
#include "diag/ipc.h"

/* ---- helpers ------------------------------------------------------------------ */

/* A little-endian byte writer for hand-built payloads. */
struct bw {
    uint8_t b[32768];
    size_t n;
};

static void bw_u8(struct bw *w, uint8_t v)
{
    assert_true(w->n < sizeof w->b);
    w->b[w->n++] = v;
}

static void bw_u16(struct bw *w, uint16_t v)
{
    bw_u8(w, (uint8_t)(v & 0xff));
    bw_u8(w, (uint8_t)(v >> 8));
}

static void bw_u32(struct bw *w, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        bw_u8(w, (uint8_t)(v >> (8 * i)));
}

static void bw_u64(struct bw *w, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        bw_u8(w, (uint8_t)(v >> (8 * i)));
}

static void bw_bytes(struct bw *w, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bw_u8(w, p[i]);
}

/* An IPC string from ASCII text: u32 count including the NUL, then UTF-16LE units and the NUL unit. */
static void bw_str(struct bw *w, const char *ascii)
{
    size_t n = strlen(ascii);
    bw_u32(w, (uint32_t)(n + 1));
    for (size_t i = 0; i < n; i++)
        bw_u16(w, (uint8_t)ascii[i]);
    bw_u16(w, 0);
}

/* An IPC string from UTF-16 units (no NUL in units); the NUL unit is added. */
static void bw_str16(struct bw *w, const uint16_t *units, size_t n)
{
    bw_u32(w, (uint32_t)(n + 1));
    for (size_t i = 0; i < n; i++)
        bw_u16(w, units[i]);
    bw_u16(w, 0);
}

static const uint8_t COOKIE[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                   0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
static const uint64_t PID = 0x0000123456789abcull;

/* ProcessInfo payload of the given version; inner is the v3 inner version. */
static void build_pi(struct bw *w, int version, uint32_t inner)
{
    w->n = 0;
    if (version == 3)
        bw_u32(w, inner);
    bw_u64(w, PID);
    bw_bytes(w, COOKIE, 16);
    bw_str(w, "dotnet /app/App.dll --port 80");
    bw_str(w, "Linux");
    bw_str(w, "x64");
    if (version >= 2) {
        bw_str(w, "App");
        bw_str(w, "10.0.12");
    }
    if (version == 3 && inner >= 1)
        bw_str(w, "linux-x64");
}

/* ---- header -------------------------------------------------------------------- */

static void header_write_exact(void **state)
{
    (void)state;
    uint8_t out[20];
    memset(out, 0xAA, sizeof out);
    static const uint8_t want[20] = {'D', 'O', 'T', 'N', 'E', 'T', '_', 'I', 'P', 'C', '_', 'V', '1', 0,
                                     0x34, 0x12, 0x03, 0x01, 0x00, 0x00};
    assert_int_equal(drd_ipc_header_write(out, 0x1234, 0x03, 0x01), 0);
    assert_memory_equal(out, want, 20);

    /* the limits themselves are accepted, with the size little-endian */
    assert_int_equal(drd_ipc_header_write(out, 20, 0xff, 0x00), 0);
    assert_int_equal(out[14], 20);
    assert_int_equal(out[15], 0);
    assert_int_equal(drd_ipc_header_write(out, 65535, 0x04, 0x08), 0);
    assert_int_equal(out[14], 0xff);
    assert_int_equal(out[15], 0xff);
    assert_int_equal(out[16], 0x04);
    assert_int_equal(out[17], 0x08);
}

static void header_write_refuses_sizes(void **state)
{
    (void)state;
    uint8_t out[20];
    memset(out, 0xAA, sizeof out);
    assert_int_equal(drd_ipc_header_write(out, 19, 0x04, 0x00), -1);
    assert_int_equal(drd_ipc_header_write(out, 0, 0x04, 0x00), -1);
    assert_int_equal(drd_ipc_header_write(out, 65536, 0x04, 0x00), -1);
    assert_int_equal(drd_ipc_header_write(out, (size_t)1 << 40, 0x04, 0x00), -1);
    /* a refusal writes nothing */
    for (size_t i = 0; i < sizeof out; i++)
        assert_int_equal(out[i], 0xAA);
}

static void header_parse_good(void **state)
{
    (void)state;
    uint8_t in[24];
    memset(in, 0x55, sizeof in);
    memcpy(in, "DOTNET_IPC_V1", 14);
    in[14] = 0x18;
    in[15] = 0x01; /* 0x0118 = 280 */
    in[16] = 0xff;
    in[17] = 0x00;
    in[18] = 0x02;
    in[19] = 0x01;
    struct drd_ipc_header h;
    memset(&h, 0, sizeof h);
    assert_int_equal(drd_ipc_header_parse(in, sizeof in, &h), 0);
    assert_int_equal(h.size, 280);
    assert_int_equal(h.command_set, 0xff);
    assert_int_equal(h.command_id, 0x00);
    assert_int_equal(h.reserved, 0x0102);

    /* exactly 20 bytes is enough */
    assert_int_equal(drd_ipc_header_parse(in, 20, &h), 0);
    assert_int_equal(h.size, 280);
}

static void header_parse_refusals(void **state)
{
    (void)state;
    uint8_t in[20];
    struct drd_ipc_header h;
    assert_int_equal(drd_ipc_header_write(in, 24, 0xff, 0x00), 0);
    assert_int_equal(drd_ipc_header_parse(in, 20, &h), 0);

    /* too short */
    assert_int_equal(drd_ipc_header_parse(in, 19, &h), -1);
    assert_int_equal(drd_ipc_header_parse(in, 0, &h), -1);

    /* wrong magic: one letter, and the NUL replaced */
    uint8_t bad[20];
    memcpy(bad, in, 20);
    bad[12] = '2';
    assert_int_equal(drd_ipc_header_parse(bad, 20, &h), -1);
    memcpy(bad, in, 20);
    bad[13] = ' ';
    assert_int_equal(drd_ipc_header_parse(bad, 20, &h), -1);
    memcpy(bad, in, 20);
    bad[0] = 'd';
    assert_int_equal(drd_ipc_header_parse(bad, 20, &h), -1);

    /* size field below the header size */
    memcpy(bad, in, 20);
    bad[14] = 19;
    bad[15] = 0;
    assert_int_equal(drd_ipc_header_parse(bad, 20, &h), -1);
    bad[14] = 0;
    assert_int_equal(drd_ipc_header_parse(bad, 20, &h), -1);
    bad[14] = 20;
    assert_int_equal(drd_ipc_header_parse(bad, 20, &h), 0);
    assert_int_equal(h.size, 20);
}

static void build_empty_process_info(void **state)
{
    (void)state;
    uint8_t buf[64];
    size_t len = 999;
    memset(buf, 0xAA, sizeof buf);
    static const uint8_t want[20] = {'D', 'O', 'T', 'N', 'E', 'T', '_', 'I', 'P', 'C', '_', 'V', '1', 0,
                                     0x14, 0x00, 0x04, 0x00, 0x00, 0x00};
    assert_int_equal(drd_ipc_build_empty(buf, sizeof buf, DRD_IPC_SET_PROCESS, DRD_IPC_PROCESS_INFO, &len), 0);
    assert_int_equal(len, 20);
    assert_memory_equal(buf, want, 20);
    assert_int_equal(buf[20], 0xAA); /* nothing written past the message */

    /* exactly 20 bytes of room is enough; 19 is not */
    assert_int_equal(drd_ipc_build_empty(buf, 20, DRD_IPC_SET_PROCESS, DRD_IPC_PROCESS_RESUME, &len), 0);
    assert_int_equal(buf[17], 0x01);
    len = 999;
    assert_int_equal(drd_ipc_build_empty(buf, 19, DRD_IPC_SET_PROCESS, DRD_IPC_PROCESS_INFO, &len), -1);
    assert_int_equal(len, 999);
}

/* ---- AttachProfiler -------------------------------------------------------------- */

static const char *CLSID_TEXT = "{805A308B-061C-47F3-9B30-F785C3186E82}";

static void build_attach_exact(void **state)
{
    (void)state;
    uint8_t guid[16];
    assert_int_equal(drd_guid_parse(CLSID_TEXT, guid), 0);

    static const uint8_t want[] = {
        /* header: magic, size 72 = 20+4+16+4+2*10+4+4, set 0x03 profiler, id 0x01 attach, reserved */
        'D', 'O', 'T', 'N', 'E', 'T', '_', 'I', 'P', 'C', '_', 'V', '1', 0x00, 0x48, 0x00, 0x03, 0x01, 0x00, 0x00,
        /* timeout 5000 ms = 0x1388 */
        0x88, 0x13, 0x00, 0x00,
        /* the GUID in memory order: Data1 805A308B, Data2 061C, Data3 47F3 little-endian, Data4 as is */
        0x8b, 0x30, 0x5a, 0x80, 0x1c, 0x06, 0xf3, 0x47, 0x9b, 0x30, 0xf7, 0x85, 0xc3, 0x18, 0x6e, 0x82,
        /* path: 10 units including the NUL */
        0x0a, 0x00, 0x00, 0x00,
        '/', 0, 't', 0, 'm', 0, 'p', 0, '/', 0, 'a', 0, '.', 0, 's', 0, 'o', 0, 0, 0,
        /* client data: 4 bytes */
        0x04, 0x00, 0x00, 0x00, 'v', '=', '1', '\n'};
    assert_int_equal(sizeof want, 72);

    uint8_t buf[256];
    memset(buf, 0xAA, sizeof buf);
    size_t len = 0;
    assert_int_equal(drd_ipc_build_attach(buf, sizeof buf, 5000, guid, "/tmp/a.so", "v=1\n", 4, &len), 0);
    assert_int_equal(len, 72);
    assert_memory_equal(buf, want, sizeof want);
    assert_int_equal(buf[72], 0xAA);

    /* a cap of exactly the message is enough, one byte less is not */
    memset(buf, 0xAA, sizeof buf);
    assert_int_equal(drd_ipc_build_attach(buf, 72, 5000, guid, "/tmp/a.so", "v=1\n", 4, &len), 0);
    assert_memory_equal(buf, want, sizeof want);
    len = 7;
    assert_int_equal(drd_ipc_build_attach(buf, 71, 5000, guid, "/tmp/a.so", "v=1\n", 4, &len), -1);
    assert_int_equal(len, 7);
}

static void build_attach_non_ascii_path(void **state)
{
    (void)state;
    uint8_t guid[16];
    assert_int_equal(drd_guid_parse(CLSID_TEXT, guid), 0);
    static const uint8_t want_path[] = {
        0x0a, 0x00, 0x00, 0x00, /* "/tmp/é.so" is 9 units, plus the NUL */
        '/', 0, 't', 0, 'm', 0, 'p', 0, '/', 0, 0xe9, 0x00, '.', 0, 's', 0, 'o', 0, 0, 0};
    uint8_t buf[256];
    size_t len = 0;
    assert_int_equal(drd_ipc_build_attach(buf, sizeof buf, 1, guid, "/tmp/\xc3\xa9.so", "", 0, &len), 0);
    assert_int_equal(len, 20 + 4 + 16 + 4 + 20 + 4);
    assert_int_equal(buf[14], len);
    assert_int_equal(buf[15], 0);
    assert_memory_equal(buf + 20, "\x01\x00\x00\x00", 4);
    assert_memory_equal(buf + 40, want_path, sizeof want_path);
    assert_memory_equal(buf + 40 + sizeof want_path, "\x00\x00\x00\x00", 4);

    /* a character beyond the BMP is a surrogate pair: U+1F600 -> D83D DE00 */
    assert_int_equal(drd_ipc_build_attach(buf, sizeof buf, 1, guid, "/\xf0\x9f\x98\x80", "", 0, &len), 0);
    static const uint8_t want_pair[] = {0x04, 0, 0, 0, '/', 0, 0x3d, 0xd8, 0x00, 0xde, 0, 0};
    assert_memory_equal(buf + 40, want_pair, sizeof want_pair);
    assert_int_equal(len, 20 + 4 + 16 + 4 + 8 + 4);
}

static void build_attach_refusals(void **state)
{
    (void)state;
    uint8_t guid[16];
    assert_int_equal(drd_guid_parse(CLSID_TEXT, guid), 0);
    size_t big = 70000;
    uint8_t *buf = malloc(big);
    char *client = malloc(65535);
    assert_non_null(buf);
    assert_non_null(client);
    memset(client, 'c', 65535);
    size_t len = 12345;

    /* empty path */
    assert_int_equal(drd_ipc_build_attach(buf, big, 5000, guid, "", "v=1\n", 4, &len), -1);
    /* 65535 bytes of client data: the message would exceed 65535 bytes */
    assert_int_equal(drd_ipc_build_attach(buf, big, 5000, guid, "/tmp/a.so", client, 65535, &len), -1);
    /* the largest client data that fits: 65535 - (20+4+16+4+20+4) = 65467 */
    assert_int_equal(drd_ipc_build_attach(buf, big, 5000, guid, "/tmp/a.so", client, 65468, &len), -1);
    assert_int_equal(len, 12345);
    assert_int_equal(drd_ipc_build_attach(buf, big, 5000, guid, "/tmp/a.so", client, 65467, &len), 0);
    assert_int_equal(len, 65535);
    assert_int_equal(buf[14], 0xff);
    assert_int_equal(buf[15], 0xff);
    assert_int_equal(buf[64], 0xbb);
    assert_int_equal(buf[65], 0xff);
    assert_int_equal(buf[66], 0x00);
    assert_int_equal(buf[67], 0x00);
    assert_int_equal(buf[65534], 'c');
    /* cap too small */
    len = 12345;
    assert_int_equal(drd_ipc_build_attach(buf, 20, 5000, guid, "/tmp/a.so", "v=1\n", 4, &len), -1);
    assert_int_equal(drd_ipc_build_attach(buf, 0, 5000, guid, "/tmp/a.so", "v=1\n", 4, &len), -1);
    assert_int_equal(len, 12345);
    free(client);
    free(buf);
}

/* ---- GUID text ------------------------------------------------------------------- */

static void guid_parse_forms(void **state)
{
    (void)state;
    static const uint8_t want[16] = {0x8b, 0x30, 0x5a, 0x80, 0x1c, 0x06, 0xf3, 0x47,
                                     0x9b, 0x30, 0xf7, 0x85, 0xc3, 0x18, 0x6e, 0x82};
    uint8_t g[16];
    memset(g, 0, sizeof g);
    assert_int_equal(drd_guid_parse("{805A308B-061C-47F3-9B30-F785C3186E82}", g), 0);
    assert_memory_equal(g, want, 16);
    memset(g, 0, sizeof g);
    assert_int_equal(drd_guid_parse("805A308B-061C-47F3-9B30-F785C3186E82", g), 0);
    assert_memory_equal(g, want, 16);
    memset(g, 0, sizeof g);
    assert_int_equal(drd_guid_parse("{805a308b-061c-47f3-9b30-f785c3186e82}", g), 0);
    assert_memory_equal(g, want, 16);
    memset(g, 0, sizeof g);
    assert_int_equal(drd_guid_parse("805a308B-061C-47f3-9b30-F785c3186E82", g), 0);
    assert_memory_equal(g, want, 16);

    static const uint8_t want2[16] = {0x03, 0x02, 0x01, 0x00, 0x05, 0x04, 0x07, 0x06,
                                      0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f};
    assert_int_equal(drd_guid_parse("00010203-0405-0607-0809-0a0b0c0d0e0f", g), 0);
    assert_memory_equal(g, want2, 16);
}

static void guid_parse_refusals(void **state)
{
    (void)state;
    uint8_t g[16];
    static const char *bad[] = {
        "",
        "{}",
        "805A308B-061C-47F3-9B30-F785C3186E8", /* 35 chars */
        "805A308B-061C-47F3-9B30-F785C3186E822", /* 37 chars */
        "{805A308B-061C-47F3-9B30-F785C3186E82", /* missing closing brace */
        "805A308B-061C-47F3-9B30-F785C3186E82}", /* missing opening brace */
        "(805A308B-061C-47F3-9B30-F785C3186E82)", /* wrong brackets */
        "805A308G-061C-47F3-9B30-F785C3186E82", /* G */
        "805A308B-061C-47F3-9B30-F785C3186E8Z", /* Z at the end */
        "805A308B-061C-47F3-9B30-F785C3186E 2", /* space */
        "{805A308B-061C-47F3-9B30-F785C3186E-2}", /* a dash instead of hex */
        "805A308B0-61C-47F3-9B30-F785C3186E82", /* first dash moved */
        "805A308B-061C47-F3-9B30-F785C3186E82", /* second dash moved */
        "805A308B-061C-47F39-B30-F785C3186E82", /* third dash moved */
        "805A308B-061C-47F3-9B30F-785C3186E82", /* fourth dash moved */
        "805A308B_061C_47F3_9B30_F785C3186E82", /* underscores */
        "805A308B061C47F39B30F785C3186E82", /* no dashes */
        "+05A308B-061C-47F3-9B30-F785C3186E82",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (drd_guid_parse(bad[i], g) != -1)
            fail_msg("accepted bad GUID text '%s'", bad[i]);
    }
}

/* ---- replies --------------------------------------------------------------------- */

static struct drd_ipc_header hdr(uint8_t set, uint8_t id, uint16_t size)
{
    struct drd_ipc_header h = {.size = size, .command_set = set, .command_id = id, .reserved = 0};
    return h;
}

static void reply_ok(void **state)
{
    (void)state;
    struct drd_ipc_reply r;
    static const uint8_t status[4] = {0x78, 0x56, 0x34, 0x12};
    struct drd_ipc_header h = hdr(0xff, 0x00, 24);
    assert_int_equal(drd_ipc_reply_parse(&h, status, 4, &r), 0);
    assert_int_equal(r.is_error, 0);
    assert_int_equal(r.code, 0x12345678u);
    assert_ptr_equal(r.payload, status);
    assert_int_equal(r.payload_len, 4);

    /* OK with no payload */
    h = hdr(0xff, 0x00, 20);
    memset(&r, 0x5a, sizeof r);
    assert_int_equal(drd_ipc_reply_parse(&h, NULL, 0, &r), 0);
    assert_int_equal(r.is_error, 0);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.payload_len, 0);
}

static void reply_error(void **state)
{
    (void)state;
    struct drd_ipc_reply r;
    static const uint8_t code[4] = {0x6a, 0x13, 0x13, 0x80};
    struct drd_ipc_header h = hdr(0xff, 0xff, 24);
    assert_int_equal(drd_ipc_reply_parse(&h, code, 4, &r), 0);
    assert_int_equal(r.is_error, 1);
    assert_int_equal(r.code, 0x8013136Au);
    assert_int_equal(r.code, DRD_IPC_E_PROFILER_ALREADY_ACTIVE);

    /* an ERROR lacking its 4-byte code */
    static const uint8_t two[2] = {0x6a, 0x13};
    assert_int_equal(drd_ipc_reply_parse(&h, two, 2, &r), -1);
    assert_int_equal(drd_ipc_reply_parse(&h, NULL, 0, &r), -1);
}

static void reply_refusals(void **state)
{
    (void)state;
    struct drd_ipc_reply r;
    static const uint8_t status[4] = {0, 0, 0, 0};
    struct drd_ipc_header h = hdr(0x04, 0x00, 24); /* a request's set, not the server's */
    assert_int_equal(drd_ipc_reply_parse(&h, status, 4, &r), -1);
    h = hdr(0x03, 0xff, 24);
    assert_int_equal(drd_ipc_reply_parse(&h, status, 4, &r), -1);
    h = hdr(0xff, 0x01, 24); /* unknown server id */
    assert_int_equal(drd_ipc_reply_parse(&h, status, 4, &r), -1);
    h = hdr(0xff, 0xfe, 24);
    assert_int_equal(drd_ipc_reply_parse(&h, status, 4, &r), -1);
}

/* ---- ProcessInfo ----------------------------------------------------------------- */

static void check_pi_common(const struct drd_process_info *pi)
{
    assert_int_equal(pi->pid, PID);
    assert_memory_equal(pi->cookie, COOKIE, 16);
    assert_string_equal(pi->command_line, "dotnet /app/App.dll --port 80");
    assert_string_equal(pi->os, "Linux");
    assert_string_equal(pi->arch, "x64");
}

static void process_info_v1(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);
    build_pi(w, 1, 0);
    memset(pi, 0x7f, sizeof *pi);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), 0);
    check_pi_common(pi);
    assert_string_equal(pi->entry_assembly, "");
    assert_string_equal(pi->clr_version, "");
    assert_string_equal(pi->runtime_id, "");
    free(pi);
    free(w);
}

static void process_info_v2(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);
    build_pi(w, 2, 0);
    memset(pi, 0x7f, sizeof *pi);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 2, pi), 0);
    check_pi_common(pi);
    assert_string_equal(pi->entry_assembly, "App");
    assert_string_equal(pi->clr_version, "10.0.12");
    assert_string_equal(pi->runtime_id, "");
    free(pi);
    free(w);
}

static void process_info_v3(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);

    build_pi(w, 3, 1);
    memset(pi, 0x7f, sizeof *pi);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 3, pi), 0);
    check_pi_common(pi);
    assert_string_equal(pi->entry_assembly, "App");
    assert_string_equal(pi->clr_version, "10.0.12");
    assert_string_equal(pi->runtime_id, "linux-x64");

    /* inner version 0: no runtime id on the wire */
    build_pi(w, 3, 0);
    memset(pi, 0x7f, sizeof *pi);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 3, pi), 0);
    check_pi_common(pi);
    assert_string_equal(pi->entry_assembly, "App");
    assert_string_equal(pi->clr_version, "10.0.12");
    assert_string_equal(pi->runtime_id, "");
    free(pi);
    free(w);
}

static void process_info_non_ascii(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);
    static const uint16_t cmd[] = {'/', 0x00e9, 0x20ac, 0xd83d, 0xde00, 'x'};
    static const uint16_t lone[] = {'a', 0xdc00, 'b'};
    bw_u64(w, 7);
    bw_bytes(w, COOKIE, 16);
    bw_str16(w, cmd, 6);
    bw_str16(w, lone, 3);
    bw_str(w, "arm64");
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), 0);
    assert_int_equal(pi->pid, 7);
    assert_string_equal(pi->command_line, "/\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80x");
    assert_string_equal(pi->os, "a\xef\xbf\xbd" "b");
    assert_string_equal(pi->arch, "arm64");
    free(pi);
    free(w);
}

static void process_info_truncated(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);
    for (int version = 1; version <= 3; version++) {
        build_pi(w, version, 1);
        size_t full = w->n;
        for (size_t len = 0; len < full; len++) {
            /* a copy of exactly len bytes, so that ASan sees any read past the end */
            uint8_t *cut = malloc(len ? len : 1);
            assert_non_null(cut);
            memcpy(cut, w->b, len);
            if (drd_ipc_parse_process_info(cut, len, version, pi) != -1)
                fail_msg("version %d payload cut to %zu of %zu bytes was accepted", version, len, full);
            free(cut);
        }
        assert_int_equal(drd_ipc_parse_process_info(w->b, full, version, pi), 0);
    }
    free(pi);
    free(w);
}

static void process_info_bad_counts(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);

    /* the command line claims 20 units but only 19 follow */
    bw_u64(w, 1);
    bw_bytes(w, COOKIE, 16);
    bw_u32(w, 20);
    for (int i = 0; i < 19; i++)
        bw_u16(w, 'a');
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), -1);

    /* a huge count must not wrap */
    w->n = 0;
    bw_u64(w, 1);
    bw_bytes(w, COOKIE, 16);
    bw_u32(w, 0xffffffffu);
    bw_u16(w, 'a');
    bw_u16(w, 0);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), -1);
    w->n = 0;
    bw_u64(w, 1);
    bw_bytes(w, COOKIE, 16);
    bw_u32(w, 0x80000001u);
    bw_u16(w, 'a');
    bw_u16(w, 0);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), -1);

    /* the last string of v2 too long by one unit */
    build_pi(w, 2, 0);
    w->b[w->n - 2 * 8 - 4] = 9; /* "10.0.12" + NUL is 8 units; claim 9 */
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 2, pi), -1);

    /* v3 with only the inner version */
    w->n = 0;
    bw_u32(w, 1);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 3, pi), -1);
    free(pi);
    free(w);
}

static void process_info_empty_strings(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);
    bw_u32(w, 1);
    bw_u64(w, 0xffffffffffffffffull);
    bw_bytes(w, COOKIE, 16);
    for (int i = 0; i < 6; i++)
        bw_u32(w, 0); /* count 0: the empty string, with not even a NUL unit */
    memset(pi, 0x7f, sizeof *pi);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 3, pi), 0);
    assert_int_equal(pi->pid, 0xffffffffffffffffull);
    assert_string_equal(pi->command_line, "");
    assert_string_equal(pi->os, "");
    assert_string_equal(pi->arch, "");
    assert_string_equal(pi->entry_assembly, "");
    assert_string_equal(pi->clr_version, "");
    assert_string_equal(pi->runtime_id, "");

    /* a string that is just the NUL (count 1) is empty too, and the next one is read after it */
    w->n = 0;
    bw_u64(w, 3);
    bw_bytes(w, COOKIE, 16);
    bw_u32(w, 1);
    bw_u16(w, 0);
    bw_str(w, "Linux");
    bw_str(w, "x64");
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), 0);
    assert_string_equal(pi->command_line, "");
    assert_string_equal(pi->os, "Linux");
    assert_string_equal(pi->arch, "x64");
    free(pi);
    free(w);
}

/* A small deterministic generator (xorshift32), so that any failure repeats. */
static uint32_t rng_state = 0x12345678u;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    rng_state = x;
    return x;
}

static void assert_terminated(const char *field, size_t cap)
{
    assert_non_null(memchr(field, 0, cap));
}

static void process_info_garbage(void **state)
{
    (void)state;
    struct drd_process_info *pi = malloc(sizeof *pi);
    struct bw *w = calloc(1, sizeof *w);
    assert_non_null(pi);
    assert_non_null(w);
    int accepted = 0;
    for (int iter = 0; iter < 1000; iter++) {
        int version = 1 + (int)(rng() % 3);
        size_t len = rng() % 301;
        w->n = 0;
        if (iter % 2 == 0) {
            /* plausible framing with random contents: small counts, random units (surrogates, NULs) */
            if (version == 3)
                bw_u32(w, rng() % 3);
            bw_u64(w, ((uint64_t)rng() << 32) | rng());
            for (int i = 0; i < 4; i++)
                bw_u32(w, rng());
            for (int s = 0; s < 6 && w->n < 280; s++) {
                uint32_t count = rng() % 9;
                bw_u32(w, count);
                for (uint32_t u = 0; u < count; u++) {
                    uint32_t r = rng();
                    bw_u16(w, r % 4 == 0 ? (uint16_t)(0xd800 + r % 0x800) : r % 4 == 1 ? 0 : (uint16_t)(r >> 8));
                }
            }
            if (len < w->n && rng() % 2)
                len = w->n; /* keep it whole half of the time */
        }
        while (w->n < len)
            bw_u8(w, (uint8_t)rng());
        uint8_t *p = malloc(len ? len : 1);
        assert_non_null(p);
        memcpy(p, w->b, len);
        memset(pi, 0x7f, sizeof *pi);
        int rc = drd_ipc_parse_process_info(p, len, version, pi);
        assert_true(rc == 0 || rc == -1);
        if (rc == 0) {
            accepted++;
            assert_terminated(pi->command_line, sizeof pi->command_line);
            assert_terminated(pi->os, sizeof pi->os);
            assert_terminated(pi->arch, sizeof pi->arch);
            assert_terminated(pi->entry_assembly, sizeof pi->entry_assembly);
            assert_terminated(pi->clr_version, sizeof pi->clr_version);
            assert_terminated(pi->runtime_id, sizeof pi->runtime_id);
        }
        free(p);
    }
    /* the generator reaches the success path too (fixed seed, so this is stable) */
    assert_true(accepted > 0);
    assert_true(accepted < 1000);
    free(w);
    free(pi);
}

static void process_info_long_command_line(void **state)
{
    (void)state;
    struct bw *w = calloc(1, sizeof *w);
    struct drd_process_info *pi = malloc(sizeof *pi);
    assert_non_null(w);
    assert_non_null(pi);
    bw_u64(w, 1);
    bw_bytes(w, COOKIE, 16);
    bw_u32(w, 5001);
    for (int i = 0; i < 5000; i++)
        bw_u16(w, (uint16_t)('a' + i % 26));
    bw_u16(w, 0);
    bw_str(w, "Linux");
    bw_str(w, "x64");
    memset(pi, 0x7f, sizeof *pi);
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), 0);
    assert_non_null(memchr(pi->command_line, 0, sizeof pi->command_line));
    size_t n = strlen(pi->command_line);
    assert_true(n < DRD_PI_MAX_CMDLINE);
    assert_int_equal(n, DRD_PI_MAX_CMDLINE - 1); /* ASCII: as many characters as fit */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(pi->command_line[i], 'a' + (int)(i % 26));
    /* the strings after it are read at the right place */
    assert_string_equal(pi->os, "Linux");
    assert_string_equal(pi->arch, "x64");
    free(pi);
    free(w);
}

/*
 * Regression: a string too long for its field must be cut to its longest prefix. get_string converted
 * 256-unit chunks one after the other and went on after a chunk that did not fit, appending narrower
 * characters from further on after a gap. Command line = 3841 x 'a', 255 x U+20AC, 100 x 'b': the field holds
 * 3841 'a' and 84 euro signs (4093 bytes), nothing after.
 */
static void process_info_cut_is_a_prefix(void **state)
{
    (void)state;
    /* static, not heap: the failing assertion jumps out before any free, and ASan would report a leak */
    static struct bw wb;
    static struct drd_process_info pib;
    struct bw *w = &wb;
    struct drd_process_info *pi = &pib;
    w->n = 0;
    bw_u64(w, 1);
    bw_bytes(w, COOKIE, 16);
    bw_u32(w, 3841 + 255 + 100 + 1);
    for (int i = 0; i < 3841; i++)
        bw_u16(w, 'a');
    for (int i = 0; i < 255; i++)
        bw_u16(w, 0x20ac);
    for (int i = 0; i < 100; i++)
        bw_u16(w, 'b');
    bw_u16(w, 0);
    bw_str(w, "Linux");
    bw_str(w, "x64");
    assert_int_equal(drd_ipc_parse_process_info(w->b, w->n, 1, pi), 0);
    assert_string_equal(pi->os, "Linux");
    size_t n = strlen(pi->command_line);
    for (size_t i = 0; i < 3841; i++)
        assert_int_equal(pi->command_line[i], 'a');
    for (size_t i = 0; i < 84; i++)
        assert_memory_equal(pi->command_line + 3841 + 3 * i, "\xe2\x82\xac", 3);
    assert_int_equal(n, 3841 + 84 * 3);
}

static void code_names(void **state)
{
    (void)state;
    assert_string_equal(drd_ipc_code_name(0x8013136Au), "CORPROF_E_PROFILER_ALREADY_ACTIVE");
    assert_string_equal(drd_ipc_code_name(0x80131368u), "CORPROF_E_PROFILER_NOT_ATTACHABLE");
    assert_string_equal(drd_ipc_code_name(0x80131385u), "UNKNOWN_COMMAND");
    assert_null(drd_ipc_code_name(0));
    assert_null(drd_ipc_code_name(0x8013136Bu));
    assert_null(drd_ipc_code_name(0xffffffffu));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(header_write_exact),
        cmocka_unit_test(header_write_refuses_sizes),
        cmocka_unit_test(header_parse_good),
        cmocka_unit_test(header_parse_refusals),
        cmocka_unit_test(build_empty_process_info),
        cmocka_unit_test(build_attach_exact),
        cmocka_unit_test(build_attach_non_ascii_path),
        cmocka_unit_test(build_attach_refusals),
        cmocka_unit_test(guid_parse_forms),
        cmocka_unit_test(guid_parse_refusals),
        cmocka_unit_test(reply_ok),
        cmocka_unit_test(reply_error),
        cmocka_unit_test(reply_refusals),
        cmocka_unit_test(process_info_v1),
        cmocka_unit_test(process_info_v2),
        cmocka_unit_test(process_info_v3),
        cmocka_unit_test(process_info_non_ascii),
        cmocka_unit_test(process_info_truncated),
        cmocka_unit_test(process_info_bad_counts),
        cmocka_unit_test(process_info_empty_strings),
        cmocka_unit_test(process_info_garbage),
        cmocka_unit_test(process_info_long_command_line),
        cmocka_unit_test(process_info_cut_is_a_prefix),
        cmocka_unit_test(code_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
