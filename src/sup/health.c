/*
 * The probes' endpoints, on every HTTP server and open to anyone even
 * when the server has a password (httpd-route.c lets them by first):
 * GET /healthz, 200 "ok" whenever the loop answers at all, and GET
 * /readyz, 200 when every autostart service is RUNNING, else 503 with
 * those that are not, one "[GROUP:]NAME STATE" a line.  They tell
 * liveness and the names of unready services, nothing else.
 */
#include <string.h>

#include "httpd.h"

#define HEALTH_OK	"ok\n"

/* Is target path, with nothing after it but a query? */
static int
health_is(const char *target, const char *path)
{
	size_t	n = strcspn(target, "?");

	return (n == strlen(path) && strncmp(target, path, n) == 0);
}

/*
 * The autostart services that are not RUNNING, as /readyz lists them,
 * added to b unless it is NULL; the length of the list either way, so
 * that the head can say it before the body is written.  A STOPPED one
 * counts (stopped by hand, it serves nothing); a removed one is going.
 */
static size_t
health_unready(struct sup *sup, struct buf *b)
{
	struct svc	*s;
	const char	*state;
	size_t		 len = 0;
	int		 grouped;

	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (!s->cfg->autostart || s->removed ||
		    s->state == SVC_RUNNING)
			continue;
		grouped = strcmp(s->cfg->group, s->cfg->name) != 0;
		state = svc_state_names[s->state];
		len += strlen(s->cfg->name) + strlen(state) + 2;
		if (grouped)
			len += strlen(s->cfg->group) + 1;
		if (b == NULL)
			continue;
		if (grouped) {
			buf_adds(b, s->cfg->group);
			buf_addc(b, ':');
		}
		buf_adds(b, s->cfg->name);
		buf_addc(b, ' ');
		buf_adds(b, state);
		buf_addc(b, '\n');
	}
	return (len);
}

/*
 * The whole answer to r when it asks for /healthz or /readyz, added to
 * out: its status, or 0 for any other path (out untouched).  HEAD gets
 * the head of what GET would get; other methods 405.
 */
int
health_reply(struct sup *sup, const struct http_req *r, int keep_alive,
    struct buf *out)
{
	struct http_resp	rs;
	size_t			n;
	int			live;

	if (!(live = health_is(r->target, "/healthz")) &&
	    !health_is(r->target, "/readyz"))
		return (0);
	if (r->method != HTTP_GET && r->method != HTTP_HEAD) {
		http_error(out, 405, HTTPD_REALM, keep_alive);
		return (405);
	}
	n = live ? 0 : health_unready(sup, NULL);
	memset(&rs, 0, sizeof rs);
	rs.status = n == 0 ? 200 : 503;
	rs.type = "text/plain; charset=utf-8";
	rs.length = (long long)(n == 0 ? strlen(HEALTH_OK) : n);
	rs.keep_alive = keep_alive;
	rs.nosniff = 1;
	http_head(out, &rs);
	if (r->method == HTTP_GET && n == 0)
		buf_adds(out, HEALTH_OK);
	else if (r->method == HTTP_GET)
		(void)health_unready(sup, out);
	return (rs.status);
}

/* A probe's request answered on c (1), or not one (0). */
int
health_dispatch(struct hconn *c)
{
	if (health_reply(c->srv->sup, &c->req, c->keep_alive, &c->out) == 0)
		return (0);
	hc_done(c);
	return (1);
}
