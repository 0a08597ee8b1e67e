/* Unit tests of the Portable PDB and PE readers (src/symbols/pdb.c) on real files: the fuzz corpus's Lines.dll and
 * Lines.pdb (tests/targets/Lines built with a portable PDB), the same assembly built with its PDB embedded, and
 * the Exceptions target's PDB as another build's. The expected lines are those of tests/targets/Lines/Program.cs
 * when those files were built (the loop's body on line 73, the throw on 106, the call that throws on 92), and the
 * MVID is the one the runtime reported for that Lines.dll in a session. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/fsutil.h"
#include "symbols/pdb.h"
#include "tmpdir.h"

#define CORPUS DRD_SOURCE_DIR "/tests/fuzz/corpus/fuzz_pdb/"

static uint8_t *load(const char *name, size_t *len)
{
    char *buf = NULL;
    assert_int_equal(drd_fs_read_all(name, DRD_PDB_MAX_FILE, &buf, len), 0);
    return (uint8_t *)buf;
}

static void expect_line(struct drd_pdb *p, uint32_t token, uint32_t il, uint32_t want)
{
    const char *file = NULL;
    uint32_t line = 0;
    assert_int_equal(drd_pdb_line(p, token, il, &file, &line), 0);
    assert_int_equal(line, want);
    size_t n = strlen(file);
    assert_true(n >= strlen("Lines/Program.cs"));
    assert_string_equal(file + n - strlen("Lines/Program.cs"), "Lines/Program.cs");
}

static void pdb_lines(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = load(CORPUS "lines.pdb", &len);
    struct drd_pdb *p;
    char err[160];
    assert_int_equal(drd_pdb_parse(buf, len, &p, err, sizeof err), 0);
    expect_line(p, 0x06000004, 9, 73);  /* Hot.Spin, inside the loop's body */
    expect_line(p, 0x06000004, 24, 73); /* the body's second statement, same line */
    expect_line(p, 0x06000007, 36, 106); /* Thrower.Fail: the throw */
    expect_line(p, 0x06000006, 21, 92);  /* Thrower.ThrowMany: the call to Fail */
    const char *file;
    uint32_t line;
    assert_int_equal(drd_pdb_line(p, 0x06000000 | 9999, 0, &file, &line), -1); /* no such method */
    assert_int_equal(drd_pdb_line(p, 0x02000004, 0, &file, &line), -1);        /* a type, not a method */
    drd_pdb_free(p);
    /* cut anywhere, the reader refuses or answers, never reads past the end (the fuzz target checks the same) */
    for (size_t cut = 0; cut < len; cut += len / 97 + 1) {
        uint8_t *part = malloc(cut ? cut : 1);
        memcpy(part, buf, cut);
        if (drd_pdb_parse(part, cut, &p, err, sizeof err) == 0) {
            drd_pdb_line(p, 0x06000004, 9, &file, &line);
            drd_pdb_free(p);
        }
        free(part);
    }
    free(buf);
}

static void pe_ids(void **state)
{
    (void)state;
    size_t len, plen;
    uint8_t *dll = load(CORPUS "lines.dll", &len), *pdb_buf = load(CORPUS "lines.pdb", &plen);
    struct drd_pe_info pe;
    char err[160];
    assert_int_equal(drd_pe_read(dll, len, &pe, err, sizeof err), 0);
    assert_true(pe.has_id);
    assert_true(pe.has_mvid);
    assert_null(pe.embedded);
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", pe.mvid[i]);
    assert_string_equal(hex, "65f5f73af538584b9ba877d5afbc1446");
    struct drd_pdb *p;
    assert_int_equal(drd_pdb_parse(pdb_buf, plen, &p, err, sizeof err), 0);
    assert_memory_equal(drd_pdb_id(p), pe.pdb_id, 20);
    drd_pdb_free(p);
    assert_int_equal(drd_pe_read(pdb_buf, plen, &pe, err, sizeof err), -1); /* a PDB is no PE file */
    free(dll);
    free(pdb_buf);
}

static void copy_to(const char *from, const char *dir, const char *name)
{
    size_t len;
    uint8_t *buf = load(from, &len);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
}

/* The whole search: beside, embedded, missing, another build's, a changed assembly. */
static void for_assembly(void **state)
{
    struct tmp *t = *state;
    char dll[512], why[160];
    struct drd_pdb *p;
    snprintf(dll, sizeof dll, "%s/A.dll", t->dir);
    copy_to(CORPUS "lines.dll", t->dir, "A.dll");
    assert_int_equal(drd_pdb_for_assembly(dll, "-", &p, why, sizeof why), -1);
    assert_string_equal(why, "no PDB");
    copy_to(CORPUS "exceptions.pdb", t->dir, "A.pdb");
    assert_int_equal(drd_pdb_for_assembly(dll, "-", &p, why, sizeof why), -1);
    assert_string_equal(why, "the PDB does not match the assembly");
    copy_to(CORPUS "lines.pdb", t->dir, "A.pdb");
    assert_int_equal(drd_pdb_for_assembly(dll, "65f5f73af538584b9ba877d5afbc1446", &p, why, sizeof why), 0);
    expect_line(p, 0x06000007, 36, 106);
    drd_pdb_free(p);
    assert_int_equal(drd_pdb_for_assembly(dll, "00f5f73af538584b9ba877d5afbc1446", &p, why, sizeof why), -1);
    assert_string_equal(why, "the assembly's file changed since the session");
    /* the PDB embedded in the assembly, nothing beside it */
    snprintf(dll, sizeof dll, "%s/E.dll", t->dir);
    copy_to(CORPUS "lines-embedded.dll", t->dir, "E.dll");
    assert_int_equal(drd_pdb_for_assembly(dll, "-", &p, why, sizeof why), 0);
    expect_line(p, 0x06000004, 9, 73);
    drd_pdb_free(p);
    snprintf(dll, sizeof dll, "%s/missing.dll", t->dir);
    assert_int_equal(drd_pdb_for_assembly(dll, "-", &p, why, sizeof why), -1);
    assert_string_equal(why, "the assembly's file could not be read");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pdb_lines),
        cmocka_unit_test(pe_ids),
        cmocka_unit_test_setup_teardown(for_assembly, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
