/*
 * The status page: GET / renders the table of every service on the
 * server, so that it reads and its forms work without JavaScript; the
 * page's script (page.html, built into the binary as page_html) then
 * follows GET /events and streams GET /log/NAME[/stderr] and GET
 * /ps/NAME.  Everything from a service (names, descriptions, STATUS=)
 * is escaped here; the script only ever sets text.
 */
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "page.h"
#include "page-html.h"

/* One row's cells as text, for the table and for the snapshot alike. */
struct page_row {
	char	name[512];
	char	desc[256];
	char	ready[96];
	char	restarts[24];
	char	exit[64];
	char	mem[32];
	char	cpu[32];
};

/* text escaped for HTML: element content and quoted attributes. */
void
page_escape(struct buf *b, const char *text)
{
	const char	*p;

	for (p = text; *p != '\0'; p++) {
		switch (*p) {
		case '<':
			buf_adds(b, "&lt;");
			break;
		case '>':
			buf_adds(b, "&gt;");
			break;
		case '&':
			buf_adds(b, "&amp;");
			break;
		case '"':
			buf_adds(b, "&quot;");
			break;
		case '\'':
			buf_adds(b, "&#39;");
			break;
		default:
			buf_addc(b, *p);
			break;
		}
	}
}

/* The readiness mode as ready= spells it. */
static void
page_ready_mode(const struct svc *s, char *buf, size_t len)
{
	const struct ready_spec	*r = &s->ready;

	switch (r->mode) {
	case READY_NOTIFY:
		snprintf(buf, len, "notify");
		break;
	case READY_FD:
		snprintf(buf, len, "fd:%d", r->fd);
		break;
	case READY_TCP:
		snprintf(buf, len, "tcp:%s%s%s", r->host ? r->host : "",
		    r->host ? ":" : "", r->port ? r->port : "");
		break;
	case READY_PIDFILE:
		snprintf(buf, len, "pidfile");
		break;
	default:
		snprintf(buf, len, "startsecs");
		break;
	}
}

/* Fill a row from s. */
static void
page_row_fill(struct svc *s, struct page_row *row)
{
	struct cg_usage	 u;
	char		 mode[80];

	ctl_fullname(s, row->name, sizeof row->name);
	svc_describe(s, row->desc, sizeof row->desc);
	page_ready_mode(s, mode, sizeof mode);
	snprintf(row->ready, sizeof row->ready, "%s, %s", mode,
	    s->state == SVC_RUNNING ? "ready" : "not ready");
	snprintf(row->restarts, sizeof row->restarts, "%lu", s->restarts);
	if (s->has_status)
		spawn_status_str(s->status, row->exit, sizeof row->exit);
	else
		snprintf(row->exit, sizeof row->exit, "-");
	snprintf(row->mem, sizeof row->mem, "-");
	snprintf(row->cpu, sizeof row->cpu, "-");
	cg_usage(s->cgroup, &u);
	if (u.has_memory)
		snprintf(row->mem, sizeof row->mem, "%.1f MiB",
		    (double)u.memory / (1024 * 1024));
	if (u.has_cpu)
		snprintf(row->cpu, sizeof row->cpu, "%.2f s",
		    (double)u.cpu_usec / 1e6);
}

/* A table cell of class cls holding text. */
static void
page_cell(struct buf *b, const char *cls, const char *text)
{
	buf_printf(b, "<td class=\"%s\">", cls);
	page_escape(b, text);
	buf_adds(b, "</td>");
}

