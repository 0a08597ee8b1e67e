/* A session's timeline (timeline.h): the timed records of each raw file read strictly into one list by time. */
#include "report/timeline.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

#define MAX_DURATION (1ULL << 50) /* 13 days: longer is a malformed record */

/* A thread name as a file gave it, in file order. */
struct tl_name {
    uint32_t tid;
    uint32_t seq;
    const char *name;
};

/* What the record callback needs: the timeline, the file being read, the names seen so far. */
struct tl_read {
    struct drd_timeline *t;
    int file;
    const char *profiler;
    struct tl_name *names;
    size_t n_names, cap_names;
    uint64_t left_off; /* this file's last 'timeline_left_off' fact */
    int has_origin;
    uint64_t origin; /* this file's 'clock_origin_ns' fact: its own times' zero on the session's clock */
};

static int bad(char *err, size_t cap, const char *what)
{
    snprintf(err, cap, "malformed '%s' record", what);
    return -1;
}

static int oom(char *err, size_t cap)
{
    snprintf(err, cap, "out of memory");
    return -1;
}

/* Parses fields f[0..n-1] as u64 into out; returns 0 or -1. */
static int u64s(char **f, int n, uint64_t *out)
{
    for (int i = 0; i < n; i++)
        if (drd_rawread_u64(f[i], &out[i]))
            return -1;
    return 0;
}

static int push_event(struct tl_read *r, const struct drd_tl_event *e, char *err, size_t cap)
{
    struct drd_timeline *t = r->t;
    if (drd_rawread_grow((void **)&t->ev, &t->cap, t->n, sizeof *t->ev))
        return oom(err, cap);
    t->ev[t->n] = *e;
    t->ev[t->n].file = (uint8_t)r->file;
    t->n++;
    return 0;
}

static int on_name(struct tl_read *r, char **f, int n, char *err, size_t cap)
{
    uint64_t tid;
    if (n != 3 || drd_rawread_u64(f[1], &tid) || tid > UINT32_MAX)
        return bad(err, cap, "n");
    if (drd_rawread_grow((void **)&r->names, &r->cap_names, r->n_names, sizeof *r->names))
        return oom(err, cap);
    drd_rawread_clean_text(f[2]);
    r->names[r->n_names] = (struct tl_name){(uint32_t)tid, (uint32_t)r->n_names, f[2]};
    r->n_names++;
    return 0;
}

/* "p <tid> <stack> <weight> <time>": a file of an older library has no time, and no sample goes on the timeline. */
static int on_cpu(struct tl_read *r, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    uint64_t v[4];
    if (strcmp(f[0], "p") != 0 || n == 4)
        return 0;
    if (n != 5 || u64s(f + 1, 4, v) || v[0] > UINT32_MAX || v[1] == 0 || v[1] > d->n_stacks || v[2] > MAX_DURATION)
        return bad(err, cap, "p");
    struct drd_tl_event e = {.ns = v[3], .dur = v[2], .tid = (uint32_t)v[0], .stack = (uint32_t)v[1],
                             .kind = DRD_TL_CPU};
    return push_event(r, &e, err, cap);
}

/* A timed event of exceptions ("e <ns> <tid> <type> <stack> <catcher frame or 0>") or allocations (the same
 * without the frame). */
static int on_logged(struct tl_read *r, const struct drd_rawdata *d, char **f, int n, int with_frame, char *err,
                     size_t cap)
{
    uint64_t v[5] = {0};
    int want = with_frame ? 6 : 5;
    if (n != want || u64s(f + 1, want - 1, v) || v[1] > UINT32_MAX || v[2] == 0 || v[2] > d->n_types ||
        v[3] == 0 || v[3] > d->n_stacks || v[4] > d->n_frames)
        return bad(err, cap, "e");
    struct drd_tl_event e = {.ns = v[0], .tid = (uint32_t)v[1], .type = (uint32_t)v[2], .stack = (uint32_t)v[3],
                             .frame = (uint32_t)v[4]};
    e.kind = !with_frame ? DRD_TL_ALLOC : v[4] ? DRD_TL_CATCH : DRD_TL_THROW;
    return push_event(r, &e, err, cap);
}

static int on_fact(struct tl_read *r, char **f, int n, char *err, size_t cap)
{
    if (n == 3 && strcmp(f[1], "timeline_left_off") == 0 && drd_rawread_u64(f[2], &r->left_off))
        return bad(err, cap, "m");
    if (n == 3 && strcmp(f[1], "clock_origin_ns") == 0) {
        if (drd_rawread_u64(f[2], &r->origin) || r->origin > MAX_DURATION)
            return bad(err, cap, "m");
        r->has_origin = 1;
    }
    return 0;
}

