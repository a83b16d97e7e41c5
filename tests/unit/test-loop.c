/*
 * The event loop: fd callbacks, interest changes, deletion inside a
 * batch, ten thousand fds at O(1) each, timers in deadline order,
 * cancelling, timers added from callbacks, and loop_stop.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "stubs.h"

#define MANY		10000
#define NTIMERS		2000

/* What the callbacks saw. */
static struct {
	struct loop	*loop;
	int		 calls;		/* fd callbacks */
	int		 fd;		/* the last one's fd */
	uint32_t	 events;	/* and events */
	void		*arg;		/* and arg */
	int		 other[2];	/* the pair for test_del_in_batch */
	int		 reuse;	/* test_del_in_batch: reuse the number */
	int		 stray;		/* callbacks of a reused number */
	int		 timedout;	/* the guard fired */
	int		 order[NTIMERS];
	int		 nfired;
	struct timer	*victim;	/* deleted by a timer callback */
	int		*fired;		/* per fd or timer: times called */
} seen;

static void
reset(void)
{
	memset(&seen, 0, sizeof seen);
	seen.loop = loop_new();
}

/* Stop a test that would otherwise wait for ever. */
static void
guard_cb(void *arg)
{
	(void)arg;
	seen.timedout = 1;
	loop_stop(seen.loop);
}

static void
stop_cb(void *arg)
{
	(void)arg;
	loop_stop(seen.loop);
}

/* Record the call and stop; the fd is not drained. */
static void
record_cb(int fd, uint32_t events, void *arg)
{
	seen.calls++;
	seen.fd = fd;
	seen.events = events;
	seen.arg = arg;
	loop_stop(seen.loop);
}

static void
test_readable(void **state)
{
	struct timer	*g;
	int		 p[2];
	char		 c = 'x';

	(void)state;
	reset();
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add(seen.loop, p[0], EPOLLIN, record_cb, &c), 0);
	assert_int_equal(write(p[1], &c, 1), 1);
	g = loop_timer(seen.loop, 5, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.fd, p[0]);
	assert_true(seen.events & EPOLLIN);
	assert_ptr_equal(seen.arg, &c);
	/* Twice is refused, and the first registration stays. */
	assert_int_equal(loop_add(seen.loop, p[0], EPOLLIN, record_cb, NULL),
	    -1);
	loop_timer_del(seen.loop, g);
	loop_free(seen.loop);
	close(p[0]);
	close(p[1]);
}

static void
test_mod(void **state)
{
	int	efd;

	(void)state;
	reset();
	/* An eventfd at zero: writable, not readable. */
	assert_int_not_equal(efd = eventfd(0, EFD_CLOEXEC), -1);
	assert_int_equal(loop_add(seen.loop, efd, EPOLLIN, record_cb, NULL),
	    0);
	assert_int_equal(loop_mod(seen.loop, efd, EPOLLOUT), 0);
	(void)loop_timer(seen.loop, 5, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.calls, 1);
	assert_true(seen.events & EPOLLOUT);
	loop_free(seen.loop);

	/* Back to EPOLLIN only: nothing fires before the timer. */
	reset();
	assert_int_equal(loop_add(seen.loop, efd, EPOLLOUT, record_cb, NULL),
	    0);
	assert_int_equal(loop_mod(seen.loop, efd, EPOLLIN), 0);
	(void)loop_timer(seen.loop, 0, stop_cb, NULL);
	loop_run(seen.loop);
	assert_int_equal(seen.calls, 0);

	assert_int_equal(loop_mod(seen.loop, efd + 1000, EPOLLIN), -1);
	assert_int_equal(errno, ENOENT);
	loop_free(seen.loop);
	close(efd);
}

static void
stray_cb(int fd, uint32_t events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
	seen.stray++;
}

/* Deleted fds get no callback, and a deleted number can come back. */
static void
test_del(void **state)
{
	int	a, b;

	(void)state;
	reset();
	assert_int_not_equal(a = eventfd(1, EFD_CLOEXEC), -1);
	assert_int_not_equal(b = eventfd(1, EFD_CLOEXEC), -1);
	assert_int_equal(loop_add(seen.loop, a, EPOLLIN, stray_cb, NULL), 0);
	assert_int_equal(loop_add(seen.loop, b, EPOLLIN, stray_cb, NULL), 0);
	loop_del(seen.loop, a);
	loop_del(seen.loop, b);
	loop_del(seen.loop, b);		/* unknown now: ignored */
	assert_int_equal(loop_add(seen.loop, a, EPOLLIN, record_cb, &a), 0);
	(void)loop_timer(seen.loop, 5, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.stray, 0);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.fd, a);
	assert_ptr_equal(seen.arg, &a);
	loop_free(seen.loop);
	close(a);
	close(b);
}

