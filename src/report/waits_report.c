/* The waits report: locks ranked by time waited, blocking waits by kind, the thread pool over the session, and the time
 * each thread waited, from a waits raw file (records in include/drdotnet/raw.h). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "report/rawread.h"
#include "report/report.h"
#include "symbols/symbols.h"

#define MAX_DURATION (1ULL << 50) /* ns: 13 days; more is a corrupt file */
#define TREE_NODES                                                                                                     \
    20000 /* nodes per waiter tree; deeper paths stop at the last node that fit                                        \
           */
#define TOP_LOCKS 50
#define TOP_THREADS 50
#define TOP_OWNERS 5

enum { LOCK = 0, WAIT = 1 };

struct group { /* g: exact counts of one (lock or source, stack) */
    int kind;
    uint64_t key;
    uint32_t stack;
    uint64_t count, total_ns, max_ns;
};

struct one { /* w: one wait */
    int kind;
    uint64_t tid, key, owner, dur_ns, at_ns;
    uint32_t stack;
};

struct owner { /* o: the owner of a contended lock, caught while a thread waited for it */
    uint64_t key, tid, syscall; /* syscall: the system call it was blocked in (stack 0), or UINT64_MAX when running */
    uint32_t stack;
};

struct total { /* h: a thread's exact totals */
    uint64_t tid, waits, lock_ns, blocked_ns;
};

struct pool { /* p (worker start/stop) or j (adjustment) */
    int adjust;
    uint64_t at_ns, count, reason_or_retired, throughput_milli;
    int start;
};

struct name {
    uint64_t tid;
    const char *name;
};

struct facts {
    uint64_t runtime, lock_ids, wait_handles, min_wait_us, max_stacks_per_s, lock_events, wait_events, pool_events,
        short_waits, capped_waits, records_dropped, waits_begun_before, no_thread_entry, owner_stacks,
        owner_stacks_per_s, owner_sent, owner_taken, owner_blocked, owner_gone, owner_limited, owner_busy, owner_lost,
        max_records_per_s, records_capped, records_size_capped;
    int has_runtime, has_lock_ids, has_wait_handles, has_owner_stacks;
};

struct collect {
    struct group *g;
    size_t n_g, cap_g;
    struct one *w;
    size_t n_w, cap_w;
    struct pool *p;
    size_t n_p, cap_p;
    struct owner *o;
    size_t n_o, cap_o;
    struct total *t;
    size_t n_t, cap_t;
    struct name *names;
    size_t n_names, cap_names;
    struct facts f;
};

static int kind_of(const char *s)
{
    return strcmp(s, "lock") == 0 ? LOCK : strcmp(s, "wait") == 0 ? WAIT : -1;
}

static int fact(struct facts *f, const char *k, const char *v)
{
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"runtime", offsetof(struct facts, runtime)},
        {"lock_ids", offsetof(struct facts, lock_ids)},
        {"wait_handles", offsetof(struct facts, wait_handles)},
        {"min_wait_us", offsetof(struct facts, min_wait_us)},
        {"max_stacks_per_s", offsetof(struct facts, max_stacks_per_s)},
        {"lock_events", offsetof(struct facts, lock_events)},
        {"wait_events", offsetof(struct facts, wait_events)},
        {"pool_events", offsetof(struct facts, pool_events)},
        {"short_waits", offsetof(struct facts, short_waits)},
        {"capped_waits", offsetof(struct facts, capped_waits)},
        {"records_dropped", offsetof(struct facts, records_dropped)},
        {"waits_begun_before", offsetof(struct facts, waits_begun_before)},
        {"no_thread_entry", offsetof(struct facts, no_thread_entry)},
        {"owner_stacks", offsetof(struct facts, owner_stacks)},
        {"owner_stacks_per_s", offsetof(struct facts, owner_stacks_per_s)},
        {"owner_sent", offsetof(struct facts, owner_sent)},
        {"owner_taken", offsetof(struct facts, owner_taken)},
        {"owner_blocked", offsetof(struct facts, owner_blocked)},
        {"owner_gone", offsetof(struct facts, owner_gone)},
        {"owner_limited", offsetof(struct facts, owner_limited)},
        {"owner_busy", offsetof(struct facts, owner_busy)},
        {"owner_lost", offsetof(struct facts, owner_lost)},
        {"max_records_per_s", offsetof(struct facts, max_records_per_s)},
        {"records_capped", offsetof(struct facts, records_capped)},
        {"records_size_capped", offsetof(struct facts, records_size_capped)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(k, keys[i].key) == 0) {
            uint64_t x;
            if (drd_rawread_u64(v, &x))
                return -1;
            memcpy((char *)f + keys[i].off, &x, sizeof x);
            if (i == 0)
                f->has_runtime = 1;
            if (i == 1)
                f->has_lock_ids = 1;
            if (i == 2)
                f->has_wait_handles = 1;
            if (strcmp(k, "owner_stacks") == 0)
                f->has_owner_stacks = 1;
            return 0;
        }
    return 0; /* other facts are for newer tools */
}

