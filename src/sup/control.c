/*
 * The control socket: SOCK_SEQPACKET, one request per connection.  A
 * request is one message of NUL-terminated fields: the protocol version
 * ("warden1"), the verb, its arguments.  Replies are messages of text
 * lines; the last is "OK [CODE]" or "ERR reason".
 *
 * Every request is checked before anything runs: the peer's uid
 * (SO_PEERCRED: ours or root), the size, the field count and lengths,
 * the verb and its argument count.  A bad request gets ERR and the
 * connection is closed; the supervisor never blocks on a client.
 *
 * This is the transport: the socket, the peer check, a connection's
 * queue of replies and its timeouts, the parsing.  The verbs are in
 * verbs.c and status.c.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control.h"

#define CTL_PROTOCOL	"warden1"
#define CTL_MSG_MAX	65536	/* a request larger than this is refused */
#define CTL_FIELD_MAX	1024	/* bytes in one field */
#define CTL_FIELDS_MAX	4096	/* fields in one request */
#define CTL_CONNS_MAX	64	/* clients at once */
#define CTL_IDLE	5.0	/* seconds a client may take to ask */
#define CTL_CHUNK	32768	/* reply text packed per message */
#define CTL_DATA_MAX	65536	/* a log data message, type byte included */

static TAILQ_HEAD(, ctl_conn) ctl_conns = TAILQ_HEAD_INITIALIZER(ctl_conns);
static int ctl_nconns;

static void	ctl_close(struct ctl_conn *);

/*
 * Send the tail of a log file, read as the socket takes it, so that the
 * last million lines never sit in memory; it goes before anything
 * queued.  A fast reader is served 1 MiB per turn of the loop, so the
 * others wait no longer than that.  Returns 0 once the tail is all sent,
 * -1 while the socket is full or the turn is over (EPOLLOUT armed), or
 * when the connection was closed.
 */
static int
ctl_tail_send(struct ctl_conn *c)
{
	ssize_t	n;
	size_t	len;
	int	budget = CTL_FOLLOW_QMAX / CTL_DATA_MAX;

	for (;;) {
		if (c->taillen == 0) {
			if (budget-- == 0)
				break;
			if (c->tailmsg == NULL)
				c->tailmsg = xmalloc(CTL_DATA_MAX);
			len = follow_tail_read(c->tail, c->tailmsg + 1,
			    CTL_DATA_MAX - 1);
			if (len == 0) {
				follow_tail_free(c->tail);
				c->tail = NULL;
				free(c->tailmsg);
				c->tailmsg = NULL;
				return (0);
			}
			c->tailmsg[0] = 'D';
			c->taillen = len + 1;
		}
		n = send(c->fd, c->tailmsg, c->taillen,
		    MSG_DONTWAIT|MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			ctl_close(c);
			return (-1);
		}
		c->taillen = 0;
	}
	(void)loop_mod(c->sup->loop, c->fd, EPOLLOUT);
	return (-1);
}

/* Pack pending text into messages and send what the socket takes. */
void
ctl_flush(struct ctl_conn *c)
{
	ssize_t	n;
	int	i;

	if (c->tail != NULL && ctl_tail_send(c) == -1)
		return;
again:
	for (i = 0; i < c->nqueue; i++) {
		n = send(c->fd, c->queue[i], c->qlen[i],
		    MSG_DONTWAIT|MSG_NOSIGNAL);
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			ctl_close(c);
			return;
		}
	}
	if (i > 0) {
		int k;

		for (k = 0; k < i; k++) {
			c->qbytes -= c->qlen[k];
			free(c->queue[k]);
		}
		memmove(c->queue, c->queue + i, (c->nqueue - i) *
		    sizeof *c->queue);
		memmove(c->qlen, c->qlen + i, (c->nqueue - i) * sizeof *c->qlen);
		c->nqueue -= i;
	}
	if (c->nqueue == 0 && c->skipping) {
		/* A slow follower caught up: say what it missed, go on. */
		ctl_note(c, "%llu bytes skipped (reader too slow)",
		    c->skipped);
		c->skipping = 0;
		c->skipped = 0;
		goto again;
	}
	if (c->nqueue > 0) {
		(void)loop_mod(c->sup->loop, c->fd, EPOLLOUT);
		return;
	}
	if (c->done && !c->linger)
		ctl_close(c);
}