/*
 * Whichever of the pair comes first deletes and closes the other, whose
 * event is in the same batch, and may reuse its number for a new fd that
 * is readable too: neither the old callback nor the new one may run.
 */
static void
pair_cb(int fd, uint32_t events, void *arg)
{
	int	o = fd == seen.other[0], other = seen.other[o], nfd = -1;

	(void)events;
	(void)arg;
	seen.calls++;
	loop_del(seen.loop, other);
	close(other);
	if (seen.reuse) {
		nfd = eventfd(1, EFD_CLOEXEC);
		assert_int_equal(nfd, other);
		assert_int_equal(loop_add(seen.loop, nfd, EPOLLIN, stray_cb,
		    NULL), 0);
	}
	seen.other[o] = nfd;
	seen.fd = fd;
	loop_stop(seen.loop);
}

static void
del_in_batch(int reuse)
{
	int	i;

	reset();
	seen.reuse = reuse;
	for (i = 0; i < 2; i++) {
		seen.other[i] = eventfd(1, EFD_CLOEXEC);
		assert_int_not_equal(seen.other[i], -1);
		assert_int_equal(loop_add(seen.loop, seen.other[i], EPOLLIN,
		    pair_cb, NULL), 0);
	}
	loop_run(seen.loop);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.stray, 0);
	loop_free(seen.loop);
	for (i = 0; i < 2; i++)
		if (seen.other[i] != -1)
			close(seen.other[i]);
}

static void
test_del_in_batch(void **state)
{
	(void)state;
	del_in_batch(0);
	del_in_batch(1);
}

/* Drain the eventfd and count it. */
static void
many_cb(int fd, uint32_t events, void *arg)
{
	int	 i = (int)(intptr_t)arg;
	uint64_t n;

	(void)events;
	assert_int_equal(read(fd, &n, sizeof n), sizeof n);
	seen.fired[i]++;
	if (++seen.calls == (int)(intptr_t)seen.arg)
		loop_stop(seen.loop);
}

/* As many eventfds as the limit allows, up to MANY. */
static int
many_count(void)
{
	struct rlimit	rl;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < rl.rlim_max && rl.rlim_cur < MANY + 64) {
		rl.rlim_cur = rl.rlim_max < MANY + 64 ? rl.rlim_max : MANY + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	}
	if (rl.rlim_cur >= MANY + 64)
		return (MANY);
	assert_true(rl.rlim_cur > 1064);
	return ((int)rl.rlim_cur - 64);
}

static void
test_many(void **state)
{
	struct loop_stats	 st0, st1;
	int			*fds, n, i;

	(void)state;
	reset();
	n = many_count();
	fds = xcalloc((size_t)n, sizeof *fds);
	seen.fired = xcalloc((size_t)n, sizeof *seen.fired);
	for (i = 0; i < n; i++) {
		assert_int_not_equal(fds[i] = eventfd(1, EFD_CLOEXEC), -1);
		assert_int_equal(loop_add(seen.loop, fds[i], EPOLLOUT, many_cb,
		    (void *)(intptr_t)i), 0);
	}
	/* One record looked at per loop_mod, however many there are. */
	loop_stats(seen.loop, &st0);
	for (i = n - 1; i >= 0; i--)
		assert_int_equal(loop_mod(seen.loop, fds[i], EPOLLIN), 0);
	loop_stats(seen.loop, &st1);
	assert_int_equal(st1.fd_visits - st0.fd_visits, n);

	seen.arg = (void *)(intptr_t)n;
	(void)loop_timer(seen.loop, 20, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.calls, n);
	for (i = 0; i < n; i++)
		assert_int_equal(seen.fired[i], 1);

	/* And one per loop_del. */
	loop_stats(seen.loop, &st0);
	for (i = 0; i < n; i++)
		loop_del(seen.loop, fds[i]);
	loop_stats(seen.loop, &st1);
	assert_int_equal(st1.fd_visits - st0.fd_visits, n);
	loop_free(seen.loop);
	for (i = 0; i < n; i++)
		close(fds[i]);
	free(fds);
	free(seen.fired);
}

/* Timer i fired: record it, and stop after the last one expected. */
static void
order_cb(void *arg)
{
	int	i = (int)(intptr_t)arg;

	assert_true(seen.nfired < NTIMERS);
	seen.order[seen.nfired++] = i;
	if (seen.nfired == seen.calls)
		loop_stop(seen.loop);
}

static void
test_timer_order(void **state)
{
	static const int	 secs[] = { 3, 0, 7, 1, 6, 2, 5, 4 };
	size_t			 i;

	(void)state;
	reset();
	seen.calls = (int)nitems(secs);
	for (i = 0; i < nitems(secs); i++)
		(void)loop_timer(seen.loop, secs[i] * 0.01, order_cb,
		    (void *)(intptr_t)secs[i]);
	(void)loop_timer(seen.loop, 5, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.nfired, nitems(secs));
	for (i = 0; i < nitems(secs); i++)
		assert_int_equal(seen.order[i], i);
	loop_free(seen.loop);
}

