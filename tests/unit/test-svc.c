/*
 * The service state machine, driven for real: every (state, event) pair
 * against a table written here, not read from svc_table, then each
 * action on its own, and the supervisor's lifecycle around them.  The
 * services are /bin/sleep or /bin/sh; every process is killed and reaped
 * by its pid or its process group (the test is their subreaper).
 */
#include <sys/prctl.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <poll.h>
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
#include "stubs.h"

#define NSTATES		7
#define NEVENTS		8

/* Annotations an event may set, checked right after it. */
#define M_RESTART	0x1
#define M_UNSTOPPABLE	0x2
#define M_START_TIMEOUT	0x4
#define M_WDOG		0x8

/* A supervisor of its own: a loop, a config, services not started. */
struct fx {
	struct sup	 sup;
	struct config	*cf;
	struct svc	*s;		/* the first service */
};

static char	 tmpdir[] = "/tmp/test-svc.XXXXXX";
static const struct sup_hooks no_hooks;	/* no control socket here */

/* The supervisor for text's programs, in file order; none started. */
static struct fx *
fx_new(const char *text)
{
	struct fx	*fx;
	struct cfg_proc	*p;
	struct svc	*s;
	char		*cause = NULL;

	fx = xcalloc(1, sizeof *fx);
	if (cfg_load_string("test.conf", text, &fx->cf, &cause) != 0)
		fail_msg("config: %s\n%s", cause, text);
	fx->sup.cfg = fx->cf;
	fx->sup.loop = loop_new();
	fx->sup.hooks = &no_hooks;
	fx->sup.notifyfd = fx->sup.sigfd = fx->sup.ctlfd = -1;
	fx->sup.settled_sent = 1;
	TAILQ_INIT(&fx->sup.svcs);
	while ((p = TAILQ_FIRST(&fx->cf->procs)) != NULL) {
		TAILQ_REMOVE(&fx->cf->procs, p, entry);
		fx->cf->nprocs--;
		s = svc_new(&fx->sup, p);
		TAILQ_INSERT_TAIL(&fx->sup.svcs, s, entry);
	}
	fx->s = TAILQ_FIRST(&fx->sup.svcs);
	return (fx);
}

/* The service called name. */
static struct svc *
fx_svc(struct fx *fx, const char *name)
{
	struct svc	*s;
	char		*cause = NULL;

	if ((s = svc_find(&fx->sup, name, &cause)) == NULL)
		fail_msg("%s", cause);
	return (s);
}

