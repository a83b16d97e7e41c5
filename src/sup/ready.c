/*
 * When is a service ready?  ready= says how: startsecs elapsed (svc.c,
 * supervisord's rule), an sd_notify READY=1 on the supervisor's one notify
 * socket, a newline on s6's notification fd, a TCP connect that succeeds,
 * or, for programs that put themselves in the background, a pidfile that
 * names a live process of the service once the launcher exited 0.
 *
 * Every wait here is an event (a datagram, a pipe, a connect completing, a
 * pidfd) or a timer with backoff; nothing polls in a tight loop.  The
 * deadline is ready_timeout, held by the state machine's own timer.
 */
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

#define PROBE_FIRST	0.005	/* the first retry of a probe, s */
#define PROBE_MAX	0.25	/* retries at most this far apart */
#define SVC_NOTE_MAX	200	/* STATUS= shown, at most */
#define STRANGERS_LOGGED 10	/* messages from strangers logged, then counted */

/* ready= as the config wrote it (checked when it was read), parsed. */
void
ready_parse(struct svc *s)
{
	const char	*why;

	ready_spec_free(&s->ready);
	if (ready_spec_parse(s->cfg->ready, READY_FOR_SUP, &s->ready,
	    &why) == -1)
		s->ready.mode = READY_STARTSECS;
}

/* What tells whose a process is, read from /proc once. */
struct ready_who {
	pid_t			pid;
	int			has_cg, has_stat;
	char			cg[PATH_MAX];
	struct wd_proc_stat	st;
};

static void
ready_who(pid_t pid, struct ready_who *w)
{
	w->pid = pid;
	w->has_cg = cg_of(pid, w->cg, sizeof w->cg) == 0;
	w->has_stat = wd_proc_stat(pid, &w->st) == 0;
}

/* Is the process one of the service's? */
static int
ready_is_ours(struct svc *s, const struct ready_who *w)
{
	struct svc	*o;

	if (w->pid <= 0)
		return (0);
	if (w->pid == s->pid)
		return (1);
	if (s->cgroup != NULL && w->has_cg)
		return (cg_has(s->cgroup, w->cg));
	if (!w->has_stat)
		return (0);
	if (s->sid > 0 && w->st.session == s->sid)
		return (1);
	/* Reparented to us when its launcher left: not another service's. */
	if (w->st.ppid != getpid())
		return (0);
	TAILQ_FOREACH(o, &s->sup->svcs, entry)
		if (o != s && (o->pid == w->pid || (o->sid > 0 &&
		    w->st.session == o->sid)))
			return (0);
	return (1);
}

static void	ready_probe_cb(void *);

static void
ready_probe_later(struct svc *s)
{
	loop_timer_del(s->sup->loop, s->probe);
	s->probe = loop_timer(s->sup->loop, s->probe_delay, ready_probe_cb, s);
	s->probe_delay *= 2;
	if (s->probe_delay > PROBE_MAX)
		s->probe_delay = PROBE_MAX;
}

static void
ready_now(struct svc *s)
{
	if (s->state == SVC_STARTING)
		svc_event(s, EV_READY);
}

/* fd:N: a newline is ready; EOF first means never (wait for the exit). */
static void
ready_fd_cb(int fd, uint32_t events, void *arg)
{
	struct svc	*s = arg;
	int		 n;

	(void)events;
	if ((n = readyfd_read(fd)) == 0)
		return;
	loop_del(s->sup->loop, fd);
	close(fd);
	s->readyfd = -1;
	if (n == 1)
		ready_now(s);
}

/* tcp: the connect finished, one way or the other. */
static void
ready_tcp_cb(int fd, uint32_t events, void *arg)
{
	struct svc	*s = arg;
	int		 ok;

	(void)events;
	ok = tcp_probe_done(fd);
	loop_del(s->sup->loop, fd);
	close(fd);
	s->probefd = -1;
	if (ok)
		ready_now(s);
	else
		ready_probe_later(s);
}

