/*
 * spawn.c: wait statuses and stages in words, the child's setup report,
 * and the clean context spawn_exec gives a real command, read from
 * /proc/PID while it runs.  spawn_start and spawn_stop are
 * test-spawn-start.c's.  Every child is killed and reaped by its pid.
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

/* spawn_status_str(status) says want. */
static void
status_is(int status, const char *want)
{
	char	buf[64], *p;

	p = spawn_status_str(status, buf, sizeof buf);
	assert_ptr_equal(p, buf);
	assert_string_equal(buf, want);
}

static void
test_status_str(void **state)
{
	char	buf[16], want[64];

	(void)state;
	status_is(0, "exited with status 0");
	status_is(3 << 8, "exited with status 3");
	status_is(255 << 8, "exited with status 255");
	status_is(SIGTERM, "killed by signal TERM");
	status_is(SIGKILL, "killed by signal KILL");
	status_is(SIGSEGV | 0x80, "killed by signal SEGV (core dumped)");
	status_is(SIGABRT | 0x80, "killed by signal ABRT (core dumped)");
	status_is(-1, "exited (status unknown)");
	status_is(0x137f, "stopped (status 0x137f)");	/* by STOP */
	/* A signal with no name: its number. */
	if (wd_sig_name(SIGRTMIN + 3) == NULL) {
		snprintf(want, sizeof want, "killed by signal %d",
		    SIGRTMIN + 3);
		status_is(SIGRTMIN + 3, want);
		snprintf(want, sizeof want, "killed by signal %d (core dumped)",
		    SIGRTMIN + 3);
		status_is((SIGRTMIN + 3) | 0x80, want);
	}
	/* A short buffer: cut, still a string. */
	spawn_status_str(SIGSEGV | 0x80, buf, sizeof buf);
	assert_string_equal(buf, "killed by signa");
}

static void
test_stage_names(void **state)
{
	static const char *want[] = {
		"start", "fork", "setsid", "setpgid", "reset signals",
		"set up stdio", "set up the readiness fd", "chdir",
		"close fds", "change user", "unblock signals", "exec",
		"pass the listen= sockets"
	};
	int	i;

	(void)state;
	for (i = 0; i < (int)nitems(want); i++)
		assert_string_equal(spawn_stage_name(i), want[i]);
	assert_string_equal(spawn_stage_name(-1), "start");
	assert_string_equal(spawn_stage_name((int)nitems(want)), "start");
	assert_string_equal(spawn_stage_name(1000), "start");
}

/* A child that fails stage with error, as spawn_exec's steps do. */
static pid_t
child_fails(int fd, int stage, int error)
{
	pid_t	pid;

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		errno = error;
		spawn_fail(fd, stage);
	}
	return (kid(pid));
}

static void
test_report_read(void **state)
{
	int	p[2], stage = -1, error = -1, st;
	pid_t	pid;

	(void)state;
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = child_fails(p[1], ST_CHDIR, EACCES);
	close(p[1]);
	assert_int_equal(spawn_report_read(p[0], &stage, &error), 1);
	assert_int_equal(stage, ST_CHDIR);
	assert_int_equal(error, EACCES);
	/* Then EOF: nothing more. */
	assert_int_equal(spawn_report_read(p[0], &stage, &error), 0);
	close(p[0]);
	st = reap(pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 126);

	/* exec and ENOENT: 127, the shell's "command not found". */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = child_fails(p[1], ST_EXEC, ENOENT);
	close(p[1]);
	assert_int_equal(spawn_report_read(p[0], &stage, &error), 1);
	assert_int_equal(stage, ST_EXEC);
	assert_int_equal(error, ENOENT);
	close(p[0]);
	assert_int_equal(WEXITSTATUS(reap(pid)), 127);
	/* exec and another errno: 126. */
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = child_fails(p[1], ST_EXEC, EACCES);
	close(p[1]);
	assert_int_equal(spawn_report_read(p[0], &stage, &error), 1);
	assert_int_equal(error, EACCES);
	close(p[0]);
	assert_int_equal(WEXITSTATUS(reap(pid)), 126);
}

