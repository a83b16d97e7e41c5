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
 * the slowest one still sending its request, or of the oldest log
 * stream: see hc_victim).  A client that reads
 * nothing stops being read once httpd_tune.outmax bytes wait for it; a
 * log follower that far behind is cut off.
 */
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "page.h"
#include "rpc.h"

#define HTTPD_READ	16384	/* bytes read at a time */
#define HTTPD_INMAX	65536	/* unparsed bytes held while a call waits */

struct httpd_tune httpd_tune = { 60, 10, 2, 1, 256, 4 << 20 };
struct http_limits httpd_limits = { 8192, 16384, 100, 1 << 20 };

static TAILQ_HEAD(, hconn) hc_list = TAILQ_HEAD_INITIALIZER(hc_list);
static int	hc_n;


/* How many clients are connected. */
int
httpd_nconns(void)
{
	return (hc_n);
}

/* Close c, with whatever it had pending. */
void
hc_close(struct hconn *c)
{
	struct loop	*loop = c->srv->sup->loop;

	if (c->rpc != NULL)
		rpc_cancel(c->rpc);
	follow_del(c->follow);
	page_sse_gone(c);
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

/* The state lasted too long: idle, a slow request, a lingering close. */
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
void
hc_enter(struct hconn *c, enum hc_state state)
{
	c->state = state;
	c->since = mono_now();
	if (state == HC_CLOSING || state == HC_STREAM) {
		buf_free(&c->in);	/* nothing more is read from it */
		c->inoff = 0;
	}
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
size_t
hc_pending(const struct hconn *c)
{
	return (c->out.len - c->outoff);
}

/* Wait for what c needs: input unless too much is held, output if any. */
static void
hc_events(struct hconn *c)
{
	uint32_t	want = 0;

	if (!c->eof && c->in.len - c->inoff < HTTPD_INMAX)
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
int
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
		if (c->eof && (c->state == HC_IDLE ||
		    c->state == HC_CLOSING)) {
			hc_close(c);	/* all said, both ways */
			return (-1);
		}
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
void
hc_done(struct hconn *c)
{
	if (c->parsing)
		http_free(&c->req);
	c->parsing = 0;
	hc_enter(c, c->keep_alive ? HC_IDLE : HC_CLOSING);
}

/* An error answer; close is forced for the parser's errors. */
void
hc_error(struct hconn *c, int status, int close)
{
	if (close)
		c->keep_alive = 0;
	http_error(&c->out, status, HTTPD_REALM, c->keep_alive);
	hc_done(c);
}

/*
 * Parse and answer what has come, in order, while nothing waits; stop
 * while too much output is queued.  -1 when c was closed.
 */
int
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
		metrics_requests[METRICS_HTTP]++;
		if (rc == HTTP_ERROR)
			hc_error(c, c->req.status, 1);
		else
			hc_dispatch(c);
	}
	if (c->inoff == c->in.len) {
		buf_reset(&c->in);
		c->inoff = 0;
		if (c->eof && c->state == HC_READING) {
			hc_close(c);	/* a request that cannot end */
			return (-1);
		}
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
 * Read what the client sent.  A closing or streaming connection has
 * nothing more to say: its bytes are dropped.  After the client's end of
 * input the requests it sent are still answered, then the connection
 * ends; a pending call or a stream ends at once (the call cancelled).
 * -1 when c was closed.
 */
static int
hc_read(struct hconn *c)
{
	/* One process, one read at a time: one buffer serves all. */
	static char	buf[HTTPD_READ];
	ssize_t		n;
	int		budget = 64;

	while (c->in.len - c->inoff < HTTPD_INMAX && budget-- > 0) {
		n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return (0);
		if (n == 0 && c->state != HC_RPC && c->state != HC_STREAM) {
			c->eof = 1;
			return (0);
		}
		if (n <= 0) {
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
 * request has taken the longest so far, or else the oldest log stream,
 * and only then the oldest waiting call: a full house of any kind never
 * locks the newcomer (supervisorctl status) out.
 */
static struct hconn *
hc_victim(void)
{
	static const int rank[] = {
		[HC_IDLE] = 0, [HC_CLOSING] = 0, [HC_READING] = 1,
		[HC_STREAM] = 2, [HC_RPC] = 3
	};
	struct hconn	*c, *best = NULL;

	TAILQ_FOREACH(c, &hc_list, entry) {
		if (rank[c->state] == 0)
			return (c);
		if (best == NULL || rank[c->state] < rank[best->state] ||
		    (rank[c->state] == rank[best->state] &&
		    c->since < best->since))
			best = c;
	}
	return (best);
}

/* Out of fds a while ago: accept again. */
static void
httpd_resume_cb(void *arg)
{
	struct httpd_srv *srv = arg;

	srv->pause = NULL;
	(void)loop_mod(srv->sup->loop, srv->fd, EPOLLIN);
}

/*
 * Out of fds: a connection makes room if one can, else the listener
 * rests for a second rather than spin.  1: try again now.
 */
static int
httpd_no_fds(struct httpd_srv *srv)
{
	struct hconn	*victim;

	if ((victim = hc_victim()) != NULL) {
		hc_close(victim);
		return (1);
	}
	if (srv->pause == NULL) {
		(void)loop_mod(srv->sup->loop, srv->fd, 0);
		srv->pause = loop_timer(srv->sup->loop, 1, httpd_resume_cb,
		    srv);
	}
	return (0);
}

/* New clients on a listening socket. */
void
httpd_accept_cb(int fd, uint32_t events, void *arg)
{
	struct httpd_srv *srv = arg;
	struct hconn	*c, *victim;
	int		 cfd, one = 1;

	(void)events;
	for (;;) {
		cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK|SOCK_CLOEXEC);
		if (cfd == -1 && (errno == EINTR || errno == ECONNABORTED ||
		    ((errno == EMFILE || errno == ENFILE) &&
		    httpd_no_fds(srv))))
			continue;
		if (cfd == -1)
			break;
		if (hc_n >= httpd_tune.maxconns) {
			if ((victim = hc_victim()) != NULL)
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

	for (i = 0; i < httpd_nsrv; i++) {
		loop_del(sup->loop, httpd_srvs[i].fd);
		loop_timer_del(sup->loop, httpd_srvs[i].pause);
		httpd_srvs[i].pause = NULL;
	}
	httpd_end_all(sup);
	rpc_fini(sup);
}

/* A service changed: the waiting calls and the live pages hear of it. */
static void
httpd_changed(struct sup *sup)
{
	rpc_changed(sup);
	page_changed(sup);
}

const struct sup_hooks httpd_hooks = {
	httpd_start, httpd_changed, httpd_forget, httpd_stop
};
