/*
 * A stream's pipe.  The supervisor keeps only its read end, for the
 * service's configured life; each spawn gets a write end of its own,
 * opened again through /proc (svclog_writer), which the child keeps and
 * the parent closes after the fork.  So a restart loses nothing (the
 * pipe spans the instances, order kept), a grandchild that kept the old
 * write end is still read, and a stream costs one fd, not two.  When no
 * writer is left the pipe is taken out of the loop (EPOLLHUP would fire
 * on every turn) until the next spawn gives it one.
 *
 * Reading in batches: a read that finds the pipe busy (more than a few
 * lines waiting, or again within two pauses of the last) grows the pipe and leaves it alone for LOG_PAUSE
 * before the next read, so that the next read takes many lines and the
 * writer is not woken on each of them; a read that finds it half full
 * or more is followed by the next at once, so that a fast writer never
 * waits on a full pipe.  A quiet service's line is read
 * at once: the pause only follows a busy read.
 */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"
#include "logs.h"

#define LOG_PIPE	(1024 * 1024)	/* the pipe of a stream that fills it */
#define LOG_BUSY	1024		/* a read of this much: the pipe is busy */
#define LOG_PAUSE	0.001		/* then the next read waits this long */
#define LOG_DRAIN	8		/* reads at most, when an instance ends */

static char	in_buf[LOG_READ];
static double	pause_secs = LOG_PAUSE;

static void	svclog_read_cb(int, uint32_t, void *);
static int	svclog_pipe(struct svclog *);

/*
 * Watch the pipe for input (on), or stop (off).  Held output and a
 * pause keep it off; a pipe with no writer is out of the loop.
 */
void
svclog_poll(struct svclog *l, int on)
{
	struct loop	*loop = l->svc->sup->loop;

	if (l->rfd == -1)
		return;
	if (!on) {
		if ((l->flags & SL_READING) && loop_mod(loop, l->rfd, 0) == 0)
			l->flags &= ~SL_READING;
		return;
	}
	if (l->flags & (SL_READING|SL_HELD))
		return;
	if (l->pause != NULL)
		return;
	if (l->flags & SL_UNPOLLED) {
		if (loop_add(loop, l->rfd, EPOLLIN, svclog_read_cb, l) == -1)
			return;
		l->flags &= ~SL_UNPOLLED;
	} else if (loop_mod(loop, l->rfd, EPOLLIN) == -1)
		return;
	l->flags |= SL_READING;
}

/* How long a busy pipe is left alone (0: read at once); for the tests. */
void
svclog_pause_set(double secs)
{
	pause_secs = secs;
}

/* No writer is left: out of the loop until a spawn makes one. */
static void
svclog_unpoll(struct svclog *l)
{
	if (l->flags & SL_UNPOLLED)
		return;
	loop_del(l->svc->sup->loop, l->rfd);
	l->flags |= SL_UNPOLLED;
	l->flags &= ~SL_READING;
}

/* The pause is over: read what came meanwhile. */
static void
svclog_pause_cb(void *arg)
{
	struct svclog	*l = arg;

	l->pause = NULL;
	svclog_read(l);
}

/*
 * Read once: 1 when bytes were taken, 0 at EOF (no writer left), -1
 * when there is nothing now.  A busy read starts a pause.
 */
int
svclog_read(struct svclog *l)
{
	struct timespec	ts;
	uint64_t	now;
	ssize_t		n;
	int		busy;

	if (l->rfd == -1 || (l->flags & SL_HELD))
		return (-1);
	while ((n = read(l->rfd, in_buf, sizeof in_buf)) == -1 &&
	    errno == EINTR)
		;
	if (n == 0) {
		svclog_unpoll(l);
		return (0);
	}
	if (n == -1) {
		svclog_poll(l, 1);
		return (-1);
	}
	svclog_input(l, in_buf, (size_t)n);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
	/* Busy: much at once, or one more read soon after the last. */
	busy = pause_secs > 0 && (n >= LOG_BUSY ||
	    now - l->lastread < (uint64_t)(pause_secs * 2e9));
	l->lastread = now;
	if ((busy || n >= 65536) && !(l->flags & SL_GROWN)) {
		/*
		 * Only a busy pipe grows (a pause would fill a small one):
		 * the pages count against the user's pipe quota
		 * (pipe-user-pages-soft) until the pipe is closed.
		 */
		if (fcntl(l->rfd, F_SETPIPE_SZ, LOG_PIPE) == -1)
			l->flags |= SL_SMALL;
		l->flags |= SL_GROWN;
	}
	/* Half full or more: the writer is fast, a pause would stop it. */
	if ((size_t)n >= ((l->flags & SL_SMALL) ? 32768 : LOG_PIPE / 2))
		busy = 0;
	if (busy && l->pause == NULL && !(l->flags & SL_HELD)) {
		svclog_poll(l, 0);
		l->pause = loop_timer(l->svc->sup->loop, pause_secs,
		    svclog_pause_cb, l);
	} else
		svclog_poll(l, 1);
	return (1);
}

