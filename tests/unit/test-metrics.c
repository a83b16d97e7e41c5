/*
 * GET /metrics's text (metrics.c) on a real struct sup: the exact text
 * for a small fixture, the label escaper, the cgroup reader on files
 * written here (cgroup.c's cg_usage_at), and the counters rising as a
 * service writes and is restarted.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/sup.h"
#include "../../src/sup/buf.h"
#include "stubs.h"
#include "supfix.h"

static char		 dir[] = "/tmp/test-metrics.XXXXXX";
static struct sup	 sup;
static const struct sup_hooks hooks = { NULL, NULL, NULL, NULL };

/* A temp dir, SIGPIPE blocked, an empty supervisor. */
static int
setup(void **state)
{
	sigset_t	set;

	(void)state;
	strcpy(dir, "/tmp/test-metrics.XXXXXX");
	assert_non_null(mkdtemp(dir));
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	supfix_init(&sup, &hooks);
	metrics_requests[METRICS_CONTROL] = metrics_requests[METRICS_HTTP] = 0;
	return (0);
}

/* Every process killed, everything freed, the dir removed. */
static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	supfix_free(&sup);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return (0);
}

/* The services of text (a %s in it is the directory). */
static void
load(const char *fmt)
{
	struct config	*cf;
	char		*cause = NULL, *text, path[160];
	FILE		*fp;

	xasprintf(&text, fmt, dir, dir);
	snprintf(path, sizeof path, "%s/warden.conf", dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "[supervisord]\nlogfile=%s/main.log\nchildlogdir=%s\n%s",
	    dir, dir, text);
	assert_int_equal(fclose(fp), 0);
	free(text);
	if (cfg_load(path, &cf, &cause) == -1)
		fail_msg("%s", cause);
	sup.cfg = cf;
	sup_adopt(&sup, cf, &sup.svcs);
}

/* The service name, or fail. */
static struct svc *
find(const char *name)
{
	struct svc	*s;

	TAILQ_FOREACH(s, &sup.svcs, entry)
		if (strcmp(s->cfg->name, name) == 0)
			return (s);
	fail_msg("no service %s", name);
	return (NULL);
}

/* The value of series in text; -1 when it is not there. */
static double
value(const char *text, const char *series)
{
	const char	*p = text;
	size_t		 n = strlen(series);

	while (p != NULL) {
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return (strtod(p + n + 1, NULL));
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return (-1);
}

/* Labels escaped: backslash, double quote and newline; nothing else. */
static void
test_label(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "", "" },
		{ "web", "web" },
		{ "a\\b", "a\\\\b" },
		{ "say \"hi\"", "say \\\"hi\\\"" },
		{ "two\nlines\n", "two\\nlines\\n" },
		{ "\\\"\n", "\\\\\\\"\\n" },
		{ "tab\tand 'quote' é", "tab\tand 'quote' é" },
	};
	struct buf	b;
	size_t		i;

	(void)state;
	memset(&b, 0, sizeof b);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		buf_reset(&b);
		buf_adds(&b, "");
		metrics_label(&b, cases[i].in);
		assert_string_equal(b.data, cases[i].out);
	}
	buf_free(&b);
}

