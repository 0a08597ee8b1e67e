/* Exporters of weighted stacks (samples, allocations): folded text, speedscope JSON and gzip-compressed pprof
 * protobuf. */
#include "report/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <zlib.h>

#include "drdotnet/version.h"
#include "report/report.h"
#include "report/samples.h"
#include "report/timeline.h"
#include "symbols/symbols.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"
#define PB_FLUSH (1 << 16) /* bytes of pprof gathered before they go to gzip */

/* Loads raw_path (by_line: frames apart per source line) and refuses data without samples. Returns 0, or -1 with
 * err (s still to be freed). */
static int load(const char *raw_path, struct drd_samples *s, int by_line, char *err, size_t cap)
{
    if ((by_line ? drd_samples_load_lines : drd_samples_load)(raw_path, s, err, cap))
        return -1;
    if (s->samples == 0) {
        snprintf(err, cap, "%s holds no samples", raw_path);
        return -1;
    }
    return 0;
}

/* Whether stack id has any weight to export. */
static int has_weight(const struct drd_samples *s, uint32_t id)
{
    return s->stack_samples[id - 1] || s->stack_weight[id - 1];
}

/* Numbers the distinct names that sampled stacks use, in order of first use (root first): out[name] is the
 * number (from 0) or UINT32_MAX, order[number] the name. Returns how many, or -1 when out of memory. */
static long number_frames(const struct drd_samples *s, uint32_t **out, uint32_t **order)
{
    size_t n = s->n_names ? s->n_names : 1;
    *out = malloc(n * sizeof **out);
    *order = malloc(n * sizeof **order);
    if (!*out || !*order)
        return -1;
    memset(*out, 0xff, n * sizeof **out);
    long used = 0;
    for (uint32_t id = 1; id <= s->d.n_stacks; id++) {
        const struct drd_rawread_stack *st = &s->d.stacks[id - 1];
        if (!has_weight(s, id))
            continue;
        for (uint32_t i = st->n; i-- > 0;) {
            uint32_t name = s->name_of[st->frames[i] - 1];
            if ((*out)[name] == UINT32_MAX) {
                (*out)[name] = (uint32_t)used;
                (*order)[used++] = name;
            }
        }
    }
    return used;
}

/* ---- folded ---- */

struct line {
    char *text;
    uint64_t count;
};

