/*
 * The status page (src/sup/page*.c): what it renders is escaped, its
 * actions need the session's token and the page's origin, and no GET
 * changes anything.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "../../src/sup/page.h"
#include "stubs.h"
#include "supfix.h"

#define NOLOG "stdout_logfile=NONE\nstderr_logfile=NONE\n"
#define HOST "127.0.0.1:9001"

static struct sup		 sup;
static struct svc		*awaited;	/* the loop runs until it is idle */

/* A service changed: the loop stops once the awaited one is idle. */
static void
changed_cb(struct sup *sp)
{
	if (awaited != NULL && svc_is_idle(awaited))
		loop_stop(sp->loop);
}

static const struct sup_hooks	 hooks = { NULL, changed_cb, NULL, NULL };
static char			 dir[] = "/tmp/test-page.XXXXXX";
static char			 logpath[160];
static struct http_limits	 lim = { 8192, 16384, 100, 1 << 20 };
static char			 sid[PAGE_TOKEN_LEN + 1];
static char			 token[PAGE_TOKEN_LEN + 1];

/* Three services (one in group g), none started; web has a log file. */
static int
setup(void **state)
{
	struct config	*cf;
	char		*text, *cause = NULL;

	(void)state;
	strcpy(dir, "/tmp/test-page.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(logpath, sizeof logpath, "%s/web.log", dir);
	xasprintf(&text,
	    "[program:web]\ncommand=sleep 1000\nautostart=false\n"
	    "startsecs=0\nstdout_logfile=%s\nstderr_logfile=NONE\n"
	    "[program:db]\ncommand=sleep 1000\nautostart=false\n"
	    "startsecs=0\n" NOLOG
	    "[program:one]\ncommand=sleep 1000\nautostart=false\n" NOLOG
	    "[group:g]\nprograms=one\n", logpath);
	if (cfg_load_string("test.conf", text, &cf, &cause) == -1)
		fail_msg("%s", cause);
	supfix_init(&sup, &hooks);
	sup_adopt(&sup, sup.cfg = cf, &sup.svcs);
	free(text);
	return (0);
}

/* Every process killed, everything freed. */
static int
teardown(void **state)
{
	(void)state;
	supfix_free(&sup);
	unlink(logpath);
	rmdir(dir);
	return (0);
}

/* The service called name. */
static struct svc *
svc(const char *name)
{
	struct svc	*s;
	char		*cause = NULL;

	if ((s = svc_find(&sup, name, &cause)) == NULL)
		fail_msg("%s", cause);
	return (s);
}

/* A request from its text, answered by page_handle: the status, or 0. */
static int
ask(const char *text, struct buf *out)
{
	struct http_req	 r;
	size_t		 used;
	int		 handled;

	buf_reset(out);
	http_init(&r, &lim);
	assert_int_equal(http_feed(&r, text, strlen(text), &used), HTTP_DONE);
	handled = page_handle(&sup, &r, out, 1);
	http_free(&r);
	if (!handled)
		return (0);
	assert_non_null(out->data);
	assert_int_equal(strncmp(out->data, "HTTP/1.1 ", 9), 0);
	return (atoi(out->data + 9));
}

/* A POST /action with these extra headers and this form. */
static int
post(const char *headers, const char *form, struct buf *out)
{
	char	*text;
	int	 status;

	xasprintf(&text, "POST /action HTTP/1.1\r\nHost: " HOST "\r\n%s"
	    "Content-Type: application/x-www-form-urlencoded\r\n"
	    "Content-Length: %zu\r\n\r\n%s", headers, strlen(form), form);
	status = ask(text, out);
	free(text);
	return (status);
}

/* GET / as a newcomer: the page, its cookie and its token taken. */
static void
get_session(struct buf *out)
{
	const char	*p;

	assert_int_equal(ask("GET / HTTP/1.1\r\nHost: " HOST "\r\n\r\n", out),
	    200);
	assert_non_null(p = strstr(out->data, "Set-Cookie: warden_sid="));
	assert_non_null(strstr(p, "; HttpOnly; SameSite=Strict\r\n"));
	memcpy(sid, p + 23, PAGE_TOKEN_LEN);
	sid[PAGE_TOKEN_LEN] = '\0';
	assert_int_equal(strspn(sid, "0123456789abcdef"), PAGE_TOKEN_LEN);
	assert_non_null(p = strstr(out->data, "name=\"token\" value=\""));
	memcpy(token, p + 20, PAGE_TOKEN_LEN);
	token[PAGE_TOKEN_LEN] = '\0';
	assert_int_equal(strspn(token, "0123456789abcdef"), PAGE_TOKEN_LEN);
	assert_string_not_equal(sid, token);
}

/* The whole text escaped: STATUS=, descriptions, names in attributes. */
static void
test_escape(void **state)
{
	static const char *const absent[] = {
		"<script>alert", "<img", "<b>msg", "@ROWS@", "@TOKEN@"
	};
	static const char *const present[] = {
		/* STATUS=, a description, a message: escaped */
		"<td class=\"note opt\">&lt;script&gt;alert(1)&lt;/script&gt;",
		"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;",
		"&lt;b&gt;msg&lt;/b&gt;",
		/* every service, its state spelled out, a member named */
		"<tr data-name=\"web\">", "<tr data-name=\"g:one\">",
		"<span class=\"st st-FATAL\">FATAL</span>",
		"<span class=\"st st-STOPPED\">STOPPED</span>",
		/* the token in the forms */
		"name=\"token\" value=\"tok\""
	};
	struct buf	 out = { NULL, 0, 0 };
	struct svc	*s = svc("db");
	size_t		 i;

	(void)state;
	s->note = xstrdup("<script>alert(1)</script>");
	s->state = SVC_FATAL;
	s->desc = xstrdup("\"><img src=x onerror=alert(2)>&");
	page_render(&sup, "tok", "<b>msg</b>", &out);
	for (i = 0; i < nitems(absent); i++)
		if (strstr(out.data, absent[i]) != NULL)
			fail_msg("\"%s\" in the page", absent[i]);
	for (i = 0; i < nitems(present); i++)
		if (strstr(out.data, present[i]) == NULL)
			fail_msg("\"%s\" not in the page", present[i]);
	assert_true(out.len < 32 * 1024);
	buf_reset(&out);
	page_escape(&out, "a<>&\"'b");
	assert_string_equal(out.data, "a&lt;&gt;&amp;&quot;&#39;b");
	buf_reset(&out);
	/* The snapshot is JSON: the note as a string, quotes escaped. */
	page_snapshot(&sup, &out);
	assert_non_null(strstr(out.data, "\"name\": \"g:one\""));
	assert_non_null(strstr(out.data,
	    "\"desc\": \"\\\"><img src=x onerror=alert(2)>&\""));
	s->state = SVC_STOPPED;
	buf_free(&out);
}

/* The form's fields, decoded. */
static void
test_form(void **state)
{
	char	*v;

	(void)state;
	assert_string_equal(v = page_form("a=1&name=g%3Aone+x&b=2", "name"),
	    "g:one x");
	free(v);
	assert_string_equal(v = page_form("xname=1&name=2", "name"), "2");
	free(v);
	assert_string_equal(v = page_form("name=a%00b%zz", "name"), "ab%zz");
	free(v);
	assert_string_equal(v = page_form("name=", "name"), "");
	free(v);
	assert_null(page_form("names=1&nam=2", "name"));
	assert_null(page_form("", "name"));
}

/* What each refusal lacks; the right request acts. */
static void
test_csrf(void **state)
{
	struct buf	 out = { NULL, 0, 0 };
	struct svc	*web = svc("web");
	char		 cookie[128], hdr[256], form[128], wrong[64];

	(void)state;
	get_session(&out);
	snprintf(cookie, sizeof cookie, "Cookie: a=b; warden_sid=%s\r\n",
	    sid);
	snprintf(form, sizeof form, "token=%s&name=web&verb=start", token);
	snprintf(wrong, sizeof wrong, "%s", token);
	wrong[5] = wrong[5] == '0' ? '1' : '0';

	/* No token. */
	snprintf(hdr, sizeof hdr, "Origin: http://" HOST "\r\n%s", cookie);
	assert_int_equal(post(hdr, "name=web&verb=start", &out), 403);
	/* A wrong token, in the form and in the header. */
	assert_int_equal(post(hdr, "token=0&name=web&verb=start", &out), 403);
	snprintf(form, sizeof form, "token=%s&name=web&verb=start", wrong);
	assert_int_equal(post(hdr, form, &out), 403);
	snprintf(hdr, sizeof hdr, "Origin: http://" HOST "\r\n%s"
	    "X-CSRF-Token: %s\r\n", cookie, wrong);
	assert_int_equal(post(hdr, "name=web&verb=start", &out), 403);
	/* The right token without its session's cookie. */
	snprintf(form, sizeof form, "token=%s&name=web&verb=start", token);
	assert_int_equal(post("Origin: http://" HOST "\r\n", form, &out),
	    403);
	/* Another origin, a look-alike, none at all, another referrer. */
	snprintf(hdr, sizeof hdr, "Origin: http://evil.example\r\n%s", cookie);
	assert_int_equal(post(hdr, form, &out), 403);
	snprintf(hdr, sizeof hdr, "Origin: http://" HOST ".evil\r\n%s",
	    cookie);
	assert_int_equal(post(hdr, form, &out), 403);
	snprintf(hdr, sizeof hdr, "Origin: null\r\n%s", cookie);
	assert_int_equal(post(hdr, form, &out), 403);
	assert_int_equal(post(cookie, form, &out), 403);
	snprintf(hdr, sizeof hdr, "Referer: http://evil/" HOST "/\r\n%s",
	    cookie);
	assert_int_equal(post(hdr, form, &out), 403);
	assert_non_null(strstr(out.data, "refused"));
	assert_int_equal(web->state, SVC_STOPPED);
	assert_int_equal(web->pid, 0);

	/* Right: the page's referrer, the cookie and the form's token. */
	snprintf(hdr, sizeof hdr, "Referer: http://" HOST "/\r\n%s", cookie);
	assert_int_equal(post(hdr, form, &out), 200);
	assert_non_null(strstr(out.data, "text/html"));
	assert_non_null(strstr(out.data, "<p id=\"result\">web: "));
	assert_true(web->state != SVC_STOPPED);
	assert_true(web->pid > 0);
	/* ... or the origin and the script's header: a text answer. */
	snprintf(hdr, sizeof hdr, "Origin: http://" HOST "\r\n%s"
	    "X-CSRF-Token: %s\r\n", cookie, token);
	assert_int_equal(post(hdr, "name=web&verb=stop", &out), 200);
	assert_non_null(strstr(out.data, "text/plain"));
	assert_non_null(strstr(out.data, "\r\n\r\nweb: STOPPING"));
	assert_int_equal(web->state, SVC_STOPPING);
	/* An unknown name, an unknown verb. */
	assert_int_equal(post(hdr, "name=nope&verb=stop", &out), 404);
	assert_int_equal(post(hdr, "name=web&verb=kill", &out), 400);
	/* A known session keeps its cookie: none is set again. */
	snprintf(hdr, sizeof hdr, "GET / HTTP/1.1\r\nHost: " HOST "\r\n%s\r\n",
	    cookie);
	assert_int_equal(ask(hdr, &out), 200);
	assert_null(strstr(out.data, "Set-Cookie"));
	assert_non_null(strstr(out.data, token));
	buf_free(&out);
}

/* Each verb does its own thing, for one service or for all. */
static void
test_actions(void **state)
{
	struct buf	 msg = { NULL, 0, 0 };
	struct svc	*web = svc("web"), *db = svc("db"), *one = svc("g:one");
	struct stat	 st;
	int		 fd;

	(void)state;
	assert_int_equal(page_action(&sup, "db", "start", &msg), 200);
	assert_true(svc_is_up(db));
	assert_false(svc_is_up(web));
	assert_true(db->pid > 0);
	buf_reset(&msg);
	assert_int_equal(page_action(&sup, "db", "start", &msg), 200);
	assert_string_equal(msg.data, "db: ERROR (already started)");
	buf_reset(&msg);
	assert_int_equal(page_action(&sup, "all", "start", &msg), 200);
	assert_true(svc_is_up(web));
	assert_true(svc_is_up(one));
	assert_null(strstr(msg.data, "db:"));	/* up already: not said */
	buf_reset(&msg);
	assert_int_equal(page_action(&sup, "db", "restart", &msg), 200);
	assert_true(db->restart || db->state == SVC_STOPPING);
	buf_reset(&msg);
	assert_int_equal(page_action(&sup, "web", "stop", &msg), 200);
	assert_int_equal(web->state, SVC_STOPPING);
	assert_true(svc_is_up(one));
	buf_reset(&msg);
	assert_int_equal(page_action(&sup, "all", "stop", &msg), 200);
	assert_int_equal(one->state, SVC_STOPPING);
	assert_non_null(strstr(msg.data, "g:one: STOPPING"));
	awaited = one;
	supfix_run(&sup);
	awaited = NULL;
	assert_int_equal(one->state, SVC_STOPPED);

	/* clear: the log file emptied, the others left alone. */
	assert_true((fd = open(logpath, O_WRONLY|O_APPEND)) != -1);
	assert_int_equal(write(fd, "line\n", 5), 5);
	close(fd);
	assert_int_equal(stat(logpath, &st), 0);
	assert_true(st.st_size > 0);
	buf_reset(&msg);
	assert_int_equal(page_action(&sup, "web", "clear", &msg), 200);
	assert_string_equal(msg.data, "web: log cleared");
	assert_int_equal(stat(logpath, &st), 0);
	assert_int_equal(st.st_size, 0);
	buf_free(&msg);
}

/* A file of the fake cgroup directory. */
static void
put(const char *name, const char *text)
{
	char	path[256];
	FILE	*fp;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	fclose(fp);
}

/* Memory and CPU from the cgroup's files, in the row; "-" without. */
static void
test_cgroup(void **state)
{
	struct buf	 out = { NULL, 0, 0 };
	struct svc	*s = svc("db");
	struct cg_usage	 u;
	char		 path[256];

	(void)state;
	put("memory.current", "3145728\n");
	cg_usage(dir, &u);
	assert_true(u.has_memory && !u.has_cpu);	/* no cpu.stat */
	put("cpu.stat", "usage_usec 1500000\nuser_usec 1000000\n");
	cg_usage(dir, &u);
	assert_true(u.has_memory && u.has_cpu);
	assert_int_equal(u.memory, 3145728);
	assert_int_equal(u.cpu_usec, 1500000);
	page_render(&sup, "t", NULL, &out);
	assert_null(strstr(out.data, "3.0 MiB"));
	s->cgroup = xstrdup(dir);
	buf_reset(&out);
	page_render(&sup, "t", NULL, &out);
	assert_non_null(strstr(out.data,
	    "<td class=\"mem opt\">3.0 MiB</td><td class=\"cpu opt\">1.50 s"));
	assert_non_null(strstr(out.data,
	    "<td class=\"mem opt\">-</td><td class=\"cpu opt\">-</td>"));
	free(s->cgroup);
	s->cgroup = NULL;
	snprintf(path, sizeof path, "%s/memory.current", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/cpu.stat", dir);
	unlink(path);
	cg_usage(dir, &u);
	assert_false(u.has_memory || u.has_cpu);
	buf_free(&out);
}

/* No GET acts, whatever it names; a POST to / does not either. */
static void
test_get_changes_nothing(void **state)
{
	struct buf	 out = { NULL, 0, 0 };
	struct svc	*web = svc("web");
	char		 req[512];

	(void)state;
	get_session(&out);
	snprintf(req, sizeof req, "GET /action?token=%s&name=web&verb=start "
	    "HTTP/1.1\r\nHost: " HOST "\r\nOrigin: http://" HOST "\r\n"
	    "Cookie: warden_sid=%s\r\nX-CSRF-Token: %s\r\n\r\n", token, sid,
	    token);
	assert_int_equal(ask(req, &out), 405);
	snprintf(req, sizeof req, "GET /?token=%s&name=web&verb=start "
	    "HTTP/1.1\r\nHost: " HOST "\r\nCookie: warden_sid=%s\r\n\r\n",
	    token, sid);
	assert_int_equal(ask(req, &out), 200);
	snprintf(req, sizeof req, "POST / HTTP/1.1\r\nHost: " HOST "\r\n"
	    "Origin: http://" HOST "\r\nCookie: warden_sid=%s\r\n"
	    "Content-Length: 0\r\n\r\n", sid);
	assert_int_equal(ask(req, &out), 405);
	assert_int_equal(web->state, SVC_STOPPED);
	assert_int_equal(web->pid, 0);
	/* Other paths are httpd-route.c's. */
	assert_int_equal(ask("GET /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n", &out),
	    0);
	assert_int_equal(ask("GET /actions HTTP/1.1\r\nHost: x\r\n\r\n",
	    &out), 0);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escape, setup, teardown),
		cmocka_unit_test(test_form),
		cmocka_unit_test_setup_teardown(test_csrf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_changes_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cgroup, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
