/*
 * The HTTP server's connections (httpd.c) through real unix sockets in
 * the supervisor's loop: keep-alive, pipelining, the limits, Basic
 * authentication, the cap and the timeouts (lowered through httpd_tune).
 * POST /RPC2 asks for a method nobody has: fault 1, whoever answers it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
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

#define BODY	"<?xml version=\"1.0\"?><methodCall><methodName>" \
		"warden.noSuchMethod</methodName><params></params>" \
		"</methodCall>"

static char		 dir[] = "/tmp/test-httpd.XXXXXX";
static char		 sock[128];
static struct sup	 sup;
static struct httpd_tune saved_tune;

/* What a client has read. */
struct client;
static struct client	*waiting;	/* the client the loop runs for */

struct client {
	int	 fd;
	char	 buf[262144];
	size_t	 len;
	int	 eof;
	const char *want;	/* stop the loop once this is in buf */
	int	 nwant;		/* ... this many times */
};

/* Start the servers of a config with one [unix_http_server]. */
static void
start(const char *extra)
{
	struct config	*cf;
	char		*text, *cause = NULL;

	strcpy(dir, "/tmp/test-httpd.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/h.sock", dir);
	xasprintf(&text, "[unix_http_server]\nfile=%s\nchmod=0600\n%s", sock,
	    extra);
	if (cfg_load_string("test.conf", text, &cf, &cause) == -1)
		fail_msg("%s", cause);
	free(text);
	supfix_init(&sup, &httpd_hooks);
	sup.cfg = cf;
	if (httpd_listen(cf, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(httpd_hooks.start(&sup), 0);
}

static int
setup(void **state)
{
	(void)state;
	saved_tune = httpd_tune;
	start("");
	return (0);
}

static int
setup_auth(void **state)
{
	(void)state;
	saved_tune = httpd_tune;
	start("username=alice\npassword=wonder\n");
	return (0);
}

static int
setup_sha(void **state)
{
	(void)state;
	saved_tune = httpd_tune;
	/* SHA-1 of "secret". */
	start("username=bob\n"
	    "password={SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4\n");
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	httpd_hooks.stop(&sup);
	assert_int_equal(httpd_nconns(), 0);
	httpd_close();
	assert_int_equal(access(sock, F_OK), -1);	/* unlinked */
	supfix_free(&sup);
	rmdir(dir);
	httpd_tune = saved_tune;
	return (0);
}

/* How often needle is in the first len bytes of hay. */
static int
count(const char *hay, size_t len, const char *needle)
{
	const char	*p = hay, *end = hay + len;
	size_t		 n = strlen(needle);
	int		 k = 0;

	while ((p = memmem(p, (size_t)(end - p), needle, n)) != NULL) {
		k++;
		p += n;
	}
	return (k);
}

static void
client_cb(int fd, uint32_t events, void *arg)
{
	struct client	*cl = arg;
	ssize_t		 n;

	(void)events;
	while ((n = recv(fd, cl->buf + cl->len, sizeof cl->buf - 1 - cl->len,
	    MSG_DONTWAIT)) > 0) {
		cl->len += (size_t)n;
		cl->buf[cl->len] = '\0';
	}
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		cl->eof = 1;
		loop_del(sup.loop, fd);
	}
	if (cl == waiting && (cl->eof || (cl->want != NULL &&
	    count(cl->buf, cl->len, cl->want) >= cl->nwant)))
		loop_stop(sup.loop);
}

/* A client connected to the server; the loop watches it. */
static void
client_open(struct client *cl)
{
	struct sockaddr_un	sun;

	memset(cl, 0, sizeof *cl);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock);
	cl->fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0);
	assert_true(cl->fd != -1);
	assert_int_equal(connect(cl->fd, (struct sockaddr *)&sun, sizeof sun),
	    0);
	assert_int_equal(loop_add(sup.loop, cl->fd, EPOLLIN, client_cb, cl),
	    0);
}

static void
client_close(struct client *cl)
{
	if (!cl->eof)
		loop_del(sup.loop, cl->fd);
	close(cl->fd);
}

static void
client_send(struct client *cl, const char *data, size_t len)
{
	assert_int_equal(send(cl->fd, data, len, MSG_NOSIGNAL), (ssize_t)len);
}

