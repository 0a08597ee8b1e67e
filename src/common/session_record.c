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

static void params(struct drd_jsonw *w, const struct drd_param_values *vals)
{
    drd_jsonw_key(w, "parameters");
    drd_jsonw_obj_begin(w);
    for (int i = 0; vals && i < vals->n; i++) {
        const struct drd_param_value *v = &vals->v[i];
        drd_jsonw_key(w, v->desc->key);
        if (v->desc->type == DRD_PARAM_INT)
            drd_jsonw_int(w, v->i);
        else if (v->desc->type == DRD_PARAM_BOOL)
            drd_jsonw_bool(w, (int)v->i);
        else
            drd_jsonw_str(w, v->text);
    }
    drd_jsonw_obj_end(w);
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
    drd_jsonw_key(&w, "profiler");
    drd_jsonw_obj_begin(&w);
    str_field(&w, "name", r->profiler);
    str_field(&w, "clsid", r->clsid ? r->clsid : "");
    str_field(&w, "version", DRD_VERSION);
    drd_jsonw_obj_end(&w);
    str_field(&w, "mode", r->mode);
    params(&w, r->params);
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
        drd_jsonw_key(&w, "events");
        drd_jsonw_uint(&w, r->events);
        drd_jsonw_key(&w, "dropped");
        drd_jsonw_uint(&w, r->dropped);
    }
    str_field(&w, "detach", r->detach);
    str_field(&w, "detach_detail", r->detach_detail);
    str_field(&w, "written_by", r->written_by);
    drd_jsonw_key(&w, "files");
    drd_jsonw_arr_begin(&w);
    for (int i = 0; i < r->n_files && i < DRD_SESSION_RECORD_MAX_FILES; i++)
        drd_jsonw_str(&w, r->files[i]);
    drd_jsonw_arr_end(&w);
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