/* One service's row: its cells, its forms, its links. */
static void
page_render_row(struct buf *b, struct svc *s, const char *token)
{
	static const char *const verbs[][2] = {
		{ "start", "start" }, { "stop", "stop" },
		{ "restart", "restart" }, { "clear", "clear log" }
	};
	struct page_row	 row;
	const char	*state = svc_state_names[s->state];
	size_t		 i;

	page_row_fill(s, &row);
	buf_adds(b, "<tr data-name=\"");
	page_escape(b, row.name);
	buf_adds(b, "\">");
	page_cell(b, "name", row.name);
	buf_adds(b, "<td class=\"opt\">");
	page_escape(b, s->cfg->group);
	buf_printf(b, "</td><td><span class=\"st st-%s\">%s</span></td>",
	    state, state);
	page_cell(b, "desc", row.desc);
	page_cell(b, "ready opt", row.ready);
	page_cell(b, "restarts opt", row.restarts);
	page_cell(b, "exit opt", row.exit);
	page_cell(b, "note opt", s->note != NULL ? s->note : "");
	page_cell(b, "mem opt", row.mem);
	page_cell(b, "cpu opt", row.cpu);
	buf_printf(b, "<td><form method=\"post\" action=\"/action\">"
	    "<input type=\"hidden\" name=\"token\" value=\"%s\">"
	    "<input type=\"hidden\" name=\"name\" value=\"", token);
	page_escape(b, row.name);
	buf_adds(b, "\">");
	for (i = 0; i < nitems(verbs); i++)
		buf_printf(b, "<button name=\"verb\" value=\"%s\">%s</button>",
		    verbs[i][0], verbs[i][1]);
	buf_adds(b, "</form> <a class=\"log\" href=\"/log/");
	page_escape(b, row.name);
	buf_adds(b, "\">log</a> <a class=\"log\" href=\"/log/");
	page_escape(b, row.name);
	buf_adds(b, "/stderr\">stderr</a> <a class=\"ps\" href=\"/ps/");
	page_escape(b, row.name);
	buf_adds(b, "\">ps</a></td></tr>\n");
}

/* The page: page_html with its @NAME@ marks filled in. */
void
page_render(struct sup *sup, const char *token, const char *msg,
    struct buf *b)
{
	const char	*p = page_html, *at, *end;
	struct svc	*s;
	size_t		 n;

	while ((at = strchr(p, '@')) != NULL &&
	    (end = strchr(at + 1, '@')) != NULL) {
		buf_add(b, p, (size_t)(at - p));
		n = (size_t)(end - at - 1);
		if (n == 4 && strncmp(at + 1, "ROWS", 4) == 0) {
			TAILQ_FOREACH(s, &sup->svcs, entry)
				if (!s->removed)
					page_render_row(b, s, token);
		} else if (n == 5 && strncmp(at + 1, "TOKEN", 5) == 0)
			buf_adds(b, token);
		else if (n == 3 && strncmp(at + 1, "MSG", 3) == 0)
			page_escape(b, msg != NULL ? msg : "");
		else {
			buf_add(b, at, 1);	/* not a mark */
			p = at + 1;
			continue;
		}
		p = end + 1;
	}
	buf_adds(b, p);
}

/* A JSON string member, after a comma unless first. */
static void
page_json_member(FILE *fp, const char *key, const char *value)
{
	fprintf(fp, ", \"%s\": ", key);
	json_string(fp, value);
}

/* Every service's cells as one JSON object: the page's live update. */
void
page_snapshot(struct sup *sup, struct buf *b)
{
	struct page_row	 row;
	struct svc	*s;
	FILE		*fp;
	char		*text = NULL;
	size_t		 len = 0;
	int		 first = 1;

	if ((fp = open_memstream(&text, &len)) == NULL)
		return;
	fprintf(fp, "{\"services\": [");
	TAILQ_FOREACH(s, &sup->svcs, entry) {
		if (s->removed)
			continue;
		page_row_fill(s, &row);
		fprintf(fp, "%s{\"name\": ", first ? "" : ", ");
		json_string(fp, row.name);
		first = 0;
		page_json_member(fp, "state", svc_state_names[s->state]);
		page_json_member(fp, "desc", row.desc);
		page_json_member(fp, "ready", row.ready);
		page_json_member(fp, "restarts", row.restarts);
		page_json_member(fp, "exit", row.exit);
		page_json_member(fp, "note", s->note != NULL ? s->note : "");
		page_json_member(fp, "mem", row.mem);
		page_json_member(fp, "cpu", row.cpu);
		fputc('}', fp);
	}
	fprintf(fp, "]}");
	fclose(fp);
	buf_add(b, text, len);
	free(text);
}

/*
 * A response head for the page's answers: never cached, never framed,
 * nothing loaded from elsewhere; extra (whole header lines) added.
 */
void
page_head(struct buf *b, int status, const char *type, long long length,
    int keep_alive, const char *extra)
{
	struct http_resp	 rs;

	memset(&rs, 0, sizeof rs);
	rs.status = status;
	rs.type = type;
	rs.length = length;
	rs.keep_alive = keep_alive;
	rs.nosniff = 1;
	http_head(b, &rs);
	b->len -= 2;			/* the empty line goes after ours */
	buf_adds(b, "Cache-Control: no-store\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "Content-Security-Policy: default-src 'none'; "
	    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
	    "connect-src 'self'; form-action 'self'; "
	    "frame-ancestors 'none'\r\n");
	if (extra != NULL)
		buf_adds(b, extra);
	buf_adds(b, "\r\n");
}

