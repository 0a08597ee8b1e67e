/* The heap-snapshot profiler: the object graph with its GC roots, for retained sizes and retention paths. One
 * capture of the shared heap walk (heapwalk.c) into heap-snapshot.graph, then the session ends. Dominators,
 * retained sizes and paths are computed by the tool. The graph format is documented in include/drdotnet/raw.h. */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "profiler/core.h"
#include "profiler/heapwalk.h"
#include "profiler/rawout.h"

static struct {
    int fd;
    struct drd_heapwalk_facts facts;
    int done;
} st;

static const struct drd_param_desc params[] = {
    {"max_graph_mb", DRD_PARAM_INT, "4096", "the largest graph to hold and write; a larger heap ends the session", 1,
     65536, NULL},
    {"static_roots", DRD_PARAM_BOOL, "true", "name the app's static fields that hold objects", 0, 0, NULL},
};

static const struct drd_profiler_desc desc = {
    .name = "heap-snapshot",
    .clsid = "{4F8A2B6D-1E3C-4B57-A9D0-6C2E8F1A3B75}",
    .description = "What holds memory: per type count, shallow and retained bytes, retention paths from roots",
    .params = params,
    .n_params = (int)(sizeof params / sizeof params[0]),
    .flags = DRD_PROFILER_ATTACH | DRD_PROFILER_ONESHOT,
    .common = DRD_COMMON_MAX_FILE_MB,
};

static int sample(struct drd_prof *p)
{
    struct drd_core *c = p->core;
    char why[200];
    int rc = drd_heapwalk_take(c, &st.facts, why, sizeof why);
    if (rc && st.facts.bytes == 0) {
        drd_session_fail(c, why); /* nothing captured */
        return 1;
    }
    if (rc)
        drd_session_fail(c, why);
    atomic_store(&p->events, st.facts.objects);
    __atomic_store_n(&st.done, 1, __ATOMIC_RELEASE);
    drd_session_request_end(c);
    return 1;
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
    if (drd_heapwalk_begin(p, "heap-snapshot.graph", &st.fd, mask, mask_high, err, errcap)) {
        release();
        return -1;
    }
    return 0;
}

static void drain(struct drd_prof *p)
{
    if (!__atomic_load_n(&st.done, __ATOMIC_ACQUIRE) || st.done == 2)
        return;
    st.done = 2;
    drd_heapwalk_names(p->raw);
    const struct drd_heapwalk_facts *f = &st.facts;
    drd_rawout_printf(p->raw,
                      "m\tobjects\t%llu\nm\tedges\t%llu\nm\troots\t%llu\nm\theap_bytes\t%llu\nm\tpause_ns\t%llu\n"
                      "m\tgc_ns\t%llu\n",
                      (unsigned long long)f->objects, (unsigned long long)f->edges, (unsigned long long)f->roots,
                      (unsigned long long)f->heap_bytes, (unsigned long long)f->pause_ns,
                      (unsigned long long)f->gc_ns);
}

static void stop(struct drd_prof *p)
{
    (void)p;
    release();
}

const struct drd_profiler_ops drd_heap_snapshot_ops = {
    .desc = &desc,
    .extra_file = "heap-snapshot.graph",
    .override = drd_heapwalk_override,
    .start = start,
    .drain = drain,
    .sample = sample,
    .stop = stop,
};
