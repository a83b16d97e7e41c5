/*
 * Service output as lines.  Each stream is a pipe the supervisor owns
 * for the service's whole configured life (logs-pipe.c), so a restart
 * loses nothing: the last bytes of one instance and the first of the
 * next land in order.  Bytes become lines here: stamped
 * (log_timestamps=), cut at log_line_max, written whole to the log file
 * (rotated by size at line boundaries), sent to syslog and handed to the
 * followers (logs_feed, follow.c).  The log file itself (opening,
 * rotation, the cache of open files) is logs-file.c's, what a failed
 * start reports logs-recent.c's and the syslog client logs-syslog.c's;
 * logs.h is what they share.
 *
 * Speed comes from not copying: one read buffer shared by every stream
 * (the loop runs one thing at a time), lines written straight from it
 * with writev, a stamped line as two iovecs (the stamp, made once a
 * read, and the line where it was read), and only a partial last line
 * copied, into a carry that exists while it is not empty.  An idle
 * service costs two small structs and its pipes' read ends, nothing
 * more.
 *
 * A log that cannot be written (a full disk, an I/O error, a terminal
 * or pipe that does not drain) holds what it has and stops reading the
 * pipe: the service blocks on its full pipe instead of losing output,
 * and the write is tried again on a timer (or when the target can take
 * more).  What is held is bounded by one read and one line.
 */
#include <sys/epoll.h>
#include <sys/uio.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sup.h"
#include "logs.h"
#include "event.h"

#define LOG_OUT		(LOG_READ + 65536) /* stamped lines, before writing */
#define LOG_IOV		1024		/* IOV_MAX: a stamp and a line each */
#define LOG_RETRY_MIN	0.25
#define LOG_RETRY_MAX	5.0

#define MARK_SPLIT	" [warden: line split]\n"
#define MARK_NONL	" [warden: no newline]\n"

static char		out_buf[LOG_OUT];
static size_t		out_used;
static struct iovec	out_iov[LOG_IOV];
static int		out_niov;
static size_t		out_bytes;

/* What starts every line of the chunk in hand. */
static char		stamp[320];
static size_t		stamplen;

static void	svclog_retry_cb(void *);
static void	svclog_writable_cb(int, uint32_t, void *);
static size_t	svclog_take(struct svclog *, const char *, size_t);

/* "stdout" or "stderr". */
const char *
svclog_name(struct svclog *l)
{
	return (l->which == 0 ? "stdout" : "stderr");
}

/* The stream whose bytes a failed start reports: stderr, or stdout. */
struct svclog *
svclog_report(struct svc *s)
{
	return (s->cfg->redirect_stderr ? s->out : s->err);
}

/* Compute what starts every line of the chunk about to be taken. */
static void
svclog_stamp(struct svclog *l)
{
	struct timespec	 ts;
	struct tm	 tm;
	int		 n = 0;

	stamplen = 0;
	if (!(l->flags & (SL_PREFIX|SL_SYSLOG)) &&
	    l->stamps == CFG_TS_NONE)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (l->flags & SL_PREFIX)
		n = snprintf(stamp, sizeof stamp - 64, "%.200s | ", l->name);
	switch (l->stamps) {
	case CFG_TS_ISO8601:
		gmtime_r(&ts.tv_sec, &tm);
		n += snprintf(stamp + n, sizeof stamp - (size_t)n,
		    "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ ", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		    tm.tm_sec, ts.tv_nsec / 1000);
		break;
	case CFG_TS_TAI64N:
		/* TAI is 10 s ahead of the UNIX epoch's count (libtai). */
		n += snprintf(stamp + n, sizeof stamp - (size_t)n,
		    "@%016llx%08lx ", 0x400000000000000aULL +
		    (unsigned long long)ts.tv_sec, (unsigned long)ts.tv_nsec);
		break;
	}
	stamplen = (size_t)n;
	if (l->flags & SL_SYSLOG)
		svclog_syslog_header(l, &ts);
}

/* Keep len more bytes for later: the target does not take them now. */
static void
svclog_hold_add(struct svclog *l, const void *p, size_t len)
{
	if (len == 0)
		return;
	l->held = xreallocarray(l->held, 1, l->heldlen + len);
	memcpy(l->held + l->heldlen, p, len);
	l->heldlen += len;
}

