/* Unit tests for the exporters (src/report/export.c): folded, speedscope and pprof, read back independently. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "tmpdir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "report/export.h"
#include "common/fsutil.h"

static void put_file(const struct tmp *t, const char *name, const char *text, char *path, size_t cap)
{
    drd_tmp_write(t, name, text, strlen(text), path, cap);
}

/* Three threads in cpu mode (the same data as test_cpu_report.c). Frame 9 is named like frame 2; stack 6 has
 * the names of stack 1; stack 7 is never sampled, [native] never used.
 *   tid 100: s1 x3 (10 ns each), s2 (5), s6 (10)          5 samples, 45 ns
 *   tid 200: s3 x2 (10 each), s4 x2 (10 each), s1 (2)     5 samples, 42 ns
 *   tid 300: s5 x4 (0 each)                                4 samples,  0 ns */
static const char CPU[] = "drdotnet-raw\t1\tcpu-hotpaths\n"
                          "m\tmode\tcpu\n"
                          "m\tfrequency\t100\n"
                          "m\tperiod_ns\t10000000\n"
                          "f\t1\tMain\n"
                          "f\t2\tWork\n"
                          "f\t3\tCompute\n"
                          "f\t4\tRecurse\n"
                          "f\t5\tHelper\n"
                          "f\t6\t[native]\n"
                          "f\t7\tIdle\n"
                          "f\t8\tSystem.Collections.Generic.List<System.Int32>.Add\n"
                          "f\t9\tWork\n"
                          "s\t1\t3,2,1\n"
                          "s\t2\t8,2,1\n"
                          "s\t3\t4,4,4,1\n"
                          "s\t4\t5,4,4,1\n"
                          "s\t5\t7\n"
                          "s\t6\t3,9,1\n"
                          "s\t7\t2,1\n"
                          "n\t100\tMain thread\n"
                          "n\t200\tworker\n"
                          "p\t100\t1\t10\n"
                          "p\t200\t3\t10\n"
                          "p\t100\t1\t10\n"
                          "p\t200\t3\t10\n"
                          "p\t100\t1\t10\n"
                          "p\t300\t5\t0\n"
                          "p\t300\t5\t0\n"
                          "n\t200\tworker-2\n"
                          "p\t300\t5\t0\n"
                          "p\t300\t5\t0\n"
                          "p\t100\t2\t5\n"
                          "p\t100\t6\t10\n"
                          "p\t200\t4\t10\n"
                          "p\t200\t4\t10\n"
                          "p\t200\t1\t2\n"
                          "end\t14\t0\n";

static const char MERGED[] = "drdotnet-raw\t1\tmerged-stacks\n"
                             "f\t1\tMain\n"
                             "f\t2\tWait\n"
                             "f\t3\tMonitor.Enter\n"
                             "f\t4\tWorker.Run\n"
                             "f\t5\tThreadPool.Dispatch\n"
                             "s\t1\t2,1\n"
                             "s\t2\t3,4,5\n"
                             "s\t3\t2,4,5\n"
                             "n\t10\tmain\n"
                             "w\t10\t1\n"
                             "w\t30\t2\n"
                             "w\t20\t2\n"
                             "w\t40\t3\n"
                             "end\t4\t0\n";

/* Runs an exporter that writes to a FILE and gives what it wrote (caller frees), or NULL with err. */
static char *folded_of(const char *raw, char *err, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    int rc = drd_export_folded(raw, f, err, cap);
    fclose(f);
    if (rc) {
        free(text);
        return NULL;
    }
    return text;
}

static char *speedscope_of(const char *raw, const char *name, char *err, size_t cap)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    int rc = drd_export_speedscope(raw, name, f, err, cap);
    fclose(f);
    if (rc) {
        free(text);
        return NULL;
    }
    return text;
}

static void folded_cpu(void **state)
{
    char path[512], err[256] = "";
    put_file(*state, "cpu.raw", CPU, path, sizeof path);
    char *text = folded_of(path, err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    /* sorted; stacks 1 and 6 fold into one line (4 + 1) */
    assert_string_equal(text, "Idle 4\n"
                              "Main;Recurse;Recurse;Helper 2\n"
                              "Main;Recurse;Recurse;Recurse 2\n"
                              "Main;Work;Compute 5\n"
                              "Main;Work;System.Collections.Generic.List<System.Int32>.Add 1\n");
    unsigned long long sum = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        char *sp = nl;
        while (sp > line && sp[-1] != ' ')
            sp--;
        sum += strtoull(sp, NULL, 10);
        line = nl + 1;
    }
    assert_int_equal(sum, 14);
    free(text);
}

