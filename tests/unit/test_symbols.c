/* Unit tests for native frames: the module table of the library (src/profiler/natmods.c) on this very process,
 * naming from the ELF files (src/symbols/elf.c) and folding (src/symbols/fold.c). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profiler/natmods.h"
#include "report/rawread.h"
#include "symbols/symbols.h"

/* Parses text (copied: names point into *keep) into d. */
static void parse(const char *text, struct drd_rawdata *d, char **keep)
{
    size_t len = strlen(text);
    *keep = malloc(len + 1);
    assert_non_null(*keep);
    memcpy(*keep, text, len + 1);
    char err[256] = "";
    if (drd_rawread_parse(*keep, len, d, NULL, NULL, err, sizeof err))
        fail_msg("refused: %s", err);
}

#define FOLD_RAW                                                                                                      \
    "drdotnet-raw\t1\tcpu-hotpaths\n"                                                                                  \
    "nm\t1\t/x/libcoreclr.so\t-\t0\t1000\t2000\t1000\nnm\t2\t/x/libc.so.6\t-\t0\t1000\t2000\t1000\n"                 \
    "f\t1\tMain\nf\t2\tlibcoreclr.so\tN 1 1010\nf\t3\tlibcoreclr.so\tN 1 1020\nf\t4\tlibcoreclr.so\tN 1 1030\n"    \
    "f\t5\tlibc.so.6\tN 2 1040\nf\t6\tlibcoreclr.so\tN 1 1050\n"                                                     \
    "s\t1\t5,2,3,4,1,6\ns\t2\t2,3\ns\t3\t3,4,2\n"

static void fold_runs(void **state)
{
    (void)state;
    struct drd_rawdata d;
    char *keep;
    parse(FOLD_RAW, &d, &keep);
    assert_int_equal(drd_symbols_fold(&d, 1), 0);
    /* the run of three libcoreclr frames is one; a frame alone and another module's frame stay */
    assert_int_equal(d.stacks[0].n, 4);
    assert_int_equal(d.stacks[0].frames[0], 5);
    assert_string_equal(d.frames[d.stacks[0].frames[1] - 1], "libcoreclr.so (3 frames)");
    assert_int_equal(d.stacks[0].frames[2], 1);
    assert_int_equal(d.stacks[0].frames[3], 6);
    assert_string_equal(d.frames[5], "libcoreclr.so");
    assert_int_equal(d.stacks[1].n, 1);
    assert_string_equal(d.frames[d.stacks[1].frames[0] - 1], "libcoreclr.so (2 frames)");
    /* the same run length of the same module is the same frame */
    assert_int_equal(d.stacks[2].n, 1);
    assert_int_equal(d.stacks[2].frames[0], d.stacks[0].frames[1]);
    assert_int_equal(d.n_frames, 8);
    assert_int_equal(d.native[d.stacks[0].frames[1] - 1].folded, 3);
    drd_rawdata_free(&d);
    free(keep);
}

static void fold_stops_at_named(void **state)
{
    (void)state;
    struct drd_rawdata d;
    char *keep;
    parse(FOLD_RAW, &d, &keep);
    d.native[2].named = 1; /* frame 3 got a function name */
    d.frames[2] = "coreclr_execute (libcoreclr.so)";
    assert_int_equal(drd_symbols_fold(&d, 1), 0);
    assert_int_equal(d.stacks[0].n, 6); /* 5, 2, 3, 4, 1, 6: no run of two unnamed left */
    assert_string_equal(d.frames[d.stacks[0].frames[2] - 1], "coreclr_execute (libcoreclr.so)");
    drd_rawdata_free(&d);
    free(keep);
}

static void apart_by_address(void **state)
{
    (void)state;
    struct drd_rawdata d;
    char *keep;
    parse(FOLD_RAW, &d, &keep);
    assert_int_equal(drd_symbols_fold(&d, 0), 0);
    assert_int_equal(d.stacks[0].n, 6);
    assert_string_equal(d.frames[1], "libcoreclr.so+0x1010");
    assert_string_equal(d.frames[4], "libc.so.6+0x1040");
    assert_string_equal(d.frames[0], "Main");
    drd_rawdata_free(&d);
    free(keep);
}