/* The pipe has data, or no writer (EPOLLHUP). */
static void
svclog_read_cb(int fd, uint32_t events, void *arg)
{
	struct svclog	*l = arg;

	(void)fd;
	if (!(l->flags & SL_READING)) {
		/* Held or paused: only a hang-up comes; wait out of the loop. */
		if (events & (EPOLLHUP|EPOLLERR))
			svclog_unpoll(l);
		return;
	}
	(void)svclog_read(l);
}

/* The pipe's write end, opened again by name: Linux opens it as a FIFO. */
static int
svclog_proc_writer(int rfd)
{
	char	path[32];

	snprintf(path, sizeof path, "/proc/self/fd/%d", rfd);
	return (open(path, O_WRONLY|O_CLOEXEC));
}

/*
 * A new write end of the stream's pipe for a child, which the caller
 * closes once the child has it; reading starts if it had stopped for
 * want of a writer.  -1 and errno when none can be had.
 */
int
svclog_writer(struct svclog *l)
{
	int	fd;

	if (l->rfd == -1 && svclog_pipe(l) == -1)
		return (-1);	/* none at the start either: try again now */
	if (l->wfd != -1)
		fd = fcntl(l->wfd, F_DUPFD_CLOEXEC, 3);
	else
		fd = svclog_proc_writer(l->rfd);
	if (fd == -1)
		return (-1);
	svclog_poll(l, 1);
	return (fd);
}

/*
 * The stream's pipe: the one the fd holder kept, if a supervisor before
 * this one made it, else a new one (given to the holder).  Its write end
 * is kept only if /proc cannot give another.
 */
static int
svclog_pipe(struct svclog *l)
{
	int	p[2], fd, saved, held;

	if ((held = hold_pipe(l->svc, svclog_name(l), p)) == -1) {
		saved = errno;
		log_warnx("%s: %s pipe: %s", l->name, svclog_name(l),
		    strerror(saved));
		errno = saved;
		return (-1);
	}
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	l->rfd = p[0];
	l->flags |= SL_UNPOLLED;
	if ((fd = svclog_proc_writer(p[0])) != -1) {
		close(fd);
		close(p[1]);
	} else
		l->wfd = p[1];
	if (held)
		svclog_poll(l, 1);	/* an adopted instance writes to it */
	return (0);
}

/* Read what the pipe has now, boundedly, unless the output is held. */
static void
svclog_drain_one(struct svclog *l)
{
	int	i;

	if (l->pause != NULL) {
		loop_timer_del(l->svc->sup->loop, l->pause);
		l->pause = NULL;
	}
	for (i = 0; i < LOG_DRAIN && l->rfd != -1; i++)
		if (svclog_read(l) != 1)
			break;
}

/* Bytes left unread in the pipe. */
static size_t
svclog_unread(struct svclog *l)
{
	int	n = 0;

	if (l->rfd != -1 && ioctl(l->rfd, FIONREAD, &n) == 0 && n > 0)
		return ((size_t)n);
	return (0);
}

/* Close the pipe (its read end, and the write end if kept). */
static void
svclog_pipe_close(struct svclog *l)
{
	struct loop	*loop = l->svc->sup->loop;

	loop_timer_del(loop, l->pause);
	l->pause = NULL;
	if (l->rfd != -1) {
		if (!(l->flags & SL_UNPOLLED))
			loop_del(loop, l->rfd);
		close(l->rfd);
		l->rfd = -1;
		hold_gone(l->svc, svclog_name(l));
	}
	if (l->wfd != -1)
		close(l->wfd);
	l->wfd = -1;
}

/*
 * A stream's settings are copied from the config: a service's config
 * may be freed before the service, whose close still writes.
 */
static int
svclog_open_one(struct svc *s, struct svclog **lp, int which)
{
	const struct cfg_log	*c = which == 0 ? &s->cfg->out : &s->cfg->err;
	struct config		*cf = s->sup->cfg;
	struct svclog		*l;

	*lp = NULL;
	if (which == 1 && s->cfg->redirect_stderr)
		return (0);
	if (c->kind == CFG_LOG_NONE && !c->syslog &&
	    !(which == 0 && s->cfg->listener))
		return (0);		/* no stream at all: no memory either */
	*lp = l = xcalloc(1, sizeof *l);
	l->svc = s;
	l->which = which;
	l->rfd = l->wfd = l->fd = -1;
	l->name = xstrdup(s->cfg->name);
	l->maxbytes = c->maxbytes;
	l->backups = c->backups;
	l->cap = (size_t)s->cfg->log_line_max;
	l->stamps = s->cfg->log_timestamps;
	l->report = svclog_report(s) == l;
	if (c->syslog)
		l->flags |= SL_SYSLOG;
	if (c->kind == CFG_LOG_AUTO)
		xasprintf(&l->path, "%s/%s-%s.log", cf->childlogdir,
		    s->cfg->name, svclog_name(l));
	else if (c->kind == CFG_LOG_PATH)
		l->path = xstrdup(c->path);
	if (svclog_pipe(l) == -1)
		return (-1);
	/* Opened now, to say at once when it cannot be; then cached. */
	return (l->path != NULL && svclog_file(l) == -1 ? -1 : 0);
}

