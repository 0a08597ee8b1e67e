/* Unit tests for the frame-pointer walk and the /proc/<pid>/maps lookup of stack bounds (src/profiler/fpstack.c). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profiler/fpstack.h"
#include "common/fsutil.h"

/* A fake stack: frames[k] at word 2k holds the saved rbp (pointing at frame k+1) and at 2k+1 a return address. */
#define WORDS 64
static uint64_t stack[WORDS] __attribute__((aligned(16)));

static uint64_t at(int word)
{
    return (uint64_t)(uintptr_t)&stack[word];
}

static uint64_t top(void)
{
    return at(WORDS);
}

/* Builds a chain of n frames starting at word first, every 4 words, the last with saved rbp 0. */
static void chain(int first, int n)
{
    memset(stack, 0, sizeof stack);
    for (int k = 0; k < n; k++) {
        int w = first + 4 * k;
        stack[w] = k + 1 < n ? at(w + 4) : 0;
        stack[w + 1] = 0x400000 + 0x10 * (uint64_t)k;
    }
}

static void walk_follows_the_chain(void **state)
{
    (void)state;
    chain(2, 5);
    uint64_t ips[16];
    int trunc = -1;
    int n = drd_fp_walk(0x1234, at(0), at(2), top(), ips, 16, &trunc);
    assert_int_equal(n, 6);
    assert_int_equal(trunc, 0);
    assert_int_equal(ips[0], 0x1234);
    for (int k = 0; k < 5; k++)
        assert_int_equal(ips[k + 1], 0x400000 + 0x10 * k);
}

static void walk_stops_at_max_depth(void **state)
{
    (void)state;
    chain(0, 10);
    uint64_t ips[4];
    int trunc = 0;
    assert_int_equal(drd_fp_walk(0x1234, at(0), at(0), top(), ips, 4, &trunc), 4);
    assert_int_equal(trunc, 1);
    assert_int_equal(drd_fp_walk(0x1234, at(0), at(0), top(), ips, 1, &trunc), 1);
    assert_int_equal(trunc, 1);
    assert_int_equal(drd_fp_walk(0x1234, at(0), at(0), top(), ips, 0, &trunc), 0);
}

static void walk_refuses_bad_frame_pointers(void **state)
{
    (void)state;
    uint64_t ips[16];
    int trunc;
    chain(8, 3);
    /* below the stack pointer */
    assert_int_equal(drd_fp_walk(1, at(10), at(8), top(), ips, 16, &trunc), 1);
    /* misaligned */
    assert_int_equal(drd_fp_walk(1, at(0), at(8) + 4, top(), ips, 16, &trunc), 1);
    /* its 16 bytes not below hi */
    assert_int_equal(drd_fp_walk(1, at(0), at(8), at(9), ips, 16, &trunc), 1);
    assert_int_equal(drd_fp_walk(1, at(0), at(8), at(10), ips, 16, &trunc), 2);
    /* null, and a wild pointer far outside */
    assert_int_equal(drd_fp_walk(1, at(0), 0, top(), ips, 16, &trunc), 1);
    assert_int_equal(drd_fp_walk(1, at(0), 0xdead0000, top(), ips, 16, &trunc), 1);
    /* hi below 16 */
    assert_int_equal(drd_fp_walk(1, 0, 0, 8, ips, 16, &trunc), 1);
}

static void walk_refuses_loops_and_descents(void **state)
{
    (void)state;
    uint64_t ips[16];
    int trunc;
    memset(stack, 0, sizeof stack);
    /* a frame pointing at itself */
    stack[4] = at(4);
    stack[5] = 0x400000;
    assert_int_equal(drd_fp_walk(1, at(0), at(4), top(), ips, 16, &trunc), 2);
    /* a frame pointing back down */
    stack[4] = at(8);
    stack[8] = at(6);
    stack[9] = 0x400010;
    stack[6] = at(8);
    stack[7] = 0x400020;
    assert_int_equal(drd_fp_walk(1, at(0), at(4), top(), ips, 16, &trunc), 3);
    /* a return address in the first page ends the walk */
    memset(stack, 0, sizeof stack);
    stack[4] = at(8);
    stack[5] = 0x400000;
    stack[9] = 12;
    assert_int_equal(drd_fp_walk(1, at(0), at(4), top(), ips, 16, &trunc), 2);
}