/* The fixture's expected text, for WARDEN_VERSION_STR. */
static const char fixture[] =
    "# HELP warden_build_info The version of warden, as a label; always 1.\n"
    "# TYPE warden_build_info gauge\n"
    "warden_build_info{version=\"" WARDEN_VERSION_STR "\"} 1\n"
    "# HELP warden_supervisor_start_time_seconds When the supervisor "
    "started, in seconds since the epoch.\n"
    "# TYPE warden_supervisor_start_time_seconds gauge\n"
    "warden_supervisor_start_time_seconds 1700000000\n"
    "# HELP warden_services Services in each state.\n"
    "# TYPE warden_services gauge\n"
    "warden_services{state=\"STOPPED\"} 0\n"
    "warden_services{state=\"STARTING\"} 0\n"
    "warden_services{state=\"RUNNING\"} 1\n"
    "warden_services{state=\"BACKOFF\"} 0\n"
    "warden_services{state=\"STOPPING\"} 0\n"
    "warden_services{state=\"EXITED\"} 0\n"
    "warden_services{state=\"FATAL\"} 1\n"
    "# HELP warden_control_requests_total Requests taken, by transport: "
    "the control socket, HTTP.\n"
    "# TYPE warden_control_requests_total counter\n"
    "warden_control_requests_total{transport=\"control\"} 3\n"
    "warden_control_requests_total{transport=\"http\"} 4\n"
    "# HELP warden_service_state The service's state: 1 for the current "
    "one, 0 for the others.\n"
    "# TYPE warden_service_state gauge\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"STOPPED\"} 0\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"STARTING\"} 0\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"RUNNING\"} 1\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"BACKOFF\"} 0\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"STOPPING\"} 0\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"EXITED\"} 0\n"
    "warden_service_state{name=\"a\",group=\"g\",state=\"FATAL\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"STOPPED\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"STARTING\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"RUNNING\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"BACKOFF\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"STOPPING\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"EXITED\"} 0\n"
    "warden_service_state{name=\"b\",group=\"b\",state=\"FATAL\"} 1\n"
    "# HELP warden_service_up 1 when a process of the service is there.\n"
    "# TYPE warden_service_up gauge\n"
    "warden_service_up{name=\"a\",group=\"g\"} 1\n"
    "warden_service_up{name=\"b\",group=\"b\"} 0\n"
    "# HELP warden_service_ready 1 when the service is RUNNING: started "
    "and ready.\n"
    "# TYPE warden_service_ready gauge\n"
    "warden_service_ready{name=\"a\",group=\"g\"} 1\n"
    "warden_service_ready{name=\"b\",group=\"b\"} 0\n"
    "# HELP warden_service_restarts_total Automatic restarts after an "
    "exit from RUNNING.\n"
    "# TYPE warden_service_restarts_total counter\n"
    "warden_service_restarts_total{name=\"a\",group=\"g\"} 2\n"
    "warden_service_restarts_total{name=\"b\",group=\"b\"} 0\n"
    "# HELP warden_service_start_time_seconds When the service's last "
    "process started, in seconds since the epoch.\n"
    "# TYPE warden_service_start_time_seconds gauge\n"
    "# HELP warden_service_last_exit_status The last exit's status, kept "
    "while the next process runs: its code, or 128 + N for signal N.\n"
    "# TYPE warden_service_last_exit_status gauge\n"
    "warden_service_last_exit_status{name=\"a\",group=\"g\"} 7\n"
    "warden_service_last_exit_status{name=\"b\",group=\"b\"} 137\n"
    "# HELP warden_service_log_bytes_total Bytes of output written to the "
    "service's log.\n"
    "# TYPE warden_service_log_bytes_total counter\n"
    "warden_service_log_bytes_total{name=\"a\",group=\"g\","
    "stream=\"stdout\"} 1234\n"
    "# HELP warden_service_log_held_bytes Output held back because its "
    "log could not take it (a full disk, say).\n"
    "# TYPE warden_service_log_held_bytes gauge\n"
    "warden_service_log_held_bytes{name=\"a\",group=\"g\","
    "stream=\"stdout\"} 13\n"
    "# HELP warden_service_memory_bytes Memory the service's cgroup uses "
    "(memory.current).\n"
    "# TYPE warden_service_memory_bytes gauge\n"
    "# HELP warden_service_cpu_seconds_total CPU time the service's cgroup "
    "used (cpu.stat's usage_usec).\n"
    "# TYPE warden_service_cpu_seconds_total counter\n";

/*
 * Two services set by hand: a in group g, RUNNING (a pid that is not
 * ours: it is never signalled), its stdout in a file with bytes held;
 * b FATAL after a SIGKILL.  The exact text, every family and series.
 */
static void
test_fixture(void **state)
{
	struct svc	*a, *b;
	struct buf	 out;

	(void)state;
	load("[group:g]\nprograms=a\n"
	    "[program:a]\ncommand=true\nautostart=false\n"
	    "stdout_logfile=%s/a.log\nstderr_logfile=NONE\n"
	    "[program:b]\ncommand=true\nautostart=false\n"
	    "stdout_logfile=NONE\nstderr_logfile=NONE\n");
	a = find("a");
	b = find("b");
	assert_non_null(a->out);
	assert_null(a->err);
	sup.started = 1700000000;
	metrics_requests[METRICS_CONTROL] = 3;
	metrics_requests[METRICS_HTTP] = 4;
	a->state = SVC_RUNNING;
	a->pid = 999999;
	a->restarts = 2;
	a->status = 7 << 8;		/* exited 7 */
	a->laststop = 1700000100;
	a->out->written = 1234;
	a->out->heldlen = 10;
	a->out->heldoff = 4;
	a->out->pendlen = 7;
	b->state = SVC_FATAL;
	b->status = SIGKILL;		/* killed */
	b->laststop = 1700000200;
	memset(&out, 0, sizeof out);
	metrics_render(&sup, &out);
	a->pid = 0;
	a->out->heldlen = a->out->heldoff = a->out->pendlen = 0;
	assert_string_equal(out.data, fixture);

	/* A start time once started, a state that moves, a count with it. */
	a->started = mono_now() - 30;
	a->state = SVC_STOPPING;
	buf_reset(&out);
	metrics_render(&sup, &out);
	assert_true(value(out.data, "warden_service_start_time_seconds"
	    "{name=\"a\",group=\"g\"}") >= (double)time(NULL) - 32);
	assert_int_equal(value(out.data, "warden_service_state{name=\"a\","
	    "group=\"g\",state=\"RUNNING\"}"), 0);
	assert_int_equal(value(out.data, "warden_service_state{name=\"a\","
	    "group=\"g\",state=\"STOPPING\"}"), 1);
	assert_int_equal(value(out.data, "warden_services"
	    "{state=\"STOPPING\"}"), 1);
	assert_int_equal(value(out.data, "warden_services"
	    "{state=\"RUNNING\"}"), 0);
	assert_int_equal(value(out.data, "warden_service_up"
	    "{name=\"a\",group=\"g\"}"), 0);
	buf_free(&out);
}

