/*
 * A process's stdin, as supervisord gives one to every process: a pipe
 * made at each spawn, its read end the child's fd 0, its write end kept
 * by the supervisor (non-blocking, close-on-exec) until the instance is
 * reaped.  What the pipe does not take at once waits in a bounded queue,
 * made only then, and is written when the loop says the pipe has room.
 */
#include <sys/epoll.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

/* The most that waits for the pipe, per process. */
#define SVC_IN_MAX	(1024 * 1024)

static void	svc_stdin_cb(int, uint32_t, void *);

/*
 * A new stdin pipe for the next instance: the write end is kept, the
 * read end is in *rfd, for the spawn to give and then close.  0, or -1.
 */
int
svc_stdin_open(struct svc *s, int *rfd)
{
	int	p[2];

	svc_stdin_close(s);
	if (pipe2(p, O_CLOEXEC) == -1)
		return (-1);
	if (fcntl(p[1], F_SETFL, O_NONBLOCK) == -1) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	s->infd = p[1];
	*rfd = p[0];
	return (0);
}

/* The queue is empty: out of the loop, and gone. */
static void
svc_stdin_unqueue(struct svc *s)
{
	struct svc_in	*in = s->in;

	if (in == NULL)
		return;
	if (in->waiting)
		loop_del(s->sup->loop, s->infd);
	free(in->q);
	free(in);
	s->in = NULL;
}

/* The instance is gone (or never came): the write end and its queue. */
void
svc_stdin_close(struct svc *s)
{
	svc_stdin_unqueue(s);
	if (s->infd != -1)
		close(s->infd);
	s->infd = -1;
}

/* Write what is queued: 0 when it is all out or must wait, -1 and errno. */
static int
svc_stdin_flush(struct svc *s)
{
	struct svc_in	*in = s->in;
	ssize_t		 w;

	while (in->qoff < in->qlen) {
		w = write(s->infd, in->q + in->qoff, in->qlen - in->qoff);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN)
			return (0);
		if (w <= 0) {
			if (w == 0)
				errno = EPIPE;
			return (-1);
		}
		in->qoff += (size_t)w;
	}
	svc_stdin_unqueue(s);
	return (0);
}

/* In the loop while something is queued. */
static void
svc_stdin_watch(struct svc *s)
{
	struct svc_in	*in = s->in;

	if (in != NULL && !in->waiting &&
	    loop_add(s->sup->loop, s->infd, EPOLLOUT, svc_stdin_cb, s) == 0)
		in->waiting = 1;
}

/* The pipe has room, or its reader left. */
static void
svc_stdin_cb(int fd, uint32_t events, void *arg)
{
	struct svc	*s = arg;

	(void)fd;
	(void)events;
	if (svc_stdin_flush(s) == -1) {
		log_warnx("%s: stdin: %s: %zu bytes not written",
		    s->cfg->name, strerror(errno), s->in->qlen - s->in->qoff);
		svc_stdin_close(s);
		return;
	}
	svc_stdin_watch(s);
}

/*
 * Send len bytes to the process's stdin, in order after what waits.
 * 0; or -1 with errno EPIPE (no pipe, or its reader is gone: it is
 * closed then) or ENOBUFS (the queue would pass its bound: nothing of
 * these bytes is taken).
 */
int
svc_stdin_write(struct svc *s, const char *p, size_t len)
{
	struct svc_in	*in = s->in;
	size_t		 queued = in != NULL ? in->qlen - in->qoff : 0;
	ssize_t		 w = 0;

	if (s->infd == -1) {
		errno = EPIPE;
		return (-1);
	}
	if (queued + len > SVC_IN_MAX) {
		errno = ENOBUFS;
		return (-1);
	}
	while (queued == 0 && len > 0) {
		w = write(s->infd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && errno == EAGAIN)
			break;
		if (w <= 0) {
			svc_stdin_close(s);
			errno = EPIPE;
			return (-1);
		}
		p += w;
		len -= (size_t)w;
	}
	if (len == 0)
		return (0);
	if (in == NULL)
		in = s->in = xcalloc(1, sizeof *in);
	if (in->qoff > 0) {
		memmove(in->q, in->q + in->qoff, in->qlen - in->qoff);
		in->qlen -= in->qoff;
		in->qoff = 0;
	}
	in->q = xreallocarray(in->q, 1, in->qlen + len);
	memcpy(in->q + in->qlen, p, len);
	in->qlen += len;
	svc_stdin_watch(s);
	return (0);
}

/* Bytes waiting for the pipe (for tests and status). */
size_t
svc_stdin_queued(struct svc *s)
{
	return (s->in != NULL ? s->in->qlen - s->in->qoff : 0);
}
