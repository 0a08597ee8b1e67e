/* Lines for the frames of a raw file: each assembly's PDB found and checked once, then a lookup per frame. */
#include "symbols/lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/hotlines.h"
#include "symbols/pdb.h"

/* Why frames got no line, counted by cause, for the sentence the reports print. */
enum { WHY_NO_IL, WHY_NO_POINT, WHY_NO_PDB, WHY_MISMATCH, WHY_CHANGED, WHY_UNREADABLE, WHY_COUNT };

struct assembly {
    int tried;
    struct drd_pdb *pdb;
    int why; /* when pdb is NULL */
};

static int why_of(const char *reason)
{
    if (strstr(reason, "does not match"))
        return WHY_MISMATCH;
    if (strstr(reason, "changed"))
        return WHY_CHANGED;
    if (strstr(reason, "could not be read") || strstr(reason, "not a PE"))
        return WHY_UNREADABLE;
    return WHY_NO_PDB;
}

static struct drd_pdb *pdb_of(const struct drd_rawdata *d, const char *root, struct assembly *a, uint32_t id,
                              int *why)
{
    struct assembly *x = &a[id - 1];
    if (!x->tried) {
        char reason[160], inside[4200];
        const char *path = d->asms[id - 1].path;
        x->tried = 1;
        /* the MVID check makes either copy safe: a file of another build gives no line, never a wrong one */
        int n = root[0] && path[0] == '/' ? snprintf(inside, sizeof inside, "%s%s", root, path) : -1;
        int rc = n > 0 && (size_t)n < sizeof inside
                     ? drd_pdb_for_assembly(inside, d->asms[id - 1].mvid, &x->pdb, reason, sizeof reason)
                     : -1;
        if (rc && drd_pdb_for_assembly(path, d->asms[id - 1].mvid, &x->pdb, reason, sizeof reason))
            x->why = why_of(reason);
    }
    *why = x->why;
    return x->pdb;
}

/* Names frame i after its line. Returns 0, or -1 when out of memory. */
static int set_line(struct drd_rawdata *d, uint32_t i, const char *file, uint32_t line)
{
    struct drd_rawread_line *l = &d->lines[i];
    size_t n = strlen(d->frames[i]) + strlen(drd_path_base(file)) + 24;
    l->label = malloc(n);
    l->file = strdup(file);
    if (!l->label || !l->file) {
        free(l->label);
        free(l->file);
        l->label = l->file = NULL;
        return -1;
    }
    snprintf(l->label, n, "%s (%s:%u)", d->frames[i], drd_path_base(file), line);
    drd_rawread_clean_text(l->label);
    drd_rawread_clean_text(l->file);
    l->line = line;
    return 0;
}

/* The sentence saying why count frames have no line, the commonest cause named first. */
static void explain(struct drd_rawdata *d, const uint32_t *whys)
{
    static const char *const text[WHY_COUNT] = {
        "the runtime gave no IL offset", "no sequence point at that offset", "no PDB beside the assembly or in it",
        "a PDB that does not match the assembly", "an assembly changed since the session",
        "an assembly file that could not be read"};
    uint32_t missing = d->site_frames - d->line_frames;
    if (!missing)
        return;
    size_t len = (size_t)snprintf(d->lines_why, sizeof d->lines_why, "no source line for %u of %u frames:",
                                  missing, d->site_frames);
    const char *sep = " ";
    for (int k = 0; k < WHY_COUNT && len < sizeof d->lines_why; k++) {
        if (!whys[k])
            continue;
        len += (size_t)snprintf(d->lines_why + len, sizeof d->lines_why - len, "%s%u %s", sep, whys[k], text[k]);
        sep = ", ";
    }
}

void drd_lines_apply(struct drd_rawdata *d, const char *root)
{
    const char *env = getenv("DRDOTNET_LINES");
    if (d->n_asms == 0 || d->n_sites == 0 || (env && strcmp(env, "0") == 0))
        return;
    struct assembly *asms = calloc(d->n_asms, sizeof *asms);
    d->lines = calloc(d->n_sites, sizeof *d->lines);
    if (!asms || !d->lines) {
        free(asms);
        free(d->lines);
        d->lines = NULL;
        return;
    }
    uint32_t whys[WHY_COUNT] = {0};
    for (uint32_t i = 0; i < d->n_sites; i++) {
        const struct drd_rawread_site *s = &d->sites[i];
        d->lines[i].method = d->frames[i];
        if (!s->asm_id)
            continue;
        d->site_frames++;
        int why = WHY_NO_IL;
        struct drd_pdb *pdb = s->il >= 0 ? pdb_of(d, root, asms, s->asm_id, &why) : NULL;
        const char *file;
        uint32_t line;
        if (!pdb) {
            whys[why]++;
        } else if (drd_pdb_line(pdb, s->token, (uint32_t)s->il, &file, &line)) {
            whys[WHY_NO_POINT]++;
        } else if (set_line(d, i, file, line) == 0) {
            d->line_frames++;
        }
    }
    explain(d, whys);
    for (uint32_t k = 0; k < d->n_asms; k++)
        drd_pdb_free(asms[k].pdb);
    free(asms);
}
