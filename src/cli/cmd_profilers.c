/* drdotnet profilers: what the library holds, asked of the library itself. */
#include <string.h>

#include <jansson.h>

#include "cli/cli.h"

int drd_cmd_profilers(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (drd_cli_is_help(argv[i])) {
            printf("usage: drdotnet profilers [--json]\n\n"
                   "Lists the profilers of libdrdotnet.so with their parameters (key, type, default, range).\n"
                   "Give parameters to profile/launch with --param KEY=VALUE.\n");
            return DRD_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else {
            drd_tool_error("profilers: unknown option '%s'", argv[i]);
            return DRD_EXIT_USAGE;
        }
    }
    char err[512];
    const struct drd_profiler_table *t = drd_tool_profilers(err, sizeof err);
    if (!t) {
        drd_tool_error("%s", err);
        return DRD_EXIT_FAILED;
    }
    if (json) {
        json_t *arr = drd_tool_profilers_json(t);
        json_dumpf(arr, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(arr);
        return DRD_EXIT_OK;
    }
    for (int i = 0; i < t->count; i++) {
        const struct drd_profiler_desc *p = t->profilers[i];
        printf("%s  %s\n  %s\n  attach: %s, launch: %s\n", p->name, p->clsid, p->description,
               (p->flags & DRD_PROFILER_ATTACH) ? "yes" : "no", (p->flags & DRD_PROFILER_STARTUP) ? "yes" : "no");
        for (int k = 0; k < p->n_params; k++) {
            const struct drd_param_desc *d = &p->params[k];
            char range[96] = "";
            if (d->type == DRD_PARAM_INT)
                snprintf(range, sizeof range, " [%lld..%lld]", (long long)d->min, (long long)d->max);
            else if (d->type == DRD_PARAM_ENUM)
                snprintf(range, sizeof range, " [%s]", d->choices);
            printf("    %-16s %-4s default %-6s%s  %s\n", d->key, drd_tool_param_type_name(d->type), d->default_value,
                   range, d->description);
        }
        printf("\n");
    }
    return DRD_EXIT_OK;
}
