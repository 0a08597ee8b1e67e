/* What a report says about its native frames: each module, whether its file was read (or why not) and how many
 * of its frames got a name, and the module and address of the frames left without one, for other tools. */
#include "symbols/symbols.h"

#include <stdio.h>
#include <string.h>

#define MAX_UNNAMED 1000 /* addresses listed; the count covers them all */

/* The modules with their frame counts. */
static json_t *modules_json(const struct drd_rawdata *d)
{
    json_t *arr = json_array();
    for (uint32_t m = 0; m < d->n_modules; m++) {
        json_int_t frames = 0, named = 0;
        for (uint32_t i = 0; i < d->n_native; i++)
            if (d->native[i].module == m + 1 && !d->native[i].folded) {
                frames++;
                named += d->native[i].named != 0;
            }
        const struct drd_rawread_module *mod = &d->modules[m];
        json_array_append_new(arr, json_pack("{s:s,s:s?,s:s,s:I,s:I}", "path", mod->path, "build_id",
                                             mod->build_id[0] ? mod->build_id : NULL, "symbols",
                                             mod->symbols ? mod->symbols : "not read (--symbols=false)", "frames",
                                             frames, "named", named));
    }
    return arr;
}

json_t *drd_symbols_summary(const struct drd_rawdata *d)
{
    if (d->n_modules == 0)
        return NULL;
    json_t *unnamed = json_array();
    json_int_t total = 0;
    for (uint32_t i = 0; i < d->n_native; i++) {
        const struct drd_rawread_native *n = &d->native[i];
        if (!n->module || n->named || n->folded)
            continue;
        if (total++ < MAX_UNNAMED) {
            char off[24];
            snprintf(off, sizeof off, "0x%llx", (unsigned long long)n->addr);
            json_array_append_new(unnamed, json_pack("{s:I,s:s}", "module", (json_int_t)n->module - 1, "offset", off));
        }
    }
    return json_pack("{s:o,s:I,s:o}", "modules", modules_json(d), "unnamed_total", total, "unnamed", unnamed);
}

void drd_symbols_attach(json_t *report, const struct drd_rawdata *d)
{
    json_t *native = report ? drd_symbols_summary(d) : NULL;
    if (native)
        json_object_set_new(report, "native", native);
}

void drd_symbols_print(FILE *out, json_t *native)
{
    size_t i;
    json_t *m;
    json_array_foreach(json_object_get(native, "modules"), i, m)
    {
        const char *why = json_string_value(json_object_get(m, "symbols"));
        const char *path = json_string_value(json_object_get(m, "path"));
        json_int_t frames = json_integer_value(json_object_get(m, "frames"));
        if (!why || !path || !frames || strcmp(why, "read") == 0 || path[0] != '/')
            continue;
        const char *lib = strrchr(path, '/') + 1;
        fprintf(out, "%lld native frames of %s have no function name: %s.\n", (long long)frames, lib, why);
    }
}
