/*
 * Events and the listener protocol (event-type.c, event.c, event-out.c,
 * evl.c) on a struct sup made here: the type hierarchy name by name, a
 * pool's buffer (overflow drops the oldest, a rejected event goes back
 * to the head), the protocol fed in every split (READY, RESULT, FAIL,
 * garbage, a bad result line), a pool's round robin, the payload of
 * each state change, and capture mode.
 */
#include <errno.h>
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
#include "../../src/sup/event.h"
#include "stubs.h"

#define NSVC	3

static struct sup	 sup;
static struct svc	 svcs[NSVC + 1];	/* listeners, then "x" */
static int		 rfd[NSVC];		/* their stdin, read here */

/* A supervisor with a pool "lis" of n listeners and a program "x". */
static void
setup_sup(int n, const char *events, int size)
{
	struct cfg_proc	*p;
	char		*text, *cause = NULL;
	int		 i, fds[2];

	memset(&sup, 0, sizeof sup);
	memset(svcs, 0, sizeof svcs);
	TAILQ_INIT(&sup.svcs);
	sup.loop = loop_new();
	xasprintf(&text, "[eventlistener:lis]\ncommand=/bin/l\nevents=%s\n"
	    "buffer_size=%d\nnumprocs=%d\nprocess_name=l%%(process_num)s\n"
	    "[program:x]\ncommand=/bin/x\n[supervisord]\nidentifier=id\n",
	    events, size, n);
	assert_int_equal(cfg_load_string("t.conf", text, &sup.cfg, &cause), 0);
	free(text);
	i = 0;
	TAILQ_FOREACH(p, &sup.cfg->procs, entry) {
		svcs[i].cfg = p;
		svcs[i].sup = &sup;
		svcs[i].infd = -1;
		svcs[i].state = SVC_RUNNING;
		if (p->listener) {
			assert_int_equal(pipe2(fds, O_CLOEXEC), 0);
			(void)fcntl(fds[0], F_SETFL, O_NONBLOCK);
			(void)fcntl(fds[1], F_SETFL, O_NONBLOCK);
			rfd[i] = fds[0];
			svcs[i].infd = fds[1];
		}
		TAILQ_INSERT_TAIL(&sup.svcs, &svcs[i], entry);
		i++;
	}
	event_sync(&sup);
}

static void
teardown_sup(void)
{
	struct svc	*s;
	int		 i;

	event_fini(&sup);
	TAILQ_FOREACH(s, &sup.svcs, entry)
		if (s->infd != -1)
			svc_stdin_close(s);
	for (i = 0; i < NSVC; i++)
		if (svcs[i].cfg != NULL && svcs[i].cfg->listener)
			close(rfd[i]);
	cfg_free(sup.cfg);
	loop_free(sup.loop);
}

