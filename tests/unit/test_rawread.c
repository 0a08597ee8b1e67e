/* Unit tests for the raw data reader (src/report/rawread.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drdotnet/raw.h"
#include "report/rawread.h"

/* A writable, exactly-sized heap copy of text (no NUL after it, so ASan sees reads past len). */
static char *dup_text(const char *text, size_t *len)
{
    *len = strlen(text);
    char *b = malloc(*len ? *len : 1);
    assert_non_null(b);
    memcpy(b, text, *len);
    return b;
}

struct xcount {
    int x_lines;
    int other;
    char last_count[32];
    int last_nf;
};

static int count_x(void *ctx, const struct drd_rawdata *d, char **fields, int n, char *err, size_t cap)
{
    struct xcount *c = ctx;
    (void)d;
    if (strcmp(fields[0], "x") == 0) {
        c->x_lines++;
        c->last_nf = n;
        snprintf(c->last_count, sizeof c->last_count, "%s", n > 3 ? fields[3] : "");
        return 0;
    }
    c->other++;
    snprintf(err, cap, "unexpected record '%s'", fields[0]);
    return -1;
}

static const char VALID[] = "drdotnet-raw\t1\texceptions\n"
                            "f\t1\tApp.Main\n"
                            "f\t2\tApp.Run\n"
                            "f\t3\tApp.Fail\n"
                            "t\t1\tSystem.InvalidOperationException\n"
                            "s\t1\t1,2,3\n"
                            "x\t1\t1\t3\n"
                            "x\t1\t1\t2\n"
                            "end\t5\t2\n";

/* Native frames: trailing fields of 'f' records (unknown ones ignored), modules, the process start time. */
static void parse_native(void **state)
{
    (void)state;
    size_t len;
    char *buf = dup_text("drdotnet-raw\t1\tcpu\nf\t1\tMain\tZ other reader\nnp\t12345\n"
                         "nm\t1\t/lib/libc.so.6\t93ac61ec\t7f0000000000\t26000\t17b0fc\t26000\n"
                         "f\t2\tlibc.so.6\tN 1 163aed\nf\t3\tOther\nf\t4\tlibc.so.6\tQ x\tN 1 A0\n",
                         &len);
    struct drd_rawdata d;
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(buf, len, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_frames, 4);
    assert_string_equal(d.frames[0], "Main");
    assert_int_equal(d.start_ticks, 12345);
    assert_int_equal(d.n_modules, 1);
    assert_string_equal(d.modules[0].path, "/lib/libc.so.6");
    assert_string_equal(d.modules[0].build_id, "93ac61ec");
    assert_true(d.modules[0].bias == 0x7f0000000000ULL && d.modules[0].exec_lo == 0x26000 &&
                d.modules[0].exec_hi == 0x17b0fc && d.modules[0].exec_off == 0x26000);
    assert_int_equal(d.n_native, 4);
    assert_int_equal(d.native[0].module, 0);
    assert_int_equal(d.native[1].module, 1);
    assert_true(d.native[1].addr == 0x163aed);
    assert_int_equal(d.native[2].module, 0);
    assert_true(d.native[3].module == 1 && d.native[3].addr == 0xa0);
    drd_rawdata_free(&d);
    free(buf);
}

static void parse_valid(void **state)
{
    (void)state;
    size_t len;
    char *buf = dup_text(VALID, &len);
    struct drd_rawdata d;
    struct xcount c = {0};
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(buf, len, &d, count_x, &c, err, sizeof err), 0);
    assert_string_equal(d.profiler, "exceptions");
    assert_int_equal(d.n_frames, 3);
    assert_string_equal(d.frames[0], "App.Main");
    assert_string_equal(d.frames[1], "App.Run");
    assert_string_equal(d.frames[2], "App.Fail");
    assert_int_equal(d.n_types, 1);
    assert_string_equal(d.types[0], "System.InvalidOperationException");
    assert_int_equal(d.n_stacks, 1);
    assert_int_equal(d.stacks[0].n, 3);
    assert_int_equal(d.stacks[0].frames[0], 1);
    assert_int_equal(d.stacks[0].frames[1], 2);
    assert_int_equal(d.stacks[0].frames[2], 3);
    assert_int_equal(d.ended, 1);
    assert_int_equal(d.events, 5);
    assert_int_equal(d.dropped, 2);
    assert_int_equal(c.x_lines, 2);
    assert_int_equal(c.other, 0);
    assert_int_equal(c.last_nf, 4);
    assert_string_equal(c.last_count, "2");
    drd_rawdata_free(&d);
    assert_int_equal(d.n_frames, 0);
    assert_null(d.frames);
    free(buf);
}