static int	conns_want;

static int
conns_are(void)
{
	return (httpd_nconns() == conns_want);
}

static void	run_until(int (*)(void));

/* Run the loop until cl has read want n times (or its end). */
static void
client_wait(struct client *cl, const char *want, int n)
{
	cl->want = want;
	cl->nwant = n;
	waiting = cl;
	if (count(cl->buf, cl->len, want) < n && !cl->eof)
		supfix_run(&sup);
	waiting = NULL;
	if (count(cl->buf, cl->len, want) < n)
		fail_msg("wanted %d of \"%s\", got:\n%s", n, want, cl->buf);
}

/* Run the loop until cl's end. */
static void
client_wait_eof(struct client *cl)
{
	cl->want = NULL;
	waiting = cl;
	if (!cl->eof)
		supfix_run(&sup);
	waiting = NULL;
	assert_true(cl->eof);
}

/* A POST /RPC2 request, its headers given. */
static char *
rpc_req(const char *headers)
{
	char	*req;

	xasprintf(&req, "POST /RPC2 HTTP/1.1\r\nHost: localhost\r\n"
	    "Content-Type: text/xml\r\n%sContent-Length: %zu\r\n\r\n%s",
	    headers, strlen(BODY), BODY);
	return (req);
}

/* Two requests on one connection, one after the other. */
static void
test_keepalive(void **state)
{
	struct client	 cl;
	char		*req = rpc_req("");

	(void)state;
	client_open(&cl);
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "</methodResponse>", 1);
	assert_int_equal(strncmp(cl.buf, "HTTP/1.1 200 OK\r\n", 17), 0);
	assert_non_null(strstr(cl.buf, "Content-Type: text/xml\r\n"));
	assert_non_null(strstr(cl.buf, "Connection: keep-alive\r\n"));
	assert_non_null(strstr(cl.buf, "<name>faultCode</name>"));
	assert_non_null(strstr(cl.buf, "<int>1</int>"));
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "</methodResponse>", 2);
	assert_int_equal(count(cl.buf, cl.len, "HTTP/1.1 200 OK"), 2);
	assert_false(cl.eof);
	assert_int_equal(httpd_nconns(), 1);
	client_close(&cl);
	free(req);
}

/* Three requests in one write: three answers, in their order. */
static void
test_pipelining(void **state)
{
	struct client	 cl;
	char		*req = rpc_req(""), *all;
	char		*a, *b, *c;

	(void)state;
	xasprintf(&all, "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n%s"
	    "GET /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n", req);
	client_open(&cl);
	client_send(&cl, all, strlen(all));
	client_wait(&cl, "HTTP/1.1 ", 3);
	client_wait(&cl, "Method Not Allowed\n", 1);
	a = strstr(cl.buf, "HTTP/1.1 404 ");
	b = strstr(cl.buf, "HTTP/1.1 200 ");
	c = strstr(cl.buf, "HTTP/1.1 405 ");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_true(a < b && b < c);
	assert_false(cl.eof);
	client_close(&cl);
	free(all);
	free(req);
}

/* Requests, then the client's end of input: all answered, then the end. */
static void
test_half_close(void **state)
{
	struct client	 cl;
	char		*req = rpc_req(""), *two;

	(void)state;
	xasprintf(&two, "%s%s", req, req);
	client_open(&cl);
	client_send(&cl, two, strlen(two));
	assert_int_equal(shutdown(cl.fd, SHUT_WR), 0);
	client_wait_eof(&cl);
	assert_int_equal(count(cl.buf, cl.len, "</methodResponse>"), 2);
	client_close(&cl);
	conns_want = 0;
	run_until(conns_are);
	free(two);
	free(req);
}

/* 2 MiB announced: 413 at once, the body never sent, then the end. */
static void
test_body_too_large(void **state)
{
	struct client	 cl;
	const char	*req = "POST /RPC2 HTTP/1.1\r\nHost: x\r\n"
			    "Content-Length: 2097152\r\n\r\n<?xml";

	(void)state;
	client_open(&cl);
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "\r\n\r\n", 1);
	assert_int_equal(strncmp(cl.buf, "HTTP/1.1 413 ", 13), 0);
	assert_non_null(strstr(cl.buf, "Connection: close\r\n"));
	client_wait_eof(&cl);
	client_close(&cl);
}