/* Kill what the service runs, by pid and by its group; reap it all. */
static void
fx_kill(struct svc *s)
{
	pid_t	grp = s->sid;

	if (s->pid > 0) {
		(void)kill(s->pid, SIGKILL);
		(void)waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (grp > 0) {
		(void)kill(-grp, SIGKILL);
		while (waitpid(-grp, NULL, 0) > 0)
			;
	}
}

static void
fx_free(struct fx *fx)
{
	struct svc	*s;
	struct cfg_proc	*cfg;

	while ((s = TAILQ_FIRST(&fx->sup.svcs)) != NULL) {
		fx_kill(s);
		TAILQ_REMOVE(&fx->sup.svcs, s, entry);
		cfg = s->cfg;
		svc_free(s);
		cfg_proc_free(cfg);
	}
	ready_fini(&fx->sup);
	loop_free(fx->sup.loop);
	cfg_free(fx->cf);
	free(fx);
}

/* The service's process is killed and reaped; svc_exited gets status. */
static void
die_as(struct svc *s, int status)
{
	int	real;

	assert_true(s->pid > 0);
	assert_int_equal(kill(s->pid, SIGKILL), 0);
	assert_int_equal(waitpid(s->pid, &real, 0), s->pid);
	svc_exited(s, status == -1 ? real : status);
}

/* The process dies of SIGKILL, reaped as sup_reap does. */
static void
die(struct svc *s)
{
	die_as(s, -1);
}

/* Is fd readable (or at its end) within ms? */
static int
readable(int fd, int ms)
{
	struct pollfd	pfd;

	assert_true(fd != -1);
	pfd.fd = fd;
	pfd.events = POLLIN;
	return (poll(&pfd, 1, ms) == 1);
}

/*
 * The child has exec'd (its setup report pipe is at EOF): it leads its
 * own session and group by now.
 */
static void
wait_exec(struct svc *s)
{
	assert_true(readable(s->repfd, 5000));
	assert_int_equal(getpgid(s->pid), s->pid);
}

/* STOPPING: the process dies of the stop signal (2 s at most). */
static void
stopped(struct svc *s)
{
	int	status;

	assert_true(s->pid > 0);
	if (!readable(s->pidfd, 2000))
		fail_msg("%s: STOPPING, but not signalled", s->cfg->name);
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	assert_true(WIFSIGNALED(status));
	svc_exited(s, status);
}

/* The state's timer is due: what its callback does. */
static void
fire_timer(struct svc *s)
{
	loop_timer_del(s->sup->loop, s->timer);
	s->timer = NULL;
	svc_event(s, EV_TIMER);
}

/* How far off the state's timer is, in seconds. */
static double
timer_left(struct svc *s)
{
	assert_non_null(s->timer);
	return (s->deadline - mono_now());
}

static void
loop_stop_cb(void *arg)
{
	loop_stop(arg);
}

/* Run the loop for secs: timers due by then run. */
static void
run_for(struct fx *fx, double secs)
{
	(void)loop_timer(fx->sup.loop, secs, loop_stop_cb, fx->sup.loop);
	loop_run(fx->sup.loop);
}

/* ready=fd:3: wait (5 s at most) for its newline, then EV_READY. */
static void
wait_fd_ready(struct svc *s)
{
	assert_true(readable(s->readyfd, 5000));
	svc_event(s, EV_READY);
	assert_int_equal(s->state, SVC_RUNNING);
}

/* The pairs' service: no file for its output, one retry. */
static const char pair_conf[] =
    "[program:t]\n"
    "command = /bin/sleep 60\n"
    "startsecs = 100\n"
    "startretries = 1\n"
    "stdout_logfile = NONE\n"
    "stderr_logfile = NONE\n";

/* Bring s to a state the way the supervisor would. */
static void
reach(struct svc *s, enum svc_state want)
{
	switch (want) {
	case SVC_STOPPED:
		/* Stopped after a crash and a failed start: counts to reset. */
		reach(s, SVC_EXITED);
		fire_timer(s);
		die(s);
		svc_event(s, EV_STOP);
		break;
	case SVC_STARTING:
		svc_event(s, EV_START);
		wait_exec(s);
		break;
	case SVC_RUNNING:
		reach(s, SVC_STARTING);
		svc_event(s, EV_READY);
		break;
	case SVC_STOPPING:
		reach(s, SVC_RUNNING);
		svc_event(s, EV_STOP);
		break;
	case SVC_BACKOFF:
		reach(s, SVC_STARTING);
		die(s);
		break;
	case SVC_EXITED:
		reach(s, SVC_RUNNING);
		die(s);
		break;
	case SVC_FATAL:
		reach(s, SVC_BACKOFF);
		fire_timer(s);
		die(s);
		break;
	}
	assert_int_equal(s->state, want);
}

/*
 * Every pair: the state right after the event and the annotations it
 * set, then the state once its process (if any) died, and the counts
 * of failed starts and of crashes by then.  The states are reached as
 * reach() does: BACKOFF after one failed start, EXITED after one crash
 * (a restart due), FATAL after two failed starts, STOPPED after a crash
 * and a failed start.  A process that is STOPPING must die of the stop
 * signal; others are killed.
 */
static const struct pair {
	enum svc_state	from;
	enum svc_event	ev;
	enum svc_state	next;
	int		marks;
	enum svc_state	after;
	int		backoff, crashes;
} pairs[] = {
	{ SVC_STOPPED, EV_START, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_STOPPED, EV_STOP, SVC_STOPPED, 0, SVC_STOPPED, 1, 1 },
	{ SVC_STOPPED, EV_READY, SVC_STOPPED, 0, SVC_STOPPED, 1, 1 },
	{ SVC_STOPPED, EV_EXIT, SVC_STOPPED, 0, SVC_STOPPED, 1, 1 },
	{ SVC_STOPPED, EV_TIMER, SVC_STOPPED, 0, SVC_STOPPED, 1, 1 },
	{ SVC_STOPPED, EV_RESTART, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_STOPPED, EV_GONE, SVC_STOPPED, 0, SVC_STOPPED, 1, 1 },
	{ SVC_STOPPED, EV_WATCHDOG, SVC_STOPPED, 0, SVC_STOPPED, 1, 1 },

	{ SVC_STARTING, EV_START, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_STARTING, EV_STOP, SVC_STOPPING, 0, SVC_STOPPED, 0, 0 },
	{ SVC_STARTING, EV_READY, SVC_RUNNING, 0, SVC_EXITED, 0, 1 },
	{ SVC_STARTING, EV_EXIT, SVC_BACKOFF, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_STARTING, EV_TIMER, SVC_STOPPING, M_START_TIMEOUT, SVC_BACKOFF,
	    1, 0 },
	{ SVC_STARTING, EV_RESTART, SVC_STOPPING, M_RESTART, SVC_STARTING,
	    0, 0 },
	{ SVC_STARTING, EV_GONE, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_STARTING, EV_WATCHDOG, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },

	{ SVC_RUNNING, EV_START, SVC_RUNNING, 0, SVC_EXITED, 0, 1 },
	{ SVC_RUNNING, EV_STOP, SVC_STOPPING, 0, SVC_STOPPED, 0, 0 },
	{ SVC_RUNNING, EV_READY, SVC_RUNNING, 0, SVC_EXITED, 0, 1 },
	{ SVC_RUNNING, EV_EXIT, SVC_EXITED, 0, SVC_EXITED, 0, 1 },
	{ SVC_RUNNING, EV_TIMER, SVC_RUNNING, 0, SVC_EXITED, 0, 1 },
	{ SVC_RUNNING, EV_RESTART, SVC_STOPPING, M_RESTART, SVC_STARTING,
	    0, 0 },
	{ SVC_RUNNING, EV_GONE, SVC_RUNNING, 0, SVC_EXITED, 0, 1 },
	{ SVC_RUNNING, EV_WATCHDOG, SVC_STOPPING, M_WDOG, SVC_EXITED, 0, 1 },

	{ SVC_BACKOFF, EV_START, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_BACKOFF, EV_STOP, SVC_STOPPED, 0, SVC_STOPPED, 1, 0 },
	{ SVC_BACKOFF, EV_READY, SVC_BACKOFF, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_BACKOFF, EV_EXIT, SVC_BACKOFF, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_BACKOFF, EV_TIMER, SVC_STARTING, 0, SVC_FATAL, 2, 0 },
	{ SVC_BACKOFF, EV_RESTART, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_BACKOFF, EV_GONE, SVC_BACKOFF, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_BACKOFF, EV_WATCHDOG, SVC_BACKOFF, 0, SVC_BACKOFF, 1, 0 },

	{ SVC_STOPPING, EV_START, SVC_STOPPING, 0, SVC_STOPPED, 0, 0 },
	{ SVC_STOPPING, EV_STOP, SVC_STOPPING, 0, SVC_STOPPED, 0, 0 },
	{ SVC_STOPPING, EV_READY, SVC_STOPPING, 0, SVC_STOPPED, 0, 0 },
	{ SVC_STOPPING, EV_EXIT, SVC_STOPPED, 0, SVC_STOPPED, 0, 0 },
	{ SVC_STOPPING, EV_TIMER, SVC_STOPPING, M_UNSTOPPABLE, SVC_STOPPED,
	    0, 0 },
	{ SVC_STOPPING, EV_RESTART, SVC_STOPPING, M_RESTART, SVC_STARTING,
	    0, 0 },
	{ SVC_STOPPING, EV_GONE, SVC_STOPPED, 0, SVC_STOPPED, 0, 0 },
	{ SVC_STOPPING, EV_WATCHDOG, SVC_STOPPING, 0, SVC_STOPPED, 0, 0 },

	{ SVC_EXITED, EV_START, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_EXITED, EV_STOP, SVC_STOPPED, 0, SVC_STOPPED, 0, 1 },
	{ SVC_EXITED, EV_READY, SVC_EXITED, 0, SVC_EXITED, 0, 1 },
	{ SVC_EXITED, EV_EXIT, SVC_EXITED, 0, SVC_EXITED, 0, 1 },
	{ SVC_EXITED, EV_TIMER, SVC_STARTING, 0, SVC_BACKOFF, 1, 1 },
	{ SVC_EXITED, EV_RESTART, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_EXITED, EV_GONE, SVC_EXITED, 0, SVC_EXITED, 0, 1 },
	{ SVC_EXITED, EV_WATCHDOG, SVC_EXITED, 0, SVC_EXITED, 0, 1 },

	{ SVC_FATAL, EV_START, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_FATAL, EV_STOP, SVC_FATAL, 0, SVC_FATAL, 2, 0 },
	{ SVC_FATAL, EV_READY, SVC_FATAL, 0, SVC_FATAL, 2, 0 },
	{ SVC_FATAL, EV_EXIT, SVC_FATAL, 0, SVC_FATAL, 2, 0 },
	{ SVC_FATAL, EV_TIMER, SVC_FATAL, 0, SVC_FATAL, 2, 0 },
	{ SVC_FATAL, EV_RESTART, SVC_STARTING, 0, SVC_BACKOFF, 1, 0 },
	{ SVC_FATAL, EV_GONE, SVC_FATAL, 0, SVC_FATAL, 2, 0 },
	{ SVC_FATAL, EV_WATCHDOG, SVC_FATAL, 0, SVC_FATAL, 2, 0 },
};

static int
marks_of(const struct svc *s)
{
	return ((s->restart ? M_RESTART : 0) |
	    (s->unstoppable ? M_UNSTOPPABLE : 0) |
	    (s->start_timeout ? M_START_TIMEOUT : 0) |
	    (s->wdog_fired ? M_WDOG : 0));
}

/* The supervisor's log goes to fd: how many changes of state it told. */
static int
log_changes(int fd)
{
	char	buf[8192], *p;
	ssize_t	n;
	int	changes = 0;

	n = pread(fd, buf, sizeof buf - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, " -> ")) != NULL; p++)
		changes++;
	assert_int_equal(ftruncate(fd, 0), 0);
	return (changes);
}