/* The pidfile's pid, when it is there and names a number. */
static pid_t
ready_pidfile_read(const char *path)
{
	char		 buf[32];
	unsigned long	 n;
	ssize_t		 len;
	int		 fd;

	if ((fd = open(path, O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK)) == -1)
		return (-1);
	len = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (len <= 0)
		return (-1);
	buf[len] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
	if (parse_uint(buf, INT_MAX, &n) == -1 || n < 2)
		return (-1);
	return ((pid_t)n);
}

static void	ready_pidfd_cb(int, uint32_t, void *);

/*
 * Make pid the service's main process.  One that is not our child (it
 * will be once its parent dies, we being a subreaper) is watched through
 * its pidfd, so its death is seen either way.
 */
int
ready_adopt(struct svc *s, pid_t pid)
{
	struct wd_proc_stat	st;
	int			fd;

	if (wd_proc_stat(pid, &st) == -1 || st.state == 'Z')
		return (-1);
	if ((fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1)
		return (-1);
	ready_unwatch(s);
	if (s->pidfd != -1)
		close(s->pidfd);
	s->pidfd = fd;
	s->pid = pid;
	s->pgid = st.pgrp;
	if (st.ppid != getpid()) {
		if (loop_add(s->sup->loop, fd, EPOLLIN, ready_pidfd_cb, s) == 0)
			s->watching = 1;
	}
	log_info("%s: main process is now pid %ld", s->cfg->name, (long)pid);
	return (0);
}

/* pidfile: the launcher has gone; is the daemon there yet? */
static void
ready_pidfile_look(struct svc *s)
{
	struct ready_who	w;
	pid_t			pid;

	pid = ready_pidfile_read(s->ready.path);
	if (pid > 0)
		ready_who(pid, &w);
	if (pid > 0 && ready_is_ours(s, &w) && kill(pid, 0) == 0 &&
	    ready_adopt(s, pid) == 0) {
		ready_now(s);
		return;
	}
	ready_probe_later(s);
}

static void
ready_probe_cb(void *arg)
{
	struct svc	*s = arg;
	int		 fd, connected;

	s->probe = NULL;
	if (s->state != SVC_STARTING)
		return;
	if (s->ready.mode == READY_PIDFILE) {
		ready_pidfile_look(s);
		return;
	}
	fd = tcp_probe(s->ready.host, s->ready.port, &connected);
	if (connected) {
		close(fd);
		ready_now(s);
		return;
	}
	if (fd == -1 || loop_add(s->sup->loop, fd, EPOLLOUT, ready_tcp_cb,
	    s) == -1) {
		if (fd != -1)
			close(fd);
		ready_probe_later(s);
		return;
	}
	s->probefd = fd;
}

/* The main process, watched by pidfd, is gone. */
static void
ready_pidfd_cb(int fd, uint32_t events, void *arg)
{
	struct svc	*s = arg;
	pid_t		 pid = s->pid;
	int		 status = -1;

	(void)fd;
	(void)events;
	ready_unwatch(s);
	if (pid <= 0)
		return;
	/* Ours after all (reparented)?  Then its status is known. */
	if (waitpid(pid, &status, WNOHANG) != pid)
		status = -1;
	svc_exited(s, status);
}

void
ready_unwatch(struct svc *s)
{
	if (s->watching) {
		loop_del(s->sup->loop, s->pidfd);
		s->watching = 0;
	}
}

/*
 * Before the fork: what the child needs for its mode.  *readyw is the
 * write end of fd:N's pipe (-1 for other modes); -1 on failure.
 */
int
ready_prepare(struct svc *s, int *readyw)
{
	int	p[2];

	*readyw = -1;
	ready_parse(s);
	if (s->ready.mode == READY_NOTIFY && ready_notify_init(s->sup) == -1)
		return (-1);
	if (s->ready.mode != READY_FD)
		return (0);
	if (pipe2(p, O_CLOEXEC) == -1)
		return (-1);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	s->readyfd = p[0];
	*readyw = p[1];
	return (0);
}

/* After the fork: start waiting. */
void
ready_start(struct svc *s)
{
	s->probe_delay = PROBE_FIRST;
	s->launcher_done = 0;
	free(s->note);
	s->note = NULL;
	s->reloading = 0;
	s->notify_errno = 0;
	switch (s->ready.mode) {
	case READY_FD:
		if (loop_add(s->sup->loop, s->readyfd, EPOLLIN, ready_fd_cb,
		    s) == -1) {
			close(s->readyfd);
			s->readyfd = -1;
		}
		break;
	case READY_TCP:
		s->probe = loop_timer(s->sup->loop, 0, ready_probe_cb, s);
		break;
	default:
		break;
	}
}

/* Ready, failed or stopped: drop whatever the wait held. */
void
ready_stop(struct svc *s)
{
	if (s->readyfd != -1) {
		loop_del(s->sup->loop, s->readyfd);
		close(s->readyfd);
		s->readyfd = -1;
	}
	if (s->probefd != -1) {
		loop_del(s->sup->loop, s->probefd);
		close(s->probefd);
		s->probefd = -1;
	}
	loop_timer_del(s->sup->loop, s->probe);
	s->probe = NULL;
}

/*
 * pidfile: the launcher exited while STARTING.  Exit 0 is the normal way
 * such a program starts: look for its pidfile.  1 when handled.
 */
int
ready_launcher_exited(struct svc *s)
{
	if (s->ready.mode != READY_PIDFILE || s->launcher_done ||
	    !WIFEXITED(s->status) || WEXITSTATUS(s->status) != 0)
		return (0);
	s->launcher_done = 1;
	s->probe_delay = PROBE_FIRST;
	/* From the loop, not inside the exit's own transition. */
	loop_timer_del(s->sup->loop, s->probe);
	s->probe = loop_timer(s->sup->loop, 0, ready_probe_cb, s);
	return (1);
}

/* The watchdog: no WATCHDOG=1 within watchdog_sec. */
static void
ready_wdog_cb(void *arg)
{
	struct svc	*s = arg;

	s->wdog = NULL;
	svc_event(s, EV_WATCHDOG);
}

/* (Re)arm the watchdog for secs; 0 disarms it.  Only while running. */
void
ready_wdog_arm(struct svc *s, double secs)
{
	loop_timer_del(s->sup->loop, s->wdog);
	s->wdog = NULL;
	if (secs > 0)
		s->wdog = loop_timer(s->sup->loop, secs, ready_wdog_cb, s);
}

/* The notify service a message came from, or NULL. */
static struct svc *
ready_sender(struct sup *sup, const struct notify_msg *m)
{
	struct ready_who	 w;
	struct svc		*s;

	if (!m->has_cred || m->pid <= 0)
		return (NULL);
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->ready.mode == READY_NOTIFY && s->pid == m->pid)
			return (s);
	ready_who(m->pid, &w);
	TAILQ_FOREACH(s, &sup->svcs, entry)
		if (s->ready.mode == READY_NOTIFY && svc_is_up(s) &&
		    ready_is_ours(s, &w))
			return (s);
	return (NULL);
}

