/*
 * The page's live updates (src/sup/page-sse.c) on a real unix HTTP
 * server: many changes make one snapshot, a client that reads nothing
 * is cut while the others go on, and without clients no timer is set.
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
#include "../../src/sup/page.h"
#include "stubs.h"
#include "supfix.h"

#define NSVC	20		/* services: a snapshot of some kilobytes */

static char		 dir[] = "/tmp/test-page-sse.XXXXXX";
static char		 sock[128];
static struct sup	 sup;
static struct page_tune	 saved;

/* A client of /events and what it has read. */
struct peer {
	int	 fd;
	int	 reads;		/* 0: it never reads */
	char	*buf;
	size_t	 len;
	int	 eof;
};

static struct peer	*stop_at;	/* the loop stops when it has events */
static int		 stop_events;
static int		 pumping;	/* changes made each millisecond */
static struct timer	*pump_t;

/* How many events p has read. */
static int
events_of(const struct peer *p)
{
	const char	*q = p->buf;
	int		 n = 0;

	while (q != NULL && (q = strstr(q, "data: {")) != NULL) {
		n++;
		q++;
	}
	return (n);
}

/* What the server sent p; the loop stops once p has its events. */
static void
peer_cb(int fd, uint32_t events, void *arg)
{
	struct peer	*p = arg;
	char		 tmp[65536];
	ssize_t		 n;

	(void)events;
	while ((n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT)) > 0) {
		p->buf = xreallocarray(p->buf, p->len + (size_t)n + 1, 1);
		memcpy(p->buf + p->len, tmp, (size_t)n);
		p->len += (size_t)n;
		p->buf[p->len] = '\0';
	}
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		p->eof = 1;
		loop_del(sup.loop, fd);
	}
	if (p == stop_at && events_of(p) >= stop_events)
		loop_stop(sup.loop);
}

/* A client asking GET /events; read by the loop when reads is set. */
static void
peer_open(struct peer *p, int reads)
{
	static const char	 req[] = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
	struct sockaddr_un	 sun;
	int			 small = 4096;

	memset(p, 0, sizeof *p);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock);
	assert_true((p->fd = socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0)) !=
	    -1);
	if (!reads)
		(void)setsockopt(p->fd, SOL_SOCKET, SO_RCVBUF, &small,
		    sizeof small);
	assert_int_equal(connect(p->fd, (struct sockaddr *)&sun, sizeof sun),
	    0);
	assert_int_equal(send(p->fd, req, sizeof req - 1, MSG_NOSIGNAL),
	    (ssize_t)(sizeof req - 1));
	p->reads = reads;
	if (reads)
		assert_int_equal(loop_add(sup.loop, p->fd, EPOLLIN, peer_cb, p),
		    0);
}

/* p leaves. */
static void
peer_close(struct peer *p)
{
	if (p->reads && !p->eof)
		loop_del(sup.loop, p->fd);
	close(p->fd);
	free(p->buf);
}

/* Each millisecond: pumping changes; the loop ends when told. */
static void
pump_cb(void *arg)
{
	int	i;

	(void)arg;
	pump_t = NULL;
	for (i = 0; i < pumping; i++)
		sup_changed(&sup);
	if (pumping > 0 && page_sse_count() == 1 && stop_at == NULL) {
		loop_stop(sup.loop);	/* the one that reads nothing is cut */
		return;
	}
	pump_t = loop_timer(sup.loop, 0.001, pump_cb, NULL);
}

/* Run the loop until p has n events (10 s at most). */
static void
wait_events(struct peer *p, int n)
{
	stop_at = p;
	stop_events = n;
	if (events_of(p) < n)
		supfix_run(&sup);
	stop_at = NULL;
	if (events_of(p) < n)
		fail_msg("wanted %d events, got %d", n, events_of(p));
}

/* The end of a quiet spell: the loop stops. */
static void
quiet_cb(void *arg)
{
	(void)arg;
	loop_stop(sup.loop);
}

/* Each millisecond: are the clients all gone? */
static void
gone_cb(void *arg)
{
	struct timer	**t = arg;

	*t = NULL;
	if (page_sse_count() == 0)
		loop_stop(sup.loop);
	else
		*t = loop_timer(sup.loop, 0.001, gone_cb, t);
}