/* "u <start> <duration> <reason> <generation or -1> <induced> [<tid>]" */
static int on_pause(struct tl_read *r, char **f, int n, char *err, size_t cap)
{
    uint64_t v[2], reason, induced, tid = 0;
    if (strcmp(f[0], "u") != 0)
        return 0;
    long long gen = 0;
    char *end = NULL;
    if (n >= 5)
        gen = strtoll(f[4], &end, 10);
    if ((n != 6 && n != 7) || u64s(f + 1, 2, v) || drd_rawread_u64(f[3], &reason) || reason > 64 || !end || *end ||
        end == f[4] || gen < -1 || gen > 2 || drd_rawread_u64(f[5], &induced) || induced > 1 ||
        (n == 7 && (drd_rawread_u64(f[6], &tid) || tid > UINT32_MAX)) || v[1] > MAX_DURATION)
        return bad(err, cap, "u");
    struct drd_tl_event e = {.ns = v[0], .dur = v[1], .key = reason, .tid = (uint32_t)tid,
                             .generation = (int16_t)gen, .induced = (uint8_t)induced, .kind = DRD_TL_PAUSE};
    return push_event(r, &e, err, cap);
}

/* "w <lock|wait> <tid> <key> <owner tid or 0> <stack id or 0> <duration ns> <end ns>" */
static int on_wait(struct tl_read *r, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    uint64_t v[6];
    if (strcmp(f[0], "w") != 0)
        return 0;
    int lock = n >= 2 && strcmp(f[1], "lock") == 0;
    if (n != 8 || (!lock && strcmp(f[1], "wait") != 0) || u64s(f + 2, 6, v) || v[0] > UINT32_MAX ||
        v[2] > UINT32_MAX || v[3] > d->n_stacks || v[4] > MAX_DURATION || v[4] > v[5])
        return bad(err, cap, "w");
    /* waits times its events from its own start: without a 'clock_origin_ns' fact they are placed on the session's
     * clock at the end of that start (its 'z' line), at most that start's length off */
    uint64_t shift = r->has_origin ? r->origin : d->has_zero ? d->start_end_ns : 0;
    struct drd_tl_event e = {.ns = v[5] - v[4] + shift, .dur = v[4], .key = v[1], .tid = (uint32_t)v[0],
                             .owner = (uint32_t)v[2], .stack = (uint32_t)v[3]};
    e.kind = lock ? DRD_TL_LOCK : DRD_TL_WAIT;
    return push_event(r, &e, err, cap);
}

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct tl_read *r = ctx;
    if (strcmp(f[0], "n") == 0)
        return on_name(r, f, n, err, cap);
    if (strcmp(f[0], "m") == 0)
        return on_fact(r, f, n, err, cap);
    if (strcmp(r->profiler, "cpu-hotpaths") == 0)
        return on_cpu(r, d, f, n, err, cap);
    if (strcmp(r->profiler, "exceptions") == 0 || strcmp(r->profiler, "allocations") == 0)
        return strcmp(f[0], "e") == 0 ? on_logged(r, d, f, n, r->profiler[0] == 'e', err, cap) : 0;
    if (strcmp(r->profiler, "runtime-pauses") == 0)
        return on_pause(r, f, n, err, cap);
    return on_wait(r, d, f, n, err, cap);
}

/* 1 for a profiler whose raw file holds timed events. */
static int timed(const char *profiler)
{
    static const char *const names[] = {"cpu-hotpaths", "exceptions", "runtime-pauses", "waits", "allocations"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(profiler, names[i]) == 0)
            return 1;
    return 0;
}

/* Reads dir/<profiler>.raw into the next file of t. Returns 0, or -1 with err. */
static int read_file(struct tl_read *r, const char *dir, const char *profiler, char *err, size_t cap)
{
    struct drd_timeline *t = r->t;
    char path[4400], sub[400];
    if (t->n_files == DRD_TL_MAX_FILES)
        return 0;
    if (drd_report_raw_path(dir, profiler, path, sizeof path)) {
        snprintf(err, cap, "the session folder's path is too long");
        return -1;
    }
    struct drd_tl_file *file = &t->files[t->n_files];
    r->file = t->n_files++;
    r->profiler = profiler;
    r->left_off = 0;
    r->has_origin = 0;
    if (drd_rawread_load(path, DRD_RAW_READ_MAX, &file->d, &file->buf, on_record, r, sub, sizeof sub)) {
        snprintf(err, cap, "%s.raw: %s", profiler, sub);
        return -1;
    }
    if (strcmp(file->d.profiler, profiler) != 0) {
        snprintf(err, cap, "%s.raw holds a %s file", profiler, file->d.profiler);
        return -1;
    }
    if (file->d.has_zero && !t->has_zero) {
        t->has_zero = 1;
        t->zero_wall_ns = file->d.zero_wall_ns;
        t->zero_mono_ns = file->d.zero_mono_ns;
    }
    t->left_off += r->left_off;
    return 0;
}