/* A real chain of frames, built with frame pointers (this file is compiled with -fno-omit-frame-pointer). */
static uint64_t real_ips[16];
static int real_n;
static volatile int sink;

__attribute__((noinline)) static void leaf(void)
{
    uint64_t here = 0;
    uint64_t lo[1], hi[1], sp = (uint64_t)(uintptr_t)&here;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(drd_maps_find(fd, &sp, 1, lo, hi), 1);
    close(fd);
    int trunc;
    real_n = drd_fp_walk(0x1000, sp, (uint64_t)(uintptr_t)__builtin_frame_address(0), hi[0], real_ips, 16, &trunc);
    sink++;
}

__attribute__((noinline)) static void middle(void)
{
    leaf();
    sink++;
}

__attribute__((noinline)) static void outer(void)
{
    middle();
    sink++;
}

static void walk_of_a_real_stack(void **state)
{
    (void)state;
    outer();
    /* leaf's return address is in middle, middle's in outer, outer's here; more frames follow (cmocka, main) */
    assert_true(real_n >= 4);
    assert_true(real_ips[1] > (uint64_t)(uintptr_t)middle && real_ips[1] < (uint64_t)(uintptr_t)middle + 256);
    assert_true(real_ips[2] > (uint64_t)(uintptr_t)outer && real_ips[2] < (uint64_t)(uintptr_t)outer + 256);
    assert_true(real_ips[3] > (uint64_t)(uintptr_t)walk_of_a_real_stack &&
                real_ips[3] < (uint64_t)(uintptr_t)walk_of_a_real_stack + 256);
}

