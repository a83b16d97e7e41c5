/*
 * warden logs, the supervisor's half: the last lines of a service's log
 * file (read backwards from the end, never the whole file), the last
 * 64 KiB of the supervisor's own messages kept in memory, and the
 * followers that get every new chunk as it is written.
 *
 * The log engine hands each chunk of complete lines to logs_feed() the
 * moment it writes it, and the loop runs one thing at a time: a tail
 * taken up to the file's size now, then a follower added in the same
 * callback, sees every byte once, with no gap and no repeat.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sup.h"

#define FOLLOW_RING	65536	/* the supervisor's messages kept */
#define FOLLOW_SCAN	65536	/* read backwards this much at a time */

struct follow {
	struct svc	*svc;		/* NULL: the supervisor */
	int		 which;		/* 0 stdout, 1 stderr */
	follow_cb	 cb;
	void		*arg;
	TAILQ_ENTRY(follow) entry;
};

/* Up to two stretches of files: the rotated one, then the current. */
struct follow_tail {
	int		 fd[2];
	off_t		 off[2], end[2];
	int		 cur;
};

static TAILQ_HEAD(, follow) follow_list = TAILQ_HEAD_INITIALIZER(follow_list);

static char	follow_ring[FOLLOW_RING];
static size_t	follow_ring_head;	/* where the next byte goes */
static size_t	follow_ring_len;	/* bytes held */
static int	follow_ring_wrapped;	/* the oldest line may be cut */

/* Call cb with every chunk of s's stream which (s NULL: the supervisor). */
struct follow *
follow_add(struct svc *s, int which, follow_cb cb, void *arg)
{
	struct follow	*f;

	f = xcalloc(1, sizeof *f);
	f->svc = s;
	f->which = which;
	f->cb = cb;
	f->arg = arg;
	TAILQ_INSERT_TAIL(&follow_list, f, entry);
	return (f);
}

void
follow_del(struct follow *f)
{
	if (f == NULL)
		return;
	TAILQ_REMOVE(&follow_list, f, entry);
	free(f);
}

/*
 * A chunk of complete lines the log engine has just written for s.  A
 * callback may delete its own follower, never another.
 */
void
logs_feed(struct svc *s, int which, const char *buf, size_t len)
{
	struct follow	*f, *tmp;

	if (s == NULL || len == 0)
		return;
	TAILQ_FOREACH_SAFE(f, &follow_list, entry, tmp)
		if (f->svc == s && f->which == which)
			f->cb(f->arg, buf, len);
}

/* One line of the supervisor's own log: into the ring, to followers. */
void
follow_sup_line(const char *line, size_t len)
{
	struct follow	*f, *tmp;
	const char	*p = line;
	size_t		 n, k;

	if (len == 0)
		return;
	if (len > FOLLOW_RING) {
		p += len - FOLLOW_RING;
		n = FOLLOW_RING;
	} else
		n = len;
	if (follow_ring_len + n > FOLLOW_RING)
		follow_ring_wrapped = 1;
	while (n > 0) {
		k = FOLLOW_RING - follow_ring_head;
		if (k > n)
			k = n;
		memcpy(follow_ring + follow_ring_head, p, k);
		follow_ring_head = (follow_ring_head + k) % FOLLOW_RING;
		follow_ring_len += k;
		p += k;
		n -= k;
	}
	if (follow_ring_len > FOLLOW_RING)
		follow_ring_len = FOLLOW_RING;
	TAILQ_FOREACH_SAFE(f, &follow_list, entry, tmp)
		if (f->svc == NULL)
			f->cb(f->arg, line, len);
}

/*
 * The last lines of the supervisor's messages, in a new buffer of *lenp
 * bytes (NULL when there are none).
 */
char *
follow_sup_tail(unsigned long lines, size_t *lenp)
{
	char	*buf, *start;
	size_t	 len = follow_ring_len, tail, i;

	*lenp = 0;
	if (lines == 0 || len == 0)
		return (NULL);
	buf = xmalloc(len);
	tail = (follow_ring_head + FOLLOW_RING - len) % FOLLOW_RING;
	i = FOLLOW_RING - tail < len ? FOLLOW_RING - tail : len;
	memcpy(buf, follow_ring + tail, i);
	memcpy(buf + i, follow_ring, len - i);
	start = buf;
	if (follow_ring_wrapped) {
		/* The oldest line lost its beginning: leave it out. */
		if ((start = memchr(buf, '\n', len)) == NULL) {
			free(buf);
			return (NULL);
		}
		start++;
	}
	if ((len -= (size_t)(start - buf)) == 0) {
		free(buf);
		return (NULL);
	}
	/* Count newlines back from the end; the last byte ends a line. */
	for (i = len - 1; i > 0; i--)
		if (start[i - 1] == '\n' && --lines == 0)
			break;
	memmove(buf, start + i, len - i);
	*lenp = len - i;
	return (buf);
}

