/*
 * spawn.c's start of a run context: ready at the exec, on fd:N, by
 * sd_notify or a TCP connect; dead before ready, not ready in time, no
 * exec; the messages for each; detached into a session of its own; and
 * spawn_stop's TERM, then KILL.  The test program itself is the command
 * where one is needed that sends or listens.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
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

#include "../../src/warden.h"
#include "stubs.h"
#include "cleanup.h"
#include "spawnctx.h"

/* spawn_stop, which reaps pid. */
static int
stop(struct run_ctx *ctx, pid_t pid, double timeout)
{
	int	st;

	st = spawn_stop(ctx, pid, timeout);
	kid_gone(pid);
	return (st);
}

/* A run context for spawn_start. */
static void
run_init(struct run_ctx *ctx, struct ctx *c, char **argv, char **envp)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->name = "svc";
	ctx->argv = argv;
	ctx->envp = envp;
	ctx->dirfd = -1;
	ctx->umask = 022;
	ctx->outfd = c->outfd;
	ctx->errfd = c->errfd;
	ctx->err_start = -1;
	ctx->notify_sock = -1;
	ctx->ready.mode = READY_EXEC;
	ctx->ready_timeout = 10;
	ctx->stop_timeout = 5;
	assert_true((ctx->sigfd = spawn_signal_fd()) != -1);
}

static void
test_start_exec_stop(void **state)
{
	struct run_ctx		 ctx;
	struct start_result	 res;
	struct ctx		 c;
	char			*argv[] = { "/bin/sleep", "1000", NULL };
	char			*envp[] = { NULL };
	char			 msg[256], want[256];
	long			 pgrp, sid;
	int			 st;

	(void)state;
	ctx_init(&c);
	run_init(&ctx, &c, argv, envp);
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, 0);
	assert_int_equal(res.outcome, START_READY);
	assert_true(res.pid > 0);
	/* Not detached: a child in a group of its own. */
	proc_ids(res.pid, &pgrp, &sid);
	assert_int_equal(pgrp, (long)res.pid);
	assert_int_equal(sid, (long)getsid(0));
	spawn_message(&ctx, &res, msg, sizeof msg);
	snprintf(want, sizeof want, "svc: running, pid %ld", (long)res.pid);
	assert_string_equal(msg, want);
	st = stop(&ctx, res.pid, 5);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_int_equal(kill(res.pid, 0), -1);		/* reaped */
	close(ctx.sigfd);
	ctx_fini(&c);
}

/* Detached: the grandchild, in a session of its own, is still ours. */
static void
test_start_detach(void **state)
{
	struct run_ctx		 ctx;
	struct start_result	 res;
	struct ctx		 c;
	char			*argv[] = { "/bin/sleep", "1000", NULL };
	char			*envp[] = { NULL };
	long			 pgrp, sid;
	int			 st;

	(void)state;
	ctx_init(&c);
	run_init(&ctx, &c, argv, envp);
	st = spawn_start(&ctx, 1, &res);
	kid(res.pid);
	assert_int_equal(st, 0);
	assert_true(res.pid > 0);
	proc_ids(res.pid, &pgrp, &sid);
	assert_int_not_equal(sid, (long)getsid(0));
	assert_int_equal(pgrp, sid);
	assert_int_not_equal(sid, (long)res.pid);	/* not a leader */
	st = stop(&ctx, res.pid, 5);
	assert_true(WIFSIGNALED(st));
	close(ctx.sigfd);
	ctx_fini(&c);
}

/* fd:N: ready at its line; dead before it; not in time; no exec. */
static void
test_start_outcomes(void **state)
{
	struct run_ctx		 ctx;
	struct start_result	 res;
	struct ctx		 c;
	char			*ready[] = { "/bin/sh", "-c",
	    "echo up >&5; exec /bin/sleep 1000", NULL };
	char			*dies[] = { "/bin/sh", "-c", "exit 3",
	    NULL };
	char			*mute[] = { "/bin/sleep", "1000", NULL };
	char			*none[] = { "/nonexistent/cmd", NULL };
	char			*envp[] = { NULL };
	char			 msg[256];
	int			 st;

	(void)state;
	ctx_init(&c);
	run_init(&ctx, &c, ready, envp);
	ctx.ready.mode = READY_FD;
	ctx.ready.fd = 5;
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, 0);
	assert_int_equal(res.outcome, START_READY);
	assert_true(WIFSIGNALED(stop(&ctx, res.pid, 5)));

	ctx.argv = dies;
	assert_int_equal(spawn_start(&ctx, 0, &res), -1);
	assert_int_equal(res.outcome, START_DIED);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 3);
	spawn_message(&ctx, &res, msg, sizeof msg);
	assert_string_equal(msg, "svc: exited with status 3 before it was "
	    "ready");

	ctx.argv = mute;
	ctx.ready_timeout = 0.2;
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, -1);
	assert_int_equal(res.outcome, START_TIMEOUT);
	spawn_message(&ctx, &res, msg, sizeof msg);
	assert_string_equal(msg, "svc: not ready after 0.2 s; stopped it");
	assert_true(WIFSIGNALED(stop(&ctx, res.pid, 5)));

	ctx.argv = none;
	ctx.ready.mode = READY_EXEC;
	assert_int_equal(spawn_start(&ctx, 0, &res), -1);
	assert_int_equal(res.outcome, START_SETUP_FAILED);
	assert_int_equal(res.stage, ST_EXEC);
	assert_int_equal(res.error, ENOENT);
	assert_true(WIFEXITED(res.status));
	assert_int_equal(WEXITSTATUS(res.status), 127);
	spawn_message(&ctx, &res, msg, sizeof msg);
	assert_string_equal(msg, "svc: exec /nonexistent/cmd: No such file "
	    "or directory");
	/* Another stage: its name. */
	res.stage = ST_CHDIR;
	res.error = EACCES;
	spawn_message(&ctx, &res, msg, sizeof msg);
	assert_string_equal(msg, "svc: chdir: Permission denied");
	res.stage = ST_CREDS;
	snprintf(ctx.creds.name, sizeof ctx.creds.name, "nobody");
	spawn_message(&ctx, &res, msg, sizeof msg);
	assert_string_equal(msg, "svc: cannot become user nobody: "
	    "Permission denied");
	res.outcome = START_INTERRUPTED;
	res.signo = SIGINT;
	spawn_message(&ctx, &res, msg, sizeof msg);
	assert_string_equal(msg, "svc: interrupted by SIGINT while starting; "
	    "stopped it");
	close(ctx.sigfd);
	ctx_fini(&c);
}