/* A microsecond count: EXTEND_TIMEOUT_USEC=, WATCHDOG_USEC=. */
static int
ready_usec(const char *v, double *secs)
{
	unsigned long	n;

	if (v == NULL || parse_uint(v, ULONG_MAX, &n) == -1)
		return (-1);
	*secs = (double)n / 1e6;
	return (0);
}

static void
ready_apply(struct svc *s, const struct notify_msg *m)
{
	struct ready_who	 w;
	const char		*v;
	char			*vis;
	unsigned long		 n;
	double			 secs;

	if ((v = notify_get(m, "STATUS")) != NULL) {
		free(s->note);
		s->note = NULL;
		if (*v != '\0') {
			vis = str_vis(v, strlen(v), 1);
			if (strlen(vis) > SVC_NOTE_MAX)
				memcpy(vis + SVC_NOTE_MAX - 3, "...", 4);
			s->note = vis;
		}
	}
	if ((v = notify_get(m, "ERRNO")) != NULL &&
	    parse_uint(v, 4095, &n) == 0)
		s->notify_errno = (int)n;
	if ((v = notify_get(m, "MAINPID")) != NULL &&
	    parse_uint(v, INT_MAX, &n) == 0 && (pid_t)n != s->pid) {
		ready_who((pid_t)n, &w);
		if (!ready_is_ours(s, &w) || ready_adopt(s, (pid_t)n) == -1)
			log_warnx("%s: MAINPID=%lu refused: not a live process "
			    "of the service", s->cfg->name, n);
	}
	if ((v = notify_get(m, "RELOADING")) != NULL && strcmp(v, "1") == 0)
		s->reloading = 1;
	if ((v = notify_get(m, "STOPPING")) != NULL && strcmp(v, "1") == 0)
		s->stopping = 1;
	if (ready_usec(notify_get(m, "EXTEND_TIMEOUT_USEC"), &secs) == 0)
		svc_extend(s, secs);
	if (ready_usec(notify_get(m, "WATCHDOG_USEC"), &secs) == 0 &&
	    secs > 0) {
		s->wdog_sec = secs;
		if (s->state == SVC_RUNNING)
			ready_wdog_arm(s, secs);
	}
	if ((v = notify_get(m, "WATCHDOG")) != NULL) {
		if (strcmp(v, "1") == 0 && s->state == SVC_RUNNING)
			ready_wdog_arm(s, s->wdog_sec);
		else if (strcmp(v, "trigger") == 0 && s->state == SVC_RUNNING) {
			loop_timer_del(s->sup->loop, s->wdog);
			s->wdog = loop_timer(s->sup->loop, 0, ready_wdog_cb, s);
		}
	}
	if ((v = notify_get(m, "READY")) != NULL && strcmp(v, "1") == 0) {
		s->reloading = 0;
		ready_now(s);
	}
}