/*
 * Where the last *want lines of the first size bytes of fd begin; *want
 * is lowered by the lines found.  The last byte ends the last line,
 * newline or not.  Reads backwards a block at a time: the last lines of
 * a gigabyte cost what they weigh, not a gigabyte.
 */
static off_t
follow_tail_start(int fd, off_t size, unsigned long *want)
{
	char	*buf;
	off_t	 pos;
	size_t	 chunk, i;

	if (size == 0 || *want == 0)
		return (size);
	buf = xmalloc(FOLLOW_SCAN);
	pos = size - 1;
	while (pos > 0) {
		chunk = pos < FOLLOW_SCAN ? (size_t)pos : FOLLOW_SCAN;
		if (pread(fd, buf, chunk, pos - (off_t)chunk) !=
		    (ssize_t)chunk) {
			/* Shrunk under us: start at what could be read. */
			free(buf);
			*want = 0;
			return (pos);
		}
		for (i = chunk; i > 0; i--)
			if (buf[i - 1] == '\n' && --*want == 0) {
				free(buf);
				return (pos - (off_t)chunk + (off_t)i);
			}
		pos -= (off_t)chunk;
	}
	free(buf);
	(*want)--;		/* the file's first line */
	return (0);
}

/* A regular file at path, opened to read; -1 otherwise (errno set). */
static int
follow_open(const char *path, struct stat *st)
{
	int	fd;

	fd = open(path, O_RDONLY|O_NONBLOCK|O_NOCTTY|O_CLOEXEC);
	if (fd == -1)
		return (-1);
	if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
		close(fd);
		return (errno = ESPIPE, -1);
	}
	return (fd);
}

/* What the config names as the stream's log, for messages. */
static const char *
follow_target(struct svc *s, int which)
{
	const struct cfg_log	*c = which ? &s->cfg->err : &s->cfg->out;

	if (c->kind == CFG_LOG_NONE)
		return ("NONE");
	if (c->kind == CFG_LOG_AUTO)
		return ("AUTO");
	return (c->path != NULL ? c->path : "?");
}

/*
 * Get ready to send the last lines of s's stream which: from its file,
 * and from the rotated PATH.1 when the file holds fewer.  Returns a
 * reader for follow_tail_read(), or NULL with *note saying why there is
 * nothing to read (NULL too: simply no lines yet).
 */
struct follow_tail *
follow_tail_open(struct svc *s, int which, unsigned long lines, char **note)
{
	struct svclog		*l = which ? s->err : s->out;
	struct follow_tail	*t;
	struct stat		 st;
	char			*old;
	int			 fd;

	*note = NULL;
	if (lines == 0)
		return (NULL);
	if (l == NULL || l->path == NULL ||
	    ((fd = follow_open(l->path, &st)) == -1 && errno == ESPIPE)) {
		xasprintf(note, "%s: no log file to read (%s_logfile=%s)",
		    s->cfg->name, which ? "stderr" : "stdout",
		    follow_target(s, which));
		return (NULL);
	}
	if (fd == -1 && errno != ENOENT) {
		xasprintf(note, "%s: %s: %s", s->cfg->name, l->path,
		    strerror(errno));
		return (NULL);
	}
	t = xcalloc(1, sizeof *t);
	t->fd[0] = t->fd[1] = -1;
	if (fd != -1) {
		t->fd[1] = fd;
		t->end[1] = st.st_size;
		t->off[1] = follow_tail_start(fd, st.st_size, &lines);
	}
	if (lines > 0) {
		xasprintf(&old, "%s.1", l->path);
		if ((fd = follow_open(old, &st)) != -1) {
			t->fd[0] = fd;
			t->end[0] = st.st_size;
			t->off[0] = follow_tail_start(fd, st.st_size, &lines);
		}
		free(old);
	}
	return (t);
}

/*
 * The next piece of the tail into buf: at most len bytes, cut after a
 * newline when it does not all fit.  0 at the end.
 */
size_t
follow_tail_read(struct follow_tail *t, char *buf, size_t len)
{
	const char	*nl;
	ssize_t		 n;
	off_t		 left;
	size_t		 want;

	for (; t->cur < 2; t->cur++) {
		if (t->fd[t->cur] == -1)
			continue;
		left = t->end[t->cur] - t->off[t->cur];
		if (left <= 0)
			continue;
		want = (off_t)len > left ? (size_t)left : len;
		n = pread(t->fd[t->cur], buf, want, t->off[t->cur]);
		if (n <= 0)
			continue;	/* truncated under us: go on */
		if ((off_t)n < left && (nl = memrchr(buf, '\n', (size_t)n))
		    != NULL)
			n = nl - buf + 1;
		t->off[t->cur] += n;
		return ((size_t)n);
	}
	return (0);
}

void
follow_tail_free(struct follow_tail *t)
{
	int	i;

	if (t == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (t->fd[i] != -1)
			close(t->fd[i]);
	free(t);
}
