/* Where the native frames of a raw file get their names: the target's files, found from its session. */
#define _GNU_SOURCE
#include "symbols/symbols.h"

#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>

#include "diag/proc.h"
#include "report/report.h"

static int opt_resolve = 1, opt_fold = 1;
static _Thread_local int apart;

void drd_symbols_configure(int resolve, int fold)
{
    opt_resolve = resolve;
    opt_fold = fold;
}

int drd_symbols_keep_apart(int on)
{
    int was = apart;
    apart = on;
    return was;
}

void drd_symbols_target_root(const char *raw_path, const struct drd_rawdata *d, char *root, size_t cap)
{
    root[0] = 0;
    char dir[4096], err[256];
    if (!d->start_ticks || snprintf(dir, sizeof dir, "%s", raw_path) >= (int)sizeof dir)
        return;
    json_t *s = drd_session_load(dirname(dir), err, sizeof err);
    json_t *pid = s ? json_object_get(json_object_get(s, "target"), "pid") : NULL;
    json_int_t p = json_is_integer(pid) ? json_integer_value(pid) : 0;
    unsigned long long ticks = 0;
    if (p > 0 && p < (1 << 30) && drd_proc_start_time((pid_t)p, &ticks) == 0 && ticks == d->start_ticks)
        snprintf(root, cap, "/proc/%lld/root", (long long)p);
    json_decref(s);
}

int drd_symbols_apply(const char *raw_path, struct drd_rawdata *d)
{
    if (d->n_native == 0)
        return 0;
    if (opt_resolve) {
        char root[64];
        drd_symbols_target_root(raw_path, d, root, sizeof root);
        if (drd_symbols_name(d, root))
            return -1;
    }
    return drd_symbols_fold(d, opt_fold && !apart);
}