/* A header section over the limit: 431, then the end. */
static void
test_headers_too_large(void **state)
{
	struct client	 cl;
	char		*big, *req;

	(void)state;
	big = xmalloc(httpd_limits.max_header + 100);
	memset(big, 'a', httpd_limits.max_header + 99);
	big[httpd_limits.max_header + 99] = '\0';
	xasprintf(&req, "GET /RPC2 HTTP/1.1\r\nX-Big: %s\r\n\r\n", big);
	client_open(&cl);
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "\r\n\r\n", 1);
	assert_int_equal(strncmp(cl.buf, "HTTP/1.1 431 ", 13), 0);
	client_wait_eof(&cl);
	client_close(&cl);
	free(req);
	free(big);
}

/* Expect: 100-continue: the interim answer, then the real one. */
static void
test_expect_continue(void **state)
{
	struct client	 cl;
	char		*head;

	(void)state;
	xasprintf(&head, "POST /RPC2 HTTP/1.1\r\nHost: x\r\n"
	    "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
	    strlen(BODY));
	client_open(&cl);
	client_send(&cl, head, strlen(head));
	client_wait(&cl, "HTTP/1.1 100 Continue\r\n\r\n", 1);
	assert_null(strstr(cl.buf, "200 OK"));
	client_send(&cl, BODY, strlen(BODY));
	client_wait(&cl, "</methodResponse>", 1);
	assert_non_null(strstr(cl.buf, "\r\n\r\nHTTP/1.1 200 OK\r\n"));
	client_close(&cl);
	free(head);
}

/* An answer's status to a request with this Authorization (or none). */
static int
status_with(const char *userpass)
{
	struct client	 cl;
	struct buf	 b = { NULL, 0, 0 };
	char		*hdr, *req;
	int		 status;

	if (userpass != NULL) {
		buf_adds(&b, "Authorization: Basic ");
		buf_add_base64(&b, userpass, strlen(userpass), 0);
		buf_adds(&b, "\r\n");
	} else
		buf_adds(&b, "");
	hdr = b.data;
	req = rpc_req(hdr);
	client_open(&cl);
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "\r\n\r\n", 1);
	status = atoi(cl.buf + 9);
	if (status == 401) {
		assert_non_null(strstr(cl.buf, "WWW-Authenticate: Basic "
		    "realm=\"default\"\r\n"));
		/* The connection lives on: the client may try again. */
		assert_false(cl.eof);
	}
	client_close(&cl);
	free(req);
	buf_free(&b);
	return (status);
}

static void
test_auth(void **state)
{
	(void)state;
	assert_int_equal(status_with(NULL), 401);
	assert_int_equal(status_with("alice:wrong"), 401);
	assert_int_equal(status_with("alicf:wonder"), 401);
	assert_int_equal(status_with("alice:wonde"), 401);
	assert_int_equal(status_with("alice:wonder"), 200);
}

static void
test_auth_sha(void **state)
{
	(void)state;
	assert_int_equal(status_with("bob:secret"), 200);
	assert_int_equal(status_with("bob:Secret"), 401);
	assert_int_equal(status_with(
	    "bob:{SHA}e5e9fa1ba31ecd1ae84f75caaa474f3a663f05f4"), 401);
}

/* Wrong routes and methods. */
static void
test_routes(void **state)
{
	struct client	 cl;
	const char	*req = "POST /logtail/x HTTP/1.1\r\nHost: x\r\n"
			    "Content-Length: 0\r\n\r\n"
			    "GET /logtail/nosuch HTTP/1.1\r\nHost: x\r\n\r\n"
			    "GET /RPC2x HTTP/1.1\r\nHost: x\r\n\r\n"
			    "DELETE /RPC2 HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	client_open(&cl);
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "HTTP/1.1 ", 4);
	client_wait_eof(&cl);		/* the unknown method ends it */
	assert_int_equal(strncmp(cl.buf, "HTTP/1.1 405 ", 13), 0);
	assert_non_null(strstr(cl.buf, "\nHTTP/1.1 404 Not Found\r\n"));
	assert_int_equal(count(cl.buf, cl.len, " 404 "), 2);
	assert_int_equal(count(cl.buf, cl.len, " 405 "), 2);
	client_close(&cl);
}

