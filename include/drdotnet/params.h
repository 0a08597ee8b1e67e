/* Checking a profiler's parameters against its descriptor; shared by the tool (early, clear errors) and the
 * library (the authority: it refuses a session with bad parameters and says why in session.json). */
#ifndef DRDOTNET_PARAMS_H
#define DRDOTNET_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "drdotnet/clientdata.h"
#include "drdotnet/profilers.h"

struct drd_param_value {
    const struct drd_param_desc *desc;
    char text[DRD_CD_MAX_VALUE]; /* canonical text of the value in force */
    int64_t i; /* DRD_PARAM_INT and DRD_PARAM_BOOL (0/1) */
    int given; /* 1 if the user set it, 0 for the default */
};

struct drd_param_values {
    int n;
    struct drd_param_value v[DRD_CD_MAX_PARAMS];
};

/* Resolves every parameter of p: the given value if any, else the default. Returns 0, or -1 with a sentence
 * in err for an unknown key, a repeated key or a bad value. */
int drd_params_resolve(const struct drd_profiler_desc *p, const struct drd_cd_param *given, int n_given,
                       struct drd_param_values *out, char *err, size_t errcap);

/* The value of key, or NULL when p has no such parameter. */
const struct drd_param_value *drd_params_get(const struct drd_param_values *vals, const char *key);

/* The integer value of key, or fallback when absent. */
int64_t drd_params_int(const struct drd_param_values *vals, const char *key, int64_t fallback);

/* The descriptor of the common parameter flag (DRD_COMMON_*), or NULL for another value. */
const struct drd_param_desc *drd_params_common(unsigned flag);

/* Fills out (cap entries) with p's parameters as the table lists them: duration (if p takes it), p's own, then
 * max_stack_depth and max_file_mb (if it takes them). Returns the count, or -1 when cap is too small. */
int drd_params_compose(const struct drd_profiler_desc *p, struct drd_param_desc *out, int cap);

/* The session's deadline in milliseconds for profilers with these resolved parameters: the longest duration any
 * of them was given (0: until the process exits), or DRD_ONESHOT_DEADLINE_S when none takes a duration. */
long long drd_params_deadline_ms(const struct drd_param_values *vals, int n);

#endif
