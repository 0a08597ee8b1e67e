/* The process's SIGPROF disposition, shared by the library's signal users (sigprof.h): one handler while any user
 * holds a claim, each signal handed to the user its si_code names. */
#define _GNU_SOURCE
#include "profiler/sigprof.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "profiler/core.h"

#define QUIESCE_WAIT_MS 2000

static struct {
    pthread_mutex_t lock; /* claims and releases; never taken in the handler */
    int claimed[DRD_SIGPROF_USERS];
    int installed; /* our handler is in place; old holds what was there */
    int keep_ignored;
    struct sigaction old;
    _Atomic(drd_sigprof_fn) fns[DRD_SIGPROF_USERS];
    atomic_int in_handler; /* handlers running now */
} sp = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* SIGPROF: counts itself in before it reads a user's function (see drd_sigprof_inside), keeps errno. */
static void on_sigprof(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    int saved = errno;
    atomic_fetch_add(&sp.in_handler, 1);
    if (si && ctx) {
        int user = si->si_code == SI_TIMER ? DRD_SIGPROF_TIMER : si->si_code == SI_QUEUE ? DRD_SIGPROF_QUEUE : -1;
        drd_sigprof_fn fn = user >= 0 ? atomic_load(&sp.fns[user]) : NULL;
        if (fn)
            fn(si, ctx);
    }
    atomic_fetch_sub(&sp.in_handler, 1);
    errno = saved;
}

/* Installs the handler over a disposition that must be SIG_DFL or SIG_IGN. Returns 0, or -1 with err. */
static int install(char *err, size_t errcap)
{
    struct sigaction cur;
    if (sigaction(SIGPROF, NULL, &cur)) {
        snprintf(err, errcap, "cannot read the SIGPROF disposition: %s", strerror(errno));
        return -1;
    }
    int has_handler = (cur.sa_flags & SA_SIGINFO) ? cur.sa_sigaction != NULL
                                                  : (cur.sa_handler != SIG_DFL && cur.sa_handler != SIG_IGN);
    if (has_handler) {
        snprintf(err, errcap, "the process already handles SIGPROF (another profiler, or the app itself); taking it "
                              "over would break it");
        return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigprof;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPROF, &sa, &sp.old)) {
        snprintf(err, errcap, "cannot install the SIGPROF handler: %s", strerror(errno));
        return -1;
    }
    sp.installed = 1;
    sp.keep_ignored = 0;
    return 0;
}

int drd_sigprof_claim(enum drd_sigprof_user user, drd_sigprof_fn fn, char *err, size_t errcap)
{
#if !defined(__x86_64__)
    (void)user, (void)fn;
    snprintf(err, errcap, "signal sampling walks x86_64 frame pointers; this architecture is not one");
    return -1;
#else
    int rc = -1;
    pthread_mutex_lock(&sp.lock);
    if (user < 0 || user >= DRD_SIGPROF_USERS || sp.claimed[user]) {
        snprintf(err, errcap, "the SIGPROF handler is already claimed for this use");
        goto out;
    }
    if (!sp.installed && install(err, errcap))
        goto out;
    atomic_store(&sp.fns[user], fn);
    sp.claimed[user] = 1;
    rc = 0;
out:
    pthread_mutex_unlock(&sp.lock);
    return rc;
#endif
}

int drd_sigprof_inside(void)
{
    return atomic_load(&sp.in_handler);
}

/* The last claim went: SIG_IGN (pending signals discarded), the handlers inside waited for, the old disposition
 * back. */
static void uninstall(struct drd_core *c)
{
    struct sigaction cur;
    int ours = sigaction(SIGPROF, NULL, &cur) == 0 && (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == on_sigprof;
    if (ours) {
        struct sigaction ign;
        memset(&ign, 0, sizeof ign);
        ign.sa_handler = SIG_IGN;
        sigemptyset(&ign.sa_mask);
        if (sigaction(SIGPROF, &ign, NULL))
            drd_log(c, "SIGPROF: ignoring it: %s", strerror(errno));
    } else {
        drd_log(c, "SIGPROF: someone replaced our handler; their disposition stays");
    }
    struct timespec ms = {0, 1000000};
    for (int waited = 0; atomic_load(&sp.in_handler) > 0 && waited < QUIESCE_WAIT_MS; waited++)
        nanosleep(&ms, NULL);
    if (ours) {
        if (!sp.keep_ignored) {
            if (sigaction(SIGPROF, &sp.old, NULL))
                drd_log(c, "SIGPROF: restoring the disposition: %s", strerror(errno));
        } else {
            drd_log(c, "SIGPROF left ignored (a timer could not be deleted)");
        }
    }
    sp.installed = 0;
}

void drd_sigprof_release(struct drd_core *c, enum drd_sigprof_user user, int keep_ignored)
{
    if (user < 0 || user >= DRD_SIGPROF_USERS)
        return;
    pthread_mutex_lock(&sp.lock);
    if (sp.claimed[user]) {
        atomic_store(&sp.fns[user], NULL);
        sp.claimed[user] = 0;
        sp.keep_ignored |= keep_ignored;
        int any = 0;
        for (int i = 0; i < DRD_SIGPROF_USERS; i++)
            any |= sp.claimed[i];
        if (!any && sp.installed)
            uninstall(c);
    }
    pthread_mutex_unlock(&sp.lock);
}