/* /mainlogtail: the recent messages, then each new one, chunked. */
static void
test_mainlogtail(void **state)
{
	struct client	 cl;
	const char	*req = "GET /mainlogtail HTTP/1.1\r\nHost: x\r\n\r\n";

	(void)state;
	follow_sup_line("before\n", 7);
	client_open(&cl);
	client_send(&cl, req, strlen(req));
	client_wait(&cl, "before\n", 1);
	assert_int_equal(strncmp(cl.buf, "HTTP/1.1 200 OK\r\n", 17), 0);
	assert_non_null(strstr(cl.buf, "Transfer-Encoding: chunked\r\n"));
	assert_non_null(strstr(cl.buf, "X-Accel-Buffering: no\r\n"));
	follow_sup_line("after-marker\n", 13);
	client_wait(&cl, "\r\nd\r\nafter-marker\n\r\n", 1);
	client_close(&cl);
}

/* The supervisor leaves: a stream gets its last chunk, then the end. */
static void
test_end_all(void **state)
{
	struct client	 cl;
	const char	*tail = "GET /mainlogtail HTTP/1.1\r\nHost: x\r\n\r\n";
	ssize_t		 n;

	(void)state;
	follow_sup_line("m\n", 2);
	client_open(&cl);
	client_send(&cl, tail, strlen(tail));
	client_wait(&cl, "m\n", 1);
	loop_del(sup.loop, cl.fd);
	httpd_end_all(&sup);
	assert_int_equal(httpd_nconns(), 0);
	while ((n = recv(cl.fd, cl.buf + cl.len, sizeof cl.buf - 1 - cl.len,
	    0)) > 0)
		cl.len += (size_t)n;
	assert_int_equal(n, 0);
	cl.buf[cl.len] = '\0';
	assert_true(cl.len >= 5);
	assert_string_equal(cl.buf + cl.len - 5, "0\r\n\r\n");
	cl.eof = 1;
	client_close(&cl);
}

/* The loop runs until cond() holds (checked every 10 ms), 10 s at most. */
static int		(*wait_cond)(void);
static struct timer	*cond_t;

static void
cond_cb(void *arg)
{
	(void)arg;
	cond_t = NULL;
	if (wait_cond())
		loop_stop(sup.loop);
	else
		cond_t = loop_timer(sup.loop, 0.01, cond_cb, NULL);
}

static void
run_until(int (*cond)(void))
{
	if (cond())
		return;
	wait_cond = cond;
	cond_t = loop_timer(sup.loop, 0.01, cond_cb, NULL);
	supfix_run(&sup);
	loop_timer_del(sup.loop, cond_t);
	cond_t = NULL;
	assert_true(cond());
}


/* At the cap a newcomer is served: the one idle longest makes room. */
static void
test_eviction(void **state)
{
	struct client	 cl[4];
	const char	*req = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
	int		 i;

	(void)state;
	httpd_tune.maxconns = 3;
	for (i = 0; i < 3; i++) {
		client_open(&cl[i]);
		conns_want = i + 1;
		run_until(conns_are);
	}
	/* The second is used: the first is now the one idle longest. */
	client_send(&cl[1], req, strlen(req));
	client_wait(&cl[1], "404", 1);
	client_open(&cl[3]);
	client_send(&cl[3], req, strlen(req));
	client_wait(&cl[3], "404", 1);
	client_wait_eof(&cl[0]);
	assert_false(cl[1].eof);
	assert_false(cl[2].eof);
	assert_int_equal(httpd_nconns(), 3);
	for (i = 0; i < 4; i++)
		client_close(&cl[i]);
}

/* All at the cap are sending requests: the slowest makes room. */
static void
test_eviction_partial(void **state)
{
	struct client	 cl[3];
	const char	*part = "GET /x HTTP/1.1\r\nX-Slow: ";
	const char	*req = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
	int		 i;

	(void)state;
	httpd_tune.maxconns = 2;
	for (i = 0; i < 2; i++) {
		client_open(&cl[i]);
		client_send(&cl[i], part, strlen(part));
		conns_want = i + 1;
		run_until(conns_are);
	}
	client_open(&cl[2]);
	client_send(&cl[2], req, strlen(req));
	client_wait(&cl[2], "404", 1);
	client_wait_eof(&cl[0]);
	assert_false(cl[1].eof);
	for (i = 0; i < 3; i++)
		client_close(&cl[i]);
}

