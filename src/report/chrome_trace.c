/* The chrome-trace export: a session's timeline (timeline.h) in the Trace Event Format that Perfetto's UI and
 * chrome://tracing open. One track per thread (named by metadata events, sorted by activity), the runtime's pauses
 * as complete events on a track of their own, waits as complete events on the waiting thread, exceptions,
 * allocations and CPU samples as instant events with their stack (an "sf" into the stackFrames dictionary).
 * Timestamps are microseconds since the session's zero, with nanosecond decimals. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report/export.h"
#include "report/report.h"
#include "report/timeline.h"

/* The pauses' track: a tid no Linux thread has (pid_max is at most 2^22). */
#define PAUSE_TID 4194305u

static void put_us(FILE *out, uint64_t ns)
{
    fprintf(out, "%llu.%03llu", (unsigned long long)(ns / 1000), (unsigned long long)(ns % 1000));
}

/* Starts an event object: {"ph":ph,"pid":pid,"tid":tid,"ts":ts,"name":name (the comma before it when not first). */
static void begin(FILE *out, int *first, const char *ph, long long pid, uint32_t tid, uint64_t ns, const char *name)
{
    fputs(*first ? "\n" : ",\n", out);
    *first = 0;
    fprintf(out, "{\"ph\":\"%s\",\"pid\":%lld,\"tid\":%u,\"ts\":", ph, pid, tid);
    put_us(out, ns);
    fputs(",\"name\":", out);
    drd_report_put_json_str(out, name);
}

/* The metadata events: the process's name, each thread's name and its place (the busiest first, pauses on top). */
static void put_metadata(FILE *out, int *first, const struct drd_timeline *t, long long pid, const char *process)
{
    begin(out, first, "M", pid, 0, 0, "process_name");
    fputs(",\"args\":{\"name\":", out);
    drd_report_put_json_str(out, process);
    fputs("}}", out);
    begin(out, first, "M", pid, PAUSE_TID, 0, "thread_name");
    fputs(",\"args\":{\"name\":\"Runtime pauses (every managed thread stopped)\"}}", out);
    begin(out, first, "M", pid, PAUSE_TID, 0, "thread_sort_index");
    fputs(",\"args\":{\"sort_index\":-1}}", out);
    const struct drd_tl_thread **order = malloc((t->n_threads ? t->n_threads : 1) * sizeof *order);
    for (size_t i = 0; i < t->n_threads; i++) {
        char label[300];
        const struct drd_tl_thread *th = &t->threads[i];
        snprintf(label, sizeof label, "%s (%u)", th->name && *th->name ? th->name : "thread", th->tid);
        begin(out, first, "M", pid, th->tid, 0, "thread_name");
        fputs(",\"args\":{\"name\":", out);
        drd_report_put_json_str(out, label);
        fputs("}}", out);
        if (order)
            order[i] = th;
    }
    if (!order)
        return;
    for (size_t i = 0; i < t->n_threads; i++) { /* rank by activity: a few thousand threads at most */
        size_t rank = 0;
        for (size_t j = 0; j < t->n_threads; j++)
            rank += order[j]->busy_ns > order[i]->busy_ns ||
                    (order[j]->busy_ns == order[i]->busy_ns && order[j]->tid < order[i]->tid);
        begin(out, first, "M", pid, order[i]->tid, 0, "thread_sort_index");
        fprintf(out, ",\"args\":{\"sort_index\":%zu}}", rank);
    }
    free(order);
}

/* The leaf frame's name of an event's stack, or fallback. */
static const char *leaf(const struct drd_timeline *t, const struct drd_tl_event *e, const char *fallback)
{
    uint32_t n;
    const uint32_t *frames = drd_timeline_stack(t, e, &n);
    return n ? drd_timeline_frame_name(t, e->file, frames[0]) : fallback;
}

static void put_sf(FILE *out, const struct drd_tl_event *e, uint32_t n)
{
    if (n)
        fprintf(out, ",\"sf\":\"%u.%u.%u\"", e->file, e->stack, n - 1);
}

static void put_pause(FILE *out, int *first, long long pid, const struct drd_tl_event *e)
{
    char name[64];
    if (e->generation >= 0)
        snprintf(name, sizeof name, "GC gen %d%s", e->generation, e->induced ? " (induced)" : "");
    else
        snprintf(name, sizeof name, "pause: %s", drd_pause_reason_name((int)e->key));
    begin(out, first, "X", pid, PAUSE_TID, e->ns, name);
    fputs(",\"cat\":\"pause\",\"dur\":", out);
    put_us(out, e->dur);
    fprintf(out, ",\"args\":{\"reason\":\"%s\",\"generation\":%d,\"induced\":%s,\"suspended_by\":%u}}",
            drd_pause_reason_name((int)e->key), e->generation, e->induced ? "true" : "false", e->tid);
}

static void put_wait(FILE *out, int *first, long long pid, const struct drd_timeline *t, const struct drd_tl_event *e)
{
    static const char *const sources[] = {"unknown", "Monitor.Wait"};
    char name[96];
    uint32_t n;
    drd_timeline_stack(t, e, &n);
    if (e->kind == DRD_TL_LOCK)
        snprintf(name, sizeof name, "lock %llu", (unsigned long long)e->key);
    else
        snprintf(name, sizeof name, "wait: %s", leaf(t, e, e->key >= 1 && e->key <= 2 ? sources[e->key - 1] : "?"));
    begin(out, first, "X", pid, e->tid, e->ns, name);
    fprintf(out, ",\"cat\":\"%s\",\"dur\":", e->kind == DRD_TL_LOCK ? "lock" : "wait");
    put_us(out, e->dur);
    put_sf(out, e, n);
    if (e->kind == DRD_TL_LOCK)
        fprintf(out, ",\"args\":{\"lock\":%llu,\"owner\":%u}}", (unsigned long long)e->key, e->owner);
    else
        fprintf(out, ",\"args\":{\"source\":%llu}}", (unsigned long long)e->key);
}