/* The raw text of one native frame at fn's address, as the library would record it from this process. */
static void frame_of(const void *fn, const char *build_id_override, char *out, size_t cap)
{
    struct drd_natmods *m = drd_natmods_create();
    assert_non_null(m);
    struct drd_natmod *mod = drd_natmods_find(m, (uint64_t)(uintptr_t)fn);
    assert_non_null(mod);
    char bid[2 * DRD_BUILD_ID_MAX + 1] = "-";
    for (size_t i = 0; i < mod->build_id_len; i++)
        snprintf(bid + 2 * i, 3, "%02x", mod->build_id[i]);
    assert_true(mod->build_id_len > 0);
    snprintf(out, cap, "drdotnet-raw\t1\tcpu-hotpaths\nnm\t1\t%s\t%s\t%llx\t%llx\t%llx\t%llx\nf\t1\t%s\tN 1 %llx\n",
             mod->path, build_id_override ? build_id_override : bid, (unsigned long long)mod->bias,
             (unsigned long long)mod->exec_lo, (unsigned long long)mod->exec_hi, (unsigned long long)mod->exec_off,
             mod->base, (unsigned long long)((uint64_t)(uintptr_t)fn - mod->bias));
    drd_natmods_destroy(m);
}

/* A function of this test program, in its .symtab with its size (the program is the main module). */
__attribute__((noinline)) int drd_test_marker(int x);
__attribute__((noinline)) int drd_test_marker(int x)
{
    return x * 3 + 1;
}

static void names_from_the_file(void **state)
{
    (void)state;
    char text[8192];
    struct drd_rawdata d;
    char *keep;
    /* an address inside drd_test_marker, named from this program's file */
    frame_of((const char *)drd_test_marker + 1, NULL, text, sizeof text);
    parse(text, &d, &keep);
    assert_int_equal(drd_symbols_name(&d, ""), 0);
    assert_int_equal(d.native[0].named, 1);
    assert_string_equal(d.frames[0], "drd_test_marker (test_symbols)");
    assert_string_equal(d.modules[0].symbols, "read");
    drd_rawdata_free(&d);
    free(keep);
    /* the same frame said to come from a file of another build-id: no name rather than a wrong one */
    frame_of((const char *)drd_test_marker + 1, "0000000000000000000000000000000000000000", text, sizeof text);
    parse(text, &d, &keep);
    assert_int_equal(drd_symbols_name(&d, ""), 0);
    assert_int_equal(d.native[0].named, 0);
    assert_string_equal(d.frames[0], "test_symbols");
    assert_string_equal(d.modules[0].symbols, "the file's build-id differs from the one the target loaded");
    drd_rawdata_free(&d);
    free(keep);
}

static void build_id_notes(void **state)
{
    (void)state;
    /* an ABI tag note, then the build-id note: namesz 4 "GNU\0", descsz 4, type 3 */
    const uint8_t notes[] = {4, 0, 0, 0, 16, 0, 0, 0, 1, 0, 0, 0, 'G', 'N', 'U', 0, 0, 0, 0, 0, 3, 0, 0, 0,
                             2, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0,
                             0xde, 0xad, 0xbe, 0xef};
    uint8_t out[DRD_BUILD_ID_MAX];
    assert_int_equal(drd_natmods_build_id(notes, sizeof notes, 4, out, sizeof out), 4);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    assert_int_equal(drd_natmods_build_id(notes, sizeof notes - 1, 4, out, sizeof out), 0); /* cut short */
    assert_int_equal(drd_natmods_build_id(notes, sizeof notes, 4, out, 2), 2);               /* capped */
    assert_int_equal(drd_natmods_build_id(notes, 11, 4, out, sizeof out), 0);                /* no header */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fold_runs),
        cmocka_unit_test(fold_stops_at_named),
        cmocka_unit_test(apart_by_address),
        cmocka_unit_test(names_from_the_file),
        cmocka_unit_test(build_id_notes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