static void
test_report_short(void **state)
{
	int	p[2], stage = 42, error = 43;

	(void)state;
	/* EOF at once: the exec happened. */
	assert_int_equal(pipe(p), 0);
	close(p[1]);
	assert_int_equal(spawn_report_read(p[0], &stage, &error), 0);
	close(p[0]);
	/* A short report is no report. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "eee", 3), 3);
	close(p[1]);
	assert_int_equal(spawn_report_read(p[0], &stage, &error), 0);
	close(p[0]);
	/* Nothing yet, the child still in its setup: -1. */
	assert_int_equal(pipe2(p, O_NONBLOCK), 0);
	assert_int_equal(spawn_report_read(p[0], &stage, &error), -1);
	assert_int_equal(stage, 42);
	assert_int_equal(error, 43);
	close(p[0]);
	close(p[1]);
}

/* Wait (5 s at most) for EOF on the report pipe: 0, or 1 and the stage. */
static int
exec_wait(int fd, int *stage, int *error)
{
	struct pollfd	pfd = { fd, POLLIN, 0 };
	int		n;

	for (;;) {
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		if ((n = spawn_report_read(fd, stage, error)) != -1)
			return (n);
	}
}

/* One line of /proc/pid/status ("Umask:"), its value. */
static void
proc_status(pid_t pid, const char *key, char *buf, size_t len)
{
	char	 path[64], line[256];
	FILE	*fp;

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	assert_non_null(fp = fopen(path, "r"));
	buf[0] = '\0';
	while (fgets(line, sizeof line, fp) != NULL)
		if (strncmp(line, key, strlen(key)) == 0) {
			snprintf(buf, len, "%s", line + strlen(key));
			buf[strcspn(buf, "\n")] = '\0';
			break;
		}
	fclose(fp);
}

/* Where /proc/pid/NAME points. */
static void
proc_link(pid_t pid, const char *name, char *buf, size_t len)
{
	char	path[128];
	ssize_t	n;

	snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, name);
	n = readlink(path, buf, len - 1);
	assert_true(n > 0);
	buf[n] = '\0';
}

/* The fd numbers open in pid, as a bit set of the first 64. */
static unsigned long long
proc_fds(pid_t pid)
{
	char			 path[64];
	struct dirent		*de;
	DIR			*d;
	unsigned long long	 set = 0;
	int			 n;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	assert_non_null(d = opendir(path));
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n = atoi(de->d_name);
		assert_true(n < 64);
		set |= 1ULL << n;
	}
	closedir(d);
	return (set);
}

/*
 * fork, make the child's context dirty (fds left open, a signal
 * ignored, another blocked, umask 0), then spawn_exec(r).
 */