/* A command that ignores TERM gets KILL at the timeout. */
static void
test_stop_kill(void **state)
{
	struct run_ctx		 ctx;
	struct start_result	 res;
	struct ctx		 c;
	char			*argv[] = { "/bin/sh", "-c",
	    "trap '' TERM; echo up >&5; exec /bin/sleep 1000", NULL };
	char			*envp[] = { NULL };
	int			 st;

	(void)state;
	ctx_init(&c);
	run_init(&ctx, &c, argv, envp);
	ctx.ready.mode = READY_FD;
	ctx.ready.fd = 5;
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, 0);
	st = stop(&ctx, res.pid, 0.2);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	close(ctx.sigfd);
	ctx_fini(&c);
}

/* This program, to run as a child in one of the helper modes below. */
static char	self[4096];

/*
 * The helper modes: "self notify" (READY=1 by sd_notify, when there is
 * a NOTIFY_SOCKET) or "self listen PORT" (a listener on 127.0.0.1:PORT),
 * then waiting to be killed.
 */
static int
helper(int argc, char **argv)
{
	struct sockaddr_in	sin;
	int			s;

	if (strcmp(argv[1], "notify") == 0) {
		(void)wd_notify("STATUS=warming up");
		(void)wd_notify("READY=1");
	} else if (strcmp(argv[1], "listen") == 0 && argc == 3) {
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((uint16_t)atoi(argv[2]));
		if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
		    bind(s, (struct sockaddr *)&sin, sizeof sin) == -1 ||
		    listen(s, 4) == -1)
			return (4);
	} else
		return (2);
	for (;;)
		pause();
}

/* A port free now on 127.0.0.1. */
static void
free_port(char *port, size_t len)
{
	struct sockaddr_in	sin;
	socklen_t		slen = sizeof sin;
	int			s;

	assert_true((s = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sin, &slen), 0);
	snprintf(port, len, "%u", ntohs(sin.sin_port));
	close(s);
}

/* notify: ready at READY=1 from the command (STATUS= alone is not). */
static void
test_start_notify(void **state)
{
	struct run_ctx		 ctx;
	struct start_result	 res;
	struct ctx		 c;
	char			*argv[] = { self, "notify", NULL };
	char			 name[128], env[160];
	char			*envp[] = { env, NULL };
	int			 st;

	(void)state;
	ctx_init(&c);
	run_init(&ctx, &c, argv, envp);
	assert_true((ctx.notify_sock = notify_socket(name, sizeof name)) !=
	    -1);
	snprintf(env, sizeof env, "NOTIFY_SOCKET=%s", name);
	ctx.ready.mode = READY_NOTIFY;
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, 0);
	assert_int_equal(res.outcome, START_READY);
	assert_true(WIFSIGNALED(stop(&ctx, res.pid, 5)));
	/* Without the socket's name it never says so: not in time. */
	env[0] = 'X';
	ctx.ready_timeout = 0.2;
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, -1);
	assert_int_equal(res.outcome, START_TIMEOUT);
	assert_true(WIFSIGNALED(stop(&ctx, res.pid, 5)));
	close(ctx.notify_sock);
	close(ctx.sigfd);
	ctx_fini(&c);
}

/* tcp: ready once a connect to the port succeeds. */
static void
test_start_tcp(void **state)
{
	struct run_ctx		 ctx;
	struct start_result	 res;
	struct ctx		 c;
	char			 port[16];
	char			*argv[] = { self, "listen", port, NULL };
	char			*envp[] = { NULL };
	int			 st;

	(void)state;
	ctx_init(&c);
	run_init(&ctx, &c, argv, envp);
	free_port(port, sizeof port);
	ctx.ready.mode = READY_TCP;
	ctx.ready.host = "127.0.0.1";
	ctx.ready.port = port;
	st = spawn_start(&ctx, 0, &res);
	kid(res.pid);
	assert_int_equal(st, 0);
	assert_int_equal(res.outcome, START_READY);
	assert_true(WIFSIGNALED(stop(&ctx, res.pid, 5)));
	close(ctx.sigfd);
	ctx_fini(&c);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_start_exec_stop,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_start_detach, cleanup_teardown),
		cmocka_unit_test_teardown(test_start_outcomes,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_stop_kill, cleanup_teardown),
		cmocka_unit_test_teardown(test_start_notify, cleanup_teardown),
		cmocka_unit_test_teardown(test_start_tcp, cleanup_teardown),
	};
	ssize_t	n;

	if (argc > 1)
		return (helper(argc, argv));
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) <= 0)
		return (1);
	self[n] = '\0';

	return (cmocka_run_group_tests_name("spawn-start", tests, NULL, NULL));
}