/* An instant on its thread: a CPU sample (named after its leaf frame), a throw or catch, an allocation. */
static void put_instant(FILE *out, int *first, long long pid, const struct drd_timeline *t,
                        const struct drd_tl_event *e)
{
    uint32_t n;
    drd_timeline_stack(t, e, &n);
    const char *name = e->kind == DRD_TL_CPU ? leaf(t, e, "(no stack)") : drd_timeline_type(t, e);
    begin(out, first, "i", pid, e->tid, e->ns, name);
    fprintf(out, ",\"s\":\"t\",\"cat\":\"%s\"", drd_timeline_kind_name(e->kind));
    put_sf(out, e, n);
    if (e->kind == DRD_TL_CPU) {
        fputs(",\"args\":{\"cpu_us\":", out);
        put_us(out, e->dur);
        fputs("}}", out);
    } else if (e->kind == DRD_TL_CATCH) {
        fputs(",\"args\":{\"caught_in\":", out);
        drd_report_put_json_str(out, drd_timeline_frame(t, e));
        fputs("}}", out);
    } else
        fputs("}", out);
}

/* The stackFrames dictionary: for each stack an event uses, its frames root first, "<file>.<stack>.<depth>", each
 * naming its caller as parent (stacks are not merged: a file holds each distinct stack once). */
static int put_frames(FILE *out, const struct drd_timeline *t)
{
    int rc = 0;
    fputs("\"stackFrames\":{", out);
    int first = 1;
    for (int f = 0; f < t->n_files; f++) {
        const struct drd_rawdata *d = &t->files[f].d;
        unsigned char *used = calloc(d->n_stacks + 1, 1);
        if (!used) {
            rc = -1;
            break;
        }
        for (size_t i = 0; i < t->n; i++)
            if (t->ev[i].file == f)
                used[t->ev[i].stack] = 1;
        for (uint32_t s = 1; s <= d->n_stacks; s++) {
            if (!used[s])
                continue;
            const struct drd_rawread_stack *st = &d->stacks[s - 1];
            for (uint32_t i = 0; i < st->n; i++) { /* depth i from the root: the frame st->n - 1 - i */
                fprintf(out, "%s\"%d.%u.%u\":{\"name\":", first ? "\n" : ",\n", f, s, i);
                first = 0;
                drd_report_put_json_str(out, d->frames[st->frames[st->n - 1 - i] - 1]);
                if (i > 0)
                    fprintf(out, ",\"parent\":\"%d.%u.%u\"", f, s, i - 1);
                fputc('}', out);
            }
        }
        free(used);
    }
    fputs("}", out);
    return rc;
}

static void put_events(FILE *out, const struct drd_timeline *t, long long pid, const char *process)
{
    int first = 1;
    fputs("\"traceEvents\":[", out);
    put_metadata(out, &first, t, pid, process);
    for (size_t i = 0; i < t->n; i++) {
        const struct drd_tl_event *e = &t->ev[i];
        if (e->kind == DRD_TL_PAUSE)
            put_pause(out, &first, pid, e);
        else if (e->kind == DRD_TL_LOCK || e->kind == DRD_TL_WAIT)
            put_wait(out, &first, pid, t, e);
        else
            put_instant(out, &first, pid, t, e);
    }
    fputs("\n]", out);
}

static void put_other(FILE *out, const struct drd_timeline *t, json_t *session)
{
    fputs("\"otherData\":{\"session\":", out);
    drd_report_put_json_str(out, json_string_value(json_object_get(session, "id")));
    if (t->has_zero)
        fprintf(out, ",\"zero_wall_ns\":%lld,\"zero_monotonic_ns\":%llu", (long long)t->zero_wall_ns,
                (unsigned long long)t->zero_mono_ns);
    fprintf(out, ",\"left_off\":%llu", (unsigned long long)t->left_off);
    for (int k = 0; k < DRD_TL_KINDS; k++)
        fprintf(out, ",\"%s_events\":%llu", drd_timeline_kind_name(k), (unsigned long long)t->counts[k]);
    fputs("}", out);
}

int drd_export_chrome_trace(const char *dir, FILE *out, char *err, size_t cap)
{
    json_t *session = drd_session_load_any(dir, err, cap);
    if (!session)
        return -1;
    struct drd_timeline t;
    int rc = drd_timeline_load(dir, session, &t, err, cap);
    if (rc == 0) {
        json_t *target = json_object_get(session, "target");
        long long pid = (long long)json_integer_value(json_object_get(target, "pid"));
        const char *name = json_string_value(json_object_get(target, "name"));
        char process[300];
        snprintf(process, sizeof process, "%s (pid %lld)", name ? name : "target", pid);
        fputs("{", out);
        put_events(out, &t, pid, process);
        fputs(",\n", out);
        if (put_frames(out, &t)) {
            snprintf(err, cap, "out of memory");
            rc = -1;
        }
        fputs(",\n\"displayTimeUnit\":\"ms\",\n", out);
        put_other(out, &t, session);
        fputs("}\n", out);
        if (rc == 0 && ferror(out)) {
            snprintf(err, cap, "write error");
            rc = -1;
        }
    }
    drd_timeline_free(&t);
    json_decref(session);
    return rc;
}