static void
test_every_pair(void **state)
{
	const struct pair	*p;
	struct fx		*fx;
	struct svc		*s;
	char			 path[128];
	int			 seen[NSTATES][NEVENTS], i, j, fd, changes;

	(void)state;
	memset(seen, 0, sizeof seen);
	snprintf(path, sizeof path, "%s/pairs.log", tmpdir);
	fd = open(path, O_RDWR|O_CREAT|O_TRUNC|O_APPEND|O_CLOEXEC, 0600);
	assert_true(fd != -1);
	for (p = pairs; p < pairs + nitems(pairs); p++) {
		seen[p->from][p->ev]++;
		fx = fx_new(pair_conf);
		s = fx->s;
		reach(s, p->from);
		log_init(LOGTO_FILE, fd, NULL);
		(void)log_changes(fd);
		if (p->ev == EV_EXIT && s->pid > 0)
			die(s);
		else if (p->ev == EV_TIMER)
			fire_timer(s);
		else
			svc_event(s, p->ev);
		/* One change at most, straight to the next state. */
		changes = log_changes(fd);
		if (s->state != p->next || marks_of(s) != p->marks ||
		    changes != (p->next != p->from))
			fail_msg("%s + %s: %s, marks %#x, %d changes; expected "
			    "%s, %#x", svc_state_names[p->from],
			    svc_event_names[p->ev], svc_state_names[s->state],
			    marks_of(s), changes, svc_state_names[p->next],
			    p->marks);
		if (s->state == SVC_STOPPING)
			stopped(s);
		else if (s->pid > 0)
			die(s);
		if (s->state != p->after || s->backoff != p->backoff ||
		    s->crashes != p->crashes)
			fail_msg("%s + %s, then its exit: %s, backoff %d, "
			    "crashes %d; expected %s, %d, %d",
			    svc_state_names[p->from], svc_event_names[p->ev],
			    svc_state_names[s->state], s->backoff, s->crashes,
			    svc_state_names[p->after], p->backoff, p->crashes);
		assert_int_equal(s->restart, 0);
		fx_free(fx);
	}
	close(fd);
	(void)unlink(path);
	fd = open("/dev/null", O_WRONLY|O_CLOEXEC);
	log_init(LOGTO_FILE, fd, NULL);
	/* The expected table itself names every pair once. */
	for (i = 0; i < NSTATES; i++)
		for (j = 0; j < NEVENTS; j++)
			if (seen[i][j] != 1)
				fail_msg("%s + %s: %d rows", svc_state_names[i],
				    svc_event_names[j], seen[i][j]);
	assert_string_equal(svc_state_names[NSTATES - 1], "FATAL");
	assert_string_equal(svc_event_names[NEVENTS - 1], "WATCHDOG");
}

