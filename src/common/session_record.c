/* The one writer of session.json (see session_record.h). */
#include "common/session_record.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "common/fsutil.h"
#include "common/jsonw.h"
#include "drdotnet/version.h"

void drd_session_iso_time(int64_t ms, char *out, size_t cap)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&s, &tm);
    snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

static void str_field(struct drd_jsonw *w, const char *key, const char *value)
{
    if (!value)
        return;
    drd_jsonw_key(w, key);
    drd_jsonw_str(w, value);
}

/* Writes the value of one parameter. */
static void param_value(struct drd_jsonw *w, const struct drd_param_value *v)
{
    if (v->desc->type == DRD_PARAM_INT)
        drd_jsonw_int(w, v->i);
    else if (v->desc->type == DRD_PARAM_BOOL)
        drd_jsonw_bool(w, (int)v->i);
    else
        drd_jsonw_str(w, v->text);
}

/* "parameters": every part's, its keys prefixed with "<profiler>." when qualify is set. */
static void params(struct drd_jsonw *w, const struct drd_session_part *parts, int n_parts, int qualify)
{
    char key[160];
    drd_jsonw_key(w, "parameters");
    drd_jsonw_obj_begin(w);
    for (int p = 0; p < n_parts; p++)
        for (int i = 0; parts[p].params && i < parts[p].params->n; i++) {
            const struct drd_param_value *v = &parts[p].params->v[i];
            if (qualify)
                snprintf(key, sizeof key, "%s.%s", parts[p].profiler, v->desc->key);
            drd_jsonw_key(w, qualify ? key : v->desc->key);
            param_value(w, v);
        }
    drd_jsonw_obj_end(w);
}

/* "files": every part's data files. */
static void files(struct drd_jsonw *w, const struct drd_session_part *parts, int n_parts)
{
    drd_jsonw_key(w, "files");
    drd_jsonw_arr_begin(w);
    for (int p = 0; p < n_parts; p++)
        for (int f = 0; f < parts[p].n_files && f < DRD_SESSION_PART_MAX_FILES; f++)
            drd_jsonw_str(w, parts[p].files[f]);
    drd_jsonw_arr_end(w);
}

/* "profiler": {name, clsid, version}; the names of all parts, comma-separated, for a session of several. */
static void profiler(struct drd_jsonw *w, const struct drd_session_record *r)
{
    char names[512] = "";
    size_t used = 0;
    for (int p = 0; p < r->n_parts && used < sizeof names; p++) {
        int n = snprintf(names + used, sizeof names - used, "%s%s", p ? "," : "", r->parts[p].profiler);
        used += n > 0 ? (size_t)n : 0;
    }
    drd_jsonw_key(w, "profiler");
    drd_jsonw_obj_begin(w);
    str_field(w, "name", r->n_parts ? names : r->profiler);
    str_field(w, "clsid", r->n_parts && r->parts[0].clsid ? r->parts[0].clsid : "");
    str_field(w, "version", DRD_VERSION);
    drd_jsonw_obj_end(w);
}

/* "profilers": each part of a session of several. */
static void parts(struct drd_jsonw *w, const struct drd_session_record *r)
{
    drd_jsonw_key(w, "profilers");
    drd_jsonw_arr_begin(w);
    for (int p = 0; p < r->n_parts; p++) {
        const struct drd_session_part *part = &r->parts[p];
        drd_jsonw_obj_begin(w);
        str_field(w, "name", part->profiler);
        str_field(w, "clsid", part->clsid ? part->clsid : "");
        params(w, part, 1, 0);
        if (r->has_counts) {
            drd_jsonw_key(w, "events");
            drd_jsonw_uint(w, part->events);
            drd_jsonw_key(w, "dropped");
            drd_jsonw_uint(w, part->dropped);
        }
        files(w, part, 1);
        drd_jsonw_obj_end(w);
    }
    drd_jsonw_arr_end(w);
}

int drd_session_record_write(const char *dir, const struct drd_session_record *r, char *buf, size_t cap)
{
    char t0[40], t1[40];
    struct drd_jsonw w;
    if (cap < 2) {
        errno = ENOSPC;
        return -1;
    }
    drd_session_iso_time(r->start_wall_ms, t0, sizeof t0);
    drd_session_iso_time(r->end_wall_ms, t1, sizeof t1);
    drd_jsonw_init(&w, buf, cap - 1);
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "format");
    drd_jsonw_int(&w, 1);
    str_field(&w, "id", r->id);
    profiler(&w, r);
    str_field(&w, "mode", r->mode);
    params(&w, r->parts, r->n_parts, r->n_parts > 1);
    drd_jsonw_key(&w, "target");
    drd_jsonw_obj_begin(&w);
    drd_jsonw_key(&w, "pid");
    drd_jsonw_int(&w, r->pid);
    str_field(&w, "name", r->name);
    str_field(&w, "command_line", r->command_line);
    str_field(&w, "runtime_version", r->runtime_version);
    drd_jsonw_obj_end(&w);
    str_field(&w, "start", t0);
    str_field(&w, "end", t1);
    drd_jsonw_key(&w, "duration_ms");
    drd_jsonw_int(&w, r->duration_ms);
    str_field(&w, "status", r->status);
    str_field(&w, "reason", r->reason ? r->reason : "");
    if (r->has_counts) {
        uint64_t events = 0, dropped = 0;
        for (int p = 0; p < r->n_parts; p++)
            events += r->parts[p].events, dropped += r->parts[p].dropped;
        drd_jsonw_key(&w, "events");
        drd_jsonw_uint(&w, events);
        drd_jsonw_key(&w, "dropped");
        drd_jsonw_uint(&w, dropped);
    }
    str_field(&w, "detach", r->detach);
    str_field(&w, "detach_detail", r->detach_detail);
    str_field(&w, "written_by", r->written_by);
    files(&w, r->parts, r->n_parts);
    if (r->n_parts > 1)
        parts(&w, r);
    drd_jsonw_obj_end(&w);
    if (drd_jsonw_finish(&w)) {
        errno = ENOSPC;
        return -1;
    }
    buf[w.len] = '\n';
    /* the first record stands: a profiler that ends late (its target was stopped) does not turn the tool's
     * "incomplete" into "completed", and the tool does not overwrite a record the profiler has just written */
    return drd_fs_write_new(dir, "session.json", buf, w.len + 1, 0600);
}