static int by_text(const void *a, const void *b)
{
    return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

/* The name of distinct frame k: its method's, when its names are per source line. */
static const char *method_name(const struct drd_samples *s, uint32_t k)
{
    return s->by_line && s->lines[k] ? s->lines[k]->method : s->names[k];
}

/* The folded text of a stack, root first, ":line" after a frame's name when s is by line (caller frees). */
static char *fold(const struct drd_samples *s, const struct drd_rawread_stack *st)
{
    if (st->n == 0)
        return strdup("(no stack)");
    size_t len = 0;
    for (uint32_t i = 0; i < st->n; i++)
        len += strlen(s->names[s->name_of[st->frames[i] - 1]]) + 12;
    char *text = malloc(len);
    if (!text)
        return NULL;
    char *p = text;
    for (uint32_t i = st->n; i-- > 0;) {
        uint32_t k = s->name_of[st->frames[i] - 1];
        for (const char *c = method_name(s, k); *c; c++)
            *p++ = *c == ';' || *c == '\n' || *c == '\r' ? '_' : *c;
        if (s->by_line && s->lines[k])
            p += sprintf(p, ":%u", s->lines[k]->line);
        *p++ = i ? ';' : 0;
    }
    return text;
}

int drd_export_folded(const char *raw_path, FILE *out, char *err, size_t cap)
{
    return drd_export_folded_as(raw_path, 0, out, err, cap);
}

int drd_export_folded_as(const char *raw_path, int with_lines, FILE *out, char *err, size_t cap)
{
    struct drd_samples s;
    struct line *lines = NULL;
    size_t n = 0;
    int rc = -1;
    if (load(raw_path, &s, with_lines, err, cap))
        goto out;
    lines = calloc(s.d.n_stacks, sizeof *lines);
    if (!lines) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    for (uint32_t id = 1; id <= s.d.n_stacks; id++) {
        if (!has_weight(&s, id))
            continue;
        /* an allocation's value is its bytes, a wait's its time waited (ns); a sample's is one */
        lines[n].count = s.alloc || strcmp(s.mode, "wait") == 0 ? s.stack_weight[id - 1] : s.stack_samples[id - 1];
        lines[n].text = fold(&s, &s.d.stacks[id - 1]);
        if (!lines[n++].text) {
            snprintf(err, cap, "out of memory");
            goto out;
        }
    }
    qsort(lines, n, sizeof *lines, by_text);
    for (size_t i = 0; i < n;) {
        uint64_t count = 0;
        size_t j = i;
        for (; j < n && strcmp(lines[j].text, lines[i].text) == 0; j++)
            count += lines[j].count; /* two stack ids can fold to the same names */
        fprintf(out, "%s %llu\n", lines[i].text, (unsigned long long)count);
        i = j;
    }
    if (fflush(out) || ferror(out)) {
        snprintf(err, cap, "cannot write the folded stacks: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    for (size_t i = 0; i < n; i++)
        free(lines[i].text);
    free(lines);
    drd_samples_free(&s);
    return rc;
}

/* ---- speedscope ---- */


/* Writes one sampled stack: the frame numbers from root to leaf. */
static void put_stack(FILE *out, const struct drd_samples *s, uint32_t stack, const uint32_t *num)
{
    const struct drd_rawread_stack *st = &s->d.stacks[stack - 1];
    fputc('[', out);
    for (uint32_t i = st->n; i-- > 0;)
        fprintf(out, "%s%u", i + 1 < st->n ? "," : "", num[s->name_of[st->frames[i] - 1]]);
    fputc(']', out);
}

/* One profile per thread, its runs as samples. */
static void put_thread_profile(FILE *out, const struct drd_samples *s, const struct drd_sample_thread *t,
                               const uint32_t *num)
{
    char title[300];
    if (t->name && *t->name)
        snprintf(title, sizeof title, "%s (%llu)", t->name, (unsigned long long)t->tid);
    else
        snprintf(title, sizeof title, "thread %llu", (unsigned long long)t->tid);
    fputs("{\"type\":\"sampled\",\"name\":", out);
    drd_report_put_json_str(out, title);
    fprintf(out, ",\"unit\":\"nanoseconds\",\"startValue\":0,\"endValue\":%llu,\"samples\":[",
            (unsigned long long)t->weight);
    for (size_t i = 0; i < t->n_runs; i++) {
        if (i)
            fputc(',', out);
        put_stack(out, s, t->runs[i].stack, num);
    }
    fputs("],\"weights\":[", out);
    for (size_t i = 0; i < t->n_runs; i++)
        fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)t->runs[i].weight);
    fputs("]}", out);
}

/* The allocations as one profile in bytes: each stack (ending in the type allocated) one sample; a heap snapshot's
 * live bytes the same way, each stack a retention path. */
static void put_alloc_profile(FILE *out, const struct drd_samples *s, const uint32_t *num)
{
    fprintf(out,
            "{\"type\":\"sampled\",\"name\":\"%s\",\"unit\":\"bytes\",\"startValue\":0,"
            "\"endValue\":%llu,\"samples\":[",
            s->heap ? "live bytes by retention path" : "allocated bytes", (unsigned long long)s->weight);
    int first = 1;
    for (uint32_t id = 1; id <= s->d.n_stacks; id++)
        if (has_weight(s, id)) {
            fputs(first ? "" : ",", out);
            first = 0;
            put_stack(out, s, id, num);
        }
    fputs("],\"weights\":[", out);
    first = 1;
    for (uint32_t id = 1; id <= s->d.n_stacks; id++)
        if (has_weight(s, id)) {
            fprintf(out, "%s%llu", first ? "" : ",", (unsigned long long)s->stack_weight[id - 1]);
            first = 0;
        }
    fputs("]}", out);
}

/* The merged snapshot as one profile: each thread one sample of weight 1. */
static void put_merged_profile(FILE *out, const struct drd_samples *s, const uint32_t *num)
{
    fprintf(out,
            "{\"type\":\"sampled\",\"name\":\"all threads\",\"unit\":\"none\",\"startValue\":0,"
            "\"endValue\":%llu,\"samples\":[",
            (unsigned long long)s->samples);
    int first = 1;
    for (size_t i = 0; i < s->n_threads; i++)
        for (size_t k = 0; k < s->threads[i].n_runs; k++) { /* one run, unless the tid came twice */
            fputs(first ? "" : ",", out);
            first = 0;
            put_stack(out, s, s->threads[i].runs[k].stack, num);
        }
    fputs("],\"weights\":[", out);
    first = 1;
    for (size_t i = 0; i < s->n_threads; i++)
        for (size_t k = 0; k < s->threads[i].n_runs; k++) {
            fprintf(out, "%s%llu", first ? "" : ",", (unsigned long long)s->threads[i].runs[k].weight);
            first = 0;
        }
    fputs("]}", out);
}

int drd_export_speedscope(const char *raw_path, const char *name, FILE *out, char *err, size_t cap)
{
    struct drd_samples s;
    uint32_t *num = NULL, *order = NULL;
    const struct drd_sample_thread **threads = NULL;
    int rc = -1;
    if (load(raw_path, &s, 1, err, cap))
        goto out;
    long n_frames = number_frames(&s, &num, &order);
    threads = malloc(s.n_threads * sizeof *threads);
    if (n_frames < 0 || !threads) {
        snprintf(err, cap, "out of memory");
        goto out;
    }
    size_t nt = 0;
    for (size_t i = 0; i < s.n_threads; i++)
        if (s.threads[i].samples)
            threads[nt++] = &s.threads[i];
    qsort(threads, nt, sizeof *threads, drd_samples_busier);

    fputs("{\"$schema\":\"" SPEEDSCOPE_SCHEMA "\",\"exporter\":\"drdotnet@" DRD_VERSION "\",\"name\":", out);
    drd_report_put_json_str(out, name);
    fputs(",\"activeProfileIndex\":0,\"shared\":{\"frames\":[", out);
    for (long i = 0; i < n_frames; i++) {
        fputs(i ? ",{\"name\":" : "{\"name\":", out);
        drd_report_put_json_str(out, method_name(&s, order[i]));
        const struct drd_rawread_line *l = s.lines[order[i]];
        if (l) {
            fputs(",\"file\":", out);
            drd_report_put_json_str(out, l->file);
            fprintf(out, ",\"line\":%u", l->line);
        }
        fputc('}', out);
    }
    fputs("]},\"profiles\":[", out);
    if (s.alloc)
        put_alloc_profile(out, &s, num);
    else if (s.merged)
        put_merged_profile(out, &s, num);
    else
        for (size_t i = 0; i < nt; i++) {
            if (i)
                fputc(',', out);
            put_thread_profile(out, &s, threads[i], num);
        }
    fputs("]}\n", out);
    if (fflush(out) || ferror(out)) {
        snprintf(err, cap, "cannot write the speedscope file: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    free(threads);
    free(num);
    free(order);
    drd_samples_free(&s);
    return rc;
}

/* ---- pprof ---- */

/* A growing buffer of protobuf bytes; oom is set once anything did not fit. */
struct pb {
    uint8_t *p;
    size_t n, cap;
    int oom;
};

enum { WIRE_VARINT = 0, WIRE_LEN = 2 };

/* The field numbers of perftools.profiles (google/pprof, proto/profile.proto). */
enum {
    PROFILE_SAMPLE_TYPE = 1,
    PROFILE_SAMPLE = 2,
    PROFILE_MAPPING = 3,
    PROFILE_LOCATION = 4,
    PROFILE_FUNCTION = 5,
    PROFILE_STRING_TABLE = 6,
    PROFILE_PERIOD_TYPE = 11,
    PROFILE_PERIOD = 12,
    PROFILE_DEFAULT_SAMPLE_TYPE = 14,
    VALUE_TYPE_TYPE = 1,
    VALUE_TYPE_UNIT = 2,
    SAMPLE_LOCATION_ID = 1,
    SAMPLE_VALUE = 2,
    MAPPING_ID = 1,
    MAPPING_MEMORY_START = 2,
    MAPPING_MEMORY_LIMIT = 3,
    MAPPING_FILE_OFFSET = 4,
    MAPPING_FILENAME = 5,
    MAPPING_BUILD_ID = 6,
    MAPPING_HAS_FUNCTIONS = 7,
    LOCATION_ID = 1,
    LOCATION_MAPPING_ID = 2,
    LOCATION_ADDRESS = 3,
    LOCATION_LINE = 4,
    LINE_FUNCTION_ID = 1,
    LINE_LINE = 2,
    FUNCTION_ID = 1,
    FUNCTION_NAME = 2,
    FUNCTION_SYSTEM_NAME = 3,
    FUNCTION_FILENAME = 4,
};

static void pb_bytes(struct pb *b, const void *data, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->n + n > b->cap) {
        size_t ncap = b->cap ? b->cap : 256;
        while (ncap < b->n + n)
            ncap *= 2;
        uint8_t *np = realloc(b->p, ncap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void pb_varint(struct pb *b, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    pb_bytes(b, tmp, n);
}

static void pb_key(struct pb *b, uint32_t field, int wire)
{
    pb_varint(b, (uint64_t)field << 3 | (uint64_t)wire);
}

/* A varint field; zero is the default and is left out. */
static void pb_uint(struct pb *b, uint32_t field, uint64_t v)
{
    if (!v)
        return;
    pb_key(b, field, WIRE_VARINT);
    pb_varint(b, v);
}

/* A length-delimited field (string, bytes, packed list, message), written even when empty. */
static void pb_len(struct pb *b, uint32_t field, const void *data, size_t n)
{
    pb_key(b, field, WIRE_LEN);
    pb_varint(b, n);
    pb_bytes(b, data, n);
}

/* Appends the message in sub as a field of b and empties sub. */
static void pb_msg(struct pb *b, uint32_t field, struct pb *sub)
{
    if (sub->oom)
        b->oom = 1;
    pb_len(b, field, sub->p, sub->n);
    sub->n = 0;
}

/* Moves what b holds into the gzip stream. Returns 0 or -1. */
static int pb_flush(struct pb *b, gzFile gz)
{
    if (b->oom)
        return -1;
    if (b->n && gzwrite(gz, b->p, (unsigned)b->n) != (int)b->n)
        return -1;
    b->n = 0;
    return 0;
}

static void value_type(struct pb *b, uint32_t field, struct pb *sub, uint64_t type, uint64_t unit)
{
    pb_uint(sub, VALUE_TYPE_TYPE, type);
    pb_uint(sub, VALUE_TYPE_UNIT, unit);
    pb_msg(b, field, sub);
}

/* For each numbered function (order[0..n-1]), the native record of the first frame of that name, or NULL for a
 * managed frame (or a native one in no module). Returns a new array, or NULL when out of memory. */
static const struct drd_rawread_native **natives_of(const struct drd_samples *s, const uint32_t *order, long n)
{
    const struct drd_rawread_native **by_name = calloc(s->n_names ? s->n_names : 1, sizeof *by_name);
    const struct drd_rawread_native **out = calloc(n ? (size_t)n : 1, sizeof *out);
    if (!by_name || !out) {
        free(by_name);
        free(out);
        return NULL;
    }
    for (uint32_t i = s->d.n_native; i-- > 0;) /* the first frame of a name wins */
        if (s->d.native[i].module && i < s->d.n_frames)
            by_name[s->name_of[i]] = &s->d.native[i];
    for (long f = 0; f < n; f++)
        out[f] = by_name[order[f]];
    free(by_name);
    return out;
}

/* The Mapping of each module that a location uses: its executable range in memory, file offset, file and
 * build-id (strings first_str and on, two per module, written after), whether we named all its frames. */
static void put_mappings(struct pb *top, struct pb *msg, const struct drd_samples *s,
                         const struct drd_rawread_native **nat, long n_fn, uint64_t first_str)
{
    uint8_t *state = calloc(s->d.n_modules ? s->d.n_modules : 1, 1); /* 1 used, 2 used with an unnamed frame */
    if (!state) {
        top->oom = 1;
        return;
    }
    for (long f = 0; f < n_fn; f++)
        if (nat[f] && state[nat[f]->module - 1] != 2)
            state[nat[f]->module - 1] = nat[f]->named ? 1 : 2;
    uint64_t str = first_str;
    for (uint32_t m = 0; m < s->d.n_modules; m++) {
        const struct drd_rawread_module *mod = &s->d.modules[m];
        if (!state[m])
            continue;
        pb_uint(msg, MAPPING_ID, m + 1);
        pb_uint(msg, MAPPING_MEMORY_START, mod->bias + mod->exec_lo);
        pb_uint(msg, MAPPING_MEMORY_LIMIT, mod->bias + mod->exec_hi);
        pb_uint(msg, MAPPING_FILE_OFFSET, mod->exec_off);
        pb_uint(msg, MAPPING_FILENAME, str++);
        pb_uint(msg, MAPPING_BUILD_ID, str++);
        pb_uint(msg, MAPPING_HAS_FUNCTIONS, state[m] == 1);
        pb_msg(top, PROFILE_MAPPING, msg);
    }
    for (uint32_t m = 0; m < s->d.n_modules; m++) {
        if (!state[m])
            continue;
        pb_len(top, PROFILE_STRING_TABLE, s->d.modules[m].path, strlen(s->d.modules[m].path));
        pb_len(top, PROFILE_STRING_TABLE, s->d.modules[m].build_id, strlen(s->d.modules[m].build_id));
    }
    free(state);
}

/* Writes the profile of s into gz. Returns 0 or -1 (out of memory or a write error). */
static int write_profile(const struct drd_samples *s, gzFile gz)
{
    struct pb top = {0}, msg = {0}, sub = {0};
    uint32_t *num = NULL, *order = NULL;
    const struct drd_rawread_native **nat = NULL;
    int rc = -1;
    long n_fn = number_frames(s, &num, &order);
    if (n_fn < 0)
        goto out;
    /* the string table: "", the value types, then the function names (string 5 + function number); allocations
     * are named as Go's heap profiles name them (alloc_objects, alloc_space), which pprof and Pyroscope read */
    const char *kind = !strcmp(s->mode, "wall") ? "wall" : !strcmp(s->mode, "wait") ? "wait" : "cpu";
    const char *head[] = {"",
                          s->heap     ? "inuse_objects"
                          : s->alloc  ? "alloc_objects"
                          : s->merged ? "threads"
                          : !strcmp(kind, "wait") ? "waits"
                                                  : "samples",
                          "count", s->heap ? "inuse_space" : s->alloc ? "alloc_space" : kind,
                          s->alloc ? "bytes" : "nanoseconds"};
    const uint64_t s_samples = 1, s_count = 2, s_cpu = 3, s_ns = 4, s_names = 5;
    value_type(&top, PROFILE_SAMPLE_TYPE, &sub, s_samples, s_count);
    if (!s->merged)
        value_type(&top, PROFILE_SAMPLE_TYPE, &sub, s_cpu, s_ns);
    for (uint32_t id = 1; id <= s->d.n_stacks; id++) {
        uint64_t count = s->stack_samples[id - 1];
        const struct drd_rawread_stack *st = &s->d.stacks[id - 1];
        if (!has_weight(s, id))
            continue;
        for (uint32_t i = 0; i < st->n; i++) /* leaf first; location id = function id = number + 1 */
            pb_varint(&sub, (uint64_t)num[s->name_of[st->frames[i] - 1]] + 1);
        if (sub.n)
            pb_msg(&msg, SAMPLE_LOCATION_ID, &sub);
        pb_varint(&sub, count); /* written also when 0: a packed list keeps every value */
        if (!s->merged)
            pb_varint(&sub, s->stack_weight[id - 1]);
        pb_msg(&msg, SAMPLE_VALUE, &sub);
        pb_msg(&top, PROFILE_SAMPLE, &msg);
        if (top.n > PB_FLUSH && pb_flush(&top, gz))
            goto out;
    }
    nat = natives_of(s, order, n_fn);
    if (!nat)
        goto out;
    for (long f = 1; f <= n_fn; f++) {
        const struct drd_rawread_native *n = nat[f - 1];
        pb_uint(&msg, LOCATION_ID, (uint64_t)f);
        if (n) { /* a native frame: its mapping and address; unnamed, no line, for pprof to symbolize */
            pb_uint(&msg, LOCATION_MAPPING_ID, n->module);
            pb_uint(&msg, LOCATION_ADDRESS, s->d.modules[n->module - 1].bias + n->addr);
        }
        if (!n || n->named) {
            pb_uint(&sub, LINE_FUNCTION_ID, (uint64_t)f);
            if (s->lines[order[f - 1]])
                pb_uint(&sub, LINE_LINE, s->lines[order[f - 1]]->line);
            pb_msg(&msg, LOCATION_LINE, &sub);
        }
        pb_msg(&top, PROFILE_LOCATION, &msg);
        if (top.n > PB_FLUSH && pb_flush(&top, gz))
            goto out;
    }
    for (long f = 1; f <= n_fn; f++) {
        pb_uint(&msg, FUNCTION_ID, (uint64_t)f);
        pb_uint(&msg, FUNCTION_NAME, s_names + (uint64_t)f - 1);
        pb_uint(&msg, FUNCTION_SYSTEM_NAME, s_names + (uint64_t)f - 1);
        if (s->lines[order[f - 1]]) /* its file's string follows the names */
            pb_uint(&msg, FUNCTION_FILENAME, s_names + (uint64_t)n_fn + (uint64_t)f - 1);
        pb_msg(&top, PROFILE_FUNCTION, &msg);
        if (top.n > PB_FLUSH && pb_flush(&top, gz))
            goto out;
    }
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
        pb_len(&top, PROFILE_STRING_TABLE, head[i], strlen(head[i]));
    for (long f = 0; f < n_fn; f++) {
        const char *name = method_name(s, order[f]);
        pb_len(&top, PROFILE_STRING_TABLE, name, strlen(name));
        if (top.n > PB_FLUSH && pb_flush(&top, gz))
            goto out;
    }
    for (long f = 0; f < n_fn; f++) { /* the files, "" for a function without one */
        const char *file = s->lines[order[f]] ? s->lines[order[f]]->file : "";
        pb_len(&top, PROFILE_STRING_TABLE, file, strlen(file));
        if (top.n > PB_FLUSH && pb_flush(&top, gz))
            goto out;
    }
    put_mappings(&top, &msg, s, nat, n_fn, s_names + 2 * (uint64_t)n_fn); /* after the names and files */
    if (!s->merged && !s->alloc && s->period_ns) {
        value_type(&top, PROFILE_PERIOD_TYPE, &sub, s_cpu, s_ns);
        pb_uint(&top, PROFILE_PERIOD, s->period_ns);
    }
    if (s->alloc) /* tools open the bytes first */
        pb_uint(&top, PROFILE_DEFAULT_SAMPLE_TYPE, s_cpu);
    if (msg.oom || sub.oom || pb_flush(&top, gz))
        goto out;
    rc = 0;
out:
    free(top.p);
    free(msg.p);
    free(sub.p);
    free(num);
    free(order);
    free(nat);
    return rc;
}

/* Writes the pprof profile of s into fd (closed on every path), named name in messages. Returns 0, or -1 with
 * err. */
static int pprof_to_fd(const struct drd_samples *s, int fd, const char *name, char *err, size_t cap)
{
    errno = 0;
    gzFile gz = gzdopen(fd, "wb");
    if (!gz) {
        snprintf(err, cap, "cannot write %s: %s", name, errno ? strerror(errno) : "out of memory");
        close(fd);
        return -1;
    }
    if (write_profile(s, gz)) {
        int zerr;
        const char *msg = gzerror(gz, &zerr);
        snprintf(err, cap, "cannot write %s: %s", name,
                 zerr == Z_ERRNO ? strerror(errno)
                 : zerr != Z_OK  ? msg
                                 : "out of memory");
        gzclose(gz);
        return -1;
    }
    if (gzclose(gz) != Z_OK) {
        snprintf(err, cap, "cannot write %s: %s", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* load() with native frames kept apart, each at its address: pprof's readers name what we could not. */
static int load_apart(const char *raw_path, struct drd_samples *s, char *err, size_t cap)
{
    int was = drd_symbols_keep_apart(1);
    int rc = load(raw_path, s, 1, err, cap);
    drd_symbols_keep_apart(was);
    return rc;
}

int drd_export_pprof_fd(const char *raw_path, int fd, const char *out_name, char *err, size_t cap)
{
    struct drd_samples s;
    int rc = -1;
    if (load_apart(raw_path, &s, err, cap))
        close(fd);
    else
        rc = pprof_to_fd(&s, fd, out_name, err, cap);
    drd_samples_free(&s);
    return rc;
}

int drd_export_pprof(const char *raw_path, const char *out_path, char *err, size_t cap)
{
    struct drd_samples s;
    int rc = -1;
    /* the file is opened only for good data, and never through a symlink */
    if (load_apart(raw_path, &s, err, cap) == 0) {
        int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0)
            snprintf(err, cap, "cannot write %s: %s", out_path, strerror(errno));
        else
            rc = pprof_to_fd(&s, fd, out_path, err, cap);
    }
    drd_samples_free(&s);
    return rc;
}

int drd_export_fd(const char *format, const char *raw_path, const char *name, int fd, const char *out_name, char *err,
                  size_t cap)
{
    if (strcmp(format, "pprof") == 0)
        return drd_export_pprof_fd(raw_path, fd, out_name, err, cap);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        snprintf(err, cap, "cannot write %s: %s", out_name, strerror(errno));
        return -1;
    }
    int rc = strncmp(format, "folded", 6) == 0
                 ? drd_export_folded_as(raw_path, strcmp(format, "folded-lines") == 0, f, err, cap)
             : strcmp(format, "chrome-trace") == 0 ? drd_export_chrome_trace(raw_path, f, err, cap)
             : strcmp(format, "timeline") == 0     ? drd_timeline_write_json(raw_path, f, err, cap)
                                                   : drd_export_speedscope(raw_path, name, f, err, cap);
    if (fclose(f) && rc == 0) {
        snprintf(err, cap, "cannot write %s: %s", out_name, strerror(errno));
        rc = -1;
    }
    return rc;
}