/* A pair with no row: said at debug level, and nothing changes. */
static void
test_ignored(void **state)
{
	struct fx	*fx;
	char		 path[128], buf[4096];
	ssize_t		 n;
	int		 fd;
	time_t		 since;

	(void)state;
	fx = fx_new(pair_conf);
	snprintf(path, sizeof path, "%s/debug.log", tmpdir);
	fd = open(path, O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC, 0600);
	assert_true(fd != -1);
	setenv("WARDEN_DEBUG", "1", 1);
	log_init(LOGTO_FILE, fd, NULL);
	fx->s->since = since = 12345;
	svc_event(fx->s, EV_STOP);
	unsetenv("WARDEN_DEBUG");
	log_init(LOGTO_FILE, fd, NULL);
	svc_event(fx->s, EV_READY);	/* not said without WARDEN_DEBUG */
	assert_int_equal(fx->s->state, SVC_STOPPED);
	assert_int_equal(fx->s->since, since);
	n = pread(fd, buf, sizeof buf - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "t: STOP in STOPPED: ignored\n"));
	assert_null(strstr(buf, "READY"));
	close(fd);
	fd = open("/dev/null", O_WRONLY|O_CLOEXEC);
	log_init(LOGTO_FILE, fd, NULL);
	fx_free(fx);
}

/* Failed starts back off, then FATAL after startretries; a start resets. */
static void
test_backoff_fatal(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	int		 i;

	(void)state;
	fx = fx_new("[program:t]\ncommand = /bin/sleep 60\n"
	    "startsecs = 100\nstartretries = 3\nstdout_logfile = NONE\n");
	s = fx->s;
	svc_event(s, EV_START);
	for (i = 1; i <= 3; i++) {
		assert_int_equal(s->state, SVC_STARTING);
		die_as(s, W_EXITCODE(1, 0));
		assert_int_equal(s->state, SVC_BACKOFF);
		assert_int_equal(s->backoff, i);
		assert_true(timer_left(s) <= backoff_delay(i));
		assert_true(timer_left(s) > backoff_delay(i) - 0.05);
		assert_non_null(strstr(s->desc, "Exited too quickly"));
		assert_true(svc_is_failed(s));
		fire_timer(s);
	}
	die_as(s, W_EXITCODE(1, 0));
	assert_int_equal(s->state, SVC_FATAL);
	assert_int_equal(s->backoff, 4);
	assert_null(s->timer);
	assert_true(svc_is_failed(s));
	assert_true(svc_is_idle(s));
	assert_int_equal(s->restarts, 0);	/* failed starts are not restarts */
	svc_event(s, EV_START);
	assert_int_equal(s->backoff, 0);
	die_as(s, W_EXITCODE(1, 0));
	assert_int_equal(s->state, SVC_BACKOFF);
	assert_int_equal(s->backoff, 1);
	/* A stop in BACKOFF cancels the next try. */
	svc_event(s, EV_STOP);
	assert_int_equal(s->state, SVC_STOPPED);
	assert_null(s->timer);
	/* A start that became ready forgets the failed ones. */
	svc_event(s, EV_START);
	die_as(s, W_EXITCODE(1, 0));
	fire_timer(s);
	assert_int_equal(s->backoff, 1);
	svc_event(s, EV_READY);
	assert_int_equal(s->backoff, 0);
	fx_free(fx);
}

/* An exit from RUNNING with autorestart and exitcodes: restart or not. */
static void
exit_case(const char *autorestart, int status, int restarted)
{
	struct fx	*fx;
	struct svc	*s;
	char		 conf[512];

	snprintf(conf, sizeof conf, "[program:t]\ncommand = /bin/sleep 60\n"
	    "startsecs = 100\nstdout_logfile = NONE\nautorestart = %s\n"
	    "exitcodes = 0,2\n", autorestart);
	fx = fx_new(conf);
	s = fx->s;
	reach(s, SVC_RUNNING);
	die_as(s, status);
	assert_int_equal(s->state, SVC_EXITED);
	assert_true(svc_is_idle(s));
	if ((s->timer != NULL) != restarted)
		fail_msg("autorestart=%s, status %#x: %s", autorestart, status,
		    restarted ? "no restart due" : "a restart due");
	assert_int_equal(s->restarts, restarted);
	assert_int_equal(s->crashes, restarted);
	assert_int_equal(svc_is_stoppable(s), restarted);
	assert_int_equal(s->status, status);
	assert_true(s->has_status);
	assert_null(s->wdog);
	if (restarted) {
		fire_timer(s);
		assert_int_equal(s->state, SVC_STARTING);
	}
	fx_free(fx);
}

static void
test_autorestart(void **state)
{
	(void)state;
	exit_case("true", W_EXITCODE(0, 0), 1);
	exit_case("true", W_EXITCODE(2, 0), 1);
	exit_case("false", W_EXITCODE(1, 0), 0);
	exit_case("false", SIGKILL, 0);
	exit_case("unexpected", W_EXITCODE(0, 0), 0);
	exit_case("unexpected", W_EXITCODE(2, 0), 0);
	exit_case("unexpected", W_EXITCODE(1, 0), 1);
	exit_case("unexpected", SIGKILL, 1);
}