static void parse_many_records(void **state)
{
    (void)state;
    /* enough frames and stacks to make the tables grow several times */
    size_t cap = 1 << 20;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, "drdotnet-raw\t1\tcpu\n");
    for (int i = 1; i <= 1000; i++)
        n += (size_t)snprintf(text + n, cap - n, "f\t%d\tF%d\n", i, i);
    for (int i = 1; i <= 300; i++)
        n += (size_t)snprintf(text + n, cap - n, "s\t%d\t%d,%d\n", i, i, 1001 - i);
    n += (size_t)snprintf(text + n, cap - n, "s\t301\t\n"); /* an empty stack */
    struct drd_rawdata d;
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(text, n, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_frames, 1000);
    assert_string_equal(d.frames[0], "F1");
    assert_string_equal(d.frames[999], "F1000");
    assert_string_equal(d.frames[511], "F512");
    assert_int_equal(d.n_stacks, 301);
    assert_int_equal(d.stacks[299].n, 2);
    assert_int_equal(d.stacks[299].frames[0], 300);
    assert_int_equal(d.stacks[299].frames[1], 701);
    assert_int_equal(d.stacks[300].n, 0);
    assert_int_equal(d.ended, 0);
    assert_string_equal(d.profiler, "cpu");
    drd_rawdata_free(&d);
    free(text);
}

/* Frame records may carry trailing fields: a code site ("M <assembly> <token hex> <IL offset>") is read, a field
 * of a tag this reader does not know (another writer's) is ignored. */
static void frame_sites(void **state)
{
    (void)state;
    size_t len;
    char *buf = dup_text("drdotnet-raw\t1\tcpu\nmm\t1\t00112233445566778899aabbccddeeff\t/x/A.dll\n"
                         "f\t1\tA.M\tM 1 6000012 42\nf\t2\tB\tZ later 1\nf\t3\tC\tM 1 600000a -1\tQ\n",
                         &len);
    struct drd_rawdata d;
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(buf, len, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_frames, 3);
    assert_int_equal(d.n_sites, 3);
    assert_int_equal(d.n_asms, 1);
    assert_string_equal(d.asms[0].path, "/x/A.dll");
    assert_string_equal(d.asms[0].mvid, "00112233445566778899aabbccddeeff");
    assert_string_equal(d.frames[0], "A.M");
    assert_int_equal(d.sites[0].asm_id, 1);
    assert_int_equal(d.sites[0].token, 0x6000012);
    assert_int_equal(d.sites[0].il, 42);
    assert_int_equal(d.sites[1].asm_id, 0);
    assert_int_equal(d.sites[2].il, -1);
    assert_string_equal(drd_rawread_label(&d, 1), "A.M"); /* no line: parse alone does not look for PDBs */
    drd_rawdata_free(&d);
    free(buf);
}

/* Parses text and expects a refusal with a message; frees the tables afterwards. */
static void refuse_fn(const char *text, drd_rawread_record_fn fn, void *ctx, const char *why)
{
    size_t len;
    char *buf = dup_text(text, &len);
    struct drd_rawdata d;
    char err[256];
    memset(err, 0, sizeof err);
    int rc = drd_rawread_parse(buf, len, &d, fn, ctx, err, sizeof err);
    if (rc != -1)
        fail_msg("accepted a file with %s", why);
    if (err[0] == 0)
        fail_msg("refused a file with %s but gave no message", why);
    drd_rawdata_free(&d);
    assert_int_equal(d.n_frames + d.n_types + d.n_stacks, 0);
    free(buf);
}