/* Writes text to a temporary file and returns an fd at its start. */
static int text_fd(const char *text)
{
    char path[256];
    const char *base = getenv("TMPDIR");
    drd_fs_path(path, sizeof path, "%s/drd-maps-XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static const char *const MAPS =
    "55d0c0000000-55d0c0021000 r--p 00000000 fe:00 123 /usr/bin/dotnet\n"
    "7f0000000000-7f0000001000 ---p 00000000 00:00 0 \n"
    "7f0000001000-7f0000801000 rw-p 00000000 00:00 0 \n"
    "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n";

static void maps_finds_the_mappings(void **state)
{
    (void)state;
    int fd = text_fd(MAPS);
    uint64_t addrs[5] = {0x7f0000001000, 0x7f0000800ff8, 0x7ffd00010000, 0x7f0000000800, 0x10};
    uint64_t lo[5], hi[5];
    assert_int_equal(drd_maps_find(fd, addrs, 5, lo, hi), 3);
    close(fd);
    assert_int_equal(lo[0], 0x7f0000001000);
    assert_int_equal(hi[0], 0x7f0000801000);
    assert_int_equal(lo[1], 0x7f0000001000);
    assert_int_equal(hi[1], 0x7f0000801000);
    assert_int_equal(lo[2], 0x7ffd00000000);
    assert_int_equal(hi[2], 0x7ffd00021000);
    /* the guard page is unreadable: no range */
    assert_int_equal(lo[3], 0);
    assert_int_equal(hi[3], 0);
    assert_int_equal(hi[4], 0);
}

static void maps_survives_long_lines_and_no_final_newline(void **state)
{
    (void)state;
    /* a first line longer than the reader's buffer, then a last line without '\n' */
    size_t cap = 40000;
    char *text = malloc(cap);
    assert_non_null(text);
    int n = snprintf(text, cap, "1000-2000 r-xp 00000000 00:00 0 /");
    memset(text + n, 'x', 20000);
    n += 20000;
    n += snprintf(text + n, cap - (size_t)n, "\n3000-4000 rw-p 00000000 00:00 0");
    int fd = text_fd(text);
    free(text);
    uint64_t addrs[2] = {0x1800, 0x3ff8}, lo[2], hi[2];
    assert_int_equal(drd_maps_find(fd, addrs, 2, lo, hi), 2);
    close(fd);
    assert_int_equal(lo[0], 0x1000);
    assert_int_equal(hi[0], 0x2000);
    assert_int_equal(lo[1], 0x3000);
    assert_int_equal(hi[1], 0x4000);
}

static void maps_refuses_malformed_lines(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "not a maps line\n",
        "1000 rw-p 0 00:00 0\n",
        "2000-1000 rw-p 0 00:00 0\n",
        "1000-2000\n",
        "1000-2000 ",
        "11111111111111111-2000 rw-p 0 00:00 0\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int fd = text_fd(bad[i]);
        uint64_t a = 0x1800, lo, hi;
        assert_int_equal(drd_maps_find(fd, &a, 1, &lo, &hi), -1);
        close(fd);
    }
    /* empty input: nothing found, no error */
    int fd = text_fd("");
    uint64_t a = 0x1800, lo, hi;
    assert_int_equal(drd_maps_find(fd, &a, 1, &lo, &hi), 0);
    close(fd);
    assert_int_equal(drd_maps_find(-1, &a, 1, &lo, &hi), -1);
}

static const char *const SELF_MAPS =
    "55d0c0000000-55d0c0021000 r-xp 00000000 fe:00 123 /usr/bin/dotnet\n"
    "7f0000000000-7f0000010000 r-xp 00000000 fe:00 5 /usr/share/dotnet/shared/App/10.0.0/libcoreclr.so\n"
    "7f0000010000-7f0000020000 r-xp 00010000 fe:00 5 /usr/share/dotnet/shared/App/10.0.0/libcoreclr.so\n"
    "7f0000020000-7f0000030000 r--p 00020000 fe:00 5 /usr/share/dotnet/shared/App/10.0.0/libcoreclr.so\n"
    "7f1000000000-7f1000010000 r-xp 00000000 fe:00 6 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f2000000000-7f2000010000 r-xp 00000000 fe:00 7 /app/System.Private.CoreLib.dll\n"
    "7f3000000000-7f3000010000 rwxp 00000000 00:00 0 \n"
    "7f4000000000-7f4000010000 r-xp 00000000 00:01 8 /memfd:doublemapper (deleted)\n"
    "7f5000000000-7f5000010000 r-xp 00000000 fe:00 9 /opt/app/libsomething.sox\n"
    "7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]\n"
    "7ffd10000000-7ffd10002000 r-xp 00000000 00:00 0                          [vdso]\n";

static void self_ranges_keep_shared_libraries_only(void **state)
{
    (void)state;
    struct drd_self_ranges r;
    int fd = text_fd(SELF_MAPS);
    assert_int_equal(drd_self_ranges_load(fd, &r), 0);
    close(fd);
    /* libcoreclr's two adjacent executable mappings as one range, libc, the vDSO; not the program, the .dll,
     * anonymous or memfd code (where the JIT's code lives), nor a name that only starts like a library's */
    assert_int_equal(r.n, 3);
    assert_int_equal(r.lo[0], 0x7f0000000000);
    assert_int_equal(r.hi[0], 0x7f0000020000);
    assert_int_equal(r.lo[1], 0x7f1000000000);
    assert_int_equal(r.hi[1], 0x7f1000010000);
    assert_int_equal(r.lo[2], 0x7ffd10000000);
    assert_int_equal(r.hi[2], 0x7ffd10002000);
    assert_int_equal(r.main_hi, 0x7ffd00021000);
    assert_true(r.main_lo <= 0x7ffd00000000);
    assert_true(drd_self_native(&r, 0x7f0000000000));
    assert_true(drd_self_native(&r, 0x7f0000015000));
    assert_false(drd_self_native(&r, 0x7f0000020000));
    assert_false(drd_self_native(&r, 0x7f2000000100));
    assert_false(drd_self_native(&r, 0x7f4000000100));
    assert_true(drd_self_native(&r, 0x7ffd10000010));
    assert_false(drd_self_native(&r, 0x10));
    assert_false(drd_self_native(&r, UINT64_MAX));
    /* a listing out of address order is refused (the lookup searches the ranges by halves) */
    fd = text_fd("7f1000000000-7f1000010000 r-xp 00000000 fe:00 6 /lib/libc.so.6\n"
                 "7f0000000000-7f0000010000 r-xp 00000000 fe:00 5 /lib/libcoreclr.so\n");
    assert_int_equal(drd_self_ranges_load(fd, &r), -1);
    close(fd);
    /* a malformed listing is refused */
    fd = text_fd("garbage\n");
    assert_int_equal(drd_self_ranges_load(fd, &r), -1);
    close(fd);
}

static void self_walk_skips_the_native_frames(void **state)
{
    (void)state;
    struct drd_self_ranges r;
    memset(&r, 0, sizeof r);
    r.n = 1;
    r.lo[0] = 0x400000;
    r.hi[0] = 0x400030; /* the first 3 return addresses of chain() */
    uint64_t ips[16];
    int trunc;
    chain(2, 7);
    int n = drd_fp_walk_self(at(0), at(2), top(), &r, 8, ips, 16, &trunc);
    assert_int_equal(n, 4);
    assert_int_equal(ips[0], 0x400030);
    assert_int_equal(ips[3], 0x400060);
    assert_int_equal(trunc, 0);
    /* max counts the kept addresses only */
    assert_int_equal(drd_fp_walk_self(at(0), at(2), top(), &r, 8, ips, 2, &trunc), 2);
    assert_int_equal(trunc, 1);
    /* more native frames than max_skip: nothing */
    assert_int_equal(drd_fp_walk_self(at(0), at(2), top(), &r, 2, ips, 16, &trunc), 0);
    /* a chain that ends while still in native code: nothing */
    chain(2, 3);
    assert_int_equal(drd_fp_walk_self(at(0), at(2), top(), &r, 8, ips, 16, &trunc), 0);
    /* native addresses after the first kept one are kept */
    chain(2, 5);
    stack[2 + 4 * 3 + 1] = 0x400000;
    r.hi[0] = 0x400010;
    n = drd_fp_walk_self(at(0), at(2), top(), &r, 8, ips, 16, &trunc);
    assert_int_equal(n, 4);
    assert_int_equal(ips[2], 0x400000);
}

static uint64_t thread_top, thread_self, thread_sp;

static void *on_a_thread(void *arg)
{
    const struct drd_self_ranges *r = arg;
    uint64_t here = 0;
    thread_sp = (uint64_t)(uintptr_t)&here;
    thread_top = drd_self_stack_top(r, thread_sp);
    thread_self = (uint64_t)pthread_self();
    return NULL;
}

static void self_stack_top_of_main_and_other_threads(void **state)
{
    (void)state;
    struct drd_self_ranges r;
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(drd_self_ranges_load(fd, &r), 0);
    close(fd);
    /* cmocka runs the tests on the main thread: its stack is [stack] */
    uint64_t here = 0, sp = (uint64_t)(uintptr_t)&here;
    assert_int_equal(drd_self_stack_top(&r, sp), r.main_hi);
    /* our own code is not native; the C library is */
    assert_false(drd_self_native(&r, (uint64_t)(uintptr_t)self_stack_top_of_main_and_other_threads));
    assert_true(drd_self_native(&r, (uint64_t)(uintptr_t)memcpy));
    /* another thread's stack is not the main one: no top from the maps */
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, on_a_thread, &r), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(thread_top, 0);
    assert_true(thread_sp != 0 && thread_self != 0);
    /* an address off any stack has no known top */
    static uint64_t not_a_stack;
    assert_int_equal(drd_self_stack_top(&r, (uint64_t)(uintptr_t)&not_a_stack), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(walk_follows_the_chain),
        cmocka_unit_test(walk_stops_at_max_depth),
        cmocka_unit_test(walk_refuses_bad_frame_pointers),
        cmocka_unit_test(walk_refuses_loops_and_descents),
        cmocka_unit_test(walk_of_a_real_stack),
        cmocka_unit_test(maps_finds_the_mappings),
        cmocka_unit_test(maps_survives_long_lines_and_no_final_newline),
        cmocka_unit_test(maps_refuses_malformed_lines),
        cmocka_unit_test(self_ranges_keep_shared_libraries_only),
        cmocka_unit_test(self_walk_skips_the_native_frames),
        cmocka_unit_test(self_stack_top_of_main_and_other_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
