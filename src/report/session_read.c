/* Finding and reading session folders: the sessions root, listing, resolving what the user typed. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "common/fsutil.h"
#include "drdotnet/clientdata.h"
#include "report/report.h"

#define SESSION_JSON_MAX (1 << 20)

int drd_sessions_root(char *out, size_t cap)
{
    const char *home = getenv("DRDOTNET_HOME");
    int n;
    if (home && *home)
        n = snprintf(out, cap, "%s/sessions", home);
    else {
        const char *xdg = getenv("XDG_DATA_HOME");
        if (xdg && *xdg)
            n = snprintf(out, cap, "%s/drdotnet/sessions", xdg);
        else {
            const char *h = getenv("HOME");
            if (!h || !*h)
                return -1;
            n = snprintf(out, cap, "%s/.local/share/drdotnet/sessions", h);
        }
    }
    return (n < 0 || (size_t)n >= cap) ? -1 : 0;
}

json_t *drd_session_load(const char *dir, char *err, size_t cap)
{
    char path[4096], *text;
    size_t len;
    json_error_t je;
    snprintf(path, sizeof path, "%s/session.json", dir);
    /* a regular file only: a symlink planted there (to a secret) is not followed, a FIFO not waited on */
    if (drd_fs_read_all(path, SESSION_JSON_MAX, &text, &len)) {
        if (errno == ENOENT)
            snprintf(err, cap, "%s has no session.json (still running, or not a session)", dir);
        else if (errno == EFBIG)
            snprintf(err, cap, "%s is too large", path);
        else if (errno == ELOOP || errno == EINVAL)
            snprintf(err, cap, "%s is not a regular file (a symlink?): not read", path);
        else
            snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    free(text);
    if (!j) {
        snprintf(err, cap, "%s is not valid JSON: %s (line %d)", path, je.text, je.line);
        return NULL;
    }
    json_t *reason = json_is_object(j) ? json_object_get(j, "reason") : NULL;
    if (!json_is_object(j) || !json_is_string(json_object_get(j, "id")) ||
        !json_is_string(json_object_get(j, "status")) || !json_is_object(json_object_get(j, "profiler")) ||
        (reason && !json_is_string(reason))) {
        snprintf(err, cap, "%s lacks the fields of a session", path);
        json_decref(j);
        return NULL;
    }
    /* the commands print the reason of any session that did not complete: give them one */
    if (!reason && json_object_set_new(j, "reason", json_string(""))) {
        snprintf(err, cap, "out of memory");
        json_decref(j);
        return NULL;
    }
    return j;
}

static int cmp_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

int drd_sessions_list(const char *root, char ***ids)
{
    *ids = NULL;
    DIR *d = opendir(root);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    struct stat st;
    int n = 0, cap = 0;
    char **v = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        /* a session is a real folder: a symlink there (to a folder elsewhere) is not one, and is never followed */
        if (!drd_session_id_valid(e->d_name) || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
            !S_ISDIR(st.st_mode))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nv = realloc(v, (size_t)cap * sizeof *v);
            if (!nv)
                break;
            v = nv;
        }
        v[n] = strdup(e->d_name);
        if (v[n])
            n++;
    }
    closedir(d);
    if (n)
        qsort(v, (size_t)n, sizeof *v, cmp_desc);
    *ids = v;
    return n;
}