static int on_record(void *ctx, const struct drd_rawdata *d, char **f, int n, char *err, size_t cap)
{
    struct collect *k = ctx;
    const char *tag = f[0];
    uint64_t a, b, c, e, x, y;
    if (strcmp(tag, "m") == 0) {
        if (n != 3 || fact(&k->f, f[1], f[2]))
            goto bad;
        return 0;
    }
    if (strcmp(tag, "n") == 0) {
        if (n != 3 || drd_rawread_u64(f[1], &a) ||
            drd_rawread_grow((void **)&k->names, &k->cap_names, k->n_names, sizeof *k->names))
            goto bad;
        drd_rawread_clean_text(f[2]);
        k->names[k->n_names++] = (struct name){a, f[2]};
        return 0;
    }
    if (strcmp(tag, "g") == 0) {
        int kind = n == 7 ? kind_of(f[1]) : -1;
        if (kind < 0 || drd_rawread_u64(f[2], &a) || drd_rawread_u64(f[3], &b) || drd_rawread_u64(f[4], &c) ||
            drd_rawread_u64(f[5], &e) || drd_rawread_u64(f[6], &x) || b == 0 || b > d->n_stacks || c > MAX_DURATION ||
            e > MAX_DURATION || x > MAX_DURATION || drd_rawread_grow((void **)&k->g, &k->cap_g, k->n_g, sizeof *k->g))
            goto bad;
        k->g[k->n_g++] = (struct group){kind, a, (uint32_t)b, c, e, x};
        return 0;
    }
    if (strcmp(tag, "w") == 0) {
        int kind = n == 8 ? kind_of(f[1]) : -1;
        if (kind < 0 || drd_rawread_u64(f[2], &a) || drd_rawread_u64(f[3], &b) || drd_rawread_u64(f[4], &c) ||
            drd_rawread_u64(f[5], &e) || drd_rawread_u64(f[6], &x) || drd_rawread_u64(f[7], &y) || e > d->n_stacks ||
            x > MAX_DURATION || y > MAX_DURATION || drd_rawread_grow((void **)&k->w, &k->cap_w, k->n_w, sizeof *k->w))
            goto bad;
        k->w[k->n_w++] = (struct one){kind, a, b, c, x, y, (uint32_t)e};
        return 0;
    }
    if (strcmp(tag, "h") == 0) {
        if (n != 5 || drd_rawread_u64(f[1], &a) || drd_rawread_u64(f[2], &b) || drd_rawread_u64(f[3], &c) ||
            drd_rawread_u64(f[4], &e) || c > MAX_DURATION * 1000 || e > MAX_DURATION * 1000 ||
            drd_rawread_grow((void **)&k->t, &k->cap_t, k->n_t, sizeof *k->t))
            goto bad;
        k->t[k->n_t++] = (struct total){a, b, c, e};
        return 0;
    }
    if (strcmp(tag, "o") == 0) {
        /* o <lock id> <owner tid> <stack id or 0> <run | sys:<number>> */
        x = UINT64_MAX;
        if (n != 5 || drd_rawread_u64(f[1], &a) || drd_rawread_u64(f[2], &b) || drd_rawread_u64(f[3], &c) ||
            c > d->n_stacks || (strcmp(f[4], "run") != 0 && (strncmp(f[4], "sys:", 4) != 0 ||
                                                              drd_rawread_u64(f[4] + 4, &x) || x > 100000)) ||
            drd_rawread_grow((void **)&k->o, &k->cap_o, k->n_o, sizeof *k->o))
            goto bad;
        k->o[k->n_o++] = (struct owner){a, b, x, (uint32_t)c};
        return 0;
    }
    if (strcmp(tag, "p") == 0) {
        int start = n == 5 ? (strcmp(f[2], "start") == 0 ? 1 : strcmp(f[2], "stop") == 0 ? 0 : -1) : -1;
        if (start < 0 || drd_rawread_u64(f[1], &a) || drd_rawread_u64(f[3], &b) || drd_rawread_u64(f[4], &c) ||
            a > MAX_DURATION || b > 1000000 || c > 1000000 || drd_rawread_grow((void **)&k->p, &k->cap_p, k->n_p, sizeof *k->p))
            goto bad;
        k->p[k->n_p++] = (struct pool){0, a, b, c, 0, start};
        return 0;
    }
    if (strcmp(tag, "j") == 0) {
        if (n != 5 || drd_rawread_u64(f[1], &a) || drd_rawread_u64(f[2], &b) || drd_rawread_u64(f[3], &c) ||
            drd_rawread_u64(f[4], &e) || a > MAX_DURATION || b > 1000000 || c > 1000 || e > (1ULL << 53) ||
            drd_rawread_grow((void **)&k->p, &k->cap_p, k->n_p, sizeof *k->p))
            goto bad;
        k->p[k->n_p++] = (struct pool){1, a, b, c, e, 0};
        return 0;
    }
    snprintf(err, cap, "unknown record '%.8s' in a waits file", tag);
    return -1;
bad:
    snprintf(err, cap, "malformed '%.8s' record in a waits file", tag);
    return -1;
}

/* The kind of a blocking wait, from the first frame (leaf first) that names a waiting API; else from the event's wait
 * source (key = 1 + source: 0 unknown, 1 Monitor.Wait). */
