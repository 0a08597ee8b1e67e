/* Resolving a profiler's parameters against its descriptor: defaults, types, ranges, unknown keys. */
#include "drdotnet/params.h"
#include "drdotnet/raw.h"
#include "common/textcut.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct drd_profiler_desc *drd_profiler_find(const struct drd_profiler_table *t, const char *name)
{
    for (int i = 0; t && i < t->count; i++)
        if (strcmp(t->profilers[i]->name, name) == 0)
            return t->profilers[i];
    return NULL;
}

static int choice_ok(const char *choices, const char *v)
{
    size_t vn = strlen(v);
    const char *c = choices;
    while (c && *c) {
        const char *bar = strchr(c, '|');
        size_t n = bar ? (size_t)(bar - c) : strlen(c);
        if (n == vn && memcmp(c, v, n) == 0)
            return 1;
        c = bar ? bar + 1 : NULL;
    }
    return 0;
}

/* Parses text as the descriptor's type into val. Returns 0, or -1 with err. */
static int parse_value(const struct drd_param_desc *d, const char *text, struct drd_param_value *val, char *err,
                       size_t errcap)
{
    val->desc = d;
    switch (d->type) {
    case DRD_PARAM_INT: {
        char *end = NULL;
        errno = 0;
        long long x = strtoll(text, &end, 10);
        int starts_ok = (text[0] >= '0' && text[0] <= '9') || (text[0] == '-' && text[1] >= '0' && text[1] <= '9');
        if (errno || end == text || *end != 0 || !starts_ok) {
            drd_text_cut(err, errcap, "parameter '%s' must be a whole number, not '%s'", d->key, text);
            return -1;
        }
        if (x < d->min || x > d->max) {
            drd_text_cut(err, errcap, "parameter '%s' must be between %lld and %lld, not %lld", d->key,
                         (long long)d->min, (long long)d->max, x);
            return -1;
        }
        val->i = x;
        snprintf(val->text, sizeof val->text, "%lld", x);
        return 0;
    }
    case DRD_PARAM_ENUM:
        if (!choice_ok(d->choices, text)) {
            drd_text_cut(err, errcap, "parameter '%s' must be one of %s, not '%s'", d->key, d->choices, text);
            return -1;
        }
        snprintf(val->text, sizeof val->text, "%s", text);
        val->i = 0;
        return 0;
    case DRD_PARAM_BOOL:
        if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
            val->i = 1;
        else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
            val->i = 0;
        else {
            drd_text_cut(err, errcap, "parameter '%s' must be true or false, not '%s'", d->key, text);
            return -1;
        }
        snprintf(val->text, sizeof val->text, "%s", val->i ? "true" : "false");
        return 0;
    }
    drd_text_cut(err, errcap, "parameter '%s' has an unknown type", d->key);
    return -1;
}

int drd_params_resolve(const struct drd_profiler_desc *p, const struct drd_cd_param *given, int n_given,
                       struct drd_param_values *out, char *err, size_t errcap)
{
    memset(out, 0, sizeof *out);
    if (p->n_params > DRD_CD_MAX_PARAMS) {
        drd_text_cut(err, errcap, "profiler '%s' declares too many parameters", p->name);
        return -1;
    }
    for (int g = 0; g < n_given; g++) {
        int known = 0;
        for (int k = 0; k < p->n_params; k++)
            known |= strcmp(p->params[k].key, given[g].key) == 0;
        if (!known) {
            char names[512] = "";
            size_t used = 0;
            for (int k = 0; k < p->n_params && used < sizeof names; k++) {
                int n = snprintf(names + used, sizeof names - used, "%s%s", k ? ", " : "", p->params[k].key);
                if (n < 0)
                    break;
                used += (size_t)n;
            }
            drd_text_cut(err, errcap, "unknown parameter '%s' for profiler '%s' (it takes: %s)", given[g].key, p->name,
                         p->n_params ? names : "none");
            return -1;
        }
        for (int h = 0; h < g; h++)
            if (strcmp(given[h].key, given[g].key) == 0) {
                drd_text_cut(err, errcap, "parameter '%s' is given twice", given[g].key);
                return -1;
            }
    }
    for (int k = 0; k < p->n_params; k++) {
        const struct drd_param_desc *d = &p->params[k];
        const char *text = d->default_value;
        int from_user = 0;
        for (int g = 0; g < n_given; g++)
            if (strcmp(given[g].key, d->key) == 0) {
                text = given[g].value;
                from_user = 1;
            }
        if (parse_value(d, text, &out->v[k], err, errcap))
            return -1;
        out->v[k].given = from_user;
    }
    out->n = p->n_params;
    return 0;
}

const struct drd_param_value *drd_params_get(const struct drd_param_values *vals, const char *key)
{
    for (int i = 0; i < vals->n; i++)
        if (strcmp(vals->v[i].desc->key, key) == 0)
            return &vals->v[i];
    return NULL;
}

int64_t drd_params_int(const struct drd_param_values *vals, const char *key, int64_t fallback)
{
    const struct drd_param_value *v = drd_params_get(vals, key);
    return v ? v->i : fallback;
}

/* The parameters a session's core declares once (profilers.h: DRD_COMMON_*). */
static const struct drd_param_desc common[] = {
    {"duration", DRD_PARAM_INT, "10", "seconds to collect (0: until the process exits, launch only)", 0, 86400, NULL},
    {"max_stack_depth", DRD_PARAM_INT, "128", "frames kept per stack, from the leaf up", 1, DRD_RAW_MAX_DEPTH, NULL},
    {"max_file_mb", DRD_PARAM_INT, "256", "stop collecting when the raw data reaches this size", 1, 4096, NULL},
};

const struct drd_param_desc *drd_params_common(unsigned flag)
{
    switch (flag) {
    case DRD_COMMON_DURATION:
        return &common[0];
    case DRD_COMMON_MAX_STACK_DEPTH:
        return &common[1];
    case DRD_COMMON_MAX_FILE_MB:
        return &common[2];
    default:
        return NULL;
    }
}

int drd_params_compose(const struct drd_profiler_desc *p, struct drd_param_desc *out, int cap)
{
    int n = 0;
    int need = p->n_params + !!(p->common & DRD_COMMON_DURATION) + !!(p->common & DRD_COMMON_MAX_STACK_DEPTH) +
               !!(p->common & DRD_COMMON_MAX_FILE_MB);
    if (need > cap)
        return -1;
    if (p->common & DRD_COMMON_DURATION)
        out[n++] = common[0];
    for (int k = 0; k < p->n_params; k++)
        out[n++] = p->params[k];
    if (p->common & DRD_COMMON_MAX_STACK_DEPTH)
        out[n++] = common[1];
    if (p->common & DRD_COMMON_MAX_FILE_MB)
        out[n++] = common[2];
    return n;
}

long long drd_params_deadline_ms(const struct drd_param_values *vals, int n)
{
    long long ms = -1;
    for (int i = 0; i < n; i++) {
        const struct drd_param_value *d = drd_params_get(&vals[i], "duration");
        if (d && d->i * 1000 > ms)
            ms = d->i * 1000;
    }
    return ms < 0 ? DRD_ONESHOT_DEADLINE_S * 1000LL : ms;
}