/* Crashes back off; a stable run, or a start by hand, resets the count. */
static void
test_throttle(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	int		 i;

	(void)state;
	fx = fx_new("[program:t]\ncommand = /bin/sleep 60\nstartsecs = 100\n"
	    "stdout_logfile = NONE\nautorestart = true\n");
	s = fx->s;
	svc_event(s, EV_START);
	for (i = 1; i <= 4; i++) {
		svc_event(s, EV_READY);
		die(s);
		assert_int_equal(s->state, SVC_EXITED);
		assert_int_equal(s->crashes, i);
		assert_int_equal(s->restarts, i);
		assert_true(timer_left(s) <= backoff_delay(i));
		assert_true(timer_left(s) > backoff_delay(i) - 0.05);
		fire_timer(s);
		assert_int_equal(s->state, SVC_STARTING);
	}
	/* It ran BACKOFF_STABLE seconds: this crash is a first one. */
	svc_event(s, EV_READY);
	s->started = mono_now() - BACKOFF_STABLE - 1;
	die(s);
	assert_int_equal(s->crashes, 1);
	assert_int_equal(s->restarts, 5);
	assert_true(timer_left(s) <= backoff_delay(1) + 0.001);
	/* A stop cancels the restart that was due. */
	svc_event(s, EV_STOP);
	assert_int_equal(s->state, SVC_STOPPED);
	assert_null(s->timer);
	assert_int_equal(s->crashes, 1);
	svc_event(s, EV_START);
	assert_int_equal(s->crashes, 0);
	assert_int_equal(s->restarts, 5);
	fx_free(fx);
}

/* A restart by hand: stop, then start; a new pid and uptime, no count. */
static void
test_restart(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	pid_t		 pid;
	double		 started, deadline;

	(void)state;
	fx = fx_new(pair_conf);
	s = fx->s;
	reach(s, SVC_RUNNING);
	pid = s->pid;
	started = s->started;
	assert_true(svc_is_start_over(s));
	svc_event(s, EV_RESTART);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_false(svc_is_start_over(s));	/* what restart's reply waits for */
	assert_int_equal(s->pid, pid);
	die(s);
	assert_int_equal(s->state, SVC_STARTING);
	assert_int_equal(s->restart, 0);
	assert_true(s->pid > 0 && s->pid != pid);
	assert_true(s->started > started);
	assert_int_equal(s->restarts, 0);
	assert_false(svc_is_start_over(s));
	svc_event(s, EV_READY);
	assert_true(svc_is_start_over(s));
	/* A restart while stopping: the stop goes on, then the start. */
	svc_event(s, EV_STOP);
	deadline = s->deadline;
	svc_event(s, EV_RESTART);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_int_equal(s->restart, 1);
	assert_true(s->deadline == deadline);	/* the stop goes on as it was */
	pid = s->pid;
	die(s);
	assert_int_equal(s->state, SVC_STARTING);
	assert_true(s->pid != pid);
	/* While shutting down, the restart that is due is not taken. */
	svc_event(s, EV_READY);
	fx->sup.shutting_down = 1;
	svc_event(s, EV_RESTART);
	die(s);
	assert_int_equal(s->state, SVC_STOPPED);
	assert_int_equal(s->restart, 1);
	assert_false(svc_is_start_over(s));
	fx_free(fx);
}

/* A restart for a changed definition opens its logs again once stopped. */
static void
test_relog(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	char		 conf[512], path[128], old[140];

	(void)state;
	snprintf(path, sizeof path, "%s/relog.log", tmpdir);
	snprintf(old, sizeof old, "%s.1", path);
	snprintf(conf, sizeof conf, "[program:t]\ncommand = /bin/sleep 60\n"
	    "startsecs = 100\nstdout_logfile = %s\n", path);
	fx = fx_new(conf);
	s = fx->s;
	reach(s, SVC_RUNNING);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(rename(path, old), 0);
	s->relog = 1;
	svc_event(s, EV_RESTART);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_int_equal(access(path, F_OK), -1);
	die(s);
	assert_int_equal(s->state, SVC_STARTING);
	assert_int_equal(s->relog, 0);
	assert_int_equal(access(path, F_OK), 0);
	/* A removed service is not restarted, nor are its logs opened. */
	assert_int_equal(unlink(path), 0);
	s->relog = 1;
	s->removed = 1;
	svc_event(s, EV_RESTART);
	die(s);
	assert_int_equal(s->state, SVC_STOPPED);
	assert_int_equal(access(path, F_OK), -1);
	fx_free(fx);
	(void)unlink(old);
}

/*
 * A stop waits for the group: the main process gone, a leftover keeps it
 * STOPPING; once that one is reaped too, EV_GONE ends the stop.
 */
static void
test_stop_leftovers(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	double		 deadline;
	int		 status;

	(void)state;
	fx = fx_new("[program:t]\ncommand = /bin/sh -c "
	    "'/bin/sleep 60 & echo >&3; exec /bin/sleep 61'\n"
	    "ready = fd:3\nstopasgroup = false\nkillasgroup = true\n"
	    "stdout_logfile = NONE\n");
	s = fx->s;
	svc_event(s, EV_START);
	wait_fd_ready(s);
	svc_event(s, EV_STOP);		/* SIGTERM to the main process only */
	assert_int_equal(s->state, SVC_STOPPING);
	deadline = s->deadline;
	assert_int_equal(waitpid(s->pid, &status, 0), s->pid);
	svc_exited(s, status);
	assert_int_equal(s->state, SVC_STOPPING);	/* the leftover */
	assert_true(s->deadline == deadline);	/* not signalled anew */
	assert_true(svc_leftovers(s));
	svc_group_check(s);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_int_equal(kill(-s->sid, SIGKILL), 0);
	while (waitpid(-s->sid, NULL, 0) > 0)
		;
	assert_false(svc_leftovers(s));
	svc_group_check(s);
	assert_int_equal(s->state, SVC_STOPPED);
	assert_int_equal(s->pgid, 0);
	assert_null(s->timer);
	svc_group_check(s);		/* STOPPED: nothing to look at */
	assert_int_equal(s->state, SVC_STOPPED);
	fx_free(fx);
}

/*
 * An instance that exits on its own (ready or not) leaves a process: it
 * is signalled, a stop keeps it in view, and a spawn is put off until it
 * is gone.
 */
