/*
 * Service output: a pipe per stream that the supervisor owns for the
 * service's whole life (so a restart loses nothing), copied to the log
 * file named by the config.  AUTO logs live in childlogdir.
 */
#include <sys/epoll.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

#define SVCLOG_CHUNK	65536	/* read at most this much per wakeup */

static void
svclog_read_cb(int fd, uint32_t events, void *arg)
{
	struct svclog	*l = arg;
	char		 buf[SVCLOG_CHUNK];
	ssize_t		 n;

	(void)events;
	if ((n = read(fd, buf, sizeof buf)) <= 0)
		return;
	if (l->fd != -1 && write(l->fd, buf, (size_t)n) == n)
		l->size += (uint64_t)n;
}

static int
svclog_file(struct svc *s, struct svclog *l, const struct cfg_log *c,
    const char *which)
{
	struct config	*cf = s->sup->cfg;

	if (c->kind == CFG_LOG_NONE)
		return (0);
	if (c->kind == CFG_LOG_AUTO)
		xasprintf(&l->path, "%s/%s-%s.log", cf->childlogdir,
		    s->cfg->name, which);
	else
		l->path = xstrdup(c->path);
	l->fd = open(l->path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|O_NOCTTY,
	    0644);
	if (l->fd == -1) {
		sup_log("%s: %s: %s", s->cfg->name, l->path, strerror(errno));
		return (-1);
	}
	return (0);
}

static int
svclog_pipe(struct svc *s, struct svclog *l)
{
	int	p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return (-1);
	(void)fcntl(p[0], F_SETFL, O_NONBLOCK);
	l->rfd = p[0];
	l->wfd = p[1];
	return (loop_add(s->sup->loop, l->rfd, EPOLLIN, svclog_read_cb, l));
}

/* Set up both streams; NONE gets no pipe (the child writes /dev/null). */
int
svclog_open(struct svc *s)
{
	const struct cfg_proc	*c = s->cfg;
	int			 rv = 0;

	if (c->out.kind != CFG_LOG_NONE) {
		rv |= svclog_file(s, &s->out, &c->out, "stdout");
		rv |= svclog_pipe(s, &s->out);
	}
	if (!c->redirect_stderr && c->err.kind != CFG_LOG_NONE) {
		rv |= svclog_file(s, &s->err, &c->err, "stderr");
		rv |= svclog_pipe(s, &s->err);
	}
	return (rv ? -1 : 0);
}

static void
svclog_close_one(struct svc *s, struct svclog *l)
{
	if (l->rfd != -1) {
		/* Take what the last instance left in the pipe. */
		svclog_read_cb(l->rfd, EPOLLIN, l);
		loop_del(s->sup->loop, l->rfd);
		close(l->rfd);
	}
	if (l->wfd != -1)
		close(l->wfd);
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	l->rfd = l->wfd = l->fd = -1;
	l->path = NULL;
}

void
svclog_close(struct svc *s)
{
	svclog_close_one(s, &s->out);
	svclog_close_one(s, &s->err);
}

/* For an external logrotate: open the files again by name. */
void
svclog_reopen(struct svc *s)
{
	struct svclog	*ls[2] = { &s->out, &s->err };
	int		 i, fd;

	for (i = 0; i < 2; i++) {
		if (ls[i]->fd == -1 || ls[i]->path == NULL)
			continue;
		fd = open(ls[i]->path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC|
		    O_NOCTTY, 0644);
		if (fd == -1)
			continue;
		close(ls[i]->fd);
		ls[i]->fd = fd;
		ls[i]->size = 0;
	}
}