static void
ready_notify_cb(int fd, uint32_t events, void *arg)
{
	struct sup		*sup = arg;
	struct notify_msg	 m;
	struct svc		*s;

	(void)events;
	while (notify_recv(fd, &m) == 1) {
		if (m.truncated)
			continue;
		if ((s = ready_sender(sup, &m)) != NULL) {
			ready_apply(s, &m);
			continue;
		}
		if (++sup->notify_strangers <= STRANGERS_LOGGED)
			log_warnx("notify: ignored a message from pid %ld: not "
			    "a process of a notify service%s", (long)m.pid,
			    sup->notify_strangers == STRANGERS_LOGGED ?
			    " (further ones are only counted)" : "");
	}
}

/* The one notify socket, made when a service first needs it. */
int
ready_notify_init(struct sup *sup)
{
	if (sup->notifyfd != -1)
		return (0);
	sup->notifyfd = notify_socket(sup->notify_name,
	    sizeof sup->notify_name);
	if (sup->notifyfd == -1)
		return (-1);
	hold_add("notify", sup->notifyfd);
	if (loop_add(sup->loop, sup->notifyfd, EPOLLIN, ready_notify_cb,
	    sup) == -1) {
		close(sup->notifyfd);
		sup->notifyfd = -1;
		return (-1);
	}
	return (0);
}

/*
 * Adoption: the notify socket the services were told of (its name from
 * the state file), taken back from the holder.  1 when it was.
 */
int
ready_notify_held(struct sup *sup)
{
	int	fd;

	if (sup->notifyfd != -1 || sup->notify_name[0] == '\0' ||
	    (fd = hold_claim("notify")) == -1) {
		if (sup->notifyfd == -1)
			sup->notify_name[0] = '\0';
		return (0);
	}
	sup->notifyfd = fd;
	if (loop_add(sup->loop, fd, EPOLLIN, ready_notify_cb, sup) == -1) {
		close(fd);
		sup->notifyfd = -1;
		sup->notify_name[0] = '\0';
		return (0);
	}
	return (1);
}

void
ready_fini(struct sup *sup)
{
	if (sup->notifyfd == -1)
		return;
	loop_del(sup->loop, sup->notifyfd);
	close(sup->notifyfd);
	sup->notifyfd = -1;
}