static void
sweep_case(int ready)
{
	struct fx	*fx;
	struct svc	*s;

	fx = fx_new("[program:t]\ncommand = /bin/sh -c "
	    "'/bin/sleep 60 & echo >&3; exec /bin/sleep 61'\n"
	    "ready = fd:3\nautorestart = true\nstdout_logfile = NONE\n");
	s = fx->s;
	svc_event(s, EV_START);
	if (ready)
		wait_fd_ready(s);
	else
		assert_true(readable(s->readyfd, 5000));
	die(s);
	assert_int_equal(s->state, ready ? SVC_EXITED : SVC_BACKOFF);
	assert_int_equal(s->rest, 1);
	assert_non_null(s->sweep);
	assert_true(svc_leftovers(s));	/* not reaped: still there */
	fire_timer(s);			/* the restart due: put off */
	assert_int_equal(s->state, ready ? SVC_EXITED : SVC_BACKOFF);
	assert_int_equal(s->sweeps, 1);
	assert_true(timer_left(s) <= 0.02);
	svc_event(s, EV_STOP);		/* the timer goes, the rest stays known */
	assert_int_equal(s->state, SVC_STOPPED);
	assert_null(s->timer);
	assert_true(svc_leftovers(s));
	svc_event(s, EV_START);		/* put off again */
	assert_int_equal(s->state, SVC_EXITED);
	assert_int_equal(s->sweeps, 2);
	while (waitpid(-s->sid, NULL, 0) > 0)
		;
	fire_timer(s);
	assert_int_equal(s->state, SVC_STARTING);
	assert_int_equal(s->rest, 0);
	assert_int_equal(s->sweeps, 0);
	assert_null(s->sweep);
	fx_free(fx);
}

static void
test_sweep(void **state)
{
	(void)state;
	sweep_case(1);
	sweep_case(0);
}

/* ready_timeout: the start is stopped, then counted as a failed one. */
static void
test_start_timeout(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	double		 deadline;

	(void)state;
	fx = fx_new("[program:t]\ncommand = /bin/sleep 60\nready = fd:3\n"
	    "ready_timeout = 5\nstartretries = 1\nstdout_logfile = NONE\n");
	s = fx->s;
	svc_event(s, EV_START);
	assert_true(svc_is_pending_start(s));
	assert_true(timer_left(s) <= 5 && timer_left(s) > 4.9);
	svc_extend(s, 50);		/* EXTEND_TIMEOUT_USEC= */
	assert_true(timer_left(s) > 49.9);
	deadline = s->deadline;
	svc_extend(s, 1);		/* never less than it had */
	assert_true(s->deadline == deadline);
	fire_timer(s);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_int_equal(s->start_timeout, 1);
	assert_true(svc_is_pending_start(s));
	assert_non_null(strstr(s->desc, "not ready after 5 s (ready=fd:3)"));
	die(s);
	assert_int_equal(s->state, SVC_BACKOFF);
	assert_int_equal(s->start_timeout, 0);
	assert_int_equal(s->backoff, 1);
	fire_timer(s);
	fire_timer(s);
	die(s);
	assert_int_equal(s->state, SVC_FATAL);
	assert_false(svc_is_pending_start(s));
	fx_free(fx);
}

/* startsecs is a delay, not a deadline: EXTEND_TIMEOUT_USEC= leaves it. */
static void
test_extend(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	double		 deadline;

	(void)state;
	fx = fx_new(pair_conf);
	s = fx->s;
	svc_event(s, EV_START);
	deadline = s->deadline;
	svc_extend(s, 500);
	assert_true(s->deadline == deadline);
	svc_event(s, EV_READY);
	svc_event(s, EV_STOP);
	svc_extend(s, 500);		/* stopwaitsecs is a deadline */
	assert_true(timer_left(s) > 499);
	fx_free(fx);
}

/* The watchdog: its timer stops the service; the end of the stop is a crash. */
static void
watchdog_case(const char *autorestart, int removed, int shutdown,
    enum svc_state after)
{
	struct fx	*fx;
	struct svc	*s;
	char		 conf[512];

	snprintf(conf, sizeof conf, "[program:t]\ncommand = /bin/sleep 60\n"
	    "ready = notify\nwatchdog_sec = 30\nautorestart = %s\n"
	    "stdout_logfile = NONE\n", autorestart);
	fx = fx_new(conf);
	s = fx->s;
	svc_event(s, EV_START);
	svc_event(s, EV_READY);
	assert_non_null(s->wdog);
	assert_true(s->wdog_sec == 30);
	ready_wdog_arm(s, 0.001);
	run_for(fx, 0.2);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_int_equal(s->wdog_fired, 1);
	assert_null(s->wdog);
	assert_string_equal(s->desc, "watchdog timeout");
	s->removed = removed;
	fx->sup.shutting_down = shutdown;
	die(s);
	if (s->state != after)
		fail_msg("autorestart=%s removed %d shutdown %d: %s",
		    autorestart, removed, shutdown, svc_state_names[s->state]);
	assert_int_equal(s->wdog_fired, 0);
	if (after == SVC_EXITED) {
		assert_non_null(s->timer);
		assert_int_equal(s->crashes, 1);
		assert_true(s->restarts > 0);
	} else
		assert_int_equal(s->restarts, 0);
	fx_free(fx);
}

static void
test_watchdog(void **state)
{
	(void)state;
	watchdog_case("unexpected", 0, 0, SVC_EXITED);
	watchdog_case("true", 0, 0, SVC_EXITED);
	watchdog_case("false", 0, 0, SVC_STOPPED);
	watchdog_case("true", 1, 0, SVC_STOPPED);
	watchdog_case("true", 0, 1, SVC_STOPPED);
}

