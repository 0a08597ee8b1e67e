/* Fuzz target: the Portable PDB reader and the PE reader that finds an assembly's PDB id, MVID and embedded PDB
 * (src/symbols/pdb.c). An input starting "MZ" is read as an assembly (its embedded PDB then read as a PDB), any
 * other as a PDB; every method's lines are looked up at a spread of IL offsets. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzutil.h"
#include "symbols/pdb.h"

static void lookups(const uint8_t *data, size_t size)
{
    struct drd_pdb *p;
    char err[160];
    if (drd_pdb_parse(data, size, &p, err, sizeof err)) {
        DRD_FUZZ_CHECK(err[0] != 0, "a refusal without a reason");
        return;
    }
    for (uint32_t row = 1; row <= 64; row++) {
        for (uint32_t il = 0; il < 256; il += 17) {
            const char *file = NULL;
            uint32_t line = 0;
            if (drd_pdb_line(p, 0x06000000 | row, il, &file, &line) == 0) {
                DRD_FUZZ_CHECK(file != NULL, "a line without its file");
                DRD_FUZZ_CHECK(line > 0 && line < 0xfeefee, "a hidden or zero line given as a line");
            }
        }
    }
    drd_pdb_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= 2 && data[0] == 'M' && data[1] == 'Z') {
        struct drd_pe_info pe;
        char err[160];
        if (drd_pe_read(data, size, &pe, err, sizeof err) == 0) {
            DRD_FUZZ_CHECK(strlen(pe.pdb_path) < sizeof pe.pdb_path, "an unterminated PDB path");
            if (pe.embedded)
                lookups(pe.embedded, pe.embedded_len);
            free(pe.embedded);
        }
        return 0;
    }
    lookups(data, size);
    return 0;
}
