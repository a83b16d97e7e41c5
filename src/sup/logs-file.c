/*
 * A service's log file: opened by name (or the supervisor's own stdout
 * and stderr), rotated to N backups by size or on request, opened again
 * for an external logrotate, cleared on request.  The lines that go
 * into it are logs.c's.
 *
 * Open regular files are a cache shared by every stream, in the order
 * they were last written (the oldest first out): at most svclog_files_max() of them, so that an idle
 * service holds none and the fds the supervisor needs do not grow with
 * its log files.  A file that is out is opened again by name when its
 * stream next writes (svclog_file), and what was kept of it (its size,
 * for rotation) still holds: the supervisor is its only writer.
 * Anything else (a terminal, a fifo, the supervisor's stdout) keeps its
 * fd, since opening it again could block or find no reader.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"
#include "logs.h"

static TAILQ_HEAD(, svclog) files = TAILQ_HEAD_INITIALIZER(files);
static int	files_open;		/* in the cache */
static int	files_cap;		/* 0: the default */

/* Make n the cache's size (0: the default again); for the tests. */
void
svclog_files_limit(int n)
{
	files_cap = n;
}

/*
 * How many log files may be open at once: LOG_FILES, or a sixteenth of
 * the fd limit when that is less (at least 4).
 */
int
svclog_files_max(void)
{
	struct rlimit	rl;
	int		n = LOG_FILES;

	if (files_cap > 0)
		return (files_cap);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 16 < (rlim_t)n)
		n = rl.rlim_cur / 16 < 4 ? 4 : (int)(rl.rlim_cur / 16);
	return (n);
}

/* Close the stream's file, out of the cache. */
void
svclog_file_close(struct svclog *l)
{
	if (l->fd == -1)
		return;
	svclog_unwatch(l);
	close(l->fd);
	l->fd = -1;
	if (l->flags & SL_CACHED) {
		TAILQ_REMOVE(&files, l, lru);
		files_open--;
		l->flags &= ~SL_CACHED;
	}
}

/* fd is the stream's file now: a regular one goes in the cache. */
static void
svclog_file_set(struct svclog *l, int fd)
{
	struct svclog	*old;

	l->fd = fd;
	l->flags &= ~SL_NOFILE;
	if (!(l->flags & SL_REG))
		return;
	while (files_open >= svclog_files_max() &&
	    (old = TAILQ_FIRST(&files)) != NULL)
		svclog_file_close(old);
	TAILQ_INSERT_TAIL(&files, l, lru);
	l->flags |= SL_CACHED;
	files_open++;
}

/*
 * The stream's log file, open: from the cache (now its most recent), or
 * opened again by name.  -1 when there is none or it cannot be opened.
 */
int
svclog_file(struct svclog *l)
{
	int	fd;

	if (l->fd != -1) {
		if ((l->flags & SL_CACHED) && TAILQ_NEXT(l, lru) != NULL) {
			TAILQ_REMOVE(&files, l, lru);
			TAILQ_INSERT_TAIL(&files, l, lru);
		}
		return (l->fd);
	}
	if (l->path == NULL || (l->flags & SL_NOFILE))
		return (-1);
	if ((fd = svclog_open_file(l)) == -1) {
		l->flags |= SL_NOFILE;
		return (-1);
	}
	svclog_file_set(l, fd);
	return (fd);
}

/* Open the log file by name; -1 when it cannot be (said in the log). */
int
svclog_open_file(struct svclog *l)
{
	struct svc	*s = l->svc;
	struct stat	 st;
	char		 self[32];
	int		 fd, n;

	l->flags &= ~(SL_REG|SL_ROTATE|SL_STDIO|SL_PREFIX|SL_VIS);
	if (strcmp(l->path, "/dev/stdout") == 0 ||
	    strcmp(l->path, "/dev/stderr") == 0) {
		/*
		 * The supervisor's own: a new open file description where
		 * one can be had, so that O_NONBLOCK is ours alone.
		 */
		n = l->path[8] == 'o' ? STDOUT_FILENO : STDERR_FILENO;
		snprintf(self, sizeof self, "/proc/self/fd/%d", n);
		fd = open(self, O_WRONLY|O_APPEND|O_NOCTTY|O_CLOEXEC|O_NONBLOCK);
		if (fd == -1)
			fd = fcntl(n, F_DUPFD_CLOEXEC, 3);
		l->flags |= SL_STDIO;
		if (s->sup->foreground)
			l->flags |= SL_PREFIX;
	} else
		fd = open(l->path, O_WRONLY|O_APPEND|O_CREAT|O_NOFOLLOW|
		    O_NOCTTY|O_CLOEXEC|O_NONBLOCK, 0644);
	if (fd == -1) {
		if (errno == ELOOP)
			log_warnx("%s: %s: a symbolic link: refused, output "
			    "not logged", l->name, l->path);
		else
			log_warnx("%s: %s: %s: output not logged", l->name,
			    l->path, strerror(errno));
		return (-1);
	}
	l->size = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    !(l->flags & SL_STDIO)) {
		l->flags |= SL_REG;
		l->size = (uint64_t)st.st_size;
		if (l->maxbytes > 0)
			l->flags |= SL_ROTATE;
	}
	if (isatty(fd))
		l->flags |= SL_VIS;
	return (fd);
}