/* SIGKILL after stopwaitsecs; still there after that: given up. */
static void
test_unstoppable(void **state)
{
	struct fx	*fx;
	struct svc	*s;

	(void)state;
	fx = fx_new(pair_conf);
	s = fx->s;
	reach(s, SVC_STOPPING);
	assert_true(timer_left(s) <= 10 && timer_left(s) > 9.9);
	fire_timer(s);
	assert_int_equal(s->state, SVC_STOPPING);
	assert_int_equal(s->unstoppable, 1);
	assert_true(timer_left(s) <= 5 && timer_left(s) > 4.9);
	fire_timer(s);			/* not reaped: as if stuck */
	assert_int_equal(s->state, SVC_STOPPED);
	assert_int_equal(s->pid, 0);
	assert_int_equal(fx->sup.exit_code, 1);
	assert_string_equal(s->desc, "could not be stopped");
	fx_free(fx);			/* reaps it by its group */
}

/* The predicates, over every state, with and without annotations. */
static void
test_predicates(void **state)
{
	static const struct {
		enum svc_state	st;
		int		up, idle, new, pending, failed, stoppable;
		int		over;
	} rows[] = {
		{ SVC_STOPPED,	0, 1, 1, 1, 0, 0, 1 },
		{ SVC_STARTING,	1, 0, 0, 1, 0, 1, 0 },
		{ SVC_RUNNING,	1, 0, 0, 0, 0, 1, 1 },
		{ SVC_BACKOFF,	0, 0, 0, 0, 1, 1, 0 },
		{ SVC_STOPPING,	1, 0, 0, 0, 0, 0, 0 },
		{ SVC_EXITED,	0, 1, 0, 0, 0, 0, 1 },
		{ SVC_FATAL,	0, 1, 0, 0, 1, 0, 1 },
	};
	struct svc	s;
	size_t		i;

	(void)state;
	assert_int_equal(nitems(rows), NSTATES);
	for (i = 0; i < nitems(rows); i++) {
		memset(&s, 0, sizeof s);
		s.state = rows[i].st;
		if (svc_is_up(&s) != rows[i].up ||
		    svc_is_idle(&s) != rows[i].idle ||
		    svc_is_new(&s) != rows[i].new ||
		    svc_is_pending_start(&s) != rows[i].pending ||
		    svc_is_failed(&s) != rows[i].failed ||
		    svc_is_stoppable(&s) != rows[i].stoppable ||
		    svc_is_start_over(&s) != rows[i].over)
			fail_msg("%s", svc_state_names[rows[i].st]);
		s.restart = 1;		/* a restart due: never over */
		assert_false(svc_is_start_over(&s));
	}
	memset(&s, 0, sizeof s);
	s.state = SVC_STOPPED;
	s.has_status = 1;		/* it ran: no longer new */
	assert_false(svc_is_new(&s));
	assert_false(svc_is_pending_start(&s));
	s.state = SVC_STOPPING;
	s.start_timeout = 1;		/* a start that timed out */
	assert_true(svc_is_pending_start(&s));
	s.state = SVC_EXITED;
	s.timer = (struct timer *)&s;	/* a restart due */
	assert_true(svc_is_stoppable(&s));
	assert_true(svc_is_idle(&s));
}

/* The description column, state by state. */
static void
test_describe(void **state)
{
	struct fx	*fx;
	struct svc	*s;
	char		 buf[256];

	(void)state;
	fx = fx_new(pair_conf);
	s = fx->s;
	svc_describe(s, buf, sizeof buf);
	assert_string_equal(buf, "Not started");
	reach(s, SVC_RUNNING);
	svc_describe(s, buf, sizeof buf);
	assert_true(strncmp(buf, "pid ", 4) == 0);
	assert_non_null(strstr(buf, ", uptime 0:00:0"));
	s->stopping = 1;
	s->note = xstrdup("busy");
	svc_describe(s, buf, sizeof buf);
	assert_non_null(strstr(buf, ", stopping; busy"));
	die(s);
	svc_describe(s, buf, sizeof buf);
	assert_non_null(strstr(buf, ", restarting"));
	svc_event(s, EV_STOP);
	svc_describe(s, buf, sizeof buf);
	assert_string_not_equal(buf, "Not started");
	svc_event(s, EV_START);
	die(s);
	svc_describe(s, buf, sizeof buf);
	assert_non_null(strstr(buf, "Exited too quickly"));
	fx_free(fx);
}

/* Shutdown: the highest priority first; the next once those stopped. */
static void
test_shutdown(void **state)
{
	struct fx	*fx;
	struct svc	*lo, *hi1, *hi2, *off;

	(void)state;
	fx = fx_new(
	    "[program:lo]\ncommand = /bin/sleep 60\npriority = 1\n"
	    "stdout_logfile = NONE\n"
	    "[program:hi1]\ncommand = /bin/sleep 60\npriority = 2\n"
	    "stdout_logfile = NONE\n"
	    "[program:hi2]\ncommand = /bin/sleep 60\npriority = 2\n"
	    "stdout_logfile = NONE\n"
	    "[program:off]\ncommand = /bin/sleep 60\npriority = 3\n"
	    "stdout_logfile = NONE\n");
	lo = fx_svc(fx, "lo");
	hi1 = fx_svc(fx, "hi1");
	hi2 = fx_svc(fx, "hi2");
	off = fx_svc(fx, "off");
	reach(lo, SVC_RUNNING);
	reach(hi1, SVC_RUNNING);
	reach(hi2, SVC_STARTING);
	sup_shutdown(&fx->sup);
	assert_int_equal(fx->sup.shutting_down, 1);
	assert_int_equal(hi1->state, SVC_STOPPING);
	assert_int_equal(hi2->state, SVC_STOPPING);
	assert_int_equal(lo->state, SVC_RUNNING);
	assert_int_equal(off->state, SVC_STOPPED);
	die(hi1);
	assert_int_equal(lo->state, SVC_RUNNING);	/* hi2 still stops */
	die(hi2);
	assert_int_equal(lo->state, SVC_STOPPING);
	die(lo);
	assert_int_equal(lo->state, SVC_STOPPED);
	/* Nothing left to stop: the loop was told to end. */
	(void)loop_timer(fx->sup.loop, 10, loop_stop_cb, NULL);
	loop_run(fx->sup.loop);
	fx_free(fx);
}

