/*
 * supervisord's log and stdin methods (rpc-log.c, svc-stdin.c,
 * svclog_clear), called straight from their tables on a real struct
 * sup: readFile's and tailFile's rules against files written here,
 * clearing while a service writes, stdin to a cat, the queue when the
 * pipe is full.  A first test walks both tables: every row must have a
 * case here.
 */
#include <sys/stat.h>

#include <errno.h>
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
#include "../../src/sup/rpc-internal.h"
#include "stubs.h"
#include "supfix.h"
#include "rpcmethod.h"

static char		 dir[] = "/tmp/test-rpclog.XXXXXX";
static char		 conf[128], mainlog[160], wlog[160], werr[160];
static struct sup	 sup;
static struct svc	*want;		/* stop the loop once it is RUNNING */
static const char	*grow_path;	/* stop the loop once it is this big */
static long long	 grow_size;
static struct svc	*drain_svc;	/* stop once its queue is empty */

/* A change of state: stop once the service awaited runs. */
static void
hook_changed(struct sup *s)
{
	(void)s;
	if (want != NULL && want->state == SVC_RUNNING)
		loop_stop(sup.loop);
}

static const struct sup_hooks hooks = { NULL, hook_changed, NULL, NULL };

/* Every 10 ms: has the file grown enough, or the queue drained? */
static void
watch_cb(void *arg)
{
	(void)arg;
	if ((grow_path == NULL || rpcfix_size(grow_path) >= grow_size) &&
	    (drain_svc == NULL || svc_stdin_queued(drain_svc) == 0)) {
		loop_stop(sup.loop);
		return;
	}
	(void)loop_timer(sup.loop, 0.01, watch_cb, NULL);
}

/* The end of a tick. */
static void
tick_cb(void *arg)
{
	(void)arg;
	loop_stop(sup.loop);
}

/* Run the loop for a moment: what is due now happens. */
static void
tick(void)
{
	(void)loop_timer(sup.loop, 0.005, tick_cb, NULL);
	loop_run(sup.loop);
}

/* Run the loop until path holds size bytes and drain's queue is out. */
static void
run_until(const char *path, long long size, struct svc *drain)
{
	grow_path = path;
	grow_size = size;
	drain_svc = drain;
	(void)loop_timer(sup.loop, 0, watch_cb, NULL);
	supfix_run(&sup);
	grow_path = NULL;
	drain_svc = NULL;
}

