/*
 * The HTTP servers' connections, in the supervisor's loop: non-blocking
 * sockets, no threads.  A connection reads what comes, feeds the parser
 * (http.c), answers each request in the order it came (pipelined ones
 * wait behind a pending XML-RPC call), and queues what it writes.
 *
 * Nobody holds the loop: a request must come whole within
 * httpd_tune.request seconds of its first byte, a connection may sit
 * idle httpd_tune.idle seconds between requests, and at the cap a
 * newcomer takes the place of the connection idle the longest (or of
 * the slowest one still sending its request).  A client that reads
 * nothing stops being read once httpd_tune.outmax bytes wait for it; a
 * log follower that far behind is cut off.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "rpc.h"

#define HTTPD_READ	16384	/* bytes read at a time */
#define HTTPD_INMAX	65536	/* unparsed bytes held while a call waits */
#define HTTPD_TAIL	1024	/* a log tail starts with this, as supervisord */
#define HTTPD_REALM	"default"	/* supervisord's Basic realm */

struct httpd_tune httpd_tune = { 60, 10, 2, 1, 256, 4 << 20 };
struct http_limits httpd_limits = { 8192, 16384, 100, 1 << 20 };

enum hc_state {
	HC_IDLE,		/* between requests */
	HC_READING,		/* a request begun */
	HC_RPC,			/* a call waits for services */
	HC_STREAM,		/* a log followed */
	HC_CLOSING		/* the last answer queued: then close */
};

struct hconn {
	struct httpd_srv *srv;
	int		 fd;
	enum hc_state	 state;
	uint32_t	 events;	/* what the loop waits for */
	unsigned int	 parsing:1,	/* req is initialised */
			 continued:1,	/* 100 Continue sent for req */
			 keep_alive:1,	/* of the request answered */
			 dispatching:1,	/* in rpc_request */
			 answered:1,	/* ... which has answered */
			 shut:1;	/* our side is shut down */
	struct http_req	 req;
	struct buf	 in;		/* read, not yet parsed */
	size_t		 inoff;
	struct buf	 out;		/* to send */
	size_t		 outoff;
	struct timer	*timer;
	struct timer	*kick;		/* go on with pipelined requests */
	double		 since;		/* monotonic: the state's start */
	struct rpc_req	*rpc;
	struct follow	*follow;
	struct svc	*fsvc;		/* whose log (NULL: the supervisor's) */
	TAILQ_ENTRY(hconn) entry;	/* least recently active first */
};

static TAILQ_HEAD(, hconn) hc_list = TAILQ_HEAD_INITIALIZER(hc_list);
static int	hc_n;

static int	hc_process(struct hconn *);

/* How many clients are connected. */
int
httpd_nconns(void)
{
	return (hc_n);
}

/* Close c, with whatever it had pending. */
static void
hc_close(struct hconn *c)
{
	struct loop	*loop = c->srv->sup->loop;

	if (c->rpc != NULL)
		rpc_cancel(c->rpc);
	follow_del(c->follow);
	loop_timer_del(loop, c->timer);
	loop_timer_del(loop, c->kick);
	loop_del(loop, c->fd);
	close(c->fd);
	if (c->parsing)
		http_free(&c->req);
	buf_free(&c->in);
	buf_free(&c->out);
	TAILQ_REMOVE(&hc_list, c, entry);
	hc_n--;
	free(c);
}

static void
hc_timer_cb(void *arg)
{
	struct hconn	*c = arg;

	c->timer = NULL;
	hc_close(c);
}

/* The state's one timer: secs from now, or none. */
static void
hc_arm(struct hconn *c, double secs)
{
	loop_timer_del(c->srv->sup->loop, c->timer);
	c->timer = secs > 0 ? loop_timer(c->srv->sup->loop, secs, hc_timer_cb,
	    c) : NULL;
}

/* c enters state: its timer, its place at the recent end of the list. */
static void
hc_enter(struct hconn *c, enum hc_state state)
{
	c->state = state;
	c->since = mono_now();
	TAILQ_REMOVE(&hc_list, c, entry);
	TAILQ_INSERT_TAIL(&hc_list, c, entry);
	switch (state) {
	case HC_IDLE:
		hc_arm(c, httpd_tune.idle);
		break;
	case HC_READING:
		hc_arm(c, httpd_tune.request);
		break;
	case HC_CLOSING:
		hc_arm(c, httpd_tune.linger);
		break;
	default:
		hc_arm(c, 0);
		break;
	}
}

