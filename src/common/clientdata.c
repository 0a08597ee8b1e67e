/* Encoding and strict parsing of the session request (client data), format in include/drdotnet/clientdata.h. */
#include "drdotnet/clientdata.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drdotnet/version.h"
#include "common/textcut.h"

int drd_session_id_valid(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n >= DRD_CD_MAX_ID || id[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '_' || c == '.';
        if (!ok)
            return 0;
    }
    return 1;
}

/* A key: [a-z0-9_]+, or "<profiler>.<key>" with the profiler's name in [a-z0-9-]+ (a session of several). */
static int key_valid(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n >= DRD_CD_MAX_KEY)
        return 0;
    const char *dot = strchr(k, '.');
    const char *key = dot ? dot + 1 : k;
    for (const char *c = k; dot && c < dot; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return 0;
    if (dot == k || !*key)
        return 0;
    for (const char *c = key; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_'))
            return 0;
    return 1;
}

/* Printable, no control characters; UTF-8 bytes >= 0x80 pass. */
static int value_valid(const char *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            return 0;
    }
    return 1;
}

int drd_cd_add_param(struct drd_client_data *cd, const char *key, const char *value, char *err, size_t errcap)
{
    if (!key_valid(key)) {
        drd_text_cut(err, errcap,
                     "bad parameter name '%s' (use lowercase letters, digits and '_', or <profiler>.<key>)", key);
        return -1;
    }
    size_t vn = strlen(value);
    if (vn >= DRD_CD_MAX_VALUE || !value_valid(value, vn)) {
        drd_text_cut(err, errcap, "bad value for parameter '%s' (printable text, at most %d bytes)", key,
                     DRD_CD_MAX_VALUE - 1);
        return -1;
    }
    if (cd->n_params >= DRD_CD_MAX_PARAMS) {
        drd_text_cut(err, errcap, "too many parameters (at most %d)", DRD_CD_MAX_PARAMS);
        return -1;
    }
    struct drd_cd_param *p = &cd->params[cd->n_params++];
    snprintf(p->key, sizeof p->key, "%s", key);
    snprintf(p->value, sizeof p->value, "%s", value);
    return 0;
}

static int profiler_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= DRD_CD_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == ','))
            return 0; /* a name, or names separated by commas */
    return 1;
}

int drd_cd_encode(const struct drd_client_data *cd, char *buf, size_t cap, size_t *len)
{
    if (!drd_session_id_valid(cd->session_id) || cd->out_dir[0] != '/' ||
        !value_valid(cd->out_dir, strlen(cd->out_dir)) || !profiler_name_valid(cd->profiler))
        return -1;
    int n = snprintf(buf, cap, "v=%d\nsession=%s\nout=%s\nprofiler=%s\nmode=%s\n", DRD_CLIENT_DATA_VERSION,
                     cd->session_id, cd->out_dir, cd->profiler, cd->mode == DRD_MODE_STARTUP ? "startup" : "attach");
    if (n < 0 || (size_t)n >= cap)
        return -1;
    size_t used = (size_t)n;
    if (cd->tool[0]) {
        if (!value_valid(cd->tool, strlen(cd->tool)))
            return -1;
        n = snprintf(buf + used, cap - used, "tool=%s\n", cd->tool);
        if (n < 0 || (size_t)n >= cap - used)
            return -1;
        used += (size_t)n;
    }
    for (int i = 0; i < cd->n_params; i++) {
        const struct drd_cd_param *p = &cd->params[i];
        if (!key_valid(p->key) || !value_valid(p->value, strlen(p->value)))
            return -1;
        n = snprintf(buf + used, cap - used, "param.%s=%s\n", p->key, p->value);
        if (n < 0 || (size_t)n >= cap - used)
            return -1;
        used += (size_t)n;
    }
    if (used > DRD_CD_MAX_BYTES)
        return -1;
    *len = used;
    return 0;
}

static int copy_field(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap)
        return -1;
    memcpy(dst, v, n);
    dst[n] = 0;
    return 0;
}

