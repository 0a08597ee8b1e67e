/* Helpers of the drdotnet command: where the library is, loading its descriptors, messages. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "common/fsutil.h"
#include "common/safetext.h"
#include "drdotnet/version.h"
#include "report/report.h"

void drd_cli_error(const char *fmt, ...)
{
    va_list ap;
    char msg[4096];
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* messages quote reasons, command lines and paths that may come from a target or a session file */
    char *safe = drd_safetext_dup(msg);
    fprintf(stderr, "drdotnet: %s\n", safe ? safe : "(out of memory)");
    free(safe);
}

int drd_cli_ipc_timeout(int fallback)
{
    const char *v = getenv("DRDOTNET_IPC_TIMEOUT_MS");
    int ms = v ? atoi(v) : 0;
    return ms > 0 ? ms : fallback;
}

int drd_cli_tty(FILE *f)
{
    return isatty(fileno(f));
}

int drd_cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* Says in err why the existing sessions folder root is refused. */
static void not_private(const char *root, char *err, size_t errcap)
{
    snprintf(err, errcap,
             "the sessions folder %s is not a private folder of uid %u (a symlink, another owner, or writable by "
             "others): fix it or set DRDOTNET_HOME",
             root, (unsigned)geteuid());
}

int drd_cli_sessions_root_read(char *root, size_t cap, char *err, size_t errcap)
{
    struct stat st;
    if (drd_sessions_root(root, cap)) {
        snprintf(err, errcap, "cannot tell where drdotnet keeps its sessions (set DRDOTNET_HOME)");
        return -1;
    }
    if (lstat(root, &st)) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, errcap, "cannot read the sessions folder %s: %s", root, strerror(errno));
        return -1;
    }
    /* as drd_fs_mkdir_private accepts an existing folder for profile: a folder someone else can fill could hold
     * a session that is a symlink to a folder of theirs choosing, or files that are not what a session wrote */
    if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        not_private(root, err, errcap);
        return -1;
    }
    return 0;
}

int drd_cli_sessions_root_make(char *root, size_t cap, char *err, size_t errcap)
{
    if (drd_sessions_root(root, cap)) {
        snprintf(err, errcap, "cannot tell where drdotnet keeps its sessions (set DRDOTNET_HOME)");
        return -1;
    }
    char parent[4096];
    snprintf(parent, sizeof parent, "%s", root);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = 0;
        if (drd_fs_mkdir_p(parent, 0700)) {
            snprintf(err, errcap, "cannot create %s: %s", parent, strerror(errno));
            return -1;
        }
    }
    /* the sessions hold command lines and heap strings, and this tool (maybe root) writes into them by path:
     * the folder must be ours alone, not a symlink, nor a folder that someone else could fill or swap */
    if (drd_fs_mkdir_private(root, 0700)) {
        if (errno == EEXIST)
            not_private(root, err, errcap);
        else
            snprintf(err, errcap, "cannot create the sessions folder %s: %s", root, strerror(errno));
        return -1;
    }
    return 0;
}

/* Where an installed tool finds its library, relative to the executable's folder (set by the build from the
 * install layout: bin/ and lib/drdotnet/ under one prefix). */
#ifndef DRD_LIB_FROM_BIN
#define DRD_LIB_FROM_BIN "../lib/drdotnet"
#endif

int drd_cli_library_path(char *out, size_t cap, char *err, size_t errcap)
{
    const char *env = getenv("DRDOTNET_LIB");
    char buf[PATH_MAX];
    if (env && *env) {
        if (!realpath(env, buf)) {
            snprintf(err, errcap, "DRDOTNET_LIB=%s: no such file", env);
            return -1;
        }
    } else {
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) {
            snprintf(err, errcap, "cannot find the drdotnet executable's folder");
            return -1;
        }
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        /* beside the executable (the build folder), else the installed layout; resolved, as DRDOTNET_LIB: the
         * copy is read without following a symlink */
        static const char *const dirs[] = {"", "/" DRD_LIB_FROM_BIN};
        size_t i;
        for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
            char cand[PATH_MAX + 64];
            if (snprintf(cand, sizeof cand, "%s%s/libdrdotnet.so", exe, dirs[i]) >= (int)sizeof cand)
                continue;
            if (realpath(cand, buf) && access(buf, R_OK) == 0)
                break;
        }
        if (i == sizeof dirs / sizeof dirs[0]) {
            snprintf(err, errcap,
                     "libdrdotnet.so is neither beside %s/drdotnet nor in %s/%s; set DRDOTNET_LIB to its path", exe,
                     exe, DRD_LIB_FROM_BIN);
            return -1;
        }
    }
    if (strlen(buf) >= cap) {
        snprintf(err, errcap, "library path too long");
        return -1;
    }
    strcpy(out, buf);
    return 0;
}

