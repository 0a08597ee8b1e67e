/* A session's profilers: the list, the rules for running them together, their parameters (see selection.h). */
#include "drdotnet/selection.h"
#include "common/textcut.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int drd_selection_parse(const struct drd_profiler_table *t, const char *list, struct drd_selection *sel, char *err,
                        size_t errcap)
{
    memset(sel, 0, sizeof *sel);
    const char *s = list ? list : "";
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        char name[DRD_CD_MAX_NAME];
        if (n == 0 || n >= sizeof name) {
            drd_text_cut(err, errcap, "'%s' is not a list of profiler names (name,name,...)", list ? list : "");
            return -1;
        }
        memcpy(name, s, n);
        name[n] = 0;
        const struct drd_profiler_desc *d = drd_profiler_find(t, name);
        if (!d) {
            drd_text_cut(err, errcap, "no profiler named '%s' (drdotnet profilers lists them)", name);
            return -1;
        }
        for (int i = 0; i < sel->n; i++)
            if (sel->desc[i] == d) {
                drd_text_cut(err, errcap, "profiler '%s' is named twice", name);
                return -1;
            }
        if (sel->n == DRD_SELECTION_MAX) {
            drd_text_cut(err, errcap, "at most %d profilers run in one session", DRD_SELECTION_MAX);
            return -1;
        }
        sel->desc[sel->n++] = d;
        if (!comma)
            return 0;
        s = comma + 1;
    }
}

int drd_selection_check(const struct drd_selection *sel, int startup, char *err, size_t errcap)
{
    unsigned need = startup ? DRD_PROFILER_STARTUP : DRD_PROFILER_ATTACH;
    for (int i = 0; i < sel->n; i++) {
        const struct drd_profiler_desc *d = sel->desc[i];
        if (!(d->flags & need)) {
            drd_text_cut(err, errcap, "profiler '%s' cannot be %s (%s)", d->name,
                         startup ? "loaded at startup" : "attached to a running process",
                         startup ? "use drdotnet profile" : "use drdotnet launch");
            return -1;
        }
        if (sel->n > 1 && (d->flags & DRD_PROFILER_ONESHOT)) {
            drd_text_cut(
                err, errcap,
                "profiler '%s' takes one snapshot and ends its session as soon as it is written: it runs alone, "
                "not with %s",
                d->name, sel->desc[i == 0 ? 1 : 0]->name);
            return -1;
        }
    }
    return 0;
}

int drd_selection_session_wide(const char *key)
{
    return strcmp(key, "duration") == 0 || strcmp(key, "max_file_mb") == 0 || strcmp(key, "max_stack_depth") == 0;
}

/* 1 when profiler d declares key. */
static int takes(const struct drd_profiler_desc *d, const char *key)
{
    for (int k = 0; k < d->n_params; k++)
        if (strcmp(d->params[k].key, key) == 0)
            return 1;
    return 0;
}

/* Adds key=value to profiler i's parameters. Returns 0, or -1 with err (given twice, too many). */
static int give(struct drd_selection *sel, int i, const char *key, const char *value, char *err, size_t errcap)
{
    for (int k = 0; k < sel->n_params[i]; k++)
        if (strcmp(sel->params[i][k].key, key) == 0) {
            drd_text_cut(err, errcap, "parameter '%s' of profiler '%s' is given twice", key, sel->desc[i]->name);
            return -1;
        }
    if (sel->n_params[i] == DRD_CD_MAX_PARAMS) {
        drd_text_cut(err, errcap, "too many parameters for profiler '%s'", sel->desc[i]->name);
        return -1;
    }
    struct drd_cd_param *p = &sel->params[i][sel->n_params[i]++];
    snprintf(p->key, sizeof p->key, "%s", key);
    snprintf(p->value, sizeof p->value, "%s", value);
    return 0;
}

/* The names of the chosen profilers that take key, "a, b", into out; returns how many. */
static int takers(const struct drd_selection *sel, const char *key, char *out, size_t cap)
{
    int n = 0;
    size_t used = 0;
    out[0] = 0;
    for (int i = 0; i < sel->n; i++)
        if (takes(sel->desc[i], key)) {
            int w = snprintf(out + used, cap - used, "%s%s", n ? " and " : "", sel->desc[i]->name);
            if (w > 0 && (size_t)w < cap - used)
                used += (size_t)w;
            n++;
        }
    return n;
}

/* One "<profiler>.<key>" parameter. Returns 0, or -1 with err. */
static int assign_qualified(struct drd_selection *sel, const struct drd_cd_param *g, const char *dot, char *err,
                            size_t errcap)
{
    size_t pn = (size_t)(dot - g->key);
    const char *key = dot + 1;
    for (int i = 0; i < sel->n; i++) {
        const char *name = sel->desc[i]->name;
        if (strlen(name) != pn || strncmp(name, g->key, pn) != 0)
            continue;
        if (sel->n > 1 && !takes(sel->desc[i], key)) {
            drd_text_cut(err, errcap, "profiler '%s' has no parameter '%s' (drdotnet profilers lists its parameters)",
                         name, key);
            return -1;
        }
        return give(sel, i, key, g->value, err, errcap);
    }
    drd_text_cut(err, errcap, "parameter '%s' names a profiler that is not in this session", g->key);
    return -1;
}

/* One bare parameter. Returns 0, or -1 with err. */
static int assign_bare(struct drd_selection *sel, const struct drd_cd_param *g, char *err, size_t errcap)
{
    if (sel->n == 1)
        return give(sel, 0, g->key, g->value, err, errcap);
    char names[512];
    int n = takers(sel, g->key, names, sizeof names);
    if (n == 0) {
        drd_text_cut(err, errcap, "unknown parameter '%s': none of this session's profilers takes it", g->key);
        return -1;
    }
    if (n > 1 && !drd_selection_session_wide(g->key)) {
        drd_text_cut(err, errcap, "parameter '%s' is taken by %s: say which, as <profiler>.%s", g->key, names, g->key);
        return -1;
    }
    for (int i = 0; i < sel->n; i++)
        if (takes(sel->desc[i], g->key) && give(sel, i, g->key, g->value, err, errcap))
            return -1;
    return 0;
}

int drd_selection_assign(struct drd_selection *sel, const struct drd_cd_param *given, int n_given, char *err,
                         size_t errcap)
{
    for (int i = 0; i < sel->n; i++)
        sel->n_params[i] = 0;
    for (int g = 0; g < n_given; g++) {
        const char *dot = strchr(given[g].key, '.');
        if (dot ? assign_qualified(sel, &given[g], dot, err, errcap) : assign_bare(sel, &given[g], err, errcap))
            return -1;
    }
    return 0;
}