/* Shutdown cancels a restart that is due, and what backs off. */
static void
test_shutdown_timers(void **state)
{
	struct fx	*fx;
	struct svc	*a, *b;

	(void)state;
	fx = fx_new(
	    "[program:a]\ncommand = /bin/sleep 60\nstartsecs = 100\n"
	    "startretries = 3\nstdout_logfile = NONE\n"
	    "[program:b]\ncommand = /bin/sleep 60\nstartsecs = 100\n"
	    "autorestart = true\nstdout_logfile = NONE\n");
	a = fx_svc(fx, "a");
	b = fx_svc(fx, "b");
	reach(a, SVC_BACKOFF);
	reach(b, SVC_EXITED);
	assert_non_null(b->timer);
	sup_shutdown(&fx->sup);
	assert_int_equal(a->state, SVC_STOPPED);
	assert_int_equal(b->state, SVC_STOPPED);
	assert_null(a->timer);
	assert_null(b->timer);
	fx_free(fx);
}

/* Settled once every autostart service is ready or has given up. */
static void
test_settle(void **state)
{
	struct fx	*fx;
	struct svc	*a, *b, *c;

	(void)state;
	fx = fx_new(
	    "[program:a]\ncommand = /bin/sleep 60\nstartsecs = 100\n"
	    "stdout_logfile = NONE\n"
	    "[program:b]\ncommand = /bin/sleep 60\nstartsecs = 100\n"
	    "startretries = 0\nstdout_logfile = NONE\n"
	    "[program:c]\ncommand = /bin/sleep 60\nautostart = false\n"
	    "stdout_logfile = NONE\n");
	a = fx_svc(fx, "a");
	b = fx_svc(fx, "b");
	c = fx_svc(fx, "c");
	fx->sup.settled_sent = 0;
	sup_settle_check(&fx->sup);
	assert_int_equal(fx->sup.settled_sent, 0);	/* not started yet */
	svc_event(a, EV_START);
	svc_event(b, EV_START);
	assert_int_equal(fx->sup.settled_sent, 0);
	svc_event(a, EV_READY);
	assert_int_equal(fx->sup.settled_sent, 0);	/* b is starting */
	die(b);
	assert_int_equal(b->state, SVC_FATAL);
	assert_int_equal(fx->sup.settled_sent, 1);
	assert_int_equal(c->state, SVC_STOPPED);
	fx_free(fx);
}

/* A start that timed out is still pending while it is being stopped. */
static void
test_settle_timeout(void **state)
{
	struct fx	*fx;
	struct svc	*s;

	(void)state;
	fx = fx_new("[program:t]\ncommand = /bin/sleep 60\nready = fd:3\n"
	    "ready_timeout = 5\nstartretries = 0\nstdout_logfile = NONE\n");
	s = fx->s;
	fx->sup.settled_sent = 0;
	svc_event(s, EV_START);
	fire_timer(s);
	assert_int_equal(s->state, SVC_STOPPING);
	sup_settle_check(&fx->sup);
	assert_int_equal(fx->sup.settled_sent, 0);
	die(s);
	assert_int_equal(s->state, SVC_FATAL);
	assert_int_equal(fx->sup.settled_sent, 1);
	fx_free(fx);
}

/* A removed service is freed once idle, from the loop; not before. */
static void
test_gc(void **state)
{
	struct fx	*fx;
	struct svc	*up, *idle;

	(void)state;
	fx = fx_new(
	    "[program:up]\ncommand = /bin/sleep 60\nstdout_logfile = NONE\n"
	    "[program:idle]\ncommand = /bin/sleep 60\n"
	    "stdout_logfile = NONE\n");
	up = fx_svc(fx, "up");
	idle = fx_svc(fx, "idle");
	reach(up, SVC_RUNNING);
	up->removed = idle->removed = 1;
	sup_changed(&fx->sup);
	assert_non_null(fx->sup.gc);
	assert_ptr_equal(TAILQ_NEXT(up, entry), idle);
	run_for(fx, 0.01);
	assert_null(fx->sup.gc);
	assert_ptr_equal(TAILQ_FIRST(&fx->sup.svcs), up);
	assert_null(TAILQ_NEXT(up, entry));
	fx_free(fx);
}

static int
setup(void **state)
{
	int	fd;

	(void)state;
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WARDEN_DEBUG");
	if ((fd = open("/dev/null", O_WRONLY|O_CLOEXEC)) == -1)
		return (-1);
	log_init(LOGTO_FILE, fd, NULL);
	/* Orphans of the services come to us, to be reaped. */
	return (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1 ? -1 : 0);
}

static int
teardown(void **state)
{
	char	path[128];

	(void)state;
	snprintf(path, sizeof path, "%s/debug.log", tmpdir);
	(void)unlink(path);
	return (rmdir(tmpdir));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_pair),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_backoff_fatal),
		cmocka_unit_test(test_autorestart),
		cmocka_unit_test(test_throttle),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_relog),
		cmocka_unit_test(test_stop_leftovers),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_start_timeout),
		cmocka_unit_test(test_extend),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_unstoppable),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_shutdown_timers),
		cmocka_unit_test(test_settle),
		cmocka_unit_test(test_settle_timeout),
		cmocka_unit_test(test_gc),
	};

	return (cmocka_run_group_tests_name("svc", tests, setup, teardown));
}