static int by_tid_seq(const void *a, const void *b)
{
    const struct tl_name *x = a, *y = b;
    if (x->tid != y->tid)
        return (x->tid > y->tid) - (x->tid < y->tid);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static int by_start(const void *a, const void *b)
{
    const struct drd_tl_event *x = a, *y = b;
    if (x->ns != y->ns)
        return (x->ns > y->ns) - (x->ns < y->ns);
    return (x->kind > y->kind) - (x->kind < y->kind);
}

static struct drd_tl_thread *thread_of(struct drd_timeline *t, uint32_t tid)
{
    size_t lo = 0, hi = t->n_threads;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->threads[mid].tid == tid)
            return &t->threads[mid];
        if (t->threads[mid].tid < tid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Builds the thread table: every tid that has events or a name, by tid, with its last name and its activity. */
static int build_threads(struct drd_timeline *t, struct tl_read *r, char *err, size_t cap)
{
    for (size_t i = 0; i < t->n; i++) {
        if (drd_rawread_grow((void **)&r->names, &r->cap_names, r->n_names, sizeof *r->names))
            return oom(err, cap);
        r->names[r->n_names] = (struct tl_name){t->ev[i].tid, 0, NULL};
        r->n_names++;
    }
    if (r->n_names > 1)
        qsort(r->names, r->n_names, sizeof *r->names, by_tid_seq);
    for (size_t i = 0; i < r->n_names; i++) {
        struct tl_name *nm = &r->names[i];
        if (t->n_threads == 0 || t->threads[t->n_threads - 1].tid != nm->tid) {
            if (drd_rawread_grow((void **)&t->threads, &t->cap_threads, t->n_threads, sizeof *t->threads))
                return oom(err, cap);
            t->threads[t->n_threads++] = (struct drd_tl_thread){nm->tid, "", 0, 0};
        }
        if (nm->name && *nm->name) /* the names sort by order seen: the last one given stays */
            t->threads[t->n_threads - 1].name = nm->name;
    }
    for (size_t i = 0; i < t->n; i++) {
        struct drd_tl_thread *th = thread_of(t, t->ev[i].tid);
        th->events++;
        th->busy_ns += t->ev[i].dur;
    }
    return 0;
}

/* The names of the session's profilers: its "profilers" list, or its one "profiler". */
static size_t profilers_of(json_t *session, const char **out, size_t cap)
{
    json_t *list = json_object_get(session, "profilers");
    size_t n = 0, i;
    json_t *entry;
    json_array_foreach(list, i, entry)
    {
        const char *name = json_string_value(json_object_get(entry, "name"));
        if (name && n < cap)
            out[n++] = name;
    }
    if (n == 0) {
        const char *one = json_string_value(json_object_get(json_object_get(session, "profiler"), "name"));
        if (one)
            out[n++] = one;
    }
    return n;
}

int drd_timeline_load(const char *dir, json_t *session, struct drd_timeline *t, char *err, size_t cap)
{
    memset(t, 0, sizeof *t);
    const char *names[DRD_TL_MAX_FILES * 2];
    size_t n = profilers_of(session, names, sizeof names / sizeof names[0]);
    struct tl_read r = {.t = t};
    int rc = -1;
    for (size_t i = 0; i < n; i++)
        if (timed(names[i]) && read_file(&r, dir, names[i], err, cap))
            goto out;
    if (t->n == 0) {
        snprintf(err, cap, "session %s holds no timed data: the timeline comes from cpu-hotpaths, exceptions, "
                           "runtime-pauses, waits and allocations sessions recorded by this version",
                 json_string_value(json_object_get(session, "id")) ? json_string_value(json_object_get(session, "id"))
                                                                    : "?");
        goto out;
    }
    qsort(t->ev, t->n, sizeof *t->ev, by_start);
    for (size_t i = 0; i < t->n; i++) {
        t->counts[t->ev[i].kind]++;
        if (t->ev[i].ns + t->ev[i].dur > t->end_ns)
            t->end_ns = t->ev[i].ns + t->ev[i].dur;
    }
    rc = build_threads(t, &r, err, cap);
out:
    free(r.names);
    return rc;
}

void drd_timeline_free(struct drd_timeline *t)
{
    for (int i = 0; i < t->n_files; i++) {
        drd_rawdata_free(&t->files[i].d);
        free(t->files[i].buf);
    }
    free(t->ev);
    free(t->threads);
    memset(t, 0, sizeof *t);
}

const struct drd_tl_thread *drd_timeline_thread(const struct drd_timeline *t, uint32_t tid)
{
    return thread_of((struct drd_timeline *)t, tid);
}

const char *drd_timeline_type(const struct drd_timeline *t, const struct drd_tl_event *e)
{
    return e->type ? t->files[e->file].d.types[e->type - 1] : NULL;
}

const char *drd_timeline_frame(const struct drd_timeline *t, const struct drd_tl_event *e)
{
    return e->frame ? t->files[e->file].d.frames[e->frame - 1] : NULL;
}

const uint32_t *drd_timeline_stack(const struct drd_timeline *t, const struct drd_tl_event *e, uint32_t *n)
{
    *n = 0;
    if (!e->stack)
        return NULL;
    const struct drd_rawread_stack *s = &t->files[e->file].d.stacks[e->stack - 1];
    *n = s->n;
    return s->frames;
}

const char *drd_timeline_frame_name(const struct drd_timeline *t, int f, uint32_t id)
{
    return t->files[f].d.frames[id - 1];
}

const char *drd_timeline_kind_name(int kind)
{
    static const char *const names[DRD_TL_KINDS] = {"cpu", "throw", "catch", "pause", "lock", "wait", "allocation"};
    return kind >= 0 && kind < DRD_TL_KINDS ? names[kind] : "?";
}