static void refuse(const char *text, const char *why)
{
    struct xcount c = {0};
    refuse_fn(text, count_x, &c, why);
}

#define HDR "drdotnet-raw\t1\texceptions\n"

static void parse_refusals(void **state)
{
    (void)state;
    refuse("drdotnet-rax\t1\texceptions\nf\t1\tA\n", "a wrong magic");
    refuse("DRDOTNET-RAW\t1\texceptions\n", "a magic in capitals");
    refuse("drdotnet-raw\t1\n", "a header lacking the profiler");
    refuse("drdotnet-raw\t1\texceptions\textra\n", "a header with a fourth field");
    refuse("f\t1\tA\n" HDR, "a header not first");
    refuse("drdotnet-raw\t2\texceptions\n", "version 2");
    refuse("drdotnet-raw\t01\texceptions\n", "version 01");
    refuse(HDR "f\t2\tB\n", "frame ids out of order (2 first)");
    refuse(HDR "f\t1\tA\nf\t1\tB\n", "a repeated frame id");
    refuse(HDR "f\t1\tA\nf\t3\tC\n", "a skipped frame id");
    refuse(HDR "f\t0\tA\n", "frame id 0");
    refuse(HDR "t\t2\tT\n", "type ids out of order");
    refuse(HDR "f\t1\tA\ns\t2\t1\n", "stack ids out of order");
    refuse(HDR "f\t1\tA\nf\t2\tB\ns\t1\t1,3\n", "a stack naming an undefined frame");
    refuse(HDR "f\t1\tA\ns\t1\t0\n", "a stack naming frame 0");
    refuse(HDR "s\t1\t1\n", "a stack before any frame");
    refuse(HDR "f\t1\tA\nf\t2\tB\ns\t1\t1,,2\n", "a stack with an empty element");
    refuse(HDR "f\t1\tA\ns\t1\t1,\n", "a stack with a trailing comma");
    refuse(HDR "f\t1\tA\ns\t1\t,1\n", "a stack with a leading comma");
    refuse(HDR "f\t1\tA\ns\t1\t1, 1\n", "a stack with a space");
    refuse(HDR "f\t1\tA\ns\t1\t-1\n", "a stack with a negative id");
    refuse(HDR "f\t1\tA\nf\t2\tB\nend\t1\t0\nf\t3\tC\n", "a record after end");
    refuse(HDR "end\t1\t0\nend\t1\t0\n", "a second end");
    refuse(HDR "f\tone\tA\n", "a frame id that is not a number");
    refuse(HDR "f\t1\n", "a frame record lacking its name");
    refuse(HDR "f\t1\tA\tN 1 10\n", "a native frame of a module not defined");
    refuse(HDR "nm\t1\t/l.so\t-\t0\t10\t20\t0\nf\t1\tA\tN 1 xyz\n", "a native frame address not hex");
    refuse(HDR "nm\t1\t/l.so\t-\t0\t10\t20\t0\nf\t1\tA\tN 1 10 7\n", "an 'N' field with a third value");
    refuse(HDR "nm\t2\t/l.so\t-\t0\t10\t20\t0\n", "a module id out of order");
    refuse(HDR "nm\t1\t/l.so\tabc\t0\t10\t20\t0\n", "a build-id of odd length");
    refuse(HDR "nm\t1\t/l.so\tABCD\t0\t10\t20\t0\n", "a build-id in capitals");
    refuse(HDR "nm\t1\t/l.so\t-\t0\t20\t10\t0\n", "an executable range that ends before it starts");
    refuse(HDR "nm\t1\t/l.so\t-\t0\t10\t20\n", "a module record lacking a field");
    refuse(HDR "nm\t1\t/l.so\t-\t0\t10\t20\t11111111111111111\n", "a 17-digit hex offset");
    refuse(HDR "np\tx\n", "a start time that is not a number");
    refuse(HDR "f\t1\tA\tM 1 6000001 5\n", "a code site in an assembly not defined yet");
    refuse(HDR "mm\t1\t-\t/a.dll\nf\t1\tA\tM 1 6000001\n", "a code site lacking its IL offset");
    refuse(HDR "mm\t1\t-\t/a.dll\nf\t1\tA\tM 1 6000001 5 6\n", "a code site with a fifth part");
    refuse(HDR "mm\t1\t-\t/a.dll\nf\t1\tA\tM 1 6000001 -2\n", "a code site at IL offset -2");
    refuse(HDR "mm\t2\t-\t/a.dll\n", "an assembly id out of order");
    refuse(HDR "mm\t1\t/a.dll\n", "an assembly record lacking its path");
    refuse(HDR "f\t000000000000000000001\tA\n", "a 21-digit frame id");
    refuse(HDR "end\t000000000000000000005\t0\n", "a 21-digit event count");
    refuse(HDR "end\t5\t18446744073709551616\n", "a dropped count above 2^64-1");
    refuse(HDR "end\t5\n", "an end lacking its dropped count");
    refuse(HDR "end\t5\t2\t1\n", "an end with a fourth field");
    refuse(HDR "end\t\t2\n", "an end with an empty count");
    refuse(HDR "\n", "an empty line");
    refuse(HDR "y\t1\n", "a record the callback refuses");
    refuse(HDR "a\tb\tc\td\te\tf\tg\th\ti\tj\tk\tl\tm\tn\to\tp\tq\n", "17 fields");
    refuse("", "an empty file");
    refuse("drdotnet-raw\t1\texceptions", "only a header without its newline");
}