/* Queue one message; it is freed once sent. */
void
ctl_queue(struct ctl_conn *c, char *msg, size_t len)
{
	c->queue = xreallocarray(c->queue, c->nqueue + 1, sizeof *c->queue);
	c->qlen = xreallocarray(c->qlen, c->nqueue + 1, sizeof *c->qlen);
	c->queue[c->nqueue] = msg;
	c->qlen[c->nqueue] = len;
	c->nqueue++;
	c->qbytes += len;
}

/* The reply text so far becomes a message of its own. */
static void
ctl_pack(struct ctl_conn *c)
{
	if (c->outlen == 0)
		return;
	ctl_queue(c, c->out, c->outlen);
	c->out = NULL;
	c->outlen = c->outcap = 0;
}

/* Make room for len more bytes of reply text, doubling. */
static void
ctl_reserve(struct ctl_conn *c, size_t len)
{
	if (c->outlen + len <= c->outcap)
		return;
	c->outcap = c->outcap ? c->outcap * 2 : 4096;
	while (c->outcap < c->outlen + len)
		c->outcap *= 2;
	c->out = xreallocarray(c->out, c->outcap, 1);
}

/*
 * Add a line of reply text, formatted straight into the reply buffer:
 * a status of 1,000 services is 1,000 of these.
 */
void
ctl_printf(struct ctl_conn *c, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (c->outlen + 512 > CTL_CHUNK)
		ctl_pack(c);
	ctl_reserve(c, 512);
	va_start(ap, fmt);
	n = vsnprintf(c->out + c->outlen, c->outcap - c->outlen, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n + 2 > c->outcap - c->outlen) {
		if (c->outlen + (size_t)n + 2 > CTL_CHUNK)
			ctl_pack(c);
		ctl_reserve(c, (size_t)n + 2);
		va_start(ap, fmt);
		(void)vsnprintf(c->out + c->outlen, c->outcap - c->outlen,
		    fmt, ap);
		va_end(ap);
	}
	c->outlen += (size_t)n;
	c->out[c->outlen++] = '\n';
}

/* The final reply: "OK [code]" or "ERR reason"; then close once sent. */
void
ctl_end(struct ctl_conn *c, const char *final)
{
	ctl_pack(c);
	ctl_queue(c, xstrdup(final), strlen(final));
	c->done = 1;
	ctl_flush(c);
}

/* The final reply for a failure: "ERR reason". */
void
ctl_err(struct ctl_conn *c, const char *fmt, ...)
{
	char	*msg, *line;
	va_list	 ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	xasprintf(&line, "ERR %s", msg ? msg : "error");
	ctl_end(c, line);
	free(line);
	free(msg);
}

/*
 * Log bytes, as 'D' messages of at most CTL_DATA_MAX bytes, cut after a
 * newline where one must be cut.  Small chunks join the last message
 * still queued: a slow reader is sent fewer, fuller messages.
 */
void
ctl_data(struct ctl_conn *c, const char *buf, size_t len)
{
	const char	*nl;
	char		*msg;
	size_t		 n, last;

	ctl_pack(c);
	while (len > 0) {
		n = len < CTL_DATA_MAX - 1 ? len : CTL_DATA_MAX - 1;
		if (n < len && (nl = memrchr(buf, '\n', n)) != NULL)
			n = (size_t)(nl - buf) + 1;
		if (c->nqueue > 0 && c->queue[c->nqueue - 1][0] == 'D' &&
		    c->qlen[c->nqueue - 1] + n <= CTL_DATA_MAX) {
			last = c->nqueue - 1;
			c->queue[last] = xreallocarray(c->queue[last],
			    c->qlen[last] + n, 1);
			memcpy(c->queue[last] + c->qlen[last], buf, n);
			c->qlen[last] += n;
			c->qbytes += n;
		} else {
			msg = xmalloc(n + 1);
			msg[0] = 'D';
			memcpy(msg + 1, buf, n);
			ctl_queue(c, msg, n + 1);
		}
		buf += n;
		len -= n;
	}
}

/* A 'W' message: a note the client shows on its stderr. */
void
ctl_note(struct ctl_conn *c, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *text;

	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return;
	xasprintf(&msg, "W%s", text);
	ctl_pack(c);
	ctl_queue(c, msg, strlen(msg));
	free(text);
}

