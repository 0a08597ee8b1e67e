/* A session's profilers: the comma-separated list the user chose, the rules for which can run together, and which
 * profiler each given parameter goes to. Shared by the tool (clear errors before attaching) and the library (the
 * authority: it refuses a request that breaks them and says why in session.json). */
#ifndef DRDOTNET_SELECTION_H
#define DRDOTNET_SELECTION_H

#include <stddef.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/profilers.h"

/* The most profilers one session runs. */
#define DRD_SELECTION_MAX 8

struct drd_selection {
    int n;
    const struct drd_profiler_desc *desc[DRD_SELECTION_MAX];
    /* the parameters given for each, keys without their "<profiler>." prefix */
    int n_params[DRD_SELECTION_MAX];
    struct drd_cd_param params[DRD_SELECTION_MAX][DRD_CD_MAX_PARAMS];
};

/* Fills sel->desc from "name" or "name,name,...", each looked up in t. Returns 0, or -1 with a sentence in err
 * (an empty or unknown name, a name given twice, more than DRD_SELECTION_MAX). */
int drd_selection_parse(const struct drd_profiler_table *t, const char *list, struct drd_selection *sel, char *err,
                        size_t errcap);

/* Checks that the chosen profilers can run in one session of this kind (startup: drdotnet launch): each allows
 * it, and a profiler that takes one snapshot and ends its session (DRD_PROFILER_ONESHOT) runs alone. Returns 0, or
 * -1 with a sentence in err. */
int drd_selection_check(const struct drd_selection *sel, int startup, char *err, size_t errcap);

/* Gives each chosen profiler its parameters: "<profiler>.<key>" goes to that profiler, which must be chosen and
 * take the key; a bare key goes to the one chosen profiler that takes it, or to all that take it for a parameter
 * of the whole session (the common ones: duration, max_stack_depth, max_file_mb); with one profiler every bare key
 * goes to it, so that its own
 * check names an unknown one. Returns 0, or -1 with a sentence in err naming the profilers that take the key
 * (unknown, ambiguous, or given twice). */
int drd_selection_assign(struct drd_selection *sel, const struct drd_cd_param *given, int n_given, char *err,
                         size_t errcap);

/* 1 when key is a parameter of the whole session, which a bare key sets for every profiler that takes it. */
int drd_selection_session_wide(const char *key);

#endif