/* All at the cap follow logs: the oldest stream makes room. */
static void
test_eviction_stream(void **state)
{
	struct client	 cl[3];
	const char	*tail = "GET /mainlogtail HTTP/1.1\r\nHost: x\r\n\r\n";
	const char	*req = "GET /x HTTP/1.1\r\nHost: x\r\n\r\n";
	int		 i;

	(void)state;
	httpd_tune.maxconns = 2;
	follow_sup_line("m\n", 2);
	for (i = 0; i < 2; i++) {
		client_open(&cl[i]);
		client_send(&cl[i], tail, strlen(tail));
		client_wait(&cl[i], "m\n", 1);
	}
	client_open(&cl[2]);
	client_send(&cl[2], req, strlen(req));
	client_wait(&cl[2], "404", 1);
	client_wait_eof(&cl[0]);
	assert_false(cl[1].eof);
	assert_int_equal(httpd_nconns(), 2);
	for (i = 0; i < 3; i++)
		client_close(&cl[i]);
}

/* Idle between requests: closed after httpd_tune.idle. */
static void
test_idle_timeout(void **state)
{
	struct client	 cl;
	double		 t0;

	(void)state;
	httpd_tune.idle = 0.2;
	t0 = mono_now();
	client_open(&cl);
	client_wait_eof(&cl);
	assert_true(mono_now() - t0 >= 0.15);
	assert_true(mono_now() - t0 < 5);
	conns_want = 0;
	run_until(conns_are);
	client_close(&cl);
}

/* A byte now and then: the request's deadline still ends it. */
static struct client	*drip_cl;
static void
drip_cb(void *arg)
{
	(void)arg;
	if (drip_cl->eof)
		return;
	(void)send(drip_cl->fd, "a", 1, MSG_NOSIGNAL);
	(void)loop_timer(sup.loop, 0.03, drip_cb, NULL);
}

static void
test_slowloris(void **state)
{
	struct client	 cl;
	const char	*part = "GET /x HTTP/1.1\r\nX-Slow: ";
	double		 t0;

	(void)state;
	httpd_tune.idle = 30;
	httpd_tune.request = 0.3;
	client_open(&cl);
	t0 = mono_now();
	client_send(&cl, part, strlen(part));
	drip_cl = &cl;
	(void)loop_timer(sup.loop, 0.03, drip_cb, NULL);
	client_wait_eof(&cl);
	assert_true(mono_now() - t0 >= 0.25);
	assert_true(mono_now() - t0 < 5);
	assert_int_equal(cl.len, 0);	/* closed, nothing said */
	client_close(&cl);
	/* The drip timer sees the end and stops. */
	conns_want = 0;
	run_until(conns_are);
}

/* The socket file has chmod='s mode; a second server is refused. */
static void
test_listen(void **state)
{
	struct config	*cf;
	struct stat	 st;
	char		*cause = NULL, *text;

	(void)state;
	assert_int_equal(stat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	xasprintf(&text, "[unix_http_server]\nfile=%s\n", sock);
	assert_int_equal(cfg_load_string("t.conf", text, &cf, &cause), 0);
	free(text);
	assert_int_equal(httpd_fds(NULL, 0), 0);
	/* Someone answers there: "already running", nothing touched. */
	assert_int_equal(httpd_nsrv, 1);
	{
		struct httpd_srv	saved = httpd_srvs[0];

		httpd_nsrv = 0;
		assert_int_equal(httpd_listen(cf, &cause), -1);
		assert_non_null(strstr(cause, "already running"));
		free(cause);
		httpd_srvs[0] = saved;
		httpd_nsrv = 1;
	}
	assert_int_equal(stat(sock, &st), 0);
	cfg_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keepalive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pipelining, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_half_close, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_body_too_large, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_headers_too_large, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expect_continue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth, setup_auth,
		    teardown),
		cmocka_unit_test_setup_teardown(test_auth_sha, setup_sha,
		    teardown),
		cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mainlogtail, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_end_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eviction_partial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_eviction_stream, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_idle_timeout, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slowloris, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_listen, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