/* Close c and forget it, with whatever it still had queued. */
static void
ctl_close(struct ctl_conn *c)
{
	int	i;

	ctl_unfollow(c);
	follow_tail_free(c->tail);
	free(c->tailmsg);
	loop_del(c->sup->loop, c->fd);
	close(c->fd);
	loop_timer_del(c->sup->loop, c->idle);
	for (i = 0; i < c->nqueue; i++)
		free(c->queue[i]);
	free(c->queue);
	free(c->qlen);
	free(c->out);
	free(c->targets);
	TAILQ_REMOVE(&ctl_conns, c, entry);
	ctl_nconns--;
	free(c);
}

/* A service changed state: answer the clients whose wait is over. */
static void
ctl_changed(struct sup *sup)
{
	struct ctl_conn	*c, *tmp;

	TAILQ_FOREACH_SAFE(c, &ctl_conns, entry, tmp) {
		if (c->op != OP_NONE && ctl_op_done(c))
			ctl_op_report(c);
	}
}

/*
 * Split and check one request: fields NUL-terminated, none too long, the
 * protocol first.  Returns the field count, or -1 with *why set.
 */
int
ctl_parse(char *buf, size_t len, char **fields, int max, const char **why)
{
	size_t	i, start = 0;
	int	n = 0;

	if (len == 0 || buf[len - 1] != '\0') {
		*why = "malformed request";
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if (buf[i] != '\0')
			continue;
		if (i - start > CTL_FIELD_MAX) {
			*why = "field too long";
			return (-1);
		}
		if (n == max) {
			*why = "too many fields";
			return (-1);
		}
		fields[n++] = buf + start;
		start = i + 1;
	}
	if (n < 2 || strcmp(fields[0], CTL_PROTOCOL) != 0) {
		*why = "protocol " CTL_PROTOCOL " expected";
		return (-1);
	}
	for (i = 1; i < (size_t)n; i++) {
		const unsigned char *p;

		for (p = (const unsigned char *)fields[i]; *p != '\0'; p++)
			if (*p < 0x20 || *p == 0x7f) {
				*why = "control character in request";
				return (-1);
			}
	}
	return (n);
}

/* A verb's usage, from the one table of them. */
void
ctl_usage(struct ctl_conn *c, const char *verb)
{
	const char	*args = usage_args(verb);

	ctl_err(c, "usage: %s%s%s", verb, args[0] ? " " : "", args);
}

/* One request: parsed, its verb found, its argument count checked. */
static void
ctl_request(struct ctl_conn *c, char *buf, size_t len)
{
	const struct ctl_verb	*v;
	const char		*why = NULL;
	char			**fields;
	int			 n, argc;

	metrics_requests[METRICS_CONTROL]++;
	fields = xcalloc(CTL_FIELDS_MAX, sizeof *fields);
	if ((n = ctl_parse(buf, len, fields, CTL_FIELDS_MAX, &why)) == -1) {
		ctl_err(c, "%s", why);
		free(fields);
		return;
	}
	argc = n - 2;
	if ((v = ctl_verb_find(fields[1])) == NULL)
		ctl_err(c, "unknown command: %s", fields[1]);
	else if (argc < v->minargs || (v->maxargs != -1 &&
	    argc > v->maxargs))
		ctl_usage(c, v->name);
	else
		(void)v->exec(c, argc, fields + 2);
	free(fields);
}

/* A client that never asked (or never left) is closed. */
static void
ctl_idle_cb(void *arg)
{
	struct ctl_conn	*c = arg;

	c->idle = NULL;
	if ((c->op == OP_NONE && c->nqueue == 0 && !c->done &&
	    c->follow == NULL && c->tail == NULL) || c->linger)
		ctl_close(c);		/* it never asked, or never left */
}

/* A client's socket is readable or writable. */
static void
ctl_conn_cb(int fd, uint32_t events, void *arg)
{
	/* One process, one request at a time: one buffer serves all. */
	static char	 buf[CTL_MSG_MAX + 1];
	struct ctl_conn	*c = arg;
	ssize_t		 n;

	if (events & EPOLLOUT) {
		(void)loop_mod(c->sup->loop, fd, EPOLLIN);
		ctl_flush(c);
		return;
	}
	if (c->done || c->op != OP_NONE || c->follow != NULL) {
		/* One request per connection: more is misbehaviour. */
		if (events & (EPOLLHUP|EPOLLERR))
			ctl_close(c);
		else {
			char junk[1];

			if (recv(fd, junk, sizeof junk, MSG_DONTWAIT) <= 0)
				ctl_close(c);
		}
		return;
	}
	n = recv(fd, buf, CTL_MSG_MAX + 1, MSG_DONTWAIT|MSG_TRUNC);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		ctl_close(c);
		return;
	}
	loop_timer_del(c->sup->loop, c->idle);
	c->idle = NULL;
	if (n > CTL_MSG_MAX)
		ctl_err(c, "request too large");
	else
		ctl_request(c, buf, (size_t)n);
}