/* A whole answer: head and body. */
static void
page_send(struct buf *out, int status, const char *type,
    const struct buf *body, int keep_alive, const char *extra)
{
	page_head(out, status, type, (long long)body->len, keep_alive, extra);
	buf_add(out, body->data, body->len);
}

/* GET /: the page, and a session cookie for a newcomer. */
static void
page_get(struct sup *sup, const struct http_req *r, struct buf *out,
    int keep_alive)
{
	struct buf	 body = { NULL, 0, 0 };
	char		 sid[PAGE_TOKEN_LEN + 1], token[PAGE_TOKEN_LEN + 1];
	char		 cookie[128];
	int		 known;

	known = page_session(r, sid);
	page_token(sid, token);
	snprintf(cookie, sizeof cookie, "Set-Cookie: warden_sid=%s; Path=/; "
	    "HttpOnly; SameSite=Strict\r\n", sid);
	page_render(sup, token, NULL, &body);
	page_send(out, 200, "text/html;charset=utf-8", &body, keep_alive,
	    known ? NULL : cookie);
	buf_free(&body);
}

/*
 * POST /action: checked, done, and said: as text to the script (which
 * sends its token as a header), as a page to a plain form.
 */
static void
page_post(struct sup *sup, const struct http_req *r, struct buf *out,
    int keep_alive)
{
	struct buf	 msg = { NULL, 0, 0 }, body = { NULL, 0, 0 };
	const char	*form = r->body != NULL ? r->body : "";
	char		*name, *verb;
	int		 status;

	if ((status = page_csrf_check(r, form)) == 200) {
		name = page_form(form, "name");
		verb = page_form(form, "verb");
		status = page_action(sup, name != NULL ? name : "",
		    verb != NULL ? verb : "", &msg);
		free(name);
		free(verb);
	} else
		buf_adds(&msg, "refused: no valid token or origin");
	if (http_header(r, "X-CSRF-Token") != NULL) {
		page_send(out, status, "text/plain;charset=utf-8", &msg,
		    keep_alive, NULL);
		buf_free(&msg);
		return;
	}
	buf_adds(&body, "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width\">"
	    "<title>warden</title></head><body><p id=\"result\">");
	page_escape(&body, msg.data != NULL ? msg.data : "");
	buf_adds(&body, "</p><p><a href=\"/\">back</a></p></body></html>\n");
	page_send(out, status, "text/html;charset=utf-8", &body, keep_alive,
	    NULL);
	buf_free(&body);
	buf_free(&msg);
}

/* Does target name path, with nothing after it but a query? */
static int
page_is(const char *target, const char *path)
{
	size_t	n = strlen(path);

	return (strncmp(target, path, n) == 0 && (target[n] == '\0' ||
	    target[n] == '?'));
}

/*
 * The answers that are whole at once: GET / and POST /action.  1 when
 * r was one of them (its answer in out), 0 otherwise.
 */
int
page_handle(struct sup *sup, const struct http_req *r, struct buf *out,
    int keep_alive)
{
	if (page_is(r->target, "/")) {
		if (r->method != HTTP_GET)
			http_error(out, 405, HTTPD_REALM, keep_alive);
		else
			page_get(sup, r, out, keep_alive);
		return (1);
	}
	if (page_is(r->target, "/action")) {
		if (r->method != HTTP_POST)
			http_error(out, 405, HTTPD_REALM, keep_alive);
		else
			page_post(sup, r, out, keep_alive);
		return (1);
	}
	return (0);
}

/*
 * The page's routes, after authentication: 1 when c's request was one
 * of them (answered, or streaming), 0 to let httpd-route.c go on.
 */
int
page_route(struct hconn *c)
{
	struct http_req	*r = &c->req;
	char		*path;
	int		 log;

	if (page_handle(c->srv->sup, r, &c->out, c->keep_alive)) {
		hc_done(c);
		return (1);
	}
	log = strncmp(r->target, "/log/", 5) == 0;
	if (!log && !page_is(r->target, "/events") &&
	    strncmp(r->target, "/ps/", 4) != 0)
		return (0);
	if (r->method != HTTP_GET) {
		hc_error(c, 405, 0);
		return (1);
	}
	if (r->target[1] == 'e') {
		page_sse_open(c);
		return (1);
	}
	path = xstrdup(r->target + (log ? 5 : 4));
	path[strcspn(path, "?")] = '\0';
	if (log)
		hc_logtail(c, path);
	else
		page_ps(c, path);
	free(path);
	return (1);
}
