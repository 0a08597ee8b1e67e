/* Unit tests for the web server's guard against slow request heads (src/web/slots.c): the cap on waiting
 * connections, the oldest giving way, the deadline, and the states that take a connection off the clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "web/slots.h"

#define N 6

/* A connection: sv[0] the server's socket (the one the table cuts), sv[1] the client's. */
struct conn {
    int sv[2];
    struct drd_slot *slot;
};

static void conn_open(struct conn *c)
{
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, c->sv), 0);
    fcntl(c->sv[1], F_SETFL, O_NONBLOCK);
}

static void conn_close(struct conn *c)
{
    close(c->sv[0]);
    close(c->sv[1]);
}

/* 1 if the server's side of c was cut (the client reads the end), 0 if it is still open. */
static int was_cut(const struct conn *c)
{
    char byte;
    ssize_t n = recv(c->sv[1], &byte, 1, 0);
    if (n == 0)
        return 1;
    assert_true(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
    return 0;
}

static void oldest_waiting_gives_way(void **state)
{
    (void)state;
    struct drd_slots *s;
    struct conn c[N];
    assert_int_equal(drd_slots_create(3, 60000, 0, &s), 0);
    for (int i = 0; i < N; i++)
        conn_open(&c[i]);
    c[0].slot = drd_slots_open(s, c[0].sv[0]);
    c[1].slot = drd_slots_open(s, c[1].sv[0]);
    c[2].slot = drd_slots_open(s, c[2].sv[0]);
    /* the cap reached: the next one in cuts the one waiting longest, and only that one */
    c[3].slot = drd_slots_open(s, c[3].sv[0]);
    assert_true(was_cut(&c[0]));
    assert_false(was_cut(&c[1]));
    assert_false(was_cut(&c[2]));
    assert_false(was_cut(&c[3]));
    /* a connection whose head is in does not wait: it is never cut for a newcomer */
    drd_slots_head(s, c[1].slot);
    c[4].slot = drd_slots_open(s, c[4].sv[0]);
    assert_false(was_cut(&c[1]));
    assert_false(was_cut(&c[2]));
    c[5].slot = drd_slots_open(s, c[5].sv[0]);
    assert_true(was_cut(&c[2]));
    assert_false(was_cut(&c[1]));
    assert_false(was_cut(&c[5]));
    for (int i = 0; i < N; i++)
        drd_slots_close(s, c[i].slot);
    drd_slots_destroy(s);
    for (int i = 0; i < N; i++)
        conn_close(&c[i]);
}

static void deadline_for_the_whole_head(void **state)
{
    (void)state;
    struct drd_slots *s;
    struct conn a, b, kept;
    assert_int_equal(drd_slots_create(16, 10000, 0, &s), 0);
    conn_open(&a);
    conn_open(&b);
    conn_open(&kept);
    long long t0 = drd_slots_clock_ms();
    a.slot = drd_slots_open(s, a.sv[0]);
    b.slot = drd_slots_open(s, b.sv[0]);
    kept.slot = drd_slots_open(s, kept.sv[0]);
    drd_slots_head(s, b.slot);
    assert_int_equal(drd_slots_sweep(s, t0 + 5000), 0);
    assert_false(was_cut(&a));
    /* no matter what arrived meanwhile: only a complete head stops the clock */
    assert_int_equal(drd_slots_sweep(s, t0 + 60000), 2);
    assert_true(was_cut(&a));
    assert_true(was_cut(&kept));
    assert_false(was_cut(&b));
    /* answered and kept alive: the clock runs again from the answer */
    long long t1 = drd_slots_clock_ms();
    drd_slots_wait(s, b.slot);
    assert_int_equal(drd_slots_sweep(s, t1 + 5000), 0);
    assert_int_equal(drd_slots_sweep(s, t1 + 60000), 1);
    assert_true(was_cut(&b));
    /* cut ones are not cut twice, and closed ones are forgotten */
    assert_int_equal(drd_slots_sweep(s, t1 + 120000), 0);
    drd_slots_close(s, a.slot);
    drd_slots_close(s, b.slot);
    drd_slots_close(s, kept.slot);
    drd_slots_destroy(s);
    conn_close(&a);
    conn_close(&b);
    conn_close(&kept);
}

static void closed_slot_frees_its_place(void **state)
{
    (void)state;
    struct drd_slots *s;
    struct conn a, b, c;
    assert_int_equal(drd_slots_create(2, 60000, 0, &s), 0);
    conn_open(&a);
    conn_open(&b);
    conn_open(&c);
    a.slot = drd_slots_open(s, a.sv[0]);
    b.slot = drd_slots_open(s, b.sv[0]);
    drd_slots_close(s, a.slot);
    c.slot = drd_slots_open(s, c.sv[0]);
    assert_false(was_cut(&b));
    assert_false(was_cut(&c));
    drd_slots_close(s, b.slot);
    drd_slots_close(s, c.slot);
    drd_slots_destroy(s);
    conn_close(&a);
    conn_close(&b);
    conn_close(&c);
}

static void thread_enforces_the_deadline(void **state)
{
    (void)state;
    struct drd_slots *s;
    struct conn a;
    assert_int_equal(drd_slots_create(4, 100, 20, &s), 0);
    conn_open(&a);
    a.slot = drd_slots_open(s, a.sv[0]);
    int cut = 0;
    for (int i = 0; i < 250 && !cut; i++) {
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
        cut = was_cut(&a);
    }
    assert_true(cut);
    drd_slots_close(s, a.slot);
    drd_slots_destroy(s);
    conn_close(&a);
}

static void null_is_nothing(void **state)
{
    (void)state;
    assert_null(drd_slots_open(NULL, 0));
    drd_slots_head(NULL, NULL);
    drd_slots_wait(NULL, NULL);
    drd_slots_close(NULL, NULL);
    assert_int_equal(drd_slots_sweep(NULL, 0), 0);
    drd_slots_destroy(NULL);
    /* a waiting slot left in the table is freed with it */
    struct drd_slots *s;
    struct conn a;
    assert_int_equal(drd_slots_create(4, 100, 0, &s), 0);
    conn_open(&a);
    a.slot = drd_slots_open(s, a.sv[0]);
    drd_slots_head(s, NULL);
    drd_slots_destroy(s);
    conn_close(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oldest_waiting_gives_way),     cmocka_unit_test(deadline_for_the_whole_head),
        cmocka_unit_test(closed_slot_frees_its_place),  cmocka_unit_test(thread_enforces_the_deadline),
        cmocka_unit_test(null_is_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
