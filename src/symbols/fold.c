/* Folding the native frames that stay unnamed: a run of frames of one module becomes one frame, so a tree or a
 * flame graph shows "libcoreclr.so (6 frames)" once instead of six boxes that say nothing. */
#define _GNU_SOURCE
#include "symbols/symbols.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The folded frames made so far: (module, run length) -> frame id. */
struct folds {
    struct {
        uint32_t module, run, id;
    } *e;
    size_t n, cap;
};

static const char *lib_of(const struct drd_rawdata *d, uint32_t module)
{
    const char *p = d->modules[module - 1].path, *slash = strrchr(p, '/');
    return slash && slash[1] ? slash + 1 : p;
}

/* Whether frame id (1-based) is a native frame of a module that has no function name. */
static uint32_t unnamed_module(const struct drd_rawdata *d, uint32_t id)
{
    if (id > d->n_native)
        return 0;
    const struct drd_rawread_native *n = &d->native[id - 1];
    return n->named || n->folded ? 0 : n->module;
}

/* Appends a frame named name (taken) with native entry nat to d. Returns its id, or 0 when out of memory. */
static uint32_t add_frame(struct drd_rawdata *d, char *name, struct drd_rawread_native nat)
{
    if (drd_symbols_own(d, name) || d->n_frames >= UINT32_MAX / 2)
        return 0;
    static const struct drd_rawread_native none;
    while (d->n_native < d->n_frames + 1) { /* the native table catches up with the frames, then takes this one */
        if ((d->n_native & (d->n_native - 1)) == 0) {
            size_t ncap = d->n_native ? (size_t)d->n_native * 2 : 16;
            struct drd_rawread_native *nn = realloc(d->native, ncap * sizeof *nn);
            if (!nn)
                return 0;
            d->native = nn;
        }
        d->native[d->n_native] = d->n_native == d->n_frames ? nat : none;
        d->n_native++;
    }
    if ((d->n_frames & (d->n_frames - 1)) == 0) { /* the frame table's room is the next power of two (rawread) */
        size_t ncap = d->n_frames ? (size_t)d->n_frames * 2 : 16;
        char **nf = realloc(d->frames, ncap * sizeof *nf);
        if (!nf) {
            d->n_native--;
            return 0;
        }
        d->frames = nf;
    }
    d->frames[d->n_frames++] = name;
    return d->n_frames;
}

/* The id of the frame that stands for run frames of module. Returns 0 when out of memory. */
static uint32_t folded_id(struct drd_rawdata *d, struct folds *f, uint32_t module, uint32_t run)
{
    for (size_t i = 0; i < f->n; i++)
        if (f->e[i].module == module && f->e[i].run == run)
            return f->e[i].id;
    if (f->n == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 64;
        void *ne = realloc(f->e, ncap * sizeof *f->e);
        if (!ne)
            return 0;
        f->e = ne;
        f->cap = ncap;
    }
    char *name;
    if (asprintf(&name, "%s (%u frames)", lib_of(d, module), run) < 0)
        return 0;
    uint32_t id = add_frame(d, name, (struct drd_rawread_native){.module = module, .folded = run});
    if (id)
        f->e[f->n++] = (typeof(*f->e)){module, run, id};
    return id;
}

/* Folds the runs of one stack in place. Returns 0 or -1. */
static int fold_stack(struct drd_rawdata *d, struct folds *f, struct drd_rawread_stack *st)
{
    uint32_t out = 0;
    for (uint32_t i = 0; i < st->n;) {
        uint32_t module = unnamed_module(d, st->frames[i]), run = 1;
        while (module && i + run < st->n && unnamed_module(d, st->frames[i + run]) == module)
            run++;
        uint32_t id = st->frames[i];
        if (run > 1 && !(id = folded_id(d, f, module, run)))
            return -1;
        st->frames[out++] = id;
        i += run;
    }
    st->n = out;
    return 0;
}

/* Names each unnamed native frame after its module and address. Returns 0 or -1. */
static int name_apart(struct drd_rawdata *d)
{
    for (uint32_t i = 0; i < d->n_native; i++) {
        const struct drd_rawread_native *n = &d->native[i];
        char *name;
        if (!n->module || n->named || n->folded)
            continue;
        if (asprintf(&name, "%s+0x%llx", lib_of(d, n->module), (unsigned long long)n->addr) < 0 ||
            drd_symbols_own(d, name))
            return -1;
        d->frames[i] = name;
    }
    return 0;
}

int drd_symbols_fold(struct drd_rawdata *d, int fold)
{
    if (d->n_native == 0)
        return 0;
    if (!fold)
        return name_apart(d);
    struct folds f = {0};
    int rc = 0;
    for (uint32_t s = 0; s < d->n_stacks && rc == 0; s++)
        rc = fold_stack(d, &f, &d->stacks[s]);
    free(f.e);
    return rc;
}