static void parse_refusals_no_callback(void **state)
{
    (void)state;
    refuse_fn(HDR "f\t1\tA\nx\t1\t1\t3\n", NULL, NULL, "an unknown record and no callback");
    refuse_fn(HDR "c\t1\t1\t1\t3\n", NULL, NULL, "a 'c' record and no callback");
}

static void parse_nul_byte(void **state)
{
    (void)state;
    static const char text[] = HDR "f\t1\tA\0B\n";
    size_t len = sizeof text - 1;
    char *buf = malloc(len);
    assert_non_null(buf);
    memcpy(buf, text, len);
    struct drd_rawdata d;
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(buf, len, &d, NULL, NULL, err, sizeof err), -1);
    assert_true(strlen(err) > 0);
    drd_rawdata_free(&d);
    free(buf);
}

static void parse_stack_depth(void **state)
{
    (void)state;
    size_t cap = 8192;
    char *text = malloc(cap);
    assert_non_null(text);

    /* DRD_RAW_MAX_DEPTH frames: accepted */
    size_t n = (size_t)snprintf(text, cap, HDR "f\t1\tA\ns\t1\t1");
    for (int i = 1; i < DRD_RAW_MAX_DEPTH; i++)
        n += (size_t)snprintf(text + n, cap - n, ",1");
    n += (size_t)snprintf(text + n, cap - n, "\n");
    char *buf = malloc(n);
    assert_non_null(buf);
    memcpy(buf, text, n);
    struct drd_rawdata d;
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(buf, n, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_stacks, 1);
    assert_int_equal(d.stacks[0].n, DRD_RAW_MAX_DEPTH);
    assert_int_equal(d.stacks[0].frames[DRD_RAW_MAX_DEPTH - 1], 1);
    drd_rawdata_free(&d);
    free(buf);

    /* one more: refused */
    text[n - 1] = 0;
    n = strlen(text);
    n += (size_t)snprintf(text + n, cap - n, ",1\n");
    refuse(text, "a stack of DRD_RAW_MAX_DEPTH + 1 frames");
    free(text);
}

