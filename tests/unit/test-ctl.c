/*
 * The control socket's verbs through the real transport: a supervisor's
 * struct sup with its loop and services from a config, its socket in a
 * temp dir, requests sent as cmd-ctl.c sends them, the loop run until
 * the reply has come.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
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
#include "stubs.h"
#include "supfix.h"

#define CONF \
	"[program:web]\ncommand=sleep 1000\nautostart=false\nstartsecs=0\n" \
	"stopwaitsecs=5\nstdout_logfile=NONE\nstderr_logfile=NONE\n" \
	"[program:db]\ncommand=sleep 1000\nautostart=false\nstartsecs=0\n" \
	"priority=10\nstdout_logfile=NONE\nstderr_logfile=NONE\n" \
	"[program:one]\ncommand=sleep 1000\nautostart=false\nstartsecs=0\n" \
	"process_name=x\nstdout_logfile=NONE\nstderr_logfile=NONE\n" \
	"[program:two]\ncommand=sleep 1000\nautostart=false\nstartsecs=0\n" \
	"process_name=y\nstdout_logfile=NONE\nstderr_logfile=NONE\n" \
	"[group:g]\nprograms=one\n[group:h]\nprograms=two\n"

static char		 dir[] = "/tmp/test-ctl.XXXXXX";
static char		 sock[128], conf[128];
static struct sup	 sup;

/* The reply to one request: its text, its final line. */
struct reply {
	int	 fd;
	char	 text[65536];
	size_t	 len;
	char	 final[4096];
	int	 done;
};

/* Read what the supervisor sent, up to OK or ERR. */
static void
reply_read(struct reply *r)
{
	char		 buf[65536];
	ssize_t		 n;

	while (!r->done && (n = recv(r->fd, buf, sizeof buf - 1,
	    MSG_DONTWAIT)) != -1) {
		buf[n] = '\0';
		if (n == 0)
			snprintf(r->final, sizeof r->final, "EOF");
		else if (strncmp(buf, "OK", 2) == 0 ||
		    strncmp(buf, "ERR", 3) == 0)
			snprintf(r->final, sizeof r->final, "%s", buf);
		else {
			if (r->len + (size_t)n >= sizeof r->text)
				fail_msg("reply too long");
			memcpy(r->text + r->len, buf, (size_t)n);
			r->len += (size_t)n;
			r->text[r->len] = '\0';
			continue;
		}
		r->done = 1;
	}
}

/* The reply's socket is readable: stop the loop once it is all read. */
static void
reply_cb(int fd, uint32_t events, void *arg)
{
	struct reply	*r = arg;

	(void)fd;
	(void)events;
	reply_read(r);
	if (r->done)
		loop_stop(sup.loop);
}

/* Send one raw request; run the loop until its reply. */
static void
ask_raw(struct reply *r, const char *req, size_t len)
{
	struct sockaddr_un	 sun;
	struct timeval		 tv = { 10, 0 };
	char			 c;

	memset(r, 0, sizeof *r);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock);
	r->fd = socket(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC, 0);
	assert_true(r->fd != -1);
	assert_int_equal(connect(r->fd, (struct sockaddr *)&sun, sizeof sun),
	    0);
	assert_int_equal(send(r->fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	assert_int_equal(loop_add(sup.loop, r->fd, EPOLLIN, reply_cb, r), 0);
	supfix_run(&sup);
	loop_del(sup.loop, r->fd);
	if (!r->done)		/* the loop was stopped by the request */
		reply_read(r);
	assert_true(r->done);
	/*
	 * One request per connection: closed once answered (a service
	 * forked just now holds it until its exec).
	 */
	assert_int_equal(setsockopt(r->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv), 0);
	if (recv(r->fd, &c, 1, 0) != 0)
		fail_msg("still open after %s: %s", r->final, strerror(errno));
	close(r->fd);
}

/* Send verb and its arguments (NULL-ended) as cmd-ctl.c does. */
static void
ask(struct reply *r, const char *verb, ...)
{
	char		 req[8192];
	const char	*a;
	size_t		 len;
	va_list		 ap;

	memcpy(req, "warden1", 8);
	len = 8;
	va_start(ap, verb);
	for (a = verb; a != NULL; a = va_arg(ap, const char *)) {
		assert_true(len + strlen(a) + 1 <= sizeof req);
		memcpy(req + len, a, strlen(a) + 1);
		len += strlen(a) + 1;
	}
	va_end(ap);
	ask_raw(r, req, len);
}

/* The reply is exactly final, with text containing each of the rest. */
static void
expect(const struct reply *r, const char *final, ...)
{
	const char	*s;
	va_list		 ap;

	if (strcmp(r->final, final) != 0)
		fail_msg("final line: got \"%s\", want \"%s\"", r->final,
		    final);
	va_start(ap, final);
	while ((s = va_arg(ap, const char *)) != NULL)
		if (strstr(r->text, s) == NULL)
			fail_msg("\"%s\" missing from:\n%s", s, r->text);
	va_end(ap);
}

static struct svc *
svc(const char *group, const char *name)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup.svcs, entry)
		if (strcmp(s->cfg->group, group) == 0 &&
		    strcmp(s->cfg->name, name) == 0)
			return (s);
	fail_msg("%s:%s: no such service", group, name);
	return (NULL);
}