/* Bytes queued and not yet sent. */
static size_t
hc_pending(const struct hconn *c)
{
	return (c->out.len - c->outoff);
}

/* Wait for what c needs: input unless too much is held, output if any. */
static void
hc_events(struct hconn *c)
{
	uint32_t	want = 0;

	if (c->in.len - c->inoff < HTTPD_INMAX)
		want |= EPOLLIN;
	if (hc_pending(c) > 0)
		want |= EPOLLOUT;
	if (want != c->events && loop_mod(c->srv->sup->loop, c->fd, want) == 0)
		c->events = want;
}

/*
 * Send what the socket takes.  Once all is sent after the last answer,
 * our side is shut: the client reads to the end, and its close (or the
 * linger timer) ends it.  -1 when c was closed.
 */
static int
hc_flush(struct hconn *c)
{
	ssize_t	n;

	while (hc_pending(c) > 0) {
		n = send(c->fd, c->out.data + c->outoff, hc_pending(c),
		    MSG_DONTWAIT|MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n <= 0) {
			hc_close(c);
			return (-1);
		}
		c->outoff += (size_t)n;
	}
	if (hc_pending(c) == 0) {
		if (c->out.size > 65536)
			buf_free(&c->out);
		else
			buf_reset(&c->out);
		c->outoff = 0;
		if (c->state == HC_CLOSING && !c->shut) {
			(void)shutdown(c->fd, SHUT_WR);
			c->shut = 1;
		}
	}
	hc_events(c);
	return (0);
}

/*
 * The request is answered: the next one may come, or, without
 * keep-alive, the connection ends once the answer is sent.
 */
static void
hc_done(struct hconn *c)
{
	if (c->parsing)
		http_free(&c->req);
	c->parsing = 0;
	hc_enter(c, c->keep_alive ? HC_IDLE : HC_CLOSING);
}

/* An error answer; close is forced for the parser's errors. */
static void
hc_error(struct hconn *c, int status, int close)
{
	if (close)
		c->keep_alive = 0;
	http_error(&c->out, status, HTTPD_REALM, c->keep_alive);
	hc_done(c);
}

/* After a late answer: the requests behind it, from the loop. */
static void
hc_kick_cb(void *arg)
{
	struct hconn	*c = arg;

	c->kick = NULL;
	(void)hc_process(c);
}

/*
 * The answer to a call: the methodResponse document as it is (200), or
 * an error status.  A late one (from rpc.c, in the loop) is sent now;
 * the requests pipelined behind it are read at the next turn, never from
 * inside rpc.c.
 */
static void
hc_rpc_reply(void *arg, int status, const struct buf *doc)
{
	struct hconn		*c = arg;
	struct http_resp	 rs;

	c->rpc = NULL;
	if (status != 200 || doc == NULL)
		http_error(&c->out, status != 200 ? status : 500, HTTPD_REALM,
		    c->keep_alive);
	else {
		memset(&rs, 0, sizeof rs);
		rs.status = 200;
		rs.type = "text/xml";
		rs.length = (long long)doc->len;
		rs.keep_alive = c->keep_alive;
		http_head(&c->out, &rs);
		buf_add(&c->out, doc->data, doc->len);
	}
	if (c->dispatching) {
		c->answered = 1;
		return;
	}
	hc_done(c);
	if (c->inoff < c->in.len && c->kick == NULL)
		c->kick = loop_timer(c->srv->sup->loop, 0, hc_kick_cb, c);
	(void)hc_flush(c);
}

/* Live log bytes: one chunk each; a follower too far behind is cut. */
static void
hc_follow_cb(void *arg, const char *data, size_t len)
{
	struct hconn	*c = arg;

	if (hc_pending(c) + len > httpd_tune.outmax) {
		hc_close(c);
		return;
	}
	http_chunk(&c->out, data, len);
	(void)hc_flush(c);
}