void drd_sessions_free(char **ids, int n)
{
    for (int i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

int drd_session_resolve(const char *root, const char *arg, char *dir, size_t cap, char *err, size_t errcap)
{
    char **ids;
    int n = drd_sessions_list(root, &ids);
    if (n < 0) {
        snprintf(err, errcap, "cannot read the sessions folder %s: %s", root, strerror(errno));
        return -1;
    }
    int found = -1, matches = 0;
    if (strcmp(arg, "last") == 0 && n > 0) {
        found = 0;
        matches = 1;
    } else if (drd_session_id_valid(arg)) {
        for (int i = 0; i < n; i++) {
            if (strcmp(ids[i], arg) == 0) {
                found = i;
                matches = 1;
                break;
            }
            if (strncmp(ids[i], arg, strlen(arg)) == 0) {
                found = i;
                matches++;
            }
        }
    } else {
        snprintf(err, errcap, "'%s' is not a session id", arg);
        drd_sessions_free(ids, n);
        return -1;
    }
    int rc = 0;
    if (matches == 0) {
        snprintf(err, errcap, "no session '%s' in %s (drdotnet sessions lists them)", arg, root);
        rc = -1;
    } else if (matches > 1) {
        snprintf(err, errcap, "'%s' matches %d sessions; give more of the id", arg, matches);
        rc = -1;
    } else
        snprintf(dir, cap, "%s/%s", root, ids[found]);
    drd_sessions_free(ids, n);
    return rc;
}

/* The modification time of path in wall-clock ms (the symlink itself when it is one), or -1. */
static long long mtime_ms(const char *path)
{
    struct stat st;
    if (lstat(path, &st))
        return -1;
    return (long long)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
}

int drd_session_folder_live(const char *dir)
{
    char path[4200];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    long long newest = mtime_ms(dir);
    snprintf(path, sizeof path, "%s/progress.json", dir);
    long long p = mtime_ms(path);
    if (p > newest)
        newest = p;
    return newest >= 0 && (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000 - newest < DRD_SESSION_STALE_MS;
}

/* The profiler of a folder without session.json: the name of its one regular "<profiler>.raw" file when it has
 * one, else the id's last part after the pid ("YYYYMMDD-HHMMSS-<pid>-<profiler>[-N]", without the -N). */
static void infer_profiler(const char *dir, const char *id, char *out, size_t cap, long *pid)
{
    *out = 0;
    *pid = 0;
    const char *p = strlen(id) > 16 && id[8] == '-' && id[15] == '-' ? id + 16 : NULL;
    char *end = NULL;
    long v = p ? strtol(p, &end, 10) : 0;
    if (p && end != p && *end == '-' && v > 0) {
        *pid = v;
        snprintf(out, cap, "%s", end + 1);
        char *dash = strrchr(out, '-');
        if (dash && dash[1] && strspn(dash + 1, "0123456789") == strlen(dash + 1))
            *dash = 0; /* the -N of a second session in the same second */
    }
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    struct stat st;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && n - 4 < cap && strcmp(e->d_name + n - 4, ".raw") == 0 && e->d_name[0] != '.' &&
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
            memcpy(out, e->d_name, n - 4);
            out[n - 4] = 0;
            break;
        }
    }
    closedir(d);
}

json_t *drd_session_infer(const char *dir, const char *id)
{
    char prof[DRD_CD_MAX_ID], raw[DRD_CD_MAX_ID + 8], path[4400];
    long pid;
    infer_profiler(dir, id, prof, sizeof prof, &pid);
    int live = drd_session_folder_live(dir);
    json_t *files = json_array();
    snprintf(raw, sizeof raw, "%s.raw", prof);
    snprintf(path, sizeof path, "%s/%s", dir, raw);
    struct stat st;
    if (*prof && lstat(path, &st) == 0 && S_ISREG(st.st_mode))
        json_array_append_new(files, json_string(raw));
    json_t *s = json_pack("{s:s,s:s,s:s,s:{s:s},s:{s:I},s:o}", "id", id, "status", live ? "running" : "abandoned",
                          "reason", live ? "" : DRD_SESSION_ABANDONED_REASON, "profiler", "name", prof, "target",
                          "pid", (json_int_t)pid, "files", files);
    if (s && json_array_size(files) > 0)
        json_object_set_new(s, "partial", json_true());
    return s;
}

json_t *drd_session_load_any(const char *dir, char *err, size_t cap)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/session.json", dir);
    if (lstat(path, &st) == 0 || errno != ENOENT)
        return drd_session_load(dir, err, cap);
    const char *slash = strrchr(dir, '/');
    json_t *s = drd_session_infer(dir, slash ? slash + 1 : dir);
    if (!s)
        snprintf(err, cap, "out of memory");
    return s;
}