/* New clients: each checked (SO_PEERCRED), then given a timer. */
static void
ctl_accept_cb(int fd, uint32_t events, void *arg)
{
	struct sup	*sup = arg;
	struct ctl_conn	*c;
	struct ucred	 uc;
	socklen_t	 len = sizeof uc;
	int		 cfd, sz = 1 << 20, refused;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC))
	    != -1) {
		refused = getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &uc,
		    &len) == -1 || (uc.uid != 0 && uc.uid != geteuid());
		if (ctl_nconns >= CTL_CONNS_MAX) {
			(void)send(cfd, "ERR too many clients", 20,
			    MSG_DONTWAIT|MSG_NOSIGNAL);
			close(cfd);
			continue;
		}
		(void)setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
		c = xcalloc(1, sizeof *c);
		c->sup = sup;
		c->fd = cfd;
		if (loop_add(sup->loop, cfd, EPOLLIN, ctl_conn_cb, c) == -1) {
			close(cfd);
			free(c);
			continue;
		}
		c->idle = loop_timer(sup->loop, CTL_IDLE, ctl_idle_cb, c);
		TAILQ_INSERT_TAIL(&ctl_conns, c, entry);
		ctl_nconns++;
		if (refused) {
			/*
			 * Closing now, with its request unread, would reset
			 * the connection before it reads why: say it, then
			 * wait for its close (or the idle timer).
			 */
			c->linger = 1;
			ctl_err(c, "permission denied");
		}
	}
}

/*
 * Bind the socket at path with mode: a restrictive umask around bind, so
 * it is never reachable by others even for an instant, then chmod.
 * Returns the listening fd, for sup_main (ctl_hooks' start accepts on
 * it), or -1 with *cause set.
 */
int
ctl_listen(const char *path, int mode, char **cause)
{
	struct sockaddr_un	sun;
	mode_t			old;
	int			fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		xasprintf(cause, "%s: socket path too long", path);
		return (-1);
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_NONBLOCK|SOCK_CLOEXEC, 0);
	if (fd == -1) {
		xasprintf(cause, "socket: %s", strerror(errno));
		return (-1);
	}
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		xasprintf(cause, "bind %s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	umask(old);
	if (chmod(path, (mode_t)mode & 0777) == -1 || listen(fd, 64) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	return (fd);
}

/* Register the listening socket once the loop exists. */
static int
ctl_start_accepting(struct sup *sup)
{
	return (loop_add(sup->loop, sup->ctlfd, EPOLLIN, ctl_accept_cb, sup));
}

/*
 * The supervisor is leaving: followers are told, with what the socket
 * still takes right now; nobody is waited for.
 */
static void
ctl_close_all(struct sup *sup)
{
	struct ctl_conn	*c, *tmp;

	(void)sup;
	TAILQ_FOREACH_SAFE(c, &ctl_conns, entry, tmp) {
		if (c->follow == NULL)
			continue;
		ctl_follow_end(c, "the supervisor has shut down");
		ctl_flush(c);
	}
	while ((c = TAILQ_FIRST(&ctl_conns)) != NULL)
		ctl_close(c);
}

/* A service is going away: no client may keep pointing at it. */
static void
ctl_forget(struct sup *sup, struct svc *s)
{
	struct ctl_conn	*c;
	int		 i;

	(void)sup;
	TAILQ_FOREACH(c, &ctl_conns, entry) {
		for (i = 0; i < c->ntargets; i++)
			if (c->targets[i] == s)
				c->targets[i] = NULL;
		if (c->follow != NULL && c->fsvc == s) {
			char	*why;

			xasprintf(&why, "%s: removed by reload", s->cfg->name);
			ctl_follow_end(c, why);
			free(why);
		}
	}
}

/* What the supervisor calls when it starts, changes, forgets and leaves. */
const struct sup_hooks ctl_hooks = {
	ctl_start_accepting, ctl_changed, ctl_forget, ctl_close_all
};