static pid_t
spawn_dirty(const struct spawn_req *r, int repfd, int readyw)
{
	sigset_t	set;
	pid_t		pid;

	assert_true((pid = fork()) != -1);
	if (pid == 0) {
		(void)open("/dev/null", O_RDONLY);	/* no CLOEXEC */
		(void)dup2(STDERR_FILENO, 20);
		signal(SIGUSR1, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigaddset(&set, SIGTERM);
		sigprocmask(SIG_BLOCK, &set, NULL);
		umask(0);
		spawn_exec(r, repfd, readyw);
	}
	return (kid(pid));
}

/* A request for argv in c's context: no chdir, umask kept. */
static void
req_init(struct spawn_req *r, struct ctx *c, char **argv, char **envp)
{
	memset(r, 0, sizeof *r);
	r->argv = argv;
	r->envp = envp;
	r->dirfd = -1;
	r->umask = -1;
	r->outfd = c->outfd;
	r->errfd = c->errfd;
}

/* Start r in a dirty child: what its report says (exec_wait), *pidp. */
static int
launch(const struct spawn_req *r, pid_t *pidp, int *stage, int *error)
{
	int	rep[2], n;

	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	*pidp = spawn_dirty(r, rep[1], -1);
	close(rep[1]);
	n = exec_wait(rep[0], stage, error);
	close(rep[0]);
	return (n);
}

static void
test_exec_context(void **state)
{
	struct spawn_req	 r;
	struct ctx		 c;
	char			*argv[] = { "sleep", "1000", NULL };
	char			*envp[] = { "A=1", "PATH=/bin:/usr/bin",
	    NULL };
	char			 buf[256], env[64];
	int			 stage, error, fd;
	long			 pgrp, sid;
	ssize_t			 n;
	pid_t			 pid;

	(void)state;
	ctx_init(&c);
	memset(&r, 0, sizeof r);
	r.argv = argv;
	r.envp = envp;
	r.dirfd = -1;
	r.dir = c.dir;
	r.umask = 027;
	r.outfd = c.outfd;
	r.errfd = c.errfd;
	assert_int_equal(launch(&r, &pid, &stage, &error), 0);
	/* Only 0, 1 and 2: the report pipe went with the exec. */
	assert_int_equal(proc_fds(pid), 0x7);
	proc_link(pid, "fd/0", buf, sizeof buf);
	assert_string_equal(buf, "/dev/null");
	proc_link(pid, "fd/1", buf, sizeof buf);
	assert_string_equal(buf, c.out);
	proc_link(pid, "fd/2", buf, sizeof buf);
	assert_string_equal(buf, c.err);
	proc_link(pid, "cwd", buf, sizeof buf);
	assert_string_equal(buf, c.dir);
	proc_status(pid, "Umask:\t", buf, sizeof buf);
	assert_string_equal(buf, "0027");
	/* Dispositions and the mask as at a fresh start. */
	proc_status(pid, "SigIgn:\t", buf, sizeof buf);
	assert_string_equal(buf, "0000000000000000");
	proc_status(pid, "SigBlk:\t", buf, sizeof buf);
	assert_string_equal(buf, "0000000000000000");
	/* Its own environment, argv as given. */
	snprintf(env, sizeof env, "/proc/%ld/environ", (long)pid);
	assert_true((fd = open(env, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof buf);
	close(fd);
	assert_int_equal(n, 23);
	assert_memory_equal(buf, "A=1\0PATH=/bin:/usr/bin\0", 23);
	snprintf(env, sizeof env, "/proc/%ld/cmdline", (long)pid);
	assert_true((fd = open(env, O_RDONLY)) != -1);
	n = read(fd, buf, sizeof buf);
	close(fd);
	assert_int_equal(n, 11);
	assert_memory_equal(buf, "sleep\0001000\0", 11);
	/* Neither group nor session asked: ours. */
	proc_ids(pid, &pgrp, &sid);
	assert_int_equal(pgrp, (long)getpgrp());
	assert_int_equal(sid, (long)getsid(0));
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_true(WIFSIGNALED(reap(pid)));
	ctx_fini(&c);
}

static void
test_exec_group_session(void **state)
{
	struct spawn_req	 r;
	struct ctx		 c;
	char			*argv[] = { "/bin/sleep", "1000", NULL };
	char			*envp[] = { NULL };
	int			 stage, error, dirfd;
	long			 pgrp, sid;
	char			 buf[256];
	pid_t			 pid;

	(void)state;
	ctx_init(&c);
	memset(&r, 0, sizeof r);
	r.argv = argv;
	r.envp = envp;
	r.umask = -1;
	r.outfd = c.outfd;
	r.errfd = c.errfd;
	/* A group of its own, through an fd to the directory. */
	assert_true((dirfd = open(c.dir, O_PATH|O_DIRECTORY|O_CLOEXEC)) != -1);
	r.dirfd = dirfd;
	r.newgroup = 1;
	assert_int_equal(launch(&r, &pid, &stage, &error), 0);
	proc_ids(pid, &pgrp, &sid);
	assert_int_equal(pgrp, (long)pid);
	assert_int_equal(sid, (long)getsid(0));
	proc_link(pid, "cwd", buf, sizeof buf);
	assert_string_equal(buf, c.dir);
	/* umask -1 keeps what the child had: 0 here. */
	proc_status(pid, "Umask:\t", buf, sizeof buf);
	assert_string_equal(buf, "0000");
	assert_int_equal(kill(pid, SIGKILL), 0);
	reap(pid);
	/* A session of its own: leader of it and of its group. */
	r.newgroup = 0;
	r.newsession = 1;
	assert_int_equal(launch(&r, &pid, &stage, &error), 0);
	proc_ids(pid, &pgrp, &sid);
	assert_int_equal(pgrp, (long)pid);
	assert_int_equal(sid, (long)pid);
	assert_int_equal(kill(pid, SIGKILL), 0);
	reap(pid);
	close(dirfd);
	ctx_fini(&c);
}

/* fd:N: the readiness pipe at N, whatever number it had, and no other. */
static void
test_exec_ready_fd(void **state)
{
	struct spawn_req	 r;
	struct ctx		 c;
	char			*argv[] = { "/bin/sleep", "1000", NULL };
	char			*envp[] = { NULL };
	char			 a[128], b[128], path[64];
	int			 rep[2], rdy[2], stage, error, want;
	pid_t			 pid;
	ssize_t			 n;

	(void)state;
	ctx_init(&c);
	req_init(&r, &c, argv, envp);
	assert_int_equal(pipe2(rep, O_CLOEXEC), 0);
	assert_int_equal(pipe2(rdy, O_CLOEXEC), 0);
	/* N is the number the report pipe has: it moves out of the way. */
	r.ready_fd = rep[1];
	want = rep[1];
	pid = spawn_dirty(&r, rep[1], rdy[1]);
	close(rep[1]);
	assert_int_equal(exec_wait(rep[0], &stage, &error), 0);
	close(rep[0]);
	assert_int_equal(proc_fds(pid), 0x7ULL | (1ULL << want));
	snprintf(path, sizeof path, "fd/%d", want);
	proc_link(pid, path, a, sizeof a);
	snprintf(path, sizeof path, "/proc/self/fd/%d", rdy[1]);
	n = readlink(path, b, sizeof b - 1);
	assert_true(n > 0);
	b[n] = '\0';
	assert_string_equal(a, b);
	assert_int_equal(kill(pid, SIGKILL), 0);
	reap(pid);
	close(rdy[0]);
	close(rdy[1]);
	ctx_fini(&c);
}

/* A failed step: its stage and errno on the report pipe. */
static void
test_exec_fails(void **state)
{
	struct spawn_req	 r;
	struct ctx		 c;
	char			*argv[] = { "/nonexistent/cmd", NULL };
	char			*ok[] = { "/bin/true", NULL };
	char			*envp[] = { NULL };
	int			 stage = -1, error = -1;
	pid_t			 pid;

	(void)state;
	ctx_init(&c);
	req_init(&r, &c, argv, envp);
	assert_int_equal(launch(&r, &pid, &stage, &error), 1);
	assert_int_equal(stage, ST_EXEC);
	assert_int_equal(error, ENOENT);
	assert_int_equal(WEXITSTATUS(reap(pid)), 127);
	/* chdir before exec: the command is never run. */
	r.argv = ok;
	r.dir = "/nonexistent";
	assert_int_equal(launch(&r, &pid, &stage, &error), 1);
	assert_int_equal(stage, ST_CHDIR);
	assert_int_equal(error, ENOENT);
	assert_int_equal(WEXITSTATUS(reap(pid)), 126);
	/* stdout that is not an fd. */
	r.dir = NULL;
	r.outfd = 1000;
	assert_int_equal(launch(&r, &pid, &stage, &error), 1);
	assert_int_equal(stage, ST_STDIO);
	assert_int_equal(error, EBADF);
	assert_int_equal(WEXITSTATUS(reap(pid)), 126);
	ctx_fini(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_status_str, cleanup_teardown),
		cmocka_unit_test_teardown(test_stage_names, cleanup_teardown),
		cmocka_unit_test_teardown(test_report_read, cleanup_teardown),
		cmocka_unit_test_teardown(test_report_short, cleanup_teardown),
		cmocka_unit_test_teardown(test_exec_context, cleanup_teardown),
		cmocka_unit_test_teardown(test_exec_group_session,
		    cleanup_teardown),
		cmocka_unit_test_teardown(test_exec_ready_fd, cleanup_teardown),
		cmocka_unit_test_teardown(test_exec_fails, cleanup_teardown),
	};

	return (cmocka_run_group_tests_name("spawn", tests, NULL, NULL));
}