/*
 * Many timers with scattered deadlines, every third one cancelled: the
 * rest fire in deadline order, and the heap's work stays near n log n.
 */
static void
test_timer_heap(void **state)
{
	struct loop_stats	 st;
	struct timer		*t[NTIMERS];
	int			 i, a, b, left = 0;
	double			 d[NTIMERS], lo[NTIMERS], hi[NTIMERS];
	unsigned long		 bound;

	(void)state;
	reset();
	srandom(9);
	for (i = 0; i < NTIMERS; i++) {
			d[i] = 0.05 + (double)(random() % 2000) * 0.0001;
		lo[i] = mono_now() + d[i];
		t[i] = loop_timer(seen.loop, d[i], order_cb,
		    (void *)(intptr_t)i);
		hi[i] = mono_now() + d[i];
	}
	for (i = 0; i < NTIMERS; i++) {
		if (i % 3 == 0)
			loop_timer_del(seen.loop, t[i]);
		else
			left++;
	}
	seen.calls = left;
	(void)loop_timer(seen.loop, 10, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.nfired, left);
	for (i = 0; i < seen.nfired; i++) {
		assert_int_not_equal(seen.order[i] % 3, 0);
		/* a's deadline is in [lo, hi]: b's may not be before. */
		if (i > 0) {
			a = seen.order[i - 1];
			b = seen.order[i];
			assert_true(lo[a] <= hi[b]);
		}
	}
	/* log2(2000) < 11: at most ~3 x 11 steps per timer. */
	loop_stats(seen.loop, &st);
	bound = (unsigned long)NTIMERS * 3 * 12;
	assert_true(st.timer_steps < bound);
	loop_free(seen.loop);
}

static void
never_cb(void *arg)
{
	(void)arg;
	seen.calls++;
}

static void
test_timer_del(void **state)
{
	struct timer	*a, *b;

	(void)state;
	reset();
	a = loop_timer(seen.loop, 0.01, never_cb, NULL);
	b = loop_timer(seen.loop, 0.02, never_cb, NULL);
	(void)loop_timer(seen.loop, 0.03, stop_cb, NULL);
	loop_timer_del(seen.loop, a);
	loop_timer_del(seen.loop, b);
	loop_timer_del(seen.loop, NULL);
	loop_run(seen.loop);
	assert_int_equal(seen.calls, 0);
	loop_free(seen.loop);
}

static void
chained_cb(void *arg)
{
	(void)arg;
	seen.order[seen.nfired++] = 2;
	loop_stop(seen.loop);
}

/* A due timer deletes another due one, and adds a new one. */
static void
chain_cb(void *arg)
{
	(void)arg;
	seen.order[seen.nfired++] = 1;
	loop_timer_del(seen.loop, seen.victim);
	seen.victim = NULL;
	(void)loop_timer(seen.loop, 0, chained_cb, NULL);
}

static void
victim_cb(void *arg)
{
	(void)arg;
	seen.order[seen.nfired++] = 99;
}

static void
test_timer_from_cb(void **state)
{
	(void)state;
	reset();
	(void)loop_timer(seen.loop, 0, chain_cb, NULL);
	seen.victim = loop_timer(seen.loop, 0, victim_cb, NULL);
	(void)loop_timer(seen.loop, 5, guard_cb, NULL);
	loop_run(seen.loop);
	assert_false(seen.timedout);
	assert_int_equal(seen.nfired, 2);
	assert_int_equal(seen.order[0], 1);
	assert_int_equal(seen.order[1], 2);
	loop_free(seen.loop);
}

/* A readable fd that is never drained fires on every turn but for stop. */
static void
test_stop(void **state)
{
	int	efd;

	(void)state;
	reset();
	assert_int_not_equal(efd = eventfd(1, EFD_CLOEXEC), -1);
	assert_int_equal(loop_add(seen.loop, efd, EPOLLIN, record_cb, NULL),
	    0);
	loop_run(seen.loop);		/* returns: alarm() otherwise */
	assert_int_equal(seen.calls, 1);
	loop_free(seen.loop);
	close(efd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readable),
		cmocka_unit_test(test_mod),
		cmocka_unit_test(test_del),
		cmocka_unit_test(test_del_in_batch),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_timer_order),
		cmocka_unit_test(test_timer_heap),
		cmocka_unit_test(test_timer_del),
		cmocka_unit_test(test_timer_from_cb),
		cmocka_unit_test(test_stop),
	};

	alarm(60);		/* a loop that never stops fails the run */
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