static void folded_odd_names(void **state)
{
    char path[512], err[256] = "";
    put_file(*state, "odd.raw",
             "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tA;B\nf\t2\tC\r\ns\t1\t1,2\ns\t2\t\n"
             "p\t1\t1\t5\np\t1\t2\t5\np\t2\t2\t5\n",
             path, sizeof path);
    char *text = folded_of(path, err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    /* the raw reader already turned the carriage return into a space; the exporter replaces the ';' */
    assert_string_equal(text, "(no stack) 2\nC ;A_B 1\n");
    free(text);
}

static void folded_merged(void **state)
{
    char path[512], err[256] = "";
    put_file(*state, "merged.raw", MERGED, path, sizeof path);
    char *text = folded_of(path, err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    assert_string_equal(text, "Main;Wait 1\n"
                              "ThreadPool.Dispatch;Worker.Run;Monitor.Enter 2\n"
                              "ThreadPool.Dispatch;Worker.Run;Wait 1\n");
    free(text);
}

static json_int_t num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("no integer '%s'", k);
    return json_integer_value(v);
}

static const char *str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_string(v))
        fail_msg("no string '%s'", k);
    return json_string_value(v);
}

/* Checks the keys the speedscope schema requires of the file and of each sampled profile, the frame indexes,
 * and that weights match samples. Returns the parsed file. */
static json_t *check_speedscope(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        fail_msg("not JSON: %s (line %d)", je.text, je.line);
    assert_string_equal(str(j, "$schema"), "https://www.speedscope.app/file-format-schema.json");
    json_t *frames = json_object_get(json_object_get(j, "shared"), "frames");
    assert_true(json_is_array(frames));
    size_t i;
    json_t *f;
    json_array_foreach(frames, i, f)
    {
        assert_true(json_is_string(json_object_get(f, "name")));
    }
    json_t *profiles = json_object_get(j, "profiles");
    assert_true(json_array_size(profiles) > 0);
    assert_int_equal(num(j, "activeProfileIndex"), 0);
    assert_true(json_is_string(json_object_get(j, "exporter")));
    json_t *p;
    json_array_foreach(profiles, i, p)
    {
        assert_string_equal(str(p, "type"), "sampled");
        assert_true(json_is_string(json_object_get(p, "name")));
        assert_true(json_is_string(json_object_get(p, "unit")));
        assert_int_equal(num(p, "startValue"), 0);
        json_t *samples = json_object_get(p, "samples"), *weights = json_object_get(p, "weights");
        assert_true(json_is_array(samples));
        assert_int_equal(json_array_size(samples), json_array_size(weights));
        json_int_t sum = 0;
        size_t k;
        json_t *w, *s;
        json_array_foreach(weights, k, w)
        {
            assert_true(json_is_integer(w));
            sum += json_integer_value(w);
        }
        assert_int_equal(num(p, "endValue"), sum);
        json_array_foreach(samples, k, s)
        {
            size_t m;
            json_t *idx;
            json_array_foreach(s, m, idx)
            {
                assert_true(json_is_integer(idx));
                assert_true(json_integer_value(idx) >= 0 && (size_t)json_integer_value(idx) < json_array_size(frames));
            }
        }
    }
    return j;
}

/* The frame names of a sample, root first, joined with ';'. */
static void sample_names(json_t *file, json_t *sample, char *out, size_t cap)
{
    json_t *frames = json_object_get(json_object_get(file, "shared"), "frames");
    size_t n = 0, i;
    json_t *idx;
    out[0] = 0;
    json_array_foreach(sample, i, idx)
    {
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ";" : "",
                              str(json_array_get(frames, (size_t)json_integer_value(idx)), "name"));
    }
}

