/*
 * supervisord's XML-RPC methods: calls encoded as a client does, run
 * through rpc_request on a supervisor without sup_main, the replies
 * decoded and checked (values, faults and their strings); the calls that
 * wait answered from the loop once their services have changed state;
 * multicall, cancel, forget; every row of the method tables called.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../src/sup/rpc-internal.h"
#include "stubs.h"
#include "supfix.h"
#include "rpcfix.h"

#define NOLOG "stdout_logfile=NONE\nstderr_logfile=NONE\n"
#define CONF \
	"[supervisord]\nidentifier=ident-7\n" \
	"[program:web]\ncommand=sleep 1000\nautostart=false\n" \
	"startsecs=0.2\n" NOLOG \
	"[program:db]\ncommand=sleep 1000\nautostart=true\nstartsecs=0\n" \
	"priority=10\n" NOLOG \
	"[program:quick]\ncommand=sh -c \"exit 1\"\nautostart=false\n" \
	"startsecs=5\nstartretries=0\n" NOLOG \
	"[program:nofile]\ncommand=/nonexistent/x\nautostart=false\n" NOLOG \
	"[program:one]\ncommand=sleep 1000\nautostart=false\nstartsecs=0\n" \
	"process_name=x\n" NOLOG \
	"[program:two]\ncommand=sleep 1000\nautostart=false\nstartsecs=0.1\n" \
	"process_name=y\n" NOLOG \
	"[group:g]\nprograms=one,two\n"

static char		 dir[] = "/tmp/test-rpc.XXXXXX";
static char		 conf[128];

static int
setup(void **state)
{
	struct config	*cf;
	char		*cause = NULL;
	FILE		*fp;

	(void)state;
	strcpy(dir, "/tmp/test-rpc.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof conf, "%s/warden.conf", dir);
	assert_non_null(fp = fopen(conf, "w"));
	fputs(CONF, fp);
	fclose(fp);
	supfix_init(&sup, &hooks);
	if (cfg_load_string(conf, CONF, &cf, &cause) == -1)
		fail_msg("%s", cause);
	sup.cfg = cf;
	sup_adopt(&sup, cf, &sup.svcs);
	return (0);
}

static int
teardown(void **state)
{
	(void)state;
	xr_msg_free(&last.msg);
	memset(&last, 0, sizeof last);
	rpc_fini(&sup);
	loop_timer_del(sup.loop, sup.leave);
	supfix_free(&sup);
	unlink(conf);
	rmdir(dir);
	return (0);
}

/* The supervisor's own methods, and what every call may get wrong. */
static void
test_supervisor(void **state)
{
	const struct xr_value	*v;
	struct reply		 r;

	(void)state;
	assert_string_equal(call("supervisor.getAPIVersion", P(NULL))->s,
	    "3.0");
	assert_string_equal(call("supervisor.getVersion", P(NULL))->s, "3.0");
	assert_string_equal(call("supervisor.getSupervisorVersion",
	    P(NULL))->s, WARDEN_VERSION_STR);
	assert_string_equal(call("supervisor.getIdentification", P(NULL))->s,
	    "ident-7");
	v = call("supervisor.getState", P(NULL));
	assert_int_equal(v->n, 2);
	assert_string_equal(v->v[0]->name, "statecode");
	assert_int_equal(mint(v, "statecode"), 1);
	assert_string_equal(mstr(v, "statename"), "RUNNING");
	assert_int_equal(call("supervisor.getPID", P(NULL))->i, getpid());

	fault("supervisor.getPID", P(xr_int(1), NULL),
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	fault("supervisor.nope", P(NULL), RPC_UNKNOWN_METHOD,
	    "UNKNOWN_METHOD");
	fault("nope", P(NULL), RPC_UNKNOWN_METHOD, "UNKNOWN_METHOD");

	/* No call at all: 400 and no document. */
	memset(&r, 0, sizeof r);
	assert_null(rpc_request(&sup, "<junk/>", 7, reply_cb, &r));
	assert_true(r.done);
	assert_int_equal(r.status, 400);
	assert_null(rpc_request(&sup, "<methodResponse><params><param>"
	    "<value>1</value></param></params></methodResponse>", 76,
	    reply_cb, (memset(&r, 0, sizeof r), &r)));
	assert_int_equal(r.status, 400);
}

/* getProcessInfo's struct, its order and description; getAll's order. */
static void
test_info(void **state)
{
	static const char *const members[] = {
		"name", "group", "start", "stop", "now", "state", "statename",
		"spawnerr", "exitstatus", "logfile", "stdout_logfile",
		"stderr_logfile", "pid", "description"
	};
	const struct xr_value	*v;
	size_t			 i;

	(void)state;
	v = call("supervisor.getProcessInfo", P(xr_string("web"), NULL));
	assert_int_equal(v->n, nitems(members));
	for (i = 0; i < nitems(members); i++)
		assert_string_equal(v->v[i]->name, members[i]);
	assert_string_equal(mstr(v, "name"), "web");
	assert_string_equal(mstr(v, "group"), "web");
	assert_int_equal(mint(v, "state"), 0);
	assert_string_equal(mstr(v, "statename"), "STOPPED");
	assert_string_equal(mstr(v, "description"), "Not started");
	assert_int_equal(mint(v, "start"), 0);
	assert_int_equal(mint(v, "pid"), 0);
	assert_string_equal(mstr(v, "stdout_logfile"), "");
	assert_true(labs((long)(mint(v, "now") - time(NULL))) <= 1);

	v = call("supervisor.getProcessInfo", P(xr_string("g:x"), NULL));
	assert_string_equal(mstr(v, "group"), "g");
	fault("supervisor.getProcessInfo", P(xr_string("g"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: g");
	fault("supervisor.getProcessInfo", P(xr_string("g:*"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: g:*");
	fault("supervisor.getProcessInfo", P(xr_string("x"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: x");
	fault("supervisor.getProcessInfo", P(xr_int(3), NULL),
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");

	/* By group, then name. */
	v = call("supervisor.getAllProcessInfo", P(NULL));
	assert_int_equal(v->n, 6);
	assert_string_equal(mstr(v->v[0], "name"), "db");
	assert_string_equal(mstr(v->v[1], "name"), "x");
	assert_string_equal(mstr(v->v[2], "name"), "y");
	assert_string_equal(mstr(v->v[3], "name"), "nofile");
	assert_string_equal(mstr(v->v[4], "name"), "quick");
	assert_string_equal(mstr(v->v[5], "name"), "web");
}

/* start and stop of one process: waited for, and not. */
static void
test_start_stop(void **state)
{
	const struct xr_value	*v;
	struct svc		*web = svc("web", "web");
	char			 want[64];

	(void)state;
	/* RUNNING after startsecs: the answer waits for it. */
	assert_non_null(send_call(&last, "supervisor.startProcess",
	    P(xr_string("web"), NULL)));
	assert_int_equal(web->state, SVC_STARTING);
	wait_reply(&last);
	assert_int_equal(web->state, SVC_RUNNING);
	assert_true_value(last.msg.params->v[0]);

	fault("supervisor.startProcess", P(xr_string("web"), NULL),
	    RPC_ALREADY_STARTED, "ALREADY_STARTED: web");
	v = call("supervisor.getProcessInfo", P(xr_string("web"), NULL));
	assert_int_equal(mint(v, "state"), 20);
	assert_int_equal(mint(v, "pid"), web->pid);
	snprintf(want, sizeof want, "pid %ld, uptime 0:00:0", (long)web->pid);
	assert_memory_equal(mstr(v, "description"), want, strlen(want));
	assert_true(mint(v, "start") > 0);

	assert_non_null(send_call(&last, "supervisor.stopProcess",
	    P(xr_string("web"), NULL)));
	wait_reply(&last);
	assert_true_value(last.msg.params->v[0]);
	assert_true(svc_is_idle(web));
	fault("supervisor.stopProcess", P(xr_string("web"), NULL),
	    RPC_NOT_RUNNING, "NOT_RUNNING: web");
	v = call("supervisor.getProcessInfo", P(xr_string("web"), NULL));
	assert_string_not_equal(mstr(v, "description"), "Not started");
	assert_true(mint(v, "stop") > 0);

	/* wait=False: True at once, still STARTING. */
	assert_true_value(call("supervisor.startProcess",
	    P(xr_string("web"), xr_bool(0), NULL)));
	assert_int_equal(web->state, SVC_STARTING);
	v = call("supervisor.getProcessInfo", P(xr_string("web"), NULL));
	assert_string_equal(mstr(v, "description"), "");
	assert_true_value(call("supervisor.stopProcess",
	    P(xr_string("web"), xr_bool(0), NULL)));
	run_until_state(web, SVC_STOPPED);
	fault("supervisor.stopProcess", P(xr_string("nope"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: nope");
}

/* What a start can fail of: the file, the spawn, the wait. */
static void
test_start_faults(void **state)
{
	struct svc	*quick = svc("quick", "quick");
	char		 want[256];

	(void)state;
	fault("supervisor.startProcess", P(xr_string("nofile"), NULL),
	    RPC_NO_FILE, "NO_FILE: can't find command '/nonexistent/x'");
	free(svc("nofile", "nofile")->cfg->argv[0]);
	svc("nofile", "nofile")->cfg->argv[0] = xstrdup(conf);
	snprintf(want, sizeof want, "NOT_EXECUTABLE: command at '%s' is not "
	    "executable", conf);
	fault("supervisor.startProcess", P(xr_string("nofile"), NULL),
	    RPC_NOT_EXECUTABLE, want);
	free(svc("nofile", "nofile")->cfg->argv[0]);
	svc("nofile", "nofile")->cfg->argv[0] = xstrdup(dir);
	snprintf(want, sizeof want, "NOT_EXECUTABLE: command at '%s' is a "
	    "directory", dir);
	fault("supervisor.startProcess", P(xr_string("nofile"), NULL),
	    RPC_NOT_EXECUTABLE, want);

	/* Exited during startsecs: supervisord's spawnerr, SPAWN_ERROR. */
	fault("supervisor.startProcess", P(xr_string("quick"), NULL),
	    RPC_SPAWN_ERROR, "SPAWN_ERROR: quick");
	assert_true(svc_is_failed(quick));
	/* Stopped while it starts: ABNORMAL_TERMINATION. */
	assert_non_null(send_call(&last, "supervisor.startProcess",
	    P(xr_string("web"), NULL)));
	svc_event(svc("web", "web"), EV_STOP);
	wait_reply(&last);
	assert_int_equal(xr_fault(&last.msg, &(int64_t){ 0 },
	    &(const char *){ NULL }), 0);
	assert_string_equal(last.msg.params->v[0]->v[1]->s,
	    "ABNORMAL_TERMINATION: web");
	run_until_state(svc("web", "web"), SVC_STOPPED);
}

/* Groups and all: make_allfunc's results, in priority order. */
static void
test_groups(void **state)
{
	const struct xr_value	*v;
	struct svc		*x = svc("g", "x"), *y = svc("g", "y");
	size_t			 i;

	(void)state;
	v = call("supervisor.startProcessGroup", P(xr_string("g"), NULL));
	assert_int_equal(v->n, 2);
	assert_result(v->v[0], "x", "g", RPC_SUCCESS, "OK");
	assert_result(v->v[1], "y", "g", RPC_SUCCESS, "OK");
	assert_int_equal(y->state, SVC_RUNNING);
	/* Already running: skipped, not a fault. */
	v = call("supervisor.startProcess", P(xr_string("g:*"), NULL));
	assert_int_equal(v->n, 0);
	fault("supervisor.startProcessGroup", P(xr_string("nope"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: nope");
	fault("supervisor.startProcess", P(xr_string("g:z"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: g:z");

	/* Results as each stop is over: either order. */
	v = call("supervisor.stopProcess", P(xr_string("g:"), NULL));
	assert_int_equal(v->n, 2);
	assert_result(v->v[0], strcmp(mstr(v->v[0], "name"), "x") == 0 ?
	    "x" : "y", "g", RPC_SUCCESS, "OK");
	assert_string_not_equal(mstr(v->v[0], "name"), mstr(v->v[1], "name"));
	assert_true(svc_is_idle(x) && svc_is_idle(y));
	assert_true_value(call("supervisor.startProcess",
	    P(xr_string("g:x"), NULL)));
	v = call("supervisor.stopProcessGroup", P(xr_string("g"), NULL));
	assert_int_equal(v->n, 1);
	assert_result(v->v[0], "x", "g", RPC_SUCCESS, "OK");
	fault("supervisor.stopProcessGroup", P(xr_string("nope"), NULL),
	    RPC_BAD_NAME, "BAD_NAME: nope");

	/* All, without waiting: db (priority 10) first; nofile's fault. */
	v = call("supervisor.startAllProcesses", P(xr_bool(0), NULL));
	assert_int_equal(v->n, 6);
	assert_result(v->v[0], "db", "db", RPC_SUCCESS, "OK");
	assert_result(v->v[3], "nofile", "nofile", RPC_NO_FILE,
	    "NO_FILE: can't find command '/nonexistent/x'");
	/* Each stop's result as it is over: db's among them. */
	v = call("supervisor.stopAllProcesses", P(NULL));
	assert_true(v->n >= 4);
	for (i = 0; i < v->n; i++)
		if (strcmp(mstr(v->v[i], "name"), "db") == 0)
			break;
	assert_true(i < v->n);
	assert_result(v->v[i], "db", "db", RPC_SUCCESS, "OK");
	assert_true(svc_is_idle(svc("db", "db")) && svc_is_idle(x));
}

/* Signals by name, number, with SIG or not; to one, a group, all. */
static void
test_signal(void **state)
{
	const struct xr_value	*v;

	(void)state;
	fault("supervisor.signalProcess", P(xr_string("web"),
	    xr_string("HUP"), NULL), RPC_NOT_RUNNING, "NOT_RUNNING: web");
	assert_true_value(call("supervisor.startProcess",
	    P(xr_string("web"), NULL)));
	fault("supervisor.signalProcess", P(xr_string("web"),
	    xr_string("BOGUS"), NULL), RPC_BAD_SIGNAL, "BAD_SIGNAL: BOGUS");
	fault("supervisor.signalProcess", P(xr_string("nope"),
	    xr_string("HUP"), NULL), RPC_BAD_NAME, "BAD_NAME: nope");
	assert_true_value(call("supervisor.signalProcess",
	    P(xr_string("web"), xr_string("cont"), NULL)));
	assert_true_value(call("supervisor.signalProcess",
	    P(xr_string("web"), xr_string("SIGCONT"), NULL)));
	assert_true_value(call("supervisor.signalProcess",
	    P(xr_string("web"), xr_string("18"), NULL)));
	assert_true_value(call("supervisor.signalProcess",
	    P(xr_string("web"), xr_int(18), NULL)));
	assert_int_equal(svc("web", "web")->state, SVC_RUNNING);

	/* A group's bad signal is each process's fault. */
	assert_true_value(call("supervisor.startProcess",
	    P(xr_string("g:x"), NULL)));
	v = call("supervisor.signalProcess", P(xr_string("g:*"),
	    xr_string("BOGUS"), NULL));
	assert_int_equal(v->n, 1);
	assert_result(v->v[0], "x", "g", RPC_BAD_SIGNAL, "BAD_SIGNAL: BOGUS");
	v = call("supervisor.signalProcessGroup", P(xr_string("g"),
	    xr_string("CONT"), NULL));
	assert_int_equal(v->n, 1);
	assert_result(v->v[0], "x", "g", RPC_SUCCESS, "OK");
	fault("supervisor.signalProcessGroup", P(xr_string("nope"),
	    xr_string("CONT"), NULL), RPC_BAD_NAME, "BAD_NAME: nope");
	v = call("supervisor.signalAllProcesses", P(xr_string("CONT"), NULL));
	assert_int_equal(v->n, 2);
	assert_result(v->v[0], "web", "web", RPC_SUCCESS, "OK");
	assert_result(v->v[1], "x", "g", RPC_SUCCESS, "OK");
	v = call("supervisor.signalAllProcesses", P(xr_int(99), NULL));
	assert_result(v->v[1], "x", "g", RPC_BAD_SIGNAL, "BAD_SIGNAL: 99");
}

/* multicall: in order, a waiting call waited for, faults as structs. */
static void
test_multicall(void **state)
{
	const struct xr_value	*v, *f;
	struct xr_value		*calls = xr_array(), *c;

	(void)state;
	c = xr_struct();
	xr_struct_add(c, "methodName", xr_string("supervisor.getPID"));
	xr_array_add(calls, c);
	c = xr_struct();
	xr_struct_add(c, "methodName", xr_string("supervisor.startProcess"));
	xr_struct_add(c, "params", P(xr_string("web"), NULL));
	xr_array_add(calls, c);
	c = xr_struct();
	xr_struct_add(c, "methodName", xr_string("supervisor.getProcessInfo"));
	xr_struct_add(c, "params", P(xr_string("web"), NULL));
	xr_array_add(calls, c);
	c = xr_struct();
	xr_struct_add(c, "methodName", xr_string("system.multicall"));
	xr_struct_add(c, "params", P(xr_array(), NULL));
	xr_array_add(calls, c);
	c = xr_struct();
	xr_struct_add(c, "params", P(NULL));
	xr_array_add(calls, c);
	c = xr_struct();
	xr_struct_add(c, "methodName", xr_string("supervisor.stopProcess"));
	xr_struct_add(c, "params", P(xr_string("nope"), NULL));
	xr_array_add(calls, c);

	assert_non_null(send_call(&last, "system.multicall",
	    P(calls, NULL)));
	wait_reply(&last);
	v = last.msg.params->v[0];
	assert_int_equal(v->n, 6);
	assert_int_equal(v->v[0]->i, getpid());
	assert_true_value(v->v[1]);
	/* Run after the start was over. */
	assert_int_equal(mint(v->v[2], "state"), 20);
	f = v->v[3];
	assert_int_equal(mint(f, "faultCode"), RPC_INCORRECT_PARAMETERS);
	assert_string_equal(mstr(f, "faultString"),
	    "INCORRECT_PARAMETERS: Recursive system.multicall forbidden");
	assert_string_equal(mstr(v->v[4], "faultString"),
	    "INCORRECT_PARAMETERS: No methodName");
	assert_int_equal(mint(v->v[5], "faultCode"), RPC_BAD_NAME);
	assert_string_equal(mstr(v->v[5], "faultString"), "BAD_NAME: nope");

	/* Nothing waits: answered at once. */
	calls = xr_array();
	c = xr_struct();
	xr_struct_add(c, "methodName", xr_string("supervisor.getAPIVersion"));
	xr_array_add(calls, c);
	v = call("system.multicall", P(calls, NULL));
	assert_int_equal(v->n, 1);
	assert_string_equal(v->v[0]->s, "3.0");
}

/* A client that left, a service a reload freed, a supervisor leaving. */
static void
test_cancel_forget(void **state)
{
	struct rpc_req	*req;
	struct svc	*web = svc("web", "web"), *y = svc("g", "y");
	struct reply	 r;
	const struct xr_value *v;

	(void)state;
	memset(&r, 0, sizeof r);
	/* Cancelled: the start goes on, the callback never runs. */
	assert_non_null(req = send_call(&r, "supervisor.startProcess",
	    P(xr_string("web"), NULL)));
	rpc_cancel(req);
	run_until_state(web, SVC_RUNNING);
	assert_false(r.done);

	/* Forgotten: the call is over, the service gone from it. */
	assert_non_null(send_call(&r, "supervisor.stopProcess",
	    P(xr_string("web"), NULL)));
	rpc_forget(&sup, web);
	rpc_changed(&sup);
	assert_true(r.done);
	assert_int_equal(xr_fault(&r.msg, &(int64_t){ 0 },
	    &(const char *){ NULL }), 0);
	assert_string_equal(r.msg.params->v[0]->v[1]->s, "BAD_NAME: web");
	xr_msg_free(&r.msg);
	run_until_state(web, SVC_STOPPED);

	/* In a group, a forgotten one has no result. */
	assert_non_null(send_call(&last, "supervisor.startProcessGroup",
	    P(xr_string("g"), NULL)));
	assert_int_equal(y->state, SVC_STARTING);
	rpc_forget(&sup, y);
	wait_reply(&last);
	v = last.msg.params->v[0];
	assert_int_equal(v->n, 1);
	assert_result(v->v[0], "x", "g", RPC_SUCCESS, "OK");
	run_until_state(y, SVC_RUNNING);

	/* Left waiting at the end: rpc_fini frees it, unanswered. */
	memset(&r, 0, sizeof r);
	assert_non_null(send_call(&r, "supervisor.startProcess",
	    P(xr_string("web"), NULL)));
	rpc_fini(&sup);
	assert_false(r.done);
}

static int
leave_done(void)
{
	return (sup.leaving == 0 && !sup.shutting_down && sup.leave == NULL);
}

/* shutdown and restart: True first, then SHUTDOWN_STATE. */
static void
test_restart(void **state)
{
	struct svc	*web = svc("web", "web"), *db = svc("db", "db");

	(void)state;
	assert_true_value(call("supervisor.startProcess",
	    P(xr_string("web"), NULL)));
	assert_true_value(call("supervisor.restart", P(NULL)));
	assert_int_equal(web->state, SVC_RUNNING);	/* nothing stopped yet */
	fault("supervisor.getState", P(NULL), RPC_SHUTDOWN_STATE,
	    "SHUTDOWN_STATE");
	fault("supervisor.restart", P(NULL), RPC_SHUTDOWN_STATE,
	    "SHUTDOWN_STATE");
	/* system.* never asks. */
	assert_true(call("system.listMethods", P(NULL))->n > 0);
	/* Everything stopped, the config read, autostart's started. */
	until = leave_done;
	run();
	until = NULL;
	assert_true(svc_is_idle(web));
	assert_true(svc_is_up(db));
	assert_int_equal(mint(call("supervisor.getState", P(NULL)),
	    "statecode"), 1);

	assert_true_value(call("supervisor.shutdown", P(NULL)));
	assert_true(svc_is_up(db));
	fault("supervisor.getPID", P(NULL), RPC_SHUTDOWN_STATE,
	    "SHUTDOWN_STATE");
	run();			/* stopped by the shutdown's end */
	assert_true(svc_is_idle(db));
	assert_int_equal(sup.shutting_down, 1);
}

/* The warden namespace: what supervisord's struct has no room for. */
static void
test_warden(void **state)
{
	const struct xr_value	*v;

	(void)state;
	v = call("warden.getServiceInfo", P(xr_string("g:y"), NULL));
	assert_string_equal(mstr(v, "name"), "y");
	assert_string_equal(mstr(v, "state"), "STOPPED");
	assert_string_equal(mstr(v, "ready_mode"), "startsecs");
	assert_string_equal(mstr(v, "ready_state"), "none");
	assert_string_equal(mstr(v, "description"), "Not started");
	assert_int_equal(mint(v, "restarts"), 0);
	assert_non_null(xr_member(v, "exit_status", XR_NIL));
	assert_non_null(xr_member(v, "cgroup", XR_STRING));
	fault("warden.getServiceInfo", P(xr_string("g"), NULL), RPC_BAD_NAME,
	    "BAD_NAME: g");
	v = call("warden.getAllServiceInfo", P(NULL));
	assert_int_equal(v->n, 6);
	assert_string_equal(mstr(v->v[0], "name"), "web");
}

/* system.*: the list, help and signatures; unknown names. */
static void
test_system(void **state)
{
	const struct xr_value	*v;
	size_t			 i;

	(void)state;
	v = call("system.listMethods", P(NULL));
	for (i = 1; i < v->n; i++)
		assert_true(strcmp(v->v[i - 1]->s, v->v[i]->s) < 0);
	assert_string_equal(v->v[0]->s, "supervisor.addProcessGroup");
	assert_non_null(strstr(call("system.methodHelp",
	    P(xr_string("supervisor.getState"), NULL))->s, "@return struct"));
	fault("system.methodHelp", P(xr_string("nope"), NULL),
	    RPC_SIGNATURE_UNSUPPORTED, "SIGNATURE_UNSUPPORTED");
	v = call("system.methodSignature",
	    P(xr_string("supervisor.startProcess"), NULL));
	assert_int_equal(v->n, 3);
	assert_string_equal(v->v[0]->s, "boolean");
	assert_string_equal(v->v[1]->s, "string");
	assert_string_equal(v->v[2]->s, "boolean");
	v = call("system.methodSignature",
	    P(xr_string("supervisor.getState"), NULL));
	assert_int_equal(v->n, 1);
	assert_string_equal(v->v[0]->s, "struct");
	fault("system.methodSignature", P(xr_string("nope"), NULL),
	    RPC_SIGNATURE_UNSUPPORTED, "SIGNATURE_UNSUPPORTED");
	fault("system.multicall", P(xr_int(1), NULL),
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
}

/* supervisord's description, from the state and the three times. */
static void
test_describe(void **state)
{
	struct svc	*s = svc("web", "web");
	char		 buf[256], want[64];
	time_t		 t = 1000000;

	(void)state;
	s->state = SVC_RUNNING;
	s->pid = 42;
	svc_describe_sd(s, t, 0, t + 62, buf, sizeof buf);
	assert_string_equal(buf, "pid 42, uptime 0:01:02");
	svc_describe_sd(s, t, 0, t + 86400 + 3661, buf, sizeof buf);
	assert_string_equal(buf, "pid 42, uptime 1 day, 1:01:01");
	svc_describe_sd(s, t, 0, t + 2 * 86400, buf, sizeof buf);
	assert_string_equal(buf, "pid 42, uptime 2 days, 0:00:00");
	svc_describe_sd(s, t, 0, t - 5, buf, sizeof buf);
	assert_string_equal(buf, "pid 42, uptime 0:00:00");
	s->state = SVC_STARTING;
	svc_describe_sd(s, t, 0, t, buf, sizeof buf);
	assert_string_equal(buf, "");
	s->state = SVC_STOPPING;
	svc_describe_sd(s, t, 0, t, buf, sizeof buf);
	assert_string_equal(buf, "");
	s->state = SVC_FATAL;
	svc_describe_sd(s, t, t, t, buf, sizeof buf);
	assert_string_equal(buf, "unknown error (try \"tail web\")");
	s->state = SVC_BACKOFF;
	s->desc = xstrdup("spawn error: exec: No such file");
	svc_describe_sd(s, t, t, t, buf, sizeof buf);
	assert_string_equal(buf, "spawn error: exec: No such file");
	s->state = SVC_STOPPED;
	svc_describe_sd(s, 0, 0, t, buf, sizeof buf);
	assert_string_equal(buf, "Not started");
	s->state = SVC_EXITED;
	strftime(want, sizeof want, "%b %d %I:%M %p", localtime(&t));
	svc_describe_sd(s, t - 10, t, t + 10, buf, sizeof buf);
	assert_string_equal(buf, want);
	s->state = SVC_STOPPED;
	s->pid = 0;
}

/* Every row of the tables was called by a test above. */
static void
test_every_method(void **state)
{
	const struct rpc_method	*const tables[] = {
		rpc_sys_methods, rpc_sup_methods, rpc_proc_methods,
		rpc_warden_methods
	};
	const struct rpc_method	*m;
	size_t			 i, k, rows = 0;

	(void)state;
	for (k = 0; k < nitems(tables); k++)
		for (m = tables[k]; m->name != NULL; m++, rows++) {
			for (i = 0; i < ncalled; i++)
				if (strcmp(called[i], m->name) == 0)
					break;
			if (i == ncalled)
				fail_msg("%s: no test calls it", m->name);
			assert_non_null(m->fn);
			assert_non_null(m->help);
			assert_ptr_equal(rpc_method_find(m->name), m);
		}
	assert_true(rows >= 25);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_supervisor, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_info, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_stop, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_start_faults, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multicall, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cancel_forget, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warden, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system, setup, teardown),
		cmocka_unit_test_setup_teardown(test_describe, setup,
		    teardown),
		cmocka_unit_test(test_every_method),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
