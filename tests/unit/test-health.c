/*
 * The probes' endpoints (health.c): /readyz's 200 and 503 and its list,
 * exactly; /healthz; HEAD and the other methods; and, through a real
 * server with a password, that only these two answer without one.
 * The services' states are set by hand: no process is started.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "../../src/sup/httpd.h"
#include "stubs.h"
#include "supfix.h"

#define NOLOG	"command=/bin/true\nstdout_logfile=NONE\nstderr_logfile=NONE\n"
#define CONF	"[unix_http_server]\nfile=%s\nusername=probe\n"	\
		"password=secret\n"					\
		"[program:web]\n" NOLOG				\
		"[program:db]\n" NOLOG					\
		"[program:manual]\nautostart=false\n" NOLOG		\
		"[program:w]\nprocess_name=w%%(process_num)d\nnumprocs=2\n"	\
		NOLOG "[group:pool]\nprograms=w\n"

static char		 dir[] = "/tmp/test-health.XXXXXX";
static char		 sock[128];
static struct sup	 sup;
static struct buf	 out;

/* The supervisor with its services and its server, none running. */
static int
setup(void **state)
{
	struct config	*cf;
	char		*text, *cause = NULL;

	(void)state;
	strcpy(dir, "/tmp/test-health.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/h.sock", dir);
	xasprintf(&text, CONF, sock);
	if (cfg_load_string("test.conf", text, &cf, &cause) == -1)
		fail_msg("%s", cause);
	free(text);
	supfix_init(&sup, &httpd_hooks);
	sup.cfg = cf;
	if (httpd_listen(cf, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(httpd_hooks.start(&sup), 0);
	sup_adopt(&sup, cf, &sup.svcs);
	memset(&out, 0, sizeof out);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	httpd_hooks.stop(&sup);
	httpd_close();
	supfix_free(&sup);
	buf_free(&out);
	rmdir(dir);
	return (0);
}

/* The service called name (GROUP:NAME for a grouped one). */
static struct svc *
svc(const char *name)
{
	struct svc	*s;
	char		*cause = NULL;

	s = svc_find(&sup, name, &cause);
	if (s == NULL)
		fail_msg("%s: %s", name, cause);
	return (s);
}

/* Every service set to state. */
static void
set_all(enum svc_state state)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup.svcs, entry)
		s->state = state;
}

/* health_reply's answer to METHOD target, in out; its status. */
static int
ask(int method, const char *target)
{
	struct http_req	r;

	memset(&r, 0, sizeof r);
	r.method = method;
	r.target = target;
	buf_reset(&out);
	return (health_reply(&sup, &r, 1, &out));
}

