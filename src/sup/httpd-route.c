/*
 * The HTTP servers' routes: /healthz and /readyz (health.c, the only
 * ones open without the password); then the status page's (page.c: /,
 * /action, /events, /log/NAME, /ps/NAME); POST /RPC2 to rpc.c; GET
 * /logtail/NAME[/stdout|stderr] and /mainlogtail streamed chunk by chunk
 * as supervisord streams them (the last 1024 bytes, then what comes);
 * /metrics (metrics.c); and 401, 404 and 405 for the rest.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "httpd.h"
#include "page.h"
#include "rpc.h"

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
	rs.nosniff = 1;
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
void
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
void
hc_dispatch(struct hconn *c)
{
	struct http_req	*r = &c->req;
	struct httpd_srv *srv = c->srv;
	struct rpc_req	*h;
	char		*path;

	c->keep_alive = r->keep_alive;
	/*
	 * The one exception to the password: the probes' /healthz and
	 * /readyz (health.c), which tell only liveness and unready names.
	 */
	if (health_dispatch(c))
		return;
	if (srv->username != NULL && !http_auth_check(r, srv->username,
	    srv->password)) {
		hc_error(c, 401, 0);
		return;
	}
	if (page_route(c))
		return;
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
	if (hc_route(r->target, "/metrics")) {
		metrics_serve(c);
		return;
	}
	hc_error(c, 404, 0);
}

