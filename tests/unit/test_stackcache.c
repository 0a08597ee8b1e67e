/* Unit tests for the stack cache (src/profiler/stackcache.c): the runtime's walk is asked once per frame-pointer
 * chain, reused after, and never reused for shared generic code. The runtime is a fake ICorProfilerInfo15 whose
 * DoStackSnapshot reports a fixed managed stack; the chains are this test's own frames (compiled with frame
 * pointers, in an executable that is not a shared library, so they count as the "managed" code). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "profiler/stackcache.h"

#if defined(__x86_64__)

/* Allocations counted on a thread that asks (counting): the C library's own allocator under this executable's
 * malloc, calloc and realloc, which its internal calls reach too. Not under AddressSanitizer, whose allocator
 * these would bypass. */
#if defined(__SANITIZE_ADDRESS__)
#define COUNTS_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COUNTS_ALLOCATIONS 0
#endif
#endif
#ifndef COUNTS_ALLOCATIONS
#define COUNTS_ALLOCATIONS 1
#endif

static __thread int counting;
static atomic_int allocations;

#if COUNTS_ALLOCATIONS
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);

void *malloc(size_t n)
{
    if (counting)
        atomic_fetch_add(&allocations, 1);
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    if (counting)
        atomic_fetch_add(&allocations, 1);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    if (counting)
        atomic_fetch_add(&allocations, 1);
    return __libc_realloc(p, n);
}
#endif

#define FAKE_FRAMES 5
static int snapshots; /* DoStackSnapshot calls */
static int shared_generic; /* GetFunctionInfo2 without a frame names another class than with one */
static int other_path; /* the fake stack's second frame is another function (a path the chain does not tell) */

static HRESULT fake_snapshot(ICorProfilerInfo15 *This, ThreadID thread, StackSnapshotCallback cb, ULONG32 flags,
                             void *data, BYTE ctx[], ULONG32 ctx_size)
{
    (void)This, (void)flags, (void)ctx, (void)ctx_size;
    assert_int_equal(thread, 0);
    snapshots++;
    for (int i = 0; i < FAKE_FRAMES; i++)
        if (cb((FunctionID)(0x1000 + 0x10 * i + (other_path && i == 1 ? 0x800 : 0)), 0x5000 + (UINT_PTR)i, (COR_PRF_FRAME_INFO)(0x77 + i), 0, NULL, data) !=
            S_OK)
            break;
    return S_OK;
}

static HRESULT fake_function_info(ICorProfilerInfo15 *This, FunctionID fn, COR_PRF_FRAME_INFO frame, ClassID *cls,
                                  ModuleID *module, mdToken *tok, ULONG32 cap, ULONG32 *n, ClassID args[])
{
    (void)This, (void)cap, (void)args;
    /* the exact class, from the frame, is 0x9000 + fn; without a frame it is the same unless the code is shared */
    *cls = (ClassID)(0x9000 + fn);
    if (!frame && shared_generic && fn == 0x1020)
        *cls = 0x4242;
    *module = 1;
    *tok = 0x06000001;
    *n = 0;
    return S_OK;
}

static ICorProfilerInfo15Vtbl vtbl;
static ICorProfilerInfo15 info = {&vtbl};

static int setup(void **state)
{
    (void)state;
    memset(&vtbl, 0, sizeof vtbl);
    vtbl.DoStackSnapshot = fake_snapshot;
    vtbl.GetFunctionInfo2 = fake_function_info;
    snapshots = 0;
    shared_generic = 0;
    other_path = 0;
    return 0;
}

static void expect_fake_stack(const struct drd_frame *f, int n, int want)
{
    assert_int_equal(n, want);
    for (int i = 0; i < n; i++) {
        assert_int_equal(f[i].fn, 0x1000 + 0x10 * i);
        assert_int_equal(f[i].cls, 0x9000 + 0x1000 + 0x10 * i);
    }
}

/* Two call sites: two chains (a chain holds the callers' return addresses too, so the same site reached from
 * another line of a test is another chain). */
static __attribute__((noinline)) int from_site_a(struct drd_stack_cache *sc, struct drd_frame *f, int max)
{
    int n = drd_stack_cache_walk(sc, &info, f, max);
    __asm__ volatile("" ::: "memory");
    return n;
}