/* The answer in out is status with exactly body, its length in the head. */
static void
answer_is(int status, const char *body)
{
	char	 line[64], len[64];
	char	*b;

	snprintf(line, sizeof line, "HTTP/1.1 %d ", status);
	snprintf(len, sizeof len, "\r\nContent-Length: %zu\r\n", strlen(body));
	assert_non_null(out.data);
	assert_int_equal(strncmp(out.data, line, strlen(line)), 0);
	assert_non_null(strstr(out.data, len));
	assert_non_null(strstr(out.data,
	    "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
	assert_non_null(b = strstr(out.data, "\r\n\r\n"));
	assert_string_equal(b + 4, body);
}

/* Every autostart service RUNNING: 200; one not autostart is left out. */
static void
test_readyz_ready(void **state)
{
	(void)state;
	set_all(SVC_RUNNING);
	svc("manual")->state = SVC_STOPPED;
	assert_int_equal(ask(HTTP_GET, "/readyz"), 200);
	answer_is(200, "ok\n");
	assert_int_equal(ask(HTTP_GET, "/readyz?verbose"), 200);
	answer_is(200, "ok\n");
}

/* Those not RUNNING, in config order, grouped ones as GROUP:NAME. */
static void
test_readyz_unready(void **state)
{
	struct svc	*db;

	(void)state;
	set_all(SVC_RUNNING);
	svc("db")->state = SVC_FATAL;
	svc("pool:w1")->state = SVC_STARTING;
	svc("manual")->state = SVC_BACKOFF;	/* not autostart: not asked */
	assert_int_equal(ask(HTTP_GET, "/readyz"), 503);
	answer_is(503, "db FATAL\npool:w1 STARTING\n");

	/* Each state but RUNNING is unready, STOPPED included. */
	set_all(SVC_RUNNING);
	svc("web")->state = SVC_STOPPED;
	svc("pool:w0")->state = SVC_EXITED;
	svc("pool:w1")->state = SVC_STOPPING;
	svc("db")->state = SVC_BACKOFF;
	assert_int_equal(ask(HTTP_GET, "/readyz"), 503);
	answer_is(503, "web STOPPED\ndb BACKOFF\npool:w0 EXITED\n"
	    "pool:w1 STOPPING\n");

	/* A service reload removed is on its way out: not waited for. */
	set_all(SVC_RUNNING);
	db = svc("db");
	db->state = SVC_STOPPING;
	db->removed = 1;
	assert_int_equal(ask(HTTP_GET, "/readyz"), 200);
	answer_is(200, "ok\n");
	db->removed = 0;
	assert_int_equal(ask(HTTP_GET, "/readyz"), 503);
	answer_is(503, "db STOPPING\n");
}

/* /healthz: 200 whatever the services do; other paths are not ours. */
static void
test_healthz(void **state)
{
	(void)state;
	set_all(SVC_FATAL);
	assert_int_equal(ask(HTTP_GET, "/healthz"), 200);
	answer_is(200, "ok\n");
	assert_int_equal(ask(HTTP_GET, "/healthz?x=1"), 200);
	answer_is(200, "ok\n");
	assert_int_equal(ask(HTTP_GET, "/readyz"), 503);
	out.len = 0;
	assert_int_equal(ask(HTTP_GET, "/healthzz"), 0);
	assert_int_equal(ask(HTTP_GET, "/readyz/"), 0);
	assert_int_equal(ask(HTTP_GET, "/health"), 0);
	assert_int_equal(ask(HTTP_GET, "/"), 0);
	assert_int_equal(out.len, 0);
}

/* HEAD: the head GET would get, its Content-Length, and no body. */
static void
test_head(void **state)
{
	char	*b;

	(void)state;
	set_all(SVC_RUNNING);
	svc("web")->state = SVC_FATAL;
	assert_int_equal(ask(HTTP_HEAD, "/readyz"), 503);
	assert_non_null(strstr(out.data, "\r\nContent-Length: 10\r\n"));
	assert_non_null(b = strstr(out.data, "\r\n\r\n"));
	assert_string_equal(b + 4, "");
	assert_int_equal(ask(HTTP_HEAD, "/healthz"), 200);
	assert_non_null(strstr(out.data, "\r\nContent-Length: 3\r\n"));
	assert_non_null(b = strstr(out.data, "\r\n\r\n"));
	assert_string_equal(b + 4, "");
	assert_int_equal(ask(HTTP_POST, "/healthz"), 405);
	assert_int_equal(ask(HTTP_POST, "/readyz"), 405);
	assert_int_equal(strncmp(out.data, "HTTP/1.1 405 ", 13), 0);
}

/* What the loop must have read before it stops. */
static char	 got[4096];
static size_t	 gotlen;

static void
client_cb(int fd, uint32_t events, void *arg)
{
	ssize_t	n;

	(void)events;
	(void)arg;
	while ((n = recv(fd, got + gotlen, sizeof got - 1 - gotlen,
	    MSG_DONTWAIT)) > 0)
		gotlen += (size_t)n;
	got[gotlen] = '\0';
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		loop_del(sup.loop, fd);
		loop_stop(sup.loop);
	}
}

/* One request to the server, without credentials; the status answered. */
static int
request(const char *method, const char *path)
{
	struct sockaddr_un	 sun;
	char			*req;
	int			 fd, status;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)) != -1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	xasprintf(&req, "%s %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
	    "Connection: close\r\n\r\n", method, path);
	assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL),
	    (ssize_t)strlen(req));
	free(req);
	gotlen = 0;
	assert_int_equal(loop_add(sup.loop, fd, EPOLLIN, client_cb, NULL), 0);
	supfix_run(&sup);
	close(fd);
	if (sscanf(got, "HTTP/1.1 %d ", &status) != 1)
		fail_msg("no status in: %s", got);
	return (status);
}

/* The server has a password: the probes pass without, nothing else. */
static void
test_no_password(void **state)
{
	(void)state;
	set_all(SVC_RUNNING);
	assert_int_equal(request("GET", "/healthz"), 200);
	assert_string_equal(strstr(got, "\r\n\r\n"), "\r\n\r\nok\n");
	assert_int_equal(request("HEAD", "/readyz"), 200);
	svc("pool:w0")->state = SVC_FATAL;
	assert_int_equal(request("GET", "/readyz"), 503);
	assert_string_equal(strstr(got, "\r\n\r\n"), "\r\n\r\npool:w0 FATAL\n");
	assert_int_equal(request("POST", "/RPC2"), 401);
	assert_non_null(strstr(got, "\r\nWWW-Authenticate: Basic "));
	assert_int_equal(request("GET", "/mainlogtail"), 401);
	assert_int_equal(request("GET", "/metrics"), 401);
	assert_int_equal(request("GET", "/"), 401);
	assert_int_equal(request("GET", "/healthz/x"), 401);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_readyz_ready, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_readyz_unready, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_healthz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_password, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