const struct drd_profiler_table *drd_cli_profilers(char *err, size_t errcap)
{
    static const struct drd_profiler_table *table;
    char path[PATH_MAX];
    if (table)
        return table;
    if (drd_cli_library_path(path, sizeof path, err, errcap))
        return NULL;
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(err, errcap, "cannot load %s: %s", path, dlerror());
        return NULL;
    }
    drd_profilers_fn fn;
    *(void **)&fn = dlsym(h, DRD_PROFILERS_SYMBOL);
    if (!fn) {
        snprintf(err, errcap, "%s has no %s: not a drdotnet library", path, DRD_PROFILERS_SYMBOL);
        return NULL;
    }
    const struct drd_profiler_table *t = fn();
    if (!t || t->abi != DRD_DESCRIPTOR_ABI) {
        snprintf(err, errcap, "%s speaks descriptor version %d, this tool %d: use the library built with it", path,
                 t ? t->abi : -1, DRD_DESCRIPTOR_ABI);
        return NULL;
    }
    /* one build's tool and library go together: a session request or raw format may differ between versions */
    if (!t->version || strcmp(t->version, DRD_VERSION) != 0) {
        snprintf(err, errcap,
                 "%s is version %s but this drdotnet is version %s: install the tool and the library of one build "
                 "together (or set DRDOTNET_LIB to the matching library)",
                 path, t->version ? t->version : "(none)", DRD_VERSION);
        return NULL;
    }
    table = t;
    return table;
}

int drd_cli_add_param(struct drd_run_request *req, const char *kv)
{
    const char *eq = strchr(kv, '=');
    char key[DRD_CD_MAX_KEY], err[256];
    if (!eq || eq == kv || (size_t)(eq - kv) >= sizeof key) {
        drd_cli_error("--param takes KEY=VALUE, not '%s'", kv);
        return -1;
    }
    memcpy(key, kv, (size_t)(eq - kv));
    key[eq - kv] = 0;
    struct drd_client_data tmp = {.n_params = req->n_params};
    memcpy(tmp.params, req->params, sizeof req->params);
    if (drd_cd_add_param(&tmp, key, eq + 1, err, sizeof err)) {
        drd_cli_error("%s", err);
        return -1;
    }
    memcpy(req->params, tmp.params, sizeof req->params);
    req->n_params = tmp.n_params;
    return 0;
}

const char *drd_cli_param_type_name(enum drd_param_type t)
{
    return t == DRD_PARAM_INT ? "int" : t == DRD_PARAM_ENUM ? "enum" : "bool";
}

json_t *drd_cli_profilers_json(const struct drd_profiler_table *t)
{
    json_t *arr = json_array();
    for (int i = 0; i < t->count; i++) {
        const struct drd_profiler_desc *p = t->profilers[i];
        json_t *params = json_array();
        for (int k = 0; k < p->n_params; k++) {
            const struct drd_param_desc *d = &p->params[k];
            json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "key", d->key, "type", drd_cli_param_type_name(d->type),
                                  "default", d->default_value, "description", d->description);
            if (d->type == DRD_PARAM_INT) {
                json_object_set_new(o, "min", json_integer(d->min));
                json_object_set_new(o, "max", json_integer(d->max));
            }
            if (d->type == DRD_PARAM_ENUM)
                json_object_set_new(o, "choices", json_string(d->choices));
            json_array_append_new(params, o);
        }
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:o}", "name", p->name, "clsid", p->clsid,
                                             "description", p->description, "attach",
                                             !!(p->flags & DRD_PROFILER_ATTACH), "launch",
                                             !!(p->flags & DRD_PROFILER_STARTUP), "alone",
                                             !!(p->flags & DRD_PROFILER_ONESHOT), "parameters", params));
    }
    return arr;
}