/* Stop reading until the target takes what is held. */
static void
svclog_hold(struct svclog *l, int error)
{
	struct svc	*s = l->svc;

	l->flags |= SL_HELD;
	l->error = error;
	state_dirty(s->sup);	/* what is held dies with the supervisor */
	svclog_poll(l, 0);
	if (error == EAGAIN && !(l->flags & SL_WAITOUT) &&
	    loop_add(s->sup->loop, l->fd, EPOLLOUT, svclog_writable_cb,
	    l) == 0) {
		l->flags |= SL_WAITOUT;
		return;
	}
	if (error != EAGAIN && !(l->flags & SL_WARNED)) {
		log_warnx("%s: %s: %s: holding output", l->name, l->path,
		    strerror(error));
		l->flags |= SL_WARNED;
	}
	if (l->retry == NULL && !(l->flags & SL_WAITOUT)) {
		if (l->delay < LOG_RETRY_MIN)
			l->delay = LOG_RETRY_MIN;
		l->retry = loop_timer(s->sup->loop, l->delay, svclog_retry_cb,
		    l);
	}
}

/* Write what the iovecs hold; what the target refuses is held. */
static void
out_flush(struct svclog *l)
{
	struct iovec	*v = out_iov;
	ssize_t		 w;
	int		 i, n = out_niov, error = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		logs_feed(l->svc, l->which, v[i].iov_base, v[i].iov_len);
	(void)svclog_file(l);
	while (n > 0 && l->fd != -1) {
		w = writev(l->fd, v, n < IOV_MAX ? n : IOV_MAX);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			error = w == 0 ? EIO : errno;
			break;
		}
		l->size += (uint64_t)w;
		l->written += (uint64_t)w;
		while (n > 0 && (size_t)w >= v->iov_len) {
			w -= (ssize_t)v->iov_len;
			v++;
			n--;
		}
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + w;
			v->iov_len -= (size_t)w;
		}
	}
	if (error != 0) {
		for (i = 0; i < n; i++)
			svclog_hold_add(l, v[i].iov_base, v[i].iov_len);
		svclog_hold(l, error);
	}
	out_niov = 0;
	out_bytes = out_used = 0;
}

/* Add len bytes at p (valid until the next flush) to the output. */
static void
out_add(struct svclog *l, const void *p, size_t len)
{
	struct iovec	*v;

	if (len == 0)
		return;
	if (l->flags & SL_HELD) {
		logs_feed(l->svc, l->which, p, len);
		svclog_hold_add(l, p, len);
		return;
	}
	if (out_niov > 0) {
		v = &out_iov[out_niov - 1];
		if ((const char *)v->iov_base + v->iov_len == p) {
			v->iov_len += len;
			out_bytes += len;
			return;
		}
	}
	if (out_niov == LOG_IOV) {
		out_flush(l);
		if (l->flags & SL_HELD) {
			out_add(l, p, len);
			return;
		}
	}
	out_iov[out_niov].iov_base = (void *)(uintptr_t)p;
	out_iov[out_niov].iov_len = len;
	out_niov++;
	out_bytes += len;
}

/*
 * Add a copy of up to four pieces (together <= LOG_OUT bytes) to the
 * output, contiguous with what was copied before: one write for many
 * stamped lines.
 */
static void
out_copy(struct svclog *l, const char *p0, size_t n0, const char *p1,
    size_t n1, const char *p2, size_t n2, const char *p3, size_t n3)
{
	size_t	len = n0 + n1 + n2 + n3;
	char	*o;

	if (len == 0)
		return;
	if (!(l->flags & SL_HELD) &&
	    (out_used + len > LOG_OUT || out_niov == LOG_IOV))
		out_flush(l);
	if (l->flags & SL_HELD) {
		out_add(l, p0, n0);
		out_add(l, p1, n1);
		out_add(l, p2, n2);
		out_add(l, p3, n3);
		return;
	}
	o = out_buf + out_used;
	if (n0 > 0)
		memcpy(o, p0, n0);
	if (n1 > 0)
		memcpy(o + n0, p1, n1);
	if (n2 > 0)
		memcpy(o + n0 + n1, p2, n2);
	if (n3 > 0)
		memcpy(o + n0 + n1 + n2, p3, n3);
	out_add(l, o, len);
	out_used += len;
}

/*
 * Take the target out of the loop's EPOLLOUT watch (it is about to be
 * closed); held output then waits for a retry on the timer.
 */
void
svclog_unwatch(struct svclog *l)
{
	struct loop	*loop = l->svc->sup->loop;

	if (!(l->flags & SL_WAITOUT))
		return;
	loop_del(loop, l->fd);
	l->flags &= ~SL_WAITOUT;
	if ((l->flags & SL_HELD) && l->retry == NULL)
		l->retry = loop_timer(loop, 0, svclog_retry_cb, l);
}