static const char *wait_kind(const struct drd_rawdata *d, uint32_t stack, uint64_t key)
{
    static const struct {
        const char *frame, *kind;
    } known[] = {
        {"Task.SpinThenBlockingWait", "Task.Wait / .Result"},
        {"Task.InternalWait", "Task.Wait / .Result"},
        {"Task.Wait", "Task.Wait / .Result"},
        {".GetResult", "Task.Wait / .Result"},
        {".get_Result", "Task.Wait / .Result"},
        {"SemaphoreSlim.Wait", "SemaphoreSlim.Wait"},
        {"ManualResetEventSlim.Wait", "ManualResetEventSlim.Wait"},
        {"CountdownEvent.Wait", "CountdownEvent.Wait"},
        {"Barrier.SignalAndWait", "Barrier.SignalAndWait"},
        {"Thread.Join", "Thread.Join"},
        {"WaitHandle.Wait", "WaitHandle.WaitOne/WaitAny/WaitAll"},
        {"Monitor.Wait", "Monitor.Wait"},
    };
    if (stack >= 1 && stack <= d->n_stacks) {
        const struct drd_rawread_stack *s = &d->stacks[stack - 1];
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
            for (uint32_t i = 0; i < s->n; i++)
                if (strstr(d->frames[s->frames[i] - 1], known[k].frame))
                    return known[k].kind;
    }
    int stacked = stack >= 1 && stack <= d->n_stacks && d->stacks[stack - 1].n > 0;
    if (key == 2)
        return stacked ? "Monitor.Wait" : "Monitor.Wait (not stacked)";
    return stacked ? "other wait handle" : "wait handle (not stacked)";
}

/* What kind of lock a waiter's stack (leaf first) waited on, from its frames: a System.Threading.Lock (the event's
 * object is the Lock itself, so its type is known without reading it), a Monitor (lock statement, Monitor.Enter:
 * the locked object's type is not read), or NULL when no frame tells. */
static const char *lock_kind(const struct drd_rawdata *d, uint32_t stack)
{
    if (stack < 1 || stack > d->n_stacks)
        return NULL;
    const struct drd_rawread_stack *s = &d->stacks[stack - 1];
    for (uint32_t i = 0; i < s->n; i++) {
        const char *f = d->frames[s->frames[i] - 1];
        if (strncmp(f, "System.Threading.Lock.", 22) == 0)
            return "System.Threading.Lock";
        if (strncmp(f, "System.Threading.Monitor.", 25) == 0)
            return "Monitor";
    }
    return NULL;
}

static const char *thread_name(const struct collect *k, uint64_t tid)
{
    for (size_t i = k->n_names; i-- > 0;)
        if (k->names[i].tid == tid)
            return k->names[i].name;
    return "";
}

/* Adds ns and count to a tree node's own. */
static void bump(json_t *node, uint64_t ns, uint64_t count)
{
    json_object_set_new(node, "ns", json_integer(json_integer_value(json_object_get(node, "ns")) + (json_int_t)ns));
    json_object_set_new(node, "count",
                        json_integer(json_integer_value(json_object_get(node, "count")) + (json_int_t)count));
}

/* node's child named frame, made when missing unless *nodes reached TREE_NODES (then NULL). */
static json_t *child_named(json_t *node, const char *frame, size_t *nodes)
{
    json_t *children = json_object_get(node, "children"), *ch;
    size_t i;
    json_array_foreach(children, i, ch)
    {
        if (strcmp(json_string_value(json_object_get(ch, "name")), frame) == 0)
            return ch;
    }
    if (*nodes >= TREE_NODES)
        return NULL;
    ch = json_pack("{s:s,s:I,s:I,s:[]}", "name", frame, "ns", (json_int_t)0, "count", (json_int_t)0, "children");
    if (!ch || json_array_append_new(children, ch))
        return NULL;
    (*nodes)++;
    return ch;
}

/* Adds a stack (leaf first), weighted, under root: {"name","ns","count","children"}, root frame first. *nodes counts
 * the nodes made; past TREE_NODES a path stops at the last node that exists. */
static void tree_add(json_t *root, const struct drd_rawdata *d, uint32_t stack, uint64_t ns, uint64_t count,
                     size_t *nodes)
{
    const struct drd_rawread_stack *s = stack >= 1 && stack <= d->n_stacks ? &d->stacks[stack - 1] : NULL;
    json_t *node = root;
    for (uint32_t left = s ? s->n : 0;; left--) {
        bump(node, ns, count);
        if (left == 0)
            return;
        /* a frame with a source line goes by "Method (File.cs:42)": the tree tells the lines of a method apart */
        json_t *next = child_named(node, drd_rawread_label(d, s->frames[left - 1]), nodes);
        if (!next)
            return;
        node = next;
    }
}

static void tree_sort_by(json_t *node, const char *key)
{
    json_t *children = json_object_get(node, "children"), *ch;
    size_t i;
    drd_report_sort_desc(children, key);
    json_array_foreach(children, i, ch) tree_sort_by(ch, key);
}

static void tree_sort(json_t *node)
{
    tree_sort_by(node, "ns");
}