static void speedscope_cpu(void **state)
{
    char path[512], err[256] = "", names[512];
    put_file(*state, "cpu.raw", CPU, path, sizeof path);
    char *text = speedscope_of(path, "my \"session\"", err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    json_t *j = check_speedscope(text);
    free(text);
    assert_string_equal(str(j, "name"), "my \"session\"");
    assert_int_equal(json_array_size(json_object_get(json_object_get(j, "shared"), "frames")), 7); /* distinct, used */
    json_t *profiles = json_object_get(j, "profiles");
    assert_int_equal(json_array_size(profiles), 3);
    /* busiest thread first; consecutive samples in one stack merged, in time order */
    json_t *p = json_array_get(profiles, 0);
    assert_string_equal(str(p, "name"), "Main thread (100)");
    assert_string_equal(str(p, "unit"), "nanoseconds");
    assert_int_equal(num(p, "endValue"), 45);
    json_t *samples = json_object_get(p, "samples"), *weights = json_object_get(p, "weights");
    assert_int_equal(json_array_size(samples), 3);
    assert_int_equal(json_integer_value(json_array_get(weights, 0)), 30);
    assert_int_equal(json_integer_value(json_array_get(weights, 1)), 5);
    assert_int_equal(json_integer_value(json_array_get(weights, 2)), 10);
    sample_names(j, json_array_get(samples, 0), names, sizeof names);
    assert_string_equal(names, "Main;Work;Compute");
    sample_names(j, json_array_get(samples, 1), names, sizeof names);
    assert_string_equal(names, "Main;Work;System.Collections.Generic.List<System.Int32>.Add");
    assert_true(json_equal(json_array_get(samples, 0), json_array_get(samples, 2))); /* same names, same frames */
    p = json_array_get(profiles, 1);
    assert_string_equal(str(p, "name"), "worker-2 (200)");
    assert_int_equal(num(p, "endValue"), 42);
    assert_int_equal(json_array_size(json_object_get(p, "samples")), 3);
    sample_names(j, json_array_get(json_object_get(p, "samples"), 0), names, sizeof names);
    assert_string_equal(names, "Main;Recurse;Recurse;Recurse");
    p = json_array_get(profiles, 2);
    assert_string_equal(str(p, "name"), "thread 300");
    assert_int_equal(num(p, "endValue"), 0);
    assert_int_equal(json_array_size(json_object_get(p, "samples")), 1);
    json_decref(j);
}

static void speedscope_merged(void **state)
{
    char path[512], err[256] = "", names[512];
    put_file(*state, "merged.raw", MERGED, path, sizeof path);
    char *text = speedscope_of(path, "snapshot", err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    json_t *j = check_speedscope(text);
    free(text);
    json_t *profiles = json_object_get(j, "profiles");
    assert_int_equal(json_array_size(profiles), 1);
    json_t *p = json_array_get(profiles, 0);
    assert_string_equal(str(p, "unit"), "none");
    assert_int_equal(num(p, "endValue"), 4);
    json_t *samples = json_object_get(p, "samples");
    assert_int_equal(json_array_size(samples), 4); /* one per thread, by tid */
    sample_names(j, json_array_get(samples, 0), names, sizeof names);
    assert_string_equal(names, "Main;Wait");
    sample_names(j, json_array_get(samples, 3), names, sizeof names);
    assert_string_equal(names, "ThreadPool.Dispatch;Worker.Run;Wait");
    json_decref(j);

    /* a tid twice with the same stack: one sample of weight 2 */
    put_file(*state, "twice.raw", "drdotnet-raw\t1\tmerged-stacks\nf\t1\tA\ns\t1\t1\nw\t7\t1\nw\t7\t1\nw\t8\t1\n", path,
             sizeof path);
    text = speedscope_of(path, "twice", err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    j = check_speedscope(text);
    free(text);
    p = json_array_get(json_object_get(j, "profiles"), 0);
    assert_int_equal(num(p, "endValue"), 3);
    assert_int_equal(json_array_size(json_object_get(p, "samples")), 2);
    json_decref(j);
}

/* ---- an independent reader of the pprof protobuf ---- */

struct rd {
    const uint8_t *p, *end;
};

static uint64_t varint(struct rd *r)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end)
            fail_msg("varint runs past its message");
        uint8_t b = *r->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
    fail_msg("varint longer than 10 bytes");
    return 0;
}

/* Reads the next field: its number, and either its varint value or its bytes. Returns 0 at the end. */
static int field(struct rd *r, uint32_t *num_, uint64_t *value, struct rd *bytes)
{
    if (r->p >= r->end)
        return 0;
    uint64_t key = varint(r);
    *num_ = (uint32_t)(key >> 3);
    switch (key & 7) {
    case 0:
        *value = varint(r);
        bytes->p = bytes->end = NULL;
        return 1;
    case 2: {
        uint64_t len = varint(r);
        if (len > (uint64_t)(r->end - r->p))
            fail_msg("field %u runs past its message", *num_);
        bytes->p = r->p;
        bytes->end = r->p + len;
        r->p += len;
        *value = len;
        return 1;
    }
    default:
        fail_msg("field %u has wire type %u, which pprof does not use", *num_, (unsigned)(key & 7));
        return 0;
    }
}

#define MAXN 64

struct vt {
    uint64_t type, unit;
};

struct sample {
    uint64_t loc[MAXN], val[4];
    int nloc, nval;
};

struct profile {
    char *strings[MAXN];
    int nstrings;
    struct vt types[4];
    int ntypes;
    struct sample samples[MAXN];
    int nsamples;
    uint64_t loc_id[MAXN], loc_fn[MAXN], loc_line[MAXN];
    int nlocs;
    uint64_t fn_id[MAXN], fn_name[MAXN], fn_sys[MAXN], fn_file[MAXN];
    int nfns;
    struct vt period_type;
    uint64_t period;
    uint64_t default_type; /* a string index, 0 when not given */
};

/* Reads a packed or a single varint into list. */
static void repeated(struct rd *b, uint64_t value, int wire_len, uint64_t *list, int *n, int max)
{
    if (!wire_len) {
        assert_true(*n < max);
        list[(*n)++] = value;
        return;
    }
    while (b->p < b->end) {
        assert_true(*n < max);
        list[(*n)++] = varint(b);
    }
}

static struct vt value_type(struct rd b)
{
    struct vt v = {0, 0};
    uint32_t n;
    uint64_t x;
    struct rd sub;
    while (field(&b, &n, &x, &sub)) {
        if (n == 1)
            v.type = x;
        else if (n == 2)
            v.unit = x;
    }
    return v;
}

static void decode(const uint8_t *data, size_t len, struct profile *pr)
{
    memset(pr, 0, sizeof *pr);
    struct rd r = {data, data + len}, b, c, d;
    uint32_t n, m, k;
    uint64_t v, w, u;
    while (field(&r, &n, &v, &b)) {
        switch (n) {
        case 1:
            assert_true(pr->ntypes < 4);
            pr->types[pr->ntypes++] = value_type(b);
            break;
        case 2: {
            assert_true(pr->nsamples < MAXN);
            struct sample *s = &pr->samples[pr->nsamples++];
            while (field(&b, &m, &w, &c)) {
                if (m == 1)
                    repeated(&c, w, c.p != NULL, s->loc, &s->nloc, MAXN);
                else if (m == 2)
                    repeated(&c, w, c.p != NULL, s->val, &s->nval, 4);
            }
            break;
        }
        case 4:
            assert_true(pr->nlocs < MAXN);
            while (field(&b, &m, &w, &c)) {
                if (m == 1)
                    pr->loc_id[pr->nlocs] = w;
                else if (m == 4) {
                    assert_int_equal(pr->loc_fn[pr->nlocs], 0); /* one line per location */
                    while (field(&c, &k, &u, &d))
                        if (k == 1)
                            pr->loc_fn[pr->nlocs] = u;
                        else if (k == 2)
                            pr->loc_line[pr->nlocs] = u;
                }
            }
            pr->nlocs++;
            break;
        case 5:
            assert_true(pr->nfns < MAXN);
            while (field(&b, &m, &w, &c)) {
                if (m == 1)
                    pr->fn_id[pr->nfns] = w;
                else if (m == 2)
                    pr->fn_name[pr->nfns] = w;
                else if (m == 3)
                    pr->fn_sys[pr->nfns] = w;
                else if (m == 4)
                    pr->fn_file[pr->nfns] = w;
            }
            pr->nfns++;
            break;
        case 6:
            assert_true(pr->nstrings < MAXN);
            pr->strings[pr->nstrings] = strndup(b.p ? (const char *)b.p : "", (size_t)v);
            pr->nstrings++;
            break;
        case 11:
            pr->period_type = value_type(b);
            break;
        case 12:
            pr->period = v;
            break;
        case 14:
            pr->default_type = v;
            break;
        default:
            break;
        }
    }
}

static void free_profile(struct profile *pr)
{
    for (int i = 0; i < pr->nstrings; i++)
        free(pr->strings[i]);
}

/* Reads a gzip file whole (caller frees). */
static uint8_t *gunzip(const char *path, size_t *len)
{
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    size_t cap = 1 << 16;
    uint8_t *buf = malloc(cap);
    assert_non_null(buf);
    *len = 0;
    for (;;) {
        if (*len == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        int n = gzread(gz, buf + *len, (unsigned)(cap - *len));
        assert_true(n >= 0);
        if (n == 0)
            break;
        *len += (size_t)n;
    }
    assert_int_equal(gzclose(gz), Z_OK);
    return buf;
}

static const char *string_at(const struct profile *pr, uint64_t i)
{
    assert_true(i < (uint64_t)pr->nstrings);
    return pr->strings[i];
}

/* The function name of a location id. */
static const char *location_name(const struct profile *pr, uint64_t id)
{
    for (int i = 0; i < pr->nlocs; i++)
        if (pr->loc_id[i] == id)
            for (int f = 0; f < pr->nfns; f++)
                if (pr->fn_id[f] == pr->loc_fn[i])
                    return string_at(pr, pr->fn_name[f]);
    fail_msg("location %llu has no function", (unsigned long long)id);
    return NULL;
}

/* The names of a sample, leaf first, joined with ';'. */
static void pprof_names(const struct profile *pr, const struct sample *s, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < s->nloc; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%s", i ? ";" : "", location_name(pr, s->loc[i]));
}

/* Checks what any profile must hold: "" first, unique nonzero ids, functions named by distinct strings. */
static void check_pprof(const struct profile *pr)
{
    assert_true(pr->nstrings > 0);
    assert_string_equal(pr->strings[0], "");
    for (int i = 0; i < pr->nlocs; i++) {
        assert_true(pr->loc_id[i] != 0);
        for (int k = 0; k < i; k++) {
            assert_true(pr->loc_id[k] != pr->loc_id[i]);
            assert_true(pr->loc_fn[k] != pr->loc_fn[i]); /* one location per function */
        }
    }
    for (int i = 0; i < pr->nfns; i++) {
        assert_true(pr->fn_id[i] != 0);
        assert_string_equal(string_at(pr, pr->fn_name[i]), string_at(pr, pr->fn_sys[i]));
        for (int k = 0; k < i; k++) {
            assert_true(pr->fn_id[k] != pr->fn_id[i]);
            assert_string_not_equal(string_at(pr, pr->fn_name[k]), string_at(pr, pr->fn_name[i]));
        }
    }
    for (int i = 0; i < pr->nsamples; i++) {
        assert_int_equal(pr->samples[i].nval, pr->ntypes);
        for (int k = 0; k < pr->samples[i].nloc; k++)
            location_name(pr, pr->samples[i].loc[k]);
    }
}

static const struct sample *sample_named(const struct profile *pr, const char *names)
{
    char buf[512];
    for (int i = 0; i < pr->nsamples; i++) {
        pprof_names(pr, &pr->samples[i], buf, sizeof buf);
        if (strcmp(buf, names) == 0)
            return &pr->samples[i];
    }
    fail_msg("no sample %s", names);
    return NULL;
}

static void pprof_cpu(void **state)
{
    struct tmp *t = *state;
    char path[512], out[600], err[256] = "";
    put_file(t, "cpu.raw", CPU, path, sizeof path);
    drd_fs_path(out, sizeof out, "%s/cpu.pb.gz", t->dir);
    if (drd_export_pprof(path, out, err, sizeof err))
        fail_msg("%s", err);
    size_t len;
    uint8_t *data = gunzip(out, &len);
    struct profile pr;
    decode(data, len, &pr);
    free(data);
    check_pprof(&pr);
    assert_int_equal(pr.ntypes, 2);
    assert_string_equal(string_at(&pr, pr.types[0].type), "samples");
    assert_string_equal(string_at(&pr, pr.types[0].unit), "count");
    assert_string_equal(string_at(&pr, pr.types[1].type), "cpu");
    assert_string_equal(string_at(&pr, pr.types[1].unit), "nanoseconds");
    assert_string_equal(string_at(&pr, pr.period_type.type), "cpu");
    assert_string_equal(string_at(&pr, pr.period_type.unit), "nanoseconds");
    assert_int_equal(pr.period, 10000000);
    assert_int_equal(pr.nsamples, 6); /* the sampled stack ids */
    assert_int_equal(pr.nfns, 7);     /* distinct names that samples use */
    assert_int_equal(pr.nlocs, 7);
    uint64_t count = 0, ns = 0;
    for (int i = 0; i < pr.nsamples; i++) {
        count += pr.samples[i].val[0];
        ns += pr.samples[i].val[1];
    }
    assert_int_equal(count, 14);
    assert_int_equal(ns, 87);
    const struct sample *s = sample_named(&pr, "Recurse;Recurse;Recurse;Main"); /* leaf first */
    assert_int_equal(s->val[0], 2);
    assert_int_equal(s->val[1], 20);
    assert_true(s->loc[0] == s->loc[1] && s->loc[1] == s->loc[2]); /* one location for the recursion */
    s = sample_named(&pr, "Idle");
    assert_int_equal(s->val[0], 4);
    assert_int_equal(s->val[1], 0);
    /* stacks 1 and 6 (Work from frame 2 and from frame 9) share locations */
    int same = 0;
    for (int i = 0; i < pr.nsamples; i++)
        if (pr.samples[i].nloc == 3 && pr.samples[i].val[0] == 4 && pr.samples[i].val[1] == 32)
            for (int k = 0; k < pr.nsamples; k++)
                if (k != i && pr.samples[k].nloc == 3 && pr.samples[k].val[0] == 1 && pr.samples[k].val[1] == 10)
                    same = memcmp(pr.samples[i].loc, pr.samples[k].loc, 3 * sizeof(uint64_t)) == 0;
    assert_true(same);
    free_profile(&pr);
}

static void pprof_merged_and_wall(void **state)
{
    struct tmp *t = *state;
    char path[512], out[600], err[256] = "";
    put_file(t, "merged.raw", MERGED, path, sizeof path);
    drd_fs_path(out, sizeof out, "%s/merged.pb.gz", t->dir);
    if (drd_export_pprof(path, out, err, sizeof err))
        fail_msg("%s", err);
    size_t len;
    uint8_t *data = gunzip(out, &len);
    struct profile pr;
    decode(data, len, &pr);
    free(data);
    check_pprof(&pr);
    assert_int_equal(pr.ntypes, 1);
    assert_string_equal(string_at(&pr, pr.types[0].type), "threads");
    assert_string_equal(string_at(&pr, pr.types[0].unit), "count");
    assert_int_equal(pr.nsamples, 3);
    assert_int_equal(pr.nfns, 5);
    assert_int_equal(sample_named(&pr, "Monitor.Enter;Worker.Run;ThreadPool.Dispatch")->val[0], 2);
    assert_int_equal(pr.period, 0);
    free_profile(&pr);

    put_file(t, "wall.raw", "drdotnet-raw\t1\tcpu-hotpaths\nm\tmode\twall\nf\t1\tA\ns\t1\t1\np\t1\t1\t7\np\t2\t1\t7\n",
             path, sizeof path);
    drd_fs_path(out, sizeof out, "%s/wall.pb.gz", t->dir);
    if (drd_export_pprof(path, out, err, sizeof err))
        fail_msg("%s", err);
    data = gunzip(out, &len);
    decode(data, len, &pr);
    free(data);
    check_pprof(&pr);
    assert_int_equal(pr.ntypes, 2);
    assert_string_equal(string_at(&pr, pr.types[1].type), "wall");
    assert_int_equal(pr.nsamples, 1);
    assert_int_equal(pr.samples[0].val[0], 2);
    assert_int_equal(pr.samples[0].val[1], 14);
    free_profile(&pr);
}

/* Allocations (the same records as test_allocations_report.c): stack 1 is Allocate called by Main, stack 2 Main
 * alone; (Payload, stack 1) comes in two records. Each (type, stack) exports as the stack under its type:
 *   Main;Allocate;App.Payload   30 objects, 7200 bytes
 *   Main;App.Payload             1 object,    48 bytes
 *   Main;System.Int32[]          3 objects, 3144 bytes */
static const char ALLOC[] = "drdotnet-raw\t1\tallocations\n"
                            "m\tmode\tallocation-sampled\n"
                            "m\twalker\tcached\n"
                            "f\t1\tApp.Allocate\n"
                            "f\t2\tApp.Main\n"
                            "t\t1\tApp.Payload\n"
                            "t\t2\tSystem.Int32[]\n"
                            "s\t1\t1,2\n"
                            "s\t2\t2\n"
                            "a\t1\t1\t10\t20480\t4800\n"
                            "a\t2\t2\t3\t3072\t3144\n"
                            "a\t1\t1\t5\t10240\t2400\n"
                            "a\t1\t2\t1\t1024\t48\n"
                            "end\t19\t0\n";

static void alloc_exports(void **state)
{
    struct tmp *t = *state;
    char path[512], out[600], err[256] = "";
    put_file(t, "allocations.raw", ALLOC, path, sizeof path);
    /* folded: bytes */
    char *text = folded_of(path, err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    assert_string_equal(text, "App.Main;App.Allocate;App.Payload 7200\n"
                              "App.Main;App.Payload 48\n"
                              "App.Main;System.Int32[] 3144\n");
    free(text);
    /* speedscope: one profile in bytes */
    text = speedscope_of(path, "alloc", err, sizeof err);
    if (!text)
        fail_msg("%s", err);
    json_t *j = check_speedscope(text);
    free(text);
    assert_int_equal(json_array_size(json_object_get(j, "profiles")), 1);
    json_t *p = json_array_get(json_object_get(j, "profiles"), 0);
    assert_string_equal(str(p, "unit"), "bytes");
    assert_string_equal(str(p, "name"), "allocated bytes");
    assert_int_equal(num(p, "endValue"), 7200 + 48 + 3144);
    char names[512];
    int found = 0;
    for (size_t i = 0; i < json_array_size(json_object_get(p, "samples")); i++) {
        sample_names(j, json_array_get(json_object_get(p, "samples"), i), names, sizeof names);
        if (strcmp(names, "App.Main;System.Int32[]") == 0) {
            assert_int_equal(json_integer_value(json_array_get(json_object_get(p, "weights"), i)), 3144);
            found++;
        }
    }
    assert_int_equal(found, 1);
    json_decref(j);
    /* pprof: alloc_objects/count and alloc_space/bytes, the bytes first in tools */
    drd_fs_path(out, sizeof out, "%s/alloc.pb.gz", t->dir);
    if (drd_export_pprof(path, out, err, sizeof err))
        fail_msg("%s", err);
    size_t len;
    uint8_t *data = gunzip(out, &len);
    struct profile pr;
    decode(data, len, &pr);
    free(data);
    check_pprof(&pr);
    assert_int_equal(pr.ntypes, 2);
    assert_string_equal(string_at(&pr, pr.types[0].type), "alloc_objects");
    assert_string_equal(string_at(&pr, pr.types[0].unit), "count");
    assert_string_equal(string_at(&pr, pr.types[1].type), "alloc_space");
    assert_string_equal(string_at(&pr, pr.types[1].unit), "bytes");
    assert_string_equal(string_at(&pr, pr.default_type), "alloc_space");
    assert_int_equal(pr.period, 0);
    assert_int_equal(pr.nsamples, 3);
    const struct sample *s = sample_named(&pr, "App.Payload;App.Allocate;App.Main"); /* leaf first */
    assert_int_equal(s->val[0], 30);
    assert_int_equal(s->val[1], 7200);
    s = sample_named(&pr, "System.Int32[];App.Main");
    assert_int_equal(s->val[0], 3);
    assert_int_equal(s->val[1], 3144);
    assert_int_equal(sample_named(&pr, "App.Payload;App.Main")->val[1], 48);
    free_profile(&pr);
}

/* Every exporter refuses text with an error and writes nothing usable, without crashing. */
/* Copies a file of the PDB reader's corpus (a real assembly and its PDB) into the test's folder. */
static void corpus_copy(const struct tmp *t, const char *from, const char *to)
{
    char *buf = NULL, path[512];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/fuzz_pdb/%s", DRD_SOURCE_DIR, from);
    assert_int_equal(drd_fs_read_all(path, 1 << 24, &buf, &len), 0);
    snprintf(path, sizeof path, "%s/%s", t->dir, to);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    free(buf);
}

/* Frames with code sites in a real assembly (the corpus's Lines.dll and its PDB: Hot.Spin's loop body is line 73
 * at IL offsets 9 and 24, Thrower.Fail's throw line 106 at 36): folded-lines names the lines, speedscope frames
 * carry file and line, pprof locations their line and functions their file; frames of one line are one frame. */
static void lines_exports(void **state)
{
    struct tmp *t = *state;
    corpus_copy(t, "lines.dll", "Lines.dll");
    corpus_copy(t, "lines.pdb", "Lines.pdb");
    char text[2048], path[512], out[600], err[256] = "";
    snprintf(text, sizeof text,
             "drdotnet-raw\t1\tcpu-hotpaths\nm\tmode\tcpu\nn\t1\tmain\nmm\t1\t-\t%s/Lines.dll\n"
             "f\t1\tSpin\tM 1 6000004 9\nf\t2\tSpin\tM 1 6000004 24\nf\t3\tFail\tM 1 6000007 36\nf\t4\tMain\n"
             "s\t1\t1,4\ns\t2\t2,4\ns\t3\t3,4\np\t1\t1\t10\np\t1\t2\t10\np\t1\t3\t10\n",
             t->dir);
    put_file(t, "cpu.raw", text, path, sizeof path);
    char *folded = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&folded, &len);
    assert_int_equal(drd_export_folded_as(path, 1, f, err, sizeof err), 0);
    fclose(f);
    assert_string_equal(folded, "Main;Fail:106 1\nMain;Spin:73 2\n");
    free(folded);
    char *ss = speedscope_of(path, "x", err, sizeof err);
    assert_non_null(ss);
    json_t *j = json_loads(ss, 0, NULL);
    json_t *frames = json_object_get(json_object_get(j, "shared"), "frames");
    assert_int_equal(json_array_size(frames), 3); /* Main, Spin at 73, Fail at 106 */
    int seen = 0;
    size_t i;
    json_t *fr;
    json_array_foreach(frames, i, fr)
    {
        const char *name = json_string_value(json_object_get(fr, "name"));
        const char *file = json_string_value(json_object_get(fr, "file"));
        json_int_t line = json_integer_value(json_object_get(fr, "line"));
        if (strcmp(name, "Spin") == 0 || strcmp(name, "Fail") == 0) {
            assert_non_null(strstr(file, "Lines/Program.cs"));
            assert_int_equal(line, strcmp(name, "Spin") == 0 ? 73 : 106);
            seen++;
        } else {
            assert_null(file);
        }
    }
    assert_int_equal(seen, 2);
    json_decref(j);
    free(ss);
    drd_fs_path(out, sizeof out, "%s/cpu.pb.gz", t->dir);
    assert_int_equal(drd_export_pprof(path, out, err, sizeof err), 0);
    uint8_t *data = gunzip(out, &len);
    struct profile pr;
    decode(data, len, &pr);
    free(data);
    assert_int_equal(pr.nlocs, 3);
    for (int k = 0; k < pr.nfns; k++) {
        const char *name = string_at(&pr, pr.fn_name[k]);
        uint64_t line = 0;
        for (int l = 0; l < pr.nlocs; l++)
            if (pr.loc_fn[l] == pr.fn_id[k])
                line = pr.loc_line[l];
        if (strcmp(name, "Main") == 0) {
            assert_int_equal(pr.fn_file[k], 0);
            assert_int_equal(line, 0);
        } else {
            assert_non_null(strstr(string_at(&pr, pr.fn_file[k]), "Lines/Program.cs"));
            assert_int_equal(line, strcmp(name, "Spin") == 0 ? 73 : 106);
        }
    }
    free_profile(&pr);
}

static void refuse(const struct tmp *t, const char *text, const char *why, const char *want)
{
    char path[512], out[600], err[256];
    put_file(t, "bad.raw", text, path, sizeof path);
    drd_fs_path(out, sizeof out, "%s/bad.pb.gz", t->dir);
    for (int k = 0; k < 3; k++) {
        memset(err, 0, sizeof err);
        int rc;
        if (k == 2)
            rc = drd_export_pprof(path, out, err, sizeof err);
        else {
            char *s = k == 0 ? folded_of(path, err, sizeof err) : speedscope_of(path, "x", err, sizeof err);
            rc = s ? 0 : -1;
            free(s);
        }
        if (rc == 0)
            fail_msg("exporter %d accepted %s", k, why);
        if (!*err)
            fail_msg("exporter %d refused %s without a message", k, why);
        if (want && !strstr(err, want))
            fail_msg("exporter %d refused %s with '%s', not '%s'", k, why, err, want);
    }
    assert_int_equal(access(out, F_OK), -1); /* pprof opens its file only for good data */
}

#define HDR "drdotnet-raw\t1\tcpu-hotpaths\nf\t1\tA\ns\t1\t1\n"

static void refusals(void **state)
{
    struct tmp *t = *state;
    refuse(t, HDR "p\t1\t2\t10\n", "a sample in an undefined stack", "stack 2");
    refuse(t, HDR "p\t1\t1\n", "a sample without its weight", "malformed");
    refuse(t, HDR "end\t0\t0\n", "a file without samples", "no samples");
    refuse(t, "drdotnet-raw\t1\tmerged-stacks\nf\t1\tA\ns\t1\t1\nw\t1\t9\n", "a thread in an undefined stack",
           "stack 9");
    refuse(t, "drdotnet-raw\t1\texceptions\nf\t1\tA\n", "an exceptions file", "no samples");
    refuse(t, "not raw data\n", "something else", NULL);
    refuse(t, "drdotnet-raw\t1\tallocations\nt\t1\tA\ns\t1\t\na\t1\t2\t1\t1024\t8\n", "an allocation in an undefined stack",
           "malformed allocation");
    refuse(t, "drdotnet-raw\t1\tallocations\nm\tmode\texact\nend\t0\t0\n", "allocations without any", "no samples");

    char path[512], out[600], err[256] = "";
    put_file(t, "cpu.raw", CPU, path, sizeof path);
    drd_fs_path(out, sizeof out, "%s/no/such/folder/x.pb.gz", t->dir);
    assert_int_equal(drd_export_pprof(path, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot write"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(folded_cpu, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(folded_odd_names, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(folded_merged, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(speedscope_cpu, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(speedscope_merged, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(pprof_cpu, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(pprof_merged_and_wall, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(alloc_exports, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(refusals, drd_tmp_setup, drd_tmp_teardown),
        cmocka_unit_test_setup_teardown(lines_exports, drd_tmp_setup, drd_tmp_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