/* Rotation by size, once what is written is flushed. */
void
svclog_rotate_size(struct svclog *l)
{
	char	*cause = NULL;

	out_flush(l);
	if (l->flags & SL_HELD)
		return;
	if (svclog_rotate_one(l, &cause) == -1) {
		log_warnx("%s", cause);
		free(cause);
	}
}

/* Before a record of need bytes: rotate if it would not fit. */
static void
svclog_room(struct svclog *l, size_t need)
{
	uint64_t	have = l->size + out_bytes;

	if ((l->flags & (SL_ROTATE|SL_HELD)) == SL_ROTATE && have > 0 &&
	    have + need > l->maxbytes)
		svclog_rotate_size(l);
}

/* One record: a then b (the content, no newline), then end. */
static void
svclog_rec(struct svclog *l, const char *a, size_t alen, const char *b,
    size_t blen, const char *end)
{
	size_t	 elen = strlen(end);
	char	*v;

	svclog_room(l, stamplen + alen + blen + elen);
	if (l->flags & SL_VIS) {
		out_add(l, stamp, stamplen);
		v = str_vis(a, alen, 1);
		out_add(l, v, strlen(v));
		out_flush(l);
		free(v);
		v = str_vis(b, blen, 1);
		out_add(l, v, strlen(v));
		out_add(l, end, elen);
		out_flush(l);
		free(v);
	} else
		out_copy(l, stamp, stamplen, a, alen, b, blen, end, elen);
	if (l->flags & SL_SYSLOG)
		svclog_syslog(a, alen, b, blen);
}

/*
 * Whole lines, each within log_line_max.  Returns how many bytes were
 * taken: all, unless the output became held on the way.
 */
static size_t
svclog_lines(struct svclog *l, const char *p, size_t len)
{
	const char	*start = p, *end = p + len, *q;
	uint64_t	 have, room;

	if (stamplen == 0 && !(l->flags & SL_VIS)) {
		/* As written: straight from the read buffer. */
		while (p < end) {
			have = l->size + out_bytes;
			if ((l->flags & (SL_ROTATE|SL_HELD)) != SL_ROTATE ||
			    have + (size_t)(end - p) <= l->maxbytes) {
				q = end - 1;
			} else {
				room = have < l->maxbytes ? l->maxbytes - have : 0;
				if (room > (size_t)(end - p))
					room = (size_t)(end - p);
				q = room > 0 ? memrchr(p, '\n', room) : NULL;
				if (q == NULL && have == 0)	/* a long line */
					q = memchr(p, '\n', (size_t)(end - p));
			}
			if (q != NULL) {
				out_add(l, p, (size_t)(q + 1 - p));
				if (l->flags & SL_SYSLOG)
					svclog_syslog_lines(p,
					    (size_t)(q + 1 - p));
				p = q + 1;
			}
			if (p < end)
				svclog_rotate_size(l);
		}
		return (len);
	}
	while (p < end) {
		if (l->flags & SL_HELD)
			return ((size_t)(p - start));
		q = memchr(p, '\n', (size_t)(end - p));
		if (l->flags & SL_VIS)
			svclog_rec(l, p, (size_t)(q - p), NULL, 0, "\n");
		else {
			/* The stamp and the line, each as it is: no copy. */
			svclog_room(l, stamplen + (size_t)(q + 1 - p));
			out_add(l, stamp, stamplen);
			out_add(l, p, (size_t)(q + 1 - p));
			if (l->flags & SL_SYSLOG)
				svclog_syslog(p, (size_t)(q - p), NULL, 0);
		}
		p = q + 1;
	}
	return (len);
}

/* The partial line is over: the instance is gone, or the stream. */
void
svclog_endline(struct svclog *l)
{
	if (l->carrylen == 0)
		return;
	svclog_stamp(l);
	svclog_rec(l, l->carry, l->carrylen, NULL, 0, MARK_NONL);
	out_flush(l);
	l->carrylen = 0;
	free(l->carry);
	l->carry = NULL;
}

/*
 * Take n bytes of output: whole lines go out, a partial last line waits
 * in the carry.  Returns how much was taken: less than n only when the
 * output became held, the rest to be taken later.
 */