/* The name of an x86_64 system call an owner was blocked in (the ones a lock's holder is likely to wait in). */
static const char *syscall_name(uint64_t nr)
{
    static const struct {
        uint64_t nr;
        const char *name;
    } known[] = {{0, "read"},         {1, "write"},         {7, "poll"},         {16, "ioctl"},     {17, "pread64"},
                 {18, "pwrite64"},    {19, "readv"},        {20, "writev"},      {23, "select"},    {34, "pause"},
                 {35, "nanosleep"},   {42, "connect"},      {43, "accept"},      {44, "sendto"},    {45, "recvfrom"},
                 {46, "sendmsg"},     {47, "recvmsg"},      {61, "wait4"},       {72, "fcntl"},     {73, "flock"},
                 {74, "fsync"},       {75, "fdatasync"},    {128, "rt_sigtimedwait"}, {230, "clock_nanosleep"},
                 {232, "epoll_wait"}, {247, "waitid"},      {257, "openat"},     {270, "pselect6"}, {271, "ppoll"},
                 {281, "epoll_pwait"}, {288, "accept4"}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (known[i].nr == nr)
            return known[i].name;
    return NULL;
}

/* The owners of lock key caught while threads waited for it, merged into a tree counted in samples ("count"; "ns"
 * is 0): their stacks, or one node naming the system call an owner was blocked in (not signalled). Sets *n. */
static json_t *owner_tree(const struct collect *k, const struct drd_rawdata *d, uint64_t key, size_t *n,
                          size_t *nodes)
{
    json_t *root = json_pack("{s:s,s:I,s:I,s:[]}", "name", "all", "ns", (json_int_t)0, "count", (json_int_t)0,
                             "children");
    *n = 0;
    for (size_t i = 0; root && i < k->n_o; i++) {
        const struct owner *o = &k->o[i];
        if (o->key != key)
            continue;
        (*n)++;
        if (o->syscall == UINT64_MAX) {
            tree_add(root, d, o->stack, 0, 1, nodes);
            continue;
        }
        char label[96];
        const char *nm = syscall_name(o->syscall);
        if (nm)
            snprintf(label, sizeof label, "[blocked in the system call %s: not signalled]", nm);
        else
            snprintf(label, sizeof label, "[blocked in system call %" PRIu64 ": not signalled]", o->syscall);
        bump(root, 0, 1);
        json_t *ch = child_named(root, label, nodes);
        if (ch)
            bump(ch, 0, 1);
    }
    if (root)
        tree_sort_by(root, "count");
    return root;
}

static int by_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank quantile of n sorted values; 0 when n is 0. */
static uint64_t quantile(const uint64_t *v, size_t n, double q)
{
    if (!n)
        return 0;
    size_t r = (size_t)(q * (double)n + 0.999999);
    return v[r == 0 ? 0 : r > n ? n - 1 : r - 1];
}

/* Sets p50/p95/p99 (ns) and "distribution_of" on o from the durations in v (sorted here). */
static void put_quantiles(json_t *o, uint64_t *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, by_u64);
    json_object_set_new(o, "p50_ns", json_integer((json_int_t)quantile(v, n, 0.50)));
    json_object_set_new(o, "p95_ns", json_integer((json_int_t)quantile(v, n, 0.95)));
    json_object_set_new(o, "p99_ns", json_integer((json_int_t)quantile(v, n, 0.99)));
    json_object_set_new(o, "distribution_of", json_integer((json_int_t)n));
}

static json_t *entry_new(const char *label_key, json_t *label)
{
    return json_pack("{s:o,s:I,s:I,s:I,s:{s:s,s:I,s:I,s:[]}}", label_key, label, "count", (json_int_t)0, "total_ns",
                     (json_int_t)0, "max_ns", (json_int_t)0, "tree", "name", "all", "ns", (json_int_t)0, "count",
                     (json_int_t)0, "children");
}

static void entry_add(json_t *e, const struct group *g, const struct drd_rawdata *d, size_t *nodes)
{
    json_object_set_new(e, "count",
                        json_integer(json_integer_value(json_object_get(e, "count")) + (json_int_t)g->count));
    json_object_set_new(e, "total_ns",
                        json_integer(json_integer_value(json_object_get(e, "total_ns")) + (json_int_t)g->total_ns));
    if ((json_int_t)g->max_ns > json_integer_value(json_object_get(e, "max_ns")))
        json_object_set_new(e, "max_ns", json_integer((json_int_t)g->max_ns));
    tree_add(json_object_get(e, "tree"), d, g->stack, g->total_ns, g->count, nodes);
}

static const char *reason_name(uint64_t r)
{
    static const char *names[] = {"warmup",        "initializing",     "random-move",
                                  "climbing-move", "change-point",     "stabilizing",
                                  "starvation",    "thread-timed-out", "cooperative-blocking"};
    return r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}

static json_t *build_locks(struct collect *k, const struct drd_rawdata *d)
{
    json_t *locks = json_array();
    uint64_t *durs = malloc((k->n_w + 1) * sizeof *durs);
    if (!locks || !durs) {
        free(durs);
        return locks;
    }
    size_t nodes = 0;
    for (size_t i = 0; i < k->n_g; i++) {
        struct group *g = &k->g[i];
        if (g->kind != LOCK || g->count == UINT64_MAX)
            continue;
        char id[32];
        snprintf(id, sizeof id, "0x%" PRIx64, g->key);
        json_t *e = entry_new("lock", json_string(g->key ? id : "unknown"));
        const char *kind = NULL;
        for (size_t j = i; j < k->n_g; j++)
            if (k->g[j].kind == LOCK && k->g[j].key == g->key && k->g[j].count != UINT64_MAX) {
                if (!kind)
                    kind = lock_kind(d, k->g[j].stack);
                entry_add(e, &k->g[j], d, &nodes);
                if (j != i)
                    k->g[j].count = UINT64_MAX; /* taken */
            }
        size_t n = 0;
        json_t *owners = json_array();
        for (size_t j = 0; j < k->n_w; j++) {
            const struct one *w = &k->w[j];
            if (w->kind != LOCK || w->key != g->key)
                continue;
            durs[n++] = w->dur_ns;
            json_t *o = NULL, *x;
            size_t m;
            json_array_foreach(owners, m, x) if ((uint64_t)json_integer_value(json_object_get(x, "owner")) == w->owner)
            {
                o = x;
                break;
            }
            if (!o) {
                o = json_pack("{s:I,s:I,s:I}", "owner", (json_int_t)w->owner, "count", (json_int_t)0, "waited_ns",
                              (json_int_t)0);
                json_array_append_new(owners, o);
            }
            json_object_set_new(o, "count", json_integer(json_integer_value(json_object_get(o, "count")) + 1));
            json_object_set_new(
                o, "waited_ns",
                json_integer(json_integer_value(json_object_get(o, "waited_ns")) + (json_int_t)w->dur_ns));
        }
        drd_report_sort_desc(owners, "waited_ns");
        while (json_array_size(owners) > TOP_OWNERS)
            json_array_remove(owners, TOP_OWNERS);
        size_t m;
        json_t *x;
        json_array_foreach(owners, m, x)
        {
            const char *nm = thread_name(k, (uint64_t)json_integer_value(json_object_get(x, "owner")));
            if (*nm)
                json_object_set_new(x, "name", json_string(nm));
        }
        json_object_set_new(e, "owners", owners);
        /* the type: certain for a System.Threading.Lock; a Monitor's object is never read (see build_unseen) */
        json_object_set_new(e, "kind", json_string(kind ? kind : "unknown"));
        json_object_set_new(e, "type", kind && strcmp(kind, "Monitor") != 0 ? json_string(kind) : json_null());
        size_t n_owner = 0;
        json_t *ot = owner_tree(k, d, g->key, &n_owner, &nodes);
        json_object_set_new(e, "owner_samples", json_integer((json_int_t)n_owner));
        if (ot)
            json_object_set_new(e, "owner_tree", ot);
        put_quantiles(e, durs, n);
        tree_sort(json_object_get(e, "tree"));
        g->count = UINT64_MAX;
        json_array_append_new(locks, e);
    }
    free(durs);
    drd_report_sort_desc(locks, "total_ns");
    return locks;
}