/* A streamed answer's head, with supervisord's extra headers. */
static void
hc_stream_head(struct hconn *c, time_t mtime)
{
	struct http_resp	 rs;
	struct tm		 tm;
	char			 date[64];

	memset(&rs, 0, sizeof rs);
	rs.status = 200;
	rs.type = "text/plain;charset=utf-8";
	rs.length = HTTP_LEN_CHUNKED;
	rs.keep_alive = c->keep_alive;
	http_head(&c->out, &rs);
	c->out.len -= 2;		/* the empty line goes after ours */
	buf_adds(&c->out, "X-Accel-Buffering: no\r\n");
	if (mtime != 0 && gmtime_r(&mtime, &tm) != NULL && strftime(date,
	    sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
		buf_printf(&c->out, "Last-Modified: %s\r\n", date);
	buf_adds(&c->out, "\r\n");
}

/* Follow from now on, after the tail already queued. */
static void
hc_stream(struct hconn *c, struct svc *s, int which)
{
	if (c->parsing)
		http_free(&c->req);
	c->parsing = 0;
	c->fsvc = s;
	c->follow = follow_add(s, which, hc_follow_cb, c);
	hc_enter(c, HC_STREAM);
}

/* %XX in a path, decoded in place; a NUL stays out. */
static void
hc_unquote(char *s)
{
	char	*w = s, hex[3] = { 0, 0, 0 };
	long	 v;

	for (; *s != '\0'; s++) {
		if (*s == '%' && s[1] != '\0' && s[2] != '\0') {
			hex[0] = s[1];
			hex[1] = s[2];
			v = strtol(hex, NULL, 16);
			if (v > 0 && strspn(hex, "0123456789abcdefABCDEF") == 2) {
				*w++ = (char)v;
				s += 2;
				continue;
			}
		}
		*w++ = *s;
	}
	*w = '\0';
}

/*
 * GET /logtail/NAME[/CHANNEL]: the last 1024 bytes of the log file,
 * then what is written to it, until the client leaves.  Missing
 * process, channel or file: 404, as supervisord.
 */
static void
hc_logtail(struct hconn *c, const char *rest)
{
	struct svclog	*l;
	struct svc	*s;
	struct stat	 st;
	char		*name, *chan, *cause = NULL, tail[HTTPD_TAIL];
	ssize_t		 n = 0;
	int		 which = 0, fd;

	name = xstrdup(rest);
	hc_unquote(name);
	while (*name == '/')
		memmove(name, name + 1, strlen(name));
	if ((chan = strchr(name, '/')) != NULL) {
		*chan++ = '\0';
		if (strcmp(chan, "stderr") == 0)
			which = 1;
		else if (strcmp(chan, "stdout") != 0)
			which = -1;
	}
	s = which == -1 ? NULL : svc_find(c->srv->sup, name, &cause);
	free(cause);
	free(name);
	l = s == NULL ? NULL : which ? s->err : s->out;
	if (l == NULL || l->path == NULL || (fd = open(l->path,
	    O_RDONLY|O_NOCTTY|O_CLOEXEC)) == -1) {
		hc_error(c, 404, 0);
		return;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = pread(fd, tail, sizeof tail, st.st_size > HTTPD_TAIL ?
		    st.st_size - HTTPD_TAIL : 0);
	close(fd);
	hc_stream_head(c, st.st_mtime);
	if (n > 0)
		http_chunk(&c->out, tail, (size_t)n);
	hc_stream(c, s, which);
}

/* GET /mainlogtail: the supervisor's messages, the same way. */
static void
hc_mainlogtail(struct hconn *c)
{
	char	*buf;
	size_t	 len;

	buf = follow_sup_tail(ULONG_MAX, &len);
	hc_stream_head(c, time(NULL));
	if (len > HTTPD_TAIL)
		http_chunk(&c->out, buf + len - HTTPD_TAIL, HTTPD_TAIL);
	else
		http_chunk(&c->out, buf, len);
	free(buf);
	hc_stream(c, NULL, 0);
}

/* Does target name path, with nothing after it but a query? */
static int
hc_route(const char *target, const char *path)
{
	size_t	n = strlen(path);

	return (strncmp(target, path, n) == 0 && (target[n] == '\0' ||
	    target[n] == '?'));
}

/* A whole request: checked, then answered or handed on. */
static void
hc_dispatch(struct hconn *c)
{
	struct http_req	*r = &c->req;
	struct httpd_srv *srv = c->srv;
	struct rpc_req	*h;
	char		*path;

	c->keep_alive = r->keep_alive;
	if (srv->username != NULL && !http_auth_check(r, srv->username,
	    srv->password)) {
		hc_error(c, 401, 0);
		return;
	}
	if (hc_route(r->target, "/RPC2")) {
		if (r->method != HTTP_POST) {
			hc_error(c, 405, 0);
			return;
		}
		hc_enter(c, HC_RPC);
		c->dispatching = 1;
		c->answered = 0;
		h = rpc_request(srv->sup, r->body != NULL ? r->body : "",
		    r->body_len, hc_rpc_reply, c);
		c->dispatching = 0;
		if (c->answered)
			hc_done(c);
		else
			c->rpc = h;
		return;
	}
	if (strncmp(r->target, "/logtail/", 9) == 0 ||
	    hc_route(r->target, "/mainlogtail")) {
		if (r->method != HTTP_GET) {
			hc_error(c, 405, 0);
			return;
		}
		if (r->target[1] == 'm') {
			hc_mainlogtail(c);
			return;
		}
		path = xstrdup(r->target + 9);
		path[strcspn(path, "?")] = '\0';
		hc_logtail(c, path);
		free(path);
		return;
	}
	hc_error(c, 404, 0);
}

/*
 * Parse and answer what has come, in order, while nothing waits; stop
 * while too much output is queued.  -1 when c was closed.
 */
static int
hc_process(struct hconn *c)
{
	size_t	used;
	int	rc;

	while ((c->state == HC_IDLE || c->state == HC_READING) &&
	    c->inoff < c->in.len && hc_pending(c) < httpd_tune.outmax) {
		if (!c->parsing) {
			http_init(&c->req, &httpd_limits);
			c->parsing = 1;
			c->continued = 0;
		}
		rc = http_feed(&c->req, c->in.data + c->inoff,
		    c->in.len - c->inoff, &used);
		c->inoff += used;
		if (c->state == HC_IDLE)
			hc_enter(c, HC_READING);
		if (rc == HTTP_NEED_MORE) {
			if (c->req.expect_continue && !c->continued) {
				http_continue(&c->out);
				c->continued = 1;
			}
			break;
		}
		if (rc == HTTP_ERROR)
			hc_error(c, c->req.status, 1);
		else
			hc_dispatch(c);
	}
	if (c->inoff == c->in.len) {
		buf_reset(&c->in);
		c->inoff = 0;
	} else if (c->inoff > 0 && (c->state == HC_IDLE ||
	    c->state == HC_READING)) {
		memmove(c->in.data, c->in.data + c->inoff, c->in.len -
		    c->inoff);
		c->in.len -= c->inoff;
		c->inoff = 0;
	}
	return (hc_flush(c));
}

/*
 * Read what the client sent.  A closing, streaming or lingering
 * connection has nothing more to say: its bytes are dropped.  At the
 * client's end of input the connection ends (a pending call is
 * cancelled), unless an answer is still going out.  -1 when c was
 * closed.
 */
static int
hc_read(struct hconn *c)
{
	char	buf[HTTPD_READ];
	ssize_t	n;
	int	budget = 64;

	while (c->in.len - c->inoff < HTTPD_INMAX && budget-- > 0) {
		n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n <= 0) {
			if (n == 0 && hc_pending(c) > 0 &&
			    (c->state == HC_IDLE || c->state == HC_CLOSING)) {
				c->keep_alive = 0;
				buf_reset(&c->in);
				c->inoff = 0;
				hc_enter(c, HC_CLOSING);
				return (0);
			}
			hc_close(c);
			return (-1);
		}
		if (c->state == HC_STREAM || c->state == HC_CLOSING)
			continue;
		buf_add(&c->in, buf, (size_t)n);
	}
	return (0);
}

/* A client's socket is readable or writable (or gone). */
static void
hc_conn_cb(int fd, uint32_t events, void *arg)
{
	struct hconn	*c = arg;

	(void)fd;
	if (events & (EPOLLHUP|EPOLLERR)) {
		hc_close(c);		/* nobody to answer */
		return;
	}
	if ((events & EPOLLOUT) && hc_flush(c) == -1)
		return;
	if ((events & EPOLLIN) && hc_read(c) == -1)
		return;
	(void)hc_process(c);
}

/*
 * At the cap: the connection idle the longest, or else the one whose
 * request has taken the longest so far; never one a call or a log
 * stream holds.  NULL when all are busy.
 */
static struct hconn *
hc_victim(void)
{
	struct hconn	*c, *slow = NULL;

	TAILQ_FOREACH(c, &hc_list, entry) {
		if (c->state == HC_IDLE || c->state == HC_CLOSING)
			return (c);
		if (c->state == HC_READING && (slow == NULL ||
		    c->since < slow->since))
			slow = c;
	}
	return (slow);
}

/* New clients on a listening socket. */
void
httpd_accept_cb(int fd, uint32_t events, void *arg)
{
	struct httpd_srv *srv = arg;
	struct hconn	*c, *victim;
	int		 cfd, one = 1;

	(void)events;
	while ((cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC))
	    != -1) {
		if (hc_n >= httpd_tune.maxconns) {
			if ((victim = hc_victim()) == NULL) {
				close(cfd);
				continue;
			}
			hc_close(victim);
		}
		if (srv->path == NULL)
			(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one,
			    sizeof one);
		c = xcalloc(1, sizeof *c);
		c->srv = srv;
		c->fd = cfd;
		c->events = EPOLLIN;
		if (loop_add(srv->sup->loop, cfd, EPOLLIN, hc_conn_cb, c) ==
		    -1) {
			close(cfd);
			free(c);
			continue;
		}
		TAILQ_INSERT_TAIL(&hc_list, c, entry);
		hc_n++;
		hc_enter(c, HC_IDLE);
	}
}

/*
 * The supervisor leaves: pending calls are cancelled, log streams end,
 * and what is queued (a shutdown's answer) is sent for httpd_tune.drain
 * seconds at most; then every connection is closed.
 */
void
httpd_end_all(struct sup *sup)
{
	struct hconn	*c, *tmp;
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	double		 end = mono_now() + httpd_tune.drain;
	int		 left;

	(void)sup;
	TAILQ_FOREACH(c, &hc_list, entry) {
		if (c->rpc != NULL)
			rpc_cancel(c->rpc);
		c->rpc = NULL;
		if (c->state == HC_STREAM) {
			follow_del(c->follow);
			c->follow = NULL;
			http_chunk_end(&c->out);
		}
	}
	do {
		left = 0;
		TAILQ_FOREACH_SAFE(c, &hc_list, entry, tmp)
			if (hc_pending(c) > 0 && hc_flush(c) == 0 &&
			    hc_pending(c) > 0)
				left++;
		if (left > 0)
			(void)nanosleep(&ts, NULL);
	} while (left > 0 && mono_now() < end);
	while ((c = TAILQ_FIRST(&hc_list)) != NULL)
		hc_close(c);
}

/* A service goes: its followers' streams end. */
static void
httpd_forget(struct sup *sup, struct svc *s)
{
	struct hconn	*c, *tmp;

	rpc_forget(sup, s);
	TAILQ_FOREACH_SAFE(c, &hc_list, entry, tmp) {
		if (c->state != HC_STREAM || c->fsvc != s)
			continue;
		follow_del(c->follow);
		c->follow = NULL;
		c->fsvc = NULL;
		http_chunk_end(&c->out);
		c->keep_alive = 0;
		hc_enter(c, HC_CLOSING);
		(void)hc_flush(c);
	}
}

/* The listeners join the loop; an inet one without a password is said. */
static int
httpd_start(struct sup *sup)
{
	int	i;

	for (i = 0; i < httpd_nsrv; i++) {
		httpd_srvs[i].sup = sup;
		if (loop_add(sup->loop, httpd_srvs[i].fd, EPOLLIN,
		    httpd_accept_cb, &httpd_srvs[i]) == -1)
			return (-1);
		if (httpd_srvs[i].path == NULL &&
		    httpd_srvs[i].username == NULL)
			log_warnx("Server '%s' running without any HTTP "
			    "authentication checking", httpd_srvs[i].section);
	}
	return (0);
}

/* The supervisor leaves: no more clients, and the ones here are ended. */
static void
httpd_stop(struct sup *sup)
{
	int	i;

	for (i = 0; i < httpd_nsrv; i++)
		loop_del(sup->loop, httpd_srvs[i].fd);
	httpd_end_all(sup);
	rpc_fini(sup);
}

const struct sup_hooks httpd_hooks = {
	httpd_start, rpc_changed, httpd_forget, httpd_stop
};
