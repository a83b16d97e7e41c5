/*
 * The event loop: epoll over file descriptors, and one timerfd armed for
 * the earliest deadline only while there is one.  With nothing happening
 * the process sleeps in epoll_wait and makes no system call at all.
 *
 * An fd's record is found through an array indexed by the fd, and the
 * timers are a binary min-heap on (deadline, order of adding), so that a
 * supervisor of ten thousand services pays the same per event as one of
 * ten.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"

struct loop_fd {
	int		 fd;
	loop_cb		 cb;
	void		*arg;
	int		 dead;
	TAILQ_ENTRY(loop_fd) entry;	/* on the dead list */
};

struct timer {
	double		 when;		/* monotonic seconds */
	unsigned long	 seq;		/* equal deadlines: the order added */
	size_t		 slot;		/* where in the heap */
	timer_cb	 cb;
	void		*arg;
};

struct loop {
	int		 epfd;
	int		 tfd;		/* the timerfd */
	double		 armed;		/* its deadline, or 0 */
	int		 done;
	struct loop_fd	**fds;		/* indexed by fd, NULL if not ours */
	size_t		 nfds;		/* slots in fds */
	TAILQ_HEAD(, loop_fd) dead;	/* freed after the current batch */
	struct timer	**heap;		/* heap[0] is due first */
	size_t		 ntimers;
	size_t		 heapsize;	/* slots in heap */
	unsigned long	 seq;
	struct loop_stats stats;
};

static void
loop_timer_cb(int fd, uint32_t events, void *arg);

struct loop *
loop_new(void)
{
	struct loop	*l;

	l = xcalloc(1, sizeof *l);
	TAILQ_INIT(&l->dead);
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		fatal("epoll_create1");
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK|TFD_CLOEXEC);
	if (l->tfd == -1)
		fatal("timerfd_create");
	if (loop_add(l, l->tfd, EPOLLIN, loop_timer_cb, l) == -1)
		fatal("epoll_ctl");
	return (l);
}

static struct loop_fd *
loop_find(struct loop *l, int fd)
{
	l->stats.fd_visits++;
	if (fd < 0 || (size_t)fd >= l->nfds)
		return (NULL);
	return (l->fds[fd]);
}

/* Retire a record: its events still in a batch are dropped. */
static void
loop_bury(struct loop *l, struct loop_fd *lf)
{
	lf->dead = 1;
	l->fds[lf->fd] = NULL;
	TAILQ_INSERT_TAIL(&l->dead, lf, entry);
}

/* Make room in the fd index for fd. */
static void
loop_grow(struct loop *l, int fd)
{
	size_t	n;

	if ((size_t)fd < l->nfds)
		return;
	for (n = l->nfds != 0 ? l->nfds : 64; n <= (size_t)fd; n *= 2)
		;
	l->fds = xreallocarray(l->fds, n, sizeof *l->fds);
	memset(l->fds + l->nfds, 0, (n - l->nfds) * sizeof *l->fds);
	l->nfds = n;
}

int
loop_add(struct loop *l, int fd, uint32_t events, loop_cb cb, void *arg)
{
	struct epoll_event	 ev;
	struct loop_fd		*lf;

	if (fd < 0)
		return (errno = EBADF, -1);
	lf = xcalloc(1, sizeof *lf);
	lf->fd = fd;
	lf->cb = cb;
	lf->arg = arg;
	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.ptr = lf;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		free(lf);
		return (-1);
	}
	loop_grow(l, fd);
	/*
	 * A record left here means fd was closed without loop_del (closing
	 * took it out of epoll) and the number came back: the new one wins.
	 */
	if (l->fds[fd] != NULL)
		loop_bury(l, l->fds[fd]);
	l->fds[fd] = lf;
	return (0);
}

int
loop_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event	 ev;
	struct loop_fd		*lf;

	if ((lf = loop_find(l, fd)) == NULL)
		return (errno = ENOENT, -1);
	memset(&ev, 0, sizeof ev);
	ev.events = events;
	ev.data.ptr = lf;
	return (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev));
}

/*
 * Forget fd (the caller closes it).  Its record may still be in the batch
 * epoll_wait returned, so it is freed only after that batch.
 */