static json_t *build_waits(struct collect *k, const struct drd_rawdata *d)
{
    json_t *kinds = json_object(), *out = json_array();
    size_t nodes = 0;
    for (size_t i = 0; i < k->n_g; i++) {
        const struct group *g = &k->g[i];
        if (g->kind != WAIT)
            continue;
        const char *kind = wait_kind(d, g->stack, g->key);
        json_t *e = json_object_get(kinds, kind);
        if (!e) {
            e = entry_new("kind", json_string(kind));
            json_object_set_new(kinds, kind, e);
        }
        entry_add(e, g, d, &nodes);
    }
    uint64_t *durs = malloc((k->n_w + 1) * sizeof *durs);
    const char *name;
    json_t *e;
    json_object_foreach(kinds, name, e)
    {
        size_t n = 0;
        for (size_t j = 0; durs && j < k->n_w; j++)
            if (k->w[j].kind == WAIT && strcmp(wait_kind(d, k->w[j].stack, k->w[j].key), name) == 0)
                durs[n++] = k->w[j].dur_ns;
        put_quantiles(e, durs, durs ? n : 0);
        tree_sort(json_object_get(e, "tree"));
        json_array_append(out, e);
    }
    free(durs);
    json_decref(kinds);
    drd_report_sort_desc(out, "total_ns");
    return out;
}

/* Adds n to o's integer key. */
static void add_to(json_t *o, const char *key, uint64_t n)
{
    json_object_set_new(o, key, json_integer(json_integer_value(json_object_get(o, key)) + (json_int_t)n));
}

/* The row of thread tid in byid (keyed by its tid as text), made with zero totals the first time. */
static json_t *thread_row(json_t *byid, struct collect *k, uint64_t tid)
{
    char key[24];
    snprintf(key, sizeof key, "%" PRIu64, tid);
    json_t *o = json_object_get(byid, key);
    if (!o) {
        o = json_pack("{s:I,s:s,s:I,s:I,s:I,s:I}", "tid", (json_int_t)tid, "name", thread_name(k, tid), "waits",
                      (json_int_t)0, "waited_ns", (json_int_t)0, "lock_ns", (json_int_t)0, "blocked_ns",
                      (json_int_t)0);
        json_object_set_new(byid, key, o);
    }
    return o;
}

/* byid's rows as an array (byid released), the longest waiters first, TOP_THREADS of them. */
static json_t *ranked_threads(json_t *byid)
{
    json_t *out = json_array(), *o;
    const char *key;
    json_object_foreach(byid, key, o) json_array_append(out, o);
    json_decref(byid);
    drd_report_sort_desc(out, "waited_ns");
    while (json_array_size(out) > TOP_THREADS)
        json_array_remove(out, TOP_THREADS);
    return out;
}

/* Time waited per thread: exact from the h records (the library's per-thread counters; a thread may have several,
 * each added) when the file has them, else added up from the w records. */
static json_t *build_threads(struct collect *k)
{
    json_t *byid = json_object();
    for (size_t i = 0; i < k->n_t; i++) {
        const struct total *t = &k->t[i];
        json_t *o = thread_row(byid, k, t->tid);
        add_to(o, "waits", t->waits);
        add_to(o, "waited_ns", t->lock_ns + t->blocked_ns);
        add_to(o, "lock_ns", t->lock_ns);
        add_to(o, "blocked_ns", t->blocked_ns);
    }
    for (size_t j = 0; !k->n_t && j < k->n_w; j++) {
        json_t *o = thread_row(byid, k, k->w[j].tid);
        add_to(o, "waits", 1);
        add_to(o, "waited_ns", k->w[j].dur_ns);
        add_to(o, k->w[j].kind == LOCK ? "lock_ns" : "blocked_ns", k->w[j].dur_ns);
    }
    return ranked_threads(byid);
}