int drd_cd_decode(const void *data, size_t len, struct drd_client_data *cd, char *err, size_t errcap)
{
    const char *buf = data;
    int seen_v = 0, seen_session = 0, seen_out = 0, seen_profiler = 0, seen_mode = 0;
    memset(cd, 0, sizeof *cd);
    if (!buf || len == 0) {
        drd_text_cut(err, errcap, "empty session request");
        return -1;
    }
    if (len > DRD_CD_MAX_BYTES) {
        drd_text_cut(err, errcap, "session request too large (%zu bytes, at most %d)", len, DRD_CD_MAX_BYTES);
        return -1;
    }
    size_t pos = 0;
    int line_no = 0;
    while (pos < len) {
        const char *line = buf + pos;
        const char *nl = memchr(line, '\n', len - pos);
        if (!nl) {
            drd_text_cut(err, errcap, "session request line %d has no end of line", line_no + 1);
            return -1;
        }
        size_t n = (size_t)(nl - line);
        pos += n + 1;
        line_no++;
        const char *eq = memchr(line, '=', n);
        if (!eq) {
            drd_text_cut(err, errcap, "session request line %d has no '='", line_no);
            return -1;
        }
        size_t kn = (size_t)(eq - line);
        const char *v = eq + 1;
        size_t vn = n - kn - 1;
        if (memchr(line, 0, n) || !value_valid(v, vn)) {
            drd_text_cut(err, errcap, "session request line %d holds control characters", line_no);
            return -1;
        }
        if (line_no == 1) {
            if (kn != 1 || line[0] != 'v') {
                drd_text_cut(err, errcap, "session request does not start with its version");
                return -1;
            }
        }
#define KEY_IS(lit) (kn == sizeof(lit) - 1 && memcmp(line, lit, kn) == 0)
        if (KEY_IS("v")) {
            if (seen_v++ || vn != 1 || v[0] != '0' + DRD_CLIENT_DATA_VERSION) {
                drd_text_cut(err, errcap, "unsupported session request version '%.*s' (this library reads %d)", (int)vn,
                             v, DRD_CLIENT_DATA_VERSION);
                return -1;
            }
        } else if (KEY_IS("session")) {
            if (seen_session++ || copy_field(cd->session_id, sizeof cd->session_id, v, vn) ||
                !drd_session_id_valid(cd->session_id)) {
                drd_text_cut(err, errcap, "bad or repeated session id");
                return -1;
            }
        } else if (KEY_IS("out")) {
            if (seen_out++ || copy_field(cd->out_dir, sizeof cd->out_dir, v, vn) || cd->out_dir[0] != '/') {
                drd_text_cut(err, errcap, "bad or repeated output folder (an absolute path of at most %d bytes)",
                             DRD_CD_MAX_PATH - 1);
                return -1;
            }
        } else if (KEY_IS("profiler")) {
            if (seen_profiler++ || copy_field(cd->profiler, sizeof cd->profiler, v, vn) ||
                !profiler_name_valid(cd->profiler)) {
                drd_text_cut(err, errcap, "bad or repeated profiler name");
                return -1;
            }
        } else if (KEY_IS("mode")) {
            if (seen_mode++) {
                drd_text_cut(err, errcap, "repeated mode");
                return -1;
            }
            if (vn == 6 && memcmp(v, "attach", 6) == 0)
                cd->mode = DRD_MODE_ATTACH;
            else if (vn == 7 && memcmp(v, "startup", 7) == 0)
                cd->mode = DRD_MODE_STARTUP;
            else {
                drd_text_cut(err, errcap, "bad mode '%.*s' (attach or startup)", (int)vn, v);
                return -1;
            }
        } else if (KEY_IS("tool")) {
            if (cd->tool[0] || copy_field(cd->tool, sizeof cd->tool, v, vn) || !cd->tool[0]) {
                drd_text_cut(err, errcap, "bad or repeated tool version");
                return -1;
            }
        } else if (kn > 6 && memcmp(line, "param.", 6) == 0) {
            char key[DRD_CD_MAX_KEY], val[DRD_CD_MAX_VALUE];
            if (copy_field(key, sizeof key, line + 6, kn - 6) || copy_field(val, sizeof val, v, vn)) {
                drd_text_cut(err, errcap, "parameter name or value too long on line %d", line_no);
                return -1;
            }
            if (drd_cd_add_param(cd, key, val, err, errcap))
                return -1;
        } else {
            drd_text_cut(err, errcap, "unknown field '%.*s' in session request", (int)(kn > 40 ? 40 : kn), line);
            return -1;
        }
#undef KEY_IS
    }
    if (!seen_v || !seen_session || !seen_out || !seen_profiler) {
        drd_text_cut(err, errcap, "session request lacks %s",
                     !seen_v         ? "its version"
                     : !seen_session ? "the session id"
                     : !seen_out     ? "the output folder"
                                     : "the profiler name");
        return -1;
    }
    return 0;
}