static __attribute__((noinline)) int from_site_b(struct drd_stack_cache *sc, struct drd_frame *f, int max)
{
    int n = drd_stack_cache_walk(sc, &info, f, max);
    __asm__ volatile("" ::: "memory");
    return n;
}

static void one_walk_per_chain(void **state)
{
    (void)state;
    struct drd_stack_cache sc;
    char err[128];
    assert_int_equal(drd_stack_cache_init(&sc, 64, 16, err, sizeof err), 0);
    assert_true(sc.on);
    /* the calls in a loop without a branch: one call site, so one chain (the last one a reused walk cut to a
     * smaller max, read from memory so that the compiler makes no second call site for it) */
    static volatile int maxes[10] = {16, 16, 16, 16, 16, 16, 16, 16, 16, 3};
    struct drd_frame fs[10][16], f[16];
    int ns[10];
    memset(fs, 0, sizeof fs);
    for (int i = 0; i < 10; i++)
        ns[i] = from_site_a(&sc, fs[i], maxes[i]);
    for (int i = 0; i < 9; i++) {
        expect_fake_stack(fs[i], ns[i], FAKE_FRAMES);
        assert_int_equal(fs[i][FAKE_FRAMES].fn, 0);
    }
    expect_fake_stack(fs[9], ns[9], 3);
    assert_int_equal(fs[9][3].fn, 0);
    assert_int_equal(snapshots, 1 + 4);
    for (int i = 0; i < 3; i++) {
        memset(f, 0, sizeof f);
        expect_fake_stack(f, from_site_b(&sc, f, 16), FAKE_FRAMES);
    }
    assert_int_equal(snapshots, 1 + 4 + 1 + 2);
    assert_int_equal(atomic_load(&sc.reused), 9 - 4 + 2 - 2);
    assert_int_equal(atomic_load(&sc.walked), 8);
    assert_int_equal(atomic_load(&sc.mismatched), 0);
    drd_stack_cache_free(&sc);
    assert_false(sc.on);
}

static void shared_generic_code_is_walked_every_time(void **state)
{
    (void)state;
    shared_generic = 1;
    struct drd_stack_cache sc;
    char err[128];
    assert_int_equal(drd_stack_cache_init(&sc, 64, 16, err, sizeof err), 0);
    struct drd_frame f[16];
    for (int i = 0; i < 4; i++)
        expect_fake_stack(f, from_site_a(&sc, f, 16), FAKE_FRAMES);
    assert_int_equal(snapshots, 4);
    assert_int_equal(atomic_load(&sc.uncacheable), 1);
    assert_int_equal(atomic_load(&sc.reused), 0);
    drd_stack_cache_free(&sc);
}

static void a_reused_walk_is_checked(void **state)
{
    (void)state;
    struct drd_stack_cache sc;
    char err[128];
    assert_int_equal(drd_stack_cache_init(&sc, 64, 16, err, sizeof err), 0);
    static struct drd_frame fs[200][16];
    static int ns[200];
    static volatile int switch_at = 10;
    for (int i = 0; i < 200; i++) {
        other_path = i >= switch_at;
        ns[i] = from_site_a(&sc, fs[i], 16);
    }
    /* call 0 walks and keeps; reuses are checked at calls 1, 2, 4, 8 (same path: they agree) and 16, which finds
     * the other path (calls from 10 on): from then on every call walks */
    assert_int_equal(atomic_load(&sc.mismatched), 1);
    assert_int_equal(atomic_load(&sc.reused), 15 - 4);
    /* reuses until the check hand out the kept walk (the old path); the check and all later calls the new one */
    assert_int_equal(fs[9][1].fn, 0x1010);
    assert_int_equal(fs[15][1].fn, 0x1010);
    assert_int_equal(fs[16][1].fn, 0x1810);
    assert_int_equal(fs[199][1].fn, 0x1810);
    assert_int_equal(snapshots, 1 + 4 + 1 + 183);
    for (int i = 0; i < 200; i++)
        assert_int_equal(ns[i], FAKE_FRAMES);
    drd_stack_cache_free(&sc);
}

/* Another thread: its bounds learned at its first walk, without allocating; its chains reused like the main
 * thread's. */