static json_t *build_pool(struct collect *k)
{
    json_t *timeline = json_array(), *adjustments = json_array();
    uint64_t starvation = 0, blocking = 0, max_workers = 0, last_workers = 0;
    int seen = 0;
    for (size_t i = 0; i < k->n_p; i++) {
        const struct pool *p = &k->p[i];
        double at_ms = (double)p->at_ns / 1e6;
        if (p->adjust) {
            starvation += p->reason_or_retired == 6;
            blocking += p->reason_or_retired == 8;
            json_array_append_new(adjustments,
                                  json_pack("{s:f,s:I,s:s,s:f,s:b}", "at_ms", at_ms, "workers", (json_int_t)p->count,
                                            "reason", reason_name(p->reason_or_retired), "throughput",
                                            (double)p->throughput_milli / 1000.0, "starvation",
                                            p->reason_or_retired == 6 || p->reason_or_retired == 8));
        } else {
            json_array_append_new(timeline, json_pack("{s:f,s:s,s:I,s:I}", "at_ms", at_ms, "event",
                                                      p->start ? "start" : "stop", "active", (json_int_t)p->count,
                                                      "retired", (json_int_t)p->reason_or_retired));
        }
        if (p->count > max_workers)
            max_workers = p->count;
        last_workers = p->count;
        seen = 1;
    }
    char verdict[400];
    if (!seen)
        snprintf(verdict, sizeof verdict,
                 "No thread-pool event during the session: the pool neither started nor retired workers nor adjusted "
                 "its target, so it was not starved.");
    else if (starvation || blocking)
        snprintf(verdict, sizeof verdict,
                 "Thread-pool starvation: the pool had to add workers %" PRIu64
                 " times because its threads were blocked waiting on tasks (\"cooperative-blocking\": sync over async) "
                 "and %" PRIu64 " times because queued work was not being picked up (\"starvation\"), up to %" PRIu64
                 " workers; the blocking waits below show where its threads block.",
                 blocking, starvation, max_workers);
    else
        snprintf(verdict, sizeof verdict,
                 "No starvation: the pool adjusted its workers %zu times, never because work was left waiting (at most "
                 "%" PRIu64 " workers).",
                 json_array_size(adjustments), max_workers);
    return json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:b,s:s}", "workers", timeline, "adjustments", adjustments,
                     "max_workers", (json_int_t)max_workers, "last_workers", (json_int_t)last_workers,
                     "starvation_adjustments", (json_int_t)starvation, "blocking_adjustments", (json_int_t)blocking,
                     "starved", starvation + blocking > 0, "verdict", verdict);
}

/* What the session could not see, and why: sentences. */
static json_t *build_unseen(const struct collect *k)
{
    json_t *u = json_array();
    char s[400];
    if (k->f.has_wait_handles && !k->f.wait_handles) {
        snprintf(s, sizeof s,
                 "Blocking waits (WaitHandle, Monitor.Wait, SemaphoreSlim, ManualResetEventSlim, Task.Wait) were not "
                 "seen: the runtime reports them (WaitHandleWaitStart/Stop) from .NET 9, and this one is .NET %" PRIu64
                 ".",
                 k->f.runtime);
        json_array_append_new(u, json_string(s));
    }
    if (k->f.has_lock_ids && !k->f.lock_ids) {
        snprintf(s, sizeof s,
                 "Locks are not told apart and their owners are unknown: ContentionStart carries the lock and its "
                 "owner from .NET 8, and this runtime is .NET %" PRIu64 ".",
                 k->f.runtime);
        json_array_append_new(u, json_string(s));
    }
    json_array_append_new(
        u, json_string("The type of the object a Monitor (lock statement) locks is not read: the event hands over its "
                       "address, valid only until a GC moves the object, and nothing in the profiling API says or lets "
                       "us check that no GC can run while the event is delivered; reading it could meet a moved object. "
                       "A System.Threading.Lock is named as such (its waiters' frames say so); the waiters' stacks show "
                       "where each lock is taken."));
    const char *owners = NULL;
    if (!k->f.has_owner_stacks)
        owners = "The owner's stack while it held the lock is not captured (owners are named by thread id).";
    else if (k->f.owner_stacks == 0)
        owners = "The owners' stacks were not taken: owner_stacks_per_s was 0.";
    else if (k->f.owner_stacks == 2)
        owners = "The owners' stacks were not taken: the process handles SIGPROF itself (or is not x86_64, or "
                 "refuses process_vm_readv: profiler.log says which), and taking the owner's stack needs that signal "
                 "and that copy; owners are named by thread id only.";
    else if (k->f.owner_stacks == 3 && !(k->f.has_lock_ids && !k->f.lock_ids))
        owners = "The owners' stacks were not taken: the runtime names a lock's owner from .NET 8.";
    if (owners)
        json_array_append_new(u, json_string(owners));
    return u;
}

