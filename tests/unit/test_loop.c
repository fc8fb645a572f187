/* The event loop (src/core/loop.c): every source is dispatched once per
 * turn whatever the others do, the first one rotates, and the wait ends at
 * the earliest deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/loop.h"

#define TURNS 12

/* A fake source: one descriptor (a made-up number), ready when the fake
 * poll says so; remembers what each dispatch saw. */
struct fake {
	int fd;
	int64_t deadline; /* 0: none */
	int dispatched;	  /* dispatches in all */
	int ready_seen;	  /* dispatches that saw its descriptor ready */
	int64_t last_now; /* now_ms of the last dispatch */
};

static int order[TURNS * 3]; /* fds in dispatch order, over every turn */
static int norder;
static int always_ready_fd; /* the fake poll marks this fd ready every time */
static int once_ready_fd;   /* ... and this one only on the turn it is set */
static int last_timeout;    /* the timeout the loop asked of poll */
static int polls;

static int fake_fill(void *self, struct pollfd *fds, int cap)
{
	struct fake *f = self;
	if (cap < 1)
		return 0;
	fds[0].fd = f->fd;
	fds[0].events = POLLIN;
	fds[0].revents = 0;
	return 1;
}

static int64_t fake_deadline(void *self)
{
	return ((struct fake *)self)->deadline;
}

static void fake_dispatch(void *self, const struct pollfd *fds, int n, int64_t now_ms)
{
	struct fake *f = self;
	f->dispatched++;
	f->last_now = now_ms;
	if (n == 1 && fds[0].fd == f->fd && (fds[0].revents & POLLIN))
		f->ready_seen++;
	order[norder++] = f->fd;
}

static const struct source_ops fake_ops = {fake_fill, fake_deadline, fake_dispatch};

static int fake_poll(struct pollfd *fds, nfds_t n, int timeout_ms)
{
	nfds_t i;
	int ready = 0;
	polls++;
	last_timeout = timeout_ms;
	for (i = 0; i < n; i++) {
		if (fds[i].fd == always_ready_fd || fds[i].fd == once_ready_fd) {
			fds[i].revents = POLLIN;
			ready++;
		}
	}
	once_ready_fd = -1;
	return ready;
}

static void reset(struct loop *l, struct fake *f, int nf)
{
	int i;
	loop_init(l);
	l->poll = fake_poll;
	memset(f, 0, (size_t)nf * sizeof *f);
	for (i = 0; i < nf; i++) {
		f[i].fd = 100 + i;
		assert_int_equal(loop_add(l, &fake_ops, &f[i]), 0);
	}
	norder = 0;
	polls = 0;
	always_ready_fd = once_ready_fd = -1;
}

/* A source that is always ready does not keep the others from their turn:
 * each is dispatched once per turn, and sees its descriptor ready on the
 * turn it is. */
static void test_always_ready_does_not_starve(void **state)
{
	struct loop l;
	struct fake f[3];
	int t;
	(void)state;
	reset(&l, f, 3);
	always_ready_fd = f[0].fd;
	for (t = 0; t < TURNS; t++) {
		if (t == 5)
			once_ready_fd = f[2].fd;
		assert_int_equal(loop_turn(&l, 0), 0);
	}
	assert_int_equal(polls, TURNS);
	assert_int_equal(f[0].dispatched, TURNS);
	assert_int_equal(f[1].dispatched, TURNS);
	assert_int_equal(f[2].dispatched, TURNS);
	assert_int_equal(f[0].ready_seen, TURNS);
	assert_int_equal(f[1].ready_seen, 0);
	assert_int_equal(f[2].ready_seen, 1);
}

/* The first source dispatched moves on by one each turn. */
static void test_first_rotates(void **state)
{
	struct loop l;
	struct fake f[3];
	int t, firsts[3] = {0};
	(void)state;
	reset(&l, f, 3);
	always_ready_fd = f[1].fd;
	for (t = 0; t < TURNS; t++)
		assert_int_equal(loop_turn(&l, 0), 0);
	assert_int_equal(norder, TURNS * 3);
	for (t = 0; t < TURNS; t++) {
		/* every turn holds each source once ... */
		assert_int_not_equal(order[t * 3], order[t * 3 + 1]);
		assert_int_not_equal(order[t * 3], order[t * 3 + 2]);
		assert_int_not_equal(order[t * 3 + 1], order[t * 3 + 2]);
		/* ... starting one further than the turn before */
		assert_int_equal(order[t * 3], f[t % 3].fd);
		firsts[order[t * 3] - 100]++;
	}
	assert_int_equal(firsts[0], TURNS / 3);
	assert_int_equal(firsts[1], TURNS / 3);
	assert_int_equal(firsts[2], TURNS / 3);
}

/* The wait ends at the earliest deadline of any source or of the caller;
 * one already passed means no wait at all; none means waiting for a
 * descriptor only; a far one is cut to LOOP_MAX_WAIT_MS. */
static void test_deadlines(void **state)
{
	struct loop l;
	struct fake f[2];
	int64_t now;
	(void)state;
	reset(&l, f, 2);

	assert_int_equal(loop_turn(&l, 0), 0);
	assert_int_equal(last_timeout, -1);

	f[1].deadline = clock_now_ms() + 10 * LOOP_MAX_WAIT_MS;
	assert_int_equal(loop_turn(&l, 0), 0);
	assert_int_equal(last_timeout, LOOP_MAX_WAIT_MS);

	now = clock_now_ms();
	f[0].deadline = now + 40000;
	f[1].deadline = now + 30000;
	assert_int_equal(loop_turn(&l, 0), 0);
	assert_in_range(last_timeout, 29000, 30000);

	assert_int_equal(loop_turn(&l, clock_now_ms() + 20000), 0);
	assert_in_range(last_timeout, 19000, 20000);

	now = clock_now_ms();
	f[0].deadline = now - 5;
	assert_int_equal(loop_turn(&l, 0), 0);
	assert_int_equal(last_timeout, 0);
	/* the source whose deadline passed is dispatched with a now past it */
	assert_true(f[0].last_now >= f[0].deadline);
}

/* Registered sources are limited, and the limit is said. */
static void test_too_many_sources(void **state)
{
	struct loop l;
	struct fake f[LOOP_MAX_SOURCES];
	struct fake extra = {0};
	(void)state;
	reset(&l, f, LOOP_MAX_SOURCES);
	assert_int_not_equal(loop_add(&l, &fake_ops, &extra), 0);
	assert_int_equal(loop_turn(&l, 0), 0);
	assert_int_equal(extra.dispatched, 0);
	assert_int_equal(f[LOOP_MAX_SOURCES - 1].dispatched, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_always_ready_does_not_starve),
	    cmocka_unit_test(test_first_rotates),
	    cmocka_unit_test(test_deadlines),
	    cmocka_unit_test(test_too_many_sources),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