/* What listener i was sent since the last look. */
static char *
sent(int i)
{
	static char	buf[4096];
	ssize_t		n;

	n = read(rfd[i], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	return (buf);
}

static struct evl *
lis(int i)
{
	struct evl	*l = evl_find(&svcs[i]);

	assert_non_null(l);
	return (l);
}

/* Feed s to listener i in pieces of step bytes. */
static void
feed(int i, const char *s, size_t step)
{
	size_t	len = strlen(s), k;

	for (k = 0; k < len; k += step)
		evl_input(lis(i), s + k, len - k < step ? len - k : step);
}

static void
publish(int type, const char *payload)
{
	event_publish(event_new(type, payload, strlen(payload)));
}

/* Every name: concrete ones are their own bit; abstract ones cover. */
static void
test_hierarchy(void **state)
{
	uint32_t	state_bits = 0;
	int		t;

	(void)state;
	for (t = 0; t < EVT_COUNT; t++) {
		assert_int_equal(ev_type_mask(ev_type_name(t)), EVM(t));
		if (strncmp(ev_type_name(t), "PROCESS_STATE_", 14) == 0)
			state_bits |= EVM(t);
	}
	assert_int_equal(state_bits, 0xff);
	assert_int_equal(ev_type_mask("PROCESS_STATE"), state_bits);
	assert_int_equal(ev_type_mask("EVENT"), EVM_ALL);
	assert_int_equal(ev_type_mask("PROCESS_LOG"),
	    EVM(EVT_LOG_STDOUT) | EVM(EVT_LOG_STDERR));
	assert_int_equal(ev_type_mask("PROCESS_COMMUNICATION"),
	    EVM(EVT_COMM_STDOUT) | EVM(EVT_COMM_STDERR));
	assert_int_equal(ev_type_mask("TICK"), EVM(EVT_TICK_5) |
	    EVM(EVT_TICK_60) | EVM(EVT_TICK_3600));
	assert_int_equal(ev_type_mask("SUPERVISOR_STATE_CHANGE"),
	    EVM(EVT_SUP_RUNNING) | EVM(EVT_SUP_STOPPING));
	assert_int_equal(ev_type_mask("PROCESS_GROUP"),
	    EVM(EVT_GROUP_ADDED) | EVM(EVT_GROUP_REMOVED));
	assert_int_equal(ev_type_mask("process_state"), 0);
	assert_int_equal(ev_type_mask("TICK_10"), 0);
	assert_string_equal(ev_state_name(SVC_STOPPED), "STOPPED");
	assert_string_equal(ev_state_name(SVC_STARTING), "STARTING");
	assert_string_equal(ev_state_name(SVC_RUNNING), "RUNNING");
	assert_string_equal(ev_state_name(SVC_BACKOFF), "BACKOFF");
	assert_string_equal(ev_state_name(SVC_STOPPING), "STOPPING");
	assert_string_equal(ev_state_name(SVC_EXITED), "EXITED");
	assert_string_equal(ev_state_name(SVC_FATAL), "FATAL");
}

/* Overflow drops the oldest; a rejected event goes back to the head. */
static void
test_buffer(void **state)
{
	struct evpool	*pool;

	(void)state;
	setup_sup(1, "TICK_5", 3);
	pool = TAILQ_FIRST(&ev_pools);
	assert_string_equal(pool->name, "lis");
	assert_int_equal(ev_wanted, EVM(EVT_TICK_5));
	publish(EVT_TICK_60, "nobody takes it");
	assert_int_equal(pool->qn, 0);
	publish(EVT_TICK_5, "a");
	publish(EVT_TICK_5, "b");
	publish(EVT_TICK_5, "c");
	publish(EVT_TICK_5, "d");
	assert_int_equal(pool->qn, 3);
	assert_string_equal(pool->q[0].ev->payload, "b");
	assert_int_equal(pool->q[0].ev->serial, 1);
	assert_int_equal(pool->q[0].poolserial, 1);
	assert_string_equal(pool->q[2].ev->payload, "d");
	assert_int_equal(pool->q[2].poolserial, 3);

	/*
	 * READY: "b" is sent; FAIL puts it back at the head of a full
	 * buffer, whose oldest ("c") goes for it.
	 */
	feed(0, "READY\n", 6);
	assert_non_null(strstr(sent(0), "\nb"));
	assert_int_equal(pool->qn, 2);
	publish(EVT_TICK_5, "e");
	feed(0, "RESULT 4\nFAIL", 5);
	assert_int_equal(lis(0)->state, EVL_ACKNOWLEDGED);
	assert_int_equal(pool->qn, 3);
	assert_string_equal(pool->q[0].ev->payload, "b");
	assert_int_equal(pool->q[0].poolserial, 1);
	assert_string_equal(pool->q[1].ev->payload, "d");
	teardown_sup();
}

/* The protocol in every split, the header byte for byte. */
static void
test_protocol(void **state)
{
	struct evpool	*pool;
	size_t		 step;
	char		 want[256];

	(void)state;
	for (step = 1; step <= 12; step++) {
		setup_sup(1, "PROCESS_GROUP", 10);
		pool = TAILQ_FIRST(&ev_pools);
		event_group(&sup, "web", 1);
		assert_int_equal(lis(0)->state, EVL_ACKNOWLEDGED);
		assert_string_equal(sent(0), "");
		feed(0, "READY\n", step);
		assert_int_equal(lis(0)->state, EVL_BUSY);
		snprintf(want, sizeof want, "ver:3.0 server:id serial:0 "
		    "pool:lis poolserial:0 eventname:PROCESS_GROUP_ADDED "
		    "len:14\ngroupname:web\n");
		assert_string_equal(sent(0), want);
		feed(0, "RESULT 2\nOKREADY\n", step);
		assert_int_equal(pool->qn, 0);
		assert_int_equal(lis(0)->state, EVL_READY);
		event_group(&sup, "web", 0);
		assert_non_null(strstr(sent(0), "serial:1 pool:lis poolserial:1 "
		    "eventname:PROCESS_GROUP_REMOVED len:14\n"));
		/* A bad result line: UNKNOWN, the event back in the buffer. */
		feed(0, "RESULT x\n", step);
		assert_int_equal(lis(0)->state, EVL_UNKNOWN);
		assert_int_equal(pool->qn, 1);
		feed(0, "READY\n", step);
		assert_int_equal(lis(0)->state, EVL_UNKNOWN);
		/* A new instance starts over. */
		evl_reset(lis(0));
		assert_int_equal(lis(0)->state, EVL_ACKNOWLEDGED);
		feed(0, "READY\n", step);
		assert_int_equal(lis(0)->state, EVL_BUSY);
		assert_non_null(strstr(sent(0), "poolserial:1 "));
		teardown_sup();
	}

	/* Garbage instead of READY; output while READY. */
	setup_sup(1, "EVENT", 10);
	feed(0, "HELLO\n", 6);
	assert_int_equal(lis(0)->state, EVL_UNKNOWN);
	evl_reset(lis(0));
	feed(0, "READY\nX", 7);
	assert_int_equal(lis(0)->state, EVL_UNKNOWN);
	evl_reset(lis(0));
	/* Not RUNNING: READY, but nothing is sent. */
	svcs[0].state = SVC_STARTING;
	feed(0, "READY\n", 6);
	event_group(&sup, "web", 1);
	assert_string_equal(sent(0), "");
	/* A listener that dies while BUSY gives its event back. */
	svcs[0].state = SVC_RUNNING;
	evl_dispatch(lis(0)->pool);
	assert_int_equal(lis(0)->state, EVL_BUSY);
	evl_lost(lis(0));
	assert_int_equal(TAILQ_FIRST(&ev_pools)->qn, 1);
	teardown_sup();
}

/* A pool of 3: each event to the next READY member in turn. */
static void
test_round_robin(void **state)
{
	char	*p;
	int	 i, k;

	(void)state;
	setup_sup(3, "PROCESS_GROUP_ADDED", 10);
	for (i = 0; i < 3; i++)
		feed(i, "READY\n", 6);
	for (k = 0; k < 6; k++) {
		event_group(&sup, "g", 1);
		i = k % 3;
		assert_int_equal(lis(i)->state, EVL_BUSY);
		p = sent(i);
		assert_non_null(strstr(p, "eventname:PROCESS_GROUP_ADDED"));
		feed(i, "RESULT 2\nOKREADY\n", 17);
	}
	/* None READY: the event waits for the first that is. */
	for (i = 0; i < 3; i++)
		evl_reset(lis(i));
	event_group(&sup, "g", 1);
	assert_int_equal(TAILQ_FIRST(&ev_pools)->qn, 1);
	feed(2, "READY\n", 6);
	assert_int_equal(lis(2)->state, EVL_BUSY);
	assert_int_equal(TAILQ_FIRST(&ev_pools)->qn, 0);
	teardown_sup();
}

/* The payload of one change of x, from the pool's buffer. */
static void
check_state(int to, int from, const char *want)
{
	struct evpool	*pool = TAILQ_FIRST(&ev_pools);
	struct svc	*x = &svcs[1];

	x->state = to;
	event_state(x, from);
	assert_true(pool->qn > 0);
	assert_string_equal(pool->q[pool->qn - 1].ev->payload, want);
	assert_int_equal(pool->q[pool->qn - 1].ev->type, ev_state_type(to));
}

/* Each state's payload, field for field as supervisord sends it. */
static void
test_payloads(void **state)
{
	struct evpool	*pool;
	struct svc	*x = &svcs[1];

	(void)state;
	setup_sup(1, "PROCESS_STATE", 100);
	pool = TAILQ_FIRST(&ev_pools);
	x->backoff = 0;
	check_state(SVC_STARTING, SVC_STOPPED, "processname:x groupname:x "
	    "from_state:STOPPED tries:0");
	x->pid = x->sid = 42;
	check_state(SVC_RUNNING, SVC_STARTING, "processname:x groupname:x "
	    "from_state:STARTING pid:42");
	check_state(SVC_STOPPING, SVC_RUNNING, "processname:x groupname:x "
	    "from_state:RUNNING pid:42");
	x->pid = 0;
	check_state(SVC_STOPPED, SVC_STOPPING, "processname:x groupname:x "
	    "from_state:STOPPING pid:42");
	x->status = 3 << 8;
	check_state(SVC_EXITED, SVC_RUNNING, "processname:x groupname:x "
	    "from_state:RUNNING expected:0 pid:42");
	x->status = 0;
	check_state(SVC_EXITED, SVC_RUNNING, "processname:x groupname:x "
	    "from_state:RUNNING expected:1 pid:42");
	x->backoff = 2;
	check_state(SVC_BACKOFF, SVC_STARTING, "processname:x groupname:x "
	    "from_state:STARTING tries:2");
	check_state(SVC_STOPPED, SVC_BACKOFF, "processname:x groupname:x "
	    "from_state:BACKOFF pid:0");
	check_state(SVC_FATAL, SVC_BACKOFF, "processname:x groupname:x "
	    "from_state:BACKOFF");
	/* A last failed start: BACKOFF, then FATAL, as supervisord has it. */
	x->backoff = 4;
	check_state(SVC_FATAL, SVC_STARTING, "processname:x groupname:x "
	    "from_state:BACKOFF");
	assert_string_equal(pool->q[pool->qn - 2].ev->payload, "processname:x "
	    "groupname:x from_state:STARTING tries:4");
	teardown_sup();

	setup_sup(1, "REMOTE_COMMUNICATION,SUPERVISOR_STATE_CHANGE", 10);
	pool = TAILQ_FIRST(&ev_pools);
	event_remote("t1", 2, "d\0x", 1);
	assert_string_equal(pool->q[0].ev->payload, "type:t1\nd");
	event_stopping(&sup);
	assert_int_equal(pool->q[1].ev->type, EVT_SUP_STOPPING);
	assert_int_equal(pool->q[1].ev->len, 0);
	x->state = SVC_RUNNING;
	event_state(x, SVC_STARTING);		/* not taken */
	assert_int_equal(pool->qn, 2);
	teardown_sup();
}

/* Output through event_output, split at every byte. */
static char *
output(struct svclog *l, const char *s, size_t step)
{
	static char	 log[512];
	const char	*o;
	size_t		 len = strlen(s), k, n;

	log[0] = '\0';
	for (k = 0; k < len; k += step) {
		n = len - k < step ? len - k : step;
		o = event_output(l, s + k, &n);
		strncat(log, o, n);
	}
	return (log);
}

/* A stream of s (pid pid) as logs.c has it: which is 0 or 1. */
static void
stream(struct svclog *l, struct svc *s, pid_t pid, int which)
{
	memset(l, 0, sizeof *l);
	s->pid = pid;
	l->svc = s;
	l->which = which;
}

/* Capture mode: the text between the tokens leaves the log for events. */
static void
test_capture(void **state)
{
	struct evpool	*pool;
	struct svclog	 l;
	struct svc	*x = &svcs[1];
	const char	*text = "a<!--XSUPERVISOR:BEGIN-->hello"
			    "<!--XSUPERVISOR:END-->b<!--XSUPERVISOR:";
	size_t		 step;

	(void)state;
	for (step = 1; step <= strlen(text); step++) {
		setup_sup(1, "PROCESS_COMMUNICATION", 10);
		pool = TAILQ_FIRST(&ev_pools);
		x->cfg->out.capture = 1024;
		stream(&l, x, 7, 0);
		assert_string_equal(output(&l, text, step), "ab");
		if (pool->qn != 1)
			fail_msg("step %zu: %d events", step, pool->qn);
		assert_int_equal(pool->q[0].ev->type, EVT_COMM_STDOUT);
		assert_string_equal(pool->q[0].ev->payload, "processname:x "
		    "groupname:x pid:7\nhello");
		/* What looked like a token's start was text after all. */
		assert_string_equal(output(&l, "x", 1), "<!--XSUPERVISOR:x");
		teardown_sup();
	}

	/* Events enabled, no capture: each chunk is a PROCESS_LOG event. */
	setup_sup(1, "PROCESS_LOG_STDERR", 10);
	pool = TAILQ_FIRST(&ev_pools);
	x->cfg->err.events = 1;
	stream(&l, x, 9, 1);
	assert_string_equal(output(&l, "oops\n", 16), "oops\n");
	assert_string_equal(pool->q[0].ev->payload, "processname:x "
	    "groupname:x pid:9 channel:stderr\noops\n");
	/* A listener's stdout is never logged: it is the protocol. */
	l.svc = &svcs[0];
	l.which = 0;
	assert_string_equal(output(&l, "READY\n", 16), "");
	assert_int_equal(lis(0)->state, EVL_BUSY);
	assert_non_null(strstr(sent(0), "eventname:PROCESS_LOG_STDERR len:"));
	teardown_sup();
}

/* No listener: nothing wanted, no pool, no timer. */
static void
test_none(void **state)
{
	char	*cause = NULL;

	(void)state;
	memset(&sup, 0, sizeof sup);
	TAILQ_INIT(&sup.svcs);
	sup.loop = loop_new();
	assert_int_equal(cfg_load_string("t.conf", "[program:x]\n"
	    "command=/bin/x\nstdout_events_enabled=true\n", &sup.cfg,
	    &cause), 0);
	event_init(&sup);
	assert_int_equal(ev_wanted, 0);
	assert_true(TAILQ_EMPTY(&ev_pools));
	event_fini(&sup);
	cfg_free(sup.cfg);
	loop_free(sup.loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hierarchy),
		cmocka_unit_test(test_buffer),
		cmocka_unit_test(test_protocol),
		cmocka_unit_test(test_round_robin),
		cmocka_unit_test(test_payloads),
		cmocka_unit_test(test_capture),
		cmocka_unit_test(test_none),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