json_t *drd_waits_report(const char *raw_path, char *err, size_t cap)
{
    struct collect k = {0};
    struct drd_rawdata d;
    char *buf = NULL;
    json_t *report = NULL;
    if (drd_rawread_load(raw_path, DRD_RAW_READ_MAX, &d, &buf, on_record, &k, err, cap))
        goto out;
    if (strcmp(d.profiler, "waits") != 0) {
        snprintf(err, cap, "a '%s' file is not a waits file", d.profiler);
        goto out;
    }
    uint64_t lock_n = 0, lock_ns = 0, wait_n = 0, wait_ns = 0;
    for (size_t i = 0; i < k.n_g; i++) {
        if (k.g[i].kind == LOCK)
            lock_n += k.g[i].count, lock_ns += k.g[i].total_ns;
        else
            wait_n += k.g[i].count, wait_ns += k.g[i].total_ns;
    }
    json_t *waits = build_waits(&k, &d);
    json_t *threads = build_threads(&k);
    json_t *pool = build_pool(&k);
    json_t *unseen = build_unseen(&k);
    json_t *locks = build_locks(&k, &d); /* last: it marks the groups it took */
    while (json_array_size(locks) > TOP_LOCKS)
        json_array_remove(locks, TOP_LOCKS);
    report = json_pack(
        "{s:s,s:I,s:b,s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}}", "profiler",
        "waits", "runtime", (json_int_t)k.f.runtime, "wait_handles_seen", k.f.wait_handles != 0, "complete", d.ended,
        "contended", (json_int_t)lock_n, "contended_ns", (json_int_t)lock_ns, "blocking_waits", (json_int_t)wait_n,
        "blocking_ns", (json_int_t)wait_ns, "min_wait_us", (json_int_t)k.f.min_wait_us, "lock_events",
        (json_int_t)k.f.lock_events, "locks", locks, "waits", waits, "threads", threads, "thread_pool", pool, "unseen",
        unseen, "left_out", "not_stacked_short", (json_int_t)k.f.short_waits, "not_stacked_capped",
        (json_int_t)k.f.capped_waits, "records_dropped", (json_int_t)k.f.records_dropped, "begun_before_session",
        (json_int_t)k.f.waits_begun_before, "no_thread_entry", (json_int_t)k.f.no_thread_entry, "table_full",
        (json_int_t)d.dropped, "max_stacks_per_s", (json_int_t)k.f.max_stacks_per_s, "records", (json_int_t)k.n_w);
    if (report) {
        json_t *lo = json_object_get(report, "left_out");
        json_object_set_new(lo, "records_capped", json_integer((json_int_t)k.f.records_capped));
        json_object_set_new(lo, "records_size_capped", json_integer((json_int_t)k.f.records_size_capped));
        json_object_set_new(lo, "max_records_per_s", json_integer((json_int_t)k.f.max_records_per_s));
    }
    if (report && k.f.owner_stacks == 1)
        json_object_set_new(report, "owner_stacks",
                            json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "per_s", (json_int_t)k.f.owner_stacks_per_s,
                                      "signalled", (json_int_t)k.f.owner_sent, "taken", (json_int_t)k.f.owner_taken,
                                      "blocked_not_signalled", (json_int_t)k.f.owner_blocked, "owner_gone",
                                      (json_int_t)k.f.owner_gone, "rate_limited", (json_int_t)k.f.owner_limited,
                                      "busy", (json_int_t)k.f.owner_busy, "unanswered", (json_int_t)k.f.owner_lost));
    drd_symbols_attach(report, &d);
    if (!report)
        snprintf(err, cap, "out of memory");
out:
    drd_rawdata_free(&d);
    free(buf);
    free(k.g);
    free(k.w);
    free(k.p);
    free(k.o);
    free(k.t);
    free(k.names);
    return report;
}

static long long num(json_t *o, const char *key)
{
    return (long long)json_integer_value(json_object_get(o, key));
}

/* Prints a tree's nodes of at least 2 % of total (in key: "ns" or "count"), each with its count of unit. */
static void print_tree_by(FILE *out, json_t *node, int depth, long long total, int *lines, const char *key,
                          const char *unit)
{
    size_t i;
    json_t *ch;
    json_array_foreach(json_object_get(node, "children"), i, ch)
    {
        if (*lines >= 40 || depth > 24)
            return;
        long long v = num(ch, key);
        if (total > 0 && v * 100 < total * 2) /* under 2 %: left out of the text */
            continue;
        fprintf(out, "    %*s%5.1f%%  %s (%lld %s)\n", depth * 2, "",
                total > 0 ? 100.0 * (double)v / (double)total : 0.0, json_string_value(json_object_get(ch, "name")),
                num(ch, "count"), unit);
        (*lines)++;
        print_tree_by(out, ch, depth + 1, total, lines, key, unit);
    }
}

static void print_tree(FILE *out, json_t *node, int depth, long long total, int *lines)
{
    print_tree_by(out, node, depth, total, lines, "ns", "waits");
}

static void print_entry(FILE *out, json_t *e, const char *label)
{
    fprintf(out, "  %s: %lld waits, %.3f ms total, p50 %.3f / p95 %.3f / p99 %.3f / max %.3f ms\n", label,
            num(e, "count"), (double)num(e, "total_ns") / 1e6, (double)num(e, "p50_ns") / 1e6,
            (double)num(e, "p95_ns") / 1e6, (double)num(e, "p99_ns") / 1e6, (double)num(e, "max_ns") / 1e6);
}