/* A unix HTTP server for NSVC services, none started. */
static int
setup(void **state)
{
	struct config	*cf;
	struct buf	 text = { NULL, 0, 0 };
	char		*cause = NULL;
	int		 i;

	(void)state;
	strcpy(dir, "/tmp/test-page-sse.XXXXXX");
	assert_non_null(mkdtemp(dir));
	saved = page_tune;
	buf_printf(&text, "[unix_http_server]\nfile=%s/h.sock\n", dir);
	snprintf(sock, sizeof sock, "%s/h.sock", dir);
	for (i = 0; i < NSVC; i++)
		buf_printf(&text, "[program:service-with-a-long-name-%02d]\n"
		    "command=sleep 1000\nautostart=false\n"
		    "stdout_logfile=NONE\nstderr_logfile=NONE\n", i);
	if (cfg_load_string("test.conf", text.data, &cf, &cause) == -1)
		fail_msg("%s", cause);
	buf_free(&text);
	supfix_init(&sup, &httpd_hooks);
	sup_adopt(&sup, sup.cfg = cf, &sup.svcs);
	if (httpd_listen(cf, &cause) == -1)
		fail_msg("%s", cause);
	assert_int_equal(httpd_hooks.start(&sup), 0);
	return (0);
}

/* The server stopped: no client and no timer left. */
static int
teardown(void **state)
{
	(void)state;
	loop_timer_del(sup.loop, pump_t);
	pump_t = NULL;
	pumping = 0;
	httpd_hooks.stop(&sup);
	assert_int_equal(page_sse_count(), 0);
	assert_false(page_sse_armed());
	httpd_close();
	supfix_free(&sup);
	rmdir(dir);
	page_tune = saved;
	return (0);
}

/* A thousand changes: one snapshot; none without a client, nor a timer. */
static void
test_coalesce(void **state)
{
	struct peer	 a;
	struct timer	*t = NULL;
	int		 i;

	(void)state;
	page_changed(&sup);
	assert_false(page_sse_armed());		/* nobody to tell */
	page_tune.refresh = 60;
	peer_open(&a, 1);
	wait_events(&a, 1);			/* the first, at once */
	assert_non_null(strstr(a.buf, "HTTP/1.1 200 OK\r\n"));
	assert_non_null(strstr(a.buf, "Content-Type: text/event-stream"));
	assert_non_null(strstr(a.buf,
	    "\"name\": \"service-with-a-long-name-19\", \"state\": \"STOPPED\""));
	assert_int_equal(page_sse_count(), 1);
	for (i = 0; i < 1000; i++)
		sup_changed(&sup);
	wait_events(&a, 2);
	/* Three times the spell: no more than that one. */
	(void)loop_timer(sup.loop, 3 * page_tune.coalesce, quiet_cb, NULL);
	supfix_run(&sup);
	assert_int_equal(events_of(&a), 2);
	/* The client leaves: its connection and the timer go. */
	peer_close(&a);
	t = loop_timer(sup.loop, 0.001, gone_cb, &t);
	supfix_run(&sup);
	loop_timer_del(sup.loop, t);
	assert_int_equal(page_sse_count(), 0);
	assert_false(page_sse_armed());
	page_changed(&sup);
	assert_false(page_sse_armed());
}

/* One that reads nothing is cut; the one that reads keeps up. */
static void
test_slow_cut(void **state)
{
	struct peer	 fast, slow;
	int		 before;

	(void)state;
	page_tune.coalesce = 0.001;
	page_tune.qmax = 32 * 1024;
	peer_open(&fast, 1);
	wait_events(&fast, 1);
	peer_open(&slow, 0);
	pumping = 5;
	pump_t = loop_timer(sup.loop, 0.001, pump_cb, NULL);
	supfix_run(&sup);			/* until slow is cut */
	loop_timer_del(sup.loop, pump_t);
	pump_t = NULL;
	pumping = 0;
	assert_int_equal(page_sse_count(), 1);
	assert_false(fast.eof);
	before = events_of(&fast);
	assert_true(before > 2);
	sup_changed(&sup);
	wait_events(&fast, before + 1);		/* still served */
	peer_close(&slow);
	peer_close(&fast);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_coalesce, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_slow_cut, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
