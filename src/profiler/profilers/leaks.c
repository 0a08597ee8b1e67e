/* The leaks profiler: several heap snapshots over the session, for the types that grow from one to the next. Each
 * snapshot is one capture of the shared heap walk (heapwalk.c: a forced GC and its object graph), appended to
 * leaks.graph; a 'g' line in leaks.raw says where each one starts. Unlike heap-snapshot it does not end its session
 * after a snapshot, so it runs beside allocations (whose stacks then say where the growing types come from), and
 * its snapshots are spread over the session's duration: the first at the start, then every duration / snapshots
 * seconds (or `interval`, which the duration must leave room for), the session ending right after the last. Which
 * types grew, and what holds them, the tool finds. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"
#include "profiler/core.h"
#include "profiler/heapwalk.h"
#include "profiler/rawout.h"

#define MAX_SNAPSHOTS 20

static struct {
    int fd;
    int want, taken; /* snapshots asked for, taken */
    int64_t start_ns, interval_ns;
    struct drd_heapwalk_facts facts[MAX_SNAPSHOTS];
    int64_t at_ms[MAX_SNAPSHOTS]; /* when each was taken, from the first */
    _Atomic int published; /* snapshots whose facts drain may write */
    int written; /* 'g' lines written */
} st;

static const struct drd_param_desc params[] = {
    {"snapshots", DRD_PARAM_INT, "4", "heap snapshots over the duration, the first at the start", 2, MAX_SNAPSHOTS,
     NULL},
    {"interval", DRD_PARAM_INT, "0", "seconds from one snapshot to the next; 0: the duration / snapshots", 0, 3600,
     NULL},
    {"max_graph_mb", DRD_PARAM_INT, "4096", "the most the snapshots' graphs hold in all; past it the session ends", 1,
     65536, NULL},
    {"static_roots", DRD_PARAM_BOOL, "true", "name the app's static fields that hold objects", 0, 0, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "leaks",
    .clsid = "{9C3E5A71-2B4D-4E8F-A6C1-7D0B3F5E2A94}",
    .description = "Which types keep growing: heap snapshots over the session, what holds the growth, who allocated it",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH,
    .common = DRD_COMMON_DURATION | DRD_COMMON_MAX_FILE_MB,
};

/* Takes snapshot st.taken. Returns 0 to go on, 1 when the last one is taken or a capture failed. */
static int take_one(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    char why[200];
    int k = st.taken;
    int64_t at = drd_clock_mono_ns();
    int rc = drd_heapwalk_take(c, &st.facts[k], why, sizeof why);
    drd_log(c, "leaks: snapshot %d of %d at %lld ms: %s, %llu objects, the target paused %llu ms", k + 1, st.want,
            (long long)((at - st.start_ns) / 1000000), rc ? why : "taken", (unsigned long long)st.facts[k].objects,
            (unsigned long long)(st.facts[k].pause_ns / 1000000));
    if (rc == 0 || st.facts[k].bytes > 0) {
        st.at_ms[k] = (at - st.start_ns) / 1000000;
        st.taken++;
        atomic_fetch_add(&p->events, st.facts[k].objects);
        atomic_store(&st.published, st.taken);
    }
    if (rc) {
        drd_session_fail(c, why);
        return 1;
    }
    if (st.taken == st.want) {
        drd_session_request_end(c);
        return 1;
    }
    return 0;
}

static int sample(struct drd_prof *p)
{
    int64_t now = drd_clock_mono_ns();
    if (st.start_ns == 0)
        st.start_ns = now;
    if (now < st.start_ns + st.taken * st.interval_ns)
        return 0;
    return take_one(p);
}

static void release(void)
{
    drd_heapwalk_release();
    if (st.fd > 0)
        close(st.fd);
    memset(&st, 0, sizeof st);
}

static int start(struct drd_prof *p, DWORD *mask, DWORD *mask_high, char *err, size_t errcap)
{
    memset(&st, 0, sizeof st);
    st.want = (int)drd_params_int(&p->params, "snapshots", 4);
    int64_t duration_s = drd_params_int(&p->params, "duration", 10);
    if (duration_s <= 0) {
        snprintf(err, errcap, "leaks needs a duration over which to spread its snapshots (--duration N)");
        return -1;
    }
    int64_t interval_s = drd_params_int(&p->params, "interval", 0);
    if (interval_s > 0 && (st.want - 1) * interval_s >= duration_s) {
        snprintf(err, errcap,
                 "%d snapshots %lld s apart need a duration of more than %lld s (--duration), the session's end "
                 "coming right after the last one",
                 st.want, (long long)interval_s, (long long)((st.want - 1) * interval_s));
        return -1;
    }
    st.interval_ns = interval_s > 0 ? interval_s * 1000000000LL : duration_s * 1000000000LL / st.want;
    if (drd_heapwalk_begin(p, "leaks.graph", &st.fd, mask, mask_high, err, errcap)) {
        release();
        return -1;
    }
    return 0;
}

/* The names and the 'g' lines of the snapshots taken since the last call. */
static void drain(struct drd_prof *p)
{
    int n = atomic_load(&st.published);
    drd_heapwalk_names(p->raw);
    for (; st.written < n; st.written++) {
        const struct drd_heapwalk_facts *f = &st.facts[st.written];
        drd_rawout_printf(p->raw, "g\t%d\t%llu\t%llu\t%lld\t%llu\t%llu\t%llu\t%llu\n", st.written + 1,
                          (unsigned long long)f->offset, (unsigned long long)f->bytes, (long long)st.at_ms[st.written],
                          (unsigned long long)f->objects, (unsigned long long)f->heap_bytes,
                          (unsigned long long)f->pause_ns, (unsigned long long)f->gc_ns);
    }
}

/* After the sampler stopped: what the snapshots were asked to be. */
static void end(struct drd_prof *p)
{
    drd_rawout_printf(p->raw, "m\tsnapshots_asked\t%d\nm\tinterval_ms\t%lld\n", st.want,
                      (long long)(st.interval_ns / 1000000));
}

static void stop(struct drd_prof *p)
{
    (void)p;
    release();
}

const struct drd_profiler_ops drd_leaks_ops = {
    .desc = &desc,
    .extra_file = "leaks.graph",
    .override = drd_heapwalk_override,
    .start = start,
    .drain = drain,
    .end = end,
    .sample = sample,
    .stop = stop,
};