/* Write text into dir/rel/file. */
static void
put(const char *rel, const char *file, const char *text)
{
	char	path[256];
	FILE	*fp;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	(void)mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/%s/%s", dir, rel, file);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

/* memory.current and cpu.stat read below a directory fd; gaps left out. */
static void
test_cgroup(void **state)
{
	struct cg_usage	u;
	int		dfd;

	(void)state;
	assert_true((dfd = open(dir, O_RDONLY|O_DIRECTORY)) != -1);
	put("web", "memory.current", "12345678\n");
	put("web", "cpu.stat", "usage_usec 2500001\nuser_usec 2000000\n"
	    "system_usec 500001\n");
	cg_usage_at(dfd, "web", &u);
	assert_true(u.has_memory && u.has_cpu);
	assert_int_equal(u.memory, 12345678);
	assert_int_equal(u.cpu_usec, 2500001);

	/* usage_usec on a later line; no memory controller. */
	put("db", "cpu.stat", "nr_periods 3\nusage_usec 42\n");
	cg_usage_at(dfd, "db", &u);
	assert_false(u.has_memory);
	assert_true(u.has_cpu);
	assert_int_equal(u.cpu_usec, 42);

	/* Junk, and no such cgroup. */
	put("bad", "memory.current", "max\n");
	put("bad", "cpu.stat", "user_usec 1\n");
	cg_usage_at(dfd, "bad", &u);
	assert_false(u.has_memory || u.has_cpu);
	cg_usage_at(dfd, "gone", &u);
	assert_false(u.has_memory || u.has_cpu);
	close(dfd);

	/* No cgroup of ours: nothing read. */
	cg_usage(NULL, &u);
	assert_false(u.has_memory || u.has_cpu);
}

static struct svc	*watched;
static unsigned long	 want_restarts;
static uint64_t		 want_bytes;

/* Every 10 ms: has the service restarted and written enough? */
static void
watch_cb(void *arg)
{
	(void)arg;
	if (watched->restarts >= want_restarts &&
	    watched->out->written >= want_bytes) {
		loop_stop(sup.loop);
		return;
	}
	(void)loop_timer(sup.loop, 0.01, watch_cb, NULL);
}

/* Run until s has restarted restarts times and written bytes. */
static void
run_until(struct svc *s, unsigned long restarts, uint64_t bytes)
{
	watched = s;
	want_restarts = restarts;
	want_bytes = bytes;
	(void)loop_timer(sup.loop, 0, watch_cb, NULL);
	supfix_run(&sup);
}

/* A service that says hello and exits: restarts and bytes rise. */
static void
test_counters(void **state)
{
	struct svc	*s;
	struct buf	 out;
	const char	*rs = "warden_service_restarts_total{name=\"w\","
			    "group=\"w\"}";
	const char	*lb = "warden_service_log_bytes_total{name=\"w\","
			    "group=\"w\",stream=\"stdout\"}";
	const char	*ex = "warden_service_last_exit_status{name=\"w\","
			    "group=\"w\"}";
	double		 n;

	(void)state;
	load("[program:w]\ncommand=sh -c 'echo hello; sleep 0.05; exit 3'\n"
	    "autostart=false\nstartsecs=0\nautorestart=true\n"
	    "stdout_logfile=%s/w.log\nstderr_logfile=NONE\n");
	s = find("w");
	memset(&out, 0, sizeof out);
	metrics_render(&sup, &out);
	assert_int_equal(value(out.data, rs), 0);
	assert_int_equal(value(out.data, lb), 0);
	assert_int_equal(value(out.data, ex), -1);

	svc_event(s, EV_START);
	run_until(s, 0, 6);
	buf_reset(&out);
	metrics_render(&sup, &out);
	assert_true(value(out.data, lb) >= 6);

	run_until(s, 1, 12);
	buf_reset(&out);
	metrics_render(&sup, &out);
	assert_true((n = value(out.data, rs)) >= 1);
	assert_int_equal(n, s->restarts);
	assert_true((n = value(out.data, lb)) >= 12);
	assert_int_equal(n, s->out->written);
	assert_int_equal(value(out.data, ex), 3);
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label),
		cmocka_unit_test_setup_teardown(test_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