/* A supervisor without sup_main: the services of CONF, its socket. */
static int
setup(void **state)
{
	struct config	*cf;
	char		*cause = NULL;
	FILE		*fp;

	(void)state;
	strcpy(dir, "/tmp/test-ctl.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof sock, "%s/ctl.sock", dir);
	snprintf(conf, sizeof conf, "%s/warden.conf", dir);
	assert_non_null(fp = fopen(conf, "w"));
	fputs(CONF, fp);
	fclose(fp);
	supfix_init(&sup, &ctl_hooks);
	if (cfg_load_string(conf, CONF, &cf, &cause) == -1)
		fail_msg("%s", cause);
	sup.cfg = cf;
	if ((sup.ctlfd = ctl_listen(sock, 0600, &cause)) == -1)
		fail_msg("%s", cause);
	assert_int_equal(ctl_hooks.start(&sup), 0);
	sup_adopt(&sup, cf, &sup.svcs);
	return (0);
}

/* The clients closed, every process killed by its pid, all freed. */
static int
teardown(void **state)
{
	(void)state;
	ctl_hooks.stop(&sup);
	close(sup.ctlfd);
	supfix_free(&sup);
	unlink(sock);
	unlink(conf);
	rmdir(dir);
	return (0);
}

static void
test_status(void **state)
{
	struct reply	r;
	char		want[256];

	(void)state;
	ask(&r, "status", NULL);
	/* Not all RUNNING: OK 3; a line per service, GROUP:NAME if apart. */
	snprintf(want, sizeof want, "%-32s %-9s %s\n", "web", "STOPPED",
	    "Not started");
	expect(&r, "OK 3", want, "db ", "g:x ", NULL);
	assert_null(strstr(r.text, "one"));
	assert_int_equal(strstr(r.text, "web") < strstr(r.text, "db"), 1);

	ask(&r, "status", "--json", "web", NULL);
	expect(&r, "OK 3", "{\"services\": [{\"name\": \"web\", \"group\": "
	    "\"web\", \"state\": \"STOPPED\", \"pid\": null, \"since\": ",
	    "\"exit_status\": null, \"restarts\": 0, \"ready\": false, "
	    "\"description\": \"Not started\"}]}\n", NULL);
	assert_null(strstr(r.text, "db"));

	/* --json anywhere among the names. */
	ask(&r, "status", "g:*", "--json", NULL);
	expect(&r, "OK 3", "\"name\": \"x\", \"group\": \"g\"", NULL);
	assert_null(strstr(r.text, "web"));
}

static void
test_names(void **state)
{
	struct reply	 r;
	struct svc	*s;

	(void)state;
	ask(&r, "status", "nosuch", NULL);
	expect(&r, "ERR nosuch: no such process", NULL);
	ask(&r, "status", "x", NULL);
	expect(&r, "OK 3", "g:x ", NULL);

	/* A config never has two of a name; groups apart, svc_find may. */
	s = svc("h", "y");
	free(s->cfg->name);
	s->cfg->name = xstrdup("x");
	ask(&r, "start", "x", NULL);
	expect(&r, "ERR x: ambiguous, use GROUP:x", NULL);
	ask(&r, "status", "h:x", NULL);
	expect(&r, "OK 3", "h:x ", NULL);
	assert_null(strstr(r.text, "g:x"));
	free(s->cfg->name);
	s->cfg->name = xstrdup("y");
	ask(&r, "stop", "web", "nosuch", NULL);
	expect(&r, "ERR nosuch: no such process", NULL);
	ask(&r, "stop", "nog:*", NULL);
	expect(&r, "ERR nog: no such group", NULL);
	ask(&r, "restart", "g:nosuch", NULL);
	expect(&r, "ERR g:nosuch: no such process", NULL);

	/* GROUP:*, GROUP:NAME, all: stopping what is stopped is done. */
	ask(&r, "stop", "g:*", NULL);
	expect(&r, "OK", "g:x: stopped\n", NULL);
	assert_null(strstr(r.text, "web"));
	assert_null(strstr(r.text, "h:y"));
	ask(&r, "stop", "g:x", "web", NULL);
	expect(&r, "OK", "g:x: stopped\n", "web: stopped\n", NULL);
	assert_null(strstr(r.text, "db"));
	ask(&r, "stop", "all", NULL);
	expect(&r, "OK", "web: stopped\n", "db: stopped\n", "g:x: stopped\n",
	    "h:y: stopped\n", NULL);
	ask(&r, "status", "all", NULL);
	expect(&r, "OK 3", "web ", "db ", "g:x ", "h:y ", NULL);
}

static void
test_unknown(void **state)
{
	struct reply	r;

	(void)state;
	ask(&r, "frob", NULL);
	expect(&r, "ERR unknown command: frob", NULL);
	ask(&r, "Status", NULL);
	expect(&r, "ERR unknown command: Status", NULL);
	ask(&r, "", NULL);
	expect(&r, "ERR unknown command: ", NULL);
}

/* Each verb's argument counts: the last allowed and one past it. */
static void
test_usage(void **state)
{
	static const char *names = "NAME...|GROUP:*|all";
	struct reply	 r;
	char		 want[256];

	(void)state;
	snprintf(want, sizeof want, "ERR usage: start %s", names);
	ask(&r, "start", NULL);
	expect(&r, want, NULL);
	snprintf(want, sizeof want, "ERR usage: stop %s", names);
	ask(&r, "stop", NULL);
	expect(&r, want, NULL);
	snprintf(want, sizeof want, "ERR usage: restart %s", names);
	ask(&r, "restart", NULL);
	expect(&r, want, NULL);
	ask(&r, "reload", "x", NULL);
	expect(&r, "ERR usage: reload", NULL);
	ask(&r, "shutdown", "now", NULL);
	expect(&r, "ERR usage: shutdown", NULL);
	ask(&r, "logs", NULL);
	expect(&r, "ERR usage: logs (NAME | --supervisor) [-f] [-n LINES] "
	    "[--stderr] [--rotate]", NULL);
	ask(&r, "logs", "web", "-n", "1", "-n", "2", "-n", "3", NULL);
	expect(&r, "ERR usage: logs (NAME | --supervisor) [-f] [-n LINES] "
	    "[--stderr] [--rotate]", NULL);
	ask(&r, "logs", "web", "-n", "1", "--stderr", "-n", "2", "--stderr",
	    NULL);
	expect(&r, "ERR usage: logs (NAME | --supervisor) [-f] [-n LINES] "
	    "[--stderr] [--rotate]", NULL);
	/* Six arguments are fine; so are many names. */
	ask(&r, "logs", "web", "-n", "1", "--stderr", "-n", "2", NULL);
	expect(&r, "OK", NULL);
	ask(&r, "status", "web", "db", "g:x", "g:*", "all", "web", "db", NULL);
	expect(&r, "OK 3", NULL);
	/* What the verbs check themselves. */
	ask(&r, "logs", "web", "-f", "--rotate", NULL);
	expect(&r, "ERR usage: logs (NAME | --supervisor) [-f] [-n LINES] "
	    "[--stderr] [--rotate]", NULL);
	ask(&r, "logs", "--supervisor", "--stderr", NULL);
	expect(&r, "ERR usage: logs (NAME | --supervisor) [-f] [-n LINES] "
	    "[--stderr] [--rotate]", NULL);
	ask(&r, "logs", "web", "-n", "many", NULL);
	expect(&r, "ERR usage: logs (NAME | --supervisor) [-f] [-n LINES] "
	    "[--stderr] [--rotate]", NULL);
	ask(&r, "logs", "nosuch", NULL);
	expect(&r, "ERR nosuch: no such process", NULL);
}

/* start, status, restart, stop of a process that just sleeps. */
static void
test_start_stop(void **state)
{
	struct reply	 r;
	struct svc	*web = svc("web", "web"), *db = svc("db", "db");
	char		 want[256];
	pid_t		 pid;

	(void)state;
	ask(&r, "start", "web", "db", NULL);
	expect(&r, "OK", "web: started\n", "db: started\n", NULL);
	assert_int_equal(web->state, SVC_RUNNING);
	assert_int_equal(db->state, SVC_RUNNING);
	/* The lowest priority first: db (10) before web (999). */
	assert_true(strstr(r.text, "db") < strstr(r.text, "web"));
	assert_true(web->pid > 0);
	assert_int_equal(kill(web->pid, 0), 0);

	ask(&r, "start", "web", NULL);
	expect(&r, "OK", "web: ERROR (already started)\n", NULL);
	/* all: what is started already is left out. */
	ask(&r, "start", "all", NULL);
	expect(&r, "OK", "g:x: started\n", "h:y: started\n", NULL);
	assert_null(strstr(r.text, "web"));
	assert_int_equal(svc("g", "x")->state, SVC_RUNNING);
	assert_int_equal(svc("h", "y")->state, SVC_RUNNING);

	ask(&r, "status", "web", "db", NULL);
	snprintf(want, sizeof want, "%-32s RUNNING   pid %ld, uptime 0:00:0",
	    "web", (long)web->pid);
	expect(&r, "OK", want, NULL);
	ask(&r, "status", "--json", "web", NULL);
	snprintf(want, sizeof want, "\"state\": \"RUNNING\", \"pid\": %ld,",
	    (long)web->pid);
	expect(&r, "OK", want, "\"ready\": true", NULL);

	pid = web->pid;
	ask(&r, "restart", "web", NULL);
	expect(&r, "OK", "web: started\n", NULL);
	assert_int_equal(web->state, SVC_RUNNING);
	assert_true(web->pid != pid && web->pid > 0);
	assert_int_equal(kill(pid, 0), -1);

	pid = web->pid;
	ask(&r, "stop", "web", NULL);
	expect(&r, "OK", "web: stopped\n", NULL);
	assert_int_equal(web->state, SVC_STOPPED);
	assert_int_equal(web->pid, 0);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(db->state, SVC_RUNNING);
}

/* The request parser's limits, as a client meets them. */
static void
test_framing(void **state)
{
	struct reply	 r;
	char		*big;
	size_t		 i, len;

	(void)state;
	ask_raw(&r, "warden1\0status", 14);
	expect(&r, "ERR malformed request", NULL);
	ask_raw(&r, "warden2\0status\0", 15);
	expect(&r, "ERR protocol warden1 expected", NULL);
	ask_raw(&r, "warden1\0", 8);
	expect(&r, "ERR protocol warden1 expected", NULL);
	ask_raw(&r, "warden1\0status\0we\tb\0", 20);
	expect(&r, "ERR control character in request", NULL);

	big = malloc(70000);
	assert_non_null(big);
	/* 4096 fields are taken, 4097 are not. */
	memcpy(big, "warden1\0status", 15);
	len = 15;
	for (i = 2; i < 4096; i++) {
		memcpy(big + len, "--json", 7);
		len += 7;
	}
	ask_raw(&r, big, len);
	expect(&r, "OK 3", "{\"services\": [{\"name\": \"web\"", NULL);
	memcpy(big + len, "--json", 7);
	ask_raw(&r, big, len + 7);
	expect(&r, "ERR too many fields", NULL);

	/* A field of 1024 bytes is taken, 1025 are not. */
	memset(big + 15, 'a', 1025);
	big[15 + 1024] = '\0';
	ask_raw(&r, big, 15 + 1025);
	assert_int_equal(strncmp(r.final, "ERR aaaaaaaa", 12), 0);
	assert_non_null(strstr(r.final, "a: no such process"));
	big[15 + 1024] = 'a';
	big[15 + 1025] = '\0';
	ask_raw(&r, big, 15 + 1026);
	expect(&r, "ERR field too long", NULL);

	/* 64 KiB at most: fields of 1000 bytes up to there. */
	memset(big, 'a', 70000);
	memcpy(big, "warden1\0status", 15);
	for (i = 15 + 1000; i < 70000; i += 1000)
		big[i] = '\0';
	big[65535] = big[65536] = '\0';
	ask_raw(&r, big, 65536);
	assert_int_equal(strncmp(r.final, "ERR aaaaaaaa", 12), 0);
	assert_non_null(strstr(r.final, "a: no such process"));
	ask_raw(&r, big, 65537);
	expect(&r, "ERR request too large", NULL);
	free(big);
}

/* reload and shutdown, through the socket. */
static void
test_reload_shutdown(void **state)
{
	struct reply	 r;
	FILE		*fp;

	(void)state;
	assert_non_null(fp = fopen(conf, "a"));
	fputs("[program:new]\ncommand=sleep 1000\nautostart=false\n"
	    "stdout_logfile=NONE\nstderr_logfile=NONE\n", fp);
	fclose(fp);
	ask(&r, "reload", NULL);
	expect(&r, "OK", NULL);
	ask(&r, "status", "new", NULL);
	expect(&r, "OK 3", "new ", NULL);

	assert_non_null(fp = fopen(conf, "a"));
	fputs("[program:bad]\ncommand=sleep 1\nnumprocs=x\n", fp);
	fclose(fp);
	ask(&r, "reload", NULL);
	assert_int_equal(strncmp(r.final, "ERR ", 4), 0);
	assert_non_null(strstr(r.final, conf));

	assert_int_equal(sup.shutting_down, 0);
	ask(&r, "shutdown", NULL);
	expect(&r, "OK", NULL);
	assert_int_equal(sup.shutting_down, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_stop, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_framing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_shutdown, setup,
		    teardown),
	};

	return (cmocka_run_group_tests_name("ctl", tests, NULL, NULL));
}