void
loop_del(struct loop *l, int fd)
{
	struct loop_fd	*lf;

	if ((lf = loop_find(l, fd)) == NULL)
		return;
	(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	loop_bury(l, lf);
}

/* Is a due before b? */
static int
loop_timer_before(const struct timer *a, const struct timer *b)
{
	if (a->when != b->when)
		return (a->when < b->when);
	return (a->seq < b->seq);
}

static void
loop_heap_put(struct loop *l, size_t i, struct timer *t)
{
	l->heap[i] = t;
	t->slot = i;
}

/* Move heap[i] up while it is due before its parent. */
static void
loop_heap_up(struct loop *l, size_t i)
{
	struct timer	*t = l->heap[i];
	size_t		 p;

	while (i > 0) {
		p = (i - 1) / 2;
		l->stats.timer_steps++;
		if (!loop_timer_before(t, l->heap[p]))
			break;
		loop_heap_put(l, i, l->heap[p]);
		i = p;
	}
	loop_heap_put(l, i, t);
}

/* Move heap[i] down while a child is due before it. */
static void
loop_heap_down(struct loop *l, size_t i)
{
	struct timer	*t = l->heap[i];
	size_t		 c;

	while ((c = 2 * i + 1) < l->ntimers) {
		if (c + 1 < l->ntimers &&
		    loop_timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		l->stats.timer_steps++;
		if (!loop_timer_before(l->heap[c], t))
			break;
		loop_heap_put(l, i, l->heap[c]);
		i = c;
	}
	loop_heap_put(l, i, t);
}

/* Take t out of the heap; the last timer fills its slot. */
static void
loop_heap_remove(struct loop *l, struct timer *t)
{
	size_t		 i = t->slot;
	struct timer	*last = l->heap[--l->ntimers];

	if (i == l->ntimers)
		return;
	loop_heap_put(l, i, last);
	loop_heap_down(l, i);
	loop_heap_up(l, last->slot);
}

/* Arm the timerfd for the earliest deadline, or disarm it. */
static void
loop_arm(struct loop *l)
{
	struct itimerspec	its;
	double			 when;

	when = l->ntimers > 0 ? l->heap[0]->when : 0;
	if (when == l->armed)
		return;
	memset(&its, 0, sizeof its);
	if (when > 0) {
		its.it_value.tv_sec = (time_t)when;
		its.it_value.tv_nsec = (long)((when -
		    (double)its.it_value.tv_sec) * 1e9);
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) == -1)
		fatal("timerfd_settime");
	l->armed = when;
}

struct timer *
loop_timer(struct loop *l, double secs, timer_cb cb, void *arg)
{
	struct timer	*t;
	size_t		 n;

	t = xcalloc(1, sizeof *t);
	t->when = mono_now() + (secs > 0 ? secs : 0);
	t->seq = l->seq++;
	t->cb = cb;
	t->arg = arg;
	if (l->ntimers == l->heapsize) {
		n = l->heapsize != 0 ? l->heapsize * 2 : 64;
		l->heap = xreallocarray(l->heap, n, sizeof *l->heap);
		l->heapsize = n;
	}
	loop_heap_put(l, l->ntimers++, t);
	loop_heap_up(l, t->slot);
	loop_arm(l);
	return (t);
}

void
loop_timer_del(struct loop *l, struct timer *t)
{
	if (t == NULL)
		return;
	loop_heap_remove(l, t);
	free(t);
	loop_arm(l);
}

/*
 * Run every timer that is due; a callback may add or delete timers.  Each
 * is out of the heap and freed before its callback starts (loop.h).
 */
static void
loop_timer_cb(int fd, uint32_t events, void *arg)
{
	struct loop	*l = arg;
	struct timer	*t;
	timer_cb	 cb;
	void		*cbarg;
	uint64_t	 n;
	double		 now;

	(void)events;
	while (read(fd, &n, sizeof n) == sizeof n)
		;
	l->armed = -1;		/* it fired: re-arm whatever comes next */
	now = mono_now();
	while (l->ntimers > 0 && (t = l->heap[0])->when <= now) {
		loop_heap_remove(l, t);
		cb = t->cb;
		cbarg = t->arg;
		free(t);
		cb(cbarg);
	}
	loop_arm(l);
}

void
loop_run(struct loop *l)
{
	struct epoll_event	 evs[64];
	struct loop_fd		*lf;
	int			 n, i;

	while (!l->done) {
		n = epoll_wait(l->epfd, evs, (int)nitems(evs), -1);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fatal("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			lf = evs[i].data.ptr;
			if (!lf->dead)
				lf->cb(lf->fd, evs[i].events, lf->arg);
		}
		while ((lf = TAILQ_FIRST(&l->dead)) != NULL) {
			TAILQ_REMOVE(&l->dead, lf, entry);
			free(lf);
		}
	}
	l->done = 0;		/* it may be run again */
}

void
loop_stop(struct loop *l)
{
	l->done = 1;
}

void
loop_stats(const struct loop *l, struct loop_stats *st)
{
	*st = l->stats;
}

void
loop_free(struct loop *l)
{
	struct loop_fd	*lf;
	size_t		 i;

	for (i = 0; i < l->nfds; i++)
		free(l->fds[i]);
	while ((lf = TAILQ_FIRST(&l->dead)) != NULL) {
		TAILQ_REMOVE(&l->dead, lf, entry);
		free(lf);
	}
	for (i = 0; i < l->ntimers; i++)
		free(l->heap[i]);
	free(l->heap);
	free(l->fds);
	close(l->tfd);
	close(l->epfd);
	free(l);
}