static struct drd_stack_cache *thread_cache;
static int thread_ns[5];
static struct drd_frame thread_fs[5][16];

static void *walk_on_a_thread(void *arg)
{
    (void)arg;
    counting = 1;
    for (int i = 0; i < 5; i++)
        thread_ns[i] = from_site_a(thread_cache, thread_fs[i], 16);
    counting = 0;
    return NULL;
}

static void another_thread_reuses_its_chains(void **state)
{
    (void)state;
    struct drd_stack_cache sc;
    char err[128];
    assert_int_equal(drd_stack_cache_init(&sc, 64, 16, err, sizeof err), 0);
    thread_cache = &sc;
    atomic_store(&allocations, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, walk_on_a_thread, NULL), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(atomic_load(&allocations), 0); /* the bounds lookup included */
    for (int i = 0; i < 5; i++)
        expect_fake_stack(thread_fs[i], thread_ns[i], FAKE_FRAMES);
    /* 1 walk kept, reuses 1, 2 and 4 checked */
    assert_int_equal(snapshots, 1 + 3);
    assert_int_equal(atomic_load(&sc.reused), 1);
    assert_int_equal(atomic_load(&sc.direct), 0);
    drd_stack_cache_free(&sc);
}

/* On an alternate signal stack no chain is read (it is not the thread's stack): the runtime walks. */
static struct drd_stack_cache *signal_cache;
static int signal_n;
static struct drd_frame signal_fs[16];

static void on_signal(int sig)
{
    (void)sig;
    signal_n = from_site_a(signal_cache, signal_fs, 16);
}

static void an_alternate_stack_reads_no_chain(void **state)
{
    (void)state;
    struct drd_stack_cache sc;
    char err[128];
    assert_int_equal(drd_stack_cache_init(&sc, 64, 16, err, sizeof err), 0);
    signal_cache = &sc;
    stack_t alt = {.ss_sp = malloc(1 << 16), .ss_size = 1 << 16, .ss_flags = 0}, old;
    assert_non_null(alt.ss_sp);
    assert_int_equal(sigaltstack(&alt, &old), 0);
    struct sigaction sa, prev;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_ONSTACK;
    assert_int_equal(sigaction(SIGUSR1, &sa, &prev), 0);
    assert_int_equal(raise(SIGUSR1), 0);
    assert_int_equal(sigaction(SIGUSR1, &prev, NULL), 0);
    alt.ss_flags = SS_DISABLE;
    assert_int_equal(sigaltstack(&alt, NULL), 0);
    free(alt.ss_sp);
    expect_fake_stack(signal_fs, signal_n, FAKE_FRAMES);
    assert_int_equal(snapshots, 1);
    assert_int_equal(atomic_load(&sc.direct), 1);
    assert_int_equal(atomic_load(&sc.reused), 0);
    drd_stack_cache_free(&sc);
}

static void a_full_cache_walks_every_time(void **state)
{
    (void)state;
    struct drd_stack_cache sc;
    char err[128];
    /* two slots: the chain's probes find a free one at first, so fill them with other keys first */
    assert_int_equal(drd_stack_cache_init(&sc, 2, 16, err, sizeof err), 0);
    struct drd_frame other[1];
    for (uint64_t k = 1; k < 200; k++) {
        other[0] = (struct drd_frame){k, 0, 0};
        if (!drd_keytable_find(&sc.chains, 0, other, 1))
            break;
    }
    struct drd_frame f[16];
    for (int i = 0; i < 3; i++)
        expect_fake_stack(f, from_site_a(&sc, f, 16), FAKE_FRAMES);
    assert_int_equal(snapshots, 3);
    assert_int_equal(atomic_load(&sc.direct), 3);
    drd_stack_cache_free(&sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(one_walk_per_chain, setup),
        cmocka_unit_test_setup(shared_generic_code_is_walked_every_time, setup),
        cmocka_unit_test_setup(a_reused_walk_is_checked, setup),
        cmocka_unit_test_setup(a_full_cache_walks_every_time, setup),
        cmocka_unit_test_setup(another_thread_reuses_its_chains, setup),
        cmocka_unit_test_setup(an_alternate_stack_reads_no_chain, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else
int main(void)
{
    return 0; /* the chains are read on x86_64 only */
}
#endif