static void parse_partial_last_line(void **state)
{
    (void)state;
    size_t len;
    char *buf = dup_text(HDR "f\t1\tA\nf\t2\tB\nend\t7\t0\nf\t3\tCu", &len);
    struct drd_rawdata d;
    char err[256] = "";
    assert_int_equal(drd_rawread_parse(buf, len, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_frames, 2);
    assert_string_equal(d.frames[0], "A");
    assert_string_equal(d.frames[1], "B");
    assert_int_equal(d.ended, 1);
    assert_int_equal(d.events, 7);
    drd_rawdata_free(&d);
    free(buf);

    /* cut in the middle of a stack: the frames before it are kept, no stack */
    buf = dup_text(HDR "f\t1\tA\nf\t2\tB\ns\t1\t1,", &len);
    assert_int_equal(drd_rawread_parse(buf, len, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_frames, 2);
    assert_int_equal(d.n_stacks, 0);
    assert_int_equal(d.ended, 0);
    drd_rawdata_free(&d);
    free(buf);

    /* a partial line that would be an error if whole is still ignored */
    buf = dup_text(HDR "f\t1\tA\nf\t9\tgarbage", &len);
    assert_int_equal(drd_rawread_parse(buf, len, &d, NULL, NULL, err, sizeof err), 0);
    assert_int_equal(d.n_frames, 1);
    drd_rawdata_free(&d);
    free(buf);
}

static void parse_failure_after_tables(void **state)
{
    (void)state;
    /* tables built up, then a failure: drd_rawdata_free releases everything (checked by ASan's leak check) */
    size_t cap = 1 << 16;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t n = (size_t)snprintf(text, cap, HDR);
    for (int i = 1; i <= 40; i++)
        n += (size_t)snprintf(text + n, cap - n, "f\t%d\tF\nt\t%d\tT\ns\t%d\t%d,1\n", i, i, i, i);
    snprintf(text + n, cap - n, "s\t41\t1,99\n");
    refuse(text, "a bad stack after 40 good ones");
    free(text);

    /* freeing twice, or freeing a zeroed struct, is harmless */
    struct drd_rawdata d;
    memset(&d, 0, sizeof d);
    drd_rawdata_free(&d);
    drd_rawdata_free(&d);
    assert_int_equal(d.n_stacks, 0);
}

static void raw_u64(void **state)
{
    (void)state;
    uint64_t v = 99;
    assert_int_equal(drd_rawread_u64("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(drd_rawread_u64("42", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(drd_rawread_u64("18446744073709551615", &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(drd_rawread_u64("00000000000000000007", &v), 0); /* 20 digits */
    assert_int_equal(v, 7);
    v = 99;
    assert_int_equal(drd_rawread_u64("18446744073709551616", &v), -1);
    assert_int_equal(drd_rawread_u64("99999999999999999999", &v), -1);
    assert_int_equal(drd_rawread_u64("000000000000000000007", &v), -1); /* 21 digits */
    assert_int_equal(drd_rawread_u64("", &v), -1);
    assert_int_equal(drd_rawread_u64("-1", &v), -1);
    assert_int_equal(drd_rawread_u64("+1", &v), -1);
    assert_int_equal(drd_rawread_u64("1a", &v), -1);
    assert_int_equal(drd_rawread_u64(" 1", &v), -1);
    assert_int_equal(drd_rawread_u64("1 ", &v), -1);
    assert_int_equal(v, 99); /* refusals leave the output alone */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_valid),
        cmocka_unit_test(parse_native),
        cmocka_unit_test(parse_many_records),
        cmocka_unit_test(frame_sites),
        cmocka_unit_test(parse_refusals),
        cmocka_unit_test(parse_refusals_no_callback),
        cmocka_unit_test(parse_nul_byte),
        cmocka_unit_test(parse_stack_depth),
        cmocka_unit_test(parse_partial_last_line),
        cmocka_unit_test(parse_failure_after_tables),
        cmocka_unit_test(raw_u64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