/* Set up both streams; NONE with no syslog gets no pipe (/dev/null). */
int
svclog_open(struct svc *s)
{
	int	rv = 0;

	rv |= svclog_open_one(s, &s->out, 0);
	rv |= svclog_open_one(s, &s->err, 1);
	return (rv ? -1 : 0);
}

/*
 * The instance has ended: read what it left in the pipes, and end its
 * partial line there, so that the next one's first line stands alone.
 */
void
svclog_drain(struct svc *s)
{
	struct svclog	*ls[2] = { s->out, s->err };
	int		 i;

	for (i = 0; i < 2; i++) {
		if (ls[i] == NULL || ls[i]->rfd == -1)
			continue;
		svclog_drain_one(ls[i]);
		if (ls[i]->pendlen > 0)
			ls[i]->flags |= SL_ENDPEND;
		else
			svclog_endline(ls[i]);
	}
}

static void
svclog_close_one(struct svc *s, struct svclog *l)
{
	size_t	lost;

	if (l == NULL)
		return;			/* no stream */
	if (l->rfd != -1) {
		svclog_drain_one(l);
		if (l->pendlen == 0)
			svclog_endline(l);
	}
	if (l->flags & SL_HELD) {
		/* One last try: the target may have room by now. */
		loop_timer_del(s->sup->loop, l->retry);
		l->retry = NULL;
		svclog_unwatch(l);
		svclog_retry(l);
		svclog_unwatch(l);
		loop_timer_del(s->sup->loop, l->retry);
		l->retry = NULL;
	}
	if (l->flags & SL_HELD) {
		lost = l->heldlen - l->heldoff + l->pendlen + l->carrylen +
		    svclog_unread(l);
		log_warnx("%s: %s: %zu bytes of output lost: %s", l->name,
		    l->path != NULL ? l->path : svclog_name(l), lost,
		    strerror(l->error));
	}
	svclog_pipe_close(l);
	svclog_file_close(l);
	free(l->name);
	free(l->path);
	free(l->carry);
	free(l->held);
	free(l->pend);
	free(l->recent);
	free(l);
}

void
svclog_close(struct svc *s)
{
	svclog_close_one(s, s->out);
	svclog_close_one(s, s->err);
	s->out = s->err = NULL;
}

/* "stdout log held: No space left on device", or NULL. */
const char *
svclog_problem(struct svc *s)
{
	static char	 buf[128];
	struct svclog	*ls[2] = { s->out, s->err };
	int		 i;

	for (i = 0; i < 2; i++)
		if (ls[i] != NULL && (ls[i]->flags & SL_HELD)) {
			snprintf(buf, sizeof buf, "%s log held: %s",
			    svclog_name(ls[i]), strerror(ls[i]->error));
			return (buf);
		}
	return (NULL);
}

/*
 * The fds a service's streams hold in steady state: one per captured
 * stream (a log file, an AUTO one or syslog), none for NONE; the log
 * files are in the shared cache (svclog_files_max), except a
 * /dev/stdout or /dev/stderr target, which keeps its own.
 */
int
svclog_fds_needed(const struct cfg_proc *p)
{
	const struct cfg_log	*c;
	int			 i, n = 0;

	for (i = 0; i < 2; i++) {
		c = i == 0 ? &p->out : &p->err;
		if (i == 1 && p->redirect_stderr)
			continue;
		if (c->kind == CFG_LOG_NONE && !c->syslog &&
		    !(i == 0 && p->listener))
			continue;		/* a listener's stdout: the protocol */
		n++;
		if (c->kind == CFG_LOG_PATH && c->path != NULL &&
		    (strcmp(c->path, "/dev/stdout") == 0 ||
		    strcmp(c->path, "/dev/stderr") == 0))
			n++;
	}
	return (n);
}

/*
 * The write ends a spawn gives its child, -1 for a stream not captured
 * (NONE); the caller closes them (svclog_writers_close) after the fork.
 * -1 and errno when one cannot be had.
 */
int
svclog_writers(struct svc *s, int *outfd, int *errfd)
{
	int	saved;

	*outfd = *errfd = -1;
	if (s->out != NULL && (*outfd = svclog_writer(s->out)) == -1)
		return (-1);
	if (s->err != NULL && (*errfd = svclog_writer(s->err)) == -1) {
		saved = errno;
		svclog_writers_close(*outfd, -1);
		*outfd = -1;
		errno = saved;
		return (-1);
	}
	return (0);
}

/* Close what svclog_writers gave. */
void
svclog_writers_close(int outfd, int errfd)
{
	if (outfd != -1)
		close(outfd);
	if (errfd != -1)
		close(errfd);
}