void drd_waits_print(FILE *out, json_t *r)
{
    fprintf(out, "Lock contention: %lld contended acquisitions, %.3f ms waited in all\n", num(r, "contended"),
            (double)num(r, "contended_ns") / 1e6);
    fprintf(out, "Blocking waits: %lld, %.3f ms waited in all%s\n", num(r, "blocking_waits"),
            (double)num(r, "blocking_ns") / 1e6,
            json_is_true(json_object_get(r, "wait_handles_seen")) ? "" : " (not visible on this runtime)");
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(r, "unseen"), i, e) fprintf(out, "  note: %s\n", json_string_value(e));
    json_t *lo = json_object_get(r, "left_out");
    if (num(lo, "records_capped") || num(lo, "records_size_capped"))
        fprintf(out,
                "  storm: %lld waits past %lld a second and %lld past three quarters of max_file_mb were not recorded "
                "one by one: counted and timed in the totals (exact), left out of the percentiles and the owners\n",
                num(lo, "records_capped"), num(lo, "max_records_per_s"), num(lo, "records_size_capped"));
    if (num(lo, "not_stacked_short") || num(lo, "not_stacked_capped") || num(lo, "records_dropped") ||
        num(lo, "table_full") || num(lo, "begun_before_session"))
        fprintf(out,
                "  left out: %lld waits shorter than %lld us and %lld past %lld stack walks/s counted without a stack; "
                "%lld left out of the percentiles (queue full); %lld lost (table full); %lld begun before the session "
                "(length unknown)\n",
                num(lo, "not_stacked_short"), num(r, "min_wait_us"), num(lo, "not_stacked_capped"),
                num(lo, "max_stacks_per_s"), num(lo, "records_dropped"), num(lo, "table_full"),
                num(lo, "begun_before_session"));
    json_t *os = json_object_get(r, "owner_stacks");
    if (os)
        fprintf(out,
                "  owners' stacks: %lld taken of %lld signalled; %lld owners blocked in a system call (not signalled), "
                "%lld gone, %lld past the limits (one per lock every 5 ms, %lld a second), %lld unanswered\n",
                num(os, "taken"), num(os, "signalled"), num(os, "blocked_not_signalled"), num(os, "owner_gone"),
                num(os, "rate_limited") + num(os, "busy"), num(os, "per_s"), num(os, "unanswered"));
    if (!json_is_true(json_object_get(r, "complete")))
        fprintf(out, "  (the raw data has no end: these are the waits recorded until the session was cut short)\n");
    fprintf(out, "\nLocks by time waited\n");
    if (!json_array_size(json_object_get(r, "locks")))
        fprintf(out, "  none: no thread waited for a lock (the runtime reported %lld contention starts)\n",
                num(r, "lock_events"));
    json_array_foreach(json_object_get(r, "locks"), i, e)
    {
        if (i >= 10)
            break;
        char label[120];
        const char *kind = json_string_value(json_object_get(e, "kind"));
        snprintf(label, sizeof label, "lock %s%s", json_string_value(json_object_get(e, "lock")),
                 kind && strcmp(kind, "Monitor") == 0         ? " (a Monitor: lock statement or Monitor.Enter)"
                 : kind && strcmp(kind, "unknown") != 0 ? " (System.Threading.Lock)"
                                                        : "");
        print_entry(out, e, label);
        size_t k;
        json_t *o;
        json_array_foreach(json_object_get(e, "owners"), k, o)
        {
            const char *nm = json_string_value(json_object_get(o, "name"));
            fprintf(out, "    held by thread %lld%s%s%s while %lld waits (%.3f ms)\n", num(o, "owner"), nm ? " (" : "",
                    nm ? nm : "", nm ? ")" : "", num(o, "count"), (double)num(o, "waited_ns") / 1e6);
        }
        int lines = 0;
        fprintf(out, "    waiters (share of the time waited):\n");
        print_tree(out, json_object_get(e, "tree"), 0, num(e, "total_ns"), &lines);
        if (num(e, "owner_samples") > 0) {
            lines = 0;
            fprintf(out, "    owners (what the holder was doing, %lld samples taken while threads waited):\n",
                    num(e, "owner_samples"));
            print_tree_by(out, json_object_get(e, "owner_tree"), 0, num(e, "owner_samples"), &lines, "count",
                          "samples");
        }
    }
    fprintf(out, "\nBlocking waits by kind\n");
    if (!json_array_size(json_object_get(r, "waits")))
        fprintf(out, json_is_true(json_object_get(r, "wait_handles_seen"))
                         ? "  none: no thread blocked on a wait handle or a monitor\n"
                         : "  not seen on this runtime (see the note above)\n");
    json_array_foreach(json_object_get(r, "waits"), i, e)
    {
        print_entry(out, e, json_string_value(json_object_get(e, "kind")));
        int lines = 0;
        if (i < 5)
            print_tree(out, json_object_get(e, "tree"), 0, num(e, "total_ns"), &lines);
    }
    json_t *pool = json_object_get(r, "thread_pool");
    fprintf(out, "\nThread pool: %s\n", json_string_value(json_object_get(pool, "verdict")));
    json_array_foreach(json_object_get(pool, "adjustments"), i, e)
    {
        if (i >= 20) {
            fprintf(out, "  ... %zu adjustments in all\n", json_array_size(json_object_get(pool, "adjustments")));
            break;
        }
        fprintf(out, "  %9.1f ms  %3lld workers  %s%s\n", json_real_value(json_object_get(e, "at_ms")),
                num(e, "workers"), json_string_value(json_object_get(e, "reason")),
                json_is_true(json_object_get(e, "starvation")) ? "  <- starvation" : "");
    }
    fprintf(out, "\nTime waited by thread\n");
    if (!json_array_size(json_object_get(r, "threads")))
        fprintf(out, "  none\n");
    json_array_foreach(json_object_get(r, "threads"), i, e)
    {
        if (i >= 15)
            break;
        fprintf(out, "  %8lld %-16s %10.3f ms in %lld waits (locks %.3f ms, blocked %.3f ms)\n", num(e, "tid"),
                json_string_value(json_object_get(e, "name")), (double)num(e, "waited_ns") / 1e6, num(e, "waits"),
                (double)num(e, "lock_ns") / 1e6, (double)num(e, "blocked_ns") / 1e6);
    }
}
