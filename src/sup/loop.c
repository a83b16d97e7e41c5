/*
 * The event loop: epoll over file descriptors, and one timerfd armed for
 * the earliest deadline only while there is one.  With nothing happening
 * the process sleeps in epoll_wait and makes no system call at all.
 */
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <err.h>
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
	TAILQ_ENTRY(loop_fd) entry;
};

struct timer {
	double		 when;		/* monotonic seconds */
	timer_cb	 cb;
	void		*arg;
	TAILQ_ENTRY(timer) entry;
};

struct loop {
	int		 epfd;
	int		 tfd;		/* the timerfd */
	double		 armed;		/* its deadline, or 0 */
	int		 done;
	TAILQ_HEAD(, loop_fd) fds;
	TAILQ_HEAD(, loop_fd) dead;	/* freed after the current batch */
	TAILQ_HEAD(, timer) timers;	/* sorted by when */
};

static void
loop_timer_cb(int fd, uint32_t events, void *arg);

struct loop *
loop_new(void)
{
	struct loop	*l;

	l = xcalloc(1, sizeof *l);
	TAILQ_INIT(&l->fds);
	TAILQ_INIT(&l->dead);
	TAILQ_INIT(&l->timers);
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK|TFD_CLOEXEC);
	if (l->tfd == -1)
		err(1, "timerfd_create");
	if (loop_add(l, l->tfd, EPOLLIN, loop_timer_cb, l) == -1)
		err(1, "epoll_ctl");
	return (l);
}

static struct loop_fd *
loop_find(struct loop *l, int fd)
{
	struct loop_fd	*lf;

	TAILQ_FOREACH(lf, &l->fds, entry)
		if (lf->fd == fd)
			return (lf);
	return (NULL);
}

int
loop_add(struct loop *l, int fd, uint32_t events, loop_cb cb, void *arg)
{
	struct epoll_event	 ev;
	struct loop_fd		*lf;

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
	TAILQ_INSERT_TAIL(&l->fds, lf, entry);
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
	lf->dead = 1;
	TAILQ_REMOVE(&l->fds, lf, entry);
	TAILQ_INSERT_TAIL(&l->dead, lf, entry);
}

/* Arm the timerfd for the earliest deadline, or disarm it. */
static void
loop_arm(struct loop *l)
{
	struct itimerspec	its;
	struct timer		*t = TAILQ_FIRST(&l->timers);
	double			 when = t != NULL ? t->when : 0;

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
		err(1, "timerfd_settime");
	l->armed = when;
}

struct timer *
loop_timer(struct loop *l, double secs, timer_cb cb, void *arg)
{
	struct timer	*t, *it;

	t = xcalloc(1, sizeof *t);
	t->when = mono_now() + (secs > 0 ? secs : 0);
	t->cb = cb;
	t->arg = arg;
	TAILQ_FOREACH(it, &l->timers, entry)
		if (it->when > t->when)
			break;
	if (it != NULL)
		TAILQ_INSERT_BEFORE(it, t, entry);
	else
		TAILQ_INSERT_TAIL(&l->timers, t, entry);
	loop_arm(l);
	return (t);
}

void
loop_timer_del(struct loop *l, struct timer *t)
{
	if (t == NULL)
		return;
	TAILQ_REMOVE(&l->timers, t, entry);
	free(t);
	loop_arm(l);
}

/* Run every timer that is due; a callback may add or delete timers. */
static void
loop_timer_cb(int fd, uint32_t events, void *arg)
{
	struct loop	*l = arg;
	struct timer	*t;
	uint64_t	 n;
	double		 now;

	(void)events;
	while (read(fd, &n, sizeof n) == sizeof n)
		;
	l->armed = -1;		/* it fired: re-arm whatever comes next */
	now = mono_now();
	while ((t = TAILQ_FIRST(&l->timers)) != NULL && t->when <= now) {
		TAILQ_REMOVE(&l->timers, t, entry);
		t->cb(t->arg);
		free(t);
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
			err(1, "epoll_wait");
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
	l->done = 0;		/* a stopped loop may run again */
}

void
loop_stop(struct loop *l)
{
	l->done = 1;
}

void
loop_free(struct loop *l)
{
	struct loop_fd	*lf;
	struct timer	*t;

	while ((lf = TAILQ_FIRST(&l->fds)) != NULL) {
		TAILQ_REMOVE(&l->fds, lf, entry);
		free(lf);
	}
	while ((lf = TAILQ_FIRST(&l->dead)) != NULL) {
		TAILQ_REMOVE(&l->dead, lf, entry);
		free(lf);
	}
	while ((t = TAILQ_FIRST(&l->timers)) != NULL) {
		TAILQ_REMOVE(&l->timers, t, entry);
		free(t);
	}
	close(l->tfd);
	close(l->epfd);
	free(l);
}
