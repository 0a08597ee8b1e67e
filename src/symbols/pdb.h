/* Source lines of managed code from Portable PDBs, read in the tool: our own bounded reader of the format (ECMA-335
 * metadata with the debug tables Document and MethodDebugInformation), of the PE debug directory that names an
 * assembly's PDB id (CodeView entry) or embeds its PDB (deflate-compressed), and of the assembly's MVID. */
#ifndef DRD_PDB_H
#define DRD_PDB_H

#include <stddef.h>
#include <stdint.h>

#define DRD_PDB_MAX_FILE (256u << 20) /* largest .dll or .pdb read */

struct drd_pdb;

/* What an assembly's file says about its debug information. */
struct drd_pe_info {
    int has_id; /* a CodeView entry of a Portable PDB */
    uint8_t pdb_id[20]; /* its GUID then the entry's stamp (little-endian), as the PDB's own id */
    char pdb_path[512]; /* the path the entry names ("" when none) */
    int has_mvid;
    uint8_t mvid[16]; /* the Module row's MVID, as stored */
    uint8_t *embedded; /* the embedded Portable PDB, inflated (malloc'ed), or NULL */
    size_t embedded_len;
};

/* Reads a PE file's debug directory and metadata from buf (len bytes). Returns 0, or -1 with a sentence in err
 * (not a PE file, not an assembly, malformed). out->embedded must be freed by the caller. */
int drd_pe_read(const uint8_t *buf, size_t len, struct drd_pe_info *out, char *err, size_t cap);

/* Parses a Portable PDB held in buf (len bytes; copied). Returns 0 with *out, or -1 with a sentence in err. */
int drd_pdb_parse(const uint8_t *buf, size_t len, struct drd_pdb **out, char *err, size_t cap);

/* The PDB's id (20 bytes). */
const uint8_t *drd_pdb_id(const struct drd_pdb *p);

/* The source line of IL offset il in the method of token (a MethodDef token, 0x06xxxxxx): the last sequence point
 * at or before il that is not hidden. Sets *file (the document's full path, valid while p lives) and *line.
 * Returns 0, or -1 when the PDB has no line there (no such method, no sequence point, malformed data). */
int drd_pdb_line(struct drd_pdb *p, uint32_t token, uint32_t il, const char **file, uint32_t *line);

void drd_pdb_free(struct drd_pdb *p);

/* Finds and checks the PDB of the assembly at dll_path: the dll's MVID must equal mvid_hex (32 hex digits, or "-"
 * to skip the check), the PDB (beside the dll: the same name with .pdb, or the file the CodeView entry names in
 * the dll's folder; else embedded in the dll) must carry the dll's PDB id. Returns 0 with *out, or -1 with a
 * short reason in why ("no PDB", "the PDB does not match the assembly", ...). */
int drd_pdb_for_assembly(const char *dll_path, const char *mvid_hex, struct drd_pdb **out, char *why, size_t cap);

#endif