/* The services of text, with the supervisor's log in the directory. */
static void
load(const char *text)
{
	struct config	*cf;
	char		*cause = NULL, *all;
	FILE		*fp;

	xasprintf(&all, "[supervisord]\nlogfile=%s\nchildlogdir=%s\n%s",
	    mainlog, dir, text);
	assert_non_null(fp = fopen(conf, "w"));
	fputs(all, fp);
	assert_int_equal(fclose(fp), 0);
	free(all);
	if (cfg_load(conf, &cf, &cause) == -1)
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

/* Start s and run the loop until it is RUNNING. */
static void
start(struct svc *s)
{
	want = s;
	svc_event(s, EV_START);
	if (s->state != SVC_RUNNING)
		supfix_run(&sup);
	want = NULL;
	assert_int_equal(s->state, SVC_RUNNING);
}

/* A temp dir, SIGPIPE blocked, an empty supervisor. */
static int
setup(void **state)
{
	sigset_t	set;

	(void)state;
	want = NULL;
	strcpy(dir, "/tmp/test-rpclog.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof conf, "%s/warden.conf", dir);
	snprintf(mainlog, sizeof mainlog, "%s/main.log", dir);
	snprintf(wlog, sizeof wlog, "%s/w.log", dir);
	snprintf(werr, sizeof werr, "%s/w.err", dir);
	/* As the supervisor: a pipe with no reader is EPIPE, no signal. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	supfix_init(&sup, &hooks);
	return (0);
}

/* Every process killed, everything freed, the dir removed. */
static int
teardown(void **state)
{
	char	cmd[256];

	(void)state;
	cfg_free(sup.pending);
	supfix_free(&sup);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return (0);
}

/* A program "w" with both logs in files, not started. */
#define W_PROG(cmd)							\
	"[program:w]\ncommand=" cmd "\nautostart=false\nstartsecs=0\n"	\
	"stdout_logfile=%s\nstderr_logfile=%s\n"

/* The config of W_PROG and more, its %s the logs of w. */
static void
load_w(const char *cmd_fmt_text)
{
	char	*text;

	xasprintf(&text, cmd_fmt_text, wlog, werr);
	load(text);
	free(text);
}

/*
 * Every row of both tables, called once: a result of the type its
 * signature says, or the fault a case names.  A row with no case here
 * fails the test.
 */
static const struct {
	const char	*method;
	const char	*params;
	int		 fault;		/* 0: a result is wanted */
} cases[] = {
	{ "supervisor.readLog",			"i:0|i:0",	0 },
	{ "supervisor.readMainLog",		"i:-2|i:0",	0 },
	{ "supervisor.readProcessStdoutLog",	"s:w|i:0|i:0",	0 },
	{ "supervisor.readProcessLog",		"s:w|i:0|i:0",	0 },
	{ "supervisor.readProcessStderrLog",	"s:w|i:0|i:0",	0 },
	{ "supervisor.tailProcessStdoutLog",	"s:w|i:0|i:10",	0 },
	{ "supervisor.tailProcessLog",		"s:w|i:0|i:10",	0 },
	{ "supervisor.tailProcessStderrLog",	"s:w|i:0|i:10",	0 },
	{ "supervisor.clearLog",		"",		0 },
	{ "supervisor.clearProcessLogs",	"s:w",		0 },
	{ "supervisor.clearProcessLog",		"s:w",		0 },
	{ "supervisor.clearAllProcessLogs",	"",		0 },
	{ "supervisor.sendProcessStdin",	"s:w|s:x",
	    RPC_NOT_RUNNING },
	{ "supervisor.sendRemoteCommEvent",	"s:t|s:d",	0 },
	{ "supervisor.getAllConfigInfo",	"",		0 },
	{ "supervisor.reloadConfig",		"",		0 },
	{ "supervisor.addProcessGroup",		"s:nosuch",	RPC_BAD_NAME },
	{ "supervisor.removeProcessGroup",	"s:nosuch",	RPC_BAD_NAME },
};

/* The xr_type that a signature's first word names. */
static enum xr_type
sig_type(const char *sig)
{
	size_t	n = strcspn(sig, ",");

	if (strncmp(sig, "string", n) == 0)
		return (XR_STRING);
	if (strncmp(sig, "array", n) == 0)
		return (XR_ARRAY);
	if (strncmp(sig, "boolean", n) == 0)
		return (XR_BOOL);
	if (strncmp(sig, "struct", n) == 0)
		return (XR_STRUCT);
	if (strncmp(sig, "int", n) == 0)
		return (XR_INT);
	fail_msg("signature %s", sig);
	return (XR_NIL);
}

/* Every row of both tables against its case. */
static void
test_tables(void **state)
{
	const struct rpc_method	*m;
	struct xr_value		*res;
	char			 why[256];
	size_t			 i, j, rows = 0;
	int			 fault;

	(void)state;
	load_w(W_PROG("cat"));
	rpcfix_write(mainlog, "main\n");
	for (i = 0; i < nitems(rpcfix_tables); i++) {
		for (m = rpcfix_tables[i]; m->name != NULL; m++) {
			rows++;
			assert_non_null(m->fn);
			assert_true(strncmp(m->name, "supervisor.", 11) == 0);
			assert_true(strlen(m->help) > 10);
			for (j = 0; j < nitems(cases); j++)
				if (strcmp(cases[j].method, m->name) == 0)
					break;
			if (j == nitems(cases))
				fail_msg("%s: no case in this test", m->name);
			res = rpcfix_call(&sup, m->name, cases[j].params,
			    &fault, why, sizeof why);
			if (fault != cases[j].fault)
				fail_msg("%s: fault %d (%s), wanted %d",
				    m->name, fault, why, cases[j].fault);
			if (res != NULL && res->type != sig_type(m->sig))
				fail_msg("%s: a %s, its signature says %s",
				    m->name, xr_type_name(res->type), m->sig);
			xr_free(res);
		}
	}
	/* No case for a method that is gone. */
	assert_int_equal(rows, nitems(cases));
}

/* The string a call returns, compared and freed. */
static void
read_is(const char *method, const char *spec, const char *want_text)
{
	struct xr_value	*res = rpcfix_ok(&sup, method, spec);

	assert_int_equal(res->type, XR_STRING);
	if (strcmp(res->s, want_text) != 0)
		fail_msg("%s(%s): \"%s\", wanted \"%s\"", method, spec,
		    res->s, want_text);
	xr_free(res);
}

/* readFile's rules, on the process's log and the supervisor's. */
static void
test_read_rules(void **state)
{
	static const struct {
		const char	*range, *want;
	} ok[] = {
		{ "i:0|i:0", "0123456789" },	/* 0: to the end */
		{ "i:2|i:3", "234" },
		{ "i:8|i:5", "89" },		/* as much as there is */
		{ "i:20|i:5", "" },		/* past the end */
		{ "i:10|i:0", "" },
		{ "i:-3|i:0", "789" },		/* from the end */
		{ "i:-30|i:0", "0123456789" },
		{ "s:4|b:1", "4" },		/* Python's int() */
		{ "d:6.9|i:2", "67" },
	};
	char	spec[64], why[256];
	size_t	i;

	(void)state;
	load_w(W_PROG("cat") "[program:n]\ncommand=cat\nautostart=false\n"
	    "stdout_logfile=NONE\nstderr_logfile=NONE\n");
	rpcfix_write(wlog, "0123456789");
	rpcfix_write(mainlog, "0123456789");
	for (i = 0; i < nitems(ok); i++) {
		snprintf(spec, sizeof spec, "s:w|%s", ok[i].range);
		read_is("supervisor.readProcessStdoutLog", spec, ok[i].want);
		read_is("supervisor.readLog", ok[i].range, ok[i].want);
	}
	/* A negative offset takes no length; a length is not negative. */
	rpcfix_fault(&sup, "supervisor.readProcessStdoutLog", "s:w|i:-3|i:1",
	    RPC_BAD_ARGUMENTS, "BAD_ARGUMENTS");
	rpcfix_fault(&sup, "supervisor.readLog", "i:0|i:-1",
	    RPC_BAD_ARGUMENTS, "BAD_ARGUMENTS");
	rpcfix_fault(&sup, "supervisor.readLog", "s:x|i:0",
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	rpcfix_fault(&sup, "supervisor.readLog", "i:0",
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
	/* No file configured, or not there; no such process; a group. */
	rpcfix_fault(&sup, "supervisor.readProcessStdoutLog", "s:n|i:0|i:0",
	    RPC_NO_FILE, "NO_FILE");
	assert_int_equal(unlink(werr), 0);
	snprintf(why, sizeof why, "NO_FILE: %s", werr);
	rpcfix_fault(&sup, "supervisor.readProcessStderrLog", "s:w|i:0|i:0",
	    RPC_NO_FILE, why);
	rpcfix_fault(&sup, "supervisor.readProcessStdoutLog",
	    "s:nosuch|i:0|i:0", RPC_BAD_NAME, "BAD_NAME: nosuch");
	rpcfix_fault(&sup, "supervisor.readProcessStdoutLog", "s:w:*|i:0|i:0",
	    RPC_BAD_NAME, "BAD_NAME: w:*");
	read_is("supervisor.readProcessStdoutLog", "s:w:w|i:0|i:3", "012");
	assert_int_equal(unlink(mainlog), 0);
	snprintf(why, sizeof why, "NO_FILE: %s", mainlog);
	rpcfix_fault(&sup, "supervisor.readLog", "i:0|i:0", RPC_NO_FILE, why);
	free(sup.cfg->logfile);
	sup.cfg->logfile = NULL;	/* syslog */
	rpcfix_fault(&sup, "supervisor.readLog", "i:0|i:0", RPC_NO_FILE,
	    "NO_FILE");
	/* Unreadable: FAILED (root reads anything: a directory then). */
	sup.cfg->logfile = strdup(dir);
	rpcfix_fault(&sup, "supervisor.readLog", "i:0|i:0", RPC_FAILED,
	    "FAILED");
	/* Shutting down: SHUTDOWN_STATE. */
	sup.shutting_down = 1;
	rpcfix_fault(&sup, "supervisor.readProcessStdoutLog", "s:w|i:0|i:0",
	    RPC_SHUTDOWN_STATE, "SHUTDOWN_STATE");
	sup.shutting_down = 0;
}

/* A tail's [bytes, offset, overflow]. */
static void
tail_is(const char *spec, const char *bytes, long long offset, int overflow)
{
	struct xr_value	*res;

	res = rpcfix_ok(&sup, "supervisor.tailProcessStdoutLog", spec);
	assert_int_equal(res->type, XR_ARRAY);
	assert_int_equal(res->n, 3);
	assert_int_equal(res->v[0]->type, XR_STRING);
	assert_int_equal(res->v[1]->type, XR_INT);
	assert_int_equal(res->v[2]->type, XR_BOOL);
	if (strcmp(res->v[0]->s, bytes) != 0 || res->v[1]->i != offset ||
	    res->v[2]->i != overflow)
		fail_msg("tail(%s): [\"%s\", %lld, %d], wanted [\"%s\", %lld, "
		    "%d]", spec, res->v[0]->s, (long long)res->v[1]->i,
		    (int)res->v[2]->i, bytes, offset, overflow);
	xr_free(res);
}

/* tailFile's rules: the last length bytes once it grew, the size back. */
static void
test_tail_rules(void **state)
{
	(void)state;
	load_w(W_PROG("cat"));
	rpcfix_write(wlog, "0123456789");
	tail_is("s:w|i:0|i:5", "56789", 10, 1);		/* grew past */
	tail_is("s:w|i:4|i:5", "56789", 10, 1);
	tail_is("s:w|i:5|i:5", "56789", 10, 0);		/* just fits */
	tail_is("s:w|i:0|i:20", "0123456789", 10, 0);
	tail_is("s:w|i:3|i:100", "0123456789", 10, 0);	/* as supervisord */
	tail_is("s:w|i:10|i:5", "", 10, 0);		/* nothing new */
	tail_is("s:w|i:50|i:5", "", 10, 0);
	tail_is("s:w|i:9|i:1", "9", 10, 0);
	tail_is("s:w|i:0|i:1", "9", 10, 1);
	tail_is("s:w|i:0|i:0", "", 10, 1);
	tail_is("s:w|i:-5|i:-5", "", 10, 1);
	rpcfix_write(wlog, "");
	tail_is("s:w|i:0|i:5", "", 0, 0);
	assert_int_equal(unlink(wlog), 0);
	tail_is("s:w|i:7|i:5", "", 0, 0);		/* no file */
	rpcfix_fault(&sup, "supervisor.tailProcessStdoutLog", "s:x|i:0|i:1",
	    RPC_BAD_NAME, "BAD_NAME: x");
}

/* Every line of path is "line" and digits, whole; how many. */
static int
lines_whole(const char *path)
{
	FILE	*fp;
	char	 line[256];
	int	 n = 0;

	assert_non_null(fp = fopen(path, "r"));
	while (fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "line", 4) != 0 ||
		    line[strlen(line) - 1] != '\n')
			fail_msg("%s: a broken line: \"%s\"", path, line);
		n++;
	}
	fclose(fp);
	return (n);
}

/* Clearing while the service writes: a new file, its size counted. */
static void
test_clear_while_writing(void **state)
{
	struct xr_value	*res;
	struct stat	 st, fst;
	struct svc	*w;

	(void)state;
	load_w(W_PROG("sh -c 'i=0; while :; do echo line$i; i=$((i+1)); "
	    "done'"));
	w = find("w");
	rpcfix_write(werr, "err\n");
	start(w);
	run_until(wlog, 65536, NULL);
	res = rpcfix_ok(&sup, "supervisor.clearProcessLogs", "s:w");
	assert_int_equal(res->type, XR_BOOL);
	assert_int_equal(res->i, 1);
	xr_free(res);
	/* Cleared: the stream writes into the new file, from 0. */
	assert_int_equal(w->out->size, 0);
	assert_true(rpcfix_size(wlog) < 65536);
	assert_int_equal(rpcfix_size(werr), 0);
	assert_int_equal(stat(wlog, &st), 0);
	assert_int_equal(fstat(w->out->fd, &fst), 0);
	assert_true(st.st_ino == fst.st_ino);
	run_until(wlog, 8192, NULL);
	/* Whole lines, and the size rotation counts is the file's. */
	svc_event(w, EV_STOP);
	assert_true(lines_whole(wlog) > 100);
	assert_int_equal(stat(wlog, &st), 0);
	assert_int_equal((long long)w->out->size, (long long)st.st_size);

	/* All processes: one result each, in supervisord's members. */
	res = rpcfix_ok(&sup, "supervisor.clearAllProcessLogs", "");
	assert_int_equal(res->type, XR_ARRAY);
	assert_int_equal(res->n, 1);
	assert_int_equal(res->v[0]->n, 4);
	assert_string_equal(res->v[0]->v[0]->name, "name");
	assert_string_equal(res->v[0]->v[0]->s, "w");
	assert_string_equal(res->v[0]->v[1]->name, "group");
	assert_string_equal(res->v[0]->v[2]->name, "status");
	assert_int_equal(res->v[0]->v[2]->i, RPC_SUCCESS);
	assert_string_equal(res->v[0]->v[3]->name, "description");
	assert_string_equal(res->v[0]->v[3]->s, "OK");
	xr_free(res);
	assert_int_equal(rpcfix_size(wlog), 0);
	assert_int_equal(w->out->size, 0);
	rpcfix_fault(&sup, "supervisor.clearProcessLogs", "s:w:*",
	    RPC_BAD_NAME, "BAD_NAME: w:*");
}

/* A log file that cannot be made again: FAILED, for one and for all. */
static void
test_clear_failed(void **state)
{
	struct xr_value	*res;
	char		 sub[200], text[512];

	(void)state;
	snprintf(sub, sizeof sub, "%s/gone", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(text, sizeof text, "[program:w]\ncommand=cat\n"
	    "autostart=false\nstdout_logfile=%s/w.log\n"
	    "stderr_logfile=NONE\n", sub);
	load(text);
	/* Its directory gone: no new file can be made, even by root. */
	snprintf(text, sizeof text, "%s/w.log", sub);
	assert_int_equal(unlink(text), 0);
	assert_int_equal(rmdir(sub), 0);
	rpcfix_fault(&sup, "supervisor.clearProcessLogs", "s:w", RPC_FAILED,
	    "FAILED: w");
	res = rpcfix_ok(&sup, "supervisor.clearAllProcessLogs", "");
	assert_int_equal(res->v[0]->v[2]->i, RPC_FAILED);
	assert_string_equal(res->v[0]->v[3]->s, "FAILED: w");
	xr_free(res);
}

/* The supervisor's own log: removed, then opened again by log.c. */
static void
test_clear_log(void **state)
{
	struct xr_value	*res;
	char		 buf[256];
	int		 fd;
	ssize_t		 n;

	(void)state;
	load_w(W_PROG("cat"));
	rpcfix_write(mainlog, "old lines\n");
	assert_true((fd = open(mainlog, O_WRONLY|O_APPEND)) != -1);
	log_init(LOGTO_FILE, fd, NULL);
	res = rpcfix_ok(&sup, "supervisor.clearLog", "");
	assert_int_equal(res->i, 1);
	xr_free(res);
	log_info("after");
	log_init(LOGTO_STDERR, -1, NULL);
	close(fd);
	assert_true((fd = open(mainlog, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_null(strstr(buf, "old lines"));
	assert_non_null(strstr(buf, "reopening log file"));
	assert_non_null(strstr(buf, "after"));
	assert_int_equal(unlink(mainlog), 0);
	rpcfix_fault(&sup, "supervisor.clearLog", "", RPC_NO_FILE, "NO_FILE");
}

/* stdin to a cat, which writes it to its log; the faults. */
static void
test_stdin_cat(void **state)
{
	struct xr_value	*res;
	struct svc	*w;
	char		 why[256];
	pid_t		 pid;

	(void)state;
	load_w(W_PROG("cat") "[program:shut]\ncommand=sh -c 'exec 0<&-; "
	    "exec sleep 1000'\nautostart=false\nstartsecs=0\n"
	    "stdout_logfile=NONE\nstderr_logfile=NONE\n");
	w = find("w");
	rpcfix_fault(&sup, "supervisor.sendProcessStdin", "s:w|s:x",
	    RPC_NOT_RUNNING, "NOT_RUNNING: w");
	start(w);
	assert_true(w->infd != -1);
	assert_null(w->in);		/* no queue until one is needed */
	assert_true(fcntl(w->infd, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(w->infd, F_GETFL) & O_NONBLOCK);
	res = rpcfix_ok(&sup, "supervisor.sendProcessStdin", "s:w|s:hello\n");
	assert_int_equal(res->type, XR_BOOL);
	assert_int_equal(res->i, 1);
	xr_free(res);
	xr_free(rpcfix_ok(&sup, "supervisor.sendProcessStdin",
	    "s:w:w|6:bytes\n"));
	run_until(wlog, 12, NULL);
	assert_int_equal(rpcfix_size(wlog), 12);
	rpcfix_fault(&sup, "supervisor.sendProcessStdin", "s:w|i:5",
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS: 5");
	rpcfix_fault(&sup, "supervisor.sendProcessStdin", "s:nosuch|s:x",
	    RPC_BAD_NAME, "BAD_NAME: nosuch");
	rpcfix_fault(&sup, "supervisor.sendProcessStdin", "s:w:|s:x",
	    RPC_BAD_NAME, "BAD_NAME: w:");
	/* Stopping: not running, as supervisord's killing. */
	pid = w->pid;
	svc_event(w, EV_STOP);
	if (w->state == SVC_STOPPING)
		rpcfix_fault(&sup, "supervisor.sendProcessStdin", "s:w|s:x",
		    RPC_NOT_RUNNING, "NOT_RUNNING: w");
	while (w->pid == pid)
		tick();
	assert_int_equal(w->infd, -1);	/* closed at the reap */

	/* The reader closed its stdin: NO_FILE. */
	start(find("shut"));
	/* The shell has closed fd 0 once sleep runs: wait for that. */
	while ((res = rpcfix_call(&sup, "supervisor.sendProcessStdin",
	    "s:shut|s:x", &(int){ 0 }, why, sizeof why)) != NULL) {
		xr_free(res);
		tick();
	}
	assert_string_equal(why, "NO_FILE: shut");
	assert_int_equal(find("shut")->infd, -1);
	rpcfix_fault(&sup, "supervisor.sendProcessStdin", "s:shut|s:x",
	    RPC_NO_FILE, "NO_FILE: shut");
}

/* What the pipe does not take is queued, written later, and bounded. */
static void
test_stdin_queue(void **state)
{
	struct xr_value	*res;
	struct svc	*w, *z;
	char		*big, *spec;
	size_t		 len = 300000, sent = 0, i;
	char		 why[256];
	int		 fault;

	(void)state;
	load_w(W_PROG("cat") "[program:z]\ncommand=sleep 1000\n"
	    "autostart=false\nstartsecs=0\nstdout_logfile=NONE\n"
	    "stderr_logfile=NONE\n");
	w = find("w");
	z = find("z");
	big = malloc(len + 1);
	memset(big, 'a', len);
	for (i = 99; i < len; i += 100)
		big[i] = '\n';		/* lines shorter than log_line_max */
	big[len] = '\0';
	xasprintf(&spec, "s:w|s:%s", big);
	start(w);
	res = rpcfix_ok(&sup, "supervisor.sendProcessStdin", spec);
	xr_free(res);
	/* More than a pipe holds: the rest waits, in the loop. */
	assert_true(svc_stdin_queued(w) > 0);
	assert_int_equal(w->in->waiting, 1);
	run_until(wlog, (long long)len, w);
	assert_int_equal(svc_stdin_queued(w), 0);
	assert_null(w->in);		/* the queue goes once empty */
	assert_int_equal(rpcfix_size(wlog), (long long)len);
	free(spec);

	/* A reader that never reads: the bound, then a fault. */
	start(z);
	xasprintf(&spec, "s:z|s:%s", big);
	for (;;) {
		res = rpcfix_call(&sup, "supervisor.sendProcessStdin", spec,
		    &fault, why, sizeof why);
		if (res == NULL)
			break;
		xr_free(res);
		sent += len;
		assert_true(sent < 4 * 1024 * 1024);
	}
	assert_int_equal(fault, RPC_FAILED);
	assert_non_null(strstr(why, "FAILED: z: "));
	assert_true(svc_stdin_queued(z) <= 1024 * 1024);
	assert_true(svc_stdin_queued(z) > 1024 * 1024 - len);
	free(spec);
	free(big);
}

/* sendRemoteCommEvent: True, whatever the state and the types. */
static void
test_comm_event(void **state)
{
	struct xr_value	*res;

	(void)state;
	load_w(W_PROG("cat"));
	sup.shutting_down = 1;
	res = rpcfix_ok(&sup, "supervisor.sendRemoteCommEvent", "s:t|i:5");
	assert_int_equal(res->type, XR_BOOL);
	assert_int_equal(res->i, 1);
	xr_free(res);
	sup.shutting_down = 0;
	rpcfix_fault(&sup, "supervisor.sendRemoteCommEvent", "s:t",
	    RPC_INCORRECT_PARAMETERS, "INCORRECT_PARAMETERS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tail_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clear_while_writing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_clear_failed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_clear_log, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stdin_cat, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stdin_queue, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_comm_event, setup,
		    teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