static size_t
svclog_take(struct svclog *l, const char *buf, size_t n)
{
	struct svc	*s = l->svc;
	const char	*p = buf, *end = buf + n, *q, *run;
	size_t		 cap = l->cap, c, w;

	if (l->carrylen > 0 && s->pid > 0 && l->carrypid != s->pid)
		svclog_endline(l);	/* a new instance: never merged */
	svclog_stamp(l);
	if ((c = l->carrylen) > 0) {
		w = n < cap - c + 1 ? n : cap - c + 1;
		if ((q = memchr(p, '\n', w)) != NULL) {
			svclog_rec(l, l->carry, c, p, (size_t)(q - p), "\n");
			p = q + 1;
		} else if (n <= cap - c) {
			memcpy(l->carry + c, p, n);
			l->carrylen += n;
			return (n);
		} else {
			svclog_rec(l, l->carry, c, p, cap - c, MARK_SPLIT);
			p += cap - c;
		}
		l->carrylen = 0;
	}
	while (p < end && !(l->flags & SL_HELD)) {
		/*
		 * Every window of cap + 1 bytes from a line's start holds a
		 * newline, or that line is too long: jump to the last one.
		 */
		run = p;
		while (p < end && (q = memrchr(p, '\n', (size_t)(end - p) <
		    cap + 1 ? (size_t)(end - p) : cap + 1)) != NULL)
			p = q + 1;
		if (p > run)
			p = run + svclog_lines(l, run, (size_t)(p - run));
		if (p == end || (l->flags & SL_HELD))
			break;
		if ((size_t)(end - p) <= cap)
			break;			/* a partial line */
		svclog_rec(l, p, cap, NULL, 0, MARK_SPLIT);
		p += cap;
	}
	out_flush(l);
	if (p < end && (l->flags & SL_HELD)) {
		/* The rest waits as it came, partial line and all. */
		if (l->carry != NULL) {
			free(l->carry);
			l->carry = NULL;
		}
		return ((size_t)(p - buf));
	}
	if (p < end) {
		if (l->carry == NULL)
			l->carry = xmalloc(cap);
		memcpy(l->carry, p, (size_t)(end - p));
		l->carrylen = (size_t)(end - p);
		l->carrypid = s->pid;
	} else if (l->carry != NULL) {
		free(l->carry);
		l->carry = NULL;
	}
	return (n);
}

/* Bytes just read from the pipe. */
void
svclog_input(struct svclog *l, const char *buf, size_t n)
{
	size_t	took;

	if ((buf = event_output(l, buf, &n)) == NULL || n == 0)
		return;		/* a listener's protocol, or all captured */
	svclog_recent_add(l, buf, n);
	took = svclog_take(l, buf, n);
	if (took < n) {
		l->pend = xreallocarray(l->pend, 1, l->pendlen + n - took);
		memcpy(l->pend + l->pendlen, buf + took, n - took);
		l->pendlen += n - took;
	}
}

/* Try to write what is held; resume reading once it is all out. */
void
svclog_retry(struct svclog *l)
{
	ssize_t		 w;
	size_t		 took;
	int		 error = 0;

	(void)svclog_file(l);
	while (l->heldoff < l->heldlen && l->fd != -1) {
		w = write(l->fd, l->held + l->heldoff, l->heldlen - l->heldoff);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			error = w == 0 ? EIO : errno;
			break;
		}
		l->heldoff += (size_t)w;
		l->size += (uint64_t)w;
		l->written += (uint64_t)w;
	}
	if (error != 0) {
		if (error != EAGAIN && l->delay < LOG_RETRY_MAX)
			l->delay = l->delay * 2 < LOG_RETRY_MAX ? l->delay * 2 :
			    LOG_RETRY_MAX;
		svclog_hold(l, error);
		return;
	}
	free(l->held);
	l->held = NULL;
	l->heldlen = l->heldoff = 0;
	l->flags &= ~SL_HELD;
	if ((l->flags & SL_ROTATE) && l->size >= l->maxbytes)
		svclog_rotate_size(l);
	if (l->pendlen > 0 && !(l->flags & SL_HELD)) {
		took = svclog_take(l, l->pend, l->pendlen);
		memmove(l->pend, l->pend + took, l->pendlen - took);
		l->pendlen -= took;
	}
	if (l->flags & SL_HELD)
		return;
	free(l->pend);
	l->pend = NULL;
	if (l->flags & SL_ENDPEND) {
		l->flags &= ~SL_ENDPEND;
		svclog_endline(l);
		if (l->flags & SL_HELD)
			return;
	}
	if (l->flags & SL_WARNED)
		log_info("%s: %s: written again: resumed", l->name,
		    l->path);
	l->flags &= ~SL_WARNED;
	l->error = 0;
	l->delay = 0;
	svclog_poll(l, 1);
}

static void
svclog_retry_cb(void *arg)
{
	struct svclog	*l = arg;

	l->retry = NULL;
	svclog_retry(l);
}

static void
svclog_writable_cb(int fd, uint32_t events, void *arg)
{
	struct svclog	*l = arg;

	(void)fd;
	(void)events;
	loop_del(l->svc->sup->loop, l->fd);
	l->flags &= ~SL_WAITOUT;
	svclog_retry(l);
}