/*
 * Rotate now: PATH.N-1 to PATH.N ... PATH to PATH.1 and a new PATH, or
 * with no backups, empty the file where it is (supervisord's way).
 */
int
svclog_rotate_one(struct svclog *l, char **cause)
{
	int		 backups = l->backups, i, fd, flags;
	char		*from, *to;

	if (backups <= 0) {
		if (svclog_file(l) == -1 || ftruncate(l->fd, 0) == -1)
			goto fail;
		l->size = 0;
		return (0);
	}
	for (i = backups - 1; i >= 1; i--) {
		xasprintf(&from, "%s.%d", l->path, i);
		xasprintf(&to, "%s.%d", l->path, i + 1);
		(void)rename(from, to);
		free(from);
		free(to);
	}
	xasprintf(&to, "%s.1", l->path);
	i = rename(l->path, to);
	free(to);
	if (i == -1 && errno != ENOENT)	/* gone: a new one will do */
		goto fail;
	flags = l->flags;
	if ((fd = svclog_open_file(l)) == -1) {
		/* Still the old file, now PATH.1. */
		l->flags = flags;
		l->size = 0;
		xasprintf(cause, "%s: %s: cannot open a new file",
		    l->name, l->path);
		return (-1);
	}
	svclog_file_close(l);
	svclog_file_set(l, fd);
	return (0);

fail:
	xasprintf(cause, "%s: %s: rotation failed: %s", l->name,
	    l->path, strerror(errno));
	l->size = 0;		/* not again before another maxbytes */
	return (-1);
}

/* For an external logrotate: open the files again by name. */
void
svclog_reopen(struct svc *s)
{
	struct svclog	*ls[2] = { s->out, s->err };
	int		 i, fd, flags;

	for (i = 0; i < 2; i++) {
		if (ls[i] == NULL || ls[i]->path == NULL ||
		    (ls[i]->flags & SL_STDIO))
			continue;
		ls[i]->flags &= ~SL_NOFILE;
		if (ls[i]->fd == -1)
			continue;	/* by name anyway, when next written */
		flags = ls[i]->flags;
		if ((fd = svclog_open_file(ls[i])) == -1) {
			ls[i]->flags = flags;
			continue;
		}
		svclog_file_close(ls[i]);
		svclog_file_set(ls[i], fd);
	}
}

/*
 * Rotate a service's log now: which is 0 (stdout), 1 (stderr) or -1
 * (every file it has).  -1 with *cause when nothing could be rotated.
 */
int
svclog_rotate(struct svc *s, int which, char **cause)
{
	struct svclog	*ls[2] = { s->out, s->err }, *l;
	char		*why = NULL;
	int		 i, done = 0;

	*cause = NULL;
	for (i = 0; i < 2; i++) {
		if (which != -1 && which != i)
			continue;
		l = ls[i];
		free(why);
		why = NULL;
		if (i == 1 && s->cfg->redirect_stderr) {
			if (which == 1)
				xasprintf(&why, "%s: stderr goes to stdout "
				    "(redirect_stderr)", s->cfg->name);
		} else if (l == NULL || l->path == NULL ||
		    (l->flags & SL_NOFILE)) {
			if (which != -1)
				xasprintf(&why, "%s: no %s log file",
				    s->cfg->name, i == 0 ? "stdout" : "stderr");
		} else if (!(l->flags & SL_REG)) {
			if (which != -1)
				xasprintf(&why, "%s: %s: not a regular file: "
				    "not rotated", s->cfg->name, l->path);
		} else if (svclog_rotate_one(l, &why) == 0)
			done++;
	}
	if (done > 0) {
		free(why);
		return (0);
	}
	if (why == NULL)
		xasprintf(&why, "%s: no log file to rotate", s->cfg->name);
	*cause = why;
	return (-1);
}

/*
 * Clear a stream's log file, supervisord's way: the file removed and a
 * new one opened by name, the backups left.  What is held or carried
 * goes to the new file.  Anything but a regular file (a terminal, a
 * fifo, /dev/null, a symbolic link) is left alone.  0, or -1 and errno.
 */
static int
svclog_clear_one(struct svclog *l)
{
	struct stat	 st;
	int		 fd, flags;

	if (l == NULL || l->path == NULL || (l->flags & SL_STDIO))
		return (0);
	if (lstat(l->path, &st) == 0 && !S_ISREG(st.st_mode))
		return (0);
	if (l->fd != -1 && !(l->flags & SL_REG))
		return (0);
	if (unlink(l->path) == -1 && errno != ENOENT)
		return (-1);
	flags = l->flags;
	if ((fd = svclog_open_file(l)) == -1) {
		l->flags = flags;
		return (-1);
	}
	svclog_file_close(l);
	svclog_file_set(l, fd);
	return (0);
}

/* Clear both log files of a service: 0, or -1 and errno. */
int
svclog_clear(struct svc *s)
{
	int	rv = 0, error = 0;

	if (svclog_clear_one(s->out) == -1) {
		error = errno;
		rv = -1;
	}
	if (svclog_clear_one(s->err) == -1) {
		error = errno;
		rv = -1;
	}
	if (rv == -1)
		errno = error;
	return (rv);
}
